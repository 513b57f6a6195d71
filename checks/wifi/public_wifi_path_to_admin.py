"""WIFI-002: a route or a permit leads from the public Wi-Fi into an administrative zone."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.services import Service
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import Zone
from auditor.rules import AuditContext, Check

from ..hardening._common import interface_vlans, snapshots_in_order
from ._zones import (
    AdminZoneParams,
    Network,
    configured_admin_zones,
    network_of,
    overlapping,
    overlaps,
    public_zones,
    zone_of_address_in,
    zone_of_vlan_in,
)

DEFAULT_ROUTES = {"0.0.0.0/0", "::/0"}


def _wifi_interfaces(snapshot: DeviceSnapshot, public: list[Zone]) -> set[str]:
    names = set()
    for interface in snapshot.interfaces:
        if any(zone_of_address_in(public, a) for a in interface.addresses) or any(
            zone_of_vlan_in(public, v) for v in interface_vlans(interface)
        ):
            names.add(interface.name)
    return names


class PublicWifiPathToAdmin(Check):
    """The public Wi-Fi can reach an administrative zone through a route, an ACL or a firewall
    policy.

    What it checks:
        On every device: (1) an L3 interface in a public Wi-Fi subnet and another in an
        administrative zone's subnet in the same VRF: the device routes between them (subject
        ``interface:<admin interface>``); (2) on such a device, a static route to an
        administrative subnet (``route:<prefix>``); (3) the first matching entry of an ACL bound
        inbound to a public Wi-Fi interface, for Wi-Fi sources and an administrative
        destination, is a permit (``acl:<name>:<seq>``); (4) the first matching firewall policy
        for the same traffic accepts (``policy:<id>``). ``any``/``all`` destinations count as
        reaching every zone.

    Why is this bad?:
        Anyone in the shelter can join 00000JAPAN. A routed path from it into LGWAN or the My
        Number tier turns a public hotspot into a way into the city's business systems. The
        public Wi-Fi must egress only to the Internet over its own line (計画 4-3-3).

    Example:
        Shelter router ``lan1`` 172.16.0.1/20 (Wi-Fi) and ``lan1.22`` 10.20.23.1/24 (LGWAN) on
        the same router without a filter: ``interface:lan1.22``.

    Remediation:
        Terminate the public Wi-Fi on a separate router or VRF with only an Internet route:
        Yamaha RTX separate ``ip filter`` with ``ip lan1 secure filter in`` rejecting
        10.0.0.0/8, or a dedicated router; Cisco ``vrf definition PUBLIC`` + ``vrf forwarding
        PUBLIC``; FortiGate: deny policies from the Wi-Fi interface to internal interfaces;
        NEC IX ``ip vrf``/``ip filter`` on the Wi-Fi interface.

    Parameters:
        ``admin_zone_kinds`` (list, default mynumber/lgwan/internet/sanitizer/education).
    """

    id = "WIFI-002"
    slug = "public-wifi-path-to-admin"
    severity = Severity.CRITICAL
    title_ja = "公衆無線LAN から行政系への経路・許可ルール"
    title_en = "Route or permit from public Wi-Fi into an administrative zone"
    scope = "device"
    Params = AdminZoneParams
    references = (
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="plan", key="4-3-3"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        public = public_zones(context.policy)
        admin = configured_admin_zones(self.params(context), context)
        if not public or not admin:
            return
        wifi_nets: list[Network] = [s for z in public for s in z.subnets]
        for name, snapshot in snapshots_in_order(context):
            wifi_ifs = _wifi_interfaces(snapshot, public)
            yield from self._connected(context, name, snapshot, public, admin)
            if wifi_ifs:
                yield from self._acls(context, name, snapshot, wifi_ifs, wifi_nets, admin)
            yield from self._policies(context, name, snapshot, wifi_ifs, wifi_nets, admin)

    def _connected(
        self,
        context: AuditContext,
        name: str,
        snapshot: DeviceSnapshot,
        public: list[Zone],
        admin: list[Zone],
    ) -> Iterator[Finding]:
        wifi_vrfs = {
            i.vrf
            for i in snapshot.interfaces
            if any(zone_of_address_in(public, a) for a in i.addresses)
        }
        if not wifi_vrfs:
            return
        for interface in snapshot.interfaces:
            if interface.vrf not in wifi_vrfs:
                continue
            zone = next(
                (z for a in interface.addresses if (z := zone_of_address_in(admin, a))), None
            )
            if zone is None:
                continue
            yield self.finding(
                context,
                device=name,
                subject=f"interface:{interface.name}",
                zone=public[0].id,
                message_en=f"{name} routes between the public Wi-Fi and {zone.name_en} "
                f"({interface.name} {', '.join(interface.addresses)}) in one routing table.",
                message_ja=f"{name} が公衆無線LAN と {zone.name_ja} ({interface.name} "
                f"{', '.join(interface.addresses)}) を同じ経路表でルーティングしています。",
                evidence=[EvidenceRef(source="snmp", detail=f"ipAddrTable {interface.name}")],
            )
        for route in snapshot.routes:
            if route.prefix in DEFAULT_ROUTES or route.vrf not in wifi_vrfs:
                continue
            network = network_of(route.prefix)
            zone = overlapping(network, admin) if network is not None else None
            if zone is None:
                continue
            yield self.finding(
                context,
                device=name,
                subject=f"route:{route.prefix}",
                zone=public[0].id,
                message_en=f"{name}, which serves the public Wi-Fi, has a route to "
                f"{route.prefix} ({zone.name_en}).",
                message_ja=f"公衆無線LAN を収容する {name} に {zone.name_ja} ({route.prefix}) への"
                "経路があります。",
                evidence=[EvidenceRef(source="ssh", detail=f"route {route.prefix}")],
            )

    def _acls(
        self,
        context: AuditContext,
        name: str,
        snapshot: DeviceSnapshot,
        wifi_ifs: set[str],
        wifi_nets: list[Network],
        admin: list[Zone],
    ) -> Iterator[Finding]:
        for acl in snapshot.acls:
            bound = {b.interface for b in acl.applied if b.direction == "in"}
            bound |= {i.name for i in snapshot.interfaces if i.acl_in == acl.name}
            if not bound & wifi_ifs:
                continue
            for zone in admin:
                for target in zone.subnets:
                    for entry in acl.entries:
                        if entry.action == "remark":
                            continue
                        # Typed by the platform parser; unknown addresses are not judged here.
                        sources = entry.source_networks
                        destinations = entry.destination_networks
                        if sources is None or destinations is None:
                            continue
                        if not any(overlaps(s, w) for s in sources for w in wifi_nets):
                            continue
                        if not any(overlaps(d, target) for d in destinations):
                            continue
                        if entry.action == "permit":
                            yield self.finding(
                                context,
                                device=name,
                                subject=f"acl:{acl.name}:{entry.sequence}",
                                zone=zone.id,
                                message_en=f"{name} ACL {acl.name} on the public Wi-Fi permits "
                                f"{zone.name_en} ({target}): {entry.line or entry.destination}.",
                                message_ja=f"{name} の公衆無線LAN 側 ACL {acl.name} が {zone.name_ja}"
                                f" ({target}) への通信を許可しています: {entry.line}",
                                evidence=[
                                    EvidenceRef(
                                        source="ssh", detail=f"acl {acl.name}: {entry.line}"
                                    )
                                ],
                            )
                        elif entry.service != Service.any():
                            continue  # a deny of some services (or of unknown ones) stops nothing
                        break

    def _policies(
        self,
        context: AuditContext,
        name: str,
        snapshot: DeviceSnapshot,
        wifi_ifs: set[str],
        wifi_nets: list[Network],
        admin: list[Zone],
    ) -> Iterator[Finding]:
        reported: set[str] = set()
        for zone in admin:
            for target in zone.subnets:
                for policy in snapshot.firewall_policies:
                    if not policy.enabled:
                        continue
                    from_wifi = bool(set(policy.source_interfaces) & wifi_ifs) or any(
                        n.prefixlen > 0 and any(overlaps(n, w) for w in wifi_nets)
                        for n in policy.source_networks or []
                    )
                    if not from_wifi:
                        continue
                    if not any(overlaps(n, target) for n in policy.destination_networks or []):
                        continue  # unknown destinations are not judged here
                    if policy.action == "accept" and policy.policy_id not in reported:
                        reported.add(policy.policy_id)
                        yield self.finding(
                            context,
                            device=name,
                            subject=f"policy:{policy.policy_id}",
                            zone=zone.id,
                            message_en=f"{name} firewall policy {policy.policy_id} accepts "
                            f"traffic from the public Wi-Fi to {zone.name_en} ({target}).",
                            message_ja=f"{name} のファイアウォールポリシー {policy.policy_id} が"
                            f"公衆無線LAN から {zone.name_ja} ({target}) への通信を許可しています。",
                            evidence=[
                                EvidenceRef(
                                    source="ssh",
                                    detail=f"policy {policy.policy_id}: {policy.line or policy.name}",
                                )
                            ],
                        )
                    break
