"""Shared behaviour of the COL-… checks: one ERROR finding per collection error of their id."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Outcome, Reference, Severity
from auditor.policy.clauses import COMPLIANCE_CHECK, MONITORING
from auditor.rules import AuditContext, Check

COLLECTION_REFERENCES = (
    Reference(kind="guideline", key=MONITORING),
    Reference(kind="guideline", key=COMPLIANCE_CHECK),
    Reference(kind="plan", key="4-2-1"),
)


class CollectionErrorCheck(Check):
    """Base class: turns ``context.collection_errors`` with this check's id into findings."""

    severity = Severity.MEDIUM
    scope = "collection"
    references = COLLECTION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for error in context.collection_errors:
            if error.check_id != self.id:
                continue
            zone = None
            device = context.device(error.device)
            if device is not None and device.zones:
                zone = device.zones[0]
            yield self.finding(
                context,
                device=error.device,
                subject=error.subject,
                zone=zone,
                message_en=error.message_en,
                message_ja=error.message_ja,
                evidence=[EvidenceRef(source="engine", detail=error.detail or error.message_en)],
                outcome=Outcome.ERROR,
            )
