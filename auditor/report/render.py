"""Render :class:`ReportData` as one self-contained HTML file, a mail-ready text, or Markdown."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from auditor.model.findings import AuditGrade, Severity
from auditor.report.charts import COLOURS, LEGEND_STATES, SYMBOLS, matrix_picture, trend_picture
from auditor.report.labels import keyed, label, owner_label, status_label
from auditor.report.model import (
    GRADE_ORDER,
    JST,
    SEVERITY_ORDER,
    ActionItem,
    DeviceSection,
    MatrixSource,
    ReportData,
    ReportFinding,
)
from auditor.report.reconcile import reconciliation_line
from auditor.textsafe import neutralize

ReportFormat = Literal["html", "text", "md"]
SUMMARY_LIMIT = 200
PDF_DETAIL_LIMIT = 2000
PDF_DEVICE_LIMIT = 300
"""A compact (PDF) report lists at most this many devices: the unreached and the worst first.

At 100,000 findings on 2,000 devices the per-device table alone was ~100 pages and most of the
PDF's memory; the rest are counted in a sentence that points to the CSV / XLSX exports.
"""
"""Above this many findings the PDF lists per-device counts instead of every finding."""
"""Rows shown in each summary list; every finding still appears in its device section."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def matrix_note(source: MatrixSource | None, lang: str) -> str:
    """Which run the matrix is from, or the coverage gap; empty when no matrix was asked for."""
    if source is None:
        return ""
    at = (
        source.run_started_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
        if source.run_started_at
        else "-"
    )
    if source.gap == "none-stored":
        return label("matrix_gap_none", lang)
    if source.gap == "failed":
        return label("matrix_gap_failed", lang, run=source.run_id, at=at, error=source.error)
    if source.gap == "missing":
        text = label(
            "matrix_gap_missing", lang, latest=source.latest_run_id, run=source.run_id, at=at
        )
    else:
        text = label("matrix_from", lang, run=source.run_id, at=at)
    if source.missing_devices:
        text += " " + label("matrix_gap_devices", lang, devices=", ".join(source.missing_devices))
    return text


