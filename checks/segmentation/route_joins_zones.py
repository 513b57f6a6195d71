"""SEG-011: a static route or routing adjacency connects two zones without a policy flow."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from auditor.analysis.network import NetworkView, RouteFact, Support
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES, emit, graded_severity


class RouteJoinsZones(Check):
    """A static route or a route learned from a routing protocol joins two zones with no flow.

    What it checks:
        Routes on routers and L3 switches (not firewalls; connected routes are SEG-005's).
        The *source zones* are the zones of the device's interfaces in the route's VRF (or its
        inventory zones when it has none). The *destination zone* is the zone the prefix lies in;
        for a default or outside route it is the zone of the next hop (plus the Internet zone),
        and a route whose next hop lies in one of the device's own zones or outside every zone (a
        WAN line) is not judged. A source/destination pair with no policy flow in either direction
        is a finding, one per device, route and pair. Static routes are configuration evidence;
        routes learned by OSPF/BGP/RIP are live evidence of a routing adjacency.

    Why is this bad?:
        A route is the plumbing for traffic: a My Number switch with a default route to the
        Internet tier's router, or an LGWAN router that learns Internet prefixes over OSPF, can
        carry traffic between tiers that the policy keeps apart.

    Example:
        ``myn-core-sw1`` has ``ip route 0.0.0.0 0.0.0.0 10.30.255.3`` (an Internet-tier router):
        one finding with subject ``route:0.0.0.0/0#mynumber->internet``; in a VRF the subject is
        ``route:vrf:MYN/0.0.0.0/0#mynumber->internet``.

    Remediation:
        Remove the route (Cisco IOS / Alaxala AX: ``no ip route 0.0.0.0 0.0.0.0 10.30.255.3``;
        Yamaha RTX: ``no ip route default``; NEC IX: ``no ip route default``), filter the routing
        protocol (``distribute-list``), or separate the zones in VRFs.

    Parameters:
        None.
    """

    id = "SEG-011"
    slug = "route-joins-zones"
    severity = Severity.HIGH
    title_ja = "ポリシーにない系間を結ぶ経路"
    title_en = "Route or routing adjacency joins zones without a policy flow"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        for device in sorted(view.routes):
            if view.is_firewall(device):
                continue
            zones_by_vrf: dict[str | None, set[str]] = defaultdict(set)
            for fact in view.l3_interfaces.get(device, []):
                if fact.zone:
                    zones_by_vrf[fact.vrf].add(fact.zone)
            for route in view.routes[device]:
                sources = zones_by_vrf.get(route.vrf) or set(view.device_zones(device))
                for source_zone, destination_zone in self._pairs(view, route, sources):
                    yield self._finding(context, view, route, source_zone, destination_zone)

    @staticmethod
    def _pairs(view: NetworkView, route: RouteFact, sources: set[str]) -> list[tuple[str, str]]:
        if route.destination_zones:
            destinations = set(route.destination_zones)
        elif route.next_hop_zone and route.next_hop_zone not in sources:
            destinations = {route.next_hop_zone}
            # Undeclared space: the zone the route leads to (LGWAN WAN, security cloud …), not
            # "not ours" (docs/segmentation.md, route-led zones).
            outside = view.outside_zone(route.device, route.prefix) if route.external else None
            if outside:
                destinations.add(outside)
        else:
            return []
        return sorted(
            (s, d)
            for s in sources
            for d in destinations
            if s != d and d not in sources and not view.any_flow_between(s, d)
        )

    def _finding(
        self,
        context: AuditContext,
        view: NetworkView,
        route: RouteFact,
        source_zone: str,
        destination_zone: str,
    ) -> Finding:
        support = Support()
        via = f" via {route.next_hop}" if route.next_hop else ""
        support.add(route.kind, route.source, f"{route.protocol} route {route.prefix}{via}")
        kind_en = "routing adjacency" if route.kind == "live" else "static route"
        kind_ja = "動的経路" if route.kind == "live" else "スタティックルート"
        return emit(
            self,
            context,
            device=route.device,
            subject=f"{route.subject}#{source_zone}->{destination_zone}",
            zone=source_zone,
            severity=graded_severity(self, context, view, {source_zone, destination_zone}),
            support=support,
            message_en=(
                f"{route.device} has a {kind_en} ({route.protocol}) to {route.prefix}{via} that "
                f"connects {view.zone_label(source_zone)} to {view.zone_label(destination_zone)}, "
                f"with no policy flow between them"
            ),
            message_ja=(
                f"{route.device} の{kind_ja}({route.protocol}){route.prefix}{via} が "
                f"{view.zone_label(source_zone, 'ja')} と {view.zone_label(destination_zone, 'ja')} "
                f"を結んでいますが、ポリシーにこの系間の通信はありません"
            ),
        )
