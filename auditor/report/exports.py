"""Auditors' exports of the findings: CSV, XLSX, JSON (schema in docs/), SARIF 2.1.0.

Every function takes :class:`ReportFinding` rows whose text is already redacted (see
``auditor.report.data``); spreadsheet formats additionally neutralize formula-like cells.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, TypeVar

from auditor.model.findings import Severity
from auditor.report.cleaning import FORMULA_FIRST, encodable, neutralize_formula
from auditor.report.labels import keyed, label, owner_label, status_label
from auditor.report.model import GRADE_ORDER, JST, SEVERITY_ORDER, HistoryEntry, ReportFinding
from auditor.report.reconcile import reconciliation, reconciliation_line
from auditor.textsafe import has_unsafe, json_dumps, json_line, json_line_bytes, neutralize

EXPORT_FORMAT_VERSION = 1
SCHEMA_ID = "urn:kyojin-auditor:export:findings:v1"

COLUMNS: tuple[str, ...] = (
    "fingerprint",
    "check_id",
    "severity",
    "audit_grade",
    "audit_grade_label",
    "status",
    "outcome",
    "zone",
    "device",
    "subject",
    "message_ja",
    "message_en",
    "first_seen",
    "last_seen",
    "resolved_at",
    "age_days",
    "guideline",
    "guideline_labels",
    "guideline_edition",
    "plan",
    "plan_labels",
    "other_references",
    "evidence",
    "evidence_sha256",
    "history",
    "recommendation",
    "responsible",
    "acknowledged_by",
    "acknowledged_at",
    "exception_id",
    "suppression_reason",
    "suppression_approver",
    "suppression_approval_number",
    "suppression_expires",
    "suppressed_by",
    "owner",
    "due",
    "in_progress",
    "comments",
)
"""Flat columns shared by CSV and XLSX (and derivable from the JSON, see ``flat_from_json``)."""

HEADERS_JA: Mapping[str, str] = {
    "fingerprint": "識別子",
    "check_id": "チェック",
    "severity": "重大度",
    "audit_grade": "監査の判定 (区分)",
    "audit_grade_label": "監査の判定",
    "status": "状態",
    "outcome": "結果",
    "zone": "区域",
    "device": "機器",
    "subject": "対象",
    "message_ja": "内容",
    "message_en": "内容 (英語)",
    "first_seen": "初回検出",
    "last_seen": "最終検出",
    "resolved_at": "解消日時",
    "age_days": "経過日数",
    "guideline": "ガイドラインの項目",
    "guideline_labels": "ガイドライン",
    "guideline_edition": "ガイドラインの版",
    "plan": "計画項目 (番号)",
    "plan_labels": "計画項目",
    "other_references": "その他の参照",
    "evidence": "証跡",
    "evidence_sha256": "証跡のハッシュ (SHA-256)",
    "history": "経緯",
    "recommendation": "推奨される対応",
    "responsible": "担当 (所管課)",
    "acknowledged_by": "確認者",
    "acknowledged_at": "確認日時",
    "exception_id": "例外",
    "suppression_reason": "抑止の理由",
    "suppression_approver": "承認者",
    "suppression_approval_number": "承認番号",
    "suppression_expires": "有効期限",
    "suppressed_by": "抑止した人",
    "owner": "所管課 (割当て)",
    "due": "対応期限",
    "in_progress": "対応中",
    "comments": "コメント",
}
"""Column headers of a Japanese CSV/XLSX (``--lang ja``); ``--lang en`` keeps the column ids."""

DAY_COLUMNS = frozenset({"suppression_expires", "due"})
"""Date columns without a time of day (written as yyyy-mm-dd date cells)."""
DATE_COLUMNS = frozenset(
    {"first_seen", "last_seen", "resolved_at", "acknowledged_at", "suppression_expires", "due"}
)
"""Columns the XLSX writes as real date cells (Excel sorts and filters them as dates)."""

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


_R = TypeVar("_R")


def iso_jst(value: datetime | None) -> str | None:
    return _iso_jst(value) if value else None


@lru_cache(maxsize=65_536)
def _iso_jst(value: datetime) -> str:
    """Cached: a run's findings share their first/last-seen times (a third of a CSV's time)."""
    return value.astimezone(JST).isoformat(timespec="seconds")


def finding_json(
    finding: ReportFinding,
    evidence_files: Mapping[tuple[str, int], str] | None = None,
    memo: dict[Any, Any] | None = None,
) -> dict[str, Any]:
    """One finding as the JSON export writes it (see ``docs/export-schema.json``).

    ``evidence_files`` (bundles): (fingerprint, evidence index) → the bundle file holding it,
    written as each evidence item's ``file``. ``memo``: see :func:`history_json`.
    """
    suppression = finding.suppression
    files = evidence_files or {}
    return {
        "fingerprint": finding.fingerprint,
        "check_id": finding.check_id,
        "severity": finding.severity.value,
        "audit_grade": {
            "grade": finding.grade.value,
            "label_ja": finding.grade.label_ja,
            "label_en": finding.grade.label_en,
            # COL-* and findings the auditor could not judge: 監査範囲の制約, not the city's fault.
            "scope_limitation": finding.is_scope_limitation,
        },
        "status": finding.status,
        "outcome": finding.outcome,
        "zone": finding.zone,
        "device": finding.device,
        "subject": finding.subject,
        "message": {"ja": finding.message_ja, "en": finding.message_en},
        "first_seen": iso_jst(finding.first_seen),
        "last_seen": iso_jst(finding.last_seen),
        "resolved_at": iso_jst(finding.resolved_at),
        "age_days": finding.age_days,
        "guideline_edition": finding.edition,
        "references": {
            "guideline": [
                {
                    "title": r.key,
                    "label_ja": r.label_ja,
                    "label_en": r.label_en,
                    "edition": finding.edition,
                }
                for r in finding.guideline
            ],
            "plan": [
                {"item": r.key, "label_ja": r.label_ja, "label_en": r.label_en}
                for r in finding.plan
            ],
            "other": [
                {"kind": r.kind, "key": r.key, "label": r.label_en}
                for r in finding.other_references
            ],
        },
        "evidence": [
            {
                "source": e.source,
                "detail": e.detail,
                "blob_sha256": e.blob_sha256,
                **(
                    {"file": files[(finding.fingerprint, index)]}
                    if (finding.fingerprint, index) in files
                    else {}
                ),
            }
            for index, e in enumerate(finding.evidence)
        ],
        "history": history_json(finding, memo),
        "recommendation": finding.recommendation or None,
        "responsible": finding.responsible or None,
        "acknowledged": {"by": finding.acknowledged_by, "at": iso_jst(finding.acknowledged_at)}
        if finding.acknowledged_by
        else None,
        "suppression": {
            "exception_id": suppression.exception_id,
            "reason": suppression.reason,
            "approver": suppression.approver,
            "approval_number": suppression.approval_number,
            "expires": suppression.expires.isoformat() if suppression.expires else None,
            "by": suppression.actor,
            "at": iso_jst(suppression.at),
        }
        if suppression
        else None,
        "workflow": {
            "owner": finding.owner,
            "due": finding.due.isoformat() if finding.due else None,
            "in_progress": finding.in_progress,
            "comments": [
                {"by": c.by, "at": iso_jst(c.at), "text": c.text} for c in finding.comments
            ],
        },
    }


def history_json(
    finding: ReportFinding, memo: dict[Any, Any] | None = None
) -> list[dict[str, Any]]:
    """The finding's history as the JSON export (and SARIF's properties) write it.

    With an export's ``memo`` an entry list is shared between findings with the same one-entry
    history: the caller serializes it and must not change it.
    """
    if memo is None or not finding.history:
        return _history_items(finding.history, "")
    return _history_memo(finding.history, "", memo, _history_items)


def _history_items(history: tuple[HistoryEntry, ...], _lang: str) -> list[dict[str, Any]]:
    return [
        {
            "at": iso_jst(h.at),
            "event": h.event,
            "status": h.status or None,
            "by": h.actor,
            "note": h.note or None,
        }
        for h in history
    ]


def history_cell(history: Sequence[Mapping[str, Any]], lang: str = "en") -> str:
    """A finding's history in one cell: ``at event (by: note)``, oldest first."""
    parts = []
    for entry in history:
        event = keyed("event", str(entry["event"]), lang) if lang == "ja" else entry["event"]
        note = f": {entry['note']}" if entry.get("note") else ""
        parts.append(f"{entry['at']} {event} ({entry['by']}{note})")
    return "; ".join(parts)


