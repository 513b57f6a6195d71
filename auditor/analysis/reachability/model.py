"""The forwarding model of the whole network: L3 ports per VRF, routes, filters, NAT, gaps.

Built once per run from the network view (pure, no I/O). Every fact keeps the text it came from so a
path can cite the route, ACL line, firewall policy or NAT rule of each hop. What the model cannot
represent (policy-based routing, NAT it could not resolve, dynamic routing without a collected
table) is kept as a *gap* on the device or port, so a search that meets it answers "unknown".
"""

from __future__ import annotations

import gc
import ipaddress
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from auditor.analysis.layer3 import L3Interface
from auditor.analysis.network import NetworkView
from auditor.analysis.permits import rule_networks, rule_services
from auditor.analysis.services import ServiceRange
from auditor.analysis.zones import Network
from auditor.model.snapshot import NatRule

_DYNAMIC = frozenset({"ospf", "ospf3", "bgp", "rip", "ripng", "eigrp", "isis", "is-is"})
_NOT_ROUTES = frozenset({"connected", "local", "direct", "c", "l"})
_GLOBAL = frozenset({"global", "default", ""})


def vrf_key(vrf: str | None) -> str | None:
    """``None`` and the spellings of the default table are one VRF."""
    return None if vrf is None or vrf.lower() in _GLOBAL else vrf


@dataclass(frozen=True, slots=True)
class Port:
    """An addressed interface: where a path enters or leaves a device."""

    device: str
    interface: str
    vrf: str | None
    address: ipaddress.IPv4Interface | ipaddress.IPv6Interface
    zone: str | None
    acl_in: str | None
    acl_out: str | None

    @property
    def network(self) -> Network:
        return self.address.network


@dataclass(frozen=True, slots=True)
class RouteEntry:
    prefix: Network
    next_hop: str | None
    interface: str | None
    protocol: str
    next_hop_vrf: str | None
    leak: bool
    discard: bool = False  # Null0 / ``gateway null`` / blackhole: matching traffic is dropped

    @property
    def text(self) -> str:
        via = f" via {self.next_hop}" if self.next_hop else ""
        out = f" dev {self.interface}" if self.interface else ""
        leak = f" (leaked from vrf {self.next_hop_vrf or 'global'})" if self.leak else ""
        return f"{self.protocol} {self.prefix}{via}{out}{leak}"


@dataclass(frozen=True, slots=True)
class FilterLine:
    """One ACL line or firewall policy in the form the search evaluates."""

    kind: Literal["acl", "fw"]
    label: str  # acl:NAME:SEQ / fw:ID
    action: Literal["permit", "deny"]
    sources: tuple[Network, ...] | None
    destinations: tuple[Network, ...] | None
    services: tuple[ServiceRange, ...]
    exact: bool  # services and addresses known: a deny may remove traffic
    line: str
    from_interfaces: tuple[str, ...] = ()  # firewall policies: empty = any
    to_interfaces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NatFact:
    """A destination translation the search follows from the outside address to the inside one.

    ``services`` limits a port forward to what it forwards (``None``: every service); a forward
    that changes the port (or names no single port) cannot carry the search's service across,
    so ``follows`` is False and those services get a gap instead of a path.
    """

    kind: str
    inside: tuple[Network, ...]
    outside: tuple[Network, ...]
    interface: str | None
    line: str
    services: tuple[ServiceRange, ...] | None = None
    follows: bool = True


