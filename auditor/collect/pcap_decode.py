"""Fixed-header decoding of captured frames with ``struct``, no scapy layer objects.

Full dissection costs tens of microseconds per packet; a flow table needs only addresses, VLAN
tags, the protocol and the ports, which sit at fixed offsets. Frames a check needs in detail (ARP,
DHCP) are handed to scapy separately by :mod:`auditor.collect.traffic`.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

# Link types (pcap DLT / pcapng LINKTYPE values) this decoder understands.
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_RAW_ALT = 12
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_ARP = 0x0806
ETH_VLAN = 0x8100
ETH_QINQ = 0x88A8
ETH_QINQ_OLD = 0x9100
VLAN_TAGS = frozenset({ETH_VLAN, ETH_QINQ, ETH_QINQ_OLD})

PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_GRE = 47
PROTO_ICMPV6 = 58
IPV6_EXTENSIONS = frozenset({0, 43, 44, 60, 51, 135, 139, 140})
GRE_ERSPAN_II = 0x88BE
GRE_TEB = 0x6558
MAX_NESTING = 4

_U16 = struct.Struct("!H")
_U16U16 = struct.Struct("!HH")


class Frame(NamedTuple):
    """The header facts of one frame; ``None`` where a layer is absent or cut off."""

    src_mac: bytes | None
    dst_mac: bytes | None
    vlans: tuple[int, ...]  # outermost first (QinQ: service tag, then customer tag)
    ethertype: int | None
    src_ip: bytes | None  # 4 or 16 bytes
    dst_ip: bytes | None
    protocol: int | None  # IP protocol / next header after extension headers
    src_port: int | None  # TCP/UDP ports; ICMP: type in src_port, code in dst_port
    dst_port: int | None
    tcp_flags: int
    payload_offset: int  # where the L4 payload starts in ``data`` (0 when unknown)
    ip_length: int  # IP datagram length from the header, 0 when unknown


EMPTY = Frame(None, None, (), None, None, None, None, None, None, 0, 0, 0)


def decode(data: bytes, linktype: int = LINKTYPE_ETHERNET) -> Frame:
    """Decode one captured frame; a frame cut short keeps what was readable."""
    if linktype == LINKTYPE_ETHERNET:
        return decode_ethernet(data, 0, 0)
    if linktype in (LINKTYPE_RAW, LINKTYPE_RAW_ALT, LINKTYPE_IPV4, LINKTYPE_IPV6):
        if not data:
            return EMPTY
        version = data[0] >> 4
        ethertype = ETH_IPV4 if version == 4 else ETH_IPV6 if version == 6 else None
        return _decode_ip(None, None, (), ethertype, data, 0, 0)
    if linktype == LINKTYPE_LINUX_SLL and len(data) >= 16:
        return _decode_ip(None, None, (), _U16.unpack_from(data, 14)[0], data, 16, 0)
    if linktype == LINKTYPE_LINUX_SLL2 and len(data) >= 20:
        return _decode_ip(None, None, (), _U16.unpack_from(data, 0)[0], data, 20, 0)
    if linktype == LINKTYPE_NULL and len(data) >= 4:
        family = int.from_bytes(data[:4], "little")
        if family > 0xFFFF:
            family = int.from_bytes(data[:4], "big")
        ethertype = ETH_IPV4 if family == 2 else ETH_IPV6 if family in (10, 24, 28, 30) else None
        return _decode_ip(None, None, (), ethertype, data, 4, 0)
    return EMPTY


def decode_ethernet(data: bytes, offset: int, depth: int) -> Frame:
    """Ethernet II with any stack of 802.1Q / 802.1ad tags."""
    if len(data) < offset + 14:
        return EMPTY
    dst_mac = data[offset : offset + 6]
    src_mac = data[offset + 6 : offset + 12]
    ethertype = _U16.unpack_from(data, offset + 12)[0]
    position = offset + 14
    vlans: tuple[int, ...] = ()
    while ethertype in VLAN_TAGS and len(data) >= position + 4:
        tci, ethertype = _U16U16.unpack_from(data, position)
        vlans = (*vlans, tci & 0x0FFF)
        position += 4
    if ethertype in VLAN_TAGS:  # a tag cut off by the snap length
        return Frame(src_mac, dst_mac, vlans, None, None, None, None, None, None, 0, 0, 0)
    if ethertype < 0x0600:  # 802.3 length field: LLC (STP, CDP, …), no IP
        return Frame(src_mac, dst_mac, vlans, None, None, None, None, None, None, 0, position, 0)
    return _decode_ip(src_mac, dst_mac, vlans, ethertype, data, position, depth)


def _decode_ip(
    src_mac: bytes | None,
    dst_mac: bytes | None,
    vlans: tuple[int, ...],
    ethertype: int | None,
    data: bytes,
    position: int,
    depth: int,
) -> Frame:
    size = len(data)
    if ethertype == ETH_IPV4 and size >= position + 20:
        first = data[position]
        header = (first & 0x0F) * 4
        if first >> 4 != 4 or header < 20:
            return Frame(src_mac, dst_mac, vlans, ethertype, None, None, None, None, None, 0, 0, 0)
        total = _U16.unpack_from(data, position + 2)[0]
        fragment = _U16.unpack_from(data, position + 6)[0] & 0x1FFF
        protocol = data[position + 9]
        src_ip = data[position + 12 : position + 16]
        dst_ip = data[position + 16 : position + 20]
        l4 = position + header
        if fragment:  # a later fragment carries no transport header
            return Frame(
                src_mac,
                dst_mac,
                vlans,
                ethertype,
                src_ip,
                dst_ip,
                protocol,
                None,
                None,
                0,
                0,
                total,
            )
    elif ethertype == ETH_IPV6 and size >= position + 40:
        total = _U16.unpack_from(data, position + 4)[0] + 40
        protocol = data[position + 6]
        src_ip = data[position + 8 : position + 24]
        dst_ip = data[position + 24 : position + 40]
        l4 = position + 40
        while protocol in IPV6_EXTENSIONS and size >= l4 + 8:
            if protocol == 44:  # fragment header: fixed 8 bytes
                if _U16.unpack_from(data, l4 + 2)[0] & 0xFFF8:
                    return Frame(
                        src_mac, dst_mac, vlans, ethertype, src_ip, dst_ip, data[l4], None, None,
                        0, 0, total,
                    )  # fmt: skip
                protocol, l4 = data[l4], l4 + 8
            elif protocol == 51:  # AH: length in 4-octet units minus 2
                protocol, l4 = data[l4], l4 + (data[l4 + 1] + 2) * 4
            else:
                protocol, l4 = data[l4], l4 + (data[l4 + 1] + 1) * 8
        if protocol in IPV6_EXTENSIONS:
            return Frame(
                src_mac, dst_mac, vlans, ethertype, src_ip, dst_ip, None, None, None, 0, 0, total
            )
    else:  # ARP and other non-IP payloads: the caller may dissect from ``payload_offset``
        return Frame(
            src_mac, dst_mac, vlans, ethertype, None, None, None, None, None, 0, position, 0
        )

    if protocol == PROTO_TCP and size >= l4 + 14:
        src_port, dst_port = _U16U16.unpack_from(data, l4)
        offset = (data[l4 + 12] >> 4) * 4
        return Frame(
            src_mac, dst_mac, vlans, ethertype, src_ip, dst_ip, protocol, src_port, dst_port,
            data[l4 + 13], l4 + offset, total,
        )  # fmt: skip
    if protocol == PROTO_UDP and size >= l4 + 8:
        src_port, dst_port = _U16U16.unpack_from(data, l4)
        return Frame(
            src_mac, dst_mac, vlans, ethertype, src_ip, dst_ip, protocol, src_port, dst_port,
            0, l4 + 8, total,
        )  # fmt: skip
    if protocol in (PROTO_ICMP, PROTO_ICMPV6) and size >= l4 + 2:
        return Frame(
            src_mac, dst_mac, vlans, ethertype, src_ip, dst_ip, protocol, data[l4], data[l4 + 1],
            0, l4 + 4, total,
        )  # fmt: skip
    if protocol == PROTO_GRE and depth < MAX_NESTING and size >= l4 + 4:
        inner = _decode_gre(data, l4, depth + 1)
        if inner is not None:
            return inner
    return Frame(
        src_mac, dst_mac, vlans, ethertype, src_ip, dst_ip, protocol, None, None, 0, 0, total
    )


def _decode_gre(data: bytes, position: int, depth: int) -> Frame | None:
    """ERSPAN type II and transparent Ethernet bridging inside GRE: the mirrored frame counts."""
    flags, protocol = _U16U16.unpack_from(data, position)
    header = 4 + 4 * (bool(flags & 0x8000) + bool(flags & 0x2000) + bool(flags & 0x1000))
    if protocol == GRE_ERSPAN_II and len(data) >= position + header + 8:
        # The ERSPAN header carries the mirrored frame's VLAN when the frame itself is untagged.
        vlan = _U16.unpack_from(data, position + header)[0] & 0x0FFF
        inner = decode_ethernet(data, position + header + 8, depth)
        if not inner.vlans and inner.src_mac is not None:
            return inner._replace(vlans=(vlan,))
        return inner
    if protocol == GRE_TEB:
        return decode_ethernet(data, position + header, depth)
    return None


def snmp_version(payload: bytes) -> int | None:
    """The version INTEGER of an SNMP message (0 = v1, 1 = v2c, 3 = v3), or ``None``."""
    if len(payload) < 5 or payload[0] != 0x30:
        return None
    length_byte = payload[1]
    position = 2 + (length_byte & 0x7F if length_byte & 0x80 else 0)
    if len(payload) < position + 3 or payload[position] != 0x02 or payload[position + 1] != 1:
        return None
    return payload[position + 2]


def format_mac(raw: bytes) -> str:
    return raw.hex(":")
