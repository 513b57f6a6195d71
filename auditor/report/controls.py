"""The control matrix: evidence of compliance, not only of non-compliance.

Rows are checks (with their guideline clauses and plan items), columns are the run's targets
(devices, and ``network`` for checks that judge the whole network), cells are what the run
concluded: pass / fail / not applicable / not evaluated, with the reason for the last two. It is
read from the results the audit service stored with the run (``run_results``), never recomputed,
and exported as CSV, XLSX and JSON; :func:`appendix_context` feeds the PDF appendix block
``templates/controls_appendix.html.j2``.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from auditor.policy.models import Policy
from auditor.report.cleaning import encodable, neutralize_formula
from auditor.report.data import run_info
from auditor.report.model import JST, ReferenceLabel, RunInfo
from auditor.report.references import split_references
from auditor.store.records import NETWORK_TARGET, ResultOutcome, ResultRecord, RunRecord

CONTROLS_SCHEMA_ID = "urn:kyojin-auditor:export:controls:v1"
CONTROL_FORMATS: tuple[str, ...] = ("controls-csv", "controls-xlsx", "controls-json")

OUTCOME_LABELS: Mapping[ResultOutcome, tuple[str, str]] = {
    ResultOutcome.PASS: ("適合", "pass"),
    ResultOutcome.FAIL: ("不適合", "fail"),
    ResultOutcome.NOT_APPLICABLE: ("該当なし", "N/A"),
    ResultOutcome.NOT_EVALUATED: ("未評価", "not evaluated"),
}
OUTCOME_ORDER: tuple[ResultOutcome, ...] = tuple(OUTCOME_LABELS)
_FILLS = {
    ResultOutcome.PASS: "C6EFCE",
    ResultOutcome.FAIL: "FFC7CE",
    ResultOutcome.NOT_APPLICABLE: "EDEDED",
    ResultOutcome.NOT_EVALUATED: "FFEB9C",
}


def outcome_label(outcome: ResultOutcome, lang: str) -> str:
    ja, en = OUTCOME_LABELS[outcome]
    return ja if lang == "ja" else en


class ControlsStore(Protocol):
    """The part of the store the control matrix reads."""

    def results_run(self, before: datetime | None = None) -> RunRecord | None: ...

    def get_run(self, run_id: int) -> RunRecord: ...

    def run_results(self, run_id: int) -> list[ResultRecord]: ...


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """What a row shows of a check besides its cells (from the rule registry)."""

    check_id: str
    title_ja: str
    title_en: str
    severity: str
    guideline: tuple[ReferenceLabel, ...] = ()
    plan: tuple[ReferenceLabel, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_ja if lang == "ja" else self.title_en


@dataclass(frozen=True, slots=True)
class ControlCell:
    outcome: ResultOutcome
    reason_ja: str | None = None
    reason_en: str | None = None

    def reason(self, lang: str) -> str:
        return (self.reason_ja if lang == "ja" else self.reason_en) or ""


@dataclass(frozen=True, slots=True)
class ControlRow:
    check: CheckInfo
    cells: Mapping[str, ControlCell]
    """Target → cell; a target missing here was not part of this check in the run."""

    def counts(self) -> Counter[ResultOutcome]:
        return Counter(cell.outcome for cell in self.cells.values())


@dataclass(frozen=True, slots=True)
class ControlMatrix:
    """One run's control matrix; ``run`` is ``None`` when no run stored results yet."""

    run: RunInfo | None
    targets: tuple[str, ...]
    rows: tuple[ControlRow, ...]
    totals: Mapping[ResultOutcome, int] = field(default_factory=dict)


def check_infos(policy: Policy | None) -> dict[str, CheckInfo]:
    """Titles, severities and references of every known check, labelled for ``policy``."""
    from auditor.rules import discover

    infos: dict[str, CheckInfo] = {}
    for check in discover():
        guideline, plan, _ = split_references(check.references, policy)
        infos[check.id] = CheckInfo(
            check.id, check.title_ja, check.title_en, check.severity.value, guideline, plan
        )
    return infos


def _target_order(target: str) -> tuple[int, str]:
    return (1 if target == NETWORK_TARGET else 0, target)


