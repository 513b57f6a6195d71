"""Whole-capture, array-at-a-time traffic aggregation with NumPy; same tables as the packet loop.

Why: the per-packet loop of :meth:`TrafficAggregator.feed` costs ~5 µs a packet, almost all of it
CPython bookkeeping (dict and set probes, tuples), so it cannot get near 10× tshark. Here a classic
pcap is memory-mapped, the record offsets are walked once, and the header fields every simple
frame has at fixed offsets (Ethernet, up to two VLAN tags, IPv4 without options or fragments,
IPv6 with TCP/UDP/ICMPv6 next, TCP/UDP/ICMP) are gathered for all packets as arrays. Frames that
are not that simple (QinQ of three tags, IPv4 options, fragments, IPv6 extension headers, GRE,
ARP, LLC …) are decoded one by one by the exact decoder, :func:`~auditor.collect.pcap_decode.
decode`, into the same arrays. Grouping (hosts, servers, zone flows, host pairs, cleartext) is
then done with sorts and reductions, and only the groups — not the packets — are written into the
aggregator's own tables, in the order the loop would have created them. The order-dependent part,
which endpoints count as servers (a SYN makes its destination one, unless an endpoint of the
packet already is), is replayed in a loop over the SYN packets only.

The result is the very same aggregator state as :meth:`TrafficAggregator.feed` (the differential
test compares summaries over every real and synthetic capture). Anything outside that: pcapng,
compressed files, a link type other than Ethernet, a cut-off or corrupt record (whose error offset
and message the exact reader produces), or NumPy missing — returns ``False`` and the caller uses
the packet loop.
"""

from __future__ import annotations

import array
import mmap
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.collect.pcap_decode import decode
from auditor.collect.pcap_reader import MAX_RECORD
from auditor.model.traffic import UNMAPPED

if TYPE_CHECKING:
    from auditor.collect.traffic import TrafficAggregator

try:  # optional: without NumPy every capture takes the packet loop
    import numpy as np
except ImportError:  # pragma: no cover - numpy is part of the traffic extra
    np = None  # type: ignore[assignment]

_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e6),
    b"\xa1\xb2\xc3\xd4": (">", 1e6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e9),
    b"\xa1\xb2\x3c\x4d": (">", 1e9),
}
BLOCK = 1 << 19
"""Packets aggregated at once (~300 MiB of arrays); longer captures are merged block by block."""
MIN_PACKETS = 2_000
"""Below this, the packet loop is as fast and there is nothing to gain."""
TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
HEAD = 80  # frame bytes gathered per packet: 2 VLAN tags + IPv6 + a TCP header fit
L3_WIDTH = 54  # an IPv6 header and the 14 TCP header bytes read (22 + 54 <= HEAD)
V6_BASE = 1 << 40  # address keys: IPv4 as its value, IPv6 as V6_BASE + a per-file number


def record_offsets(buffer: Any, endian: str, size: int) -> array.array[int] | None:
    """Start of every record after the 24-byte file header; ``None`` if one is cut or corrupt."""
    caplen_at = struct.Struct(endian + "I").unpack_from
    offsets = array.array("q")  # 8 bytes a record, not a Python int each
    append = offsets.append
    position = 24
    limit = size - 16
    while position <= limit:
        (caplen,) = caplen_at(buffer, position + 8)
        if caplen > MAX_RECORD:
            return None
        append(position)
        position += 16 + caplen
    if position != size:  # a header or data cut off: the exact reader names the offset
        return None
    return offsets


def feed_file(aggregator: TrafficAggregator, path: Path, min_packets: int = MIN_PACKETS) -> bool:
    """Aggregate one classic-pcap Ethernet capture into ``aggregator``; ``False``: not handled.

    Nothing is changed in ``aggregator`` when ``False`` is returned. The capture is aggregated in
    blocks of ``BLOCK`` packets (memory stays bounded whatever its length), each merged like a
    further file, which the packet loop's state carries across exactly.
    """
    if np is None:
        return False
    try:
        handle = path.open("rb")
    except OSError:
        return False
    with handle:
        head = handle.read(24)
        if len(head) < 24 or head[:4] not in _MAGICS:
            return False
        endian, divisor = _MAGICS[head[:4]]
        (linktype,) = struct.unpack(endian + "I", head[20:24])
        size = handle.seek(0, 2)
        if linktype != 1 or size < 24 + 16 * min_packets:
            return False
        try:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # not mappable (a pipe, an empty file …)
            return False
        with mapped:
            offsets = record_offsets(mapped, endian, size)
            if offsets is None or len(offsets) < max(1, min_packets):
                return False
            records = np.frombuffer(offsets, dtype=np.int64)
            for start in range(0, len(records), BLOCK):
                block = records[start : start + BLOCK]
                _Batch(aggregator, mapped, block, endian, divisor).run()
            del records
            return True


def _compose(columns: list[Any], limits: list[int]) -> Any | None:
    """Several non-negative integer columns as one int64 key (``None`` if it would overflow)."""
    widths = [max(1, limit.bit_length()) for limit in limits]
    if sum(widths) > 62:
        return None
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, width in zip(columns, widths, strict=True):
        key = key << width | column
    return key


def _firsts(inverse: Any, groups: int) -> Any:
    """Index of the first member of each group (``inverse`` numbers the groups 0…groups-1)."""
    first = np.full(groups, len(inverse), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(inverse), dtype=np.int64))
    return first


