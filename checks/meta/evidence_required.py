"""POL-002: a measure the network cannot show has no evidence on file (証跡確認が必要)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check


class EvidenceRequired(Check):
    """A measure the network cannot show is listed as evidence required, never as passed.

    What it checks:
        The policy's evidence items (``evidence:``), merged with the standard ones for the city's
        三層 model: two-factor authentication on My Number terminals, USB and media control, EDR
        on Internet-tier terminals (β/β′), tenant restriction of the local breakout (α′); plus
        the log retention period (``logging.retention_days``). One INFO result per item whose
        evidence is not recorded, subject ``evidence:<id>``, graded 証跡確認が必要 (not a
        non-conformity). A standard item that does not apply is dropped with ``drop_evidence``.

    Why is this bad?:
        The auditor cannot see these measures in device configuration or traffic. Reporting
        nothing would read as "passed"; the guideline's measures still have to be shown with
        documents, screenshots or logs (証跡) before the audit can conclude on them.

    Example:
        A β-model policy without ``evidence: [{id: beta-edr, evidence: "EDR 管理画面 2026-10"}]``
        yields ``evidence:beta-edr``; no ``logging.retention_days`` yields
        ``evidence:log-retention``.

    Remediation:
        Record the evidence seen in the policy: ``evidence: [{id: mynumber-two-factor,
        evidence: "認証基盤設定書 v3", checked_on: 2026-11-01}]`` and
        ``logging: {retention_days: 365, evidence: "情報セキュリティ実施手順 5.3"}``.

    Parameters:
        None.
    """

    id = "POL-002"
    slug = "evidence-required"
    severity = Severity.INFO
    title_ja = "ネットワークから確認できない対策の証跡確認が必要"
    title_en = "Evidence required for a measure the network cannot show"
    scope = "policy"
    references = (
        Reference(kind="guideline", key="遵守状況の確認"),
        Reference(kind="guideline", key="ログの取得等"),
        Reference(kind="plan", key="4-2-1"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        policy = context.policy
        for item in policy.evidence_items():
            if item.evidence:
                continue
            title_en = item.title_en or item.id
            title_ja = item.title_ja or item.id
            yield self.finding(
                context,
                subject=f"evidence:{item.id}",
                message_en=(
                    f"Evidence required: {title_en}. The network cannot show this measure; "
                    "record the evidence seen in the policy (evidence:)."
                ),
                message_ja=(
                    f"証跡確認が必要: {title_ja}。ネットワークからは確認できない対策です。"
                    "確認した証跡をポリシー (evidence:) に記録してください。"
                ),
                evidence=[EvidenceRef(source="policy", detail=f"evidence item {item.id}")],
            )
        if policy.logging.retention_days is None:
            yield self.finding(
                context,
                subject="evidence:log-retention",
                message_en=(
                    "Evidence required: the log retention period is not declared "
                    "(logging.retention_days)."
                ),
                message_ja="証跡確認が必要: ログの保存期間が宣言されていません (logging.retention_days)。",
                evidence=[EvidenceRef(source="policy", detail="logging.retention_days")],
            )
