"""The zone-to-zone matrix: what the policy allows, what the configuration permits, what was seen.

For every ordered pair of zones it answers three questions side by side — allowed by policy (flows
and their services), permitted by configuration (ACL lines, firewall policies, unfiltered routing
between L3 interfaces) and observed in traffic (empty until traffic analysis fills it) — and for
every permit whether it stays inside the policy. The segmentation checks and ``auditor matrix``
read the same computation, so the table and the findings never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from auditor.analysis.layer3 import L3Interface, RouteFact
from auditor.analysis.network import NetworkView
from auditor.analysis.permits import RuleFact
from auditor.analysis.services import ANY_SERVICE, ServiceRange
from auditor.analysis.zones import Network
from auditor.policy.models import Flow, Policy, ZoneKind

PermitKind = Literal["acl", "fw", "l3", "route"]


@dataclass(frozen=True)
class PermitPortion:
    """The part of one permit that lets traffic from one zone reach another."""

    device: str
    kind: PermitKind
    subject: str  # acl:NAME:SEQ#a->b, fw:ID#a->b, l3:a+b
    line: str
    source_zone: str
    destination_zone: str
    source_networks: tuple[Network, ...] | None  # None: the whole source zone
    destination_networks: tuple[Network, ...] | None  # None: the whole destination zone
    services: tuple[ServiceRange, ...]
    evidence_source: str
    interfaces: tuple[str, ...] = ()
    destination_fqdns: tuple[str, ...] = ()  # the destination is these DNS names (FQDN objects)


@dataclass(frozen=True)
class Judgement:
    """A permit compared with the policy: ``within_policy`` or why not."""

    portion: PermitPortion
    within_policy: bool
    uncovered_services: tuple[ServiceRange, ...]
    reason_en: str
    reason_ja: str


@dataclass
class AllowedFlow:
    flow_id: str | None
    services: list[str]
    via: list[str]
    destinations: list[str]
    description: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "flow_id": self.flow_id,
            "services": self.services,
            "via": self.via,
            "destinations": self.destinations,
            "description": self.description,
        }


@dataclass
class PermitEntry:
    device: str
    kind: PermitKind
    subject: str
    line: str
    services: list[str]
    destinations: list[str] | None
    within_policy: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "kind": self.kind,
            "subject": self.subject,
            "line": self.line,
            "services": self.services,
            "destinations": self.destinations,
            "within_policy": self.within_policy,
        }


@dataclass
class ObservedFlow:
    """Traffic seen between two zones (filled by traffic analysis; empty until then)."""

    services: list[str]
    packets: int = 0
    bytes: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "services": self.services,
            "packets": self.packets,
            "bytes": self.bytes,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "evidence": self.evidence,
        }


@dataclass
class ZoneCell:
    """One ordered zone pair."""

    source: str
    destination: str
    allowed: list[AllowedFlow] = field(default_factory=list)
    permitted: list[PermitEntry] = field(default_factory=list)
    observed: list[ObservedFlow] = field(default_factory=list)
    path: dict[str, Any] | None = None
    """Reachable by path (:func:`add_reachability`): status, services, violations, why unknown.
    ``None`` in matrices stored before the column existed."""

    @property
    def path_status(self) -> str | None:
        """``reachable``, ``not-reachable``, ``unknown`` or ``None`` (not computed)."""
        return None if self.path is None else str(self.path.get("status"))

    @property
    def path_violation(self) -> bool:
        """A multi-hop path reaches the destination beyond the policy (SEG-013's finding)."""
        return bool(self.path and self.path.get("violations"))

    @property
    def allowed_by_policy(self) -> bool:
        return bool(self.allowed)

    @property
    def permitted_by_config(self) -> bool:
        return bool(self.permitted)

    @property
    def observed_in_traffic(self) -> bool:
        return bool(self.observed)

    @property
    def status(self) -> str:
        """``excess`` (a permit beyond policy), ``ok``, ``not-permitted`` (allowed, no permit),
        ``denied`` (neither allowed nor permitted)."""
        if any(not entry.within_policy for entry in self.permitted):
            return "excess"
        if self.allowed and not self.permitted:
            return "not-permitted"
        if self.allowed or self.permitted:
            return "ok"
        return "denied"

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.destination,
            "status": self.status,
            "allowed_by_policy": [flow.to_json() for flow in self.allowed],
            "permitted_by_config": [entry.to_json() for entry in self.permitted],
            "observed_in_traffic": [flow.to_json() for flow in self.observed],
            "reachable_by_path": self.path,
        }


