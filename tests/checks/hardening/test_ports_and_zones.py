"""HRD-011 … HRD-018: ports, zone-aware routing/DNS rules, firmware and the management zone."""

from __future__ import annotations

from typing import Any

from auditor.model.findings import Outcome, Severity
from auditor.model.snapshot import Acl, ManagementPlane, Route
from auditor_checks.hardening._common import version_key
from auditor_checks.hardening.dhcp_snooping_missing import DhcpSnoopingMissing
from auditor_checks.hardening.discovery_on_untrusted_port import DiscoveryOnUntrustedPort
from auditor_checks.hardening.firmware_version import FirmwareVersion
from auditor_checks.hardening.management_outside_mgmt_zone import (
    ManagementOutsideManagementZone,
)
from auditor_checks.hardening.mynumber_default_route import MynumberDefaultRoute
from auditor_checks.hardening.mynumber_internet_dns import MynumberInternetDns
from auditor_checks.hardening.port_auth_missing import PortAuthMissing
from auditor_checks.hardening.unused_port_enabled import UnusedPortEnabled
from tests.checks.hardening._support import (
    context,
    device,
    failures,
    good_management,
    not_applicable,
    policy,
    run,
    snapshot,
    subjects,
)

DAY = 86_400


def port(name: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "mode": "access", "access_vlan": 20, "admin_up": True}
    data.update(fields)
    return data


def test_an_access_port_down_for_forty_days_and_still_enabled_is_reported() -> None:
    # last_change_seconds is the time since the last status change (sysUpTime − ifLastChange).
    snap = snapshot(
        interfaces=[
            port("Gi1/0/20", oper_up=False, last_change_seconds=3_456_000 - 100),
            port("Gi1/0/21", oper_up=False, last_change_seconds=5 * DAY),
            port("Gi1/0/22", oper_up=False, admin_up=False, shutdown=True, last_change_seconds=0),
            port("Gi1/0/23", oper_up=True, last_change_seconds=40 * DAY),
        ]
    )
    found = failures(UnusedPortEnabled(), context([snap]))
    assert [f.subject for f in found] == ["port:Gi1/0/20"]
    assert "39 days" in found[0].message_en


def test_a_down_port_without_last_change_is_not_applicable() -> None:
    snap = snapshot(interfaces=[port("Gi1/0/20", oper_up=False)])
    assert [f.subject for f in not_applicable(UnusedPortEnabled(), context([snap]))] == [
        "not-applicable:port:Gi1/0/20"
    ]


def test_port_auth_is_required_only_in_zones_that_ask_for_it() -> None:
    snap = snapshot(
        interfaces=[
            port("p5", access_vlan=10, dot1x=False, port_security=False),
            port("p1", access_vlan=10, dot1x=True),
            port("p2", access_vlan=11, port_security=True, dot1x=False),
            port("p9", access_vlan=20, dot1x=False, port_security=False),
            port("p7", access_vlan=12),
        ]
    )
    fails = failures(PortAuthMissing(), context([snap]))
    # p7 sets neither feature in a configuration that was read: both are off.
    assert [f.subject for f in fails] == ["port:p5", "port:p7"]
    assert fails[0].severity is Severity.HIGH
    unread = snapshot(config=None, interfaces=[port("p7", access_vlan=12)])
    assert [f.subject for f in not_applicable(PortAuthMissing(), context([unread]))] == [
        "not-applicable:port:p7"
    ]


def test_cdp_or_lldp_towards_an_isp_line_or_public_wifi_is_reported() -> None:
    snap = snapshot(
        interfaces=[
            {
                "name": "lan2",
                "mode": "routed",
                "addresses": ["203.0.113.2/30"],
                "lldp_transmit": True,
            },
            port("ge5", access_vlan=900, cdp_enabled=True),
            {
                "name": "lan1",
                "mode": "routed",
                "addresses": ["10.20.0.1/24"],
                "lldp_transmit": True,
            },
            {
                "name": "lan3",
                "mode": "routed",
                "addresses": ["198.51.100.2/30"],
                "lldp_transmit": False,
            },
        ]
    )
    assert subjects(DiscoveryOnUntrustedPort(), context([snap])) == ["port:lan2", "port:ge5"]


