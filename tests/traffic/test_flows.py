"""Captures the tests write with scapy become the right zone-pair flows, hosts and sightings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop
from scapy.layers.l2 import Dot1AD, Dot1Q, Ether

from auditor.audit.inputs import Bundle
from auditor.collect.pcap_decode import decode
from auditor.model.traffic import MULTICAST

from .conftest import analyze

Capture = Callable[[Iterable[Any]], Path]
A, B = "02:00:00:00:00:01", "02:00:00:00:00:02"


def at(packet: Any, time: float) -> Any:
    packet.time = time
    return packet


def test_a_handshake_is_one_flow_from_the_client_zone_to_the_server_port(
    city_bundle: Bundle, capture: Capture
) -> None:
    path = capture(
        [
            at(Ether(src=A, dst=B) / Dot1Q(vlan=10) / IP(src="10.10.1.5", dst="10.200.1.10")
               / TCP(sport=40001, dport=443, flags="S"), 1000.0),
            at(Ether(src=B, dst=A) / Dot1Q(vlan=20) / IP(src="10.200.1.10", dst="10.10.1.5")
               / TCP(sport=443, dport=40001, flags="SA"), 1000.5),
            at(Ether(src=A, dst=B) / Dot1Q(vlan=10) / IP(src="10.10.1.5", dst="10.200.1.10")
               / TCP(sport=40001, dport=443, flags="A") / (b"x" * 100), 1001.0),
        ]
    )  # fmt: skip
    summary = analyze(city_bundle, path)
    assert summary.packets == 3
    [flow] = summary.flows
    assert (flow.source_zone, flow.destination_zone, flow.service) == (
        "mynumber",
        "lgwan-wan",  # 中間サーバー・プラットフォーム is reached over the LGWAN WAN
        "tcp/443",
    )
    assert flow.packets == 3
    assert flow.first_seen == "1970-01-01T00:16:40.000000+00:00"
    assert flow.last_seen == "1970-01-01T00:16:41.000000+00:00"
    assert [(p.source, p.destination, p.packets) for p in flow.host_pairs] == [
        ("10.10.1.5", "10.200.1.10", 3)
    ]


def test_an_echo_reply_counts_with_its_request_and_broadcasts_are_not_zone_flows(
    city_bundle: Bundle, capture: Capture
) -> None:
    path = capture(
        [
            Ether(src=A) / IP(src="10.99.0.10", dst="10.30.0.1") / ICMP(type=8),
            Ether(src=B) / IP(src="10.30.0.1", dst="10.99.0.10") / ICMP(type=0),
            Ether(src=A) / IP(src="10.99.0.10", dst="255.255.255.255") / UDP(sport=68, dport=67),
        ]
    )
    flows = {
        (f.source_zone, f.destination_zone, f.service): f for f in analyze(city_bundle, path).flows
    }
    assert flows[("management", "internet", "icmp/8")].packets == 2
    assert ("management", MULTICAST, "udp/67") in flows


def test_a_public_address_belongs_to_the_internet_zone_and_an_unknown_private_one_to_its_vlan(
    city_bundle: Bundle, capture: Capture
) -> None:
    path = capture(
        [Ether(src=A) / Dot1Q(vlan=20) / IP(src="192.168.7.7", dst="93.184.216.34")
         / TCP(sport=50000, dport=443, flags="S")]
    )  # fmt: skip
    [flow] = analyze(city_bundle, path).flows
    assert (flow.source_zone, flow.destination_zone) == ("lgwan", "internet")


def test_qinq_and_ipv6_extension_headers_are_decoded_without_scapy_layers() -> None:
    qinq = bytes(
        Ether(src=A, dst=B) / Dot1AD(vlan=200) / Dot1Q(vlan=2001)
        / IP(src="10.10.0.1", dst="10.20.0.1") / UDP(sport=5000, dport=161)
    )  # fmt: skip
    frame = decode(qinq)
    assert frame.vlans == (200, 2001)
    assert (frame.protocol, frame.src_port, frame.dst_port) == (17, 5000, 161)
    # Both MACs given: with no destination MAC scapy solicits fd00::2's neighbour and waits 1 s.
    six = bytes(
        Ether(src=A, dst=B) / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrHopByHop()
        / IPv6ExtHdrDestOpt() / TCP(sport=1234, dport=22)
    )  # fmt: skip
    frame = decode(six)
    assert (frame.protocol, frame.src_port, frame.dst_port) == (6, 1234, 22)
    assert len(frame.src_ip or b"") == 16


def test_snmp_v2c_and_telnet_to_an_address_are_recorded_as_cleartext_sightings(
    city_bundle: Bundle, capture: Capture
) -> None:
    from scapy.asn1.asn1 import ASN1_OID
    from scapy.layers.snmp import SNMP, SNMPget, SNMPvarbind

    get = SNMPget(varbindlist=[SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.1.0"))])
    path = capture(
        [
            Ether(src=A) / IP(src="10.99.0.10", dst="10.99.0.11") / UDP(sport=50000, dport=161)
            / SNMP(version=1, community="x", PDU=get),
            Ether(src=A) / IP(src="10.99.0.10", dst="10.99.0.11") / UDP(sport=50001, dport=161)
            / SNMP(version=0, community="x", PDU=get),
            Ether(src=A) / IP(src="10.20.3.3", dst="10.99.0.11") / TCP(sport=50002, dport=23),
        ]
    )  # fmt: skip
    seen = {(s.protocol, s.client, s.server) for s in analyze(city_bundle, path).cleartext}
    assert seen == {
        ("snmpv2c", "10.99.0.10", "10.99.0.11"),
        ("snmpv1", "10.99.0.10", "10.99.0.11"),
        ("telnet", "10.20.3.3", "10.99.0.11"),
    }


def test_a_pcapng_capture_reads_like_a_pcap(city_bundle: Bundle, tmp_path: Path) -> None:
    from scapy.utils import PcapNgWriter

    path = tmp_path / "capture.pcapng"
    writer = PcapNgWriter(str(path))
    for port in (443, 443, 22):
        writer.write(Ether(src=A) / IP(src="10.40.0.10", dst="10.30.5.5") / TCP(dport=port))
    writer.close()
    flows = {f.service: f.packets for f in analyze(city_bundle, path).flows}
    assert flows == {"tcp/443": 2, "tcp/22": 1}