@dataclass
class ZoneMatrix:
    zones: list[str]
    cells: dict[tuple[str, str], ZoneCell]

    def cell(self, source: str, destination: str) -> ZoneCell:
        return self.cells[(source, destination)]

    def add_observed(self, source: str, destination: str, flow: ObservedFlow) -> None:
        """Traffic analysis records what it saw between two zones."""
        self.cells[(source, destination)].observed.append(flow)

    def to_json(self) -> dict[str, Any]:
        return {
            "zones": self.zones,
            "cells": [
                self.cells[(a, b)].to_json() for a in self.zones for b in self.zones if a != b
            ],
        }


def zone_matrix_from_json(data: Mapping[str, Any]) -> ZoneMatrix:
    """Rebuild the matrix a run stored (``ZoneMatrix.to_json``) without recomputing anything."""
    zones = [str(zone) for zone in data["zones"]]
    cells = {(a, b): ZoneCell(a, b) for a in zones for b in zones if a != b}
    for item in data["cells"]:
        cell = cells.setdefault(
            (item["from"], item["to"]), ZoneCell(str(item["from"]), str(item["to"]))
        )
        cell.allowed = [AllowedFlow(**flow) for flow in item.get("allowed_by_policy", [])]
        cell.permitted = [PermitEntry(**entry) for entry in item.get("permitted_by_config", [])]
        cell.observed = [ObservedFlow(**flow) for flow in item.get("observed_in_traffic", [])]
        path = item.get("reachable_by_path")  # absent in matrices stored before the column
        cell.path = dict(path) if isinstance(path, Mapping) else None
    return ZoneMatrix(zones=zones, cells=cells)


# --------------------------------------------------------------------------------------------
# Computation


def zone_matrix(view: NetworkView, policy: Policy | None = None) -> ZoneMatrix:
    """Build the matrix for a run's view (``policy`` defaults to the view's own)."""
    policy = policy or view.policy
    zones = [zone.id for zone in policy.zones]
    cells = {(a, b): ZoneCell(a, b) for a in zones for b in zones if a != b}
    for flow in policy.flows_in_force():  # a flow the edition rules out is not allowed
        cell = cells.get((flow.from_, flow.to))
        if cell is not None:
            cell.allowed.append(
                AllowedFlow(
                    flow_id=flow.id,
                    services=list(flow.services),
                    via=list(flow.via),
                    destinations=list(flow.destinations),
                    description=flow.description,
                )
            )
    listed: set[tuple[str, str, str, str]] = set()
    for judgement in judge_permits(view):
        portion = judgement.portion
        cell = cells.get((portion.source_zone, portion.destination_zone))
        key = (portion.device, portion.subject, portion.source_zone, portion.destination_zone)
        if cell is None or key in listed:
            continue  # an ACL bound to several interfaces is listed once
        listed.add(key)
        cell.permitted.append(
            PermitEntry(
                device=portion.device,
                kind=portion.kind,
                subject=portion.subject,
                line=portion.line,
                services=[str(service) for service in portion.services],
                destinations=(
                    list(portion.destination_fqdns)
                    if portion.destination_fqdns
                    else None
                    if portion.destination_networks is None
                    else [str(n) for n in portion.destination_networks]
                ),
                within_policy=judgement.within_policy,
            )
        )
    return ZoneMatrix(zones=zones, cells=cells)


PATH_WHY_LIMIT = 10


