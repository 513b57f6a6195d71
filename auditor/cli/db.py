"""``auditor db upgrade`` and ``auditor verify``: schema migrations and the hash-chain check.

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_db` at definition time.
"""

from typing import Annotated

import typer

from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.options import EXIT_FINDINGS

# The command bodies moved here from app.py unchanged and still use these names.
_open_store = options.open_store
_stderr = options.stderr
_stdout = options.stdout


def register_db(app: typer.Typer, lang: Lang) -> None:
    """Add the ``db`` group and ``verify`` to ``app``."""
    lang_option = Annotated[str, options.lang_option(lang)]
    db_option = Annotated[str | None, options.db(lang)]

    db_app = typer.Typer(help=t("db", lang), no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade", help=t("db.upgrade", lang))
    def db_upgrade(db: db_option = None, lang_: lang_option = lang) -> None:
        from auditor.store.opening import display_url

        store = _open_store(db)
        _stdout().print(t("db_upgraded", lang, url=display_url(store.url)), markup=False)

    @app.command("verify", help=t("verify", lang))
    def verify_command(db: db_option = None, lang_: lang_option = lang) -> None:
        store = options.open_store_for_reading(db, lang)
        result = store.verify()
        if result.ok:
            _stdout().print(t("verify_ok", lang, count=result.events_checked))
            return
        _stderr().print(
            t("verify_broken", lang, event_id=result.first_broken_event_id, reason=result.reason),
            markup=False,
        )
        raise typer.Exit(EXIT_FINDINGS)
