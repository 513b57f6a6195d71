"""Allied Telesis AW+ parsers against real CLI output with the maintainers' expected parse."""

from __future__ import annotations

import ipaddress

import pytest

from auditor.platforms import allied_awplus
from auditor.platforms.common import normalize_mac_or_text
from tests.platforms.ntc_fixtures import fixture_pairs

pytestmark = pytest.mark.realdata

NOT_ADVERTISED = {"", "[not advertised]"}


def test_show_system_gives_hostname_model_serial_and_version() -> None:
    for name, raw, rows in fixture_pairs("allied_telesis_awplus", "show_system"):
        system = allied_awplus.parse_system(raw)
        row = rows[0]
        assert system.name == row["hostname"], name
        assert system.model == row["hardware"][0], name
        assert system.serials == [s for s in row["serial"] if s], name
        assert system.os_version is not None and system.os_version in row["version"], name


def test_show_vlan_all_gives_ids_and_names() -> None:
    for name, raw, rows in fixture_pairs("allied_telesis_awplus", "show_vlan_all"):
        assert [(v.id, v.name) for v in allied_awplus.parse_vlans(raw)] == [
            (int(r["vlan_id"]), r["name"]) for r in rows
        ], name


def test_show_interface_switchport_gives_mode_trunk_vlans_and_native_vlan() -> None:
    for name, raw, rows in fixture_pairs("allied_telesis_awplus", "show_interface_switchport"):
        interfaces = allied_awplus.parse_switchport(raw)
        assert len(interfaces) == len(rows), name
        for interface, row in zip(interfaces, rows, strict=True):
            assert interface.name == row["interface"]
            assert interface.mode == row["mode"].lower()
            if interface.mode == "trunk":
                assert interface.allowed_vlans == sorted({int(v) for v in row["trunking_vlans"]})
                native = row["native_vlan"]
                assert interface.native_vlan == (int(native) if native.isdigit() else None)


def test_lldp_neighbors_detail_gives_remote_system_port_chassis_and_address() -> None:
    for name, raw, rows in fixture_pairs("allied_telesis_awplus", "show_lldp_neighbors_detail"):
        neighbors = allied_awplus.parse_lldp(raw)
        assert len(neighbors) == len(rows), name
        for neighbor, row in zip(neighbors, rows, strict=True):
            assert neighbor.local_port == row["local_interface"]
            assert neighbor.remote_chassis_id == normalize_mac_or_text(row["chassis_id"])
            assert neighbor.remote_name == (
                None if row["neighbor"] in NOT_ADVERTISED else row["neighbor"]
            )
            assert neighbor.remote_address == (
                None if row["management_ip"] in NOT_ADVERTISED else row["management_ip"]
            )


def test_show_arp_gives_ip_mac_and_vlan_interface() -> None:
    for name, raw, rows in fixture_pairs("allied_telesis_awplus", "show_arp"):
        entries = allied_awplus.parse_arp(raw)
        assert [(e.ip, e.mac, e.interface) for e in entries] == [
            (r["ip_address"], normalize_mac_or_text(r["mac_address"]), r["interface"]) for r in rows
        ], name


def test_mac_address_table_gives_mac_vlan_and_port() -> None:
    for name, raw, rows in fixture_pairs("allied_telesis_awplus", "show_mac_address-table"):
        entries = allied_awplus.parse_mac_table(raw)
        expected = [
            (
                normalize_mac_or_text(r["destination_address"]),
                int(r["vlan_id"]),
                r["destination_port"],
            )
            for r in rows
            if r["destination_port"].upper() != "CPU"
        ]
        assert [(e.mac, e.vlan, e.port) for e in entries] == expected, name


def test_ip_route_gives_prefix_next_hop_interface_and_protocol() -> None:
    for name, raw, rows in fixture_pairs("allied_telesis_awplus", "show_ip_route"):
        routes = allied_awplus.parse_routes(raw)
        assert [(r.prefix, r.next_hop, r.interface) for r in routes] == [
            (
                str(ipaddress.ip_network(f"{r['network']}/{r['mask']}", strict=False)),
                r["nexthop_ip"] or None,
                r["nexthop_if"] or None,
            )
            for r in rows
        ], name
        assert all(r.protocol in {"static", "connected", "ospf", "bgp", "rip"} for r in routes)