def add_reachability(matrix: ZoneMatrix, view: NetworkView) -> None:
    """Fill the fourth column, "reachable by path", from the run's reachability verdicts.

    The verdicts are memoized on the view, so a run whose SEG-013 already searched every pair
    pays nothing more. Each cell keeps its status, the services reachable or unknown, the
    violating services with their reason and hop trace, one witnessing trace and why a service
    is unknown (the gaps, at most ``PATH_WHY_LIMIT``).
    """
    from auditor.analysis.reachability.verdicts import reachability

    verdicts = reachability(view)
    for (source, destination), cell in matrix.cells.items():
        verdict = verdicts.get((source, destination))
        if verdict is None:
            cell.path = {
                "status": "unknown",
                "reachable_services": [],
                "unknown_services": [],
                "violations": [],
                "witness": None,
                "why": ["a zone of the pair declares no networks"],
            }
            continue
        reachable = [r for r in verdict.results if r.status == "reachable"]
        cell.path = {
            "status": verdict.status,
            "reachable_services": [str(r.service) for r in reachable],
            "unknown_services": [str(r.service) for r in verdict.results if r.status == "unknown"],
            "violations": [
                {"service": str(r.service), "reason": r.violation, "trace": _trace(r)}
                for r in verdict.violations
            ],
            "witness": _trace(reachable[0]) if reachable else None,
            "why": verdict.gaps[:PATH_WHY_LIMIT],
        }


def _trace(result: Any) -> str:
    path = result.path
    if path is None:
        return ""
    hops = " → ".join(f"{h.device}[{h.ingress or '-'}→{h.egress or '-'}]" for h in path.hops)
    return f"{hops} ({path.exit})"


def judge_permits(view: NetworkView) -> list[Judgement]:
    """Every permit portion of the run compared with the policy (memoized on the view)."""
    cached = view.derived.get("judgements")
    if cached is not None:
        judgements: list[Judgement] = cached
        return judgements
    judgements = [judge(view, portion) for portion in permit_portions(view)]
    view.derived["judgements"] = judgements
    return judgements


def permit_portions(view: NetworkView) -> list[PermitPortion]:
    """Split every effective permit into one portion per zone pair it lets through."""
    portions: list[PermitPortion] = []
    for device in sorted(view.rules):
        portions.extend(_rule_portions(view, device, view.rules[device]))
    for device in sorted(view.l3_interfaces):
        portions.extend(unfiltered_routing(view, device))
    portions.extend(unfiltered_routes(view))
    return portions


def routes_joining_zones(view: NetworkView) -> list[tuple[RouteFact, str, str]]:
    """(route, source zone, destination zone) for routes that join zones with no policy flow
    either way (routers and L3 switches; SEG-011 reports each, the matrix shows the unfiltered).

    The source zones are the zones of the device's interfaces in the route's VRF (or its
    inventory zones); the destination is the prefix's zone, or for a default/outside route the
    next hop's zone (plus the outside) unless the next hop lies in one of the source zones.
    """
    joined: list[tuple[RouteFact, str, str]] = []
    for device in sorted(view.routes):
        if view.is_firewall(device):
            continue
        zones_by_vrf: dict[str | None, set[str]] = defaultdict(set)
        for fact in view.l3_interfaces.get(device, []):
            if fact.zone:
                zones_by_vrf[fact.vrf].add(fact.zone)
        for route in view.routes[device]:
            sources = zones_by_vrf.get(route.vrf) or set(view.device_zones(device))
            if route.destination_zones:
                destinations = set(route.destination_zones)
            elif route.next_hop_zone and route.next_hop_zone not in sources:
                destinations = {route.next_hop_zone}
                # Undeclared space: the zone the route leads to (LGWAN WAN, security cloud …),
                # not "not ours" (docs/segmentation.md, route-led zones).
                outside = view.outside_zone(route.device, route.prefix) if route.external else None
                if outside:
                    destinations.add(outside)
            else:
                continue
            joined.extend(
                (route, s, d)
                for s, d in sorted((s, d) for s in sources for d in destinations)
                if s != d and d not in sources and not view.any_flow_between(s, d)
            )
    return joined


def unfiltered_routes(view: NetworkView) -> list[PermitPortion]:
    """Routes joining zones (:func:`routes_joining_zones`) that no ACL filters on the way in.

    The traffic enters on an interface of the source zone (in the route's VRF) with no inbound
    ACL; the route is the evidence, so the matrix shows the pair as permitted by routing.
    """
    portions: list[PermitPortion] = []
    for route, source_zone, destination_zone in routes_joining_zones(view):
        ingress = [
            fact
            for fact in view.l3_interfaces.get(route.device, [])
            if fact.zone == source_zone
            and fact.vrf == route.vrf
            and fact.acl_in is None
            and fact.admin_up is not False
        ]
        if not ingress:
            continue
        via = f" via {route.next_hop}" if route.next_hop else ""
        portions.append(
            PermitPortion(
                device=route.device,
                kind="route",
                subject=f"{route.subject}#{source_zone}->{destination_zone}",
                line=f"{route.protocol} route {route.prefix}{via}",
                source_zone=source_zone,
                destination_zone=destination_zone,
                source_networks=None,
                destination_networks=(route.prefix,),
                services=(ANY_SERVICE,),
                evidence_source=route.source,
                interfaces=tuple(sorted({fact.interface for fact in ingress})),
            )
        )
    return portions