@functools.cache
def _environment() -> Environment:
    """Autoescaping is on for every ``*.html.j2``; text and Markdown escape through filters.

    One per process: it keeps the compiled templates (compiling the HTML report takes 0.07 s of
    CPU, longer than rendering it) and is never changed after it is made.
    """
    env = Environment(
        loader=PackageLoader("auditor.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    return env


def markdown_escape(value: Any) -> str:
    """Device text in Markdown: HTML-escaped and with Markdown punctuation neutralized."""
    text = html.escape(str(value), quote=False).replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def jst(value: datetime | None) -> str:
    return value.astimezone(JST).strftime("%Y-%m-%d %H:%M JST") if value else "-"


def _device_rows(devices: Sequence[DeviceSection], limit: int) -> tuple[list[DeviceSection], int]:
    """All devices by name, or (more than ``limit``) the unreached and worst ``limit``."""
    if len(devices) <= limit:
        return list(devices), 0

    def urgency(section: DeviceSection) -> tuple[Any, ...]:
        counts = _device_counts(section)
        return (
            section.reached,
            *(-counts[severity.value] for severity in SEVERITY_ORDER),
            section.device,
        )

    return sorted(sorted(devices, key=urgency)[:limit], key=lambda s: s.device), len(
        devices
    ) - limit


def _device_counts(section: DeviceSection) -> dict[str, int]:
    counts = {severity.value: 0 for severity in SEVERITY_ORDER}
    for finding in section.findings:
        counts[finding.severity.value] += 1
    return counts


def guideline_text(finding: ReportFinding, lang: str) -> str:
    """The guideline references named with the edition they are numbered for."""
    text = "; ".join(r.label_ja if lang == "ja" else r.label_en for r in finding.guideline)
    if text and finding.edition:
        text += f" [{label('edition_value', lang, edition=finding.edition)}]"
    return text


def history_text(finding: ReportFinding, lang: str) -> str:
    """``2024-11-20 検出 (system); 2024-11-22 確認 (tanaka: 調査中)`` — oldest first."""
    parts = []
    for entry in finding.history:
        when = entry.at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
        what = keyed("event", entry.event, lang)
        note = f": {entry.note}" if entry.note else ""
        parts.append(f"{when} {what} ({entry.actor}{note})")
    return "; ".join(parts)


def evidence_text(finding: ReportFinding) -> str:
    """Each evidence item's source and the first 12 hex digits of its stored blob, if any."""
    return "; ".join(
        f"{e.source}@{e.blob_sha256[:12]}" if e.blob_sha256 else e.source for e in finding.evidence
    )


def mail_subject(data: ReportData, lang: str) -> str:
    """The subject line of the mail text: the date and the three numbers a reader acts on."""
    return label(
        "mail_subject_text",
        lang,
        date=data.report_date.isoformat(),
        major=data.grade_totals()[AuditGrade.MAJOR],
        new=len(data.new),
        resolved=len(data.resolved),
    )


def _open_order(finding: ReportFinding) -> tuple[int, int, int, str, str, str]:
    """Most urgent first: grade, severity, then the oldest."""
    return (
        GRADE_ORDER.index(finding.grade),
        -finding.severity.rank,
        -finding.age_days,
        finding.check_id,
        finding.device or "",
        finding.subject,
    )


def _context(
    data: ReportData, lang: str, limit: int, detail_limit: int | None, pack: bool = False
) -> dict[str, Any]:
    def sev(severity: Severity) -> str:
        return severity.label_ja if lang == "ja" else severity.value

    def pick(item: Any) -> str:
        return str(item.label_ja if lang == "ja" else item.label_en)

    def guideline(finding: ReportFinding) -> str:
        return guideline_text(finding, lang)

    def action_title(action: ActionItem) -> str:
        return action.title_ja if lang == "ja" else action.title_en

    def action_where(action: ActionItem) -> str:
        if not action.devices:
            return ""
        shown = ", ".join(action.devices[:3])
        if len(action.devices) > 3:
            shown += " …"
        return label("todo_where", lang, devices=shown)

    zone_names = {zone.id: zone.name(lang) for zone in data.zones}
    recommendations: dict[str, str] = {}
    for finding in data.findings:
        if finding.recommendation:
            recommendations.setdefault(finding.check_id, finding.recommendation)

    def plan(finding: ReportFinding) -> str:
        return "; ".join(pick(r) for r in finding.plan)

    def refs(finding: ReportFinding) -> str:
        return "; ".join(
            pick(r) for r in (*finding.guideline, *finding.plan, *finding.other_references)
        )

    zone_order = {zone.id: index for index, zone in enumerate(data.zones)}
    counts_rows = sorted(
        data.counts.items(), key=lambda item: (zone_order.get(item[0], len(zone_order)), item[0])
    )
    return {
        "data": data,
        "lang": lang,
        "limit": limit,
        "L": lambda key, **values: label(key, lang, **values),
        "st": lambda status: status_label(status, lang),
        "sev": sev,
        "jst": jst,
        "day": lambda value: value.astimezone(JST).strftime("%Y-%m-%d"),
        "guideline": guideline,
        "plan": plan,
        "refs": refs,
        "severities": SEVERITY_ORDER,
        "counts_rows": counts_rows,
        "totals": data.severity_totals(),
        "matrix": matrix_picture(data.matrix, data.zones, lang),
        "matrix_note": matrix_note(data.matrix_source, lang),
        "matrix_gap": data.matrix_source is not None
        and (data.matrix_source.gap is not None or bool(data.matrix_source.missing_devices)),
        "trend": trend_picture(data.trend),
        "pack": pack,
        "owner": lambda responsible: owner_label(responsible, lang),
        "action_title": action_title,
        "action_where": action_where,
        "reconcile": reconciliation_line(data.findings, lang),
        "major": data.grade_totals()[AuditGrade.MAJOR],
        "legend": [(state, COLOURS[state], SYMBOLS[state]) for state in LEGEND_STATES],
        "zone_label": lambda zone_id: zone_names.get(zone_id, zone_id),
        "open_rows": sorted(data.nonconformities, key=_open_order),
        "row_limit": len(data.findings)
        if pack and not (detail_limit is not None and len(data.findings) > detail_limit)
        else limit,
        "history": lambda finding: history_text(finding, lang),
        "evidence": evidence_text,
        "recommendations": sorted(recommendations.items()),
        "mail_subject": mail_subject(data, lang),
        "oldest_open": sorted(data.still_open, key=lambda f: (-f.age_days, -f.severity.rank)),
        "compact": detail_limit is not None and len(data.findings) > detail_limit,
        "device_counts": _device_counts,
        "device_rows": _device_rows(data.devices, PDF_DEVICE_LIMIT),
        "network_wide": [f for f in data.findings if not f.device and f.status != "resolved"],
    }


def render_report(
    data: ReportData,
    fmt: ReportFormat = "html",
    lang: str = "ja",
    limit: int = SUMMARY_LIMIT,
    detail_limit: int | None = None,
    pack: bool = False,
) -> str:
    """The nightly report as a string; HTML is autoescaped (device text is untrusted).

    With ``detail_limit``, a report of more findings lists per-device counts instead of every
    finding (the PDF uses this: a 100,000-row PDF is thousands of pages nobody prints).
    ``pack`` is the auditor's version (the PDF): landscape pages, each finding's history and
    evidence, and the recommendation of every rule.
    """
    template_name = {"html": "report.html.j2", "text": "report.txt.j2", "md": "report.md.j2"}[fmt]
    env = _environment()
    text = env.get_template(template_name).render(**_context(data, lang, limit, detail_limit, pack))
    # Text and Markdown reach terminals and mail readers: no device-chosen control codes.
    return text if fmt == "html" else neutralize(text)
