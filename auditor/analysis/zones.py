"""Zones and addressing: which zone a VLAN, an address or a network belongs to, and the flows.

The policy's zones, subnets, VLANs, hosts and flows indexed once per run; every other part of the
network view asks these questions many times.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from auditor.inventory.models import Device, Inventory
from auditor.policy.models import Flow, Policy, Zone, ZoneKind

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def policy_networks(
    text: str, hosts: Mapping[str, str] | None = None
) -> tuple[Network, ...] | None:
    """A policy destination or relay (a host name, an address or a CIDR) → networks.

    ``None`` means any (``any``/``all``, a /0) or a name that is not an address (a DNS name
    cannot be matched). Device ACL and firewall addresses never come here: the platform parsers
    resolve them into typed networks on the snapshot.
    """
    spec = text.strip()
    if spec.lower() in ("", "any", "all"):
        return None
    if hosts and spec in hosts:
        return policy_networks(hosts[spec])
    try:
        network = ipaddress.ip_network(spec, strict=False)
    except ValueError:
        return None
    if network.prefixlen == 0:
        return None
    return (network,)


@dataclass(frozen=True, slots=True)
class ZoneSpan:
    """Which zones an address set touches; ``external`` = addresses outside every zone subnet."""

    zones: frozenset[str]
    external: bool


class ZoneIndex:
    """The policy's zones and the inventory's devices, indexed for address and VLAN lookups."""

    def __init__(self, policy: Policy, inventory: Inventory) -> None:
        self.policy = policy
        self.inventory = inventory
        self.zones: dict[str, Zone] = {zone.id: zone for zone in policy.zones}
        self.mynumber_zones = frozenset(z.id for z in policy.zones if z.kind == ZoneKind.MYNUMBER)
        # Space outside every declared network: the zone the policy names for it (an unknown
        # external zone, or the Internet when the policy says so); older policies without one
        # fall back to the Internet tier, as before.
        unlisted = policy.unlisted_zone()
        self.external_zone: str | None = (
            unlisted.id
            if unlisted is not None
            else next((z.id for z in policy.zones if z.kind == ZoneKind.INTERNET), None)
        )
        self.devices: dict[str, Device] = {device.name: device for device in inventory.devices}
        self.hosts: dict[str, str] = {name: host.address for name, host in policy.hosts.items()}
        self._vlan_zone: dict[int, str] = {}
        for zone in policy.zones:
            for vlan_range in zone.vlans:
                for vlan in range(vlan_range.first, vlan_range.last + 1):
                    self._vlan_zone.setdefault(vlan, zone.id)
        self._zone_subnets: list[tuple[Network, str]] = [
            (subnet, zone.id) for zone in policy.zones for subnet in zone.subnets
        ]
        self._address_zone_cache: dict[str, str | None] = {}
        self._span_cache: dict[Network, ZoneSpan] = {}
        self._flows: dict[tuple[str, str], list[Flow]] = defaultdict(list)
        for flow in policy.flows_in_force():  # 画面転送 of the My Number tier: R7.3 on only
            self._flows[(flow.from_, flow.to)].append(flow)

    def zone_of_vlan(self, vlan: int) -> str | None:
        return self._vlan_zone.get(vlan)

    def zone_of_address(self, address: str) -> str | None:
        if address in self._address_zone_cache:
            return self._address_zone_cache[address]
        zone: str | None = None
        try:
            ip = ipaddress.ip_address(address.split("/")[0])
        except ValueError:
            ip = None
        if ip is not None:
            for subnet, zone_id in self._zone_subnets:
                if ip.version == subnet.version and ip in subnet:
                    zone = zone_id
                    break
        self._address_zone_cache[address] = zone
        return zone

    def zones_of_networks(self, networks: Iterable[Network]) -> ZoneSpan:
        """Zones whose subnets overlap the networks, and whether any address lies outside them."""
        zones: set[str] = set()
        external = False
        for network in networks:
            span = self._span_cache.get(network)
            if span is None:
                touched: set[str] = set()
                covered = 0
                for subnet, zone_id in self._zone_subnets:
                    if subnet.version == network.version and subnet.overlaps(network):
                        touched.add(zone_id)
                        covered += min(subnet.num_addresses, network.num_addresses)
                span = ZoneSpan(frozenset(touched), covered < network.num_addresses)
                self._span_cache[network] = span
            zones |= span.zones
            external = external or span.external
        return ZoneSpan(frozenset(zones), external)

    def zone_networks(self, zone_id: str) -> tuple[Network, ...]:
        zone = self.zones.get(zone_id)
        return tuple(zone.subnets) if zone else ()

    def device_zones(self, device: str) -> frozenset[str]:
        record = self.devices.get(device)
        return frozenset(record.zones) if record else frozenset()

    def device_site(self, device: str) -> str | None:
        record = self.devices.get(device)
        return record.site if record else None

    def is_mynumber(self, zone_id: str | None) -> bool:
        return zone_id in self.mynumber_zones

    def is_protected(self, zone_id: str | None) -> bool:
        zone = self.zones.get(zone_id or "")
        return bool(zone and (zone.protected or zone.kind == ZoneKind.MYNUMBER))

    def zone_label(self, zone_id: str | None, lang: Literal["en", "ja"] = "en") -> str:
        zone = self.zones.get(zone_id or "")
        if zone is None:
            return zone_id or ("unknown zone" if lang == "en" else "不明なゾーン")
        return f"{zone.id} ({zone.name_en if lang == 'en' else zone.name_ja})"

    def flows(self, source_zone: str, destination_zone: str) -> list[Flow]:
        return self._flows.get((source_zone, destination_zone), [])

    def any_flow_between(self, zone_a: str, zone_b: str) -> bool:
        return bool(self.flows(zone_a, zone_b) or self.flows(zone_b, zone_a))

    def may_share_link(self, zone_a: str, zone_b: str) -> bool:
        if zone_a == zone_b:
            return True
        return any(
            flow.shares_link for flow in (*self.flows(zone_a, zone_b), *self.flows(zone_b, zone_a))
        )

    def resolve_targets(self, names: Iterable[str]) -> tuple[Network, ...]:
        """Policy destinations/relays (host names or CIDRs) → networks."""
        networks: list[Network] = []
        for name in names:
            parsed = policy_networks(name, self.hosts)
            if parsed is not None:
                networks.extend(parsed)
        return tuple(networks)

    def _zones_for(
        self, networks: tuple[Network, ...] | None, device: str | None = None
    ) -> frozenset[str]:
        """Zones an address set touches; space outside every zone is judged by ``device``'s
        routing table where a route leads out (:meth:`outside_zone`), else the external zone."""
        if networks is None:
            return frozenset(self.zones)
        span = self.zones_of_networks(networks)
        zones = set(span.zones)
        if span.external:
            for network in networks:
                if not self.zones_of_networks((network,)).external:
                    continue
                zone = self.outside_zone(device, network)
                if zone:
                    zones.add(zone)
        return frozenset(zones)

    def outside_zone(self, device: str | None, network: Network) -> str | None:
        """The zone for undeclared space: the external zone here; the network view overrides it
        with the device's route (``Layer3Index.zone_by_route``)."""
        return self.external_zone

    # ---- lookups ------------------------------------------------------------------------
