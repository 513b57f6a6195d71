"""LED-001: a ledger row lacks a field the policy makes mandatory."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory.models import LedgerRow
from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check

FIELD_LABELS_JA = {
    "asset_id": "資産番号",
    "name": "名称",
    "kind": "機器種別",
    "model": "型番",
    "serial": "シリアル番号",
    "mac": "MACアドレス",
    "ip": "IPアドレス",
    "hostname": "ホスト名",
    "location": "設置場所",
    "owner_department": "管理部署",
    "zone": "所属系",
    "confidentiality": "機密性",
    "integrity": "完全性",
    "availability": "可用性",
    "lease_end": "リース満了日",
    "end_of_support": "保守期限",
    "status": "状態",
    "firmware": "ファームウェア",
}


def row_subject(row: LedgerRow) -> str:
    """Stable subject for a ledger row: its asset number, else its row number."""
    return f"ledger-row:{row.asset_id}" if row.asset_id else f"ledger-row:#{row.row_number}"


class LedgerMandatoryFieldMissing(Check):
    """A row of the asset ledger (情報資産管理台帳) lacks a mandatory field.

    What it checks:
        Every ledger row for the fields listed in the policy's ``ledger.mandatory_fields``
        (by default asset number, kind, location, owning department and confidentiality).

    Why is this bad?:
        The guideline requires every information asset to be classified and to have a responsible
        owner and location. A row without them cannot be reconciled with the network, audited or
        disposed of correctly, and an unclassified asset cannot be placed in the right tier.

    Example:
        A row ``A-0099, スイッチ, 本庁舎 2F, (所管課 empty), 2`` yields one finding for
        ``ledger-row:A-0099`` naming 管理部署.

    Remediation:
        Fill the missing columns in the ledger (台帳の該当列を記入) and re-import it.

    Parameters:
        Configured in the policy under ``ledger.mandatory_fields`` (field names of the ledger model).
    """

    id = "LED-001"
    slug = "ledger-mandatory-field-missing"
    severity = Severity.LOW
    title_ja = "情報資産管理台帳の必須項目の欠落"
    title_en = "Asset ledger row lacks a mandatory field"
    scope = "ledger"
    references = (
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="plan", key="4-1-5"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        mandatory = context.policy.ledger.mandatory_fields
        for row in context.ledger.rows:
            missing = [name for name in mandatory if getattr(row, name, None) in (None, "")]
            if not missing:
                continue
            labels_ja = "、".join(FIELD_LABELS_JA.get(name, name) for name in missing)
            subject = row_subject(row)
            yield self.finding(
                context,
                subject=subject,
                message_en=(
                    f"Ledger row {row.row_number} ({row.asset_id or 'no asset number'}) lacks "
                    f"{', '.join(missing)}."
                ),
                message_ja=(
                    f"台帳 {row.row_number} 行目 ({row.asset_id or '資産番号なし'}) に "
                    f"必須項目 {labels_ja} がありません。"
                ),
                evidence=[
                    EvidenceRef(
                        source="ledger", detail=f"{context.ledger.source}:row {row.row_number}"
                    )
                ],
            )
