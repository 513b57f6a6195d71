"""Traffic collection: captured frames → a zone-pair flow table and the facts traffic checks read.

Only headers are decoded (:mod:`auditor.collect.pcap_decode`); scapy dissects just the frames a
check needs in detail (ARP replies, DHCP offers/acks). The result, :class:`TrafficSummary`, holds
counts, times and addresses — never payloads — so it can be stored as evidence as it is. Mapping
addresses to zones is a fact about the policy's address plan; judging flows is the checks' job.
"""

from __future__ import annotations

import builtins
import contextlib
import ipaddress
import json
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.collect.pcap_decode import (
    ETH_ARP,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_TCP,
    PROTO_UDP,
    decode,
    format_mac,
    snmp_version,
)
from auditor.collect.pcap_reader import PcapReadError, iter_frames
from auditor.policy.models import Policy, ZoneKind, parse_service

UNMAPPED = "unmapped"  # a private address in no policy subnet or VLAN
MULTICAST = "multicast"  # broadcast and multicast destinations: not a zone-to-zone flow
SPECIAL_ZONES = frozenset({UNMAPPED, MULTICAST})
EVIDENCE_LABEL = "traffic-summary.json"

MAX_PAIRS_PER_FLOW = 256
MAX_HOSTS = 100_000
MAX_SERVERS = 1_000_000
MAX_CLEARTEXT = 10_000
MAX_IPS_PER_HOST = 8
CLEARTEXT_PORTS = {(PROTO_TCP, 23): "telnet", (PROTO_TCP, 80): "http", (PROTO_UDP, 69): "tftp"}
SNMP_LABELS = {0: "snmpv1", 1: "snmpv2c"}
PROTOCOL_NAMES = {PROTO_TCP: "tcp", PROTO_UDP: "udp", PROTO_ICMP: "icmp", PROTO_ICMPV6: "icmpv6"}
TCP_SYN = 0x02
TCP_ACK = 0x10
ICMP_REPLIES = {0: 8, 129: 128}  # echo reply → echo request type


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="microseconds")


def ip_text(raw: bytes) -> str:
    return str(ipaddress.ip_address(raw))


# --------------------------------------------------------------------------------------------
# Matching addresses and services against the policy (shared by the checks and the prober)


def service_covers(service: str, protocol: str, port: int | None) -> bool:
    kind, first, last = parse_service(service)
    if kind in ("any", "ip"):
        return True
    if kind in ("icmp", "icmpv6"):
        return protocol in ("icmp", "icmpv6")
    if kind != protocol:
        return False
    if first is None or last is None:
        return True
    return port is not None and first <= port <= last


def destination_matches(policy: Policy, names: list[str], address: str | None) -> bool:
    """Whether ``address`` is one of a flow's destinations (host names or CIDRs)."""
    if not names:
        return True
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for name in names:
        host = policy.hosts.get(name)
        text = host.address if host is not None else name
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue  # a DNS name cannot be matched against an address
        if ip.version == network.version and ip in network:
            return True
    return False


# --------------------------------------------------------------------------------------------
# The summary (what is stored and what checks read)


@dataclass
class HostPair:
    source: str
    destination: str
    packets: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class FlowRecord:
    """One (source zone, destination zone, protocol, destination port) aggregate."""

    source_zone: str
    destination_zone: str
    protocol: str  # tcp, udp, icmp, icmpv6 or the IP protocol number
    port: int | None  # TCP/UDP destination port, ICMP type
    packets: int
    bytes: int
    first_seen: str | None
    last_seen: str | None
    host_pairs: list[HostPair] = field(default_factory=list)
    unlisted_packets: int = 0  # packets whose host pair did not fit in the bounded list

    @property
    def service(self) -> str:
        if self.port is None:
            return self.protocol
        return f"{self.protocol}/{self.port}"


@dataclass
class HostSighting:
    mac: str
    ips: list[str]
    vlans: list[int]
    packets: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class ArpChange:
    ip: str
    old_mac: str
    new_mac: str
    replies: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class DhcpServerSighting:
    server: str
    mac: str | None
    offers: int
    acks: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class CleartextSighting:
    protocol: str  # telnet, http, tftp, snmpv1, snmpv2c
    client: str
    server: str
    port: int
    packets: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class ReadProblem:
    path: str
    offset: int
    reason: str
    packets_before: int


@dataclass
class ProbeResult:
    """One active probe: what the policy expects and whether the target itself answered."""

    source_zone: str
    target_zone: str
    target: str
    service: str
    expected: str  # allowed or forbidden
    flow_id: str | None
    answered: bool
    reply: str | None  # syn-ack, rst, echo-reply, udp, port-unreachable
    sent_at: str | None


