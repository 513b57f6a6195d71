"""Cisco IOS parsers against real CLI output with the parse the ntc-templates maintainers expect."""

from __future__ import annotations

import ipaddress

import pytest

from auditor.platforms import cisco_ios, ios_config
from auditor.platforms.common import expand_cisco_interface, normalize_mac_or_text
from tests.platforms.ntc_fixtures import fixture_pairs

pytestmark = pytest.mark.realdata

SALT = b"realdata"


def test_show_version_gives_hostname_version_serial_and_model() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_version"):
        system = cisco_ios.parse_version(raw)
        expected = rows[0]
        assert system.name == (expected["hostname"] or None), name
        assert system.os_version == (expected["version"] or None), name
        assert system.serials == [s for s in expected["serial"] if s], name
        assert system.model == (expected["hardware"][0] if expected["hardware"] else None), name


def test_show_vlan_gives_every_vlan_with_its_name() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_vlan"):
        vlans = cisco_ios.parse_vlans(raw)
        assert [(v.id, v.name) for v in vlans] == [
            (int(r["vlan_id"]), r["vlan_name"] or None) for r in rows
        ], name


def test_show_interfaces_status_gives_operational_state_by_full_name() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_interfaces_status"):
        status = cisco_ios.parse_interfaces_status(raw)
        for row in rows:
            assert status[expand_cisco_interface(row["port"])] == (row["status"] == "connected"), (
                name
            )


def test_show_interfaces_switchport_gives_mode_access_trunk_and_native_vlans() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_interfaces_switchport"):
        interfaces = {i.name: i for i in cisco_ios.parse_switchport(raw)}
        assert len(interfaces) == len(rows), name
        for row in rows:
            interface = interfaces[expand_cisco_interface(row["interface"])]
            admin = row["admin_mode"].lower()
            if "trunk" in admin:
                assert interface.mode == "trunk", (name, row)
                native = row["native_vlan"].split()[0] if row["native_vlan"] else ""
                assert interface.native_vlan == (int(native) if native.isdigit() else None)
                if row["trunking_vlans"] == ["ALL"]:
                    assert interface.allowed_vlans == list(range(1, 4095))
            elif "access" in admin:
                assert interface.mode == "access", (name, row)
                if row["access_vlan"].isdigit():
                    assert interface.access_vlan == int(row["access_vlan"])


def test_lldp_neighbors_detail_gives_local_port_remote_name_port_and_chassis() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_lldp_neighbors_detail"):
        neighbors = cisco_ios.parse_lldp(raw)
        assert len(neighbors) == len(rows), name
        for neighbor, row in zip(neighbors, rows, strict=True):
            assert neighbor.local_port == expand_cisco_interface(row["local_interface"])
            assert neighbor.remote_name == (row["neighbor_name"] or None)
            assert neighbor.remote_chassis_id == normalize_mac_or_text(row["chassis_id"])
            assert neighbor.remote_address == (row["mgmt_address"] or None)
            assert neighbor.protocol == "lldp"


def test_cdp_neighbors_detail_gives_remote_name_port_and_address() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_cdp_neighbors_detail"):
        neighbors = cisco_ios.parse_cdp(raw)
        assert len(neighbors) == len(rows), name
        for neighbor, row in zip(neighbors, rows, strict=True):
            assert neighbor.local_port == row["local_interface"]
            assert neighbor.remote_port == (row["neighbor_interface"] or None)
            assert neighbor.remote_address == (row["mgmt_address"] or None)
            assert neighbor.remote_platform == (row["platform"].strip() or None)
            assert neighbor.protocol == "cdp"


def test_ip_arp_gives_ip_mac_and_interface() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_ip_arp"):
        entries = cisco_ios.parse_arp(raw)
        assert [(e.ip, e.mac) for e in entries] == [
            (r["ip_address"], normalize_mac_or_text(r["mac_address"]))
            for r in rows
            if "incomplete" not in r["mac_address"].lower()
        ], name


def test_mac_address_table_gives_mac_vlan_and_port() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_mac-address-table"):
        entries = cisco_ios.parse_mac_table(raw)
        expected = [
            (normalize_mac_or_text(r["destination_address"]), r["vlan_id"])
            for r in rows
            if r["destination_port"]
            and r["destination_port"][0].upper() not in {"CPU", "ROUTER", "SWITCH"}
        ]
        got = [(e.mac, str(e.vlan) if e.vlan is not None else r_vlan(e)) for e in entries]
        assert [mac for mac, _ in got] == [mac for mac, _ in expected], name


def r_vlan(entry: object) -> str:
    return ""


def test_ip_route_gives_prefix_next_hop_and_protocol() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_ip_route"):
        routes = cisco_ios.parse_routes(raw)
        assert len(routes) == len(rows), name
        for route, row in zip(routes, rows, strict=True):
            network = ipaddress.ip_network(
                f"{row['network']}/{row['prefix_length'] or 32}", strict=False
            )
            assert route.prefix == str(network), name
            assert route.next_hop == (row["nexthop_ip"] or None)
            if row["protocol"] == "S":
                assert route.protocol == "static"
            if row["protocol"] == "C":
                assert route.protocol == "connected"


def test_running_config_acl_partition_gives_every_entry_with_action_and_protocol() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_running-config_partition_access-list"):
        facts = ios_config.interpret(raw, dialect="cisco_ios", salt=SALT)
        entries = [
            (acl.name, entry.action, entry.protocol)
            for acl in facts.acls.values()
            for entry in acl.entries
            if entry.action != "remark"
        ]
        expected = [
            (
                r["acl_name"],
                r["action"],
                r["protocol"] if r["protocol"] not in {"", "any"} else "ip",
            )
            for r in rows
            if r["action"] in {"permit", "deny"}
        ]
        assert entries == expected, name


def test_running_config_interfaces_give_description_addresses_vrf_and_acls() -> None:
    for name, raw, rows in fixture_pairs("cisco_ios", "show_running-config_interface"):
        facts = ios_config.interpret(raw, dialect="cisco_ios", salt=SALT)
        for row in rows:
            interface = facts.interfaces[row["interface"]]
            assert interface.alias == (row["description"] or None), name
            if row["ip_address"]:
                mask = row["netmask"]
                expected = ipaddress.ip_interface(f"{row['ip_address']}/{mask}")
                assert str(expected) in interface.addresses
            assert interface.acl_in == (row["access_group_in"] or None)
            assert interface.acl_out == (row["access_group_out"] or None)