def flat_from_json(item: Mapping[str, Any], lang: str = "en") -> dict[str, str]:
    """The CSV/XLSX row of a JSON finding: the one definition both formats share.

    ``lang="ja"`` writes the enum values (severity, status, outcome, grade) as Japanese words;
    ids, hashes, hostnames and times stay as they are.
    """
    ja = lang == "ja"
    refs = item["references"]
    acknowledged = item.get("acknowledged") or {}
    suppression = item.get("suppression") or {}
    workflow = item.get("workflow") or {}
    values: dict[str, Any] = {
        "fingerprint": item["fingerprint"],
        "check_id": item["check_id"],
        "severity": Severity(item["severity"]).label_ja if ja else item["severity"],
        "audit_grade": (item.get("audit_grade") or {}).get("grade"),
        "audit_grade_label": (item.get("audit_grade") or {}).get("label_ja" if ja else "label_en"),
        "status": status_label(item["status"], lang) if ja else item["status"],
        "outcome": keyed("outcome", item["outcome"], lang) if ja else item["outcome"],
        "zone": item["zone"],
        "device": item["device"],
        "subject": item["subject"],
        "message_ja": item["message"]["ja"],
        "message_en": item["message"]["en"],
        "first_seen": item["first_seen"],
        "last_seen": item["last_seen"],
        "resolved_at": item["resolved_at"],
        "age_days": item["age_days"],
        "guideline": "; ".join(r["title"] for r in refs["guideline"]),
        "guideline_labels": "; ".join(r["label_ja"] for r in refs["guideline"]),
        "guideline_edition": item.get("guideline_edition"),
        "plan": "; ".join(r["item"] for r in refs["plan"]),
        "plan_labels": "; ".join(r["label_ja"] for r in refs["plan"]),
        "other_references": "; ".join(r["label"] for r in refs["other"]),
        "evidence": "; ".join(
            f"{e['source']}:{e['detail']}" + (f"@{e['blob_sha256']}" if e["blob_sha256"] else "")
            for e in item["evidence"]
        ),
        "evidence_sha256": "; ".join(
            e["blob_sha256"] for e in item["evidence"] if e["blob_sha256"]
        ),
        "history": history_cell(item.get("history") or (), lang),
        "recommendation": item.get("recommendation"),
        "responsible": owner_label(item.get("responsible") or "", lang)
        if ja
        else item.get("responsible"),
        "acknowledged_by": acknowledged.get("by"),
        "acknowledged_at": acknowledged.get("at"),
        "exception_id": suppression.get("exception_id"),
        "suppression_reason": suppression.get("reason"),
        "suppression_approver": suppression.get("approver"),
        "suppression_approval_number": suppression.get("approval_number"),
        "suppression_expires": suppression.get("expires"),
        "suppressed_by": suppression.get("by"),
        "owner": workflow.get("owner"),
        "due": workflow.get("due"),
        "in_progress": ("対応中" if ja else "yes") if workflow.get("in_progress") else "",
        "comments": " / ".join(
            f"{c['at']} {c['by']}: {c['text']}" for c in workflow.get("comments", ())
        ),
    }
    return {key: "" if value is None else str(value) for key, value in values.items()}