def _last(inverse: Any, groups: int) -> Any:
    """Index of the last member of each group."""
    last = np.zeros(groups, dtype=np.int64)
    np.maximum.at(last, inverse, np.arange(len(inverse), dtype=np.int64))
    return last


def _dense_flows(key: Any, zone_pair: Any, protocol: Any, port: Any) -> tuple[Any, int]:
    """Numbers 0… for the distinct values of ``key``, ascending as ``np.unique`` numbers them.

    Without a sort where the key space is small: protocols and ports are renumbered by tables of
    the values present (an O(n) pass each), then a dense key is counted with ``bincount``.
    """
    protocols = np.zeros(256, dtype=np.int64)
    protocols[protocol] = 1
    ports = np.zeros(65537, dtype=np.int64)
    ports[port + 1] = 1
    zone_pairs = int(zone_pair.max()) + 1 if len(zone_pair) else 1
    width_protocol, width_port = int(protocols.sum()), int(ports.sum())
    if zone_pairs * width_protocol * width_port > 1 << 22:  # a large space: sort after all
        _, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.reshape(-1).astype(np.int64)
        return inverse, int(inverse.max()) + 1 if len(inverse) else 0
    protocol_no = np.cumsum(protocols) - 1
    port_no = np.cumsum(ports) - 1
    dense = (zone_pair * width_protocol + protocol_no[protocol]) * width_port + port_no[port + 1]
    present = np.bincount(dense, minlength=1) > 0
    number = np.cumsum(present) - 1
    return number[dense], int(present.sum())


def _group(columns: list[Any], limits: list[int]) -> tuple[Any, Any, Any, Any]:
    """Distinct rows of ``columns`` (as an (n, k) array), first index, inverse, counts."""
    key = _compose(columns, limits)
    if key is None:
        _, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
    else:
        _, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    groups = int(inverse.max()) + 1 if len(inverse) else 0
    first = _firsts(inverse, groups)
    rows = np.stack([column[first] for column in columns], axis=1)
    return rows, first, inverse, np.bincount(inverse, minlength=groups)


