"""The network view: every snapshot of a run joined with inventory, policy and ledger.

Network-scope checks (three-tier segmentation) ask questions that no single snapshot answers: which
zones a trunk carries, which inventory device sits at the other end of an LLDP link, in which zones
a MAC address was learned, which zone pairs an ACL line lets through. ``NetworkView`` builds the
indexes for those questions once per run (dictionaries keyed by device, port, VLAN, MAC, address),
so that every check is a linear walk and a 10,000-device city stays near-linear.

Facts carry their *kind* (``config``: what the configuration says; ``live``: what the tables of the
running device show) and their *source* (``ssh``/``snmp``), so a finding can say which of them
supports it. Traffic (``observed``) is added by a later issue.
"""

from __future__ import annotations

import contextlib
import gc
import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from auditor.inventory.models import AssetLedger, Device, Inventory, LedgerRow
from auditor.model.findings import EvidenceRef
from auditor.model.snapshot import (
    Acl,
    DeviceSnapshot,
    FirewallPolicy,
    Interface,
    Source,
    normalize_mac,
)
from auditor.policy.models import Flow, Policy, Zone, ZoneKind, parse_service

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FactKind = Literal["config", "live", "observed"]
EvidenceSource = Literal[
    "snmp", "ssh", "traffic", "policy", "inventory", "ledger", "store", "engine"
]

_VLAN_INTERFACE = re.compile(
    r"^(?:vlan|vl|vlan-interface|vlanif|irb\.|bvi)[\s._-]*(\d{1,4})$", re.I
)
_DYNAMIC_PROTOCOLS = frozenset({"ospf", "ospf3", "bgp", "rip", "ripng", "eigrp", "isis", "is-is"})
_NON_ROUTE_PROTOCOLS = frozenset({"connected", "local", "direct", "c", "l"})
_FIREWALL_PLATFORMS = frozenset({"fortinet"})
_CACHE_ATTRIBUTE = "_kyojin_network_view"

# FortiGate predefined service names → policy service strings (unknown names count as "any").
_NAMED_SERVICES: dict[str, tuple[str, ...]] = {
    "all": ("any",),
    "any": ("any",),
    "http": ("tcp/80",),
    "https": ("tcp/443",),
    "web access": ("tcp/80", "tcp/443"),
    "ssh": ("tcp/22",),
    "telnet": ("tcp/23",),
    "dns": ("tcp/53", "udp/53"),
    "ntp": ("udp/123",),
    "smtp": ("tcp/25",),
    "smtps": ("tcp/465",),
    "pop3": ("tcp/110",),
    "imap": ("tcp/143",),
    "rdp": ("tcp/3389",),
    "snmp": ("udp/161-162",),
    "syslog": ("udp/514",),
    "ping": ("icmp",),
    "all_icmp": ("icmp",),
    "all_tcp": ("tcp",),
    "all_udp": ("udp",),
    "ftp": ("tcp/21",),
    "samba": ("tcp/139", "tcp/445"),
    "smb": ("tcp/445",),
    "ldap": ("tcp/389",),
    "kerberos": ("tcp/88", "udp/88"),
}
# Cisco-style port keywords in ACL lines.
_PORT_NAMES: dict[str, int] = {
    "ftp": 21,
    "ftp-data": 20,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "www": 80,
    "http": 80,
    "pop3": 110,
    "ntp": 123,
    "snmp": 161,
    "snmptrap": 162,
    "bgp": 179,
    "ldap": 389,
    "https": 443,
    "syslog": 514,
    "rdp": 3389,
}
_PROTOCOL_NUMBERS = {"1": "icmp", "6": "tcp", "17": "udp", "58": "icmpv6", "0": "ip"}


# --------------------------------------------------------------------------------------------
# Evidence grading


