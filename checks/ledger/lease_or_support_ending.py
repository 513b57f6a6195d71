"""LED-007: lease end or end of support is past or within N days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from pydantic import Field

from auditor.inventory.models import LedgerRow
from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._observed import is_active, resolve_zone
from .missing_mandatory_field import row_subject

DATES = (
    ("lease_end", "lease-end", "lease ends", "リース満了日"),
    ("end_of_support", "end-of-support", "support ends", "保守期限"),
)


class LeaseOrSupportEnding(Check):
    """An asset's lease or vendor support has ended or ends within ``days`` days.

    What it checks:
        Active ledger rows with ``lease_end`` or ``end_of_support``: a date already past is a
        finding at the check's severity (medium; high for end of support in the My Number tier);
        a date within ``days`` days (default 90) is a low finding. Subjects
        ``ledger-row:<asset>:lease-end`` and ``ledger-row:<asset>:end-of-support``.

    Why is this bad?:
        Equipment past its end of support gets no security fixes (サポート切れ機器); a lease that
        ends without a replacement plan leaves the city with a device it must return, or one it
        keeps without a contract. Both need budget and procurement months ahead.

    Example:
        ``保守期限 2026/9/30`` audited on 2026-11-24: "support ended 55 days ago".

    Remediation:
        Plan the replacement or extend the maintenance contract; record an exception
        (例外措置) with compensating controls while the device runs unsupported; update the
        ledger dates when contracts change.

    Parameters:
        ``days`` (int, default 90): warning horizon.
    """

    id = "LED-007"
    slug = "lease-or-support-ending"
    severity = Severity.MEDIUM
    title_ja = "リース満了・保守期限の経過または接近"
    title_en = "Lease end or end of support past or near"
    scope = "ledger"

    class Params(CheckParams):
        days: int = Field(90, ge=0, description="Days ahead to warn about")

    references = (
        Reference(kind="guideline", key="システム開発、導入、保守等"),
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="plan", key="4-1-5"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        horizon = self.params(context).days
        today = context.now.date()
        for row in context.ledger.rows:
            if not is_active(row):
                continue
            for attribute, suffix, label_en, label_ja in DATES:
                when: date | None = getattr(row, attribute)
                if when is None:
                    continue
                remaining = (when - today).days
                if remaining > horizon:
                    continue
                yield self._finding(context, row, suffix, label_en, label_ja, when, remaining)

    def _finding(
        self,
        context: AuditContext,
        row: LedgerRow,
        suffix: str,
        label_en: str,
        label_ja: str,
        when: date,
        remaining: int,
    ) -> Finding:
        zone = resolve_zone(context.policy, row.zone)
        severity = self.effective_severity(context)
        if remaining >= 0:
            severity = Severity.LOW
            state_en, state_ja = f"in {remaining} days", f"まで残り {remaining} 日です"
        else:
            if suffix == "end-of-support" and zone is not None and zone.kind.value == "mynumber":
                severity = Severity.HIGH
            state_en, state_ja = f"{-remaining} days ago", f"を {-remaining} 日過ぎています"
        label = f"{row.asset_id or '#' + str(row.row_number)} {row.hostname or row.name or ''}"
        host = row.hostname if row.hostname and context.inventory.device(row.hostname) else None
        return self.finding(
            context,
            device=host,
            subject=f"{row_subject(row)}:{suffix}",
            zone=zone.id if zone else None,
            severity=severity,
            message_en=f"{label.strip()}: {label_en} on {when} ({state_en}).",
            message_ja=f"{label.strip()}: {label_ja} {when} {state_ja}。",
            evidence=[
                EvidenceRef(source="ledger", detail=f"{context.ledger.source}:row {row.row_number}")
            ],
        )
