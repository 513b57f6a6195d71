"""Yamaha RTX parsers against real CLI output with the maintainers' expected parse."""

from __future__ import annotations

import ipaddress

import pytest

from auditor.platforms import yamaha_rtx
from tests.platforms.ntc_fixtures import fixture_pairs

pytestmark = pytest.mark.realdata


def test_show_environment_gives_firmware_revision_serial_and_model() -> None:
    for name, raw, rows in fixture_pairs("yamaha", "show_environment"):
        system = yamaha_rtx.parse_environment(raw)
        assert system.os_version == rows[0]["version"], name
        assert system.serial == rows[0]["serial"], name
        assert system.vendor == "Yamaha"
        assert system.model is not None and system.model.startswith("RTX")


def test_show_ip_route_gives_prefix_gateway_interface_and_kind() -> None:
    for name, raw, rows in fixture_pairs("yamaha", "show_ip_route"):
        routes = yamaha_rtx.parse_routes(raw)
        assert len(routes) == len(rows), name
        for route, row in zip(routes, rows, strict=True):
            if row["network"] == "default":
                assert route.prefix == "0.0.0.0/0"
            else:
                network = ipaddress.ip_interface(f"{row['network']}/{row['prefix_length'] or 32}")
                assert route.prefix == f"{row['network']}/{row['prefix_length'] or 32}"
                assert network.ip is not None
            assert route.next_hop == (None if row["nexthop_ip"] in {"", "-"} else row["nexthop_ip"])
            assert route.interface == yamaha_rtx.yamaha_interface(row["nexthop_if"])
            kind = row["protocol"].lower()
            assert route.protocol == ("connected" if kind == "implicit" else kind)


def test_route_table_interface_names_are_normalized_to_config_spelling() -> None:
    assert yamaha_rtx.yamaha_interface("PP[01]") == "pp1"
    assert yamaha_rtx.yamaha_interface("TUNNEL[1]") == "tunnel1"
    assert yamaha_rtx.yamaha_interface("LAN2") == "lan2"
