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

        store = _open_store(db, lang)
        _stdout().print(t("db_upgraded", lang, url=display_url(store.url)), markup=False)

    @app.command("verify", help=t("verify", lang))
    def verify_command(
        db: db_option = None,
        expect_head: Annotated[
            str | None, typer.Option("--expect-head", help=t("opt.expect_head", lang))
        ] = None,
        prefecture: Annotated[
            bool, typer.Option("--prefecture", help=t("opt.verify_prefecture", lang))
        ] = False,
        lang_: lang_option = lang,
    ) -> None:
        for_tenant = None
        if prefecture:
            from auditor.store.tenancy import PREFECTURE_TENANT

            if options.given_tenant() is not None:
                options.fail(t("verify.prefecture_tenant", lang))
            for_tenant = PREFECTURE_TENANT
        store = options.open_store_for_reading(db, lang, for_tenant=for_tenant)
        result = store.verify(expect_head=expect_head)
        out, err = _stdout(), _stderr()
        if result.first_broken_event_id is not None or result.head_hash is None:
            err.print(
                t(
                    "verify_broken",
                    lang,
                    event_id=result.first_broken_event_id,
                    reason=result.reason,
                ),
                markup=False,
            )
            raise typer.Exit(EXIT_FINDINGS)
        out.print(t("verify_ok", lang, count=result.events_checked), markup=False)
        out.print(t("verify_head", lang, head=result.head_hash), markup=False)
        if result.mismatch_count:
            err.print(t("verify_mismatch", lang, count=result.mismatch_count), markup=False)
            for line in result.mismatches:
                err.print(f"  - {line}", markup=False)
        else:
            out.print(
                t("verify_rows", lang, findings=result.findings_checked, runs=result.runs_checked),
                markup=False,
            )
        if result.unprovable_findings or result.unprovable_runs:
            out.print(
                t(
                    "verify_unprovable",
                    lang,
                    findings=result.unprovable_findings,
                    runs=result.unprovable_runs,
                ),
                markup=False,
            )
        if result.expected_head_found is False:
            err.print(
                t("verify_expected_head_missing", lang, head=result.expected_head), markup=False
            )
        elif result.expected_head_found:
            key = (
                "verify_expected_head_current"
                if result.events_after_expected == 0
                else "verify_expected_head_older"
            )
            out.print(
                t(key, lang, head=result.expected_head, count=result.events_after_expected),
                markup=False,
            )
        if not result.ok:
            raise typer.Exit(EXIT_FINDINGS)