def flat_row(finding: ReportFinding, lang: str = "en") -> dict[str, str]:
    return dict(zip(COLUMNS, flat_cells(finding, lang), strict=True))


def flat_cells(
    finding: ReportFinding, lang: str = "en", memo: dict[Any, Any] | None = None
) -> list[str]:
    """The row of :func:`flat_from_json` in ``COLUMNS`` order, straight from the finding.

    The same text as ``flat_from_json(finding_json(finding), lang)`` (tests compare them) without
    the JSON-shaped dict in between: at 100,000 findings that dict was half of a CSV's time.
    ``memo`` (one per export) keeps the joined reference cells and labels per distinct value.
    """
    if memo is None:
        memo = {}
    ja = lang == "ja"
    # Reference tuples are shared between findings of a check: join each distinct one once.
    refs_key = (id(finding.guideline), id(finding.plan), id(finding.other_references))
    refs = memo.get(refs_key)
    if refs is None:  # the memo holds the tuples, so their ids are not reused meanwhile
        refs = (
            finding.guideline,
            finding.plan,
            finding.other_references,
            "; ".join(r.key for r in finding.guideline),
            "; ".join(r.label_ja for r in finding.guideline),
            "; ".join(r.key for r in finding.plan),
            "; ".join(r.label_ja for r in finding.plan),
            "; ".join(r.label_en for r in finding.other_references),
        )
        memo[refs_key] = refs
    labels_key = (finding.severity, finding.grade, finding.status, finding.outcome)
    labels = memo.get(labels_key)
    if labels is None:
        grade = finding.grade
        labels = (
            finding.severity.label_ja if ja else finding.severity.value,
            grade.value,
            grade.label_ja if ja else grade.label_en,
            status_label(finding.status, lang) if ja else finding.status,
            keyed("outcome", finding.outcome, lang) if ja else finding.outcome,
        )
        memo[labels_key] = labels
    responsible = owner_label(finding.responsible or "", lang) if ja else finding.responsible or ""
    acknowledged_by = finding.acknowledged_by
    suppression = finding.suppression
    if suppression is not None:
        expires = suppression.expires
        suppressed = [
            _text(suppression.exception_id),
            _text(suppression.reason),
            _text(suppression.approver),
            _text(suppression.approval_number),
            expires.isoformat() if expires else "",
            _text(suppression.actor),
        ]
    else:
        suppressed = ["", "", "", "", "", ""]
    evidence = finding.evidence
    due = finding.due
    return [
        finding.fingerprint,
        finding.check_id,
        labels[0],
        labels[1],
        labels[2],
        labels[3],
        labels[4],
        _text(finding.zone),
        _text(finding.device),
        _text(finding.subject),
        finding.message_ja,
        finding.message_en,
        _iso_jst(finding.first_seen),
        _iso_jst(finding.last_seen),
        _iso_jst(finding.resolved_at) if finding.resolved_at else "",
        str(finding.age_days),
        refs[3],
        refs[4],
        _text(finding.edition),
        refs[5],
        refs[6],
        refs[7],
        "; ".join(
            f"{e.source}:{e.detail}" + (f"@{e.blob_sha256}" if e.blob_sha256 else "")
            for e in evidence
        )
        if evidence
        else "",
        "; ".join(e.blob_sha256 for e in evidence if e.blob_sha256) if evidence else "",
        _history_memo(finding.history, lang, memo, _history_text) if finding.history else "",
        finding.recommendation or "",
        responsible,
        _text(acknowledged_by) if acknowledged_by else "",
        _iso_jst(finding.acknowledged_at) if acknowledged_by and finding.acknowledged_at else "",
        *suppressed,
        _text(finding.owner),
        due.isoformat() if due else "",
        ("対応中" if ja else "yes") if finding.status == "in_progress" else "",
        " / ".join(f"{iso_jst(c.at)} {c.by}: {c.text}" for c in finding.comments)
        if finding.comments
        else "",
    ]


