"""The ``report``, ``export`` and ``findings suppress`` commands (mounted by ``auditor.cli.app``).

No ``from __future__ import annotations`` here: typer resolves the option aliases defined inside
:func:`register_report`, which string annotations would hide from it.
"""

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console

from auditor.audit.defaults import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.options import EXIT_INVALID

if TYPE_CHECKING:
    from auditor.report.service import ExportFormat, ReportInputs
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
    CONTROLS_CSV = "controls-csv"
    CONTROLS_XLSX = "controls-xlsx"
    CONTROLS_JSON = "controls-json"


class CsvEncoding(StrEnum):
    UTF8 = "utf-8"
    CP932 = "cp932"


def _h(lang: Lang, ja: str, en: str) -> str:
    """Output messages that carry values; help texts come from the i18n table."""
    return ja if lang == "ja" else en


SEVERITIES = ("critical", "high", "medium", "low", "info")
STATUSES = ("new", "open", "reopened", "in_progress", "resolved", "suppressed")


def _open(db: str | None) -> "Store":
    """For ``findings suppress``, which records: the store is created when missing."""
    return options.open_store(db)


def _require_policy(inputs: "ReportInputs", no_policy: bool, lang: Lang) -> "ReportInputs":
    """Exit 2 unless the policy loaded; ``--no-policy`` goes on without it and says so first.

    Without the policy an export silently lost exception reasons, approvers and expiries, and the
    PDF's matrix; the admin must choose that, not discover it later.
    """
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if no_policy:
        console.print(t("no_policy_notice", lang), markup=False, style="yellow")
        inputs.policy = None
    elif inputs.policy is None:
        for problem in inputs.problems:
            console.print(problem, markup=False)
        options.fail(t("policy_required", lang, path=inputs.policy_path))
    for problem in inputs.problems:
        if not (no_policy and problem.startswith("policy ")):
            console.print(problem, markup=False, style="yellow")
    return inputs


def register_report(app: typer.Typer, lang: Lang) -> None:
    """Add ``report`` and ``export`` to ``app`` and ``suppress`` to its ``findings`` group."""
    db_option = Annotated[str | None, options.db(lang)]
    policy_option = Annotated[Path, options.policy(lang)]
    inventory_option = Annotated[Path, options.inventory(lang)]
    lang_option = Annotated[str, options.lang_option(lang)]
    no_policy_option = Annotated[bool, typer.Option("--no-policy", help=t("opt.no_policy", lang))]

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
        no_policy: no_policy_option = False,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.report.render import render_report
        from auditor.report.service import build_report, load_inputs

        output_lang = "ja" if lang_.lower().startswith("ja") else "en"
        try:
            report_date = date.fromisoformat(day) if day else None
        except ValueError:
            options.fail(t("bad_date", lang, option="--date", value=day))
        store = options.open_store_for_reading(db, lang)  # a typo in --db first: exit 2
        try:
            inputs = _require_policy(load_inputs(policy, inventory), no_policy, lang)
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
        run_id: Annotated[
            int | None, typer.Option("--run", help=t("opt.controls_run", lang))
        ] = None,
        db: db_option = None,
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        no_policy: no_policy_option = False,
        lang_: lang_option = lang,
    ) -> None:
        if fmt.value.startswith("controls-"):
            _export_controls(
                fmt.value, out, run_id, until, encoding.value, db, policy, no_policy, lang_, lang
            )
            return
        from auditor.report.cleaning import Redactor
        from auditor.report.service import ROW_FORMATS, build_report, load_inputs, run_export
        from auditor.rules import discover

        output_lang = "ja" if lang_.lower().startswith("ja") else "en"
        severities = options.choose(severity, SEVERITIES, "--severity", lang)
        statuses = options.choose(status, STATUSES, "--status", lang)
        since_at = options.parse_moment(since, "--since", lang)
        until_at = options.parse_moment(until, "--until", lang, end=True)
        store = options.open_store_for_reading(db, lang)  # a typo in --db first: exit 2
        try:
            inputs = _require_policy(load_inputs(policy, inventory), no_policy, lang)
            if zone:
                known_zones = (
                    {z.id for z in inputs.policy.zones}
                    if inputs.policy is not None
                    else {r.zone for r in store.list_findings() if r.zone}
                )
                options.choose(zone, known_zones, "--zone", lang, fold=False)
            if check:
                ids = set(discover().ids()) | {r.check_id for r in store.list_findings()}
                # a prefix is allowed (SEG, SEG-, SEG-00) as long as some check starts with it
                for value in check:
                    if not any(i.startswith(value.upper()) for i in ids):
                        options.fail(options.unknown_value("--check", value, ids, lang))
        except typer.Exit:
            store.close()
            raise
        from auditor.report.data import ExportFilter

        export_filter = ExportFilter(
            since=since_at,
            until=until_at,
            zones=frozenset(zone or ()),
            severities=frozenset(severities),
            statuses=frozenset(statuses),
            checks=frozenset(c.upper() for c in check or ()),
            clauses=tuple(clause or ()),
        )
        redactor = Redactor()
        try:
            data = build_report(
                store,
                inputs,
                redactor=redactor,
                with_matrix=fmt is ExportFormatOption.PDF,
                with_history=True,  # every export carries each finding's history
                sections=fmt.value not in ROW_FORMATS,  # the PDF and bundle show the report
            )
            count = run_export(
                cast("ExportFormat", fmt.value),
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

    def _export_controls(
        fmt: str,
        out: Path,
        run_id: int | None,
        until: str | None,
        encoding: str,
        db: str | None,
        policy: Path,
        no_policy: bool,
        lang_: str,
        lang: Lang,
    ) -> None:
        """The control matrix of one run (``--run``, else the newest with results by --until)."""
        from auditor.report.controls import load_control_matrix, write_controls
        from auditor.report.service import load_inputs
        from auditor.store.errors import RunNotFound

        output_lang = "ja" if lang_.lower().startswith("ja") else "en"
        until_at = options.parse_moment(until, "--until", lang, end=True)
        store = options.open_store_for_reading(db, lang)
        try:
            inputs = _require_policy(load_inputs(policy, None), no_policy, lang)
            try:
                matrix = load_control_matrix(
                    store, policy=inputs.policy, run_id=run_id, before=until_at
                )
            except RunNotFound as exc:
                options.fail(str(exc))
        finally:
            store.close()
        if matrix.run is None:
            options.fail(t("controls.none", lang))
        write_controls(fmt, matrix, out, lang=output_lang, encoding=encoding)
        Console(stderr=True).print(
            t(
                "controls.written",
                lang,
                checks=len(matrix.rows),
                targets=len(matrix.targets),
                out=out,
            ),
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
        except ValueError:
            options.fail(t("bad_date", lang, option="--expires", value=expires))
        if expiry < datetime.now(options.local_timezone()).date():
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
