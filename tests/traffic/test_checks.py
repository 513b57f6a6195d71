"""Every traffic check fails on the capture that shows its problem and passes on a clean one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import ARP, Ether

from auditor.audit.inputs import Bundle
from auditor.model.findings import Outcome, Severity
from auditor.model.snapshot import DeviceSnapshot, FdbEntry
from auditor.model.traffic import ProbeResult, TrafficSummary
from auditor.rules import Registry

from .conftest import analyze, traffic_findings

Capture = Callable[[Iterable[Any]], Path]
HOST, GATEWAY = "02:00:00:00:00:01", "02:00:00:00:00:02"


def syn(src: str, dst: str, port: int, mac: str = HOST) -> Any:
    return Ether(src=mac, dst=GATEWAY) / IP(src=src, dst=dst) / TCP(sport=41000, dport=port)


def findings_of(check: str, city_bundle: Bundle, registry: Registry, summary: TrafficSummary,
                **kwargs: Any) -> list[Any]:  # fmt: skip
    return traffic_findings(city_bundle, registry, summary, checks=[check], **kwargs)


def test_trf001_a_flow_leaving_the_my_number_tier_is_critical(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(city_bundle, capture([syn("10.10.1.5", "10.30.1.5", 443)] * 3))
    [finding] = findings_of("TRF-001", city_bundle, registry, summary)
    assert finding.subject == "flow:mynumber->internet:tcp/443"
    assert finding.severity is Severity.CRITICAL
    assert "3 packets" in finding.message_en and "10.10.1.5→10.30.1.5" in finding.message_en


def test_trf001_a_forbidden_flow_elsewhere_is_high_and_an_allowed_one_passes(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(
        city_bundle,
        capture(
            [
                syn("10.50.1.5", "10.20.1.5", 3389),  # education → lgwan: no flow
                syn("10.10.1.5", "10.200.1.10", 443),  # F-001 to its destination
                syn("10.99.0.10", "10.10.0.1", 22),  # F-005
            ]
        ),
    )
    [finding] = findings_of("TRF-001", city_bundle, registry, summary)
    assert finding.subject == "flow:education->lgwan:tcp/3389"
    assert finding.severity is Severity.HIGH


def test_trf001_an_allowed_service_to_a_destination_outside_the_flow_is_forbidden(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(
        city_bundle, capture([syn("10.10.1.5", "10.20.5.5", 443)])
    )  # not chukan-server
    [finding] = findings_of("TRF-001", city_bundle, registry, summary)
    assert finding.subject == "flow:mynumber->lgwan:tcp/443"


def test_trf002_a_direct_connection_around_the_screen_transfer_relay_is_a_bypass(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(city_bundle, capture([syn("10.20.5.7", "10.30.8.8", 443)]))
    [finding] = findings_of("TRF-002", city_bundle, registry, summary)
    assert finding.subject == "bypass:lgwan->internet:tcp/443"
    assert "10.40.0.20" in finding.message_en
    assert findings_of("TRF-001", city_bundle, registry, summary) == []


def test_trf002_traffic_through_the_relay_passes(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(
        city_bundle,
        capture([syn("10.20.5.7", "10.40.0.20", 443), syn("10.40.0.20", "10.30.8.8", 443)]),
    )
    assert traffic_findings(city_bundle, registry, summary, checks=["TRF-001", "TRF-002"]) == []


def test_trf003_a_mac_in_neither_ledger_nor_fdb_is_unknown_and_a_known_one_is_not(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(
        city_bundle,
        capture(
            [
                syn("10.20.9.9", "10.20.9.1", 445, mac="02:00:5e:10:00:99"),
                syn("10.20.9.8", "10.20.9.1", 445, mac="02:00:5e:10:00:98"),
                syn("10.99.0.11", "10.99.0.10", 514, mac="00:12:e2:10:00:00"),  # ledger A-0001
            ]
        ),
    )
    snapshot = DeviceSnapshot(
        device="lgw-core-sw1",
        collected_at=datetime(2026, 11, 24, tzinfo=UTC),
        fdb=[FdbEntry(mac="02:00:5e:10:00:98", vlan=20, port="Gi0/8")],
    )
    findings = findings_of(
        "TRF-003", city_bundle, registry, summary, snapshots={"lgw-core-sw1": snapshot}
    )
    assert [f.subject for f in findings] == ["host:02:00:5e:10:00:99"]
    assert "10.20.9.9" in findings[0].message_en


def test_trf003_without_any_mac_to_compare_it_says_not_applicable_rather_than_pass(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(city_bundle, capture([syn("10.20.9.9", "10.20.9.1", 445)]))
    bare = city_bundle.__class__(**{**vars(city_bundle), "ledger": type(city_bundle.ledger)()})
    [finding] = findings_of("TRF-003", bare, registry, summary)
    assert finding.outcome is Outcome.NOT_APPLICABLE


def test_trf004_an_arp_reply_moving_the_gateway_to_another_mac_is_spoofing(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    real, fake = "02:00:00:00:aa:01", "02:00:00:00:bb:02"
    replies = [
        Ether(src=real, dst=HOST) / ARP(op=2, psrc="10.20.0.1", hwsrc=real, pdst="10.20.1.5"),
        Ether(src=fake, dst=HOST) / ARP(op=2, psrc="10.20.0.1", hwsrc=fake, pdst="10.20.1.5"),
        Ether(src=fake, dst=HOST) / ARP(op=2, psrc="10.20.0.1", hwsrc=fake, pdst="10.20.1.5"),
    ]
    summary = analyze(city_bundle, capture(replies))
    [finding] = findings_of("TRF-004", city_bundle, registry, summary)
    assert finding.subject == f"arp:10.20.0.1:{real}->{fake}"
    assert "2 packets" in finding.message_en
    steady = analyze(city_bundle, capture(replies[:1] * 3))
    assert findings_of("TRF-004", city_bundle, registry, steady) == []


def test_trf005_telnet_and_snmpv2c_to_a_device_management_address_are_reported(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    from scapy.asn1.asn1 import ASN1_OID
    from scapy.layers.snmp import SNMP, SNMPget, SNMPvarbind

    get = SNMPget(varbindlist=[SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.5.0"))])
    packets = [
        syn("10.99.0.10", "10.99.0.11", 23),
        Ether(src=HOST) / IP(src="10.99.0.10", dst="10.99.0.11") / UDP(sport=50000, dport=161)
        / SNMP(version=1, community="x", PDU=get),
        Ether(src=HOST) / IP(src="10.99.0.10", dst="10.99.0.11") / UDP(sport=50001, dport=161)
        / SNMP(version=3),  # v3 is not cleartext
        syn("10.99.0.10", "10.99.0.200", 23),  # not a device
    ]  # fmt: skip
    summary = analyze(city_bundle, capture(packets))
    subjects = sorted(f.subject for f in findings_of("TRF-005", city_bundle, registry, summary))
    assert subjects == [
        "cleartext:myn-core-sw1:snmpv2c:10.99.0.10",
        "cleartext:myn-core-sw1:telnet:10.99.0.10",
    ]
    clean = analyze(city_bundle, capture([syn("10.99.0.10", "10.99.0.11", 22)]))
    assert findings_of("TRF-005", city_bundle, registry, clean) == []


def _offer(server: str, mac: str) -> Any:
    return (
        Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
        / IP(src=server, dst="255.255.255.255")
        / UDP(sport=67, dport=68)
        / BOOTP(op=2, yiaddr="10.20.9.50")
        / DHCP(options=[("message-type", "offer"), ("server_id", server), "end"])
    )


def test_trf006_offers_from_a_server_not_in_the_list_are_a_rogue_dhcp_server(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(
        city_bundle, capture([_offer("10.20.0.2", "02:00:00:00:d0:01"), _offer("10.20.9.1", "02:66:00:00:00:01")])
    )  # fmt: skip
    allowed = city_bundle.policy.model_copy(deep=True)
    allowed.rules["TRF-006"] = allowed.rule("TRF-006").model_copy(
        update={"parameters": {"dhcp_servers": ["10.20.0.2"]}}
    )
    bundle = city_bundle.__class__(**{**vars(city_bundle), "policy": allowed})
    [finding] = findings_of("TRF-006", bundle, registry, summary)
    assert finding.subject == "dhcp-server:10.20.9.1"
    assert "02:66:00:00:00:01" in finding.message_en and "1 offers" in finding.message_en


def test_trf007_and_trf008_judge_probe_results(city_bundle: Bundle, registry: Registry) -> None:
    def probe(expected: str, answered: bool, target: str) -> ProbeResult:
        return ProbeResult("mynumber", "internet", target, "tcp/443", expected, None,
                           answered, "syn-ack" if answered else None, "2026-11-24T09:00:00+00:00")  # fmt: skip

    summary = TrafficSummary(
        probes=[
            probe("forbidden", True, "10.30.0.10"),
            probe("forbidden", False, "10.30.0.11"),
            probe("allowed", False, "10.30.0.12"),
            probe("allowed", True, "10.30.0.13"),
        ]
    )
    found = traffic_findings(city_bundle, registry, summary, checks=["TRF-007", "TRF-008"])
    assert [(f.check_id, f.subject, f.severity) for f in found] == [
        ("TRF-007", "probe:mynumber->10.30.0.10:tcp/443", Severity.CRITICAL),
        ("TRF-008", "probe:mynumber->10.30.0.12:tcp/443", Severity.INFO),
    ]


def test_trf009_cleartext_out_of_my_number_in_the_city_capture(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    """Issue 15 traffic plant: FTP from a My Number terminal to the 中間サーバー (LGWAN WAN)."""
    summary = analyze(
        city_bundle,
        capture([syn("10.10.10.101", "10.200.1.10", 21)] * 2 + [syn("10.10.10.101", "10.200.1.10", 443)]),
    )  # fmt: skip
    [finding] = findings_of("TRF-009", city_bundle, registry, summary)
    assert finding.subject == "cleartext:mynumber->lgwan-wan:tcp/21"
    clean = analyze(city_bundle, capture([syn("10.10.10.101", "10.200.1.10", 443)]))
    assert findings_of("TRF-009", city_bundle, registry, clean) == []


def test_trf010_internet_mail_around_the_relay_in_the_city_capture(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    """Issue 15 traffic plant: SMTP from the Internet tier straight to the LGWAN mail server
    (the path policy 4 of inet-fw1 opens); mail from the relay (10.40.0.30) passes."""
    summary = analyze(city_bundle, capture([syn("10.30.0.101", "10.20.0.25", 25)] * 2))
    [finding] = findings_of("TRF-010", city_bundle, registry, summary)
    assert finding.subject == "mail-bypass:internet->lgwan:tcp/25"
    relayed = analyze(city_bundle, capture([syn("10.40.0.30", "10.20.0.25", 25)]))
    assert findings_of("TRF-010", city_bundle, registry, relayed) == []


def test_traffic_checks_are_not_evaluated_by_a_run_without_traffic(
    city_bundle: Bundle, registry: Registry
) -> None:
    from auditor.audit.engine import build_context, evaluate

    context = build_context(
        policy=city_bundle.policy, inventory=city_bundle.inventory, ledger=city_bundle.ledger, snapshots={},
        errors=[], registry=registry,
    )  # fmt: skip
    result = evaluate(registry, context, scopes=["traffic"])
    assert result.findings == [] and result.evaluated_checks == set()