@dataclass
class Support:
    """Which kinds of facts back a finding (configuration, live state, observed traffic)."""

    config: set[str] = field(default_factory=set)
    live: set[str] = field(default_factory=set)
    observed: set[str] = field(default_factory=set)
    evidence: list[EvidenceRef] = field(default_factory=list)

    def add(self, kind: FactKind, source: Source | str | None, detail: str) -> None:
        name = _source_name(source)
        getattr(self, kind).add(name)
        if len(self.evidence) < 20:
            self.evidence.append(EvidenceRef(source=name, detail=f"{kind}: {detail}"))

    def merge(self, other: Support) -> None:
        self.config |= other.config
        self.live |= other.live
        self.observed |= other.observed
        for ref in other.evidence:
            if len(self.evidence) < 20:
                self.evidence.append(ref)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in ("config", "live", "observed") if getattr(self, k))

    def phrase_en(self) -> str:
        parts = []
        if self.config:
            parts.append(f"configuration ({', '.join(sorted(self.config))})")
        if self.live:
            parts.append(f"live state ({', '.join(sorted(self.live))})")
        if self.observed:
            parts.append(f"observed traffic ({', '.join(sorted(self.observed))})")
        return "supported by " + (" and ".join(parts) if parts else "no collected evidence")

    def phrase_ja(self) -> str:
        parts = []
        if self.config:
            parts.append(f"設定({', '.join(sorted(self.config))})")
        if self.live:
            parts.append(f"稼働状態({', '.join(sorted(self.live))})")
        if self.observed:
            parts.append(f"観測通信({', '.join(sorted(self.observed))})")
        return "根拠: " + ("・".join(parts) if parts else "収集済みの証跡なし")


def _source_name(source: Source | str | None) -> EvidenceSource:
    value = str(source.value if isinstance(source, Source) else source or "engine")
    if value in ("snmp", "ssh", "traffic", "policy", "inventory", "ledger", "store", "engine"):
        return value  # type: ignore[return-value]
    return "engine"


# --------------------------------------------------------------------------------------------
# Services and addresses


@dataclass(frozen=True, slots=True)
class ServiceRange:
    """A protocol with an inclusive destination-port range; ``None`` ports mean every port."""

    protocol: str  # any, tcp, udp, icmp, icmpv6, or a protocol name/number
    first: int | None = None
    last: int | None = None

    @classmethod
    def parse(cls, service: str) -> ServiceRange:
        protocol, first, last = parse_service(service)
        return cls("any" if protocol == "ip" else protocol, first, last)

    def covers(self, other: ServiceRange) -> bool:
        if self.protocol == "any":
            return True
        if other.protocol == "any" or self.protocol != other.protocol:
            return False
        if self.first is None or self.last is None:
            return True
        if other.first is None or other.last is None:
            return False
        return self.first <= other.first and other.last <= self.last

    def overlaps(self, other: ServiceRange) -> bool:
        if self.protocol == "any" or other.protocol == "any":
            return True
        if self.protocol != other.protocol:
            return False
        if None in (self.first, self.last, other.first, other.last):
            return True
        assert self.first is not None and self.last is not None
        assert other.first is not None and other.last is not None
        return self.first <= other.last and other.first <= self.last

    def __str__(self) -> str:
        if self.first is None:
            return self.protocol
        if self.first == self.last:
            return f"{self.protocol}/{self.first}"
        return f"{self.protocol}/{self.first}-{self.last}"


ANY_SERVICE = ServiceRange("any")


def acl_service(protocol: str, ports: str | None) -> ServiceRange:
    """Normalize an ACL line's protocol and destination-port text ("eq 443", "range 1 2", "443")."""
    proto = protocol.strip().lower() or "ip"
    proto = _PROTOCOL_NUMBERS.get(proto, proto)
    if proto in ("ip", "any", "ipv4", "ipv6"):
        return ANY_SERVICE
    if proto not in ("tcp", "udp") or not ports:
        return ServiceRange(proto)
    words = ports.replace(",", " ").lower().split()
    if not words:
        return ServiceRange(proto)
    op = words[0]
    values = [_port_number(word) for word in words[1:]] if op in {"eq", "range", "gt", "lt"} else []
    if op == "eq" and values and values[0] is not None and len(values) == 1:
        return ServiceRange(proto, values[0], values[0])
    if op == "range" and len(values) == 2 and None not in values:
        assert values[0] is not None and values[1] is not None
        return ServiceRange(proto, values[0], values[1])
    if op == "gt" and values and values[0] is not None:
        return ServiceRange(proto, values[0] + 1, 65535)
    if op == "lt" and values and values[0] is not None:
        return ServiceRange(proto, 0, values[0] - 1)
    if len(words) == 1:
        first_text, _, last_text = words[0].partition("-")
        first = _port_number(first_text)
        last = _port_number(last_text) if last_text else first
        if first is not None and last is not None:
            return ServiceRange(proto, first, last)
    # Unknown spelling (several ports, neq, object groups): judge it as every port, never narrower.
    return ServiceRange(proto)


