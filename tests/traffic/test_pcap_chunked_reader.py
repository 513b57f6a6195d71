"""The classic-pcap reader parses records out of 1 MiB reads: records that straddle a read, and
captures cut anywhere, behave exactly as a record-by-record reader would."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from auditor.collect.pcap_reader import CHUNK, PcapReadError, iter_frames
from auditor.collect.pcap_writer import write_pcap


def _frames(count: int) -> list[bytes]:
    rng = random.Random(5)
    return [bytes([index & 255]) * rng.randrange(14, 1515) for index in range(count)]


def _write(path: Path, frames: list[bytes]) -> list[int]:
    """Write the frames; returns each record's byte offset."""
    write_pcap(path, ((1000.0 + index * 0.5, frame) for index, frame in enumerate(frames)))
    offsets, offset = [], 24
    for frame in frames:
        offsets.append(offset)
        offset += 16 + len(frame)
    return offsets


def test_records_straddling_reads_come_back_whole_and_in_order(tmp_path: Path) -> None:
    frames = _frames(6000)  # ≈ 4.5 MiB: several reads, records cut at every read boundary
    path = tmp_path / "big.pcap"
    _write(path, frames)
    assert path.stat().st_size > 3 * CHUNK
    read = list(iter_frames(path))
    assert [data for _, _, data, _ in read] == frames
    assert [wire for _, _, _, wire in read] == [len(frame) for frame in frames]
    assert read[3][0] == pytest.approx(1001.5)


def test_gzip_captures_read_the_same(tmp_path: Path) -> None:
    frames = _frames(3000)
    plain = tmp_path / "plain.pcap"
    _write(plain, frames)
    packed = tmp_path / "packed.pcap.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert [data for _, _, data, _ in iter_frames(packed)] == frames


@pytest.mark.parametrize("cut", ["header", "data", "data-past-a-read"])
def test_a_cut_names_the_failing_record_after_every_earlier_one(tmp_path: Path, cut: str) -> None:
    frames = _frames(3000)
    path = tmp_path / "cut.pcap"
    offsets = _write(path, frames)
    # The record that straddles the first read boundary, or one in the middle of a read.
    victim = next(i for i, o in enumerate(offsets) if o + 16 + len(frames[i]) > CHUNK)
    if cut != "data-past-a-read":
        victim = 100
    end = {
        "header": offsets[victim] + 7,
        "data": offsets[victim] + 16 + 3,
        "data-past-a-read": offsets[victim] + 16 + len(frames[victim]) - 1,
    }[cut]
    path.write_bytes(path.read_bytes()[:end])
    seen: list[bytes] = []
    with pytest.raises(PcapReadError) as raised:
        for _, _, data, _ in iter_frames(path):
            seen.append(data)
    assert seen == frames[:victim]
    assert raised.value.offset == offsets[victim]
    assert raised.value.frames == victim
    if cut == "header":
        assert raised.value.reason == "record header cut off (7 of 16 bytes)"
    else:
        got = end - offsets[victim] - 16
        assert raised.value.reason == f"packet data cut off ({got} of {len(frames[victim])} bytes)"