def build_control_matrix(
    results: Iterable[ResultRecord], run: RunRecord | None, checks: Mapping[str, CheckInfo]
) -> ControlMatrix:
    """Group stored results into rows; a check the registry no longer knows keeps its id."""
    by_check: dict[str, dict[str, ControlCell]] = {}
    targets: set[str] = set()
    totals: Counter[ResultOutcome] = Counter()
    for result in results:
        cell = ControlCell(result.outcome, result.reason_ja, result.reason_en)
        by_check.setdefault(result.check_id, {})[result.target] = cell
        targets.add(result.target)
        totals[result.outcome] += 1
    rows = tuple(
        ControlRow(
            check=checks.get(check_id) or CheckInfo(check_id, check_id, check_id, "-"),
            cells=dict(sorted(cells.items(), key=lambda item: _target_order(item[0]))),
        )
        for check_id, cells in sorted(by_check.items())
    )
    return ControlMatrix(
        run=run_info(run) if run is not None else None,
        targets=tuple(sorted(targets, key=_target_order)),
        rows=rows,
        totals={outcome: totals.get(outcome, 0) for outcome in OUTCOME_ORDER},
    )


def load_control_matrix(
    store: ControlsStore,
    *,
    policy: Policy | None = None,
    run_id: int | None = None,
    before: datetime | None = None,
    checks: Mapping[str, CheckInfo] | None = None,
) -> ControlMatrix:
    """The matrix of run ``run_id``, else of the newest run (up to ``before``) with results."""
    run = store.get_run(run_id) if run_id is not None else store.results_run(before)
    results = store.run_results(run.id) if run is not None else []
    return build_control_matrix(results, run, checks if checks is not None else check_infos(policy))


# -- exports ------------------------------------------------------------------------------------


def _refs(labels: Sequence[ReferenceLabel], lang: str, *, keys: bool = False) -> str:
    if keys:
        return "; ".join(label.key for label in labels)
    return "; ".join(label.label_ja if lang == "ja" else label.label_en for label in labels)


def _fixed_header(lang: str) -> list[str]:
    if lang == "ja":
        return ["チェックID", "名称", "重大度", "ガイドライン", "計画項目"]
    return ["check_id", "title", "severity", "guideline", "plan"]


def _fixed_values(row: ControlRow, lang: str) -> list[str]:
    check = row.check
    return [
        check.check_id,
        check.title(lang),
        check.severity,
        _refs(check.guideline, lang),
        _refs(check.plan, lang, keys=True),
    ]


