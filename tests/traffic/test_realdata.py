"""Real public captures (tcpdump's test files under ../shared/realdata/pcap): decoded as tcpdump
decoded them (expected fields from the ``.out`` files beside them), and malformed ones never crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import RawPcapReader

from auditor.audit.inputs import Bundle
from auditor.collect.pcap_decode import ETH_ARP, decode, format_mac
from auditor.collect.traffic import TrafficAggregator, analyze_files
from tests.realdata import realdata_dir

pytestmark = pytest.mark.realdata

PACKET_LINE = re.compile(r"^\s*(\d+)\s+\d{4}-\d\d-\d\d \S+ (.*)$", re.MULTILINE)
MALFORMED = ["heapoverflow-tcp_print.pcap", "snmp-heapoverflow-1.pcap", "arp-too-long-tha.pcap",
             "lldp-infinite-loop-1.pcap", "icmp-length-zero.pcapng"]  # fmt: skip
OUT_FILES = {
    "802.1ad_QinQ.pcap": "802.1ad_QinQ.out",
    "erspan-type-ii-3.pcap": "erspan-type-ii-3.out",
    "lldp_8021_linkagg.pcap": "lldp_8021_linkagg-v.out",
    "LLDP_and_CDP.pcap": "lldp_cdp-ev.out",
}


def pcap(name: str) -> Path:
    return realdata_dir() / "pcap" / name


def frames(name: str) -> list[bytes]:
    return [data for data, _ in RawPcapReader(str(pcap(name)))]


def out_packets(name: str) -> list[str]:
    """tcpdump's first line of every packet in a ``.out`` file."""
    text = (realdata_dir() / "pcap" / name).read_text(encoding="utf-8")
    return [match.group(2) for match in PACKET_LINE.finditer(text)]


@pytest.mark.parametrize("capture", sorted(OUT_FILES))
def test_every_packet_tcpdump_printed_is_read(city_bundle: Bundle, capture: str) -> None:
    summary = analyze_files([pcap(capture)], city_bundle.policy)
    assert summary.read_errors == []
    assert summary.packets == len(out_packets(OUT_FILES[capture]))


def test_qinq_frames_carry_the_service_and_customer_tags_tcpdump_shows(city_bundle: Bundle) -> None:
    pattern = re.compile(
        r"(\S+) > (\S+), ethertype 802\.1Q-QinQ \(0x88a8\), length \d+: vlan (\d+), p \d, "
        r"ethertype 802\.1Q \(0x8100\), vlan (\d+), p \d, ethertype ARP"
    )
    expected = [pattern.search(line) for line in out_packets("802.1ad_QinQ.out")]
    decoded = [decode(data) for data in frames("802.1ad_QinQ.pcap")]
    assert len(decoded) == len(expected) == 2
    for match, frame in zip(expected, decoded, strict=True):
        assert match is not None
        assert format_mac(frame.src_mac or b"") == match.group(1)
        assert format_mac(frame.dst_mac or b"") == match.group(2)
        assert frame.vlans == (int(match.group(3)), int(match.group(4)))
        assert frame.ethertype == ETH_ARP
    # "Reply 172.21.79.100 is-at 00:80:ea:81:88:63": the ARP reply is dissected behind both tags.
    aggregator = TrafficAggregator(city_bundle.policy)
    aggregator.read_file(pcap("802.1ad_QinQ.pcap"))
    assert aggregator.arp_table == {"172.21.79.100": "00:80:ea:81:88:63"}


