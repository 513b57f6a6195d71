"""Traffic collection: captured frames → a zone-pair flow table and the facts traffic checks read.

Only headers are decoded (:mod:`auditor.collect.pcap_decode`); scapy dissects just the frames a
check needs in detail (ARP replies, DHCP offers/acks). The result,
:class:`~auditor.model.traffic.TrafficSummary`, holds counts, times and addresses — never payloads.
Mapping addresses to zones is a fact about the policy's address plan; judging flows against the
policy is :mod:`auditor.analysis.traffic`'s job, live capture is :mod:`auditor.collect.capture`.
"""

from __future__ import annotations

import ipaddress
import math
import socket
import struct
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.collect.pcap_decode import (
    ETH_ARP,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_TCP,
    PROTO_UDP,
    VLAN_TAGS,
    decode,
    format_mac,
    snmp_version,
)
from auditor.collect.pcap_reader import PcapReadError, iter_frames
from auditor.collect.pcap_vector import MIN_PACKETS, feed_file
from auditor.gcpause import gc_paused
from auditor.model.traffic import (
    MULTICAST,
    UNMAPPED,
    ArpChange,
    CleartextSighting,
    DhcpServerSighting,
    FlowRecord,
    HostPair,
    HostSighting,
    ReadProblem,
    TrafficSummary,
)
from auditor.policy.models import Policy, ZoneKind

try:  # optional: without NumPy timestamps are formatted one by one
    import numpy as np
except ImportError:  # pragma: no cover - numpy is part of the traffic extra
    np = None  # type: ignore[assignment]

MAX_PAIRS_PER_FLOW = 256
MAX_HOSTS = 100_000
MAX_SERVERS = 1_000_000
MAX_CLEARTEXT = 10_000
MAX_IPS_PER_HOST = 8
CLEARTEXT_PORTS = {(PROTO_TCP, 23): "telnet", (PROTO_TCP, 80): "http", (PROTO_UDP, 69): "tftp"}
SNMP_LABELS = {0: "snmpv1", 1: "snmpv2c"}
PROTOCOL_NAMES = {PROTO_TCP: "tcp", PROTO_UDP: "udp", PROTO_ICMP: "icmp", PROTO_ICMPV6: "icmpv6"}
TCP_SYN = 0x02
_ARP_ETHERNET_IPV4 = bytes.fromhex("000108000604")  # hardware 1 (Ethernet), IPv4, 6, 4
TCP_ACK = 0x10
ICMP_REPLIES = {0: 8, 129: 128}  # echo reply → echo request type


_SECONDS: dict[int, str] = {}  # whole second → "YYYY-MM-DDTHH:MM:SS", shared by all summaries


def iso(timestamp: float | None) -> str | None:
    """ISO 8601 UTC with microseconds, as ``datetime.isoformat`` spells it.

    A summary of 100,000 hosts formats ~300,000 times; the date part is formatted once per second
    and the microseconds are rounded the way ``datetime.fromtimestamp`` rounds them (half-even).
    """
    if timestamp is None:
        return None
    fraction, whole = math.modf(timestamp)
    micro = round(fraction * 1e6)
    second = int(whole)
    if micro >= 1_000_000:
        second, micro = second + 1, micro - 1_000_000
    elif micro < 0:
        second, micro = second - 1, micro + 1_000_000
    prefix = _SECONDS.get(second)
    if prefix is None:
        prefix = datetime.fromtimestamp(second, UTC).isoformat()[:19]
        if len(_SECONDS) < 100_000:
            _SECONDS[second] = prefix
    return f"{prefix}.{micro:06d}+00:00"


def iso_all(timestamps: list[float]) -> list[str]:
    """:func:`iso` of many timestamps at once (the same text), with NumPy where it is installed.

    A summary of a million distinct-flow packets formats ~230,000 times; one call per value cost
    a quarter of a second. Values outside 1970–2242 (none in a capture) take :func:`iso`.
    """
    if np is None or not timestamps:
        return [iso(value) or "" for value in timestamps]
    values = np.asarray(timestamps, dtype=np.float64)
    if not ((values >= 0) & (values < 1 << 33)).all():
        return [iso(value) or "" for value in timestamps]
    fraction, whole = np.modf(values)
    micro = np.rint(fraction * 1e6).astype(np.int64)  # half-even, like round()
    stamps = whole.astype(np.int64) * 1_000_000 + micro
    texts = np.datetime_as_string(stamps.astype("datetime64[us]"), unit="us")
    return [text + "+00:00" for text in texts.tolist()]


