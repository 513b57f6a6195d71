"""Round trip: scenario → rendered CLI output → platform parser → the scenario's facts again."""

from __future__ import annotations

import functools

import pytest

from auditor.lab.cli_render import render
from auditor.lab.scenario import (
    Scenario,
    ScenarioDevice,
    arp_entries,
    discovery_state,
    expected_neighbors,
    fdb_entries,
)
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.registry import profiles
from auditor.platforms.text_decode import decode_output
from auditor.redact import marker
from tests.builders import example_city

SALT = b"round-trip"
SCENARIO = example_city()
SSH_DEVICES = [
    device.name for device in SCENARIO.devices if device.ssh and device.platform in profiles()
]
IOS_LIKE = {"cisco_ios", "allied_telesis_awplus", "alaxala_ax", "nec_ix"}
SWITCHES = {"cisco_ios", "allied_telesis_awplus", "alaxala_ax"}
ALL_MANAGEMENT = (
    "telnet_enabled",
    "ssh_enabled",
    "http_server",
    "snmp_v3_users",
    "ntp_servers",
    "syslog_hosts",
)
MANAGEMENT_BY_PLATFORM = {
    "cisco_ios": (
        "ssh_version",
        "https_server",
        "aaa_enabled",
        "banner",
        "exec_timeout_seconds",
        "vty_access_class",
        "snmp_access_class",
        "dhcp_snooping",
        "arp_inspection",
        "dns_servers",
        "password_encryption",
        "enable_secret_storage",
    ),
    "alaxala_ax": (
        "ssh_version",
        "https_server",
        "banner",
        "exec_timeout_seconds",
        "vty_access_class",
        "snmp_access_class",
        "dhcp_snooping",
        "arp_inspection",
        "password_encryption",
    ),
    "allied_telesis_awplus": (
        "banner",
        "exec_timeout_seconds",
        "vty_access_class",
        "dhcp_snooping",
        "arp_inspection",
        "password_encryption",
    ),
    "nec_ix": ("banner", "ssh_version"),
    "yamaha_rtx": ("exec_timeout_seconds", "aaa_enabled", "dns_servers"),
    "fortinet": ("https_server", "banner", "exec_timeout_seconds", "dns_servers"),
}


def parsed(device: ScenarioDevice, scenario: Scenario) -> SnapshotParts:
    outputs = {
        command: decode_output(value).text if isinstance(value, bytes) else value
        for command, value in render(device, scenario).items()
    }
    return profiles()[device.platform].parse(outputs, salt=SALT)


@functools.cache
def parsed_lab_device(name: str) -> SnapshotParts:
    """``parsed`` for a device of :data:`SCENARIO`, once per process: five tests per device read
    the same parse (render + parse is most of each test's time); none of them changes it."""
    return parsed(SCENARIO.device(name), SCENARIO)


def bound_acl(
    device: ScenarioDevice, port: str, direction: str, declared: str | None
) -> str | None:
    """The ACL on a port: the port's own field or an ACL whose ``applied`` names the port."""
    if declared:
        return declared
    for acl in device.acls:
        if any(b.interface == port and b.direction == direction for b in acl.applied):
            return acl.name
    return None


def test_every_lab_platform_has_an_ssh_device_in_the_example_city() -> None:
    platforms = {SCENARIO.device(name).platform for name in SSH_DEVICES}
    assert platforms == set(profiles())


def test_render_covers_exactly_the_allow_listed_commands() -> None:
    for name in SSH_DEVICES:
        device = SCENARIO.device(name)
        assert set(render(device, SCENARIO)) == set(profiles()[device.platform].commands), name


def test_the_yamaha_config_is_shift_jis_bytes_when_the_console_is_ja_sjis() -> None:
    device = next(
        d
        for d in SCENARIO.devices
        if d.platform == "yamaha_rtx" and d.ssh and d.ssh.encoding == "shift_jis"
    )
    raw = render(device, SCENARIO)["show config"]
    assert isinstance(raw, bytes)
    assert decode_output(raw).encoding == "cp932"
    alias = next(port.alias for port in device.ports if port.alias and not port.alias.isascii())
    assert alias in decode_output(raw).text
    assert alias.encode("cp932") in raw