def _text(value: object) -> str:
    """``flat_from_json``'s cell of a value: ``None`` is empty, anything else its ``str``."""
    return "" if value is None else str(value)


def _history_memo(
    history: tuple[HistoryEntry, ...],
    lang: str,
    memo: dict[Any, Any],
    render: Callable[[tuple[HistoryEntry, ...], str], _R],
) -> _R:
    """``render(history, lang)``, once per distinct one-entry history of an export.

    Most findings' history is the one ``created`` entry their run wrote, shared between them
    (the report's event fold keeps equal entries once): formatted once, not 100,000 times. The
    memo holds the entry, so its id is not reused while the memo lives.
    """
    if len(history) != 1:
        return render(history, lang)
    key = ("history", render, id(history[0]))
    found = memo.get(key)
    if found is None:
        found = memo[key] = (history[0], render(history, lang))
    result: _R = found[1]
    return result


def _history_text(history: tuple[HistoryEntry, ...], lang: str) -> str:
    """:func:`history_cell` of a finding's JSON history, without building it."""
    ja = lang == "ja"
    parts = []
    for h in history:
        event = keyed("event", str(h.event), lang) if ja else h.event
        note = f": {h.note}" if h.note else ""
        parts.append(f"{iso_jst(h.at)} {event} ({h.actor}{note})")
    return "; ".join(parts)


