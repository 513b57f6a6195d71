"""SEG-011: a static route or routing adjacency connects two zones without a policy flow."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.matrix import routes_joining_zones, unfiltered_routes
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
        # The same routes the zone matrix shows as "permitted by route" when nothing filters them.
        unfiltered = {(p.device, p.subject): p.interfaces for p in unfiltered_routes(view)}
        for route, source_zone, destination_zone in routes_joining_zones(view):
            ingress = unfiltered.get(
                (route.device, f"{route.subject}#{source_zone}->{destination_zone}")
            )
            yield self._finding(context, view, route, source_zone, destination_zone, ingress)

    def _finding(
        self,
        context: AuditContext,
        view: NetworkView,
        route: RouteFact,
        source_zone: str,
        destination_zone: str,
        ingress: tuple[str, ...] | None,
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
                f"with no policy flow between them; "
                + (
                    f"no inbound ACL filters it on {', '.join(ingress)}"
                    if ingress
                    else "an inbound ACL on the way may filter it"
                )
            ),
            message_ja=(
                f"{route.device} の{kind_ja}({route.protocol}){route.prefix}{via} が "
                f"{view.zone_label(source_zone, 'ja')} と {view.zone_label(destination_zone, 'ja')} "
                f"を結んでいますが、ポリシーにこの系間の通信はありません。"
                + (
                    f"{', '.join(ingress)} に受信 ACL はなく、フィルタされていません"
                    if ingress
                    else "経路上の受信 ACL でフィルタされている可能性があります"
                )
            ),
        )