def test_erspan_mirrored_frames_are_decoded_with_the_vlan_tcpdump_shows(
    city_bundle: Bundle,
) -> None:
    lines = out_packets("erspan-type-ii-3.out")
    text = (realdata_dir() / "pcap" / "erspan-type-ii-3.out").read_text(encoding="utf-8")
    vlans = [int(v) for v in re.findall(r"erspan type2 session \d+ vlan (\d+)", text)]
    inner_macs = re.findall(r"index \d+: ([0-9a-f:]{17}) > ([0-9a-f:]{17})", text)
    decoded = [decode(data) for data in frames("erspan-type-ii-3.pcap")]
    assert len(decoded) == len(vlans) == len(lines) == 108
    assert [frame.vlans[-1] for frame in decoded] == vlans
    printed = {(format_mac(f.src_mac or b""), format_mac(f.dst_mac or b"")) for f in decoded}
    assert set(inner_macs) <= printed
    assert all(line.startswith("IP ") or "GRE" in line or "proto GRE" in line for line in lines)


def test_lldp_and_cdp_senders_are_the_hosts_tcpdump_shows(city_bundle: Bundle) -> None:
    senders = {
        match.group(1)
        for line in out_packets("lldp_cdp-ev.out")
        if (match := re.match(r"([0-9a-f:]{17}) > ", line))
    }
    summary = analyze_files([pcap("LLDP_and_CDP.pcap")], city_bundle.policy)
    assert senders and senders <= {host.mac for host in summary.hosts}
    assert summary.flows == []  # no IP in link-layer discovery


@pytest.mark.parametrize(
    "capture",
    [
        "dns_udp.pcap",
        "dns_tcp.pcap",
        "dhcp-rfc4388.pcap",
        "ntp.pcap",
        "ipv4_tcp_http_xml.pcap",
    ],
)
def test_header_decoding_agrees_with_scapys_full_dissection(capture: str) -> None:
    for data in frames(capture):
        frame = decode(data)
        packet = Ether(data)
        if IP not in packet:
            assert frame.src_ip is None  # ARP between the DHCP exchanges
            continue
        assert frame.src_ip is not None and frame.dst_ip is not None
        assert (".".join(map(str, frame.src_ip)), ".".join(map(str, frame.dst_ip))) == (
            packet[IP].src,
            packet[IP].dst,
        )
        if TCP in packet or UDP in packet:
            layer = TCP if TCP in packet else UDP
            assert (frame.src_port, frame.dst_port) == (packet[layer].sport, packet[layer].dport)
        else:
            assert frame.src_port == packet[ICMP].type  # ICMP: the type in the port slot


def test_dns_captures_become_one_flow_to_port_53_each(city_bundle: Bundle) -> None:
    udp = analyze_files([pcap("dns_udp.pcap")], city_bundle.policy)
    tcp = analyze_files([pcap("dns_tcp.pcap")], city_bundle.policy)
    assert [(f.service, f.packets) for f in udp.flows] == [("udp/53", 2)]
    assert [(f.service, f.packets) for f in tcp.flows] == [("tcp/53", 11)]
    # 209.87.249.18 is a public address: the Internet tier of the example city's policy.
    assert {f.destination_zone for f in udp.flows + tcp.flows} == {"internet"}


def test_the_dhcp_capture_shows_one_dhcp_server_with_its_offers_and_acks(
    city_bundle: Bundle,
) -> None:
    summary = analyze_files([pcap("dhcp-rfc4388.pcap")], city_bundle.policy)
    assert [(s.server, s.offers, s.acks) for s in summary.dhcp_servers] == [("10.40.2.3", 4, 4)]


def test_the_pcapng_capture_with_a_zero_length_icmp_is_one_echo_request(
    city_bundle: Bundle,
) -> None:
    summary = analyze_files([pcap("icmp-length-zero.pcapng")], city_bundle.policy)
    assert summary.read_errors == []
    assert [(f.service, f.packets) for f in summary.flows] == [("icmp/8", 1)]


@pytest.mark.parametrize("capture", MALFORMED)
def test_malformed_captures_that_crashed_tcpdump_do_not_crash_the_reader(
    city_bundle: Bundle, capture: str
) -> None:
    summary = analyze_files([pcap(capture)], city_bundle.policy)
    assert summary.packets >= 1
    for problem in summary.read_errors:
        assert problem.offset >= 0
