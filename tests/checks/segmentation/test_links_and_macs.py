"""SEG-003, SEG-004, SEG-010: physical links, terminals in the wrong zone, MACs in two zones."""

from __future__ import annotations

from auditor.model.findings import Severity
from auditor_checks.segmentation.link_bridges_zones import LinkBridgesZones
from auditor_checks.segmentation.mac_in_two_zones import MacInTwoZones
from auditor_checks.segmentation.mac_in_wrong_zone import MacInWrongZone
from tests.checks.segmentation.city import (
    ArpEntry,
    FdbEntry,
    LedgerRow,
    Neighbor,
    access,
    context,
    device,
    run,
    snapshot,
    subjects,
    svi,
    trunk,
)

MYN = ["mynumber", "management"]
LG = ["lgwan", "management"]
INET = ["internet", "management"]


def test_a_cable_between_a_my_number_and_an_internet_switch_is_reported_on_both_ends() -> None:
    myn = snapshot(
        "myn-sw1",
        interfaces=[trunk("Gi1/0/1", [10, 99])],
        neighbors=[
            Neighbor(local_port="Gi1/0/1", remote_name="INET-SW1.city.local", remote_port="Gi1/0/3")
        ],
    )
    inet = snapshot("inet-sw1", interfaces=[trunk("Gi1/0/3", [30, 99])])
    ctx = context([device("myn-sw1", MYN), device("inet-sw1", INET)], [myn, inet])
    findings = run(LinkBridgesZones(), ctx)
    assert subjects(findings) == [
        ("inet-sw1", "link:Gi1/0/3<->myn-sw1:Gi1/0/1"),
        ("myn-sw1", "link:Gi1/0/1<->inet-sw1:Gi1/0/3"),
    ]
    assert all(f.severity == Severity.CRITICAL for f in findings)
    assert "live state (snmp)" in findings[0].message_en


def test_a_link_seen_from_both_ends_is_still_one_finding_per_end() -> None:
    a = snapshot(
        "a-sw",
        interfaces=[trunk("p1", [10])],
        neighbors=[Neighbor(local_port="p1", remote_name="b-sw", remote_port="p2")],
    )
    b = snapshot(
        "b-sw",
        interfaces=[trunk("p2", [20])],
        neighbors=[Neighbor(local_port="p2", remote_name="a-sw", remote_port="p1")],
    )
    ctx = context([device("a-sw", ["mynumber"]), device("b-sw", ["lgwan"])], [a, b])
    assert len(run(LinkBridgesZones(), ctx)) == 2


def test_a_core_switch_serving_several_zones_may_link_to_a_switch_of_one_of_them() -> None:
    core = snapshot(
        "core",
        interfaces=[trunk("p1", [20, 99])],
        neighbors=[Neighbor(local_port="p1", remote_name="lg-edge", remote_port="p24")],
    )
    edge = snapshot("lg-edge", interfaces=[trunk("p24", [20, 99])])
    ctx = context(
        [device("core", ["lgwan", "internet", "management"]), device("lg-edge", LG)], [core, edge]
    )
    assert run(LinkBridgesZones(), ctx) == []


def test_a_link_carrying_a_zone_outside_the_intersection_is_a_bridge() -> None:
    core = snapshot(
        "core",
        interfaces=[trunk("p1", [20, 30, 99])],
        neighbors=[Neighbor(local_port="p1", remote_name="lg-edge", remote_port="p24")],
    )
    ctx = context(
        [device("core", ["lgwan", "internet", "management"]), device("lg-edge", LG)], [core]
    )
    assert subjects(run(LinkBridgesZones(), ctx)) == [
        ("core", "link:p1<->lg-edge:p24"),
        ("lg-edge", "link:p24<->core:p1"),
    ]


def test_neighbors_that_are_not_inventory_devices_are_not_judged() -> None:
    snap = snapshot(
        "myn-sw",
        interfaces=[access("p5", 10)],
        neighbors=[Neighbor(local_port="p5", remote_name="SEP001122334455")],
    )
    assert run(LinkBridgesZones(), context([device("myn-sw", MYN)], [snap])) == []


def _lgwan_switch_with_terminal(mac: str) -> list:
    return [
        snapshot(
            "lg-edge-sw2",
            interfaces=[access("port1.0.2", 20), trunk("port1.0.24", [20, 99])],
            fdb=[
                FdbEntry(mac=mac, vlan=20, port="port1.0.2"),
                FdbEntry(mac="00:00:5e:99:99:99", vlan=20, port="port1.0.24"),
            ],
        )
    ]