def write_controls_csv(
    matrix: ControlMatrix, out: Path, *, lang: str = "ja", encoding: str = "utf-8"
) -> int:
    """The matrix as one wide table (a column per target); ``utf-8`` gets a BOM for Excel."""
    codec = "utf-8-sig" if encoding.replace("-", "").lower() in {"utf8", "utf8sig"} else encoding
    with out.open("w", encoding=codec, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([encodable(h, codec) for h in [*_fixed_header(lang), *matrix.targets]])
        for row in matrix.rows:
            cells = [
                outcome_label(row.cells[t].outcome, lang) if t in row.cells else ""
                for t in matrix.targets
            ]
            values = [*_fixed_values(row, lang), *cells]
            writer.writerow([encodable(neutralize_formula(v), codec) for v in values])
    return len(matrix.rows)


def controls_json(matrix: ControlMatrix) -> dict[str, Any]:
    """Everything of the matrix, reasons included, in both languages."""
    run = matrix.run
    return {
        "$schema": CONTROLS_SCHEMA_ID,
        "format_version": 1,
        "run": None
        if run is None
        else {
            "id": run.id,
            "status": run.status,
            "scope": run.scope,
            "started_at": run.started_at.astimezone(JST).isoformat(timespec="seconds"),
            "tool_version": run.tool_version,
            "rule_pack_hash": run.rule_pack_hash,
            "policy_hash": run.policy_hash,
        },
        "targets": list(matrix.targets),
        "totals": {outcome.value: count for outcome, count in matrix.totals.items()},
        "controls": [
            {
                "check_id": row.check.check_id,
                "title": {"ja": row.check.title_ja, "en": row.check.title_en},
                "severity": row.check.severity,
                "guideline": [
                    {"title": r.key, "label_ja": r.label_ja, "label_en": r.label_en}
                    for r in row.check.guideline
                ],
                "plan": [
                    {"item": r.key, "label_ja": r.label_ja, "label_en": r.label_en}
                    for r in row.check.plan
                ],
                "cells": {
                    target: {
                        "outcome": cell.outcome.value,
                        "reason": None
                        if cell.reason_en is None and cell.reason_ja is None
                        else {"ja": cell.reason_ja, "en": cell.reason_en},
                    }
                    for target, cell in row.cells.items()
                },
            }
            for row in matrix.rows
        ],
    }


def write_controls_json(matrix: ControlMatrix, out: Path) -> int:
    out.write_text(
        json.dumps(controls_json(matrix), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return len(matrix.rows)


def write_controls_xlsx(matrix: ControlMatrix, out: Path, *, lang: str = "ja") -> int:
    """Sheet 1 the coloured matrix, sheet 2 every cell that is not a pass with its reason,
    sheet 3 the totals and the run it comes from."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "管理策マトリクス" if lang == "ja" else "Control matrix"
    header = [*_fixed_header(lang), *matrix.targets]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    fills = {o: PatternFill("solid", start_color=c, end_color=c) for o, c in _FILLS.items()}
    fixed = len(_fixed_header(lang))
    for row in matrix.rows:
        values: list[str] = [neutralize_formula(v) for v in _fixed_values(row, lang)]
        values += [
            outcome_label(row.cells[t].outcome, lang) if t in row.cells else ""
            for t in matrix.targets
        ]
        sheet.append(values)
        line = sheet.max_row
        for index, target in enumerate(matrix.targets, start=fixed + 1):
            found = row.cells.get(target)
            if found is not None:
                sheet.cell(row=line, column=index).fill = fills[found.outcome]
    sheet.freeze_panes = sheet.cell(row=2, column=fixed + 1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(matrix.rows) + 1}"
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["D"].width = 40

    reasons = workbook.create_sheet("理由" if lang == "ja" else "Reasons")
    reasons.append(
        ["チェックID", "対象", "結果", "理由"]
        if lang == "ja"
        else ["check_id", "target", "outcome", "reason"]
    )
    for row in matrix.rows:
        for target, cell in row.cells.items():
            if cell.outcome is not ResultOutcome.PASS:
                reasons.append(
                    [
                        row.check.check_id,
                        neutralize_formula(target),
                        outcome_label(cell.outcome, lang),
                        neutralize_formula(cell.reason(lang)),
                    ]
                )
    summary = workbook.create_sheet("集計" if lang == "ja" else "Totals")
    run = matrix.run
    summary.append(["実行" if lang == "ja" else "run", run.id if run else "-"])
    if run is not None:
        summary.append(
            [
                "開始" if lang == "ja" else "started",
                run.started_at.astimezone(JST).isoformat(timespec="seconds"),
            ]
        )
    for outcome, count in matrix.totals.items():
        summary.append([outcome_label(outcome, lang), count])
    workbook.save(out)
    return len(matrix.rows)


def write_controls(
    fmt: str, matrix: ControlMatrix, out: Path, *, lang: str = "ja", encoding: str = "utf-8"
) -> int:
    """``controls-csv|controls-xlsx|controls-json``; returns the number of checks written."""
    if fmt == "controls-csv":
        return write_controls_csv(matrix, out, lang=lang, encoding=encoding)
    if fmt == "controls-xlsx":
        return write_controls_xlsx(matrix, out, lang=lang)
    if fmt == "controls-json":
        return write_controls_json(matrix, out)
    raise ValueError(f"unknown control matrix format {fmt}")


# -- PDF appendix -------------------------------------------------------------------------------


def appendix_context(matrix: ControlMatrix, lang: str) -> dict[str, Any]:
    """Plain values for ``controls_appendix.html.j2`` (the report engineer includes the block)."""
    return {
        "title": "付録: 管理策マトリクス" if lang == "ja" else "Appendix: control matrix",
        "run_id": matrix.run.id if matrix.run else None,
        "header": [*_fixed_header(lang)[:1], *_fixed_header(lang)[3:5], *matrix.targets],
        "rows": [
            {
                "check_id": row.check.check_id,
                "title": row.check.title(lang),
                "guideline": _refs(row.check.guideline, lang),
                "plan": _refs(row.check.plan, lang, keys=True),
                "cells": [
                    {
                        "css": row.cells[t].outcome.value.replace("_", "-"),
                        "text": outcome_label(row.cells[t].outcome, lang),
                        "reason": row.cells[t].reason(lang),
                    }
                    if t in row.cells
                    else {"css": "none", "text": "", "reason": ""}
                    for t in matrix.targets
                ],
            }
            for row in matrix.rows
        ],
        "totals": [(outcome_label(o, lang), n) for o, n in matrix.totals.items()],
        "empty": "この実行には結果が記録されていません。"
        if lang == "ja"
        else "No run has recorded its results yet.",
    }