def _rule_portions(
    view: NetworkView, device: str, rules: list[RuleFact]
) -> Iterable[PermitPortion]:
    by_group: dict[str, list[RuleFact]] = defaultdict(list)
    for rule in rules:
        by_group[rule.group].append(rule)
    for group_rules in by_group.values():
        group_rules.sort(key=lambda rule: rule.position)
        denies: list[RuleFact] = []
        for rule in group_rules:
            if rule.action == "deny":
                denies.append(rule)
                continue
            for source_zone in sorted(rule.source_zones):
                for destination_zone in sorted(rule.destination_zones):
                    if source_zone == destination_zone:
                        continue
                    destinations = _restrict(
                        view, rule.destination_networks, destination_zone, device
                    )
                    sources = _restrict(view, rule.source_networks, source_zone)
                    if destinations == () or sources == ():
                        continue
                    if any(
                        _deny_covers(view, deny, source_zone, destination_zone, destinations, rule)
                        for deny in denies
                    ):
                        continue
                    yield PermitPortion(
                        device=device,
                        kind=rule.kind,
                        subject=rule.subject(source_zone, destination_zone),
                        line=rule.line,
                        source_zone=source_zone,
                        destination_zone=destination_zone,
                        source_networks=sources,
                        destination_networks=destinations,
                        services=rule.services,
                        evidence_source=rule.source,
                        destination_fqdns=rule.destination_fqdns,
                    )


def _restrict(
    view: NetworkView,
    networks: tuple[Network, ...] | None,
    zone_id: str,
    device: str | None = None,
) -> tuple[Network, ...] | None:
    """The part of ``networks`` inside a zone. Undeclared space counts as the zone ``device``'s
    route leads it to (``outside_zone``), else the external zone."""
    if networks is None:
        return None
    subnets = view.zone_networks(zone_id)
    kept: list[Network] = []
    for network in networks:
        for subnet in subnets:
            if network.version != subnet.version or not network.overlaps(subnet):
                continue
            kept.append(network if network.num_addresses <= subnet.num_addresses else subnet)
        if view.zones_of_networks((network,)).external and zone_id == view.outside_zone(
            device, network
        ):
            kept.append(network)
    return tuple(dict.fromkeys(kept))


def _within(inner: Iterable[Network], outer: Iterable[Network]) -> bool:
    outer_list = list(outer)
    return all(
        any(n.version == o.version and n.subnet_of(o) for o in outer_list)  # type: ignore[arg-type]
        for n in inner
    )


def _deny_covers(
    view: NetworkView,
    deny: RuleFact,
    source_zone: str,
    destination_zone: str,
    destinations: tuple[Network, ...] | None,
    permit: RuleFact,
) -> bool:
    """An earlier deny that removes this whole zone pair (for every service) from the permit.

    A deny whose services or addresses are unknown removes nothing: the permit is judged as it
    is written.
    """
    if not deny.services_known or not deny.addresses_known:
        return False
    if source_zone not in deny.source_zones or destination_zone not in deny.destination_zones:
        return False
    if deny.source_networks is not None and not _within(
        view.zone_networks(source_zone), deny.source_networks
    ):
        return False
    if deny.destination_networks is not None:
        target = destinations if destinations is not None else view.zone_networks(destination_zone)
        if destinations is None and destination_zone == view.external_zone:
            return False  # the outside is never fully covered by a finite deny
        if not _within(target, deny.destination_networks):
            return False
    return all(any(d.covers(s) for d in deny.services) for s in permit.services)