@pytest.mark.parametrize("name", SSH_DEVICES)
def test_parsed_system_and_interfaces_equal_the_scenario(name: str) -> None:
    device = SCENARIO.device(name)
    parts = parsed_lab_device(name)
    assert parts.system.name == device.name
    assert parts.system.serial == device.sys.serial
    assert (parts.system.os_version or "").lstrip("v") == (
        device.sys.os_version or ""
    ).removeprefix("Rev.").lstrip("v")
    by_name = {interface.name: interface for interface in parts.interfaces}
    assert set(by_name) == {port.name for port in device.ports}
    for port in device.ports:
        interface = by_name[port.name]
        assert interface.alias == port.alias, port.name
        assert interface.mode == port.mode, port.name
        assert interface.addresses == port.addresses, port.name
        assert interface.shutdown == (not port.admin_up), port.name
        if port.mode == "access" and device.platform in SWITCHES:
            # No ``switchport access vlan`` line: the port is in the default VLAN 1.
            assert interface.access_vlan == (port.access_vlan or 1), port.name
        elif port.mode == "access":
            assert interface.access_vlan == port.access_vlan, port.name
        if port.mode == "trunk":
            assert interface.allowed_vlans == sorted(port.allowed_vlans or []), port.name
            assert interface.native_vlan == (port.native_vlan or 1), port.name
        if device.platform in IOS_LIKE:
            assert interface.acl_in == bound_acl(device, port.name, "in", port.acl_in), port.name
            assert interface.acl_out == bound_acl(device, port.name, "out", port.acl_out)
            assert bool(interface.port_security) == bool(port.port_security), port.name
            assert bool(interface.dot1x) == bool(port.dot1x), port.name
            assert (interface.cdp_enabled, interface.lldp_transmit) == discovery_state(
                device, port
            ), port.name
        if device.platform == "cisco_ios" and interface.oper_up is not None:
            assert interface.oper_up == (port.oper_up and port.admin_up), port.name


@pytest.mark.parametrize("name", SSH_DEVICES)
def test_parsed_vlans_routes_acls_and_policies_equal_the_scenario(name: str) -> None:
    device = SCENARIO.device(name)
    parts = parsed_lab_device(name)
    if device.platform in SWITCHES:
        assert [(v.id, v.name) for v in parts.vlans] == [
            (vlan_id, SCENARIO.vlan_name(vlan_id)) for vlan_id in device.configured_vlans()
        ]
    expected_routes = {
        (r.prefix, r.next_hop, None if device.platform == "alaxala_ax" else r.interface)
        for r in device.routes
    }
    assert {(r.prefix, r.next_hop, r.interface) for r in parts.routes} == expected_routes
    if device.platform in IOS_LIKE:
        assert [acl.model_dump(exclude={"source"}) for acl in parts.acls] == [
            acl.model_dump(exclude={"source"}) for acl in device.acls
        ]
    if device.platform == "yamaha_rtx":
        got = [
            (acl.applied, [e.model_dump(exclude={"line", "sequence"}) for e in acl.entries])
            for acl in parts.acls
        ]
        want = [
            (acl.applied, [e.model_dump(exclude={"line", "sequence"}) for e in acl.entries])
            for acl in device.acls
        ]
        assert got == want
    assert [p.model_dump(exclude={"line", "source"}) for p in parts.firewall_policies] == [
        p.model_dump(exclude={"line", "source"}) for p in device.firewall_policies
    ]


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in SSH_DEVICES
        if SCENARIO.device(n).platform in {"cisco_ios", "allied_telesis_awplus"}
    ],
)
def test_parsed_neighbors_arp_and_fdb_equal_the_scenario(name: str) -> None:
    parts = parsed_lab_device(name)
    assert [n.model_dump(exclude={"source"}) for n in parts.neighbors] == [
        n.model_dump(exclude={"source"}) for n in expected_neighbors(SCENARIO, name)
    ]
    assert sorted((a.ip, a.mac, a.interface) for a in parts.arp) == sorted(
        (a.ip, a.mac, a.interface) for a in arp_entries(SCENARIO, name)
    )
    assert sorted((f.mac, f.vlan, f.port) for f in parts.fdb) == sorted(
        (f.mac, f.vlan, f.port) for f in fdb_entries(SCENARIO, name)
    )


@pytest.mark.parametrize("name", SSH_DEVICES)
def test_parsed_management_plane_equals_the_scenario(name: str) -> None:
    device = SCENARIO.device(name)
    management = parsed_lab_device(name).management
    want = device.management
    for field in (*ALL_MANAGEMENT, *MANAGEMENT_BY_PLATFORM[device.platform]):
        assert getattr(management, field) == getattr(want, field), field
    assert [(c.name_redacted, c.access) for c in management.snmp_communities or []] == [
        (marker(c.name, salt=SALT), c.access) for c in want.snmp_communities
    ]
    assert [(u.name, u.privilege, u.password_storage) for u in management.local_users or []] == [
        (u.name, u.privilege, u.password_storage) for u in want.local_users
    ]


@pytest.mark.parametrize("name", SSH_DEVICES)
def test_rendered_lab_configs_leave_no_line_unparsed(name: str) -> None:
    assert parsed_lab_device(name).unparsed_config_lines == []