def test_unknown_discovery_state_on_untrusted_ports_is_not_applicable() -> None:
    snap = snapshot(
        interfaces=[{"name": "lan2", "mode": "routed", "addresses": ["203.0.113.2/30"]}]
    )
    assert len(not_applicable(DiscoveryOnUntrustedPort(), context([snap]))) == 1


def test_dhcp_snooping_and_arp_inspection_are_required_on_my_number_access_switches() -> None:
    mgmt = good_management(dhcp_snooping=False, arp_inspection=False)
    myn = snapshot("myn", management=mgmt, interfaces=[port("p1", access_vlan=10)])
    lg = snapshot("lg", management=mgmt, interfaces=[port("p1", access_vlan=20)])
    assert subjects(DhcpSnoopingMissing(), context([myn, lg])) == [
        "dhcp-snooping",
        "arp-inspection",
    ]
    good = snapshot("myn", interfaces=[port("p1", access_vlan=10)])
    assert run(DhcpSnoopingMissing(), context([good])) == []


def test_firmware_below_the_minimum_or_on_the_deny_list_is_reported() -> None:
    pol = policy(
        rules={
            "HRD-015": {
                "parameters": {
                    "minimum": {"allied_telesis_awplus": "5.5.2"},
                    "deny": {"yamaha_rtx": ["Rev.15.02.*"]},
                }
            }
        }
    )
    old = snapshot("aw", system={"os_version": "5.5.1-1.1"})
    new = snapshot("aw2", system={"os_version": "5.5.3-0.1"})
    rtx = snapshot("rtx", system={"os_version": "Rev.15.02.30"})
    devices = [
        device("aw", platform="allied_telesis_awplus"),
        device("aw2", platform="allied_telesis_awplus"),
        device("rtx", platform="yamaha_rtx"),
    ]
    found = failures(FirmwareVersion(), context([old, new, rtx], devices=devices, policy_obj=pol))
    assert [(f.device, f.subject) for f in found] == [("aw", "firmware"), ("rtx", "firmware")]


def test_without_a_firmware_policy_the_check_says_it_had_nothing_to_compare() -> None:
    findings = run(FirmwareVersion(), context([snapshot()]))
    assert [f.outcome for f in findings] == [Outcome.NOT_APPLICABLE]


def test_versions_compare_number_by_number() -> None:
    assert version_key("Rev.15.02.30") < version_key("15.4.4")
    assert version_key("17.9.4") < version_key("17.9.4a") < version_key("17.10.1")
    assert version_key("5.5.1-1.1") < version_key("5.5.2")


def test_a_default_route_leaving_the_my_number_tier_is_critical() -> None:
    routes = [Route(prefix="0.0.0.0/0", next_hop="10.20.0.1"), Route(prefix="10.20.200.0/24")]
    myn = snapshot("myn", routes=routes)
    lg = snapshot("lg", routes=routes)
    devices = [device("myn", zones=["mynumber", "management"]), device("lg")]
    found = failures(MynumberDefaultRoute(), context([myn, lg], devices=devices))
    assert [(f.device, f.subject, f.severity) for f in found] == [
        ("myn", "route:0.0.0.0/0", Severity.CRITICAL)
    ]
    clean = snapshot("myn", routes=routes[1:])
    assert run(MynumberDefaultRoute(), context([clean], devices=devices[:1])) == []


