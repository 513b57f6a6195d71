"""The path search as it was before the scale work of issue 19, kept only as a test oracle.

tests/analysis/test_reachability_differential.py checks that the indexed, multi-service search of
``auditor.analysis.reachability.search`` answers exactly what this straightforward one answers
(status, violation, every hop, the addresses carried, the exit and the gaps). Do not optimise it.

Original module docstring:
Path search over the forwarding model: can traffic of one service get from A to B, and how.

Breadth-first over (device, VRF, ingress port, source and destination address sets), so the first
path found is a shortest one. At every hop the ingress ACL, NAT, the route (longest match, plus
more specific routes into the destination), the egress ACL and firewall policies are evaluated
first-match; a permit narrows the addresses the path still carries, so a path that only a relay
host may use is told apart from one that any host may use. Unknown services or addresses are as
broad as they may be (a deny then removes nothing). A hop the model cannot follow (policy-based
routing, unresolved NAT, dynamic routing without its table, a next hop no snapshot owns) is a gap:
without another path the answer is "unknown", never "not reachable".
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from auditor.analysis.reachability.model import FilterLine, ForwardingModel, Port, RouteEntry
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


def search(
    model: ForwardingModel,
    source: Endpoint,
    destination: Endpoint,
    service: ServiceRange,
    judge: Judge | None = None,
    vrf: str | None = None,
) -> PathResult:
    """The shortest path (a violating one first, when ``judge`` names a violation), or why not."""
    gaps: list[str] = []
    queue: deque[tuple[_State, tuple[Hop, ...]]] = deque()
    seen: set[tuple[str, str | None, str, int, int]] = set()
    for port in _entry_ports(model, source, vrf):
        sources = _narrow(source.networks, (port.network,)) if not source.outside else (_ANY_V4,)
        if not sources:
            continue
        state = (port.device, port.vrf, port.interface, sources, destination.networks)
        if _seen_key(state) not in seen:
            seen.add(_seen_key(state))
            queue.append((state, ()))
    compliant: PathEnd | None = None
    while queue:
        state, hops = queue.popleft()
        for outcome in _step(model, state, hops, destination, service, gaps):
            if isinstance(outcome, PathEnd):
                reason = judge(outcome.sources, outcome.destinations, service) if judge else None
                if reason is not None or judge is None:
                    return PathResult(service, "reachable", outcome, reason, _unique(gaps))
                if compliant is None:
                    compliant = outcome
                continue
            next_state, next_hops = outcome
            key = _seen_key(next_state)
            if key not in seen and len(next_hops) < 64:
                seen.add(key)
                queue.append((next_state, next_hops))
    if compliant is not None:
        return PathResult(service, "reachable", compliant, None, _unique(gaps))
    return PathResult(service, "unknown" if gaps else "not-reachable", None, None, _unique(gaps))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


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


def _step(
    model: ForwardingModel,
    state: _State,
    hops: tuple[Hop, ...],
    destination: Endpoint,
    service: ServiceRange,
    gaps: list[str],
) -> Iterable[PathEnd | tuple[_State, tuple[Hop, ...]]]:
    device, vrf, ingress_name, sources, targets = state
    blocked = model.port_gaps.get((device, ingress_name), []) + model.device_gaps.get(device, [])
    if blocked:
        gaps.extend(blocked)
        return
    ingress = _port(model, device, ingress_name)
    came_from_outside = ingress is not None and model.port_zone(ingress) not in destination.zones
    # NAT: traffic addressed to an outside address is translated to the inside host after the
    # ingress filter; the filter sees the outside address.
    candidates: list[tuple[Nets, Nets, str | None]] = [(targets, targets, None)]
    if came_from_outside and not destination.outside:
        for nat in model.nat.get(device, []):
            inside = _narrow(targets, nat.inside)
            if not inside or (nat.interface is not None and nat.interface != ingress_name):
                continue
            if nat.services is not None and not any(r.overlaps(service) for r in nat.services):
                continue  # a port forward of another service
            if not nat.follows:
                gaps.append(f"{device}: port-translating NAT not modelled ({nat.line})")
                continue
            candidates.append((nat.outside, inside, f"{nat.kind} NAT: {nat.line}"))
    for before, after, nat_line in candidates:
        permits: list[str] = []
        current_sources, current_targets = sources, before
        if ingress is not None and ingress.acl_in:
            passed = _filter(model, device, ingress.acl_in, current_sources, before, service)
            if passed is None:
                continue
            current_sources, current_targets, line = passed
            permits.append(line)
        if nat_line is not None:
            current_targets = after
        elif destination.outside:
            current_targets = _outside_only(model, current_targets)
            if not current_targets:
                continue
        yield from _forward(
            model,
            (device, vrf, ingress_name, current_sources, current_targets),
            hops,
            destination,
            service,
            permits,
            nat_line,
            gaps,
        )


def _forward(
    model: ForwardingModel,
    state: _State,
    hops: tuple[Hop, ...],
    destination: Endpoint,
    service: ServiceRange,
    permits: list[str],
    nat_line: str | None,
    gaps: list[str],
) -> Iterable[PathEnd | tuple[_State, tuple[Hop, ...]]]:
    device, vrf, ingress_name, sources, targets = state
    # Delivery on a connected subnet of the destination.
    if not destination.outside:
        for port in model.ports.get(device, []):
            if port.vrf != vrf or port.interface == ingress_name:
                continue
            if model.port_zone(port) not in destination.zones:
                continue
            reached = _narrow(targets, (port.network,))
            if not reached:
                continue
            passed = _egress(model, device, ingress_name, port, sources, reached, service)
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
            yield PathEnd([*hops, hop], end_sources, end_targets, f"delivered on {port.interface}")
    for route in _routes(model, device, vrf, targets, destination):
        routed = _narrow(targets, (route.prefix,)) if route.prefix.prefixlen else targets
        if not routed or route.discard:
            continue
        egress, owner = _resolve(model, device, route)
        exit_text: str | None = None
        if owner is None:
            exit_text = _exit(model, route, egress, destination)
            if exit_text is None:
                hop_zone = model.view.zone_of_address(route.next_hop) if route.next_hop else None
                zone = model.view.zones.get(hop_zone) if hop_zone is not None else None
                outside = hop_zone is None or (zone is not None and zone.kind in EXTERNAL_KINDS)
                if outside and route.next_hop is not None:
                    continue  # handed to the outside: it does not route the city's space back
                if route.next_hop is not None or egress is None:
                    gaps.append(
                        f"{device}: next hop {route.next_hop or route.interface} of "
                        f"{route.prefix} is not in the collected snapshots"
                    )
                continue
        if egress is not None:
            passed = _egress(model, device, ingress_name, egress, sources, routed, service)
            if passed is None:
                continue
            out_sources, out_targets, lines = passed
        else:
            out_sources, out_targets, lines = sources, routed, []
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
            yield PathEnd([*hops, hop], out_sources, out_targets, exit_text)
            continue
        if destination.outside:
            out_targets = _outside_only(model, out_targets)
            if not out_targets:
                continue
        yield (
            (owner.device, owner.vrf, owner.interface, out_sources, out_targets),
            (*hops, hop),
        )


def _routes(
    model: ForwardingModel, device: str, vrf: str | None, targets: Nets, destination: Endpoint
) -> list[RouteEntry]:
    """The longest route containing the targets, plus more specific routes into them."""
    table = model.routes.get((device, vrf), [])
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


def _resolve(
    model: ForwardingModel, device: str, route: RouteEntry
) -> tuple[Port | None, Port | None]:
    """(egress port on this device, the next device's ingress port or None)."""
    lookup_vrf = route.next_hop_vrf
    ports = [p for p in model.ports.get(device, []) if p.vrf == lookup_vrf]
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


def _egress(
    model: ForwardingModel,
    device: str,
    ingress_name: str | None,
    egress: Port,
    sources: Nets,
    targets: Nets,
    service: ServiceRange,
) -> tuple[Nets, Nets, list[str]] | None:
    lines: list[str] = []
    if egress.acl_out:
        passed = _filter(model, device, egress.acl_out, sources, targets, service)
        if passed is None:
            return None
        sources, targets, line = passed
        lines.append(line)
    policies = model.firewall.get(device)
    if policies is not None:
        ingress = _port(model, device, ingress_name)
        passed = _evaluate(
            [p for p in policies if _binds(model, p, ingress, egress)], sources, targets, service
        )
        if passed is None:
            return None
        sources, targets, line = passed
        lines.append(line)
    return sources, targets, lines


def _binds(model: ForwardingModel, policy: FilterLine, ingress: Port | None, egress: Port) -> bool:
    def matches(names: tuple[str, ...], port: Port | None) -> bool:
        if not names or any(n.lower() in ("any", "all") for n in names):
            return True
        if port is None:
            return False
        zone = model.port_zone(port)
        return any(n == port.interface or n.lower() == zone for n in names)

    return matches(policy.from_interfaces, ingress) and matches(policy.to_interfaces, egress)


def _filter(
    model: ForwardingModel,
    device: str,
    acl: str,
    sources: Nets,
    targets: Nets,
    service: ServiceRange,
) -> tuple[Nets, Nets, str] | None:
    lines = model.acls.get((device, acl))
    if lines is None:  # a binding to an ACL that is not defined filters nothing
        return sources, targets, f"{device} acl {acl} (not defined: permits all)"
    return _evaluate(lines, sources, targets, service)


def _evaluate(
    lines: list[FilterLine], sources: Nets, targets: Nets, service: ServiceRange
) -> tuple[Nets, Nets, str] | None:
    """First match; a permit narrows the addresses, an exact deny covering them all stops."""
    for line in lines:
        if not any(s.overlaps(service) for s in line.services):
            continue
        matched_sources = _narrow(sources, line.sources)
        matched_targets = _narrow(targets, line.destinations)
        if not matched_sources or not matched_targets:
            continue
        if line.action == "deny":
            if (
                line.exact
                and any(s.covers(service) for s in line.services)
                and matched_sources == sources
                and matched_targets == targets
            ):
                return None
            continue
        return matched_sources, matched_targets, f"{line.label} {line.line}".strip()
    return None


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


def _port(model: ForwardingModel, device: str, name: str | None) -> Port | None:
    if name is None:
        return None
    return next((p for p in model.ports.get(device, []) if p.interface == name), None)
