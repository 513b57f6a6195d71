"""FortiGate parsers against real CLI output with the maintainers' expected parse."""

from __future__ import annotations

import ipaddress

import pytest

from auditor.platforms import fortinet
from auditor.platforms.common import normalize_mac_or_text
from tests.platforms.ntc_fixtures import fixture_pairs

pytestmark = pytest.mark.realdata


def test_get_system_status_gives_hostname_serial_model_and_version() -> None:
    for name, raw, rows in fixture_pairs("fortinet", "get_system_status"):
        system = fortinet.parse_status(raw)
        row = rows[0]
        assert system.name == row["hostname"], name
        assert system.serial == (row["serial_number"] or None), name
        assert system.model is not None and row["version"].startswith(system.model), name
        assert system.os_version is not None and system.os_version in row["version"], name


def test_get_system_interface_gives_addresses_and_status() -> None:
    for name, raw, rows in fixture_pairs("fortinet", "get_system_interface"):
        interfaces = fortinet.parse_interface_status(raw)
        assert list(interfaces) == [row["name"] for row in rows], name
        for row in rows:
            interface = interfaces[row["name"]]
            if row["ip_address"] and row["ip_address"] != "0.0.0.0" and row["netmask"]:
                expected = ipaddress.ip_interface(f"{row['ip_address']}/{row['netmask']}")
                assert interface.addresses == [str(expected)], name
            else:
                assert interface.addresses == []
            if row["status"]:
                assert interface.admin_up == (row["status"] == "up")


def test_get_system_arp_gives_ip_mac_and_interface() -> None:
    for name, raw, rows in fixture_pairs("fortinet", "get_system_arp"):
        assert [(e.ip, e.mac, e.interface) for e in fortinet.parse_arp(raw)] == [
            (r["ip_address"], normalize_mac_or_text(r["mac_address"]), r["interface"]) for r in rows
        ], name


def test_routing_table_gives_destination_gateway_interface_and_protocol() -> None:
    for name, raw, rows in fixture_pairs("fortinet", "get_router_info_routing-table_all"):
        routes = fortinet.parse_routes(raw)
        assert [(r.prefix, r.next_hop, r.interface) for r in routes] == [
            (
                str(ipaddress.ip_network(row["destination"], strict=False)),
                row["gateway"] or None,
                row["interface"] or None,
            )
            for row in rows
        ], name
        kinds = {row["type"].strip("*")[:1] for row in rows}
        if "S" in kinds:
            assert any(route.protocol == "static" for route in routes)
