"""The array-at-a-time pcap path against the packet loop: the same summary, field by field.

Differential: every capture is aggregated twice, once by :meth:`TrafficAggregator.feed` (the
packet loop) and once by :mod:`auditor.collect.pcap_vector`, forced on for captures of any size,
and the two :class:`TrafficSummary` objects must be equal — hosts, flows, host pairs and their
order, servers' direction, cleartext sightings, ARP and DHCP tables, read errors. Files in
sequence must merge the same way too (hosts, flows and servers carried across files), and with
the caps (hosts, pairs per flow, cleartext, addresses per host) small enough to be hit.
"""

from __future__ import annotations

import dataclasses
import random
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from scapy.layers.l2 import ARP

from auditor.audit.inputs import Bundle
from auditor.collect import pcap_vector, traffic
from auditor.collect.pcap_writer import ethernet, icmp_echo, ipv4, ipv6, tcp, udp, write_pcap
from auditor.collect.traffic import TrafficAggregator
from auditor.model.traffic import TrafficSummary
from auditor.policy.models import Policy
from tests.realdata import realdata_dir

SNMP = {
    0: bytes.fromhex("302602010004067075626c6963a019020101020100020100300e300c06082b060102010101000500"),
    1: bytes.fromhex("302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500"),
    3: bytes.fromhex("3011020103300c02020100020300ffe3040104"),
}  # fmt: skip
ADDRESSES = [
    "10.10.1.5", "10.10.2.7", "10.20.3.4", "10.30.1.1", "10.40.9.9", "10.99.1.2", "10.50.0.8",
    "192.168.77.1", "172.16.5.5", "8.8.8.8", "203.0.113.9", "224.0.0.251", "255.255.255.255",
    "100.64.1.1", "192.0.0.9",
]  # fmt: skip
SIX = [bytes.fromhex("fd00" + "00" * 13 + f"{n:02x}") for n in range(1, 6)] + [
    bytes.fromhex("2001db8" + "0" * 24 + "1"),
    bytes.fromhex("ff02" + "00" * 13 + "fb"),
    bytes.fromhex("fe80" + "00" * 13 + "01"),
]


@pytest.fixture(scope="module")
def city_policy(city_bundle: Bundle) -> Policy:
    return city_bundle.policy


def _summary(paths: Sequence[Path], policy: Policy, vectorized: bool) -> TrafficSummary:
    aggregator = TrafficAggregator(policy)
    aggregator.vectorized = vectorized
    aggregator.vector_min_packets = 0
    for path in paths:
        aggregator.read_file(path)
    return aggregator.summary()


def _assert_same(paths: Sequence[Path], policy: Policy) -> TrafficSummary:
    """Field by field with the records' own equality (every record is a dataclass; converting
    both summaries with ``dataclasses.asdict`` cost more than aggregating them)."""
    loop = _summary(paths, policy, vectorized=False)
    arrays = _summary(paths, policy, vectorized=True)
    for field in dataclasses.fields(TrafficSummary):
        assert getattr(arrays, field.name) == getattr(loop, field.name), field.name
    return loop