@dataclass
class ForwardingModel:
    """Ports, routes, filters and gaps of every device of one run."""

    view: NetworkView
    ports: dict[str, list[Port]] = field(default_factory=lambda: defaultdict(list))
    owners: dict[str, Port] = field(default_factory=dict)
    routes: dict[tuple[str, str | None], list[RouteEntry]] = field(
        default_factory=lambda: defaultdict(list)
    )
    acls: dict[tuple[str, str], list[FilterLine]] = field(default_factory=dict)
    firewall: dict[str, list[FilterLine]] = field(default_factory=dict)
    nat: dict[str, list[NatFact]] = field(default_factory=lambda: defaultdict(list))
    device_gaps: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    port_gaps: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    _by_zone: dict[str | None, list[Port]] | None = field(default=None, repr=False)
    # Lookups the search makes at every hop, built once: a port by name, a device's ports per
    # VRF (device order kept), and search results that depend on the model alone.
    _by_name: dict[tuple[str, str], Port] | None = field(default=None, repr=False)
    _by_vrf: dict[tuple[str, str | None], list[Port]] | None = field(default=None, repr=False)
    memo: dict[object, object] = field(default_factory=dict, repr=False)

    @property
    def interface_count(self) -> int:
        return sum(len(ports) for ports in self.ports.values())

    @property
    def rule_count(self) -> int:
        return sum(len(lines) for lines in self.acls.values()) + sum(
            len(lines) for lines in self.firewall.values()
        )

    def port_zone(self, port: Port) -> str | None:
        """The zone of a port's subnet; addressed outside every zone = the outside."""
        if port.zone is not None:
            return port.zone
        return self.view.external_zone

    def ports_in_zone(self, zone: str | None) -> list[Port]:
        """The ports whose subnet lies in ``zone`` (device order), indexed once per model.

        A search starts from these instead of scanning every port of the network, which kept
        the all-pairs verdicts quadratic in the number of devices.
        """
        if self._by_zone is None:
            index: dict[str | None, list[Port]] = defaultdict(list)
            for device in sorted(self.ports):
                for port in self.ports[device]:
                    index[self.port_zone(port)].append(port)
            self._by_zone = dict(index)
        return self._by_zone.get(zone, [])

    def port(self, device: str, interface: str | None) -> Port | None:
        """The first port of ``device`` named ``interface`` (``None`` for no name)."""
        if interface is None:
            return None
        if self._by_name is None:
            index: dict[tuple[str, str], Port] = {}
            for name, ports in self.ports.items():
                for port in ports:
                    index.setdefault((name, port.interface), port)
            self._by_name = index
        return self._by_name.get((device, interface))

    def ports_in_vrf(self, device: str, vrf: str | None) -> list[Port]:
        """The ports of ``device`` in ``vrf``, in the device's port order."""
        if self._by_vrf is None:
            index: dict[tuple[str, str | None], list[Port]] = defaultdict(list)
            for name, ports in self.ports.items():
                for port in ports:
                    index[(name, port.vrf)].append(port)
            self._by_vrf = dict(index)
        return self._by_vrf.get((device, vrf), [])

    def is_firewall(self, device: str) -> bool:
        return self.view.is_firewall(device)


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep the cyclic GC off the run's long-lived objects while the model is searched.

    The searches allocate millions of short-lived tuples; each full collection they trigger
    rescans every snapshot object of the run, which made the all-pairs time grow with the square
    of the city (bench/reachability.py). Frozen objects are only skipped by the collector, not
    freed or changed; they return to the oldest generation afterwards.
    """
    already = gc.get_freeze_count() > 0
    if not already:
        gc.freeze()
    try:
        yield
    finally:
        if not already:
            gc.unfreeze()


def build_model(view: NetworkView) -> ForwardingModel:
    """The forwarding model of a view (memoized on it: checks, matrix and CLI share one)."""
    cached = view.derived.get("forwarding_model")
    if isinstance(cached, ForwardingModel):
        return cached
    # The model is tens of thousands of small acyclic objects that all live on: like the network
    # view's own build, the cyclic collector pauses instead of rescanning them as they grow.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(view)
    finally:
        if collecting:
            gc.enable()


def _build(view: NetworkView) -> ForwardingModel:
    model = ForwardingModel(view)
    for facts in view.l3_interfaces.values():
        for fact in facts:
            if fact.admin_up is False:
                continue
            _add_port(model, fact)
    for device, snapshot in view.snapshots.items():
        for route in snapshot.routes:
            if route.protocol.lower() in _NOT_ROUTES:
                continue
            try:
                prefix = ipaddress.ip_network(route.prefix, strict=False)
            except ValueError:
                continue
            vrf = vrf_key(route.vrf)
            leak_vrf = vrf_key(route.next_hop_vrf) if route.next_hop_vrf is not None else vrf
            model.routes[(device, vrf)].append(
                RouteEntry(
                    prefix=prefix,
                    next_hop=route.next_hop if route.next_hop_kind != "null" else None,
                    interface=route.interface,
                    protocol=route.protocol,
                    next_hop_vrf=leak_vrf,
                    leak=route.next_hop_vrf is not None and leak_vrf != vrf,
                    discard=route.next_hop_kind == "null",
                )
            )
        configured = {p.lower() for p in snapshot.routing_protocols or []} & _DYNAMIC
        learned = {r.protocol.lower() for r in snapshot.routes}
        for protocol in sorted(configured - learned):
            model.device_gaps[device].append(
                f"{device}: {protocol} is configured but its routes were not collected"
            )
        for nat in snapshot.nat_rules or []:
            inside = _networks(nat.inside)
            outside = _networks(nat.outside)
            if not nat.modelled or (nat.kind != "source" and (not inside or not outside)):
                model.device_gaps[device].append(
                    f"{device}: NAT not modelled ({nat.line or nat.kind})"
                )
                continue
            if nat.kind != "source":
                model.nat[device].append(_nat_fact(nat, inside, outside))
        for pbr in snapshot.policy_routes:
            text = f"{device}: policy-based routing not modelled ({pbr.line or pbr.name})"
            if pbr.interface is None:
                model.device_gaps[device].append(text)
            else:
                model.port_gaps[(device, pbr.interface)].append(text)
        _add_filters(model, device)
    for key in model.routes:
        model.routes[key].sort(key=lambda r: -r.prefix.prefixlen)
    return _memo(view, model)


def _memo(view: NetworkView, model: ForwardingModel) -> ForwardingModel:
    view.derived["forwarding_model"] = model
    return model


def _add_port(model: ForwardingModel, fact: L3Interface) -> None:
    port = Port(
        device=fact.device,
        interface=fact.interface,
        vrf=vrf_key(fact.vrf),
        address=fact.address,
        zone=fact.zone,
        acl_in=fact.acl_in,
        acl_out=fact.acl_out,
    )
    model.ports[fact.device].append(port)
    model.owners.setdefault(str(fact.address.ip), port)


def _nat_fact(nat: NatRule, inside: tuple[Network, ...], outside: tuple[Network, ...]) -> NatFact:
    """A port forward translates only its protocol and port: other services to the outside
    address are not sent to the inside host (they were all followed before)."""
    if nat.protocol is None:
        return NatFact(nat.kind, inside, outside, nat.interface, nat.line)
    protocol = nat.protocol.lower()
    port = nat.outside_port
    if port is not None and nat.inside_port == port:
        forwarded = (ServiceRange(protocol, port, port),)
        return NatFact(nat.kind, inside, outside, nat.interface, nat.line, forwarded)
    # The port changes (or is not one port): the service seen outside is not the one delivered
    # inside, so both are gaps, never a path.
    ports = {p for p in (port, nat.inside_port) if p is not None}
    unknown = (ServiceRange(protocol),) if len(ports) < 2 else ()
    touched = unknown or tuple(ServiceRange(protocol, p, p) for p in sorted(ports))
    return NatFact(nat.kind, inside, outside, nat.interface, nat.line, touched, follows=False)


def _networks(text: str | None) -> tuple[Network, ...]:
    if not text:
        return ()
    try:
        return (ipaddress.ip_network(text, strict=False),)
    except ValueError:
        return ()


def _add_filters(model: ForwardingModel, device: str) -> None:
    snapshot = model.view.snapshots[device]
    for acl in snapshot.acls:
        lines: list[FilterLine] = []
        for index, entry in enumerate(acl.entries):
            if entry.action == "remark":
                continue
            sources, sources_known = rule_networks(entry.source_networks)
            destinations, destinations_known = rule_networks(entry.destination_networks)
            services, services_known = rule_services([entry.service] if entry.service else None)
            key = entry.sequence if entry.sequence is not None else (index + 1) * 10
            lines.append(
                FilterLine(
                    kind="acl",
                    label=f"acl:{acl.name}:{key}",
                    action="permit" if entry.action == "permit" else "deny",
                    sources=sources,
                    destinations=destinations,
                    services=services,
                    exact=sources_known and destinations_known and services_known,
                    line=entry.line
                    or f"{entry.action} {entry.protocol} {entry.source} {entry.destination}",
                )
            )
        model.acls[(device, acl.name)] = lines
    policies: list[FilterLine] = []
    for policy in snapshot.firewall_policies:
        if not policy.enabled:
            continue
        sources, sources_known = rule_networks(policy.source_networks)
        destinations, destinations_known = rule_networks(policy.destination_networks)
        services, services_known = rule_services(policy.resolved_services)
        policies.append(
            FilterLine(
                kind="fw",
                label=f"fw:{policy.policy_id}",
                action="permit" if policy.action == "accept" else "deny",
                sources=sources,
                destinations=destinations,
                services=services,
                exact=sources_known and destinations_known and services_known,
                line=policy.line or f"policy {policy.policy_id} {policy.action}",
                from_interfaces=tuple(policy.source_interfaces),
                to_interfaces=tuple(policy.destination_interfaces),
            )
        )
    if policies or model.is_firewall(device):
        model.firewall[device] = policies
