"""LED-003 … LED-010: reconciling the asset ledger with what the network shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from auditor.inventory.models import LedgerRow
from auditor.model.findings import Outcome, Severity
from auditor.model.snapshot import ArpEntry, DeviceSnapshot, FdbEntry, Neighbor
from auditor.rules import History
from auditor_checks.ledger.asset_not_seen import AssetNotSeen
from auditor_checks.ledger.classification_not_in_scale import ClassificationNotInScale
from auditor_checks.ledger.field_mismatch import LedgerFieldMismatch
from auditor_checks.ledger.lease_or_support_ending import LeaseOrSupportEnding
from auditor_checks.ledger.never_collected import NeverCollected
from auditor_checks.ledger.storage_outside_server_room import StorageOutsideServerRoom
from auditor_checks.ledger.unregistered_asset import UnregisteredAsset
from auditor_checks.ledger.zone_mismatch import LedgerZoneMismatch
from tests.checks.hardening._support import (
    AUDIT_TIME,
    context,
    device,
    failures,
    not_applicable,
    policy,
    run,
    snapshot,
    subjects,
)

PC_MAC = "00:00:5e:10:0a:01"
ROGUE_MAC = "3c:22:fb:aa:bb:cc"


def row(number: int, **fields: Any) -> LedgerRow:
    data: dict[str, Any] = {
        "asset_id": f"A-{number:04d}",
        "kind": "スイッチ",
        "location": "本庁舎 3F サーバ室",
        "owner_department": "情報政策課",
        "confidentiality": "2",
        "status": "稼働",
    }
    data.update(fields)
    return LedgerRow(row_number=number, **data)


def switch(name: str = "sw1", **fields: Any) -> DeviceSnapshot:
    base: dict[str, Any] = {
        "system": {"uptime_seconds": 100.0, "serial": "SER1", "model": "AX2530S-24T"},
        "interfaces": [
            {"name": "ge0/1", "mode": "access", "access_vlan": 10},
            {"name": "ge0/2", "mode": "access", "access_vlan": 20},
            {"name": "ge0/24", "mode": "trunk", "allowed_vlans": [10, 20]},
            {"name": "vlan99", "mode": "routed", "addresses": ["10.99.0.12/24"]},
        ],
    }
    base.update(fields)
    return snapshot(name, **base)


SWITCH_ROW = row(
    1, hostname="sw1", serial="SER1", model="AX2530S-24T", ip="10.99.0.12", zone="mynumber"
)
PC_ROW = row(2, hostname="pc1", kind="端末", mac=PC_MAC, ip="10.10.10.101", zone="mynumber")


def test_an_unregistered_device_and_host_are_reported_and_registered_ones_are_not() -> None:
    snap = switch(
        fdb=[
            FdbEntry(mac=PC_MAC, vlan=10, port="ge0/1"),
            FdbEntry(mac=ROGUE_MAC, vlan=10, port="ge0/1"),
            FdbEntry(mac="00:00:5e:99:99:99", vlan=10, port="ge0/24"),
        ]
    )
    ap = snapshot("ap1")
    ctx = context(
        [snap, ap],
        devices=[device("sw1", zones=["mynumber"]), device("ap1")],
        ledger_rows=[SWITCH_ROW, PC_ROW],
    )
    found = failures(UnregisteredAsset(), ctx)
    assert [(f.device, f.subject, f.severity) for f in found] == [
        ("ap1", "device:ap1", Severity.MEDIUM),
        ("sw1", f"mac:{ROGUE_MAC}", Severity.HIGH),
    ]


def test_unknown_lldp_neighbours_and_arp_only_hosts_are_unregistered_too() -> None:
    snap = switch(
        neighbors=[Neighbor(local_port="ge0/24", remote_name="rogue-sw")],
        arp=[
            ArpEntry(ip="10.10.10.50", mac=ROGUE_MAC, interface="vlan10"),
            ArpEntry(ip="10.10.10.101", mac=PC_MAC, interface="vlan10"),
        ],
    )
    ctx = context([snap], ledger_rows=[SWITCH_ROW, PC_ROW])
    assert subjects(UnregisteredAsset(), ctx) == ["device:rogue-sw", f"mac:{ROGUE_MAC}"]


def test_public_wifi_clients_are_not_assets() -> None:
    snap = switch(
        interfaces=[{"name": "ge0/5", "mode": "access", "access_vlan": 900}],
        fdb=[FdbEntry(mac=ROGUE_MAC, vlan=900, port="ge0/5")],
    )
    assert subjects(UnregisteredAsset(), context([snap], ledger_rows=[SWITCH_ROW])) == []


def test_an_asset_last_seen_long_ago_is_reported_with_its_last_sighting() -> None:
    old = switch(
        collected_at=AUDIT_TIME - timedelta(days=45),
        fdb=[FdbEntry(mac=PC_MAC, vlan=10, port="ge0/1")],
    )
    history = History(snapshot_history={"sw1": [old]}, first_run_at=AUDIT_TIME - timedelta(days=60))
    ctx = context([switch()], ledger_rows=[SWITCH_ROW, PC_ROW], history=history)
    found = failures(AssetNotSeen(), ctx)
    assert [f.subject for f in found] == ["ledger-row:A-0002"]
    assert "last seen 2026-10-10 (45 days ago)" in found[0].message_en


def test_an_asset_seen_now_or_recently_or_stored_is_not_reported() -> None:
    recent = switch(
        collected_at=AUDIT_TIME - timedelta(days=3),
        fdb=[FdbEntry(mac=PC_MAC, vlan=10, port="ge0/1")],
    )
    stored = row(3, hostname="spare", status="保管")
    history = History(
        snapshot_history={"sw1": [recent]}, first_run_at=AUDIT_TIME - timedelta(days=60)
    )
    ctx = context([switch()], ledger_rows=[SWITCH_ROW, PC_ROW, stored], history=history)
    assert run(AssetNotSeen(), ctx) == []


def test_with_a_short_history_an_unseen_asset_is_not_applicable() -> None:
    ctx = context([switch()], ledger_rows=[SWITCH_ROW, PC_ROW])
    findings = run(AssetNotSeen(), ctx)
    assert [(f.subject, f.outcome) for f in findings] == [
        ("not-applicable:ledger-row:A-0002", Outcome.NOT_APPLICABLE)
    ]
    history = History(first_run_at=AUDIT_TIME - timedelta(days=40))
    ctx = context([switch()], ledger_rows=[SWITCH_ROW, PC_ROW], history=history)
    assert "since auditing began" in failures(AssetNotSeen(), ctx)[0].message_en


def test_serial_model_and_ip_mismatches_are_reported_per_field() -> None:
    bad = row(
        1, hostname="sw1", serial="SER9", model="AX3660S", ip="10.99.0.99", mac="00:12:e2:10:01:00"
    )
    ctx = context([switch()], ledger_rows=[bad])
    assert subjects(LedgerFieldMismatch(), ctx) == ["serial", "model", "ip"]
    assert [f.subject for f in not_applicable(LedgerFieldMismatch(), ctx)] == ["not-applicable:mac"]


def test_matching_fields_pass_and_mac_comes_from_neighbours() -> None:
    good = row(
        1, hostname="sw1", serial="ser1", model="AX2530S", ip="10.99.0.12", mac="00-12-E2-10-01-00"
    )
    core = snapshot(
        "core",
        neighbors=[
            Neighbor(local_port="g1", remote_name="sw1", remote_chassis_id="00:12:e2:10:01:00")
        ],
    )
    ctx = context([switch(), core], ledger_rows=[good])
    assert run(LedgerFieldMismatch(), ctx) == []


def test_a_terminal_answering_on_another_ip_than_the_ledger_says() -> None:
    snap = switch(arp=[ArpEntry(ip="10.20.0.107", mac=PC_MAC, interface="vlan20")])
    ctx = context([snap], ledger_rows=[SWITCH_ROW, PC_ROW])
    assert subjects(LedgerFieldMismatch(), ctx) == ["ledger-row:A-0002:ip"]


def test_a_nas_outside_the_server_room_is_reported() -> None:
    pol = policy(ledger={"server_room_locations": ["本庁舎 3F サーバ室"]})
    rows = [
        row(1, kind="NAS", location="本庁舎 1F 総務課"),
        row(2, kind="ファイルサーバ", location="本庁舎３Ｆサーバ室 ラック2"),
        row(3, kind="スイッチ", location="本庁舎 1F 総務課"),
    ]
    assert subjects(StorageOutsideServerRoom(), context([], ledger_rows=rows, policy_obj=pol)) == [
        "ledger-row:A-0001"
    ]
    unknown = run(StorageOutsideServerRoom(), context([], ledger_rows=rows))
    assert [f.outcome for f in unknown] == [Outcome.NOT_APPLICABLE]


def test_lease_and_support_dates_past_or_near_are_reported() -> None:
    today = AUDIT_TIME.date()
    rows = [
        row(1, end_of_support=today - timedelta(days=55), zone="mynumber"),
        row(2, lease_end=today + timedelta(days=30)),
        row(3, lease_end=today + timedelta(days=400), end_of_support=date(2031, 3, 31)),
        row(4, lease_end=today - timedelta(days=1), status="廃棄"),
    ]
    found = failures(LeaseOrSupportEnding(), context([], ledger_rows=rows))
    assert [(f.subject, f.severity) for f in found] == [
        ("ledger-row:A-0001:end-of-support", Severity.HIGH),
        ("ledger-row:A-0002:lease-end", Severity.LOW),
    ]
    assert "55 days ago" in found[0].message_en


def test_an_old_scale_classification_needs_a_declared_mapping() -> None:
    rows = [row(1, confidentiality="3"), row(2, confidentiality="3A"), row(3, confidentiality="2")]
    none_declared = failures(ClassificationNotInScale(), context([], ledger_rows=rows))
    assert [(f.subject, f.severity) for f in none_declared] == [
        ("ledger-row:A-0001:confidentiality", Severity.MEDIUM)
    ]
    ambiguous = policy(ledger={"confidentiality_map": {"3": ["3A", "3B", "3C"]}})
    found = failures(
        ClassificationNotInScale(), context([], ledger_rows=rows, policy_obj=ambiguous)
    )
    assert [f.severity for f in found] == [Severity.LOW]
    assert "3A/3B/3C" in found[0].message_en
    decided = policy(ledger={"confidentiality_map": {"3": ["3B"]}})
    assert run(ClassificationNotInScale(), context([], ledger_rows=rows, policy_obj=decided)) == []


def test_a_missing_classification_is_left_to_led_001_when_mandatory() -> None:
    rows = [row(1, confidentiality=None)]
    assert run(ClassificationNotInScale(), context([], ledger_rows=rows)) == []
    optional = policy(ledger={"mandatory_fields": ["asset_id"]})
    assert subjects(
        ClassificationNotInScale(), context([], ledger_rows=rows, policy_obj=optional)
    ) == ["ledger-row:A-0001:confidentiality"]


def test_a_terminal_in_another_zone_than_its_ledger_zone() -> None:
    snap = switch(fdb=[FdbEntry(mac=PC_MAC, vlan=20, port="ge0/2")])
    pc_ja = row(2, hostname="pc1", kind="端末", mac=PC_MAC, zone="マイナンバー利用事務系")
    ctx = context(
        [snap], devices=[device("sw1", zones=["mynumber"])], ledger_rows=[SWITCH_ROW, pc_ja]
    )
    found = failures(LedgerZoneMismatch(), ctx)
    assert [(f.device, f.subject, f.zone) for f in found] == [("sw1", f"mac:{PC_MAC}", "lgwan")]
    right = switch(fdb=[FdbEntry(mac=PC_MAC, vlan=10, port="ge0/1")])
    ctx = context(
        [right], devices=[device("sw1", zones=["mynumber"])], ledger_rows=[SWITCH_ROW, pc_ja]
    )
    assert run(LedgerZoneMismatch(), ctx) == []


def test_a_device_whose_ledger_zone_is_not_one_it_serves_and_unknown_zone_names() -> None:
    rows = [row(1, hostname="sw1", zone="インターネット接続系")]
    ctx = context([switch()], devices=[device("sw1", zones=["lgwan"])], ledger_rows=rows)
    assert subjects(LedgerZoneMismatch(), ctx) == ["zone"]
    rows = [row(1, hostname="sw1", zone="旧庁内LAN")]
    ctx = context([switch()], devices=[device("sw1", zones=["lgwan"])], ledger_rows=rows)
    assert len(not_applicable(LedgerZoneMismatch(), ctx)) == 1


def test_devices_never_collected_and_ledger_devices_outside_the_inventory() -> None:
    rows = [
        SWITCH_ROW,
        row(5, hostname="ap2", kind="アクセスポイント"),
        row(6, hostname="old-sw", status="保管"),
        row(7, hostname="pc9", kind="端末"),
    ]
    devices = [device("sw1"), device("rt9", address="10.99.0.9")]
    history = History(previous_snapshots={})
    ctx = context([switch()], devices=devices, ledger_rows=rows, history=history)
    assert subjects(NeverCollected(), ctx) == [
        "never-collected",
        "ledger-row:A-0005:not-in-inventory",
    ]
    seen_before = History(last_success={"rt9": AUDIT_TIME - timedelta(days=1)})
    ctx = context([switch()], devices=devices, ledger_rows=rows[:1], history=seen_before)
    assert run(NeverCollected(), ctx) == []