def unfiltered_routing(view: NetworkView, device: str) -> list[PermitPortion]:
    """Zone pairs that a router or L3 switch connects with no ACL on the way (not firewalls)."""
    if view.is_firewall(device):
        return []
    by_vrf: dict[str | None, dict[str, list[L3Interface]]] = defaultdict(lambda: defaultdict(list))
    for fact in view.l3_interfaces.get(device, []):
        if fact.zone is not None and fact.admin_up is not False:
            by_vrf[fact.vrf][fact.zone].append(fact)
    portions: list[PermitPortion] = []
    for zones in by_vrf.values():
        for source_zone in sorted(zones):
            for destination_zone in sorted(zones):
                if source_zone == destination_zone:
                    continue
                ingress = [i for i in zones[source_zone] if i.acl_in is None]
                egress = [i for i in zones[destination_zone] if i.acl_out is None]
                if not ingress or not egress:
                    continue
                pair = "+".join(sorted((source_zone, destination_zone)))
                names = tuple(sorted({i.interface for i in (*ingress, *egress)}))
                portions.append(
                    PermitPortion(
                        device=device,
                        kind="l3",
                        subject=f"l3:{pair}",
                        line=f"routing {ingress[0].interface} -> {egress[0].interface}",
                        source_zone=source_zone,
                        destination_zone=destination_zone,
                        source_networks=None,
                        destination_networks=None,
                        services=(ANY_SERVICE,),
                        evidence_source=ingress[0].source,
                        interfaces=names,
                    )
                )
    return portions


# --------------------------------------------------------------------------------------------
# Judging a permit against the policy


def judge(view: NetworkView, portion: PermitPortion) -> Judgement:
    flows = view.flows(portion.source_zone, portion.destination_zone)
    if view.is_mynumber(portion.source_zone):
        allowed_targets = view.resolve_targets(view.policy.mynumber_destinations)
        if (
            portion.destination_networks is None
            or not allowed_targets
            or not _within(portion.destination_networks, allowed_targets)
        ):
            names = ", ".join(view.policy.mynumber_destinations) or "none"
            return Judgement(
                portion,
                False,
                portion.services,
                f"destinations reach beyond the My Number destinations ({names})",
                f"宛先がマイナンバー系の許可宛先({names})を超えている",
            )
    if portion.destination_fqdns:
        return _judge_fqdns(view, portion, flows)
    uncovered = tuple(
        service for service in portion.services if not _covered(view, portion, service, flows)
    )
    if not uncovered:
        return Judgement(portion, True, (), "within policy", "ポリシーの範囲内")
    if not flows:
        return Judgement(
            portion,
            False,
            uncovered,
            "the policy allows no flow between these zones",
            "ポリシーはこのゾーン間の通信を許可していない",
        )
    described = "; ".join(_describe_flow(flow) for flow in flows)
    return Judgement(
        portion,
        False,
        uncovered,
        f"broader than the allowed flow(s) {described}",
        f"許可された通信 {described} より広い",
    )


def _covered(
    view: NetworkView, portion: PermitPortion, service: ServiceRange, flows: list[Flow]
) -> bool:
    for flow in flows:
        if not any(ServiceRange.parse(s).covers(service) for s in flow.services):
            continue
        if flow.destinations:
            targets = view.resolve_targets(flow.destinations)
            if portion.destination_networks is None or not _within(
                portion.destination_networks, targets
            ):
                continue
        if flow.via:
            relays = view.resolve_targets(flow.via)
            through_relay = (
                portion.source_networks is not None and _within(portion.source_networks, relays)
            ) or (
                portion.destination_networks is not None
                and _within(portion.destination_networks, relays)
            )
            if not through_relay:
                continue
        return True
    return _local_breakout(view, portion)


def _local_breakout(view: NetworkView, portion: PermitPortion) -> bool:
    """α′: the LGWAN tier may reach the listed cloud services directly (policy ``lbo_services``)."""
    services = getattr(view.policy, "lbo_services", None) or []
    source = view.zones.get(portion.source_zone)
    if not services or source is None or source.kind != ZoneKind.LGWAN:
        return False
    if portion.destination_zone != view.external_zone or portion.destination_networks is None:
        return False
    targets = view.resolve_targets(services)
    outside = [n for n in portion.destination_networks if not view.zones_of_networks((n,)).zones]
    return (
        bool(targets)
        and len(outside) == len(portion.destination_networks)
        and _within(outside, targets)
    )


