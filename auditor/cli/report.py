"""The ``report``, ``export`` and ``findings suppress`` commands (mounted by ``auditor.cli.app``).

No ``from __future__ import annotations`` here: typer resolves the option aliases defined inside
:func:`register_report`, which string annotations would hide from it.
"""

from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from auditor.audit.inputs import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.options import EXIT_INVALID
from auditor.report.data import ExportFilter
from auditor.report.model import JST

if TYPE_CHECKING:
    from auditor.store.repository import Store


class ReportFormatOption(StrEnum):
    HTML = "html"
    TEXT = "text"
    MD = "md"


class ExportFormatOption(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"
    SARIF = "sarif"
    PDF = "pdf"
    BUNDLE = "bundle"


class CsvEncoding(StrEnum):
    UTF8 = "utf-8"
    CP932 = "cp932"


def _h(lang: Lang, ja: str, en: str) -> str:
    """Output messages that carry values; help texts come from the i18n table."""
    return ja if lang == "ja" else en


def _parse_day(value: str | None, *, end: bool) -> datetime | None:
    """``YYYY-MM-DD`` (JST day; ``--until`` includes the whole day) or a full ISO timestamp."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end else time.min, tzinfo=JST)
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date: {value}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=JST)


SEVERITIES = frozenset({"critical", "high", "medium", "low", "info"})
STATUSES = frozenset({"new", "open", "reopened", "resolved", "suppressed"})


def _choices(values: list[str] | None, allowed: frozenset[str], option: str) -> frozenset[str]:
    chosen = frozenset(value.lower() for value in values or ())
    unknown = sorted(chosen - allowed)
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)} (choose from {', '.join(sorted(allowed))})", param_hint=option
        )
    return chosen


def _open(db: str | None) -> "Store":
    from auditor.store.opening import open_store

    return open_store(db)


def register_report(app: typer.Typer, lang: Lang) -> None:
    """Add ``report`` and ``export`` to ``app`` and ``suppress`` to its ``findings`` group."""
    db_option = Annotated[str | None, options.db(lang)]
    policy_option = Annotated[Path, options.policy(lang)]
    inventory_option = Annotated[Path, options.inventory(lang)]
    lang_option = Annotated[str, options.lang_option(lang)]

    @app.command(
        "report",
        help=t("report", lang),
    )
    def report_command(
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                help=t("opt.report_out", lang),
            ),
        ] = None,
        fmt: Annotated[
            ReportFormatOption, typer.Option("--format", help=t("opt.report_format", lang))
        ] = ReportFormatOption.HTML,
        day: Annotated[
            str | None,
            typer.Option(
                "--date",
                help=t("opt.date", lang),
            ),
        ] = None,
        db: db_option = None,
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.report.render import render_report
        from auditor.report.service import build_report, load_inputs

        output_lang = "ja" if lang_.lower().startswith("ja") else "en"
        try:
            report_date = date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise typer.BadParameter(f"not a date: {day}", param_hint="--date") from exc
        inputs = load_inputs(policy, inventory)
        for problem in inputs.problems:
            Console(stderr=True).print(problem, markup=False, style="yellow")
        store = _open(db)
        try:
            data = build_report(store, inputs, report_date=report_date)
        finally:
            store.close()
        text = render_report(data, fmt.value, output_lang)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")

    @app.command(
        "export",
        help=t("export", lang),
    )
    def export_command(
        fmt: Annotated[
            ExportFormatOption, typer.Option("--format", help=t("opt.report_format", lang))
        ],
        out: Annotated[Path, typer.Option("--out", help=t("opt.export_out", lang))],
        since: Annotated[
            str | None,
            typer.Option(
                "--since",
                help=t("opt.since", lang),
            ),
        ] = None,
        until: Annotated[
            str | None,
            typer.Option(
                "--until",
                help=t("opt.until", lang),
            ),
        ] = None,
        zone: Annotated[
            list[str] | None,
            typer.Option("--zone", help=t("opt.zone", lang)),
        ] = None,
        severity: Annotated[
            list[str] | None,
            typer.Option("--severity", help=t("opt.export_severity", lang)),
        ] = None,
        status: Annotated[
            list[str] | None,
            typer.Option(
                "--status",
                help=t("opt.export_status", lang),
            ),
        ] = None,
        check: Annotated[
            list[str] | None,
            typer.Option(
                "--check",
                help=t("opt.export_check", lang),
            ),
        ] = None,
        clause: Annotated[
            list[str] | None,
            typer.Option(
                "--clause",
                help=t("opt.clause", lang),
            ),
        ] = None,
        encoding: Annotated[
            CsvEncoding,
            typer.Option("--encoding", help=t("opt.encoding", lang)),
        ] = CsvEncoding.UTF8,
        db: db_option = None,
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.report.cleaning import Redactor
        from auditor.report.service import build_report, load_inputs, run_export

        output_lang = "ja" if lang_.lower().startswith("ja") else "en"
        export_filter = ExportFilter(
            since=_parse_day(since, end=False),
            until=_parse_day(until, end=True),
            zones=frozenset(zone or ()),
            severities=_choices(severity, SEVERITIES, "--severity"),
            statuses=_choices(status, STATUSES, "--status"),
            checks=frozenset(c.upper() for c in check or ()),
            clauses=tuple(clause or ()),
        )
        inputs = load_inputs(policy, inventory)
        for problem in inputs.problems:
            Console(stderr=True).print(problem, markup=False, style="yellow")
        redactor = Redactor()
        store = _open(db)
        try:
            data = build_report(
                store, inputs, redactor=redactor, with_matrix=fmt is ExportFormatOption.PDF
            )
            count = run_export(
                fmt.value,
                out,
                data,
                export_filter=export_filter,
                lang=output_lang,
                encoding=encoding.value,
                store=store,
                inputs=inputs,
                redactor=redactor,
            )
        finally:
            store.close()
        Console(stderr=True).print(
            _h(lang, f"{count} 件を書き出しました: {out}", f"Exported {count} findings: {out}"),
            markup=False,
        )

    findings_app = options.find_group(app, "findings")
    if findings_app is None:
        return

    @findings_app.command(
        "suppress",
        help=t("findings.suppress", lang),
    )
    def findings_suppress(
        fingerprint: Annotated[str, typer.Argument(help=t("arg.fingerprint", lang))],
        reason: Annotated[str, typer.Option("--reason", help=t("opt.reason", lang))],
        approver: Annotated[str, typer.Option("--approver", help=t("opt.approver", lang))],
        approval_number: Annotated[
            str,
            typer.Option("--approval-number", help=t("opt.approval_number", lang)),
        ],
        expires: Annotated[
            str,
            typer.Option(
                "--expires",
                help=t("opt.expires", lang),
            ),
        ],
        by: Annotated[
            str | None,
            typer.Option(
                "--by",
                help=t("opt.suppress_by", lang),
            ),
        ] = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store.manual import suppress_finding

        try:
            expiry = date.fromisoformat(expires)
        except ValueError as exc:
            raise typer.BadParameter(f"not a date: {expires}") from exc
        if expiry < datetime.now(JST).date():
            Console(stderr=True).print(
                _h(lang, "期限が過去の日付です。", "The expiry date is in the past."), markup=False
            )
            raise typer.Exit(EXIT_INVALID)
        store = _open(db)
        try:
            record = suppress_finding(
                store,
                fingerprint,
                actor=by or approver,
                reason=reason,
                approver=approver,
                approval_number=approval_number,
                expires=expiry,
            )
        except (LookupError, ValueError) as exc:
            Console(stderr=True).print(str(exc), markup=False)
            raise typer.Exit(EXIT_INVALID) from exc
        finally:
            store.close()
        Console(highlight=False).print(
            _h(
                lang,
                f"抑止しました: {record.fingerprint} (期限 {expiry})",
                f"Suppressed: {record.fingerprint} (until {expiry})",
            ),
            markup=False,
        )
