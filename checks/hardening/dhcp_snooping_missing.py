"""HRD-014: DHCP snooping or dynamic ARP inspection is off where the policy requires it."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    is_access_port,
    management_evidence,
    snapshots_in_order,
    unknown_fact,
)


class DhcpSnoopingMissing(Check):
    """An access switch of a listed zone runs without DHCP snooping or ARP inspection.

    What it checks:
        Devices with an enabled access port in a VLAN of a zone listed in ``zones`` (default
        ``[mynumber]``): ``management.dhcp_snooping`` off is reported as ``dhcp-snooping`` and
        ``management.arp_inspection`` off as ``arp-inspection``. Unknown values are reported not
        applicable.

    Why is this bad?:
        Without DHCP snooping a rogue DHCP server (a home router plugged in by mistake, or an
        attacker) hands out its own gateway and DNS; without ARP inspection any host can claim
        the gateway's address. Both turn one terminal into a man in the middle for the whole
        VLAN (業務外ネットワーク接続・不正接続対策).

    Example:
        An AW+ access switch in the My Number tier without ``ip dhcp snooping`` yields
        ``dhcp-snooping`` and ``arp-inspection``.

    Remediation:
        Cisco IOS: ``ip dhcp snooping`` / ``ip dhcp snooping vlan 10-19`` / ``ip arp
        inspection vlan 10-19``; ``ip dhcp snooping trust`` on uplinks. AlaxalA AX:
        ``ip dhcp snooping`` / ``ip dhcp snooping vlan 10-19`` / ``ip arp inspection vlan``.
        AW+: ``service dhcp-snooping`` / ``ip dhcp snooping`` on the VLAN interface /
        ``arp security`` (syntax unverified).

    Parameters:
        ``zones`` (list of zone ids, default ``[mynumber]``); ``require_arp_inspection`` (bool,
        default true).
    """

    id = "HRD-014"
    slug = "dhcp-snooping-missing"
    severity = Severity.MEDIUM
    title_ja = "DHCP スヌーピング・ARP インスペクション未設定"
    title_en = "DHCP snooping or ARP inspection absent where required"
    scope = "device"

    class Params(CheckParams):
        zones: list[str] = Field(
            default_factory=lambda: ["mynumber"],
            description="Zone ids whose access switches need them",
        )
        require_arp_inspection: bool = Field(
            True, description="Also require dynamic ARP inspection"
        )

    references = (
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="plan", key="4-1-6"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        zone_ids = set(params.zones)
        zones = [z for z in (context.policy.zone(i) for i in zone_ids) if z is not None]
        features = [("dhcp-snooping", "dhcp_snooping", "DHCP snooping", "DHCP スヌーピング")]
        if params.require_arp_inspection:
            features.append(
                ("arp-inspection", "arp_inspection", "ARP inspection", "ARP インスペクション")
            )
        for name, snapshot in snapshots_in_order(context):
            served = [
                zone
                for zone in zones
                if any(
                    is_access_port(i)
                    and i.access_vlan is not None
                    and zone.has_vlan(i.access_vlan)
                    and i.admin_up is not False
                    for i in snapshot.interfaces
                )
            ]
            if not served:
                continue
            for subject, attribute, label_en, label_ja in features:
                value = getattr(snapshot.management, attribute)
                if value is None:
                    yield unknown_fact(self, context, name, f"management.{attribute}")
                    continue
                if value:
                    continue
                yield self.finding(
                    context,
                    device=name,
                    subject=subject,
                    zone=served[0].id,
                    message_en=f"{name} serves access ports in {served[0].name_en} without "
                    f"{label_en}.",
                    message_ja=f"{name} は {served[0].name_ja} のアクセスポートを収容していますが "
                    f"{label_ja} が無効です。",
                    evidence=[management_evidence(snapshot, attribute)],
                )