def _port_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _PORT_NAMES.get(text)


def firewall_services(names: Iterable[str]) -> tuple[ServiceRange, ...]:
    """FortiGate-style service names (or ``tcp/443`` strings) → service ranges; empty means any."""
    services: list[ServiceRange] = []
    for name in names:
        text = name.strip()
        key = text.lower()
        if key in _NAMED_SERVICES:
            services.extend(ServiceRange.parse(s) for s in _NAMED_SERVICES[key])
            continue
        try:
            services.append(ServiceRange.parse(text))
        except ValueError:
            services.append(ANY_SERVICE)  # unknown custom service: assume the broadest
    return tuple(services) or (ANY_SERVICE,)


def _is_netmask(octets: list[int]) -> bool:
    value = int.from_bytes(bytes(octets), "big")
    inverted = value ^ 0xFFFFFFFF
    return value != 0 and (inverted & (inverted + 1)) == 0


def parse_address(text: str, hosts: Mapping[str, str] | None = None) -> tuple[Network, ...] | None:
    """An address spec as written in ACLs and firewall policies → networks; ``None`` means any.

    Accepts ``any``/``all``, ``host A``, ``A``, ``A/len``, ``A MASK`` (netmask or Cisco wildcard),
    ``A-B`` ranges and names of policy hosts. Anything unresolvable returns ``None`` (any): an
    unknown object is judged as the broadest possible match, never as narrower than it may be.
    """
    spec = text.strip()
    key = spec.lower()
    if key in ("", "any", "all", "any4", "any6", "0.0.0.0/0", "::/0", "0.0.0.0 0.0.0.0"):
        return None
    if hosts and spec in hosts:
        return parse_address(hosts[spec])
    if key.startswith("host "):
        spec = spec[5:].strip()
    try:
        if " " in spec:
            address, mask = spec.split(None, 1)
            octets = [int(part) for part in mask.split(".")]
            if len(octets) != 4:
                return None
            if _is_netmask(octets):
                return (ipaddress.ip_network(f"{address}/{mask}", strict=False),)
            wildcard_mask = ".".join(str(255 - o) for o in octets)
            if all(o == 255 for o in octets):  # wildcard 255.255.255.255 = any
                return None
            if _is_netmask([255 - o for o in octets]):
                return (ipaddress.ip_network(f"{address}/{wildcard_mask}", strict=False),)
            return None  # discontiguous wildcard: treat as any
        if "-" in spec and "/" not in spec:
            first_text, last_text = spec.split("-", 1)
            first = ipaddress.ip_address(first_text.strip())
            last = ipaddress.ip_address(last_text.strip())
            return tuple(ipaddress.summarize_address_range(first, last))
        network = ipaddress.ip_network(spec, strict=False)
    except ValueError:
        return None
    if network.prefixlen == 0:
        return None
    return (network,)


# --------------------------------------------------------------------------------------------
# Facts


@dataclass(frozen=True, slots=True)
class PortVlans:
    """The VLANs a switch port carries (from its configuration)."""

    device: str
    port: str
    mode: str
    vlans: frozenset[int]
    native_vlan: int | None
    source: str
    admin_up: bool | None = None


@dataclass(frozen=True, slots=True)
class VlanUse:
    """One reason a VLAN exists on a device: ``defined``, ``access``, ``trunk``, ``svi``, ``fdb``."""

    how: Literal["defined", "access", "trunk", "native", "svi", "fdb"]
    port: str | None
    source: str

    @property
    def kind(self) -> FactKind:
        return "live" if self.how == "fdb" else "config"


@dataclass(frozen=True, slots=True)
class Link:
    """An LLDP/CDP adjacency between two inventory devices, oriented by device name."""

    device: str
    port: str
    remote_device: str
    remote_port: str | None
    protocol: str
    sources: frozenset[str]
    seen_from_both_ends: bool

    @property
    def subject(self) -> str:
        return link_subject(self.port, self.remote_device, self.remote_port)

    def ends(self) -> list[tuple[str, str, str, str | None]]:
        """(device, port, remote device, remote port) seen from each end whose port is known."""
        found: list[tuple[str, str, str, str | None]] = [
            (self.device, self.port, self.remote_device, self.remote_port)
        ]
        if self.remote_port:
            found.append((self.remote_device, self.remote_port, self.device, self.port))
        return found


