"""Raw pcap/pcapng reading with scapy's raw readers, plus the byte offsets they do not keep.

scapy's ``RawPcapReader`` stops silently at a cut-off record and pads nothing, so a truncated
capture would look complete. This wrapper tracks where every record starts and turns a short or
impossible record into :class:`PcapReadError` naming the byte offset, after yielding every frame
before it (the caller keeps the flows read so far).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_RECORD = 262_144  # larger caplen values are corruption, not packets
READ_SIZE = 65_535


class PcapReadError(Exception):
    """A capture that could not be read to its end; ``offset`` is the failing record's start."""

    def __init__(self, path: Path, offset: int, reason: str, frames: int) -> None:
        self.path = path
        self.offset = offset
        self.reason = reason
        self.frames = frames
        super().__init__(
            f"{path}: {reason} at byte offset {offset} (after {frames} packets, which are kept)"
        )

    @property
    def message_ja(self) -> str:
        return (
            f"{self.path}: バイトオフセット {self.offset} で読み取りに失敗しました ({self.reason})。"
            f"それまでの {self.frames} パケットは集計済みです。"
        )


def iter_frames(path: Path) -> Iterator[tuple[float, int, bytes, int]]:
    """Yield ``(timestamp, linktype, data, wire_length)`` for every record of a capture.

    Offsets are tracked here, not yielded: only an error needs them.
    """
    from scapy.error import Scapy_Exception
    from scapy.utils import RawPcapNgReader, RawPcapReader

    try:
        reader: Any = RawPcapReader(str(path))  # falls back to RawPcapNgReader by magic
    except (Scapy_Exception, OSError, EOFError) as exc:
        raise PcapReadError(path, 0, f"not a readable pcap/pcapng file ({exc})", 0) from exc
    try:
        compressed = not hasattr(reader.f, "fileno") or reader.f.__class__.__name__ == "GzipFile"
        size = None if compressed else os.fstat(reader.f.fileno()).st_size
        if isinstance(reader, RawPcapNgReader):
            yield from _iter_pcapng(path, reader, size)
        else:
            yield from _iter_pcap(path, reader, size)
    finally:
        reader.close()


def _iter_pcap(
    path: Path, reader: Any, size: int | None
) -> Iterator[tuple[float, int, bytes, int]]:
    read = reader.f.read
    endian = reader.endian
    header = struct.Struct(endian + "IIII")
    unpack = header.unpack
    linktype = int(reader.linktype)
    divisor = 1e9 if reader.nano else 1e6
    offset = 24
    frames = 0
    while True:
        record = read(16)
        if not record:
            return
        if len(record) < 16:
            raise PcapReadError(
                path, offset, f"record header cut off ({len(record)} of 16 bytes)", frames
            )
        seconds, fraction, caplen, wire_length = unpack(record)
        if caplen > MAX_RECORD:
            raise PcapReadError(
                path, offset, f"impossible captured length {caplen} (corrupt record)", frames
            )
        data = read(caplen)
        if len(data) < caplen:
            raise PcapReadError(
                path, offset, f"packet data cut off ({len(data)} of {caplen} bytes)", frames
            )
        yield seconds + fraction / divisor, linktype, data, wire_length
        offset += 16 + caplen
        frames += 1
        if size is not None and offset > size:  # pragma: no cover - guarded by the reads
            raise PcapReadError(path, offset, "record runs past the end of the file", frames)


def _iter_pcapng(
    path: Path, reader: Any, size: int | None
) -> Iterator[tuple[float, int, bytes, int]]:
    tell = reader.f.tell
    read_packet = reader._read_packet
    frames = 0
    offset = tell()
    last_timestamp = 0.0
    while True:
        try:
            data, meta = read_packet(READ_SIZE)
        except EOFError as exc:
            end = tell()
            if size is not None and offset < size:
                detail = str(exc) or "block cut off or malformed"
                raise PcapReadError(path, offset, detail, frames) from exc
            if size is None and end != offset:
                raise PcapReadError(path, offset, "block cut off or malformed", frames) from exc
            return
        except Exception as exc:  # scapy raises plain exceptions on some corrupt options
            raise PcapReadError(path, offset, f"malformed block ({exc})", frames) from exc
        if meta.tshigh is None or meta.tslow is None:
            # A Simple Packet Block carries no timestamp: it counts at the previous packet's time.
            timestamp = last_timestamp
        else:
            resolution = meta.tsresol or 1_000_000
            timestamp = ((meta.tshigh << 32) | meta.tslow) / resolution
            last_timestamp = timestamp
        wire_length = meta.wirelen if meta.wirelen is not None else len(data)
        yield timestamp, int(meta.linktype), data, wire_length
        frames += 1
        offset = tell()
