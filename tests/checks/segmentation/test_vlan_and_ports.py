"""SEG-001, SEG-002, SEG-008, SEG-009: VLANs, access ports and trunks against device zones."""

from __future__ import annotations

from auditor.model.findings import Severity
from auditor_checks.segmentation.access_port_outside_zone import AccessPortOutsideZone
from auditor_checks.segmentation.trunk_mixes_zones import TrunkMixesZones
from auditor_checks.segmentation.trunk_native_vlan_protected import TrunkNativeVlanProtected
from auditor_checks.segmentation.vlan_outside_device_zones import VlanOutsideDeviceZones
from tests.checks.segmentation.city import (
    FdbEntry,
    Vlan,
    access,
    context,
    device,
    run,
    snapshot,
    subjects,
    trunk,
)

LG_ZONES = ["lgwan", "management"]


def test_an_internet_vlan_trunked_on_an_lgwan_switch_is_one_finding_per_vlan() -> None:
    snap = snapshot(
        "lg-edge-sw2",
        vlans=[Vlan(id=20), Vlan(id=31), Vlan(id=99)],
        interfaces=[access("p1", 20), trunk("p24", [20, 31, 99])],
        fdb=[FdbEntry(mac="00:00:5e:00:00:01", vlan=31, port="p24")],
    )
    findings = run(VlanOutsideDeviceZones(), context([device("lg-edge-sw2", LG_ZONES)], [snap]))
    assert subjects(findings) == [("lg-edge-sw2", "vlan:31")]
    finding = findings[0]
    assert finding.severity == Severity.HIGH
    assert "configuration (ssh)" in finding.message_en and "live state (snmp)" in finding.message_en
    assert "設定(ssh)" in finding.message_ja
    assert {ref.source for ref in finding.evidence} == {"ssh", "snmp"}


def test_a_switch_carrying_only_its_own_zones_vlans_and_vlan_1_is_clean() -> None:
    snap = snapshot(
        "lg-edge-sw1",
        vlans=[Vlan(id=1), Vlan(id=20), Vlan(id=99)],
        interfaces=[access("p1", 20), trunk("p24", [1, 20, 99])],
    )
    ctx = context([device("lg-edge-sw1", LG_ZONES)], [snap])
    assert run(VlanOutsideDeviceZones(), ctx) == []


def test_a_my_number_vlan_on_an_lgwan_switch_is_critical() -> None:
    snap = snapshot("lg-edge-sw2", interfaces=[trunk("p23", [10, 20])])
    findings = run(VlanOutsideDeviceZones(), context([device("lg-edge-sw2", LG_ZONES)], [snap]))
    assert subjects(findings) == [("lg-edge-sw2", "vlan:10")]
    assert findings[0].severity == Severity.CRITICAL


def test_devices_without_inventory_zones_are_not_judged() -> None:
    snap = snapshot("unknown-sw", interfaces=[trunk("p1", [10, 20, 30])])
    assert run(VlanOutsideDeviceZones(), context([device("unknown-sw", [])], [snap])) == []


def test_an_access_port_in_a_foreign_zone_vlan_is_reported_by_port() -> None:
    snap = snapshot("lg-edge-sw2", interfaces=[access("port1.0.10", 31), access("port1.0.1", 20)])
    findings = run(AccessPortOutsideZone(), context([device("lg-edge-sw2", LG_ZONES)], [snap]))
    assert subjects(findings) == [("lg-edge-sw2", "port:port1.0.10")]
    assert "internet" in findings[0].message_en


def test_a_my_number_access_port_outside_its_sites_is_reported() -> None:
    snap = snapshot("shelter-sw", interfaces=[access("p3", 10)])
    ctx = context([device("shelter-sw", ["mynumber", "management"], site="hinanjo-1")], [snap])
    findings = run(AccessPortOutsideZone(), ctx)
    assert subjects(findings) == [("shelter-sw", "port:p3")]
    assert "honcho" in findings[0].message_en


def test_a_site_family_entry_covers_numbered_sites() -> None:
    snap = snapshot("edu-sw", interfaces=[access("p1", 51)])
    ctx = context([device("edu-sw", ["education"], site="school-1")], [snap])
    assert run(AccessPortOutsideZone(), ctx) == []


def test_a_trunk_with_my_number_and_lgwan_vlans_is_one_finding_per_zone_pair() -> None:
    snap = snapshot("myn-edge-sw2", interfaces=[trunk("port1.0.23", [10, 20, 30, 99])])
    ctx = context([device("myn-edge-sw2", ["mynumber", "management"])], [snap])
    findings = run(TrunkMixesZones(), ctx)
    assert [f.subject for f in findings] == [
        "trunk:port1.0.23#internet+lgwan",
        "trunk:port1.0.23#internet+mynumber",
        "trunk:port1.0.23#lgwan+mynumber",
    ]
    assert {f.severity for f in findings} == {Severity.HIGH, Severity.CRITICAL}


def test_zones_whose_flow_allows_sharing_and_the_management_vlan_may_share_a_trunk() -> None:
    from tests.checks.segmentation.city import policy

    shared = policy(
        flows=[{"from": "lgwan", "to": "sanitizer", "services": ["tcp/443"], "shares_link": True}]
    )
    snap = snapshot("core", interfaces=[trunk("p1", [20, 40, 99])])
    ctx = context([device("core", ["lgwan", "sanitizer", "management"])], [snap], policy_obj=shared)
    assert run(TrunkMixesZones(), ctx) == []


def test_management_sharing_can_be_turned_off_by_parameter() -> None:
    from tests.checks.segmentation.city import policy

    strict = policy(rules={"SEG-008": {"parameters": {"management_shares_links": False}}})
    snap = snapshot("lg", interfaces=[trunk("p1", [20, 99])])
    ctx = context([device("lg", LG_ZONES)], [snap], policy_obj=strict)
    assert [f.subject for f in run(TrunkMixesZones(), ctx)] == ["trunk:p1#lgwan+management"]


def test_an_unrestricted_trunk_carries_every_vlan_defined_on_the_switch() -> None:
    snap = snapshot("sw", vlans=[Vlan(id=20), Vlan(id=30)], interfaces=[trunk("p1", None)])
    ctx = context([device("sw", ["lgwan", "internet"])], [snap])
    assert [f.subject for f in run(TrunkMixesZones(), ctx)] == ["trunk:p1#internet+lgwan"]


def test_a_my_number_native_vlan_on_a_trunk_is_critical() -> None:
    snap = snapshot("myn-edge-sw2", interfaces=[trunk("port1.0.24", [10, 12, 99], native=11)])
    ctx = context([device("myn-edge-sw2", ["mynumber", "management"])], [snap])
    findings = run(TrunkNativeVlanProtected(), ctx)
    assert subjects(findings) == [("myn-edge-sw2", "trunk:port1.0.24")]
    assert findings[0].severity == Severity.CRITICAL


def test_a_zone_less_or_unprotected_native_vlan_is_fine() -> None:
    snap = snapshot(
        "sw", interfaces=[trunk("p1", [20, 99], native=999), trunk("p2", [30], native=30)]
    )
    ctx = context([device("sw", ["lgwan", "internet", "management"])], [snap])
    assert run(TrunkNativeVlanProtected(), ctx) == []