def link_subject(port: str, remote_device: str, remote_port: str | None) -> str:
    """``link:LOCAL<->REMOTE-DEVICE:REMOTE-PORT`` as seen from the local device."""
    remote = f"{remote_device}:{remote_port}" if remote_port else remote_device
    return f"link:{port}<->{remote}"


@dataclass(frozen=True, slots=True)
class MacSighting:
    """A MAC address learned in a VLAN on a port of a device."""

    mac: str
    device: str
    port: str | None
    vlan: int | None
    zone: str | None
    source: str
    transit: bool


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


@dataclass(frozen=True, slots=True)
class ZoneSpan:
    """Which zones an address set touches; ``external`` = addresses outside every zone subnet."""

    zones: frozenset[str]
    external: bool


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

    @property
    def base_subject(self) -> str:
        return f"acl:{self.name}:{self.key}" if self.kind == "acl" else f"fw:{self.key}"

    def subject(self, source_zone: str, destination_zone: str) -> str:
        return f"{self.base_subject}#{source_zone}->{destination_zone}"


# --------------------------------------------------------------------------------------------
# The view


class NetworkView:
    """Indexes over all snapshots of one run. Build with :meth:`of` (cached on the context)."""

    def __init__(
        self,
        policy: Policy,
        inventory: Inventory,
        snapshots: Mapping[str, DeviceSnapshot],
        ledger: AssetLedger | None = None,
    ) -> None:
        self.policy = policy
        self.inventory = inventory
        self.snapshots = dict(snapshots)
        self.ledger = ledger or AssetLedger()
        self.zones: dict[str, Zone] = {zone.id: zone for zone in policy.zones}
        self.mynumber_zones = frozenset(z.id for z in policy.zones if z.kind == ZoneKind.MYNUMBER)
        # Space outside every declared network: the zone the policy names for it (issue 15: an
        # unknown external zone, or the Internet when the policy says so); older policies without
        # one fall back to the Internet tier, as before.
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
        self._mac_cache: dict[str, str] = {}
        self._span_cache: dict[Network, ZoneSpan] = {}
        self._flows: dict[tuple[str, str], list[Flow]] = defaultdict(list)
        for flow in policy.flows_in_force():  # 画面転送 of the My Number tier: R7.3 on only
            self._flows[(flow.from_, flow.to)].append(flow)

        self._name_index: dict[str, str] = {}
        self._address_index: dict[str, str] = {}
        self._index_names()

        self.interfaces: dict[str, dict[str, Interface]] = {}
        self.port_vlans: dict[tuple[str, str], PortVlans] = {}
        self.device_vlans: dict[str, dict[int, list[VlanUse]]] = {}
        self.links: list[Link] = []
        self.links_by_port: dict[tuple[str, str], Link] = {}
        self.unresolved_neighbors: list[tuple[str, str, str | None]] = []
        self.fdb_by_mac: dict[str, list[MacSighting]] = defaultdict(list)
        self.fdb_by_port: dict[tuple[str, str], list[MacSighting]] = defaultdict(list)
        self.arp_by_ip: dict[str, list[ArpFact]] = defaultdict(list)
        self.arp_by_mac: dict[str, list[ArpFact]] = defaultdict(list)
        self.arp_by_device: dict[str, list[ArpFact]] = defaultdict(list)
        self.own_macs: set[str] = set()
        self.l3_interfaces: dict[str, list[L3Interface]] = defaultdict(list)
        self.routes: dict[str, list[RouteFact]] = defaultdict(list)
        self.rules: dict[str, list[RuleFact]] = defaultdict(list)
        self.ledger_by_mac: dict[str, LedgerRow] = {}
        self.transit_ports: set[tuple[str, str]] = set()
        self._link_reports: list[tuple[str, str, str, str | None, str, str]] = []
        self.derived: dict[str, Any] = {}  # results computed from the view (matrix), memoized
        # Millions of small, acyclic index objects: the cyclic collector would rescan all of the
        # run's snapshots again and again while they are created, so it pauses for the build.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build()
        finally:
            if collecting:
                gc.enable()

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def of(cls, context: Any) -> NetworkView:
        """The view for an :class:`~auditor.rules.AuditContext`, built once and cached on it."""
        key = (
            id(context.snapshots),
            len(context.snapshots),
            id(context.policy),
            id(context.inventory),
            id(context.ledger),
        )
        cache = getattr(context, "cache", None)
        cached = cache.get("network_view") if isinstance(cache, dict) else None
        if cached is None:
            cached = getattr(context, _CACHE_ATTRIBUTE, None)
        if isinstance(cached, tuple) and cached[0] == key:
            view: NetworkView = cached[1]
            return view
        view = cls(context.policy, context.inventory, context.snapshots, context.ledger)
        if isinstance(cache, dict):
            cache["network_view"] = (key, view)
        else:
            # A context with __slots__ cannot carry the cache: every check then builds its own.
            with contextlib.suppress(AttributeError):
                object.__setattr__(context, _CACHE_ATTRIBUTE, (key, view))
        return view

    def _index_names(self) -> None:
        for device in self.inventory.devices:
            lowered = device.name.lower()
            self._name_index[lowered] = device.name
            self._name_index.setdefault(lowered.split(".")[0], device.name)
            self._address_index[device.address.split("/")[0]] = device.name
        for name, snapshot in self.snapshots.items():
            self._name_index.setdefault(name.lower(), name)
            system_name = snapshot.system.name
            if system_name:
                lowered = system_name.lower()
                self._name_index.setdefault(lowered, name)
                self._name_index.setdefault(lowered.split(".")[0], name)

    def _build(self) -> None:
        for name, snapshot in self.snapshots.items():
            self._index_ports(name, snapshot)
        for name, snapshot in self.snapshots.items():
            self._index_neighbors(name, snapshot)
        self._finish_links()
        for name, snapshot in self.snapshots.items():
            self._index_l3(name, snapshot)
        all_l3 = {str(i.address.ip) for facts in self.l3_interfaces.values() for i in facts}
        all_l3.update(self._address_index)
        for name, snapshot in self.snapshots.items():
            self._index_arp(name, snapshot, all_l3)
        for name, snapshot in self.snapshots.items():
            self._index_fdb(name, snapshot)
            self._index_routes(name, snapshot)
            self._index_rules(name, snapshot)
        for row in self.ledger.rows:
            if row.mac:
                try:
                    self.ledger_by_mac.setdefault(self._mac(row.mac), row)
                except ValueError:
                    continue

    def _index_ports(self, device: str, snapshot: DeviceSnapshot) -> None:
        by_name = {iface.name: iface for iface in snapshot.interfaces}
        self.interfaces[device] = by_name
        uses: dict[int, list[VlanUse]] = defaultdict(list)
        default_source = _snapshot_source(snapshot)
        default_name = _source_name(default_source)
        for vlan in snapshot.vlans:
            uses[vlan.id].append(
                VlanUse("defined", None, _source_name(vlan.source or default_source))
            )
        defined = {vlan.id for vlan in snapshot.vlans}
        defined.update(i.access_vlan for i in snapshot.interfaces if i.access_vlan is not None)
        for iface in snapshot.interfaces:
            source = _source_name(iface.source) if iface.source else default_name
            svi = _VLAN_INTERFACE.match(iface.name)
            if svi:
                uses[int(svi.group(1))].append(VlanUse("svi", iface.name, source))
            mode = _effective_mode(iface)
            if mode == "access" and iface.access_vlan is not None:
                carried = frozenset({iface.access_vlan})
                uses[iface.access_vlan].append(VlanUse("access", iface.name, source))
            elif mode == "trunk":
                if iface.allowed_vlans is None:
                    carried = frozenset(defined)  # "all": every VLAN that exists on the switch
                else:
                    carried = frozenset(iface.allowed_vlans)
                if iface.native_vlan is not None:
                    carried = carried | {iface.native_vlan}
                    uses[iface.native_vlan].append(VlanUse("native", iface.name, source))
                for vlan_id in carried:
                    uses[vlan_id].append(VlanUse("trunk", iface.name, source))
                self.transit_ports.add((device, iface.name))
            else:
                if iface.mode == "routed":
                    self.transit_ports.add((device, iface.name))
                continue
            self.port_vlans[(device, iface.name)] = PortVlans(
                device=device,
                port=iface.name,
                mode=mode,
                vlans=carried,
                native_vlan=iface.native_vlan if mode == "trunk" else None,
                source=source,
                admin_up=iface.admin_up,
            )
        self.device_vlans[device] = uses

    def _index_neighbors(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = _snapshot_source(snapshot, live=True)
        default_name = _source_name(default_source)
        for neighbor in snapshot.neighbors:
            if neighbor.remote_chassis_id:
                with contextlib.suppress(ValueError):
                    self.own_macs.add(self._mac(neighbor.remote_chassis_id))
            remote = self.resolve_device(neighbor.remote_name) if neighbor.remote_name else None
            if remote is None and neighbor.remote_address:
                remote = self._address_index.get(neighbor.remote_address)
            if remote is None or remote == device:
                self.unresolved_neighbors.append(
                    (device, neighbor.local_port, neighbor.remote_name)
                )
                continue
            source = _source_name(neighbor.source) if neighbor.source else default_name
            self._link_reports.append(
                (
                    device,
                    neighbor.local_port,
                    remote,
                    neighbor.remote_port,
                    neighbor.protocol,
                    source,
                )
            )
            self.transit_ports.add((device, neighbor.local_port))
            if neighbor.remote_port:
                self.transit_ports.add((remote, neighbor.remote_port))

    def _finish_links(self) -> None:
        """Merge the reports of both ends of a link into one oriented :class:`Link`."""
        groups: dict[tuple[Any, ...], list[tuple[str, str, str, str | None, str, str]]] = {}
        endpoint_key: dict[tuple[str, str], tuple[Any, ...]] = {}
        partial: list[tuple[str, str, str, str | None, str, str]] = []
        for report in self._link_reports:
            device, port, remote, remote_port = report[:4]
            if remote_port is None:
                partial.append(report)
                continue
            key: tuple[Any, ...] = tuple(sorted([(device, port), (remote, remote_port)]))
            groups.setdefault(key, []).append(report)
            endpoint_key[(device, port)] = key
            endpoint_key[(remote, remote_port)] = key
        for report in partial:
            device, port, remote = report[:3]
            known_key = endpoint_key.get((device, port))
            if known_key is not None and remote in (known_key[0][0], known_key[1][0]):
                groups[known_key].append(report)
            else:
                groups.setdefault((device, port, remote), []).append(report)
        for reports in groups.values():
            reporters = {report[0] for report in reports}
            known = [report for report in reports if report[3] is not None] or reports
            device, port, remote, remote_port, protocol, _ = min(known, key=_report_order)
            # Orient by device name so that the subject does not depend on which end reported.
            if remote < device and remote_port:
                device, port, remote, remote_port = remote, remote_port, device, port
            link = Link(
                device=device,
                port=port,
                remote_device=remote,
                remote_port=remote_port,
                protocol=protocol,
                sources=frozenset(report[5] for report in reports),
                seen_from_both_ends=len(reporters) > 1,
            )
            self.links.append(link)
            self.links_by_port[(link.device, link.port)] = link
            if link.remote_port:
                self.links_by_port[(link.remote_device, link.remote_port)] = link
        self._link_reports = []
        self.links.sort(key=lambda link: (link.device, link.port))

    def _index_l3(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = _snapshot_source(snapshot)
        default_name = _source_name(default_source)
        acl_in: dict[str, str] = {}
        acl_out: dict[str, str] = {}
        for acl in snapshot.acls:
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
                        source=(_source_name(iface.source) if iface.source else default_name),
                    )
                )

    def _interface_zone_hint(self, iface: Interface) -> str | None:
        svi = _VLAN_INTERFACE.match(iface.name)
        if svi:
            return self.zone_of_vlan(int(svi.group(1)))
        if iface.access_vlan is not None:
            return self.zone_of_vlan(iface.access_vlan)
        return self.zones[iface.name].id if iface.name in self.zones else None

    def _index_arp(self, device: str, snapshot: DeviceSnapshot, device_addresses: set[str]) -> None:
        default_source = _snapshot_source(snapshot, live=True)
        default_name = _source_name(default_source)
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
                (_source_name(entry.source) if entry.source else default_name),
            )
            self.arp_by_ip[entry.ip].append(fact)
            self.arp_by_mac[mac].append(fact)
            self.arp_by_device[device].append(fact)
            if entry.ip in device_addresses:
                self.own_macs.add(mac)

    def _index_fdb(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = _snapshot_source(snapshot, live=True)
        default_name = _source_name(default_source)
        by_port_vlans: dict[str | None, set[int | None]] = defaultdict(set)
        for entry in snapshot.fdb:
            by_port_vlans[entry.port].add(entry.vlan)
        interfaces = self.interfaces.get(device, {})
        for entry in snapshot.fdb:
            try:
                mac = self._mac(entry.mac)
            except ValueError:
                continue
            port = entry.port
            vlan = entry.vlan
            iface = interfaces.get(port) if port else None
            if vlan is None and iface is not None:
                vlan = iface.access_vlan
            transit = port is None or (device, port) in self.transit_ports
            if not transit and (iface is None or iface.mode == "unknown"):
                # No mode known: a port that learns in several VLANs is an uplink, not a terminal.
                transit = len(by_port_vlans[port]) > 1
            sighting = MacSighting(
                mac=mac,
                device=device,
                port=port,
                vlan=vlan,
                zone=self.zone_of_vlan(vlan) if vlan is not None else None,
                source=(_source_name(entry.source) if entry.source else default_name),
                transit=transit,
            )
            self.fdb_by_mac[mac].append(sighting)
            if port is not None:
                self.fdb_by_port[(device, port)].append(sighting)
            if vlan is not None:
                self.device_vlans[device].setdefault(vlan, []).append(
                    VlanUse(
                        "fdb", port, (_source_name(entry.source) if entry.source else default_name)
                    )
                )

    def _index_routes(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = _snapshot_source(snapshot)
        default_name = _source_name(default_source)
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
                    source=(_source_name(route.source) if route.source else default_name),
                )
            )

    def _index_rules(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = _snapshot_source(snapshot)
        bindings: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for acl in snapshot.acls:
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
            sources = parse_address(entry.source, self.hosts)
            destinations = parse_address(entry.destination, self.hosts)
            source_zones = self._zones_for(sources)
            destination_zones = self._zones_for(destinations)
            # "any" on a bound ACL means whatever can arrive on (or leave through) that interface.
            if reach:
                if direction == "in" and sources is None:
                    source_zones = reach
                elif direction == "out" and destinations is None:
                    destination_zones = reach
            key = str(entry.sequence) if entry.sequence is not None else str((index + 1) * 10)
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
                    services=(acl_service(entry.protocol, entry.destination_ports),),
                    source=_source_name(acl.source or default),
                )
            )
            position += 1
        return position

    def _add_firewall_policy(
        self, device: str, fw_policy: FirewallPolicy, position: int, default: Source | None
    ) -> int:
        sources = self._addresses(fw_policy.source_addresses)
        destinations = self._addresses(fw_policy.destination_addresses)
        source_zones = self._zones_for(sources)
        destination_zones = self._zones_for(destinations)
        from_interfaces = self._interfaces_zones(device, fw_policy.source_interfaces)
        to_interfaces = self._interfaces_zones(device, fw_policy.destination_interfaces)
        if from_interfaces is not None:
            source_zones = (
                source_zones & from_interfaces if sources is not None else from_interfaces
            )
        if to_interfaces is not None:
            destination_zones = (
                destination_zones & to_interfaces if destinations is not None else to_interfaces
            )
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
                services=firewall_services(fw_policy.services),
                source=_source_name(fw_policy.source or default),
            )
        )
        return position + 1

    def _addresses(self, names: list[str]) -> tuple[Network, ...] | None:
        if not names:
            return None
        networks: list[Network] = []
        for name in names:
            parsed = parse_address(name, self.hosts)
            if parsed is None:
                return None
            networks.extend(parsed)
        return tuple(networks)

    def _interfaces_zones(self, device: str, names: list[str]) -> frozenset[str] | None:
        if not names or any(name.lower() in ("any", "all") for name in names):
            return None
        zones: set[str] = set()
        for name in names:
            zones |= self.interface_zones(device, name)
        return frozenset(zones) if zones else None

    def _zones_for(self, networks: tuple[Network, ...] | None) -> frozenset[str]:
        if networks is None:
            return frozenset(self.zones)
        span = self.zones_of_networks(networks)
        zones = set(span.zones)
        if span.external and self.external_zone:
            zones.add(self.external_zone)
        return frozenset(zones)

    # ---- lookups ------------------------------------------------------------------------

    def _mac(self, value: str) -> str:
        """``normalize_mac`` memoized: the same MAC appears in many FDB and ARP tables."""
        known = self._mac_cache.get(value)
        if known is None:
            known = normalize_mac(value)  # raises ValueError for non-MACs; not cached
            self._mac_cache[value] = known
        return known

    def resolve_device(self, name: str) -> str | None:
        """Inventory (or snapshot) device for an LLDP/CDP name: case-insensitive, domain stripped."""
        lowered = name.strip().lower()
        found = self._name_index.get(lowered)
        if found is None:
            found = self._name_index.get(lowered.split(".")[0])
        if found is None and "(" in lowered:  # CDP "name(serial)" spelling
            found = self._name_index.get(lowered.split("(")[0].split(".")[0])
        return found

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

    def device_zones(self, device: str) -> frozenset[str]:
        record = self.devices.get(device)
        return frozenset(record.zones) if record else frozenset()

    def device_site(self, device: str) -> str | None:
        record = self.devices.get(device)
        return record.site if record else None

    def is_firewall(self, device: str) -> bool:
        """Firewalls filter between their interfaces by policy; routing alone connects nothing."""
        record = self.devices.get(device)
        if record is not None and (
            record.platform in _FIREWALL_PLATFORMS or record.role == "firewall"
        ):
            return True
        snapshot = self.snapshots.get(device)
        return bool(snapshot and snapshot.firewall_policies)

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

    # ---- policy questions ---------------------------------------------------------------

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

    def unrestricted_flow(self, source_zone: str, destination_zone: str) -> bool:
        """Whether the policy allows everything from one zone to the other (no filter needed)."""
        return any(
            not flow.via
            and not flow.destinations
            and any(ServiceRange.parse(s).protocol == "any" for s in flow.services)
            for flow in self.flows(source_zone, destination_zone)
        )

    def resolve_targets(self, names: Iterable[str]) -> tuple[Network, ...]:
        """Policy destinations/relays (host names or CIDRs) → networks."""
        networks: list[Network] = []
        for name in names:
            parsed = parse_address(name, self.hosts)
            if parsed is not None:
                networks.extend(parsed)
        return tuple(networks)

    def ledger_zone_of_mac(self, mac: str) -> tuple[str | None, LedgerRow | None]:
        """The zone the asset ledger gives a MAC: the row's zone, else the zone of the row's IP."""
        row = self.ledger_by_mac.get(mac)
        if row is None:
            return None, None
        if row.zone:
            return row.zone, row
        if row.ip:
            return self.zone_of_address(row.ip), row
        return None, row

    def terminal_sightings(self) -> dict[str, list[MacSighting]]:
        """FDB entries on access (non-transit) ports, without the devices' own MACs (memoized)."""
        cached: dict[str, list[MacSighting]] | None = self.derived.get("terminal_sightings")
        if cached is not None:
            return cached
        terminals: dict[str, list[MacSighting]] = {}
        for mac, sightings in self.fdb_by_mac.items():
            if mac in self.own_macs:
                continue
            kept = [s for s in sightings if not s.transit]
            if kept:
                terminals[mac] = kept
        self.derived["terminal_sightings"] = terminals
        return terminals

    def devices_with_snapshots(self) -> list[str]:
        return sorted(self.snapshots)


def _effective_mode(iface: Interface) -> str:
    """The port's mode; an ``unknown`` port with VLAN membership is judged by that membership."""
    if iface.mode != "unknown":
        return iface.mode
    members = set(iface.allowed_vlans or ())
    if iface.access_vlan is not None:
        members.add(iface.access_vlan)
    if iface.allowed_vlans is not None and len(members) > 1:
        return "trunk"
    return "access" if iface.access_vlan is not None else "unknown"


def _snapshot_source(snapshot: DeviceSnapshot, live: bool = False) -> Source | None:
    """The collector a fact most likely came from when the fact does not say: configuration is
    read over SSH, tables (FDB, ARP, LLDP, routes) are walked over SNMP."""
    preferred = Source.SNMP if live else Source.SSH
    if preferred in snapshot.sources:
        return preferred
    return snapshot.sources[0] if snapshot.sources else None


def _report_order(report: tuple[str, str, str, str | None, str, str]) -> tuple[str, ...]:
    return (report[0], report[1], report[2], report[3] or "", report[4], report[5])