def headers(lang: str) -> list[str]:
    """The header row: Japanese names for ``ja``, the column ids otherwise."""
    return [HEADERS_JA[column] for column in COLUMNS] if lang == "ja" else list(COLUMNS)


# -- CSV ----------------------------------------------------------------------------------------


def csv_codec(encoding: str) -> str:
    """``utf-8`` means UTF-8 with a BOM (Excel needs it to read UTF-8)."""
    return "utf-8-sig" if encoding.replace("-", "").lower() in {"utf8", "utf8sig"} else encoding


def write_csv(
    findings: Iterable[ReportFinding],
    out: Path | IO[str],
    encoding: str = "utf-8",
    lang: str = "en",
) -> int:
    """UTF-8 with BOM by default (Excel detects it); ``cp932`` for old Excel, lossy but visible.

    Given an open text handle, it must already use ``csv_codec(encoding)`` and ``newline=""``.
    """
    codec = csv_codec(encoding)
    if isinstance(out, Path):
        with out.open("w", encoding=codec, newline="", errors="strict") as handle:
            return write_csv(findings, handle, encoding, lang)
    count = 0
    # Most rows need no quoting: they are written as one ``",".join`` line. A row with a quote,
    # CR or LF (or a comma inside a cell) has the cells that need it quoted one by one, as
    # ``csv.writer`` quotes them (:func:`csv_line`): ``writerow`` itself cost twice as much at
    # 100,000 findings, where every rule's remediation text has commas and line breaks.
    out.write(csv_line([encodable(h, codec) for h in headers(lang)]))
    utf8 = codec == "utf-8-sig" or codec.replace("-", "").replace("_", "").lower() == "utf8"
    memo: dict[Any, Any] = {}
    commas = len(COLUMNS) - 1
    pending: list[str] = []
    for finding in findings:
        cells = flat_cells(finding, lang, memo)
        # One scan of the whole row finds most rows clean ("," keeps a cell's trailing CR from
        # pairing with the next cell's LF); only a row with something to escape is neutralized
        # cell by cell, and only a row where a cell may start like a formula is checked per cell.
        line = ",".join(cells)
        if has_unsafe(line):
            cells = [neutralize(cell) for cell in cells]
            line = ",".join(cells)
        if line[:1] in FORMULA_FIRST or _CELL_FORMULA.search(line):
            cells = [neutralize_formula(c) if c[:1] in FORMULA_FIRST else c for c in cells]
            line = ",".join(cells)
        if not utf8:
            cells = [encodable(cell, codec) for cell in cells]
            line = ",".join(cells)
        if line.count(",") != commas or '"' in line or "\n" in line or "\r" in line:
            pending.append(csv_line(cells))
        else:
            pending.append(line + "\r\n")
        count += 1
        if len(pending) >= 1000:
            out.write("".join(pending))
            pending.clear()
    out.write("".join(pending))
    return count


def csv_line(cells: Sequence[str]) -> str:
    """A row as ``csv.writer(..., lineterminator="\\r\\n").writerow`` writes it (2+ cells; excel
    dialect, ``QUOTE_MINIMAL``): a cell with a comma, quote, CR or LF is quoted, its quotes
    doubled. One expression per cell, no call: this runs for most rows of a 100,000-row CSV."""
    return (
        ",".join(
            [
                '"' + cell.replace('"', '""') + '"'
                if '"' in cell
                else ('"' + cell + '"' if "," in cell or "\n" in cell or "\r" in cell else cell)
                for cell in cells
            ]
        )
        + "\r\n"
    )