def _judge_fqdns(view: NetworkView, portion: PermitPortion, flows: list[Flow]) -> Judgement:
    """A permit to DNS names: within policy when a flow allows its services to any destination
    (or to exactly these names), or, α′, when every name is one of the ``lbo_services``."""
    names = portion.destination_fqdns
    uncovered = tuple(
        service
        for service in portion.services
        if not any(
            any(ServiceRange.parse(s).covers(service) for s in flow.services)
            and not flow.via
            and (not flow.destinations or all(_name_matches(n, flow.destinations) for n in names))
            for flow in flows
        )
    )
    if not uncovered or _breakout_by_name(view, portion):
        return Judgement(portion, True, (), "within policy", "ポリシーの範囲内")
    listed = ", ".join(names)
    return Judgement(
        portion,
        False,
        uncovered,
        f"the DNS names {listed} are not among the policy's allowed destinations "
        "(flows, lbo_services)",
        f"宛先の DNS 名 {listed} はポリシーの許可宛先(flows・lbo_services)にない",
    )


def _breakout_by_name(view: NetworkView, portion: PermitPortion) -> bool:
    services = getattr(view.policy, "lbo_services", None) or []
    source = view.zones.get(portion.source_zone)
    if not services or source is None or source.kind != ZoneKind.LGWAN:
        return False
    if portion.destination_zone != view.external_zone:
        return False
    return all(_name_matches(name, services) for name in portion.destination_fqdns)


def _name_matches(name: str, allowed: Iterable[str]) -> bool:
    """``name`` (``*.x`` for a wildcard object) is one of ``allowed``: equal, or under an allowed
    ``*.`` wildcard. A wildcard object is matched only by an equal or wider allowed wildcard."""
    name = name.lower().rstrip(".")
    for entry in (a.lower().rstrip(".") for a in allowed):
        if name == entry:
            return True
        if entry.startswith("*.") and name.endswith(entry[1:]):
            return True
    return False


def _describe_flow(flow: Flow) -> str:
    text = f"{flow.id or flow.from_ + '->' + flow.to} ({', '.join(flow.services)}"
    if flow.destinations:
        text += f" to {', '.join(flow.destinations)}"
    if flow.via:
        text += f" via {', '.join(flow.via)}"
    return text + ")"


def flow_is_permitted(view: NetworkView, flow: Flow) -> bool:
    """Whether some permit lets (part of) an allowed flow through; ``via`` flows need the relay leg."""
    services = [ServiceRange.parse(s) for s in flow.services]
    legs: list[tuple[str, str | None, tuple[Network, ...] | None]]
    if flow.via:
        relays = view.resolve_targets(flow.via)
        legs = [
            (flow.from_, view.zone_of_address(str(network.network_address)), (network,))
            for network in relays
        ]
    else:
        targets = view.resolve_targets(flow.destinations) if flow.destinations else None
        legs = [(flow.from_, flow.to, targets)]
    for judgement in judge_permits(view):
        portion = judgement.portion
        for source_zone, destination_zone, targets in legs:
            if portion.source_zone != source_zone or portion.destination_zone != destination_zone:
                continue
            if not any(p.overlaps(s) for p in portion.services for s in services):
                continue
            if (
                targets is not None
                and portion.destination_networks is not None
                and not _overlap(targets, portion.destination_networks)
            ):
                continue
            return True
    return False


def _overlap(first: Iterable[Network], second: Iterable[Network]) -> bool:
    second_list = list(second)
    return any(a.version == b.version and a.overlaps(b) for a in first for b in second_list)


def zones_with_routing(view: NetworkView) -> frozenset[str]:
    """Zones where the run saw a routing or filtering point (an L3 interface or a rule)."""
    zones: set[str] = set()
    for facts in view.l3_interfaces.values():
        zones.update(fact.zone for fact in facts if fact.zone)
    for rules in view.rules.values():
        for rule in rules:
            zones.update(rule.source_zones)
    return frozenset(zones)


def network_text(networks: tuple[Network, ...] | None) -> str:
    if networks is None:
        return "any"
    return ", ".join(str(n) for n in networks)


__all__ = [
    "AllowedFlow",
    "Judgement",
    "ObservedFlow",
    "PermitEntry",
    "PermitPortion",
    "ZoneCell",
    "ZoneMatrix",
    "flow_is_permitted",
    "judge_permits",
    "permit_portions",
    "routes_joining_zones",
    "unfiltered_routes",
    "zone_matrix",
    "zones_with_routing",
]