def test_a_default_route_to_the_tiers_own_firewall_is_only_an_observation() -> None:
    devices = [device("myn", zones=["mynumber", "management"])]
    to_firewall = snapshot("myn", routes=[Route(prefix="0.0.0.0/0", next_hop="10.10.255.2")])
    outside = snapshot("myn", routes=[Route(prefix="0.0.0.0/0", next_hop="203.0.113.1")])
    no_hop = snapshot("myn", routes=[Route(prefix="0.0.0.0/0", interface="Gi1/0/3")])

    def severity(snap: object) -> Severity:
        (finding,) = failures(MynumberDefaultRoute(), context([snap], devices=devices))
        return finding.severity

    assert severity(to_firewall) is Severity.LOW
    assert severity(outside) is Severity.CRITICAL
    assert severity(no_hop) is Severity.CRITICAL  # unknown next hop: judged as leaving


def test_an_internet_dns_server_on_a_my_number_device_is_reported() -> None:
    mgmt = good_management(dns_servers=["10.10.0.53", "8.8.8.8", "10.30.0.53", "10.20.0.53"])
    ctx = context([snapshot("myn", management=mgmt)], devices=[device("myn", zones=["mynumber"])])
    assert subjects(MynumberInternetDns(), ctx) == ["dns:8.8.8.8", "dns:10.30.0.53"]
    unknown = context(
        [snapshot("myn", management=ManagementPlane(), config=None)],
        devices=[device("myn", zones=["mynumber"])],
    )
    assert len(not_applicable(MynumberInternetDns(), unknown)) == 1


def test_management_acl_admitting_other_zones_and_an_address_outside_management() -> None:
    acl = Acl.model_validate(
        {
            "name": "MGMT-ONLY",
            "entries": [
                {
                    "action": "permit",
                    "source": "10.99.0.0/24",
                    "source_networks": ["10.99.0.0/24"],
                    "line": "permit 10.99.0.0 0.0.0.255",
                },
                {
                    "action": "permit",
                    "source": "10.30.0.0/16",
                    "source_networks": ["10.30.0.0/16"],
                    "line": "permit 10.30.0.0 0.0.255.255",
                },
            ],
        }
    )
    good = snapshot("good")
    bad = snapshot("bad", acls=[acl])
    devices = [device("good"), device("bad", address="10.20.0.5")]
    found = failures(ManagementOutsideManagementZone(), context([good, bad], devices=devices))
    assert [(f.device, f.subject) for f in found] == [("bad", "address"), ("bad", "acl:MGMT-ONLY")]
    assert "10.30.0.0/16" in found[1].message_en


def test_without_a_configuration_an_empty_route_table_is_not_applicable() -> None:
    snmp_only = snapshot("myn", config=None, sources=["snmp"])
    ctx = context([snmp_only], devices=[device("myn", zones=["mynumber"])])
    assert [f.outcome for f in run(MynumberDefaultRoute(), ctx)] == [Outcome.NOT_APPLICABLE]


LGWAN_WAN = {
    "id": "lgwan-wan",
    "kind": "lgwan_wan",
    "name_ja": "LGWAN (J-LIS)",
    "name_en": "LGWAN WAN",
    "subnets": ["10.200.0.0/16"],
}


def test_lgwan_resolvers_pass_and_unlisted_space_is_judged_by_the_policy() -> None:
    mgmt = good_management(dns_servers=["10.200.0.53", "8.8.8.8"])
    devices = [device("myn", zones=["mynumber"])]
    snap = snapshot("myn", management=mgmt)
    base = policy()
    zones = [z.model_dump(mode="json") for z in base.zones] + [LGWAN_WAN]
    with_wan = policy(zones=zones)
    # J-LIS provides DNS on the LGWAN WAN: the approved resolver passes, 8.8.8.8 does not.
    assert subjects(
        MynumberInternetDns(), context([snap], devices=devices, policy_obj=with_wan)
    ) == ["dns:8.8.8.8"]
    # Without the LGWAN WAN declared, both are unknown external space: both reported.
    assert subjects(MynumberInternetDns(), context([snap], devices=devices, policy_obj=base)) == [
        "dns:10.200.0.53",
        "dns:8.8.8.8",
    ]
