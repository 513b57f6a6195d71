"""Shared behaviour of the COL-… checks: one ERROR finding per collection failure of their kinds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from auditor.model.findings import EvidenceRef, Finding, Outcome, Reference, Severity
from auditor.policy.clauses import COMPLIANCE_CHECK, MONITORING
from auditor.rules import AuditContext, Check

from .kinds import check_id_for, describe

COLLECTION_REFERENCES = (
    Reference(kind="guideline", key=MONITORING),
    Reference(kind="guideline", key=COMPLIANCE_CHECK),
    Reference(kind="plan", key="4-2-2"),
)


class CollectionErrorCheck(Check):
    """Base class: turns ``context.collection_errors`` whose kind maps to this check into findings."""

    severity = Severity.MEDIUM
    scope = "collection"
    references = COLLECTION_REFERENCES
    outcome: ClassVar[Outcome] = Outcome.ERROR
    """ERROR: the auditor could not tell; FAIL with severity INFO for notes about the input."""

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for error in context.collection_errors:
            if check_id_for(error) != self.id:
                continue
            message_en, message_ja = describe(error)
            zone = None
            device = context.device(error.device)
            if device is not None and device.zones:
                zone = device.zones[0]
            yield self.finding(
                context,
                device=error.device,
                subject=error.subject,
                zone=zone,
                message_en=message_en,
                message_ja=message_ja,
                evidence=[EvidenceRef(source="engine", detail=error.detail or message_en)],
                outcome=self.outcome,
            )
