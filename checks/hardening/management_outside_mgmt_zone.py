"""HRD-018: the management plane is reachable from outside the management zone."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.policy.models import Zone, ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ._common import judged_management_address, primary_zone, snapshots_in_order


def _inside(network: ipaddress.IPv4Network | ipaddress.IPv6Network, zones: list[Zone]) -> bool:
    for zone in zones:
        for subnet in zone.subnets:
            if network.version == subnet.version and network.subnet_of(subnet):  # type: ignore[arg-type]
                return True
    return False


class ManagementOutsideManagementZone(Check):
    """The device can be managed from outside the management zone.

    What it checks:
        Subject ``address``: the inventory management address is not in a subnet of a
        ``management``-kind zone (roles in ``exempt_roles``, e.g. servers managed in-band, are
        skipped; host names and loopback addresses, as used behind a jump host, are not judged). Subject ``acl:<name>``: the access list bound to the vty lines or to SNMP
        (``vty_access_class``, ``snmp_access_class``, community ACLs) is present in the
        snapshot and permits a source outside the management zone (``any`` included). ACLs not
        in the snapshot are not judged here (HRD-010 reports missing ones).

    Why is this bad?:
        The management plane is the key to every tier. If it is reachable from a business
        tier, a compromised terminal there can attack every switch; 三層の対策 assumes the
        devices themselves are administered only from the management segment.

    Example:
        ``ip access-list standard MGMT-ONLY`` / ``permit 10.99.0.0 0.0.0.255`` / ``permit
        10.30.0.0 0.0.255.255`` yields ``acl:MGMT-ONLY`` (10.30.0.0/16 is the Internet tier).

    Remediation:
        Keep only management-zone sources in the ACL (Cisco / AlaxalA / AW+: ``no permit …``),
        and move the management address into the management VLAN (``interface Vlan99`` /
        ``ip address 10.99.0.x``). Yamaha: ``sshd host 10.99.0.0/24``; FortiGate: ``set
        trusthost1 10.99.0.0/24``; NEC IX: filter on the management interface.

    Parameters:
        ``exempt_roles`` (list of inventory roles, default ``[server, relay]``).
    """

    id = "HRD-018"
    slug = "management-outside-management-zone"
    severity = Severity.HIGH
    title_ja = "管理系以外から管理アクセス可能"
    title_en = "Management plane reachable from outside the management zone"
    scope = "device"

    class Params(CheckParams):
        exempt_roles: list[str] = Field(
            default_factory=lambda: ["server", "relay"],
            description="Inventory roles managed in-band",
        )

    references = (
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="guideline", key="情報システム全体の強靭性の向上"),
        Reference(kind="plan", key="4-1-4"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        exempt = set(self.params(context).exempt_roles)
        management_zones = [z for z in context.policy.zones if z.kind is ZoneKind.MANAGEMENT]
        if not management_zones:
            return
        for name, snapshot in snapshots_in_order(context):
            device = context.inventory.device(name)
            if (
                device is not None
                and device.role not in exempt
                and judged_management_address(device.address)
            ):
                zone = context.policy.zone_of_address(device.address)
                if zone is None or zone.kind is not ZoneKind.MANAGEMENT:
                    where = zone.name_en if zone else "no declared zone"
                    where_ja = zone.name_ja if zone else "どのゾーンにも属さない"
                    yield self.finding(
                        context,
                        device=name,
                        subject="address",
                        zone=primary_zone(context, name),
                        message_en=f"{name} is managed at {device.address} ({where}), not in "
                        "the management zone.",
                        message_ja=f"{name} の管理アドレス {device.address} ({where_ja}) が管理系に"
                        "ありません。",
                        evidence=[EvidenceRef(source="inventory", detail=f"{name}.address")],
                    )
            management = snapshot.management
            bound = {management.vty_access_class, management.snmp_access_class}
            bound |= {c.acl for c in management.snmp_communities or []}
            for acl in snapshot.acls:
                if acl.name not in bound:
                    continue
                outside = [
                    entry
                    for entry in acl.entries
                    if entry.action == "permit"
                    and entry.source_networks is not None  # typed by the platform; None = unknown
                    and not all(_inside(n, management_zones) for n in entry.source_networks)
                ]
                if not outside:
                    continue
                sources = ", ".join(entry.source for entry in outside)
                yield self.finding(
                    context,
                    device=name,
                    subject=f"acl:{acl.name}",
                    zone=primary_zone(context, name),
                    message_en=f"{name}: management ACL {acl.name} permits sources outside the "
                    f"management zone ({sources}).",
                    message_ja=f"{name}: 管理アクセス用 ACL {acl.name} が管理系以外の送信元 "
                    f"({sources}) を許可しています。",
                    evidence=[
                        EvidenceRef(source="ssh", detail=f"acl {acl.name}: {entry.line}")
                        for entry in outside
                    ],
                )