def ip_text(raw: bytes) -> str:
    """``str(ipaddress.ip_address(raw))``, through ``inet_ntop`` (~10x faster) where they agree.

    They differ only where inet_ntop writes an embedded IPv4 address in dotted form.
    """
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    text = socket.inet_ntop(socket.AF_INET6, raw)
    return str(ipaddress.ip_address(raw)) if "." in text else text


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
        # One dict per (version, prefix length), longest first: a miss costs a few dict lookups
        # instead of a scan of every subnet; the first subnet of a length wins, as in the scan.
        self._by_length: list[tuple[int, int, dict[int, str]]] = []
        for version, network, mask, zone_id in self._networks:
            if not self._by_length or self._by_length[-1][:2] != (version, mask):
                same = [t for t in self._by_length if t[0] == version and t[1] == mask]
                if not same:
                    self._by_length.append((version, mask, {}))
            table = next(t for t in self._by_length if t[0] == version and t[1] == mask)[2]
            table.setdefault(network, zone_id)
        self._by_length.sort(key=lambda item: -bin(item[1]).count("1"))
        self._vlan: dict[int, str] = {}
        for zone in policy.zones:
            for vlan_range in zone.vlans:
                for vlan in range(vlan_range.first, vlan_range.last + 1):
                    self._vlan.setdefault(vlan, zone.id)
        self.external = next((z.id for z in policy.zones if z.kind == ZoneKind.INTERNET), None)
        self.cache: dict[bytes, str | None] = {}

    def by_vlan(self, vlans: tuple[int, ...]) -> str | None:
        return self._vlan.get(vlans[-1]) if vlans else None

    def zone(self, raw: bytes, vlans: tuple[int, ...]) -> str:
        cached = self.cache.get(raw, "")
        if cached is None:
            return self.by_vlan(vlans) or UNMAPPED
        if cached:
            return cached
        zone = self._lookup(raw)
        if len(self.cache) < 1_000_000:
            self.cache[raw] = zone
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
        for net_version, mask, table in self._by_length:
            if net_version == version:
                zone = table.get(value & mask)
                if zone is not None:
                    return zone
        if self.external is not None and _is_global(raw):
            return self.external
        return None


_GLOBAL_V4: dict[bytes, bool] = {}  # /24 prefix → is_global (no special range is narrower)