def _frame(rng: random.Random, index: int) -> bytes:
    """One frame of a mix meant to reach every branch of both paths."""
    src, dst = rng.choice(ADDRESSES), rng.choice(ADDRESSES)
    mac = f"02:00:00:{index >> 8 & 255:02x}:{rng.randrange(40):02x}:{rng.randrange(4):02x}"
    peer = "02:aa:00:00:00:01" if rng.random() < 0.9 else "01:00:5e:00:00:fb"
    vlans: tuple[int, ...] = rng.choice([(), (10,), (20,), (30,), (200, 40), (5,), (0,)])
    kind = rng.randrange(20)
    high, low = rng.randrange(1024, 65535), rng.choice((22, 23, 80, 443, 69, 161, 53, 67, 8080))
    ports = (high, low) if rng.random() < 0.7 else (low, high)
    if kind < 6:
        flags = rng.choice((0x02, 0x12, 0x10, 0x18, 0x11, 0x02))
        body = ipv4(src, dst, 6, tcp(*ports, flags, b"x" * rng.randrange(0, 40)))
    elif kind < 9:
        payload = SNMP[rng.choice((0, 1, 3))] if 161 in ports else b"q" * rng.randrange(0, 30)
        body = ipv4(src, dst, 17, udp(*ports, payload))
    elif kind == 9:
        body = ipv4(src, dst, 1, icmp_echo())
        if rng.random() < 0.5:
            body = body[:20] + b"\x00" + body[21:]  # echo reply
    elif kind == 10:
        nh = rng.choice((6, 17, 58, 0, 44, 60, 1))
        inner = tcp(*ports, rng.choice((0x02, 0x12, 0x18))) if nh in (6, 0, 44, 60) else udp(*ports)
        if nh == 58:
            inner = bytes((rng.choice((128, 129, 135)), 0, 0, 0)) + b"abcd"
        if nh in (0, 60):  # hop-by-hop / destination options, then TCP
            inner = bytes((6, 0)) + bytes(6) + inner
        if nh == 44:  # fragment header: first fragment (offset 0) or a later one
            later = rng.random() < 0.5
            inner = (
                bytes((6, 0)) + struct.pack("!H", 0x0010 if later else 0x0001) + bytes(4) + inner
            )
        body = ipv6(rng.choice(SIX), rng.choice(SIX), nh, inner)
        return ethernet(mac, peer, 0x86DD, body, vlans)
    elif kind == 11:  # IPv4 with options, or a later fragment
        body = ipv4(src, dst, 6, tcp(*ports, 0x02))
        if rng.random() < 0.5:
            body = (
                b"\x46"
                + body[1:2]
                + struct.pack("!H", len(body) + 4)
                + body[4:20]
                + bytes(4)
                + body[20:]
            )
        else:
            body = body[:6] + b"\x00\x10" + body[8:]
    elif kind == 12:  # ARP reply or gratuitous request, sometimes malformed
        operation = rng.choice((1, 2, 3))
        sender = bytes(int(p) for p in src.split("."))
        target = sender if rng.random() < 0.5 else bytes(4)
        arp = bytes.fromhex("000108000604") + struct.pack("!H", operation)
        arp += bytes.fromhex(mac.replace(":", "")) + sender + bytes(6) + target
        if rng.random() < 0.2:
            arp = arp[: rng.randrange(6, 28)]
        return ethernet(mac, "ff:ff:ff:ff:ff:ff", 0x0806, arp, vlans)
    elif kind == 13:  # LLC (802.3 length field), a third VLAN tag, a cut-off frame
        choice = rng.randrange(3)
        if choice == 0:
            return (
                bytes.fromhex("0180c2000000")
                + bytes.fromhex(mac.replace(":", ""))
                + b"\x00\x26"
                + b"\x42" * 38
            )
        if choice == 1:
            return ethernet(mac, peer, 0x0800, ipv4(src, dst, 17, udp(*ports)), (100, 200, 300))
        full = ethernet(mac, peer, 0x0800, ipv4(src, dst, 6, tcp(*ports, 0x02)), vlans)
        return full[: rng.randrange(8, len(full))]
    elif kind == 14:  # GRE, and an unknown protocol
        body = ipv4(src, dst, rng.choice((47, 89)), b"\x00\x00\x08\x00" + bytes(24))
    else:
        body = ipv4(src, dst, 6, tcp(*ports, rng.choice((0x02, 0x12, 0x10))))
    return ethernet(mac, peer, 0x0800, body, vlans)


def _frames(count: int, seed: int) -> Iterator[tuple[float, bytes]]:
    rng = random.Random(seed)
    base = 1_790_000_000.0 + seed
    for index in range(count):
        step = rng.choice((0.000125, 0.5, 1.0000005, -0.25))  # out-of-order times as well
        yield base + index * 0.001 + step, _frame(rng, index)


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("vector")
    paths = [folder / f"mix-{seed}.pcap" for seed in (1, 2, 3)]
    for seed, path in enumerate(paths, start=1):
        write_pcap(path, _frames(6_000, seed))
    return paths