_CELL_FORMULA = re.compile(",[=+\\-@\t\r\n]")
"""A cell after the first of a ``","``-joined row may start like a formula (``FORMULA_FIRST``); a
comma inside a cell can match too, which only costs the exact per-cell check. (The literal first
character lets the regex engine skip ahead: 10x faster than ``(?:^|,)``.)"""


# -- XLSX ---------------------------------------------------------------------------------------


def _sheet_title(name: str, used: set[str]) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:28] or "zone"
    title, index = cleaned, 2
    while title.lower() in used:
        title, index = f"{cleaned[:25]}~{index}", index + 1
    used.add(title.lower())
    return title


def write_xlsx(
    findings: Sequence[ReportFinding],
    out: Path,
    *,
    lang: str = "ja",
    zone_names: Mapping[str, str] | None = None,
    chain_head: str | None = None,
    zone_sheets: bool = False,
) -> int:
    """A summary sheet, the graded findings, the scope limitations, grades and provenance.

    Every finding is written once; the findings sheet filters by its 区域 column. ``zone_sheets``
    adds one sheet per zone as well (each finding then appears twice). Rows are streamed by
    :mod:`auditor.report.xlsx_stream` (one string per row; XlsxWriter's per-cell calls took
    30 s at 100,000 findings, see docs/performance.md).
    """
    from auditor.report.xlsx_stream import STYLE_BOLD, Workbook

    zone_names = zone_names or {}
    used: set[str] = set()
    by_zone: dict[str, list[ReportFinding]] = defaultdict(list)
    for finding in findings:
        by_zone[finding.zone or "-"].append(finding)

    def zone_title(zone_id: str) -> str:
        return zone_names.get(zone_id) or (label("no_zone", lang) if zone_id == "-" else zone_id)

    names = headers(lang)
    memo: dict[Any, Any] = {}
    with Workbook(out) as workbook:
        summary = workbook.sheet(
            _sheet_title(label("summary_sheet", lang), used), freeze_rows=1, freeze_columns=1
        )
        header = [
            label("zone", lang),
            *(s.label_ja if lang == "ja" else s.value for s in SEVERITY_ORDER),
            label("total", lang),
        ]
        summary.row(header)
        for zone_id, items in sorted(by_zone.items()):
            per = dict.fromkeys((s.value for s in SEVERITY_ORDER), 0)
            for item in items:
                per[item.severity.value] += 1
            summary.row([neutralize_formula(zone_title(zone_id)), *per.values(), len(items)])
        summary.autofilter(len(by_zone) + 1, len(header))
        summary.row(())
        summary.row([reconciliation_line(findings, lang)])  # the same line as the report's

        def finding_sheet(title: str, rows: Sequence[ReportFinding]) -> None:
            sheet = workbook.sheet(_sheet_title(title, used), freeze_rows=1, widths=_WIDTHS)
            sheet.autofilter(len(rows) + 1, len(COLUMNS))
            sheet.row(names, STYLE_BOLD)
            for finding in rows:
                sheet.row(_xlsx_cells(finding, flat_cells(finding, lang, memo)))

        finding_sheet(
            label("findings_sheet", lang), [f for f in findings if not f.is_scope_limitation]
        )
        finding_sheet(
            label("scope_limitations", lang), [f for f in findings if f.is_scope_limitation]
        )
        # Audit grades (scope limitations counted apart from the city's non-conformities).
        grades = workbook.sheet(_sheet_title(label("audit_grade", lang), used))
        grades.row([label("audit_grade", lang), label("total", lang)])
        for grade in GRADE_ORDER:
            grades.row([grade.label(lang), sum(1 for f in findings if f.grade is grade)])
        if zone_sheets:
            for zone_id, items in sorted(by_zone.items()):
                finding_sheet(zone_title(zone_id), items)
        provenance = workbook.sheet(_sheet_title(label("provenance_sheet", lang), used))
        # `verify --expect-head` compares this with the store's chain head.
        provenance.row([label("chain_head", lang), chain_head or "-"])
    return len(findings)