class _Batch:
    """One capture's packets as arrays, and their aggregation into the aggregator's tables."""

    def __init__(
        self,
        aggregator: TrafficAggregator,
        mapped: mmap.mmap,
        records: Any,
        endian: str,
        divisor: float,
    ) -> None:
        self.agg = aggregator
        self.mapped = mapped
        self.buffer = np.frombuffer(mapped, dtype=np.uint8)
        self.last_byte = len(self.buffer) - 1
        self.records = records
        self.endian = endian
        self.divisor = divisor

    # -- gathering -------------------------------------------------------------------------

    def _head(self) -> Any:
        """The first ``HEAD`` bytes of every frame as an (n, HEAD) matrix (beyond a frame's end:
        the next record's bytes, guarded by the frame sizes). Rows of a sliding-window view are
        copied whole; the last frames of the file, closer than HEAD to its end, byte by byte."""
        total = len(self.buffer)
        if total < HEAD:
            rows = np.minimum(self.data[:, None] + np.arange(HEAD), self.last_byte)
            return self.buffer[rows]
        windows = np.lib.stride_tricks.sliding_window_view(self.buffer, HEAD)
        head = windows[np.minimum(self.data, total - HEAD)]
        tail = np.flatnonzero(self.data > total - HEAD)
        if len(tail):
            rows = np.minimum(self.data[tail, None] + np.arange(HEAD), self.last_byte)
            head[tail] = self.buffer[rows]
        return head

    def run(self) -> None:
        records = self.records
        count = len(records)
        # The 16-byte record headers (every one lies whole in the file: offsets checked them).
        headers = np.lib.stride_tricks.sliding_window_view(self.buffer, 16)[records]
        fields = np.ascontiguousarray(headers).view(self.endian + "u4")
        seconds = fields[:, 0].astype(np.float64)
        fraction = fields[:, 1].astype(np.float64)
        self.ts = seconds + fraction / self.divisor  # what the reader computes, per packet
        size = fields[:, 2].astype(np.int64)
        wire = fields[:, 3].astype(np.int64)
        self.data = records + 16
        self.size = size
        self.head = self._head()
        self._decode_simple(count)
        self._decode_rest()
        agg = self.agg
        agg.packets += count
        agg.bytes += int(wire.sum())
        first, last = float(self.ts.min()), float(self.ts.max())
        if agg.first is None or first < agg.first:
            agg.first = first
        if agg.last is None or last > agg.last:
            agg.last = last
        self.wire = wire
        self.ip = np.flatnonzero(self.has_ip)
        count_ip = len(self.ip)
        addresses, numbered = np.unique(
            np.concatenate([self.src[self.ip], self.dst[self.ip]]), return_inverse=True
        )
        numbered = numbered.reshape(-1).astype(np.int64)
        self.address_list: list[int] = addresses.tolist()
        self.address_keys = addresses
        self.raw_cache: dict[int, bytes] = {}
        self.src_no = np.full(count, -1, dtype=np.int64)
        self.src_no[self.ip] = numbered[:count_ip]
        self.dst_no = numbered[count_ip:]  # per IP packet
        self._hosts()
        self._traffic()

    def _decode_simple(self, count: int) -> None:
        """The fields of frames the packet loop decodes inline, for every packet at once.

        Column reads only: the IP header is first copied to a matrix aligned at its start (one
        copy per VLAN depth), and the transport header likewise.
        """
        size = self.size
        head = self.head

        def be16(matrix: Any, column: int) -> Any:
            return matrix[:, column].astype(np.int64) << 8 | matrix[:, column + 1]

        def be32(matrix: Any, column: int) -> Any:
            return be16(matrix, column) << 16 | be16(matrix, column + 2)

        ethertype = be16(head, 12)
        position = np.full(count, 14, dtype=np.int64)
        vlan = np.full(count, -1, dtype=np.int64)
        ok = size >= 34
        tags = (0x8100, 0x88A8, 0x9100)
        for depth in range(2):
            tagged = np.isin(ethertype, tags) & (size >= position + 4)
            at = 14 + 4 * depth  # every tagged frame has its tag there at this depth
            vlan = np.where(tagged, be16(head, at) & 0x0FFF, vlan)
            ethertype = np.where(tagged, be16(head, at + 2), ethertype)
            position = np.where(tagged, position + 4, position)
        ok &= ~(np.isin(ethertype, tags) & (size >= position + 4))  # a third tag: exact decoder
        l3 = head[:, 14 : 14 + L3_WIDTH].copy()
        for shift in (18, 22):
            deeper = position == shift
            if deeper.any():
                l3[deeper] = head[deeper, shift : shift + L3_WIDTH]
        v4 = (
            ok
            & (ethertype == 0x0800)
            & (size >= position + 20)
            & (l3[:, 0] == 0x45)
            & ((l3[:, 6] & 0x1F) == 0)
            & (l3[:, 7] == 0)
        )
        next_header = l3[:, 6].astype(np.int64)
        v6 = (
            ok
            & (ethertype == 0x86DD)
            & (size >= position + 40)
            & np.isin(next_header, (TCP, UDP, ICMPV6))
        )
        protocol = np.where(v4, l3[:, 9], np.where(v6, next_header, -1))
        l4 = np.where(v4, position + 20, np.where(v6, position + 40, 0))
        transport = l3[:, 20:34].copy()
        transport[v6] = l3[v6, 40:54]
        tcp = (protocol == TCP) & (size >= l4 + 14)
        udp = (protocol == UDP) & (size >= l4 + 8)
        icmp = np.isin(protocol, (ICMP, ICMPV6)) & (size >= l4 + 2)
        fast = (v4 | v6) & (tcp | udp | icmp)
        ports = fast & (tcp | udp)
        icmp &= fast
        self.fast = fast
        self.vlan = np.where(fast, vlan, -1)
        self.protocol = np.where(fast, protocol, -1)
        self.sport = np.where(ports, be16(transport, 0), np.where(icmp, transport[:, 0], -1))
        self.dport = np.where(ports, be16(transport, 2), np.where(icmp, transport[:, 1], -1))
        self.flags = np.where(fast & tcp, transport[:, 13], 0).astype(np.int64)
        self.payload = np.where(
            tcp,
            l4 + (transport[:, 12] >> 4).astype(np.int64) * 4,
            np.where(udp, l4 + 8, l4 + 4),
        )
        self.payload = np.where(fast, self.payload, 0)
        mac = np.zeros(count, dtype=np.int64)
        for index in range(6, 12):
            mac = mac << 8 | head[:, index]
        self.mac = mac
        self.has_mac = fast.copy()
        self.has_ip = fast.copy()
        self.src = np.where(v4 & fast, be32(l3, 12), -1)
        self.dst = np.where(v4 & fast, be32(l3, 16), -1)
        self.v6_numbers: dict[bytes, int] = {}
        self.v6_addresses: list[bytes] = []
        six = np.flatnonzero(v6 & fast)
        if len(six):
            # Numbered in first-appearance order (sources, then targets), as _v6 would one by
            # one: the distinct addresses by one sort of their two 64-bit halves.
            both = np.ascontiguousarray(np.concatenate([l3[six, 8:24], l3[six, 24:40]]))
            halves = both.view(">u8").astype(np.uint64)
            order = np.lexsort((halves[:, 1], halves[:, 0]))
            high, low = halves[order, 0], halves[order, 1]
            starts = np.flatnonzero(np.r_[True, (high[1:] != high[:-1]) | (low[1:] != low[:-1])])
            group = np.empty(len(order), dtype=np.int64)
            group[order] = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(order)]))
            firsts = _firsts(group, len(starts))
            by_appearance = np.argsort(firsts)
            rank = np.empty(len(starts), dtype=np.int64)
            rank[by_appearance] = np.arange(len(starts))
            data = both[firsts[by_appearance]].tobytes()
            self.v6_addresses = [data[at : at + 16] for at in range(0, len(data), 16)]
            self.v6_numbers = {raw: at for at, raw in enumerate(self.v6_addresses)}
            keys = V6_BASE + rank[group]
            self.src[six] = keys[: len(six)]
            self.dst[six] = keys[len(six) :]

    def _v6(self, raw: bytes) -> int:
        number = self.v6_numbers.get(raw)
        if number is None:
            number = self.v6_numbers[raw] = len(self.v6_addresses)
            self.v6_addresses.append(raw)
        return V6_BASE + number

    def raw_address(self, number: int) -> bytes:
        """The bytes of address number ``number`` (see ``address_list``), made once."""
        raw = self.raw_cache.get(number)
        if raw is None:
            raw = self.raw_cache[number] = self.address(self.address_list[number])
        return raw

    def raw_many(self, numbers: Any) -> list[bytes]:
        """:meth:`raw_address` of every address number in an array; IPv4 in one conversion."""
        keys = self.address_keys[numbers]
        six = np.flatnonzero(keys >= V6_BASE)
        data = np.where(keys < V6_BASE, keys, 0).astype(">u4").tobytes()
        raws = [data[at : at + 4] for at in range(0, len(data), 4)]
        if len(six):
            raw = self.raw_address
            for at, number in zip(six.tolist(), numbers[six].tolist(), strict=True):
                raws[at] = raw(number)
        return raws

    def address(self, key: int) -> bytes:
        if key >= V6_BASE:
            return self.v6_addresses[key - V6_BASE]
        return key.to_bytes(4, "big")

    def _decode_rest(self) -> None:
        """Frames the inline path does not take: the exact decoder, one by one (rare)."""
        rest = np.flatnonzero(~self.fast)
        self.arp: list[tuple[int, int]] = []  # (packet, payload offset) of ARP frames
        if not len(rest):
            return
        mapped = self.mapped
        starts = self.data[rest].tolist()
        sizes = self.size[rest].tolist()
        fields: dict[str, list[int]] = {
            name: []
            for name in ("vlan", "protocol", "sport", "dport", "flags", "payload", "src", "dst")
        }
        has_mac: list[bool] = []
        has_ip: list[bool] = []
        macs: list[int] = []
        for packet, start, length in zip(rest.tolist(), starts, sizes, strict=True):
            frame = decode(mapped[start : start + length], 1)
            has_mac.append(frame.src_mac is not None)
            macs.append(int.from_bytes(frame.src_mac, "big") if frame.src_mac else 0)
            fields["vlan"].append(frame.vlans[-1] if frame.vlans else -1)
            fields["protocol"].append(-1 if frame.protocol is None else frame.protocol)
            fields["sport"].append(-1 if frame.src_port is None else frame.src_port)
            fields["dport"].append(-1 if frame.dst_port is None else frame.dst_port)
            fields["flags"].append(frame.tcp_flags)
            fields["payload"].append(frame.payload_offset)
            if frame.src_ip is None or frame.dst_ip is None:
                has_ip.append(False)
                fields["src"].append(-1)
                fields["dst"].append(-1)
                if frame.src_ip is None and frame.ethertype == 0x0806:
                    self.arp.append((packet, frame.payload_offset))
                continue
            has_ip.append(True)
            for name, raw in (("src", frame.src_ip), ("dst", frame.dst_ip)):
                key = int.from_bytes(raw, "big") if len(raw) == 4 else self._v6(bytes(raw))
                fields[name].append(key)
        for name, values in fields.items():
            getattr(self, name)[rest] = values
        self.has_mac[rest] = has_mac
        self.has_ip[rest] = has_ip
        self.mac[rest] = macs

    def frame(self, packet: int) -> bytes:
        start = int(self.data[packet])
        return self.mapped[start : start + int(self.size[packet])]

    # -- hosts -----------------------------------------------------------------------------

    def _hosts(self) -> None:
        """MAC → [first, last, packets, addresses (first 8), VLANs], as the loop keeps them."""
        from auditor.collect.traffic import MAX_HOSTS, MAX_IPS_PER_HOST

        hosts = self.agg.hosts
        mac = self.mac
        chosen = np.flatnonzero(self.has_mac & ((mac >> 40) & 1 == 0))
        if not len(chosen):
            return
        macs, inverse = np.unique(mac[chosen], return_inverse=True)
        inverse = inverse.reshape(-1).astype(np.int64)
        groups = len(macs)
        first_at = _firsts(inverse, groups)
        last_at = _last(inverse, groups)
        counts = np.bincount(inverse, minlength=groups)
        mac_list = macs.tolist()
        if hosts:  # the table's MACs as numbers, looked up all at once
            known = np.fromiter(
                (int.from_bytes(raw, "big") for raw in hosts), dtype=np.int64, count=len(hosts)
            )
            present = np.isin(macs, known)
        else:
            present = np.zeros(groups, dtype=bool)
        # New hosts are admitted in first-sighting order while the table has room.
        fresh = np.flatnonzero(~present)
        room = max(0, MAX_HOSTS - len(hosts))
        if len(fresh) > room:  # only the earliest ``room`` new hosts need ordering
            fresh = fresh[np.argpartition(first_at[fresh], room - 1)[:room]] if room else fresh[:0]
        fresh = fresh[np.argsort(first_at[fresh])]
        ts = self.ts[chosen]
        entries: list[list[Any] | None] = [None] * groups
        for group, first, last, count in zip(
            fresh.tolist(),
            ts[first_at[fresh]].tolist(),
            ts[last_at[fresh]].tolist(),
            counts[fresh].tolist(),
            strict=True,
        ):
            entries[group] = hosts[mac_list[group].to_bytes(6, "big")] = [
                first,
                last,
                count,
                set(),
                set(),
            ]
        old = np.flatnonzero(present)
        for group, last, count in zip(
            old.tolist(), ts[last_at[old]].tolist(), counts[old].tolist(), strict=True
        ):
            host = entries[group] = hosts[mac_list[group].to_bytes(6, "big")]
            host[1] = last
            host[2] += count
        admitted = present
        admitted[fresh] = True
        kept = admitted[inverse]  # packets of hosts in the table
        # VLANs: a set, order does not matter.
        vlan = self.vlan[chosen]
        tagged = kept & (vlan >= 0)
        if tagged.any():
            pairs = np.unique(inverse[tagged] << 12 | vlan[tagged])
            for pair in pairs.tolist():
                entries[pair >> 12][4].add(pair & 0x0FFF)  # type: ignore[index,unused-ignore]
        # Addresses: the first MAX_IPS_PER_HOST distinct ones in packet order.
        with_ip = kept & self.has_ip[chosen]
        if with_ip.any():
            rows, first_pair, _, _ = _group(
                [inverse[with_ip], self.src_no[chosen][with_ip]],
                [groups, len(self.address_list)],
            )
            order = np.lexsort((first_pair, rows[:, 0]))
            sources = self.raw_many(rows[order, 1])
            for group, source in zip(rows[order, 0].tolist(), sources, strict=True):
                addresses = entries[group][3]  # type: ignore[index,unused-ignore]
                if len(addresses) < MAX_IPS_PER_HOST:
                    addresses.add(source)

    # -- flows, servers, cleartext -----------------------------------------------------------

    def _traffic(self) -> None:
        from auditor.collect.traffic import (
            CLEARTEXT_PORTS,
            ICMP_REPLIES,
            MAX_SERVERS,
            SNMP_LABELS,
            TCP_ACK,
            TCP_SYN,
        )

        agg = self.agg
        ip = self.ip
        protocol = self.protocol[ip]
        sport, dport = self.sport[ip], self.dport[ip]
        src, dst = self.src[ip], self.dst[ip]
        flags = self.flags[ip]
        count = len(ip)
        # DHCP offers/acks and ARP: their own small tables, in packet order.
        dhcp = np.flatnonzero((protocol == UDP) & (sport == 67))
        arp = list(self.arp)
        if len(dhcp) or arp:
            for packet in ip[dhcp].tolist():
                frame = self.frame(packet)
                src_key = int(self.src[packet])
                mac = int(self.mac[packet]).to_bytes(6, "big") if self.has_mac[packet] else None
                agg._dhcp(
                    frame,
                    int(self.payload[packet]),
                    float(self.ts[packet]),
                    self.address(src_key),
                    mac,
                )
            for packet, offset in arp:
                agg._arp(self.frame(packet), offset, float(self.ts[packet]))
        if not count:
            return
        # Endpoints as one number each: (address number, TCP/UDP, port).
        src_no, dst_no = self.src_no[ip], self.dst_no
        address_list = self.address_list
        del src, dst
        transport = ((protocol == TCP) | (protocol == UDP)) & (sport >= 0) & (dport >= 0)
        udp_bit = (protocol == UDP).astype(np.int64) << 16
        client_end = src_no << 17 | udp_bit | np.maximum(sport, 0)
        server_end = dst_no << 17 | udp_bit | np.maximum(dport, 0)

        def end_tuple(end: int) -> tuple[bytes, int, int]:
            return (self.raw_address(end >> 17), UDP if end >> 16 & 1 else TCP, end & 0xFFFF)

        servers = agg.servers
        added: dict[int, int] = {}  # endpoint → the packet that made it a server (-1: before)
        if servers:  # servers found in earlier captures are servers from the start
            keys = self.address_keys
            v6_numbers = self.v6_numbers
            wanted: list[int] = []
            ends: list[int] = []
            for raw, proto, number in servers:
                if len(raw) == 4:
                    wanted.append(int.from_bytes(raw, "big"))
                elif raw in v6_numbers:
                    wanted.append(V6_BASE + v6_numbers[raw])
                else:
                    continue
                ends.append((proto == UDP) << 16 | number)
            if wanted:  # looked up all at once
                values = np.asarray(wanted, dtype=np.int64)
                spot = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
                hit = keys[spot] == values
                found = spot[hit] << 17 | np.asarray(ends, dtype=np.int64)[hit]
                added.update(dict.fromkeys(found.tolist(), -1))
        # Servers, in packet order over the SYN packets only: a SYN makes its destination (a
        # SYN-ACK its source) a server unless one of its two endpoints already is one.
        syn = np.flatnonzero(transport & (protocol == TCP) & (flags & TCP_SYN != 0))
        if len(syn):
            acks = (flags[syn] & TCP_ACK != 0).tolist()
            for at, to, back, ack in zip(
                syn.tolist(), server_end[syn].tolist(), client_end[syn].tolist(), acks, strict=True
            ):
                if to in added or back in added or len(servers) >= MAX_SERVERS:
                    continue
                new = back if ack else to
                added[new] = at
                servers.add(end_tuple(new))
        position = np.arange(count)
        if added:
            known = np.fromiter(added.keys(), dtype=np.int64, count=len(added))
            since = np.fromiter(added.values(), dtype=np.int64, count=len(added))
            order = np.argsort(known)
            known, since = known[order], since[order]

            def server_since(ends: Any) -> Any:
                spot = np.minimum(np.searchsorted(known, ends), len(known) - 1)
                return np.where(known[spot] == ends, since[spot], count)

            dst_server = transport & (server_since(server_end) < position)
            src_server = transport & ~dst_server & (server_since(client_end) < position)
        else:
            dst_server = src_server = np.zeros(count, dtype=bool)
        rest = transport & ~dst_server & ~src_server
        syn_rest = rest & (protocol == TCP) & (flags & TCP_SYN != 0)
        syn_ack = syn_rest & (flags & TCP_ACK != 0)
        plain = rest & ~syn_rest
        reply = src_server | syn_ack | (plain & ~((dport < 1024) | (dport <= sport)))
        port = np.where(reply, sport, dport)
        port = np.where(transport, port, -1)
        icmp = (protocol == ICMP) | (protocol == ICMPV6)
        icmp_type = np.where(icmp, sport, -1)
        for answer, request in ICMP_REPLIES.items():
            is_reply = icmp & (icmp_type == answer)
            reply |= is_reply
            icmp_type = np.where(is_reply, request, icmp_type)
        port = np.where(icmp, icmp_type, port)
        client_no = np.where(reply, dst_no, src_no)
        server_no = np.where(reply, src_no, dst_no)
        # Zones: by address where the plan maps it, else by the packet's VLAN.
        zone_names, address_zone = self._address_zones(address_list)
        vlan_zone = self._vlan_zones(zone_names)
        vlans = self.vlan[ip]
        fallback = vlan_zone[np.where(vlans >= 0, vlans, 4096)]
        client_zone = address_zone[client_no]
        client_zone = np.where(client_zone >= 0, client_zone, fallback)
        server_zone = address_zone[server_no]
        server_zone = np.where(server_zone >= 0, server_zone, fallback)
        self._flows(
            ip,
            zone_names,
            client_zone,
            server_zone,
            np.maximum(protocol, 0),
            port,
            client_no,
            server_no,
            address_list,
        )
        # Cleartext management protocols, by the (client, server) of requests.
        asked = ~reply & (port >= 0)
        label = np.full(count, -1, dtype=np.int64)
        labels = sorted(set(CLEARTEXT_PORTS.values()) | set(SNMP_LABELS.values()))
        for (proto, number), name in CLEARTEXT_PORTS.items():
            label = np.where(
                asked & (protocol == proto) & (port == number), labels.index(name), label
            )
        snmp = np.flatnonzero(asked & (label < 0) & (protocol == UDP) & (port == 161))
        if len(snmp):
            version = self._snmp_versions(ip[snmp])
            for value, name in SNMP_LABELS.items():
                label[snmp[version == value]] = labels.index(name)
        seen = np.flatnonzero(label >= 0)
        if len(seen):
            self._cleartext(seen, labels, label, client_no, server_no, port, address_list)

    def _snmp_versions(self, packets: Any) -> Any:
        """:func:`~auditor.collect.pcap_decode.snmp_version` of each packet's payload, as arrays."""
        self_data = self.data
        start = self.payload[packets]
        end = self.size[packets]
        buffer, last = self.buffer, self.last_byte

        def at(offset: Any) -> Any:
            return buffer[np.minimum(self_data[packets] + offset, last)].astype(np.int64)

        length = end - start
        length_byte = at(start + 1)
        skip = np.where(length_byte & 0x80 != 0, length_byte & 0x7F, 0)
        where = start + 2 + skip
        valid = (
            (length >= 5)
            & (at(start) == 0x30)
            & (length >= where - start + 3)
            & (at(where) == 0x02)
            & (at(where + 1) == 1)
        )
        return np.where(valid, at(where + 2), -1)

    def _address_zones(self, address_list: list[int]) -> tuple[list[str], Any]:
        """Zone number of every address (−1: not in the plan, ask the VLAN); zone names."""
        mapper = self.agg.mapper
        names: list[str] = [UNMAPPED]
        number: dict[str, int] = {UNMAPPED: 0}
        zones = np.full(len(address_list), -1, dtype=np.int64)
        keys = np.asarray(address_list, dtype=np.int64)
        four = keys < V6_BASE
        # IPv4 in bulk: multicast first, then the longest prefix, then "global" = Internet.
        v4 = np.flatnonzero(four)
        values = keys[v4]
        resolved = np.full(len(v4), -1, dtype=np.int64)
        multicast = (values >> 28 >= 14) | (values == 0xFFFFFFFF)

        def zone_number(name: str) -> int:
            found = number.get(name)
            if found is None:
                found = number[name] = len(names)
                names.append(name)
            return found

        from auditor.model.traffic import MULTICAST

        resolved[multicast] = zone_number(MULTICAST)
        for version, mask, table in mapper._by_length:
            if version != 4:
                continue
            open_ = resolved < 0
            if not open_.any():
                break
            table_keys = np.asarray(sorted(table), dtype=np.int64)
            table_zones = np.asarray(
                [zone_number(table[key]) for key in table_keys.tolist()], dtype=np.int64
            )
            masked = values & mask
            spot = np.minimum(np.searchsorted(table_keys, masked), len(table_keys) - 1)
            hit = open_ & (table_keys[spot] == masked)
            resolved[hit] = table_zones[spot[hit]]
        if mapper.external is not None:
            unresolved = np.flatnonzero(resolved < 0)
            private = (
                (values[unresolved] >> 24 == 10)
                | (values[unresolved] >> 20 == 0xAC1)
                | (values[unresolved] >> 16 == 0xC0A8)
            )
            from auditor.collect.traffic import _is_global

            external = zone_number(mapper.external)
            candidates = unresolved[~private]
            for index, value in zip(candidates.tolist(), values[candidates].tolist(), strict=True):
                if _is_global(value.to_bytes(4, "big")):
                    resolved[index] = external
        zones[v4] = resolved
        # IPv6 (few distinct addresses in practice): the mapper itself, address by address.
        for index in np.flatnonzero(~four).tolist():
            zone = mapper._lookup(self.address(address_list[index]))
            zones[index] = -1 if zone is None else zone_number(zone)
        return names, zones

    def _vlan_zones(self, names: list[str]) -> Any:
        """VLAN → zone number (index 4096: untagged), extending ``names`` as needed."""
        mapper = self.agg.mapper
        table = np.zeros(4097, dtype=np.int64)  # 0 = UNMAPPED
        for vlan, zone in mapper._vlan.items():
            if 0 <= vlan < 4096:
                if zone not in names:
                    names.append(zone)
                table[vlan] = names.index(zone)
        return table

    def _flows(
        self,
        ip: Any,
        names: list[str],
        client_zone: Any,
        server_zone: Any,
        protocol: Any,
        port: Any,
        client_no: Any,
        server_no: Any,
        address_list: list[int],
    ) -> None:
        from auditor.collect.traffic import MAX_PAIRS_PER_FLOW

        flows = self.agg.flows
        zones = len(names)
        key = ((client_zone * zones + server_zone) * 256 + protocol) * 65537 + (port + 1)
        flow_no, flow_count = _dense_flows(key, client_zone * zones + server_zone, protocol, port)
        first_at = _firsts(flow_no, flow_count)
        unique = key[first_at]
        ts = self.ts[ip]
        wire = self.wire[ip]
        low_array = np.full(len(unique), np.inf)
        np.minimum.at(low_array, flow_no, ts)
        high_array = np.full(len(unique), -np.inf)
        np.maximum.at(high_array, flow_no, ts)
        low, high = low_array.tolist(), high_array.tolist()
        packets = np.bincount(flow_no, minlength=len(unique)).tolist()
        sizes = np.bincount(flow_no, weights=wire, minlength=len(unique)).astype(np.int64)
        sizes_list = sizes.tolist()
        # Host pairs per flow: first sighting, last sighting, packets; the first 256 are kept.
        # One stable sort of a packed (flow, client, server) key gives every pair's packets in
        # packet order: its first and last sighting without further passes.
        addresses = len(address_list)
        pair_key = _compose([flow_no, client_no, server_no], [len(unique), addresses, addresses])
        if pair_key is None:
            pairs, pair_first, pair_no, pair_count = _group(
                [flow_no, client_no, server_no], [len(unique), addresses, addresses]
            )
            pair_last = _last(pair_no, len(pairs))
        else:
            order = np.argsort(pair_key, kind="stable")
            ordered = pair_key[order]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            ends = np.r_[starts[1:], len(order)]
            pair_first, pair_last = order[starts], order[ends - 1]
            pair_count = ends - starts
            pairs = np.stack(
                [flow_no[pair_first], client_no[pair_first], server_no[pair_first]], axis=1
            )
            del order, ordered
        # Pairs by flow, then first sighting: the pairs in first-sighting order are the packets
        # that are a first sighting, in packet order; then a stable sort of small flow numbers.
        pair_at = np.full(len(flow_no), -1, dtype=np.int64)
        pair_at[pair_first] = np.arange(len(pair_first))
        by_first = pair_at[pair_at >= 0]
        flow_of = pairs[by_first, 0]
        if len(unique) < 65536:
            flow_of = flow_of.astype(np.uint16)
        pair_order = by_first[np.argsort(flow_of, kind="stable")]
        pair_flow = pairs[pair_order, 0]
        segment = np.flatnonzero(np.r_[True, pair_flow[1:] != pair_flow[:-1]])
        lengths = np.diff(np.r_[segment, len(pair_order)])
        rank = np.arange(len(pair_order)) - np.repeat(segment, lengths)
        unique_list = unique.tolist()
        flow_keys: list[tuple[str, str, int, int | None]] = []
        for value in unique_list:
            rest, port_plus = divmod(value, 65537)
            rest, proto = divmod(rest, 256)
            client, server = divmod(rest, zones)
            flow_keys.append(
                (names[client], names[server], proto, None if port_plus == 0 else port_plus - 1)
            )
        # Which pairs are listed. A pair already in its flow's table (from an earlier capture or
        # block) is updated; the others are admitted in first-sighting order while the table
        # has room, the rest only counted as unlisted. Decided with arrays, so only the listed
        # pairs (at most 256 a flow) reach Python, not every pair of a block.
        room = np.full(len(unique), MAX_PAIRS_PER_FLOW, dtype=np.int64)
        matched = self._known_pairs(
            flows, flow_keys, room, address_list, pair_flow, pairs[pair_order]
        )
        if matched.any():  # rank among the flow's unmatched pairs, in first-sighting order
            before = np.cumsum(matched) - matched
            rank = rank - (before - np.repeat(before[segment], lengths))
        admitted = ~matched & (rank < room[pair_flow])
        dropped = ~matched & ~admitted
        unlisted = (
            np.bincount(
                pair_flow[dropped], weights=pair_count[pair_order][dropped], minlength=len(unique)
            )
            .astype(np.int64)
            .tolist()
        )
        entries: list[list[Any]] = [[]] * len(unique)
        for number in np.argsort(first_at).tolist():  # first sightings are distinct
            flow_key = flow_keys[number]
            flow = flows.get(flow_key)
            if flow is None:
                flow = flows[flow_key] = [low[number], high[number], 0, 0, {}, 0]
            else:
                flow[0] = min(flow[0], low[number])
                flow[1] = max(flow[1], high[number])
            flow[2] += packets[number]
            flow[3] += sizes_list[number]
            flow[5] += unlisted[number]
            entries[number] = flow
        keep = pair_order[matched | admitted]
        for flow_number, client, server, count, first, last in zip(
            pairs[keep, 0].tolist(),
            self.raw_many(pairs[keep, 1]),
            self.raw_many(pairs[keep, 2]),
            pair_count[keep].tolist(),
            ts[pair_first[keep]].tolist(),
            ts[pair_last[keep]].tolist(),
            strict=True,
        ):
            pair_map = entries[flow_number][4]
            pair_id = (client, server)
            pair = pair_map.get(pair_id)
            if pair is not None:
                pair[0] += count
                pair[2] = last
            else:
                pair_map[pair_id] = [count, first, last]

    def _known_pairs(
        self,
        flows: dict[Any, list[Any]],
        flow_keys: list[tuple[str, str, int, int | None]],
        room: Any,
        address_list: list[int],
        pair_flow: Any,
        rows: Any,
    ) -> Any:
        """Which of the block's pairs (``rows``: flow, client, server numbers) are listed already.

        Also lowers ``room`` by each flow's listed pairs. The listed pairs are turned into
        numbers (one key each) and looked up all at once; one with an address this block never
        saw cannot match. Should the key overflow, the pairs are looked up one by one.
        """
        from auditor.collect.traffic import MAX_PAIRS_PER_FLOW

        matched = np.zeros(len(pair_flow), dtype=bool)
        listed = [
            (number, flows[flow_key][4])
            for number, flow_key in enumerate(flow_keys)
            if flow_key in flows and flows[flow_key][4]
        ]
        if not listed:
            return matched
        for number, pair_map in listed:
            room[number] = max(0, MAX_PAIRS_PER_FLOW - len(pair_map))
        addresses = len(address_list)
        if len(flow_keys) * addresses * addresses >= 1 << 62:
            raw = self.raw_address
            maps = dict(listed)
            for at in np.flatnonzero(np.isin(pair_flow, list(maps))).tolist():
                flow, client, server = rows[at].tolist()
                matched[at] = (raw(client), raw(server)) in maps[flow]
            return matched
        keys = np.asarray(address_list, dtype=np.int64)
        v6_numbers = self.v6_numbers
        found: list[int] = []
        for number, pair_map in listed:
            ends: list[int] = []
            for client, server in pair_map:
                for raw_end in (client, server):
                    if len(raw_end) == 4:
                        ends.append(int.from_bytes(raw_end, "big"))
                    else:
                        six = v6_numbers.get(raw_end)
                        ends.append(-1 if six is None else V6_BASE + six)
            values = np.asarray(ends, dtype=np.int64)
            spot = np.minimum(np.searchsorted(keys, values), addresses - 1)
            hit = keys[spot] == values
            both = hit[0::2] & hit[1::2]
            found.extend(
                ((number * addresses + spot[0::2][both]) * addresses + spot[1::2][both]).tolist()
            )
        pair_key = (pair_flow * addresses + rows[:, 1]) * addresses + rows[:, 2]
        return np.isin(pair_key, np.asarray(found, dtype=np.int64))

    def _cleartext(
        self,
        seen: Any,
        labels: list[str],
        label: Any,
        client_no: Any,
        server_no: Any,
        port: Any,
        address_list: list[int],
    ) -> None:
        from auditor.collect.traffic import MAX_CLEARTEXT

        ts = self.ts[self.ip][seen]
        addresses = len(address_list)
        unique, first_at, inverse, counts_array = _group(
            [label[seen], client_no[seen], server_no[seen], port[seen]],
            [len(labels), addresses, addresses, 65536],
        )
        low_array = np.full(len(unique), np.inf)
        np.minimum.at(low_array, inverse, ts)
        high_array = np.full(len(unique), -np.inf)
        np.maximum.at(high_array, inverse, ts)
        low, high = low_array.tolist(), high_array.tolist()
        counts = counts_array.tolist()
        table = self.agg.cleartext
        fresh = not table  # then every key here is new: once full, nothing more gets in
        raw = self.raw_address
        rows = unique.tolist()
        for number in np.argsort(first_at).tolist():  # first sightings are distinct
            name, client, server, number_port = rows[number]
            entry_key = (labels[name], raw(client), raw(server), number_port)
            entry = table.get(entry_key)
            if entry is None:
                if len(table) < MAX_CLEARTEXT:
                    table[entry_key] = [low[number], high[number], counts[number]]
                elif fresh:
                    break
                continue
            entry[0] = min(entry[0], low[number])
            entry[1] = max(entry[1], high[number])
            entry[2] += counts[number]
