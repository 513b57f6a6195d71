"""LED-008: a ledger row's confidentiality is missing or not on the policy's scale."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._observed import resolve_zone
from .missing_mandatory_field import row_subject

SCALE = ("3A", "3B", "3C", "2", "1")


class ClassificationNotInScale(Check):
    """The confidentiality of an asset is missing, or written on an old scale the policy does not
    map unambiguously.

    What it checks:
        ``confidentiality`` of every ledger row against ``scale`` (default the 令和6年10月版 scale
        自治体機密性 3A/3B/3C/2/1). A value outside the scale (the old 機密性3) is looked up in
        the policy's ``ledger.confidentiality_map``: with no mapping it is a finding (never
        guessed); with several possible values (3 → 3A/3B/3C) it is a low finding asking for the
        decision; with exactly one value it is accepted. A missing value is reported here only
        when ``confidentiality`` is not among the policy's mandatory fields (LED-001 reports it
        otherwise). Subject ``ledger-row:<asset>:confidentiality``.

    Why is this bad?:
        The classification decides the controls: which tier may hold the data, who may access
        it, whether it may go to a cloud service. Since 令和6年10月 機密性3 is split into 3A
        (秘密文書相当), 3B and 3C; mapping old values mechanically would put secret data in the
        wrong category, so the city must decide each one.

    Example:
        ``機密性3`` with ``confidentiality_map: {"3": [3A, 3B, 3C]}``: "choose 3A, 3B or 3C".

    Remediation:
        Re-classify the asset on the current scale in the ledger (情報資産の分類の見直し), or
        declare the city's mapping for the old value in ``ledger.confidentiality_map``.

    Parameters:
        ``scale`` (list, default 3A/3B/3C/2/1).
    """

    id = "LED-008"
    slug = "classification-not-in-scale"
    severity = Severity.MEDIUM
    title_ja = "機密性分類の欠落・現行区分外 (対応表なし)"
    title_en = "Confidentiality missing or not on the policy's scale"
    scope = "ledger"

    class Params(CheckParams):
        scale: list[str] = Field(
            default_factory=lambda: list(SCALE),
            description="Confidentiality values of the current scale",
        )

    references = (
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="plan", key="4-1-5"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        scale = [v.upper() for v in self.params(context).scale]
        mapping = {
            str(k).upper(): [str(v) for v in vs]
            for k, vs in context.policy.ledger.confidentiality_map.items()
        }
        mandatory = "confidentiality" in context.policy.ledger.mandatory_fields
        for row in context.ledger.rows:
            value = (row.confidentiality or "").strip().upper()
            severity: Severity | None = None
            if not value:
                if mandatory:
                    continue
                reason_en, reason_ja = "has no confidentiality", "機密性が未記入です"
            elif value in scale:
                continue
            elif value not in mapping:
                reason_en = (
                    f"has confidentiality {value}, which is not on the scale "
                    f"({'/'.join(scale)}) and has no declared mapping"
                )
                reason_ja = (
                    f"の機密性 {value} は現行区分 ({'/'.join(scale)}) になく、対応表もありません"
                )
            elif len(mapping[value]) == 1:
                continue
            else:
                severity = Severity.LOW
                choices = "/".join(mapping[value])
                reason_en = f"has old-scale confidentiality {value}: decide between {choices}"
                reason_ja = f"の機密性 {value} は旧区分です。{choices} のいずれかに分類してください"
            zone = resolve_zone(context.policy, row.zone)
            label = row.asset_id or f"row {row.row_number}"
            yield self.finding(
                context,
                subject=f"{row_subject(row)}:confidentiality",
                zone=zone.id if zone else None,
                severity=severity,
                message_en=f"Ledger asset {label} {reason_en}.",
                message_ja=f"台帳の資産 {label} {reason_ja}。",
                evidence=[
                    EvidenceRef(
                        source="ledger", detail=f"{context.ledger.source}:row {row.row_number}"
                    )
                ],
            )
