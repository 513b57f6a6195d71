"""The ``auditor`` command: assembles the command groups, nothing else.

Each group lives in its own module with a ``register_*(app, lang)`` function; shared options,
exit codes and consoles are in :mod:`auditor.cli.options`, every help text in
:mod:`auditor.cli.i18n`. Exit codes (also in ``--help`` and the README): 0 nothing at or above
``--fail-on``; 1 findings at or above it; 2 invalid input or usage; 3 the run was incomplete.
"""

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Annotated

import typer

from auditor.cli import options
from auditor.cli.config import register_config
from auditor.cli.daemon import register_daemon
from auditor.cli.db import register_db
from auditor.cli.distributed import register_distributed
from auditor.cli.findings import register_findings
from auditor.cli.i18n import Lang, detect_lang, t
from auditor.cli.matrix import register_matrix
from auditor.cli.notify import register_notify
from auditor.cli.offline import register_offline
from auditor.cli.path import register_path
from auditor.cli.prefecture import register_prefecture
from auditor.cli.report import register_report
from auditor.cli.review import register_review
from auditor.cli.rules import register_rules
from auditor.cli.run import register_run
from auditor.cli.traffic import register_netns, register_traffic
from auditor.cli.validate import register_validate
from auditor.cli.web import register_web


def build_app(lang: Lang) -> typer.Typer:
    """Build the command tree with help text in ``lang``.

    The order of registration is the order ``--help`` lists commands and groups in.
    """
    app = typer.Typer(
        help=t("app", lang),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    lang_option = Annotated[str, options.lang_option(lang)]

    @app.callback()
    def root(
        ctx: typer.Context,
        lang_: lang_option = lang,
        debug: Annotated[
            bool, typer.Option("--debug", envvar="AUDITOR_DEBUG", help=t("opt.debug", lang))
        ] = False,
        tenant: Annotated[str | None, options.tenant_option(lang)] = None,
    ) -> None:
        """Accept ``auditor --lang ja …`` and ``--debug``; ``main`` already read both.
        ``--tenant`` selects the city every command that opens the store works on."""
        options.set_tenant(tenant, ctx)
        defaults = options.tenant_input_defaults(ctx.command, options.given_tenant())
        if defaults:
            ctx.default_map = defaults

    register_validate(app, lang)
    register_rules(app, lang)
    register_run(app, lang)
    register_offline(app, lang)
    register_distributed(app, lang)
    register_review(app, lang)
    register_findings(app, lang)
    register_db(app, lang)
    register_daemon(app, lang)
    register_config(app, lang)
    register_matrix(app, lang)
    register_path(app, lang)
    register_report(app, lang)
    register_traffic(app, lang)
    register_notify(app, lang)
    register_prefecture(app, lang)
    register_web(app, lang)
    _mount_lab(app, lang)
    return app


def _mount_lab(app: typer.Typer, lang: Lang) -> None:
    """The lab needs the ``lab`` extra (snmpsim, fakenos); without it only ``lab netns`` exists."""
    try:
        from auditor.cli.lab import build_lab_app
    except ImportError:  # installed without the lab extra
        lab_app = options.group(lang, "lab")
        demo = False
    else:
        lab_app = build_lab_app(lang)
        demo = True
    register_netns(lab_app, lang)
    app.add_typer(lab_app, name="lab")
    if demo:
        from auditor.cli.demo import register_demo

        register_demo(app, lang)


def debug_requested(args: Sequence[str], environ: Mapping[str, str]) -> bool:
    """``--debug`` before the command, or ``AUDITOR_DEBUG`` set to a true value."""
    if environ.get("AUDITOR_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
        return True
    return "--debug" in args


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: the one place an unexpected exception becomes a message.

    Every failure a user can cause is handled where it happens (exit 2 with a reason); whatever
    still escapes is a bug or an unforeseen condition, shown as two lines and exit code 3 (the
    command did not complete) instead of a traceback; ``--debug`` / ``AUDITOR_DEBUG=1`` re-raise.
    """
    from auditor.textsafe import guard_terminal

    guard_terminal()  # device-controlled text never reaches the terminal raw
    args = list(sys.argv[1:] if argv is None else argv)
    lang = detect_lang(args, os.environ)
    debug = debug_requested(args, os.environ)
    app = build_app(lang)
    try:
        app(args=args, prog_name="auditor")
    except Exception as exc:  # the top-level handler, see the docstring
        if debug:
            raise
        options.stderr().print(describe_failure(exc, lang), markup=False)
        sys.exit(options.EXIT_INCOMPLETE)


def describe_failure(exc: BaseException, lang: Lang) -> str:
    """Two lines of human text for an exception that escaped a command."""
    from auditor.store.errors import SchemaNotCurrent, StoreUnavailable

    message = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, StoreUnavailable):
        return t("store_unavailable", lang, message=message)
    if isinstance(exc, SchemaNotCurrent):
        return message
    return t("internal_error", lang, message=message)