def _is_global(raw: bytes) -> bool:
    """``ipaddress``'s ``is_global``, answered without it for the common private ranges."""
    if len(raw) == 4:
        first = raw[0]
        if first == 10 or (first == 172 and 16 <= raw[1] < 32) or (first == 192 and raw[1] == 168):
            return False
        prefix = raw[:3]
        if prefix == b"\xc0\x00\x00":  # 192.0.0.0/24 holds /29 … /32 special ranges
            return ipaddress.ip_address(raw).is_global
        known = _GLOBAL_V4.get(prefix)
        if known is None:
            known = ipaddress.ip_address(raw).is_global
            if len(_GLOBAL_V4) < 100_000:
                _GLOBAL_V4[prefix] = known
        return known
    if raw[0] & 0xFE == 0xFC or (raw[0] == 0xFE and raw[1] & 0xC0 == 0x80):
        return False  # fc00::/7 unique local, fe80::/10 link-local
    return ipaddress.ip_address(raw).is_global


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
        self.vectorized = True
        """Large classic-pcap Ethernet captures go through :mod:`auditor.collect.pcap_vector`
        (same tables, array at a time); ``False`` keeps the packet loop (differential tests)."""
        self.vector_min_packets = MIN_PACKETS

    # -- input -------------------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        """Aggregate one capture; a read error is kept in the summary (and the flows before it)."""
        self.sources.append(str(path))
        with gc_paused(promote=True):
            if self.vectorized and feed_file(self, path, self.vector_min_packets):
                return
            try:
                self.feed(iter_frames(path))
            except PcapReadError as exc:
                problem = ReadProblem(str(exc.path), exc.offset, exc.reason, exc.frames)
                self.read_errors.append(problem)

    def feed(self, frames: Iterable[tuple[float, int, bytes, int]]) -> None:
        """The hot loop: local names, tuples and dict lookups only."""
        flows = self.flows
        servers = self.servers
        hosts = self.hosts
        zone_of = self.mapper.zone
        known_zones = self.mapper.cache  # address → zone without a call (None: ask by VLAN)
        packets = self.packets
        total_bytes = self.bytes
        first = self.first
        last = self.last
        tcp, udp, icmp, icmpv6 = PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6
        vlan_tags = VLAN_TAGS
        simple_next = (tcp, udp, icmpv6)  # IPv6 next headers the fast path takes as they are
        u16u16 = struct.Struct("!HH").unpack_from
        src_mac: bytes | None
        src_ip: bytes | None
        dst_ip: bytes | None
        protocol: int | None
        src_port: int | None
        dst_port: int | None
        try:
            for timestamp, linktype, data, wire_length in frames:
                packets += 1
                total_bytes += wire_length
                if first is None or timestamp < first:
                    first = timestamp
                if last is None or timestamp > last:
                    last = timestamp
                # Fast path: untagged or 802.1Q/QinQ-tagged Ethernet carrying IPv4 (no options, not
                # a fragment) or IPv6 (no extension headers) with TCP/UDP/ICMP, decoded inline
                # into locals — no Frame object. Everything else goes through decode().
                size = len(data)
                fast = False
                if linktype == 1 and size >= 34:
                    ethertype = data[12] << 8 | data[13]
                    position = 14
                    vlans: tuple[int, ...] = ()
                    while ethertype in vlan_tags and size >= position + 4:
                        vlans = (*vlans, (data[position] << 8 | data[position + 1]) & 0x0FFF)
                        ethertype = data[position + 2] << 8 | data[position + 3]
                        position += 4
                    l4 = 0
                    if ethertype == 0x0800:
                        if (
                            size >= position + 20
                            and data[position] == 0x45
                            and not (data[position + 6] & 0x1F or data[position + 7])
                        ):
                            protocol = data[position + 9]
                            src_ip = data[position + 12 : position + 16]
                            dst_ip = data[position + 16 : position + 20]
                            l4 = position + 20
                    elif ethertype == 0x86DD and size >= position + 40:
                        protocol = data[position + 6]
                        if protocol in simple_next:
                            src_ip = data[position + 8 : position + 24]
                            dst_ip = data[position + 24 : position + 40]
                            l4 = position + 40
                    if l4:
                        if protocol == tcp:
                            if size >= l4 + 14:
                                src_port, dst_port = u16u16(data, l4)
                                tcp_flags = data[l4 + 13]
                                payload_offset = l4 + (data[l4 + 12] >> 4) * 4
                                fast = True
                        elif protocol == udp:
                            if size >= l4 + 8:
                                src_port, dst_port = u16u16(data, l4)
                                tcp_flags = 0
                                payload_offset = l4 + 8
                                fast = True
                        elif protocol in (icmp, icmpv6) and size >= l4 + 2:
                            src_port = data[l4]
                            dst_port = data[l4 + 1]
                            tcp_flags = 0
                            payload_offset = l4 + 4
                            fast = True
                    if fast:
                        src_mac = data[6:12]
                if not fast:
                    frame = decode(data, linktype)
                    src_mac = frame.src_mac
                    vlans = frame.vlans
                    src_ip = frame.src_ip
                    dst_ip = frame.dst_ip
                    protocol = frame.protocol
                    src_port = frame.src_port
                    dst_port = frame.dst_port
                    tcp_flags = frame.tcp_flags
                    payload_offset = frame.payload_offset
                if src_mac is not None and not src_mac[0] & 1:
                    host = hosts.get(src_mac)
                    if host is None and len(hosts) < MAX_HOSTS:
                        host = hosts[src_mac] = [timestamp, timestamp, 0, set(), set()]
                    if host is not None:
                        host[1] = timestamp
                        host[2] += 1
                        if vlans:
                            host[4].add(vlans[-1])
                        if src_ip is not None and len(host[3]) < MAX_IPS_PER_HOST:
                            host[3].add(src_ip)
                if src_ip is None:
                    if not fast and frame.ethertype == ETH_ARP:
                        self._arp(data, payload_offset, timestamp)
                    continue
                if dst_ip is None:
                    continue
                reply = False
                port: int | None = None
                if protocol in (tcp, udp):
                    if src_port is None or dst_port is None:
                        port = None
                    elif (dst_ip, protocol, dst_port) in servers:
                        port = dst_port
                    elif (src_ip, protocol, src_port) in servers:
                        reply, port = True, src_port
                    elif protocol == tcp and tcp_flags & TCP_SYN:
                        if tcp_flags & TCP_ACK:
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
                        self._dhcp(data, payload_offset, timestamp, src_ip, src_mac)
                elif protocol in (icmp, icmpv6):
                    port = src_port  # ICMP type
                    if port in ICMP_REPLIES:
                        reply, port = True, ICMP_REPLIES[port]
                if reply:
                    client, server = dst_ip, src_ip
                else:
                    client, server = src_ip, dst_ip
                client_zone = known_zones.get(client) or zone_of(client, vlans)
                server_zone = known_zones.get(server) or zone_of(server, vlans)
                key = (client_zone, server_zone, protocol or 0, port)
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
                        version = snmp_version(data[payload_offset:])
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
        if data[offset : offset + 6] == _ARP_ETHERNET_IPV4 and len(data) >= offset + 28:
            # Ethernet/IPv4 ARP read in place: what scapy's ARP dissector yields for it,
            # without importing scapy (~0.1 s) or dissecting (~90 µs per frame).
            operation = data[offset + 6] << 8 | data[offset + 7]
            mac = data[offset + 8 : offset + 14].hex(":")
            ip = socket.inet_ntoa(data[offset + 14 : offset + 18])
            target = socket.inet_ntoa(data[offset + 24 : offset + 28])
        else:
            from scapy.layers.l2 import ARP

            try:
                arp = ARP(data[offset:])
                operation = int(arp.op)
                ip = str(arp.psrc)
                mac = str(arp.hwsrc).lower()
                target = str(arp.pdst)
            except Exception:  # a malformed ARP body is skipped, never fatal
                return
        if operation != 2 and not (operation == 1 and ip == target):
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
        with gc_paused(promote=True):
            return self._summary()

    def _summary(self) -> TrafficSummary:
        # Timestamps are formatted all at once (iso_all), then handed out in the same order.
        flows = []
        listed = []
        times: list[float] = []
        for key, value in self.flows.items():
            ordered = sorted(value[4].items(), key=lambda i: -i[1][0])
            listed.append((key, value, ordered))
            times.append(value[0])
            times.append(value[1])
            for _, (_, first, last) in ordered:
                times.append(first)
                times.append(last)
        host_items = sorted(self.hosts.items())
        for _, (first, last, _, _, _) in host_items:
            times.append(first)
            times.append(last)
        texts = iter(iso_all(times))
        for (source, destination, protocol, port), value, ordered in listed:
            _, _, packets, size, _, unlisted = value
            first_seen, last_seen = next(texts), next(texts)
            flows.append(
                FlowRecord(
                    source_zone=source,
                    destination_zone=destination,
                    protocol=PROTOCOL_NAMES.get(protocol, str(protocol)),
                    port=port,
                    packets=packets,
                    bytes=size,
                    first_seen=first_seen,
                    last_seen=last_seen,
                    host_pairs=[
                        HostPair(ip_text(c), ip_text(s), n, next(texts), next(texts))
                        for (c, s), (n, _, _) in ordered
                    ],
                    unlisted_packets=unlisted,
                )
            )
        flows.sort(key=lambda f: (f.source_zone, f.destination_zone, f.protocol, f.port or 0))
        hosts = []
        for mac, (_, _, count, ips, vlans) in host_items:
            hosts.append(
                HostSighting(
                    mac=mac.hex(":"),
                    ips=[ip_text(ip) for ip in ips]
                    if len(ips) < 2
                    else sorted(ip_text(ip) for ip in ips),
                    vlans=list(vlans) if len(vlans) < 2 else sorted(vlans),
                    packets=count,
                    first_seen=next(texts),
                    last_seen=next(texts),
                )
            )
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
