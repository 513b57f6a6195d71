"""``auditor rules [ID]``: the check catalogue as a table, JSON or one check's documentation.

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_rules` at definition time.
"""

import json
from typing import Annotated

import typer
from rich.table import Table

from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.i18n_tables import headers, value
from auditor.cli.options import EXIT_INVALID, OutputFormat

# The command bodies moved here from app.py unchanged and still use these names.
_stderr = options.stderr
_stdout = options.stdout


def register_rules(app: typer.Typer, lang: Lang) -> None:
    """Add ``rules`` to ``app``."""
    lang_option = Annotated[str, options.lang_option(lang)]
    format_option = Annotated[OutputFormat, options.output_format(lang)]

    @app.command("rules", help=t("rules", lang))
    def rules_command(
        rule_id: Annotated[str | None, typer.Argument(help=t("arg.rule_id", lang))] = None,
        output: format_option = OutputFormat.TABLE,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.rules import discover

        registry = discover()
        console = _stdout()
        if rule_id is not None:
            check = registry.get(rule_id)
            if check is None:
                _stderr().print(t("unknown_rule", lang, id=rule_id))
                raise typer.Exit(EXIT_INVALID)
            if output is OutputFormat.JSON:
                payload = check.summary() | {"documentation": check.documentation()}
                typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
                return
            from auditor.rules.catalogue import render_rule_text

            console.print(render_rule_text(check, lang), markup=False)
            return
        if output is OutputFormat.JSON:
            typer.echo(json.dumps([c.summary() for c in registry], ensure_ascii=False, indent=2))
            return
        table = Table()
        for header in headers(lang, "id", "severity", "scope", "title"):
            table.add_column(header)
        for check in registry:
            table.add_row(
                check.id,
                check.severity.label_ja if lang == "ja" else check.severity.value,
                value(check.scope, lang),
                check.title_ja if lang == "ja" else check.title_en,
            )
        console.print(table)
