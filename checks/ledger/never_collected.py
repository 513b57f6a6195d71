"""LED-010: a ledger or inventory device has never been collected (coverage gap)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import fold, primary_zone
from ._observed import LedgerIndex, bare_ip, is_active, resolve_zone
from .missing_mandatory_field import row_subject

NETWORK_KINDS = (
    "スイッチ",
    "ルータ",
    "ルーター",
    "ファイアウォール",
    "UTM",
    "アクセスポイント",
    "無線AP",
    "無線LAN",
    "switch",
    "router",
    "firewall",
    "access point",
)


class NeverCollected(Check):
    """A device the city owns or lists has never been audited.

    What it checks:
        Inventory devices with no snapshot in this run and none stored from earlier runs
        (subject ``never-collected``). Active ledger rows whose kind is a network device
        (``network_kinds``: スイッチ, ルータ, ファイアウォール, アクセスポイント …) that match no
        inventory device by asset number, host name or address (subject
        ``ledger-row:<asset>:not-in-inventory``): the auditor was never told to poll them.

    Why is this bad?:
        A compliance report is only as complete as its coverage. A device that was never
        collected has no findings at all, which reads like "compliant" in a summary; it must
        appear as a gap so that nobody mistakes silence for a pass.

    Example:
        The ledger lists ``A-0093 hinanjo-ap2 アクセスポイント 稼働`` but the inventory has no such
        device: ``ledger-row:A-0093:not-in-inventory``.

    Remediation:
        Add the device to ``inventory/`` with its credentials (by reference) and check that
        the auditor reaches it; or correct the ledger if the device is gone.

    Parameters:
        ``network_kinds`` (list): ledger kinds expected in the inventory.
    """

    id = "LED-010"
    slug = "never-collected"
    severity = Severity.MEDIUM
    title_ja = "一度も収集されていない機器 (監査対象の欠落)"
    title_en = "Ledger or inventory device never collected"
    scope = "network"
    needs = frozenset({"live"})

    class Params(CheckParams):
        network_kinds: list[str] = Field(
            default_factory=lambda: list(NETWORK_KINDS), description="Ledger kinds to poll"
        )

    references = (
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-1-5"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        history = context.history
        for device in context.inventory.devices:
            name = device.name
            if name in context.snapshots or name in history.previous_snapshots:
                continue
            if history.snapshot_history.get(name) or name in history.last_success:
                continue
            yield self.finding(
                context,
                device=name,
                subject="never-collected",
                zone=primary_zone(context, name),
                message_en=f"{name} ({device.address}) is in the inventory but has never been "
                "collected: nothing is known about its compliance.",
                message_ja=f"{name} ({device.address}) は機器一覧にありますが一度も収集できて"
                "いません。準拠状況は不明です。",
                evidence=[EvidenceRef(source="inventory", detail=f"devices[{name}]")],
            )
        kinds = [fold(kind) for kind in self.params(context).network_kinds]
        addresses = {device.address for device in context.inventory.devices}
        assets = {device.asset_id for device in context.inventory.devices if device.asset_id}
        names = {fold(device.name) for device in context.inventory.devices}
        index = LedgerIndex(context.ledger.rows)
        for row in index.rows:
            if not row.kind or not is_active(row) or not any(k in fold(row.kind) for k in kinds):
                continue
            if row.asset_id in assets or (row.hostname and fold(row.hostname) in names):
                continue
            if bare_ip(row.ip) in addresses:
                continue
            zone = resolve_zone(context.policy, row.zone)
            label = f"{row.asset_id or row.row_number} {row.hostname or row.name or ''}".strip()
            yield self.finding(
                context,
                subject=f"{row_subject(row)}:not-in-inventory",
                zone=zone.id if zone else None,
                message_en=f"Ledger {row.kind} {label} is in use but not in the inventory: "
                "it is never audited.",
                message_ja=f"台帳の{row.kind} {label} は稼働中ですが機器一覧になく、監査されていません。",
                evidence=[
                    EvidenceRef(
                        source="ledger", detail=f"{context.ledger.source}:row {row.row_number}"
                    )
                ],
            )
