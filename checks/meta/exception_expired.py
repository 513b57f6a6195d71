"""POL-001: an approved exception (例外措置) in the policy has expired."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams


class ExceptionExpired(Check):
    """An exception in the policy is past its expiry date.

    What it checks:
        Every entry under ``exceptions:`` in the policy whose ``expires`` date lies before the
        audit date (optionally after a grace period in days).

    Why is this bad?:
        An exception (例外措置) is approved for a limited time. Once it expires the finding it
        covered is no longer suppressed, and the approval record no longer matches reality: either
        the deviation was fixed and the entry should be removed, or it persists without approval.
        Auditors ask for the exception register and its review (例外措置の期限管理).

    Example:
        ``exceptions: [{id: EX-2025-003, check: SEG-004, expires: 2025-03-31, ...}]`` audited on
        2025-04-01 yields one finding for ``exception:EX-2025-003``.

    Remediation:
        Renew the approval (new approval number and expiry) or remove the entry after fixing the
        deviation. 例外措置を再申請・再承認するか、是正後に例外の記載を削除する。

    Parameters:
        ``grace_days`` (int, default 0): days after expiry before the finding is raised.
    """

    id = "POL-001"
    slug = "exception-expired"
    severity = Severity.MEDIUM
    title_ja = "例外措置の有効期限切れ"
    title_en = "Policy exception has expired"
    scope = "policy"

    class Params(CheckParams):
        grace_days: int = Field(0, ge=0, description="Days after expiry before reporting")

    references = (
        Reference(kind="guideline", key="例外措置"),
        Reference(kind="plan", key="4-2-1"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        grace = self.params(context).grace_days
        today = context.now.date()
        for index, exception in enumerate(context.policy.exceptions):
            overdue = (today - exception.expires).days
            if overdue <= grace:
                continue
            label = exception.id or f"exceptions[{index}]"
            yield self.finding(
                context,
                subject=f"exception:{label}",
                message_en=(
                    f"Exception {label} for {exception.check} (approval "
                    f"{exception.approval_number}) expired on {exception.expires} "
                    f"({overdue} days ago)."
                ),
                message_ja=(
                    f"例外措置 {label} ({exception.check}、承認番号 {exception.approval_number}) は "
                    f"{exception.expires} に期限切れとなっています ({overdue} 日経過)。"
                ),
                evidence=[EvidenceRef(source="policy", detail=f"exceptions[{index}]")],
            )
