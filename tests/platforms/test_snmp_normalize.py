"""The SNMP normalizer on hand-built walks: one behaviour per test, no agent involved."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.model.snmp_walk import DeviceWalk, RawWalk
from auditor.platforms import snmp_columns as c
from auditor.platforms.snmp_normalize import normalize_walk
from auditor.platforms.snmp_quirks import decode_display_string, decode_text, port_list_members

WHEN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MAC = (0x00, 0x11, 0x22, 0x33, 0x44, 0x55)


def _switch(extra: RawWalk | None = None) -> DeviceWalk:
    """Three ports on bridge ports 1..3: port 1 access VLAN 10, port 2 trunk, port 3 spare."""
    walks: RawWalk = {
        c.SYS_UPTIME: [((0,), 360000)],
        c.IF_DESCR: [((1,), b"ge1"), ((2,), b"ge2"), ((3,), b"ge3")],
        c.IF_NAME: [((1,), b"gi1"), ((2,), b"gi2"), ((3,), b"gi3")],
        c.IF_LAST_CHANGE: [((1,), 60000), ((2,), 0), ((3,), 0)],
        c.DOT1D_BASE_PORT_IFINDEX: [((1,), 1), ((2,), 2), ((3,), 3)],
        c.DOT1Q_VLAN_STATIC_NAME: [((10,), b"mynumber"), ((20,), b"lgwan"), ((30,), b"inet")],
        c.DOT1Q_VLAN_STATIC_EGRESS: [((10,), b"\xc0"), ((20,), b"\x40"), ((30,), b"\x40")],
        c.DOT1Q_VLAN_STATIC_UNTAGGED: [((10,), b"\x80"), ((20,), b"\x00"), ((30,), b"\x40")],
        c.DOT1Q_PVID: [((1,), 10), ((2,), 30), ((3,), 1)],
    }
    walks.update(extra or {})
    return DeviceWalk(device="sw1", walks=walks)


def _interface(walk: DeviceWalk, name: str) -> tuple[object, ...]:
    snapshot = normalize_walk(walk, collected_at=WHEN)
    found = snapshot.interface(name)
    assert found is not None
    return (found.mode, found.access_vlan, found.allowed_vlans, found.native_vlan)


def test_a_port_untagged_only_in_its_pvid_vlan_is_an_access_port() -> None:
    assert _interface(_switch(), "gi1") == ("access", 10, None, None)


def test_a_trunk_allows_its_tagged_vlans_and_its_untagged_pvid_is_native() -> None:
    assert _interface(_switch(), "gi2") == ("trunk", None, [10, 20], 30)


def test_a_bridge_port_in_no_vlan_is_an_access_port_without_vlan() -> None:
    assert _interface(_switch(), "gi3") == ("access", None, None, None)


def test_port_lists_index_bridge_ports_not_if_indexes() -> None:
    walk = _switch({c.DOT1D_BASE_PORT_IFINDEX: [((1,), 3), ((2,), 2), ((3,), 1)]})
    assert _interface(walk, "gi3") == ("access", 10, None, None)


def test_port_list_bit_order_is_most_significant_bit_first() -> None:
    assert port_list_members(b"\x80\x01") == {1, 16}


def test_fdb_ids_map_to_vlans_through_dot1q_vlan_fdb_id() -> None:
    walk = _switch(
        {
            c.DOT1Q_VLAN_FDB_ID: [((0, 10), 1), ((0, 20), 2)],
            c.DOT1Q_TP_FDB_PORT: [((2, *MAC), 2)],
        }
    )
    (entry,) = normalize_walk(walk, collected_at=WHEN).fdb
    assert (entry.mac, entry.vlan, entry.port) == ("00:11:22:33:44:55", 20, "gi2")


def test_without_a_fdb_id_map_the_fdb_id_is_taken_as_the_vlan() -> None:
    walk = _switch({c.DOT1Q_TP_FDB_PORT: [((30, *MAC), 0)]})
    (entry,) = normalize_walk(walk, collected_at=WHEN).fdb
    assert (entry.vlan, entry.port) == (30, None)


def test_cisco_per_vlan_bridge_instances_give_the_fdb_its_vlan() -> None:
    walk = _switch()
    walk.per_vlan[20] = {
        c.DOT1D_BASE_PORT_IFINDEX: [((7,), 2)],
        c.DOT1D_TP_FDB_PORT: [(MAC, 7)],
    }
    (entry,) = normalize_walk(walk, collected_at=WHEN).fdb
    assert (entry.vlan, entry.port) == (20, "gi2")


def test_lldp_neighbours_join_the_local_port_by_its_port_id() -> None:
    walk = _switch(
        {
            c.LLDP_LOC_PORT_ID: [((51,), b"gi2")],
            c.LLDP_REM_CHASSIS_ID_SUBTYPE: [((0, 51, 1), 4)],
            c.LLDP_REM_CHASSIS_ID: [((0, 51, 1), bytes(MAC))],
            c.LLDP_REM_PORT_ID_SUBTYPE: [((0, 51, 1), 5)],
            c.LLDP_REM_PORT_ID: [((0, 51, 1), b"Gi1/0/24")],
            c.LLDP_REM_SYS_NAME: [((0, 51, 1), b"core-sw")],
            c.LLDP_REM_MAN_ADDR_IF_SUBTYPE: [((0, 51, 1, 1, 4, 10, 99, 0, 1), 2)],
        }
    )
    (neighbor,) = normalize_walk(walk, collected_at=WHEN).neighbors
    assert (neighbor.local_port, neighbor.remote_name, neighbor.remote_port) == (
        "gi2",
        "core-sw",
        "Gi1/0/24",
    )
    assert (neighbor.remote_chassis_id, neighbor.remote_address) == (
        "00:11:22:33:44:55",
        "10.99.0.1",
    )


def test_uptime_and_last_change_become_seconds() -> None:
    snapshot = normalize_walk(_switch(), collected_at=WHEN)
    assert snapshot.system.uptime_seconds == 3600.0
    assert snapshot.interfaces[0].last_change_seconds == 3000.0


def test_the_chassis_serial_wins_over_module_serials_and_all_are_kept() -> None:
    walk = _switch(
        {
            c.ENT_PHYSICAL_CLASS: [((1,), 9), ((2,), 3)],
            c.ENT_PHYSICAL_SERIAL: [((1,), b"MOD-1 "), ((2,), b"CHASSIS-2")],
            c.ENT_PHYSICAL_MODEL: [((1,), b"SFP"), ((2,), b"AX2530S")],
        }
    )
    system = normalize_walk(walk, collected_at=WHEN).system
    assert (system.serial, system.serials, system.model) == (
        "CHASSIS-2",
        ["MOD-1", "CHASSIS-2"],
        "AX2530S",
    )


def test_arp_comes_from_ip_net_to_physical_for_ipv4_and_ipv6() -> None:
    v6 = (0xFE, 0x80) + (0,) * 13 + (1,)
    walk = _switch(
        {
            c.IP_NET_TO_PHYSICAL_PHYS: [
                ((1, 1, 4, 10, 10, 0, 5), bytes(MAC)),
                ((2, 2, 16, *v6), bytes(MAC)),
            ]
        }
    )
    arp = normalize_walk(walk, collected_at=WHEN).arp
    assert [(entry.ip, entry.interface) for entry in arp] == [
        ("10.10.0.5", "gi1"),
        ("fe80::1", "gi2"),
    ]


def test_aliases_decode_as_utf8_then_shift_jis_then_euc_jp_and_say_which() -> None:
    text = "住民課 窓口"
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(text.encode("cp932")) == (text, "cp932")
    assert decode_text(text.encode("euc_jp")) == (text, "euc-jp")
    assert decode_text(b"uplink") == ("uplink", "ascii")


def test_half_width_katakana_in_shift_jis_is_still_read_as_shift_jis() -> None:
    text = "ｶﾞｲﾌﾞ接続"
    assert decode_text(text.encode("cp932")) == (text, "cp932")


def test_the_interface_keeps_the_alias_encoding() -> None:
    walk = _switch({c.IF_ALIAS: [((1,), "保守用".encode("cp932"))]})
    interface = normalize_walk(walk, collected_at=WHEN).interfaces[0]
    assert (interface.alias, interface.alias_encoding) == ("保守用", "cp932")


def test_a_table_the_device_lacks_is_listed_as_absent_not_failed() -> None:
    walk = _switch()
    walk.absent_tables.append("lldpRemTable")
    snapshot = normalize_walk(walk, collected_at=WHEN)
    assert snapshot.absent_tables == ["lldpRemTable"]
    assert snapshot.neighbors == []


def test_gbk_text_is_not_passed_off_as_euc_jp() -> None:
    """GB2312 bytes are valid EUC-JP; the reading is kept only when it is plausible Japanese."""
    location = "上海市浦东新区张江高科技园区"
    decoded = decode_display_string(location.encode("gbk"))
    assert decoded is not None
    assert (decoded.text, decoded.encoding, decoded.guessed) == (location, "gb18030", True)
    for japanese in ("本庁舎2階 電算室", "庁舎 3F サーバ室", "①番ラック"):
        for codec, name in (("cp932", "cp932"), ("euc_jp", "euc-jp")):
            if japanese.startswith("①") and codec == "euc_jp":
                continue  # NEC row 13 symbols exist only in CP932
            read = decode_display_string(japanese.encode(codec))
            assert read is not None
            assert (read.text, read.encoding, read.guessed) == (japanese, name, False)


def test_a_guessed_system_string_is_noted_in_the_snapshot() -> None:
    walk = _switch({c.SYS_LOCATION: [((0,), "深圳市南山区科技园".encode("gbk"))]})
    system = normalize_walk(walk, collected_at=WHEN).system
    assert system.location == "深圳市南山区科技园"
    assert system.decoding_notes == ["sysLocation: gb18030 (guessed)"]
