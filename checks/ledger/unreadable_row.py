"""LED-002: a ledger row could not be read."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Outcome, Reference, Severity
from auditor.rules import AuditContext, Check


class LedgerRowUnreadable(Check):
    """A row of the asset ledger could not be read (bad MAC, date or classification).

    What it checks:
        The problems the ledger import recorded, one per unreadable row; the other rows were
        loaded and are checked normally.

    Why is this bad?:
        An unreadable row is an asset the auditor cannot reconcile: it may hide an unregistered or
        misplaced device. Reporting it (instead of silently skipping it) keeps the ledger honest.

    Example:
        Row 12 with MAC ``00:11:22:33:44`` (five octets) yields one ERROR finding for
        ``ledger-row:#12``.

    Remediation:
        Correct the cell named in the message (台帳の該当セルを修正) and re-import the ledger.

    Parameters:
        None.
    """

    id = "LED-002"
    slug = "ledger-row-unreadable"
    severity = Severity.LOW
    title_ja = "情報資産管理台帳の読み取れない行"
    title_en = "Asset ledger row could not be read"
    scope = "ledger"
    references = (
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="plan", key="4-1-5"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for issue in context.ledger.issues:
            yield self.finding(
                context,
                subject=f"ledger-row:#{issue.row_number}",
                outcome=Outcome.ERROR,
                message_en=f"Ledger {issue.source} row {issue.row_number}: {issue.message}",
                message_ja=f"台帳 {issue.source} の {issue.row_number} 行目を読み取れません: {issue.message}",
                evidence=[
                    EvidenceRef(source="ledger", detail=f"{issue.source}:row {issue.row_number}")
                ],
            )
