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
from auditor.cli.i18n import Lang
from auditor.report.data import ExportFilter
from auditor.report.model import JST

if TYPE_CHECKING:
    from auditor.store.repository import Store

EXIT_INVALID = 2


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
    db_option = Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="AUDITOR_DB_URL",
            help=_h(lang, "データベース URL またはファイル。", "Database URL or file."),
        ),
    ]
    policy_option = Annotated[
        Path,
        typer.Option(
            "--policy",
            envvar="AUDITOR_POLICY",
            help=_h(lang, "ポリシーのファイルまたはディレクトリ。", "Policy file or directory."),
        ),
    ]
    inventory_option = Annotated[
        Path,
        typer.Option(
            "--inventory",
            envvar="AUDITOR_INVENTORY",
            help=_h(lang, "機器台帳のファイルまたはディレクトリ。", "Inventory file or directory."),
        ),
    ]
    lang_option = Annotated[
        str,
        typer.Option("--lang", help=_h(lang, "表示言語 (ja / en)。", "Output language (ja / en).")),
    ]

    @app.command(
        "report",
        help=_h(
            lang,
            "日次レポートを作成します (外部参照のない 1 ファイルの HTML、メール用テキスト、Markdown)。",
            "Write the nightly report (one self-contained HTML file, a mail-ready text, or Markdown).",
        ),
    )
    def report_command(
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                help=_h(
                    lang,
                    "出力ファイル (省略時は標準出力)。",
                    "Output file (default: standard output).",
                ),
            ),
        ] = None,
        fmt: Annotated[
            ReportFormatOption, typer.Option("--format", help=_h(lang, "形式。", "Format."))
        ] = ReportFormatOption.HTML,
        day: Annotated[
            str | None,
            typer.Option(
                "--date",
                help=_h(
                    lang, "対象日 (YYYY-MM-DD、日本時間)。", "Report date (YYYY-MM-DD, Japan time)."
                ),
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
        help=_h(
            lang,
            "監査人向けに指摘を書き出します (CSV/XLSX/JSON/SARIF/PDF/証跡バンドル)。",
            "Export findings for auditors (CSV/XLSX/JSON/SARIF/PDF/evidence bundle).",
        ),
    )
    def export_command(
        fmt: Annotated[
            ExportFormatOption, typer.Option("--format", help=_h(lang, "形式。", "Format."))
        ],
        out: Annotated[
            Path, typer.Option("--out", help=_h(lang, "出力ファイル。", "Output file."))
        ],
        since: Annotated[
            str | None,
            typer.Option(
                "--since",
                help=_h(
                    lang, "この日時以降に検出 (YYYY-MM-DD)。", "Seen on or after (YYYY-MM-DD)."
                ),
            ),
        ] = None,
        until: Annotated[
            str | None,
            typer.Option(
                "--until",
                help=_h(lang, "この日まで (YYYY-MM-DD)。", "Up to and including (YYYY-MM-DD)."),
            ),
        ] = None,
        zone: Annotated[
            list[str] | None,
            typer.Option("--zone", help=_h(lang, "区域 ID (複数可)。", "Zone id (repeatable).")),
        ] = None,
        severity: Annotated[
            list[str] | None,
            typer.Option(
                "--severity", help=_h(lang, "重大度 (複数可)。", "Severity (repeatable).")
            ),
        ] = None,
        status: Annotated[
            list[str] | None,
            typer.Option(
                "--status",
                help=_h(
                    lang,
                    "状態 (new/open/reopened/resolved/suppressed)。",
                    "Status (new/open/reopened/resolved/suppressed).",
                ),
            ),
        ] = None,
        check: Annotated[
            list[str] | None,
            typer.Option(
                "--check",
                help=_h(lang, "チェック ID またはその先頭 (SEG-)。", "Check id or prefix (SEG-)."),
            ),
        ] = None,
        clause: Annotated[
            list[str] | None,
            typer.Option(
                "--clause",
                help=_h(
                    lang,
                    "ガイドラインの節名の一部、または計画項目 (4-1-2)。",
                    "Guideline section title substring or plan item (4-1-2).",
                ),
            ),
        ] = None,
        encoding: Annotated[
            CsvEncoding,
            typer.Option("--encoding", help=_h(lang, "CSV の文字コード。", "CSV encoding.")),
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

    findings_app = _findings_group(app)
    if findings_app is None:
        return

    @findings_app.command(
        "suppress",
        help=_h(
            lang,
            "指摘を承認済みの例外として抑止します (理由・承認者・承認番号・期限を履歴に記録)。",
            "Suppress a finding as an approved exception (reason, approver, approval number and "
            "expiry recorded in the hash chain).",
        ),
    )
    def findings_suppress(
        fingerprint: Annotated[str, typer.Argument(help="fingerprint (8+ hex)")],
        reason: Annotated[str, typer.Option("--reason", help=_h(lang, "理由。", "Reason."))],
        approver: Annotated[
            str, typer.Option("--approver", help=_h(lang, "承認者。", "Approver."))
        ],
        approval_number: Annotated[
            str,
            typer.Option(
                "--approval-number", help=_h(lang, "承認番号 (決裁番号)。", "Approval number.")
            ),
        ],
        expires: Annotated[
            str,
            typer.Option(
                "--expires",
                help=_h(
                    lang,
                    "有効期限 (YYYY-MM-DD、当日まで有効)。",
                    "Expiry (YYYY-MM-DD, valid through that day).",
                ),
            ),
        ],
        by: Annotated[
            str | None,
            typer.Option(
                "--by",
                help=_h(lang, "操作者 (既定: 承認者)。", "Who records it (default: the approver)."),
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


def _findings_group(app: typer.Typer) -> typer.Typer | None:
    """The ``findings`` sub-app that ``auditor.cli.app`` already registered, if any."""
    for group in app.registered_groups:
        if group.name == "findings" and group.typer_instance is not None:
            return group.typer_instance
    return None
