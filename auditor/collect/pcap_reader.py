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
CHUNK = 1 << 20  # bytes read at once from a classic pcap file


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
    """Classic pcap, parsed from large reads: two small reads per record cost more than decoding.

    Records are sliced out of a buffer of ``CHUNK`` bytes with ``unpack_from``; a record that runs
    past the buffer pulls the next chunk in. Error offsets and messages are those of a
    record-by-record reader.
    """
    read = reader.f.read
    unpack_from = struct.Struct(reader.endian + "IIII").unpack_from
    linktype = int(reader.linktype)
    divisor = 1e9 if reader.nano else 1e6
    buffer = b""
    position = 0  # of the next record in ``buffer``
    offset = 24  # of the next record in the file
    frames = 0
    while True:
        available = len(buffer) - position
        if available < 16:
            buffer = buffer[position:] + _read_at_least(read, CHUNK)
            position = 0
            available = len(buffer)
            if not available:
                return
            if available < 16:
                raise PcapReadError(
                    path, offset, f"record header cut off ({available} of 16 bytes)", frames
                )
        seconds, fraction, caplen, wire_length = unpack_from(buffer, position)
        if caplen > MAX_RECORD:
            raise PcapReadError(
                path, offset, f"impossible captured length {caplen} (corrupt record)", frames
            )
        end = position + 16 + caplen
        if end > len(buffer):
            buffer = buffer[position:] + _read_at_least(read, max(CHUNK, end - len(buffer)))
            end -= position
            position = 0
            if end > len(buffer):
                got = len(buffer) - 16
                raise PcapReadError(
                    path, offset, f"packet data cut off ({got} of {caplen} bytes)", frames
                )
        yield seconds + fraction / divisor, linktype, buffer[position + 16 : end], wire_length
        offset += end - position
        position = end
        frames += 1
        if size is not None and offset > size:  # pragma: no cover - guarded by the reads
            raise PcapReadError(path, offset, "record runs past the end of the file", frames)


def _read_at_least(read: Any, count: int) -> bytes:
    """``count`` bytes, fewer only at the end of the file (gzip streams may return short reads)."""
    data = read(count)
    if len(data) >= count or not data:
        return bytes(data)
    parts = [data]
    got = len(data)
    while got < count:
        more = read(count - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


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
