"""Render :class:`ReportData` as one self-contained HTML file, a mail-ready text, or Markdown."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from auditor.model.findings import Severity
from auditor.report.charts import matrix_picture, trend_picture
from auditor.report.labels import label, status_label
from auditor.report.model import (
    JST,
    SEVERITY_ORDER,
    DeviceSection,
    MatrixSource,
    ReportData,
    ReportFinding,
)
from auditor.textsafe import neutralize

ReportFormat = Literal["html", "text", "md"]
SUMMARY_LIMIT = 200
PDF_DETAIL_LIMIT = 2000
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


def _environment() -> Environment:
    """Autoescaping is on for every ``*.html.j2``; text and Markdown escape through filters."""
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


def _device_counts(section: DeviceSection) -> dict[str, int]:
    counts = {severity.value: 0 for severity in SEVERITY_ORDER}
    for finding in section.findings:
        counts[finding.severity.value] += 1
    return counts


def _context(data: ReportData, lang: str, limit: int, detail_limit: int | None) -> dict[str, Any]:
    def sev(severity: Severity) -> str:
        return severity.label_ja if lang == "ja" else severity.value

    def pick(item: Any) -> str:
        return str(item.label_ja if lang == "ja" else item.label_en)

    def guideline(finding: ReportFinding) -> str:
        return "; ".join(pick(r) for r in finding.guideline)

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
        "oldest_open": sorted(data.still_open, key=lambda f: (-f.age_days, -f.severity.rank)),
        "compact": detail_limit is not None and len(data.findings) > detail_limit,
        "device_counts": _device_counts,
        "network_wide": [f for f in data.findings if not f.device and f.status != "resolved"],
    }


def render_report(
    data: ReportData,
    fmt: ReportFormat = "html",
    lang: str = "ja",
    limit: int = SUMMARY_LIMIT,
    detail_limit: int | None = None,
) -> str:
    """The nightly report as a string; HTML is autoescaped (device text is untrusted).

    With ``detail_limit``, a report of more findings lists per-device counts instead of every
    finding (the PDF uses this: a 100,000-row PDF is thousands of pages nobody prints).
    """
    template_name = {"html": "report.html.j2", "text": "report.txt.j2", "md": "report.md.j2"}[fmt]
    env = _environment()
    text = env.get_template(template_name).render(**_context(data, lang, limit, detail_limit))
    # Text and Markdown reach terminals and mail readers: no device-chosen control codes.
    return text if fmt == "html" else neutralize(text)
