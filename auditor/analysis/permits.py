"""Policy judgement: ACL lines and firewall policies as rule facts between zones.

Services and addresses come typed from the platform parsers (:mod:`auditor.model.services`,
``source_networks``/``destination_networks``); this module never reads vendor text. An unknown
service or address (older snapshots, spellings a parser could not resolve) is judged as broad as
it may be for a permit, and as removing nothing for a deny.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from auditor.analysis.evidence import snapshot_source, source_name
from auditor.analysis.layer3 import Layer3Index
from auditor.analysis.services import ANY_SERVICE, ServiceRange, service_ranges
from auditor.analysis.zones import Network
from auditor.model.services import Service
from auditor.model.snapshot import Acl, DeviceSnapshot, FirewallPolicy, Source


@dataclass(frozen=True, slots=True)
class RuleFact:
    """One ACL line or firewall policy, normalized to zones, networks and services.

    ``source_networks``/``destination_networks`` of ``None`` mean any address. Zones already take
    the binding into account: an ACL applied inbound on the LGWAN SVI only ever sees LGWAN sources.
    """

    device: str
    kind: Literal["acl", "fw"]
    name: str
    key: str
    group: str  # rules of one group are evaluated first-match, in position order
    position: int
    action: Literal["permit", "deny"]
    line: str
    source_zones: frozenset[str]
    destination_zones: frozenset[str]
    source_networks: tuple[Network, ...] | None
    destination_networks: tuple[Network, ...] | None
    services: tuple[ServiceRange, ...]
    source: str
    # False when the snapshot did not say which services (older snapshots, unresolved names):
    # ``services`` is then every service, and a deny removes nothing from later permits.
    services_known: bool = True
    # False when the snapshot did not say which addresses: the networks are then any, and a deny
    # removes nothing from later permits.
    addresses_known: bool = True
    # DNS names the rule's destination objects stand for (FQDN objects): the destination is
    # these names, somewhere outside the zones; judged by name against the policy.
    destination_fqdns: tuple[str, ...] = ()

    @property
    def base_subject(self) -> str:
        base = f"acl:{self.name}:{self.key}" if self.kind == "acl" else f"fw:{self.key}"
        return f"{base}:fqdn" if self.destination_fqdns else base

    def subject(self, source_zone: str, destination_zone: str) -> str:
        return f"{self.base_subject}#{source_zone}->{destination_zone}"


def rule_networks(
    networks: Sequence[Network] | None,
) -> tuple[tuple[Network, ...] | None, bool]:
    """Typed networks → (networks or ``None`` for any, known). ``0.0.0.0/0``/``::/0`` is any."""
    if networks is None:
        return None, False
    if not networks or any(network.prefixlen == 0 for network in networks):
        return None, True
    return tuple(networks), True


def rule_services(services: list[Service] | None) -> tuple[tuple[ServiceRange, ...], bool]:
    """Typed services → (ranges, known). Unknown or empty is judged as every service, never none."""
    if not services:
        return (ANY_SERVICE,), False
    return tuple(r for service in services for r in service_ranges(service)), True


class RuleIndex(Layer3Index):
    """Rule facts of every snapshot, in evaluation order per device (built by the network view)."""

    def _init_permits(self) -> None:
        self.rules: dict[str, list[RuleFact]] = defaultdict(list)

    def _index_rules(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = snapshot_source(snapshot)
        bindings: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for acl in snapshot.acls:
            if acl.family == "ipv6":
                # Rule facts judge "any" without an address family; an IPv6-only filter must
                # not stand in for (or against) the IPv4 traffic between zones.
                continue
            for binding in acl.applied:
                bindings[acl.name].append((binding.interface, binding.direction))
        for iface in snapshot.interfaces:
            if iface.acl_in and (iface.name, "in") not in bindings[iface.acl_in]:
                bindings[iface.acl_in].append((iface.name, "in"))
            if iface.acl_out and (iface.name, "out") not in bindings[iface.acl_out]:
                bindings[iface.acl_out].append((iface.name, "out"))
        position = 0
        for acl in snapshot.acls:
            for interface, direction in bindings.get(acl.name, []):
                position = self._add_acl(
                    device, acl, interface, direction, position, default_source
                )
        for fw_policy in snapshot.firewall_policies:
            if fw_policy.enabled:
                position = self._add_firewall_policy(device, fw_policy, position, default_source)

    def _add_acl(
        self,
        device: str,
        acl: Acl,
        interface: str,
        direction: str,
        position: int,
        default: Source | None,
    ) -> int:
        reach = self.interface_reach(device, interface)
        for index, entry in enumerate(acl.entries):
            if entry.action == "remark":
                continue
            sources, sources_known = rule_networks(entry.source_networks)
            destinations, destinations_known = rule_networks(entry.destination_networks)
            source_zones = self._zones_for(sources)
            destination_zones = self._zones_for(destinations, device)
            # "any" on a bound ACL means whatever can arrive on (or leave through) that interface.
            if reach:
                if direction == "in" and sources is None:
                    source_zones = reach
                elif direction == "out" and destinations is None:
                    destination_zones = reach
            key = str(entry.sequence) if entry.sequence is not None else str((index + 1) * 10)
            services, known = rule_services([entry.service] if entry.service else None)
            self.rules[device].append(
                RuleFact(
                    device=device,
                    kind="acl",
                    name=acl.name,
                    key=key,
                    group=f"acl:{acl.name}@{interface}/{direction}",
                    position=position,
                    action="permit" if entry.action == "permit" else "deny",
                    line=entry.line
                    or f"{entry.action} {entry.protocol} {entry.source} {entry.destination}",
                    source_zones=source_zones,
                    destination_zones=destination_zones,
                    source_networks=sources,
                    destination_networks=destinations,
                    services=services,
                    source=source_name(acl.source or default),
                    services_known=known,
                    addresses_known=sources_known and destinations_known,
                )
            )
            position += 1
        return position

    def _add_firewall_policy(
        self, device: str, fw_policy: FirewallPolicy, position: int, default: Source | None
    ) -> int:
        fqdns = tuple(fw_policy.destination_fqdns or ())
        if fqdns:
            # The FQDN destinations are one fact of their own (the names, outside every zone);
            # the address destinations, if any, are another.
            position = self._add_firewall_part(device, fw_policy, position, default, None, fqdns)
            if fw_policy.destination_networks is None:
                return position
        return self._add_firewall_part(
            device, fw_policy, position, default, fw_policy.destination_networks, ()
        )

    def _add_firewall_part(
        self,
        device: str,
        fw_policy: FirewallPolicy,
        position: int,
        default: Source | None,
        destination_networks: Sequence[Network] | None,
        fqdns: tuple[str, ...],
    ) -> int:
        sources, sources_known = rule_networks(fw_policy.source_networks)
        destinations, destinations_known = rule_networks(destination_networks)
        if fqdns:
            destinations_known = True
        source_zones = self._zones_for(sources)
        destination_zones = self._zones_for(destinations, device)
        from_interfaces = self._interfaces_zones(device, fw_policy.source_interfaces)
        to_interfaces = self._interfaces_zones(device, fw_policy.destination_interfaces)
        if from_interfaces is not None:
            source_zones = (
                source_zones & from_interfaces if sources is not None else from_interfaces
            )
        if fqdns:
            # A name resolves outside the city: the outside, narrowed to the egress interfaces.
            outside = frozenset({self.external_zone}) if self.external_zone else frozenset()
            destination_zones = (
                outside & to_interfaces if to_interfaces is not None and outside else outside
            ) or (to_interfaces or frozenset())
        elif to_interfaces is not None:
            destination_zones = (
                destination_zones & to_interfaces if destinations is not None else to_interfaces
            )
        services, known = rule_services(fw_policy.resolved_services)
        self.rules[device].append(
            RuleFact(
                device=device,
                kind="fw",
                name=fw_policy.name or fw_policy.policy_id,
                key=fw_policy.policy_id,
                group="fw",
                position=position,
                action="permit" if fw_policy.action == "accept" else "deny",
                line=fw_policy.line or f"policy {fw_policy.policy_id} {fw_policy.action}",
                source_zones=source_zones,
                destination_zones=destination_zones,
                source_networks=sources,
                destination_networks=destinations,
                services=services,
                source=source_name(fw_policy.source or default),
                services_known=known,
                addresses_known=sources_known and destinations_known,
                destination_fqdns=fqdns,
            )
        )
        return position + 1

    def _interfaces_zones(self, device: str, names: list[str]) -> frozenset[str] | None:
        if not names or any(name.lower() in ("any", "all") for name in names):
            return None
        zones: set[str] = set()
        for name in names:
            zones |= self.interface_zones(device, name)
        return frozenset(zones) if zones else None

    def unrestricted_flow(self, source_zone: str, destination_zone: str) -> bool:
        """Whether the policy allows everything from one zone to the other (no filter needed)."""
        return any(
            not flow.via
            and not flow.destinations
            and any(ServiceRange.parse(s).protocol == "any" for s in flow.services)
            for flow in self.flows(source_zone, destination_zone)
        )