def _xlsx_cells(finding: ReportFinding, row: Sequence[str]) -> list[Any]:
    """One finding's cells (``row``: its :func:`flat_cells`): age as a number, times as date
    cells, text formula-safe."""
    cells: list[Any] = []
    for column, text in zip(COLUMNS, row, strict=True):
        if column == "age_days":
            cells.append(finding.age_days)
            continue
        if not text:
            cells.append(None)  # an empty value is an empty cell, never a ``'-`` text
            continue
        if column in DATE_COLUMNS:
            moment = _moment(finding, column)
            if moment is not None:
                cells.append(moment)
                continue
        cells.append(neutralize_formula(text) if text[:1] in FORMULA_FIRST else text)
    return cells


def _moment(finding: ReportFinding, column: str) -> Any:
    """The value of a date column; Excel has no time zones, so times are written as JST."""
    if column == "suppression_expires":
        return finding.suppression.expires if finding.suppression else None
    if column == "due":
        return finding.due
    value = {
        "first_seen": finding.first_seen,
        "last_seen": finding.last_seen,
        "resolved_at": finding.resolved_at,
        "acknowledged_at": finding.acknowledged_at,
    }[column]
    return value.astimezone(JST).replace(tzinfo=None) if value is not None else None


_WIDTHS = [
    18,
    10,
    9,
    20,
    14,
    10,
    8,
    12,
    16,
    24,
    50,
    50,
    20,
    20,
    20,
    6,
    30,
    30,
    10,
    10,
    30,
    20,
    30,
    30,
    50,
    50,
    16,
    12,
    20,
]


# -- JSON ---------------------------------------------------------------------------------------


def json_header(
    *,
    generated_at: datetime,
    tool_version: str,
    rule_pack_hash: str | None,
    filters: Mapping[str, Any],
    count: int,
    chain_head: str | None = None,
) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "format_version": EXPORT_FORMAT_VERSION,
        "generated_at": iso_jst(generated_at),
        "tool": {
            "name": "kyojin-auditor",
            "version": tool_version,
            "rule_pack_hash": rule_pack_hash,
        },
        "filters": dict(filters),
        "count": count,
        "event_chain_head": chain_head,
    }


def write_json(
    findings: Sequence[ReportFinding],
    out: Path | IO[str],
    header: Mapping[str, Any],
    evidence_files: Mapping[tuple[str, int], str] | None = None,
    lang: str = "en",
) -> int:
    """Streamed one finding at a time so 100,000 findings never sit in memory as one string."""
    counts = reconciliation(findings)
    reconciled = {**counts, "text": reconciliation_line(counts, lang)}
    head = json_dumps({**header, "reconciliation": reconciled}, ensure_ascii=False, indent=1)
    memo: dict[Any, Any] = {}
    if isinstance(out, Path):
        # Written as bytes: orjson's UTF-8 goes to the file as it is (json_line_bytes).
        with out.open("wb") as binary:
            binary.write((head[:-2] + ',\n "findings": [').encode())
            pending: list[bytes] = []
            for index, finding in enumerate(findings):
                pending.append(b",\n  " if index else b"\n  ")
                pending.append(json_line_bytes(finding_json(finding, evidence_files, memo)))
                if len(pending) >= 2000:
                    binary.write(b"".join(pending))
                    pending.clear()
            binary.write(b"".join(pending) + b"\n ]\n}\n")
        return len(findings)
    out.write(head[:-2] + ',\n "findings": [')
    for index, finding in enumerate(findings):
        out.write(",\n  " if index else "\n  ")
        out.write(json_line(finding_json(finding, evidence_files, memo)))
    out.write("\n ]\n}\n")
    return len(findings)


# -- SARIF --------------------------------------------------------------------------------------