@dataclass
class TrafficSummary:
    """Everything traffic checks read; JSON-serializable evidence with no payloads."""

    sources: list[str] = field(default_factory=list)
    packets: int = 0
    bytes: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    flows: list[FlowRecord] = field(default_factory=list)
    hosts: list[HostSighting] = field(default_factory=list)
    arp_changes: list[ArpChange] = field(default_factory=list)
    dhcp_servers: list[DhcpServerSighting] = field(default_factory=list)
    cleartext: list[CleartextSighting] = field(default_factory=list)
    read_errors: list[ReadProblem] = field(default_factory=list)
    hosts_truncated: bool = False
    probes: list[ProbeResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def to_bytes(self) -> builtins.bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrafficSummary:
        flows = [
            FlowRecord(
                **{k: v for k, v in item.items() if k != "host_pairs"},
                host_pairs=[HostPair(**pair) for pair in item.get("host_pairs", [])],
            )
            for item in data.get("flows", [])
        ]
        return cls(
            sources=list(data.get("sources", [])),
            packets=int(data.get("packets", 0)),
            bytes=int(data.get("bytes", 0)),
            first_seen=data.get("first_seen"),
            last_seen=data.get("last_seen"),
            flows=flows,
            hosts=[HostSighting(**item) for item in data.get("hosts", [])],
            arp_changes=[ArpChange(**item) for item in data.get("arp_changes", [])],
            dhcp_servers=[DhcpServerSighting(**item) for item in data.get("dhcp_servers", [])],
            cleartext=[CleartextSighting(**item) for item in data.get("cleartext", [])],
            read_errors=[ReadProblem(**item) for item in data.get("read_errors", [])],
            hosts_truncated=bool(data.get("hosts_truncated", False)),
            probes=[ProbeResult(**item) for item in data.get("probes", [])],
        )

    def zone_pairs(self) -> dict[tuple[str, str], list[FlowRecord]]:
        """Flows between two different policy zones, grouped by pair (for the matrix)."""
        pairs: dict[tuple[str, str], list[FlowRecord]] = {}
        for flow in self.flows:
            if flow.source_zone == flow.destination_zone:
                continue
            if flow.source_zone in SPECIAL_ZONES or flow.destination_zone in SPECIAL_ZONES:
                continue
            pairs.setdefault((flow.source_zone, flow.destination_zone), []).append(flow)
        return pairs


# --------------------------------------------------------------------------------------------
# Zone mapping


class ZoneMapper:
    """Address → zone by the policy's subnets (longest prefix), then VLAN, then Internet."""

    def __init__(self, policy: Policy) -> None:
        self._networks: list[tuple[int, int, int, str]] = []  # version, network, mask, zone
        for zone in policy.zones:
            for subnet in zone.subnets:
                self._networks.append(
                    (subnet.version, int(subnet.network_address), int(subnet.netmask), zone.id)
                )
        self._networks.sort(key=lambda item: -bin(item[2]).count("1"))
        self._vlan: dict[int, str] = {}
        for zone in policy.zones:
            for vlan_range in zone.vlans:
                for vlan in range(vlan_range.first, vlan_range.last + 1):
                    self._vlan.setdefault(vlan, zone.id)
        self.external = next((z.id for z in policy.zones if z.kind == ZoneKind.INTERNET), None)
        self._cache: dict[bytes, str | None] = {}

    def by_vlan(self, vlans: tuple[int, ...]) -> str | None:
        return self._vlan.get(vlans[-1]) if vlans else None

    def zone(self, raw: bytes, vlans: tuple[int, ...]) -> str:
        cached = self._cache.get(raw, "")
        if cached is None:
            return self.by_vlan(vlans) or UNMAPPED
        if cached:
            return cached
        zone = self._lookup(raw)
        if len(self._cache) < 1_000_000:
            self._cache[raw] = zone
        if zone is None:
            return self.by_vlan(vlans) or UNMAPPED
        return zone

    def _lookup(self, raw: bytes) -> str | None:
        if len(raw) == 4 and (raw[0] >= 224 or raw == b"\xff\xff\xff\xff"):
            return MULTICAST  # 224/4 multicast, 240/4 reserved, limited broadcast
        if len(raw) == 16 and raw[0] == 0xFF:
            return MULTICAST
        version = 4 if len(raw) == 4 else 6
        value = int.from_bytes(raw, "big")
        for net_version, network, mask, zone in self._networks:
            if net_version == version and value & mask == network:
                return zone
        if self.external is not None and ipaddress.ip_address(raw).is_global:
            return self.external
        return None


# --------------------------------------------------------------------------------------------
# Aggregation


class TrafficAggregator:
    """Feeds frames into bounded tables; :meth:`summary` turns them into a TrafficSummary."""

    def __init__(self, policy: Policy) -> None:
        self.mapper = ZoneMapper(policy)
        self.sources: list[str] = []
        self.packets = 0
        self.bytes = 0
        self.first: float | None = None
        self.last: float | None = None
        # key (src zone, dst zone, protocol, port) → [first, last, packets, bytes, pairs, unlisted]
        self.flows: dict[tuple[str, str, int, int | None], list[Any]] = {}
        self.servers: set[tuple[bytes, int, int]] = set()
        self.hosts: dict[bytes, list[Any]] = {}  # mac → [first, last, packets, ips, vlans]
        self.arp_table: dict[str, str] = {}
        self.arp_changes: dict[tuple[str, str, str], list[Any]] = {}
        self.dhcp: dict[str, list[Any]] = {}
        self.cleartext: dict[tuple[str, bytes, bytes, int], list[Any]] = {}
        self.read_errors: list[ReadProblem] = []

    # -- input -------------------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        """Aggregate one capture; a read error is kept in the summary (and the flows before it)."""
        self.sources.append(str(path))
        try:
            self.feed(iter_frames(path))
        except PcapReadError as exc:
            self.read_errors.append(ReadProblem(str(exc.path), exc.offset, exc.reason, exc.frames))

    def feed(self, frames: Iterable[tuple[float, int, bytes, int]]) -> None:
        """The hot loop: local names, tuples and dict lookups only."""
        flows = self.flows
        servers = self.servers
        hosts = self.hosts
        zone_of = self.mapper.zone
        packets = self.packets
        total_bytes = self.bytes
        first = self.first
        last = self.last
        tcp, udp, icmp, icmpv6 = PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6
        try:
            for timestamp, linktype, data, wire_length in frames:
                packets += 1
                total_bytes += wire_length
                if first is None or timestamp < first:
                    first = timestamp
                if last is None or timestamp > last:
                    last = timestamp
                frame = decode(data, linktype)
                src_mac = frame.src_mac
                if src_mac is not None and not src_mac[0] & 1:
                    host = hosts.get(src_mac)
                    if host is None and len(hosts) < MAX_HOSTS:
                        host = hosts[src_mac] = [timestamp, timestamp, 0, set(), set()]
                    if host is not None:
                        host[1] = timestamp
                        host[2] += 1
                        if frame.vlans:
                            host[4].add(frame.vlans[-1])
                        if frame.src_ip is not None and len(host[3]) < MAX_IPS_PER_HOST:
                            host[3].add(frame.src_ip)
                src_ip = frame.src_ip
                if src_ip is None:
                    if frame.ethertype == ETH_ARP:
                        self._arp(data, frame.payload_offset, timestamp)
                    continue
                dst_ip = frame.dst_ip
                if dst_ip is None:
                    continue
                protocol = frame.protocol
                src_port = frame.src_port
                dst_port = frame.dst_port
                reply = False
                port: int | None = None
                if protocol in (tcp, udp):
                    if src_port is None or dst_port is None:
                        port = None
                    elif (dst_ip, protocol, dst_port) in servers:
                        port = dst_port
                    elif (src_ip, protocol, src_port) in servers:
                        reply, port = True, src_port
                    elif protocol == tcp and frame.tcp_flags & TCP_SYN:
                        if frame.tcp_flags & TCP_ACK:
                            reply, port = True, src_port
                            if len(servers) < MAX_SERVERS:
                                servers.add((src_ip, protocol, src_port))
                        else:
                            port = dst_port
                            if len(servers) < MAX_SERVERS:
                                servers.add((dst_ip, protocol, dst_port))
                    elif dst_port < 1024 or dst_port <= src_port:
                        port = dst_port
                    else:
                        reply, port = True, src_port
                    if protocol == udp and src_port == 67:
                        self._dhcp(data, frame.payload_offset, timestamp, src_ip, src_mac)
                elif protocol in (icmp, icmpv6):
                    port = src_port  # ICMP type
                    if port in ICMP_REPLIES:
                        reply, port = True, ICMP_REPLIES[port]
                vlans = frame.vlans
                if reply:
                    client, server = dst_ip, src_ip
                else:
                    client, server = src_ip, dst_ip
                key = (zone_of(client, vlans), zone_of(server, vlans), protocol or 0, port)
                flow = flows.get(key)
                if flow is None:
                    flow = [timestamp, timestamp, 0, 0, {}, 0]
                    flows[key] = flow
                elif timestamp > flow[1]:
                    flow[1] = timestamp
                elif timestamp < flow[0]:
                    flow[0] = timestamp
                flow[2] += 1
                flow[3] += wire_length
                pairs = flow[4]
                pair = pairs.get((client, server))
                if pair is not None:
                    pair[0] += 1
                    pair[2] = timestamp
                elif len(pairs) < MAX_PAIRS_PER_FLOW:
                    pairs[(client, server)] = [1, timestamp, timestamp]
                else:
                    flow[5] += 1
                if not reply and port is not None:
                    label = CLEARTEXT_PORTS.get((protocol, port))  # type: ignore[arg-type]
                    if label is None and protocol == udp and port == 161:
                        version = snmp_version(data[frame.payload_offset :])
                        label = None if version is None else SNMP_LABELS.get(version)
                    if label is not None:
                        self._cleartext(label, client, server, port, timestamp)
        finally:
            self.packets = packets
            self.bytes = total_bytes
            self.first = first
            self.last = last

    # -- frames that need a closer look ------------------------------------------------------

    def _arp(self, data: bytes, offset: int, timestamp: float) -> None:
        """ARP replies (and gratuitous requests) that bind an IP to a different MAC."""
        from scapy.layers.l2 import ARP

        try:
            arp = ARP(data[offset:])
            operation = int(arp.op)
            ip = str(arp.psrc)
            mac = str(arp.hwsrc).lower()
        except Exception:  # a malformed ARP body is skipped, never fatal
            return
        if operation != 2 and not (operation == 1 and arp.psrc == arp.pdst):
            return
        if ip == "0.0.0.0":  # noqa: S104 - an ARP probe, not a bind
            return
        known = self.arp_table.get(ip)
        self.arp_table[ip] = mac
        if known is None or known == mac:
            key = next((k for k in self.arp_changes if k[0] == ip and k[2] == mac), None)
            if key is not None:
                self.arp_changes[key][1] = timestamp
                self.arp_changes[key][2] += 1
            return
        change = self.arp_changes.get((ip, known, mac))
        if change is None:
            if len(self.arp_changes) < MAX_CLEARTEXT:
                self.arp_changes[(ip, known, mac)] = [timestamp, timestamp, 1]
        else:
            change[1] = timestamp
            change[2] += 1

    def _dhcp(
        self, data: bytes, offset: int, timestamp: float, src_ip: bytes, src_mac: bytes | None
    ) -> None:
        """DHCP offers and acks: who is acting as a DHCP server."""
        from scapy.layers.dhcp import BOOTP, DHCP

        try:
            packet = BOOTP(data[offset:])
            options = packet[DHCP].options if DHCP in packet else []
        except Exception:
            return
        message = None
        server = ip_text(src_ip)
        for option in options:
            if isinstance(option, tuple) and option[0] == "message-type":
                message = option[1]
            elif isinstance(option, tuple) and option[0] == "server_id":
                server = str(option[1])
        if message not in (2, 5):
            return
        entry = self.dhcp.get(server)
        if entry is None:
            mac = format_mac(src_mac) if src_mac else None
            entry = self.dhcp[server] = [timestamp, timestamp, 0, 0, mac]
        entry[1] = max(entry[1], timestamp)
        entry[0] = min(entry[0], timestamp)
        entry[2 if message == 2 else 3] += 1

    def _cleartext(
        self, label: str, client: bytes, server: bytes, port: int, timestamp: float
    ) -> None:
        key = (label, client, server, port)
        entry = self.cleartext.get(key)
        if entry is None:
            if len(self.cleartext) < MAX_CLEARTEXT:
                self.cleartext[key] = [timestamp, timestamp, 1]
            return
        entry[1] = max(entry[1], timestamp)
        entry[0] = min(entry[0], timestamp)
        entry[2] += 1

    # -- output ------------------------------------------------------------------------------

    def summary(self) -> TrafficSummary:
        flows = []
        for (source, destination, protocol, port), value in self.flows.items():
            first, last, packets, size, pairs, unlisted = value
            flows.append(
                FlowRecord(
                    source_zone=source,
                    destination_zone=destination,
                    protocol=PROTOCOL_NAMES.get(protocol, str(protocol)),
                    port=port,
                    packets=packets,
                    bytes=size,
                    first_seen=iso(first),
                    last_seen=iso(last),
                    host_pairs=[
                        HostPair(ip_text(c), ip_text(s), n, iso(f), iso(la))
                        for (c, s), (n, f, la) in sorted(pairs.items(), key=lambda i: -i[1][0])
                    ],
                    unlisted_packets=unlisted,
                )
            )
        flows.sort(key=lambda f: (f.source_zone, f.destination_zone, f.protocol, f.port or 0))
        hosts = [
            HostSighting(
                mac=format_mac(mac),
                ips=sorted(ip_text(ip) for ip in ips),
                vlans=sorted(vlans),
                packets=count,
                first_seen=iso(first),
                last_seen=iso(last),
            )
            for mac, (first, last, count, ips, vlans) in sorted(self.hosts.items())
        ]
        return TrafficSummary(
            sources=list(self.sources),
            packets=self.packets,
            bytes=self.bytes,
            first_seen=iso(self.first),
            last_seen=iso(self.last),
            flows=flows,
            hosts=hosts,
            arp_changes=[
                ArpChange(ip, old, new, n, iso(f), iso(la))
                for (ip, old, new), (f, la, n) in sorted(self.arp_changes.items())
            ],
            dhcp_servers=[
                DhcpServerSighting(server, mac, offers, acks, iso(f), iso(la))
                for server, (f, la, offers, acks, mac) in sorted(self.dhcp.items())
            ],
            cleartext=[
                CleartextSighting(label, ip_text(c), ip_text(s), port, n, iso(f), iso(la))
                for (label, c, s, port), (f, la, n) in sorted(self.cleartext.items())
            ],
            read_errors=list(self.read_errors),
            hosts_truncated=len(self.hosts) >= MAX_HOSTS,
        )


def analyze_files(paths: Iterable[Path], policy: Policy) -> TrafficSummary:
    """Aggregate captures; unreadable parts are listed in ``read_errors``, earlier flows kept."""
    aggregator = TrafficAggregator(policy)
    for path in paths:
        aggregator.read_file(Path(path))
    return aggregator.summary()


# --------------------------------------------------------------------------------------------
# Live capture


ETH_P_ALL = 0x0003


def live_frames(
    interface: str, duration: float, on_ready: Callable[[], None] | None = None
) -> Iterator[tuple[float, int, bytes, int]]:
    """Frames from an AF_PACKET raw socket (needs CAP_NET_RAW) for ``duration`` seconds or until
    SIGINT.

    The kernel hands VLAN tags to raw sockets out of band, so frames arrive untagged; zones then
    come from addresses, as for any capture on an access port.
    """
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    try:
        sock.bind((interface, 0))
        if on_ready is not None:
            on_ready()
        deadline = time.monotonic() + duration
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            sock.settimeout(min(remaining, 0.5))
            try:
                data = sock.recv(65535)
            except TimeoutError:
                continue
            except KeyboardInterrupt:  # Ctrl-C / SIGINT ends the capture early, not the analysis
                return
            yield time.time(), 1, data, len(data)
    finally:
        sock.close()


def watch_interface(
    interface: str,
    duration: float,
    policy: Policy,
    on_ready: Callable[[], None] | None = None,
) -> TrafficSummary:
    aggregator = TrafficAggregator(policy)
    aggregator.sources.append(f"live:{interface}")
    # Interrupted between two frames: what was counted so far stands.
    with contextlib.suppress(KeyboardInterrupt):
        aggregator.feed(live_frames(interface, duration, on_ready))

    return aggregator.summary()


# --------------------------------------------------------------------------------------------
# The stored summary, for the matrix and the report


def latest_stored_summary(store: Any) -> TrafficSummary | None:
    """The flow table of the newest recorded traffic run (``None`` when there is none)."""
    for run in store.list_runs(kind="traffic", limit=5):
        for link in store.run_evidence(run.id):
            if link.label == EVIDENCE_LABEL:
                return TrafficSummary.from_json(json.loads(store.evidence_blob(link.sha256)))
    return None


def add_observed(matrix: Any, summary: TrafficSummary | None) -> None:
    """Fill the matrix's "observed in traffic" column from a summary."""
    from auditor.analysis.matrix import ObservedFlow

    if summary is None:
        return
    for (source, destination), flows in summary.zone_pairs().items():
        if (source, destination) not in matrix.cells:
            continue
        matrix.add_observed(
            source,
            destination,
            ObservedFlow(
                services=sorted({flow.service for flow in flows}),
                packets=sum(flow.packets for flow in flows),
                bytes=sum(flow.bytes for flow in flows),
                first_seen=min((f.first_seen for f in flows if f.first_seen), default=None),
                last_seen=max((f.last_seen for f in flows if f.last_seen), default=None),
                evidence=[EVIDENCE_LABEL],
            ),
        )