def test_a_ledger_my_number_terminal_learned_in_an_lgwan_vlan_is_reported() -> None:
    rows = [LedgerRow(row_number=26, asset_id="A-1004", mac="0000.5e10.0b07", zone="mynumber")]
    ctx = context(
        [device("lg-edge-sw2", LG)],
        _lgwan_switch_with_terminal("00:00:5e:10:0b:07"),
        ledger_rows=rows,
    )
    findings = run(MacInWrongZone(), ctx)
    assert subjects(findings) == [("lg-edge-sw2", "mac:00:00:5e:10:0b:07")]
    assert findings[0].severity == Severity.CRITICAL
    assert "A-1004" in findings[0].message_en
    assert any(ref.source == "ledger" for ref in findings[0].evidence)


def test_a_terminal_whose_ledger_zone_matches_its_vlan_is_fine() -> None:
    rows = [LedgerRow(row_number=2, mac="00:00:5e:20:14:01", zone="lgwan")]
    ctx = context(
        [device("lg-edge-sw2", LG)],
        _lgwan_switch_with_terminal("00:00:5e:20:14:01"),
        ledger_rows=rows,
    )
    assert run(MacInWrongZone(), ctx) == []


def test_a_terminal_addressed_in_another_zone_is_reported_when_the_ledger_is_silent() -> None:
    snaps = _lgwan_switch_with_terminal("00:00:5e:30:00:01")
    snaps.append(
        snapshot(
            "core",
            interfaces=[svi("Vlan30", "10.30.0.1/24")],
            arp=[ArpEntry(ip="10.30.0.55", mac="00:00:5e:30:00:01")],
        )
    )
    ctx = context([device("lg-edge-sw2", LG), device("core", INET)], snaps)
    findings = run(MacInWrongZone(), ctx)
    assert subjects(findings) == [("lg-edge-sw2", "mac:00:00:5e:30:00:01")]
    assert "ARP" in findings[0].message_en


def test_macs_on_trunks_and_the_devices_own_macs_are_transit() -> None:
    rows = [
        LedgerRow(row_number=2, mac="00:00:5e:99:99:99", zone="mynumber"),
        LedgerRow(row_number=3, mac="00:12:e2:00:00:01", zone="mynumber"),
    ]
    snaps = _lgwan_switch_with_terminal("00:12:e2:00:00:01")
    snaps.append(
        snapshot(
            "other",
            neighbors=[
                Neighbor(
                    local_port="x", remote_name="nobody", remote_chassis_id="00:12:e2:00:00:01"
                )
            ],
        )
    )
    ctx = context([device("lg-edge-sw2", LG), device("other", LG)], snaps, ledger_rows=rows)
    assert run(MacInWrongZone(), ctx) == []


def test_the_same_terminal_in_two_zones_is_one_finding() -> None:
    mac = "00:00:5e:30:1f:01"
    inet = snapshot(
        "inet-edge-sw1",
        interfaces=[access("port1.0.1", 31)],
        fdb=[FdbEntry(mac=mac, vlan=31, port="port1.0.1")],
    )
    lg = snapshot(
        "lg-edge-sw1",
        interfaces=[access("Gi1/0/2", 20)],
        fdb=[FdbEntry(mac=mac, vlan=20, port="Gi1/0/2")],
    )
    ctx = context([device("inet-edge-sw1", INET), device("lg-edge-sw1", LG)], [inet, lg])
    findings = run(MacInTwoZones(), ctx)
    assert subjects(findings) == [("inet-edge-sw1", f"mac:{mac}")]
    assert "lg-edge-sw1" in findings[0].message_en


def test_a_terminal_seen_only_in_one_zone_is_fine() -> None:
    mac = "00:00:5e:30:1f:01"
    a = snapshot("a", interfaces=[access("p1", 31)], fdb=[FdbEntry(mac=mac, vlan=31, port="p1")])
    b = snapshot("b", interfaces=[access("p1", 30)], fdb=[FdbEntry(mac=mac, vlan=30, port="p1")])
    ctx = context([device("a", INET), device("b", INET)], [a, b])
    assert run(MacInTwoZones(), ctx) == []
