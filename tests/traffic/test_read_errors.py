"""A truncated or corrupt capture names the byte offset and keeps the flows read before it."""

from __future__ import annotations

import struct
from pathlib import Path

from auditor.audit.inputs import Bundle
from auditor.collect.pcap_writer import ethernet, ipv4, tcp, write_pcap

from .conftest import analyze


def _capture(path: Path, packets: int) -> list[int]:
    """Write ``packets`` SYNs mynumber → internet; returns each record's byte offset."""
    frame = ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", 0x0800,
                     ipv4("10.10.0.5", "10.30.0.5", 6, tcp(40000, 443)))  # fmt: skip
    write_pcap(path, ((1000.0 + i, frame) for i in range(packets)))
    return [24 + i * (16 + len(frame)) for i in range(packets)]


def test_a_capture_cut_inside_a_packet_names_its_offset_and_keeps_the_earlier_flows(
    city_bundle: Bundle, tmp_path: Path
) -> None:
    path = tmp_path / "cut.pcap"
    offsets = _capture(path, 5)
    data = path.read_bytes()
    path.write_bytes(data[: offsets[4] + 16 + 10])  # the fifth packet loses its tail
    summary = analyze(city_bundle, path)
    [problem] = summary.read_errors
    assert problem.offset == offsets[4]
    assert problem.packets_before == 4
    assert "cut off" in problem.reason
    [flow] = summary.flows
    assert (flow.source_zone, flow.destination_zone, flow.packets) == ("mynumber", "internet", 4)


def test_a_capture_cut_inside_a_record_header_names_its_offset(
    city_bundle: Bundle, tmp_path: Path
) -> None:
    path = tmp_path / "cut-header.pcap"
    offsets = _capture(path, 3)
    path.write_bytes(path.read_bytes()[: offsets[2] + 7])
    summary = analyze(city_bundle, path)
    assert [(p.offset, p.packets_before) for p in summary.read_errors] == [(offsets[2], 2)]
    assert summary.flows[0].packets == 2


def test_an_impossible_captured_length_is_reported_as_corrupt(
    city_bundle: Bundle, tmp_path: Path
) -> None:
    path = tmp_path / "corrupt.pcap"
    offsets = _capture(path, 3)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, offsets[1] + 8, 0x7FFFFFFF)
    path.write_bytes(bytes(data))
    summary = analyze(city_bundle, path)
    [problem] = summary.read_errors
    assert problem.offset == offsets[1]
    assert "corrupt" in problem.reason
    assert summary.packets == 1


def test_a_file_that_is_no_capture_is_an_error_at_offset_zero(
    city_bundle: Bundle, tmp_path: Path
) -> None:
    path = tmp_path / "notes.pcap"
    path.write_text("not a capture at all", encoding="utf-8")
    summary = analyze(city_bundle, path)
    assert [(p.offset, p.packets_before) for p in summary.read_errors] == [(0, 0)]
    assert summary.flows == []


def test_a_pcapng_cut_inside_its_last_block_names_the_block_offset(
    city_bundle: Bundle, tmp_path: Path
) -> None:
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import Ether
    from scapy.utils import PcapNgWriter

    path = tmp_path / "cut.pcapng"
    writer = PcapNgWriter(str(path))
    for _ in range(3):
        writer.write(Ether() / IP(src="10.10.0.1", dst="10.30.0.1") / TCP(dport=443))
    writer.close()
    data = path.read_bytes()
    block = (len(data) - 48) // 3  # section and interface headers take the first 48 bytes
    path.write_bytes(data[:-20])
    summary = analyze(city_bundle, path)
    assert [(p.offset, p.packets_before) for p in summary.read_errors] == [(48 + 2 * block, 2)]
    assert summary.flows[0].packets == 2
