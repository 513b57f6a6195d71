"""Why the report's open count and an export's row count differ: one line that adds up.

The report counts open non-conformities; an export has a row for every finding it selected
(suppressed, resolved, scope limitations included). "open 155 + suppressed 1 = 156 rows exported"
is printed in the report, the XLSX summary sheet, the JSON header and the bundle's README, all
from :func:`reconciliation`, so the numbers cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from auditor.report.labels import label

if TYPE_CHECKING:
    from auditor.report.model import ReportFinding

TERMS = ("open", "evidence_required", "scope_limitations", "suppressed", "resolved")
OPEN = frozenset({"new", "open", "reopened", "in_progress"})
"""The report's open statuses (``auditor.report.data.OPEN_STATUSES``)."""


def reconciliation(findings: Iterable[ReportFinding]) -> dict[str, int]:
    """Rows per kind; ``rows`` is their sum (a status outside these is counted as ``other``)."""
    counts = dict.fromkeys((*TERMS, "other"), 0)
    rows = 0
    for finding in findings:
        rows += 1
        if finding.status in OPEN:
            if finding.is_scope_limitation:
                counts["scope_limitations"] += 1
            elif finding.is_evidence_required:
                counts["evidence_required"] += 1
            else:
                counts["open"] += 1
        elif finding.status in ("suppressed", "resolved"):
            counts[finding.status] += 1
        else:
            counts["other"] += 1
    counts["rows"] = rows
    return counts


def reconciliation_line(findings: Sequence[ReportFinding] | dict[str, int], lang: str) -> str:
    """ "未対応 155 + 抑止 1 = 出力 156 行": open always, the other kinds when there are any."""
    counts = findings if isinstance(findings, dict) else reconciliation(findings)
    terms = [
        f"{label('reconcile.' + term, lang)} {counts[term]}"
        for term in (*TERMS, "other")
        if term == "open" or counts[term]
    ]
    return label("reconcile_line", lang, terms=" + ".join(terms), rows=counts["rows"])