def test_synthetic_captures_give_the_same_summary_alone_and_in_sequence(
    captures: list[Path], city_policy: Policy
) -> None:
    for path in captures:
        summary = _assert_same([path], city_policy)
        assert summary.packets == 6_000
        assert summary.cleartext and summary.arp_changes and summary.hosts
    _assert_same(captures, city_policy)


def test_blocks_of_a_long_capture_merge_like_the_loop(
    captures: list[Path], city_policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long captures are aggregated in blocks; block borders must not show in the result."""
    monkeypatch.setattr(pcap_vector, "BLOCK", 997)
    _assert_same(captures, city_policy)
    monkeypatch.setattr(traffic, "MAX_HOSTS", 60)
    monkeypatch.setattr(traffic, "MAX_PAIRS_PER_FLOW", 4)
    monkeypatch.setattr(traffic, "MAX_CLEARTEXT", 9)
    _assert_same(captures[:1], city_policy)


def test_the_caps_are_hit_alike(
    captures: list[Path], city_policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(traffic, "MAX_HOSTS", 60)
    monkeypatch.setattr(traffic, "MAX_PAIRS_PER_FLOW", 4)
    monkeypatch.setattr(traffic, "MAX_CLEARTEXT", 9)
    monkeypatch.setattr(traffic, "MAX_IPS_PER_HOST", 2)
    monkeypatch.setattr(traffic, "MAX_SERVERS", 25)
    summary = _assert_same(captures, city_policy)
    assert summary.hosts_truncated
    assert any(flow.unlisted_packets for flow in summary.flows)
    assert len(summary.cleartext) == 9


def test_captures_it_does_not_take_fall_back_to_the_loop(
    captures: list[Path], city_policy: Policy, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(captures[0].read_bytes()[:-7])
    assert not pcap_vector.feed_file(TrafficAggregator(city_policy), cut, 0)
    summary = _assert_same([cut], city_policy)
    assert summary.read_errors
    raw = tmp_path / "raw.pcap"
    write_pcap(raw, [(1.0, ipv4("10.10.1.5", "10.20.3.4", 17, udp(5000, 53)))] * 3, linktype=101)
    assert not pcap_vector.feed_file(TrafficAggregator(city_policy), raw, 0)
    assert pcap_vector.feed_file(TrafficAggregator(city_policy), captures[0], 0)
    assert not pcap_vector.feed_file(TrafficAggregator(city_policy), captures[0], 10_000)


def test_ethernet_ipv4_arp_is_read_like_scapy_dissects_it() -> None:
    rng = random.Random(5)
    for _ in range(200):
        body = bytes.fromhex("000108000604") + bytes(rng.randrange(256) for _ in range(22))
        arp = ARP(body)
        operation = body[6] << 8 | body[7]
        assert operation == int(arp.op)
        assert body[8:14].hex(":") == str(arp.hwsrc).lower()
        assert ".".join(map(str, body[14:18])) == str(arp.psrc)
        assert ".".join(map(str, body[24:28])) == str(arp.pdst)


@pytest.mark.realdata
def test_real_captures_give_the_same_summary(city_policy: Policy) -> None:
    """tcpdump's public test captures (QinQ, ERSPAN, STP, LLDP/CDP, DHCP, DNS, malformed …)."""
    folder = realdata_dir() / "pcap"
    paths = sorted(folder.glob("*.pcap")) + sorted(folder.glob("*.pcapng"))
    assert len(paths) >= 15
    taken = [
        path for path in paths if pcap_vector.feed_file(TrafficAggregator(city_policy), path, 0)
    ]
    assert len(taken) >= 10  # the rest (other link types, pcapng, cut files) use the loop
    for path in paths:
        _assert_same([path], city_policy)
    _assert_same(paths, city_policy)