def _sarif_rule(
    finding: ReportFinding, titles: Mapping[str, tuple[str, str]], lang: str
) -> dict[str, Any]:
    title_ja, title_en = titles.get(finding.check_id, (finding.check_id, finding.check_id))
    return {
        "id": finding.check_id,
        "name": finding.check_id,
        "shortDescription": {"text": title_ja if lang == "ja" else title_en},
        "fullDescription": {"text": f"{title_ja} / {title_en}"},
        "defaultConfiguration": {"level": SARIF_LEVELS[finding.severity]},
        **({"help": {"text": finding.recommendation}} if finding.recommendation else {}),
        "properties": {
            "severity": finding.severity.value,
            "guideline": [r.key for r in finding.guideline],
            "plan": [r.key for r in finding.plan],
            "tags": [r.label_en for r in (*finding.guideline, *finding.plan)],
        },
    }


def _sarif_result(
    finding: ReportFinding, rule_index: int, lang: str, memo: dict[Any, Any] | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS[finding.severity],
        "message": {"text": finding.message(lang)},
        "locations": [
            {
                "logicalLocations": [
                    {
                        "name": finding.subject,
                        "fullyQualifiedName": f"{finding.device or '-'}/{finding.subject}",
                        "kind": "resource",
                    }
                ]
            }
        ],
        "partialFingerprints": {"kyojinFingerprint/v1": finding.fingerprint},
        "properties": {
            "device": finding.device,
            "zone": finding.zone,
            "status": finding.status,
            "severity": finding.severity.value,
            "audit_grade": finding.grade.value,
            "audit_grade_label": finding.grade.label(lang),
            "scope_limitation": finding.is_scope_limitation,
            "first_seen": iso_jst(finding.first_seen),
            "last_seen": iso_jst(finding.last_seen),
            "guideline": [r.label_ja for r in finding.guideline],
            "guideline_edition": finding.edition,
            "plan": [r.key for r in finding.plan],
            "plan_labels": [r.label_ja if lang == "ja" else r.label_en for r in finding.plan],
            "evidence": [
                {"source": e.source, "detail": e.detail, "blob_sha256": e.blob_sha256}
                for e in finding.evidence
            ],
            "history": history_json(finding, memo),
            "recommendation": finding.recommendation or None,
            "responsible": finding.responsible or None,
            "message_en": finding.message_en,
            "message_ja": finding.message_ja,
        },
    }
    if finding.status == "resolved":
        result["kind"] = "pass"
        result["level"] = "none"
        result["baselineState"] = "absent"
    if finding.suppression is not None:
        suppression = finding.suppression
        expires = suppression.expires.isoformat() if suppression.expires else "-"
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{suppression.reason} ({suppression.approval_number}, "
                f"{suppression.approver}, {expires})",
            }
        ]
    return result


def write_sarif(
    findings: Sequence[ReportFinding],
    out: Path,
    *,
    tool_version: str,
    check_titles: Mapping[str, tuple[str, str]] | None = None,
    lang: str = "ja",
    chain_head: str | None = None,
) -> int:
    """SARIF 2.1.0: one rule per check id, one result per finding, level from severity.

    Streamed result by result: a document of 100,000 results built in memory first needs >1 GB.
    """
    titles = check_titles or {}
    rule_index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    for finding in findings:
        if finding.check_id not in rule_index:
            rule_index[finding.check_id] = len(rules)
            rules.append(_sarif_rule(finding, titles, lang))
    run = {
        "tool": {"driver": {"name": "kyojin-auditor", "version": tool_version, "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "properties": {"eventChainHead": chain_head},
    }
    head = json_dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0"}, ensure_ascii=False, indent=1)
    run_text = json_dumps(run, ensure_ascii=False, indent=1)
    with out.open("wb") as handle:  # bytes, as write_json: orjson's UTF-8 as it is
        handle.write((head[:-2] + ',\n "runs": [\n' + run_text[:-2] + ',\n "results": [').encode())
        memo: dict[Any, Any] = {}
        pending: list[bytes] = []
        for index, finding in enumerate(findings):
            pending.append(b",\n  " if index else b"\n  ")
            result = _sarif_result(finding, rule_index[finding.check_id], lang, memo)
            pending.append(json_line_bytes(result))
            if len(pending) >= 2000:
                handle.write(b"".join(pending))
                pending.clear()
        handle.write(b"".join(pending) + b"\n ]\n}\n]\n}\n")
    return len(findings)
