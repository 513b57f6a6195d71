"""Path search over the forwarding model: can traffic of one service get from A to B, and how.

Breadth-first over (device, VRF, ingress port, source and destination address sets), so the first
path found is a shortest one. At every hop the ingress ACL, NAT, the route (longest match, plus
more specific routes into the destination), the egress ACL and firewall policies are evaluated
first-match; a permit narrows the addresses the path still carries, so a path that only a relay
host may use is told apart from one that any host may use. Unknown services or addresses are as
broad as they may be (a deny then removes nothing). A hop the model cannot follow (policy-based
routing, unresolved NAT, dynamic routing without its table, a next hop no snapshot owns) is a gap:
without another path the answer is "unknown", never "not reachable".

Every service class of a zone pair is answered by one search (:func:`search_services`): the
services travel as a bit set and part only where a filter treats them apart, each keeping its own
visited states, gaps and answer, so the answers equal one search per service
(tests/analysis/test_reachability_differential.py compares them with the previous search).
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from auditor.analysis.reachability.model import (
    FilterLine,
    ForwardingModel,
    NatFact,
    Port,
    RouteEntry,
)
from auditor.analysis.services import ServiceRange
from auditor.analysis.zones import Network
from auditor.policy.models import EXTERNAL_KINDS

Status = Literal["reachable", "not-reachable", "unknown"]
Nets = tuple[Network, ...]
_ANY_V4: Network = ipaddress.ip_network("0.0.0.0/0")


@dataclass(frozen=True)
class Endpoint:
    """A source or destination: zones and the addresses that stand for them.

    ``outside`` endpoints are the space outside every declared network (the Internet or the
    policy's unknown external zone): their networks are ``0.0.0.0/0`` narrowed to outside space.
    """

    label: str
    zones: frozenset[str]
    networks: Nets
    outside: bool = False


@dataclass(frozen=True)
class Hop:
    """One device on a path: where it came in, where it left, and what let it through."""

    device: str
    vrf: str | None
    ingress: str | None
    egress: str | None
    route: str | None
    permits: tuple[str, ...]
    nat: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "vrf": self.vrf,
            "ingress": self.ingress,
            "egress": self.egress,
            "route": self.route,
            "permits": list(self.permits),
            "nat": self.nat,
        }


@dataclass
class PathEnd:
    hops: list[Hop]
    sources: Nets
    destinations: Nets
    exit: str


@dataclass
class PathResult:
    """The answer for one (source, destination, service)."""

    service: ServiceRange
    status: Status
    path: PathEnd | None = None  # a violating path when there is one, else a compliant one
    violation: str | None = None  # why the path breaks the policy (None = within policy)
    gaps: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "service": str(self.service),
            "status": self.status,
            "violation": self.violation,
            "path": [hop.to_json() for hop in self.path.hops] if self.path else [],
            "sources": [str(n) for n in self.path.sources] if self.path else [],
            "destinations": [str(n) for n in self.path.destinations] if self.path else [],
            "exit": self.path.exit if self.path else None,
            "gaps": self.gaps,
        }


Judge = Callable[[Nets, Nets, ServiceRange], str | None]
_State = tuple[str, str | None, str, Nets, Nets]
_Key = tuple[str, str | None, str, int, int]
# A set of services (bit i = the i-th service asked for) travelling together along the search.
_Group = int
# What a filter does to each group of services: the addresses it lets through and its line(s).
_Passed = tuple[Nets, Nets, str]
_EgressPassed = tuple[Nets, Nets, list[str]]
_Outcome = tuple[PathEnd | tuple[_State, tuple[Hop, ...]], _Group]


def search(
    model: ForwardingModel,
    source: Endpoint,
    destination: Endpoint,
    service: ServiceRange,
    judge: Judge | None = None,
    vrf: str | None = None,
) -> PathResult:
    """The shortest path (a violating one first, when ``judge`` names a violation), or why not."""
    return search_services(model, source, destination, [service], judge, vrf)[0]


def search_services(
    model: ForwardingModel,
    source: Endpoint,
    destination: Endpoint,
    services: list[ServiceRange],
    judge: Judge | None = None,
    vrf: str | None = None,
) -> list[PathResult]:
    """:func:`search` for every service, in order, in one breadth-first search.

    The services travel together as a set and split only where a filter treats them apart, so
    a city is walked once per zone pair instead of once per service class. Each service keeps
    its own visited states, gaps and answer, so every answer equals a search for it alone.
    """
    if not services:
        return []
    return _Search(model, destination, services, judge).run(source, vrf)


class _Search:
    """One breadth-first search for a set of services (bit masks) from one source."""

    def __init__(
        self,
        model: ForwardingModel,
        destination: Endpoint,
        services: list[ServiceRange],
        judge: Judge | None,
    ) -> None:
        self.model = model
        self.destination = destination
        self.services = services
        self.judge = judge
        self.gaps: list[list[str]] = [[] for _ in services]
        self.results: list[PathResult | None] = [None] * len(services)
        self.compliant: list[PathEnd | None] = [None] * len(services)
        self.open: _Group = (1 << len(services)) - 1  # services still searching

    def run(self, source: Endpoint, vrf: str | None) -> list[PathResult]:
        queue: deque[tuple[_State, tuple[Hop, ...], _Group]] = deque()
        seen: dict[_Key, _Group] = {}
        everyone = self.open
        for port, sources in _entries(self.model, source, vrf):
            state = (port.device, port.vrf, port.interface, sources, self.destination.networks)
            key = _seen_key(state)
            if key not in seen:
                seen[key] = everyone
                queue.append((state, (), everyone))
        while queue and self.open:
            state, hops, group = queue.popleft()
            group &= self.open
            if not group:
                continue
            for outcome, members in self._step(state, hops, group):
                members &= self.open
                if not members:
                    continue
                if isinstance(outcome, PathEnd):
                    self._arrive(outcome, members)
                    continue
                next_state, next_hops = outcome
                if len(next_hops) >= 64:
                    continue
                key = _seen_key(next_state)
                known = seen.get(key, 0)
                fresh = members & ~known
                if fresh:
                    seen[key] = known | fresh
                    queue.append((next_state, next_hops, fresh))
        answers: list[PathResult] = []
        for index, service in enumerate(self.services):
            result = self.results[index]
            if result is None:
                gaps = _unique(self.gaps[index])
                compliant = self.compliant[index]
                if compliant is not None:
                    result = PathResult(service, "reachable", compliant, None, gaps)
                else:
                    result = PathResult(service, "unknown" if gaps else "not-reachable", gaps=gaps)
            answers.append(result)
        return answers

    def _arrive(self, end: PathEnd, members: _Group) -> None:
        for index in _bits(members):
            service = self.services[index]
            reason = self.judge(end.sources, end.destinations, service) if self.judge else None
            if reason is not None or self.judge is None:
                self.results[index] = PathResult(
                    service, "reachable", end, reason, _unique(self.gaps[index])
                )
                self.open &= ~(1 << index)
            elif self.compliant[index] is None:
                self.compliant[index] = end

    def _gap(self, group: _Group, texts: Iterable[str]) -> None:
        """Record gaps for the services of ``group`` that are still searching."""
        texts = list(texts)
        for index in _bits(group & self.open):
            self.gaps[index].extend(texts)

    def _step(self, state: _State, hops: tuple[Hop, ...], group: _Group) -> Iterator[_Outcome]:
        model, destination = self.model, self.destination
        device, vrf, ingress_name, sources, targets = state
        blocked = model.port_gaps.get((device, ingress_name), []) + model.device_gaps.get(
            device, []
        )
        if blocked:
            self._gap(group, blocked)
            return
        ingress = model.port(device, ingress_name)
        came_from_outside = (
            ingress is not None and model.port_zone(ingress) not in destination.zones
        )
        # NAT: traffic addressed to an outside address is translated to the inside host after
        # the ingress filter; the filter sees the outside address.
        candidates: list[tuple[Nets, Nets, str | None, _Group]] = [(targets, targets, None, group)]
        if came_from_outside and not destination.outside:
            for nat in model.nat.get(device, []):
                inside = _narrow(targets, nat.inside)
                if not inside or (nat.interface is not None and nat.interface != ingress_name):
                    continue
                # A port forward carries only the services it forwards to the inside host.
                forwarded = group if nat.services is None else self._overlapping(group, nat)
                if not forwarded:
                    continue
                if not nat.follows:
                    self._gap(
                        forwarded, [f"{device}: port-translating NAT not modelled ({nat.line})"]
                    )
                    continue
                candidates.append((nat.outside, inside, f"{nat.kind} NAT: {nat.line}", forwarded))
        for before, after, nat_line, translated in candidates:
            passing: list[tuple[_Group, _Passed | None]]
            if ingress is not None and ingress.acl_in:
                passing = self._filter(device, ingress.acl_in, sources, before, translated)
            else:
                passing = [(translated, None)]
            for members, passed in passing:
                permits: list[str] = []
                current_sources, current_targets = sources, before
                if passed is not None:
                    current_sources, current_targets, line = passed
                    permits.append(line)
                elif ingress is not None and ingress.acl_in:
                    continue  # the ingress filter stops these services
                if nat_line is not None:
                    current_targets = after
                elif destination.outside:
                    current_targets = _outside_only(model, current_targets)
                    if not current_targets:
                        continue
                yield from self._forward(
                    (device, vrf, ingress_name, current_sources, current_targets),
                    hops,
                    members,
                    permits,
                    nat_line,
                )

    def _forward(
        self,
        state: _State,
        hops: tuple[Hop, ...],
        group: _Group,
        permits: list[str],
        nat_line: str | None,
    ) -> Iterator[_Outcome]:
        model, destination = self.model, self.destination
        device, vrf, ingress_name, sources, targets = state
        # Delivery on a connected subnet of the destination.
        if not destination.outside:
            for port in model.ports_in_vrf(device, vrf):
                if port.interface == ingress_name:
                    continue
                if model.port_zone(port) not in destination.zones:
                    continue
                reached = _narrow(targets, (port.network,))
                if not reached:
                    continue
                for members, passed in self._egress(
                    device, ingress_name, port, sources, reached, group
                ):
                    if passed is None:
                        continue
                    end_sources, end_targets, lines = passed
                    hop = Hop(
                        device,
                        vrf,
                        ingress_name,
                        port.interface,
                        f"connected {port.network}",
                        (*permits, *lines),
                        nat_line,
                    )
                    end = PathEnd(
                        [*hops, hop], end_sources, end_targets, f"delivered on {port.interface}"
                    )
                    yield end, members
        for route in _routes(model, device, vrf, targets, destination):
            routed = _narrow(targets, (route.prefix,)) if route.prefix.prefixlen else targets
            if not routed or route.discard:
                continue  # a discard route still wins the longest match: its traffic is dropped
            egress, owner = _resolve(model, device, route)
            exit_text: str | None = None
            if owner is None:
                exit_text = _exit(model, route, egress, destination)
                if exit_text is None:
                    hop_zone = (
                        model.view.zone_of_address(route.next_hop) if route.next_hop else None
                    )
                    zone = model.view.zones.get(hop_zone) if hop_zone is not None else None
                    outside = hop_zone is None or (zone is not None and zone.kind in EXTERNAL_KINDS)
                    if outside and route.next_hop is not None:
                        # Handed to the outside (or an external zone such as the LGWAN WAN): it
                        # does not route the city's space back.
                        continue
                    if route.next_hop is not None or egress is None:
                        self._gap(
                            group,
                            [
                                f"{device}: next hop {route.next_hop or route.interface} of "
                                f"{route.prefix} is not in the collected snapshots"
                            ],
                        )
                    continue
            passing: list[tuple[_Group, _EgressPassed | None]]
            if egress is not None:
                passing = self._egress(device, ingress_name, egress, sources, routed, group)
            else:
                passing = [(group, (sources, routed, []))]
            for members, passed in passing:
                if passed is None:
                    continue
                out_sources, out_targets, lines = passed
                hop = Hop(
                    device,
                    vrf,
                    ingress_name,
                    egress.interface if egress else route.interface,
                    route.text,
                    (*permits, *lines),
                    nat_line,
                )
                if owner is None:
                    assert exit_text is not None
                    yield PathEnd([*hops, hop], out_sources, out_targets, exit_text), members
                    continue
                if destination.outside:
                    out_targets = _outside_only(model, out_targets)
                    if not out_targets:
                        continue
                next_state = (owner.device, owner.vrf, owner.interface, out_sources, out_targets)
                yield (next_state, (*hops, hop)), members

    def _egress(
        self,
        device: str,
        ingress_name: str | None,
        egress: Port,
        sources: Nets,
        targets: Nets,
        group: _Group,
    ) -> list[tuple[_Group, _EgressPassed | None]]:
        """The egress ACL, then the firewall policies binding (ingress, egress), per group."""
        model = self.model
        staged: list[tuple[_Group, _EgressPassed | None]] = [(group, (sources, targets, []))]
        if egress.acl_out:
            staged = [
                (members, (p[0], p[1], [p[2]]) if p is not None else None)
                for members, p in self._filter(device, egress.acl_out, sources, targets, group)
            ]
        policies = model.firewall.get(device)
        if policies is None:
            return staged
        bound = _bound_policies(model, device, policies, ingress_name, egress)
        result: list[tuple[_Group, _EgressPassed | None]] = []
        for members, passed in staged:
            if passed is None:
                result.append((members, None))
                continue
            current_sources, current_targets, lines = passed
            for split, fw in _evaluate(
                bound, current_sources, current_targets, self.services, members
            ):
                if fw is None:
                    result.append((split, None))
                else:
                    result.append((split, (fw[0], fw[1], [*lines, fw[2]])))
        return result

    def _overlapping(self, group: _Group, nat: NatFact) -> _Group:
        """The services of ``group`` a port-forwarding NAT rule translates."""
        ranges = nat.services or ()
        members = 0
        for index in _bits(group):
            if any(r.overlaps(self.services[index]) for r in ranges):
                members |= 1 << index
        return members

    def _filter(
        self, device: str, acl: str, sources: Nets, targets: Nets, group: _Group
    ) -> list[tuple[_Group, _Passed | None]]:
        lines = self.model.acls.get((device, acl))
        if lines is None:  # a binding to an ACL that is not defined filters nothing
            return [(group, (sources, targets, f"{device} acl {acl} (not defined: permits all)"))]
        return _evaluate(lines, sources, targets, self.services, group)


def _bits(group: _Group) -> Iterator[int]:
    index = 0
    while group:
        if group & 1:
            yield index
        group >>= 1
        index += 1


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _entries(model: ForwardingModel, source: Endpoint, vrf: str | None) -> list[tuple[Port, Nets]]:
    """The ports a search starts from and the source addresses each carries (memoized)."""
    memo_key = ("entries", source.zones, source.networks, source.outside, vrf)
    cached = model.memo.get(memo_key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    entries: list[tuple[Port, Nets]] = []
    for port in _entry_ports(model, source, vrf):
        sources = _narrow(source.networks, (port.network,)) if not source.outside else (_ANY_V4,)
        if sources:
            entries.append((port, sources))
    model.memo[memo_key] = entries
    return entries


def _entry_ports(model: ForwardingModel, source: Endpoint, vrf: str | None) -> list[Port]:
    ports: list[Port] = []
    for zone in sorted(source.zones):
        for port in model.ports_in_zone(zone):
            if vrf is not None and port.vrf != vrf:
                continue
            if source.outside:
                if port.zone is None:
                    ports.append(port)
            elif _narrow((port.network,), source.networks):
                ports.append(port)
    return ports


def _routes(
    model: ForwardingModel, device: str, vrf: str | None, targets: Nets, destination: Endpoint
) -> list[RouteEntry]:
    """The longest route containing the targets, plus more specific routes into them."""
    table = model.routes.get((device, vrf), [])
    if len(table) > _INDEX_ROUTES_FROM:
        table = _route_index(model, device, vrf, table).candidates(targets)
    chosen: list[RouteEntry] = []
    best: int | None = None
    for route in table:  # longest prefix first
        if best is not None and route.prefix.prefixlen < best:
            break
        contains = any(
            t.version == route.prefix.version and t.subnet_of(route.prefix)  # type: ignore[arg-type]
            for t in targets
        )
        if contains:
            chosen.append(route)
            best = route.prefix.prefixlen
        elif _overlap((route.prefix,), targets):
            if destination.outside and not model.view.zones_of_networks((route.prefix,)).external:
                continue
            chosen.append(route)
    return chosen


# A collected routing table of a core can hold thousands of routes; scanning all of them at
# every state made a search's cost grow with the table. Large tables are indexed once per
# (device, VRF): only routes that overlap a target (its supernets and the routes inside it) are
# walked, in table order, so the choice is the same as the full scan's (routes that overlap no
# target are neither chosen nor set the longest match).
_INDEX_ROUTES_FROM = 32


class _RouteIndex:
    def __init__(self, table: list[RouteEntry]) -> None:
        self.table = table
        self.exact: dict[tuple[int, int, int], list[int]] = {}  # (version, first, len) → rows
        self.lengths: dict[int, list[int]] = {4: [], 6: []}  # prefix lengths present, per version
        self.starts: dict[int, list[tuple[int, int]]] = {4: [], 6: []}  # (first address, row)
        for row, route in enumerate(table):
            prefix = route.prefix
            first = int(prefix.network_address)
            self.exact.setdefault((prefix.version, first, prefix.prefixlen), []).append(row)
            self.starts[prefix.version].append((first, row))
        for version, rows in self.starts.items():
            rows.sort()
            present = {table[row].prefix.prefixlen for _, row in rows}
            self.lengths[version] = sorted(present)

    def candidates(self, targets: Nets) -> list[RouteEntry]:
        """The table's routes that overlap any target, in table order."""
        rows: set[int] = set()
        for target in targets:
            version = target.version
            bits = target.max_prefixlen
            first = int(target.network_address)
            last = int(target.broadcast_address)
            for length in self.lengths[version]:  # routes containing the target
                if length > target.prefixlen:
                    break
                masked = (first >> (bits - length)) << (bits - length) if length else 0
                rows.update(self.exact.get((version, masked, length), ()))
            starts = self.starts[version]  # routes inside the target start within it
            for position in range(bisect_left(starts, (first, -1)), len(starts)):
                start, row = starts[position]
                if start > last:
                    break
                rows.add(row)
        return [self.table[row] for row in sorted(rows)]


def _route_index(
    model: ForwardingModel, device: str, vrf: str | None, table: list[RouteEntry]
) -> _RouteIndex:
    memo_key = ("routes", device, vrf)
    cached = model.memo.get(memo_key)
    if isinstance(cached, _RouteIndex) and cached.table is table:
        return cached
    index = _RouteIndex(table)
    model.memo[memo_key] = index
    return index


def _resolve(
    model: ForwardingModel, device: str, route: RouteEntry
) -> tuple[Port | None, Port | None]:
    """(egress port on this device, the next device's ingress port or None), memoized."""
    memo_key = ("resolve", device, id(route))
    cached = model.memo.get(memo_key)
    if cached is not None:
        return cached[1]  # type: ignore[index,no-any-return]
    lookup_vrf = route.next_hop_vrf
    ports = model.ports_in_vrf(device, lookup_vrf)
    egress: Port | None = None
    if route.interface:
        egress = next((p for p in ports if p.interface == route.interface), None)
    hop_ip = None
    if route.next_hop:
        try:
            hop_ip = ipaddress.ip_address(route.next_hop)
        except ValueError:
            hop_ip = None
    if egress is None and hop_ip is not None:
        egress = next(
            (p for p in ports if p.network.version == hop_ip.version and hop_ip in p.network), None
        )
    owner = model.owners.get(str(hop_ip)) if hop_ip is not None else None
    if owner is not None and owner.device == device:
        owner = None
    model.memo[memo_key] = (route, (egress, owner))  # the route pins its id
    return egress, owner


def _exit(
    model: ForwardingModel, route: RouteEntry, egress: Port | None, destination: Endpoint
) -> str | None:
    """Where a route leaves the collected network, if that is the destination."""
    view = model.view
    hop_zone = view.zone_of_address(route.next_hop) if route.next_hop else None
    if egress is not None and hop_zone is None:
        hop_zone = egress.zone
    if destination.outside:
        if hop_zone is None or hop_zone in destination.zones:
            return f"leaves via {route.next_hop or route.interface} (outside every zone)"
        return None
    if hop_zone is not None and hop_zone in destination.zones:
        return f"leaves via {route.next_hop or route.interface} into {hop_zone}"
    return None


def _bound_policies(
    model: ForwardingModel,
    device: str,
    policies: list[FilterLine],
    ingress_name: str | None,
    egress: Port,
) -> list[FilterLine]:
    """The firewall policies binding (ingress, egress) on ``device``, memoized."""
    memo_key = ("binds", device, ingress_name, egress.interface, id(egress))
    cached = model.memo.get(memo_key)
    if cached is not None:
        return cached[1]  # type: ignore[index,no-any-return]
    ingress = model.port(device, ingress_name)
    bound = [p for p in policies if _binds(model, p, ingress, egress)]
    model.memo[memo_key] = (egress, bound)
    return bound


def _binds(model: ForwardingModel, policy: FilterLine, ingress: Port | None, egress: Port) -> bool:
    def matches(names: tuple[str, ...], port: Port | None) -> bool:
        if not names or any(n.lower() in ("any", "all") for n in names):
            return True
        if port is None:
            return False
        zone = model.port_zone(port)
        return any(n == port.interface or n.lower() == zone for n in names)

    return matches(policy.from_interfaces, ingress) and matches(policy.to_interfaces, egress)


def _evaluate(
    lines: list[FilterLine],
    sources: Nets,
    targets: Nets,
    services: list[ServiceRange],
    group: _Group,
) -> list[tuple[_Group, _Passed | None]]:
    """First match per service; a permit narrows the addresses, an exact deny covering them stops.

    The lines are walked once for the whole group: the services a line matches are decided by
    it together (one narrowing, one answer), the rest go on to the next line. Services no line
    permits are stopped.
    """
    decided: list[tuple[_Group, _Passed | None]] = []
    stopped = 0
    undecided = group
    for line in lines:
        if not undecided:
            break
        touched = 0
        for index in _bits(undecided):
            service = services[index]
            if any(s.overlaps(service) for s in line.services):
                touched |= 1 << index
        if not touched:
            continue
        matched_sources = _narrow(sources, line.sources)
        matched_targets = _narrow(targets, line.destinations)
        if not matched_sources or not matched_targets:
            continue
        if line.action == "deny":
            if line.exact and matched_sources == sources and matched_targets == targets:
                for index in _bits(touched):
                    if any(s.covers(services[index]) for s in line.services):
                        stopped |= 1 << index
                        undecided &= ~(1 << index)
            continue
        decided.append(
            (touched, (matched_sources, matched_targets, f"{line.label} {line.line}".strip()))
        )
        undecided &= ~touched
    stopped |= undecided
    if stopped:
        decided.append((stopped, None))
    return decided


def _narrow(current: Nets, limit: Nets | None) -> Nets:
    """The part of ``current`` inside ``limit`` (``None`` = any address)."""
    if limit is None:
        return current
    if len(current) > _INDEX_FROM:
        return _narrow_indexed(current, limit)
    kept: list[Network] = []
    for network in current:
        for bound in limit:
            if network.version != bound.version or not network.overlaps(bound):
                continue
            kept.append(network if network.num_addresses <= bound.num_addresses else bound)
    return tuple(dict.fromkeys(kept))


# A zone of a large city has thousands of subnets; narrowing them against one port or route
# prefix by scanning them all made every search quadratic. Large sets are indexed once (sorted
# by first address; supernets of a bound are looked up prefix by prefix), keyed by identity so
# the same tuple passed along a search is not re-hashed.
_INDEX_FROM = 16
_INDEXES: dict[int, tuple[Nets, _NetIndex]] = {}


@dataclass
class _NetIndex:
    starts: dict[int, list[tuple[int, Network]]]  # version → sorted (first address, network)
    members: set[Network]
    digest: int


def _index(current: Nets) -> _NetIndex:
    cached = _INDEXES.get(id(current))
    if cached is not None and cached[0] is current:
        return cached[1]
    if len(_INDEXES) > 256:
        _INDEXES.clear()
    starts: dict[int, list[tuple[int, Network]]] = {4: [], 6: []}
    for network in current:
        starts[network.version].append((int(network.network_address), network))
    for rows in starts.values():
        rows.sort(key=lambda row: row[0])
    index = _NetIndex(starts, set(current), hash(current))
    _INDEXES[id(current)] = (current, index)
    return index


def _narrow_indexed(current: Nets, limit: Nets) -> Nets:
    index = _index(current)
    kept: list[Network] = []
    for bound in limit:
        rows = index.starts[bound.version]
        first = int(bound.network_address)
        last = int(bound.broadcast_address)
        # Supernets of the bound (or the bound itself): the bound is what they share with it.
        for length in range(bound.prefixlen, -1, -1):
            if bound.supernet(new_prefix=length) in index.members:
                kept.append(bound)
                break
        # Networks inside the bound start within it.
        low = bisect_left(rows, first, key=lambda row: row[0])
        for position in range(low, len(rows)):
            start, network = rows[position]
            if start > last:
                break
            kept.append(network)
    return tuple(dict.fromkeys(kept))


def _seen_key(state: _State) -> tuple[str, str | None, str, int, int]:
    """A state's key without hashing its address sets again (large sets hash once)."""
    device, vrf, ingress, sources, targets = state
    return (device, vrf, ingress, _digest(sources), _digest(targets))


def _digest(nets: Nets) -> int:
    if len(nets) > _INDEX_FROM:
        return _index(nets).digest
    return hash(nets)


def _overlap(first: Nets, second: Nets) -> bool:
    return any(a.version == b.version and a.overlaps(b) for a in first for b in second)


def _outside_only(model: ForwardingModel, targets: Nets) -> Nets:
    """Targets that still include space outside every declared network."""
    return tuple(t for t in targets if model.view.zones_of_networks((t,)).external)
