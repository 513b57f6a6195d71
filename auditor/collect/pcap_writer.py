"""A minimal pcap writer with struct-packed headers, for benchmarks and test captures.

scapy's ``wrpcap`` builds a layer object per packet (about 50 µs each); writing a million-packet
benchmark capture that way takes longer than reading it. Frames here are plain bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

_GLOBAL = struct.Struct("<IHHiIII")
_RECORD = struct.Struct("<IIII")
_VLAN = struct.Struct("!HH")
_IPV4 = struct.Struct("!BBHHHBBH4s4s")
_IPV6 = struct.Struct("!IHBB16s16s")
_TCP = struct.Struct("!HHIIBBHHH")
_UDP = struct.Struct("!HHHH")


def write_pcap(path: Path, frames: Iterable[tuple[float, bytes]], linktype: int = 1) -> int:
    """Write ``(timestamp, frame)`` pairs as a little-endian microsecond pcap; returns the count."""
    count = 0
    pack = _RECORD.pack
    with path.open("wb") as out:
        out.write(_GLOBAL.pack(0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        chunk: list[bytes] = []
        for timestamp, frame in frames:
            seconds = int(timestamp)
            micros = min(round((timestamp - seconds) * 1_000_000), 999_999)
            chunk.append(pack(seconds, micros, len(frame), len(frame)))
            chunk.append(frame)
            count += 1
            if len(chunk) >= 8192:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))
    return count


def mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def ethernet(
    src: str, dst: str, ethertype: int, payload: bytes, vlans: tuple[int, ...] = ()
) -> bytes:
    """An Ethernet frame; ``vlans`` outermost first (two tags = QinQ with an 0x88a8 outer tag)."""
    tpids = [0x88A8] * (len(vlans) - 1) + [0x8100] if vlans else []
    header = mac(dst) + mac(src)
    for tpid, vlan in zip(tpids, vlans, strict=True):
        header += _VLAN.pack(tpid, vlan & 0x0FFF)
    return header + struct.pack("!H", ethertype) + payload


def ipv4(src: str, dst: str, protocol: int, payload: bytes) -> bytes:
    source = bytes(int(part) for part in src.split("."))
    destination = bytes(int(part) for part in dst.split("."))
    return (
        _IPV4.pack(0x45, 0, 20 + len(payload), 0, 0, 64, protocol, 0, source, destination) + payload
    )


def ipv6(src: bytes, dst: bytes, next_header: int, payload: bytes) -> bytes:
    return _IPV6.pack(6 << 28, len(payload), next_header, 64, src, dst) + payload


def tcp(src_port: int, dst_port: int, flags: int = 0x02, payload: bytes = b"") -> bytes:
    return _TCP.pack(src_port, dst_port, 1, 0, 5 << 4, flags, 65535, 0, 0) + payload


def udp(src_port: int, dst_port: int, payload: bytes = b"") -> bytes:
    return _UDP.pack(src_port, dst_port, 8 + len(payload), 0) + payload


def icmp_echo(identifier: int = 1, sequence: int = 1) -> bytes:
    return struct.pack("!BBHHH", 8, 0, 0, identifier, sequence) + b"ping"
