"""Layer 3: interface addresses and their zones, routes and the ARP tables."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass

from auditor.analysis.evidence import FactKind, snapshot_source, source_name
from auditor.analysis.layer2 import Layer2Index
from auditor.analysis.zones import Network, ZoneSpan
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import EXTERNAL_KINDS, ZoneKind

# Zones a route may "lead to" for an undeclared destination: the outside of the city. A route
# whose next hop is inside a tier of the city only hands the packet on, so it says nothing about
# where the destination is (the next device's own table would).
_OUTSIDE_KINDS = EXTERNAL_KINDS | {ZoneKind.INTERNET}

_DYNAMIC_PROTOCOLS = frozenset({"ospf", "ospf3", "bgp", "rip", "ripng", "eigrp", "isis", "is-is"})
_NON_ROUTE_PROTOCOLS = frozenset({"connected", "local", "direct", "c", "l"})


@dataclass(frozen=True, slots=True)
class ArpFact:
    device: str
    ip: str
    mac: str
    interface: str | None
    source: str


@dataclass(frozen=True, slots=True)
class L3Interface:
    """An interface address with the zone its subnet belongs to."""

    device: str
    interface: str
    address: ipaddress.IPv4Interface | ipaddress.IPv6Interface
    zone: str | None
    vrf: str | None
    acl_in: str | None
    acl_out: str | None
    admin_up: bool | None
    source: str


@dataclass(frozen=True, slots=True)
class RouteFact:
    device: str
    prefix: Network
    next_hop: str | None
    interface: str | None
    protocol: str
    vrf: str | None
    destination_zones: frozenset[str]
    next_hop_zone: str | None
    external: bool
    source: str

    @property
    def kind(self) -> FactKind:
        return "live" if self.protocol.lower() in _DYNAMIC_PROTOCOLS else "config"

    @property
    def subject(self) -> str:
        vrf = f"vrf:{self.vrf}/" if self.vrf else ""
        return f"route:{vrf}{self.prefix}"


class Layer3Index(Layer2Index):
    """L3 interfaces, routes and ARP entries of every snapshot (built by the network view)."""

    @property
    def arp_by_ip(self) -> dict[str, list[ArpFact]]:
        """ARP facts by IP address, built on first use (no check reads it during a run)."""
        cached: dict[str, list[ArpFact]] | None = self.derived.get("arp_by_ip")
        if cached is None:
            cached = defaultdict(list)
            for facts in self.arp_by_device.values():
                for fact in facts:
                    cached[fact.ip].append(fact)
            self.derived["arp_by_ip"] = cached
        return cached

    def _init_layer3(self) -> None:
        self.l3_interfaces: dict[str, list[L3Interface]] = defaultdict(list)
        self.routes: dict[str, list[RouteFact]] = defaultdict(list)
        self.arp_by_mac: dict[str, list[ArpFact]] = defaultdict(list)
        self.arp_by_device: dict[str, list[ArpFact]] = defaultdict(list)

    def _index_l3(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = snapshot_source(snapshot)
        default_name = source_name(default_source)
        acl_in: dict[str, str] = {}
        acl_out: dict[str, str] = {}
        for acl in snapshot.acls:
            if acl.family == "ipv6":
                continue  # an IPv6-only filter says nothing about the IPv4 path
            for binding in acl.applied:
                (acl_in if binding.direction == "in" else acl_out)[binding.interface] = acl.name
        for iface in snapshot.interfaces:
            for text in iface.addresses:
                try:
                    address = ipaddress.ip_interface(text)
                except ValueError:
                    continue
                zone = self.zone_of_address(str(address.ip)) or self._interface_zone_hint(iface)
                self.l3_interfaces[device].append(
                    L3Interface(
                        device=device,
                        interface=iface.name,
                        address=address,
                        zone=zone,
                        vrf=iface.vrf,
                        acl_in=iface.acl_in or acl_in.get(iface.name),
                        acl_out=iface.acl_out or acl_out.get(iface.name),
                        admin_up=iface.admin_up,
                        source=(source_name(iface.source) if iface.source else default_name),
                    )
                )

    def _index_arp(self, device: str, snapshot: DeviceSnapshot, device_addresses: set[str]) -> None:
        default_source = snapshot_source(snapshot, live=True)
        default_name = source_name(default_source)
        for entry in snapshot.arp:
            try:
                mac = self._mac(entry.mac)
            except ValueError:
                continue
            fact = ArpFact(
                device,
                entry.ip,
                mac,
                entry.interface,
                (source_name(entry.source) if entry.source else default_name),
            )
            self.arp_by_mac[mac].append(fact)
            self.arp_by_device[device].append(fact)
            if entry.ip in device_addresses:
                self.own_macs.add(mac)

    def _index_routes(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = snapshot_source(snapshot)
        default_name = source_name(default_source)
        for route in snapshot.routes:
            if route.protocol.lower() in _NON_ROUTE_PROTOCOLS:
                continue
            try:
                prefix = ipaddress.ip_network(route.prefix, strict=False)
            except ValueError:
                continue
            # A default route reaches the outside, not every zone: longer prefixes win inside.
            span = (
                self.zones_of_networks((prefix,))
                if prefix.prefixlen
                else ZoneSpan(frozenset(), True)
            )
            next_hop_zone = self.zone_of_address(route.next_hop) if route.next_hop else None
            self.routes[device].append(
                RouteFact(
                    device=device,
                    prefix=prefix,
                    next_hop=route.next_hop,
                    interface=route.interface,
                    protocol=route.protocol,
                    vrf=route.vrf,
                    destination_zones=span.zones,
                    next_hop_zone=next_hop_zone,
                    external=span.external,
                    source=(source_name(route.source) if route.source else default_name),
                )
            )

    def interface_zones(self, device: str, interface: str) -> frozenset[str]:
        """Zones an interface belongs to: its addresses, its VLAN, or a zone of the same name."""
        zones = {
            i.zone
            for i in self.l3_interfaces.get(device, [])
            if i.interface == interface and i.zone
        }
        if zones:
            return frozenset(zones)
        iface = self.interfaces.get(device, {}).get(interface)
        if iface is not None:
            hint = self._interface_zone_hint(iface)
            if hint:
                return frozenset({hint})
            if iface.addresses and self.external_zone:
                return frozenset({self.external_zone})  # addressed outside every zone: the outside
        if interface.lower() in self.zones:
            return frozenset({interface.lower()})
        return frozenset()

    def interface_reach(self, device: str, interface: str) -> frozenset[str]:
        """Zones behind an interface: its own, plus those routed through it (default = all)."""
        zones = set(self.interface_zones(device, interface))
        subnets = [
            fact.address.network
            for fact in self.l3_interfaces.get(device, [])
            if fact.interface == interface
        ]
        for route in self.routes.get(device, []):
            through = route.interface == interface
            if not through and route.next_hop:
                try:
                    hop = ipaddress.ip_address(route.next_hop)
                except ValueError:
                    hop = None
                through = hop is not None and any(
                    hop.version == net.version and hop in net for net in subnets
                )
            if not through:
                continue
            if route.prefix.prefixlen == 0:
                return frozenset(self.zones)
            zones |= route.destination_zones
            if route.external and self.external_zone:
                zones.add(self.external_zone)
        return frozenset(zones)

    def zone_by_route(self, device: str, address: str | Network) -> str | None:
        """The zone ``device``'s routing table sends ``address`` (or a whole network) to.

        Longest-prefix match over the device's routes (the default route included); the zone is
        the next hop's, else the egress interface's. Only a zone outside the city (LGWAN WAN,
        security cloud, a declared external network, the Internet tier) counts: a next hop inside
        a city tier forwards further and tells nothing. ``None`` when no route leads out, so the
        caller keeps its "outside every zone" judgement. Per device, pure, reusable by any check.
        """
        try:
            target = ipaddress.ip_network(address, strict=False)
        except ValueError:
            return None
        best: RouteFact | None = None
        for route in self.routes.get(device, []):
            prefix = route.prefix
            inside = (
                prefix.version == target.version
                and target.prefixlen >= prefix.prefixlen
                and target.network_address in prefix
            )
            if not inside:
                continue
            if best is None or route.prefix.prefixlen > best.prefix.prefixlen:
                best = route
        if best is None:
            return None
        candidates: list[str] = []
        if best.next_hop_zone:
            candidates.append(best.next_hop_zone)
        else:
            egress = best.interface or self._interface_towards(device, best.next_hop)
            if egress:
                candidates.extend(
                    zone
                    for zone in sorted(self.interface_zones(device, egress))
                    if zone != self.external_zone
                )
        for zone_id in candidates:
            zone = self.zones.get(zone_id)
            if zone is not None and zone.kind in _OUTSIDE_KINDS:
                return zone_id
        return None

    def outside_zone(self, device: str | None, network: Network) -> str | None:
        """Undeclared space is judged by the zone its route leads to, not by "not ours"."""
        if device is not None:
            routed = self.zone_by_route(device, network)
            if routed is not None:
                return routed
        return self.external_zone

    def _interface_towards(self, device: str, next_hop: str | None) -> str | None:
        """The interface whose connected subnet holds ``next_hop``."""
        if not next_hop:
            return None
        try:
            hop = ipaddress.ip_address(next_hop)
        except ValueError:
            return None
        for fact in self.l3_interfaces.get(device, []):
            if fact.address.version == hop.version and hop in fact.address.network:
                return fact.interface
        return None

    def is_firewall(self, device: str) -> bool:
        """Firewalls filter between their interfaces by policy; routing alone connects nothing.

        Known from the snapshot (the platform profile's device kind, or policies it holds) or the
        inventory role; never from the platform's name.
        """
        record = self.devices.get(device)
        if record is not None and record.role == "firewall":
            return True
        snapshot = self.snapshots.get(device)
        if snapshot is None:
            return False
        return snapshot.system.device_kind == "firewall" or bool(snapshot.firewall_policies)
