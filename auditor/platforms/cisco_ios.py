"""Cisco IOS / IOS-XE: read-only command list and parser (ntc-templates + running-config)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from auditor.model.snapshot import (
    ArpEntry,
    FdbEntry,
    Interface,
    Neighbor,
    PortMode,
    Route,
    SystemInfo,
    Vlan,
    mac_or_none,
)
from auditor.model.snmp_walk import DeviceWalk
from auditor.platforms import ios_config, snmp_columns
from auditor.platforms.common import (
    expand_cisco_interface,
    normalize_mac_or_text,
    parse_vlan_list,
    prefix_of,
    textfsm,
)
from auditor.platforms.config_only_parts import forwarding_into
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.profile import FORWARDING_FACTS, PlatformProfile, SnmpQuirks, marker_detector
from auditor.platforms.snmp_quirks import per_vlan_fdb_vlans

PLATFORM = "cisco_ios"
NETMIKO_DEVICE_TYPE = "cisco_ios"
CONFIG_COMMAND = "show running-config"
COMMANDS: tuple[str, ...] = (
    "show clock",  # first: the skew is measured against the collection start
    "show version",
    "show running-config",
    "show vlan brief",
    "show interfaces status",
    "show lldp neighbors detail",
    "show cdp neighbors detail",
    "show ip arp",
    "show mac address-table",
    "show ip route",
)
FACTS: frozenset[str] = (
    frozenset(
        {
            "system.name",
            "system.vendor",
            "system.model",
            "system.serial",
            "system.os_version",
            "system.uptime_seconds",
            "interfaces.oper_up",
        }
    )
    | ios_config.MANAGEMENT_FACTS
    | ios_config.INTERFACE_FACTS
    | ios_config.LOGGING_FACTS
    | {"system.clock_skew_seconds"}
    | FORWARDING_FACTS
)

_PROTOCOLS = {
    "S": "static",
    "C": "connected",
    "L": "local",
    "O": "ospf",
    "B": "bgp",
    "D": "eigrp",
    "R": "rip",
    "i": "isis",
}


def parse_version(text: str) -> SystemInfo:
    rows = textfsm(PLATFORM, "show version", text)
    if not rows:
        return SystemInfo()
    row = rows[0]
    hardware = row.get("hardware") or []
    serials = [serial for serial in row.get("serial") or [] if serial]
    return SystemInfo(
        name=row.get("hostname") or None,
        vendor="Cisco",
        model=hardware[0] if hardware else None,
        serial=serials[0] if serials else None,
        serials=serials,
        os_version=row.get("version") or None,
        uptime_seconds=_uptime_seconds(row),
    )


def _uptime_seconds(row: Mapping[str, Any]) -> float | None:
    units = {
        "uptime_years": 365 * 86400,
        "uptime_weeks": 7 * 86400,
        "uptime_days": 86400,
        "uptime_hours": 3600,
        "uptime_minutes": 60,
    }
    total = 0
    seen = False
    for key, factor in units.items():
        value = row.get(key)
        if value:
            total += int(value) * factor
            seen = True
    return float(total) if seen else None


def parse_vlans(text: str) -> list[Vlan]:
    rows = textfsm(PLATFORM, "show vlan", text)
    return [Vlan(id=int(row["vlan_id"]), name=row.get("vlan_name") or None) for row in rows]


def parse_interfaces_status(text: str) -> dict[str, bool]:
    """Full interface name → operationally up."""
    rows = textfsm(PLATFORM, "show interfaces status", text)
    return {expand_cisco_interface(row["port"]): row["status"] == "connected" for row in rows}


def parse_switchport(text: str) -> list[Interface]:
    """``show interfaces switchport``: operational L2 mode per port (used when config is silent)."""
    interfaces: list[Interface] = []
    for row in textfsm(PLATFORM, "show interfaces switchport", text):
        admin_mode = (row.get("admin_mode") or "").lower()
        mode: PortMode | None = (
            "trunk" if "trunk" in admin_mode else "access" if "access" in admin_mode else None
        )
        oper = (row.get("mode") or "").lower()
        if mode is None:
            mode = "trunk" if "trunk" in oper else "access" if "access" in oper else "unknown"
        interface = Interface(name=expand_cisco_interface(row["interface"]), mode=mode)
        if mode == "access" and (row.get("access_vlan") or "").isdigit():
            interface.access_vlan = int(row["access_vlan"])
        if mode == "trunk":
            trunking = ",".join(row.get("trunking_vlans") or [])
            interface.allowed_vlans = parse_vlan_list(trunking)
            native = (row.get("native_vlan") or "").split()[0] if row.get("native_vlan") else ""
            interface.native_vlan = int(native) if native.isdigit() else None
        interfaces.append(interface)
    return interfaces


def parse_lldp(text: str) -> list[Neighbor]:
    neighbors = []
    for row in textfsm(PLATFORM, "show lldp neighbors detail", text):
        port_id = row.get("neighbor_port_id") or ""
        description = row.get("neighbor_interface") or ""
        remote_port = description if port_id.isdigit() and description else port_id
        neighbors.append(
            Neighbor(
                local_port=expand_cisco_interface(row["local_interface"]),
                remote_name=row.get("neighbor_name") or None,
                remote_port=remote_port or None,
                remote_chassis_id=normalize_mac_or_text(row.get("chassis_id")),
                remote_address=row.get("mgmt_address") or None,
                protocol="lldp",
            )
        )
    return neighbors


def parse_cdp(text: str) -> list[Neighbor]:
    return [
        Neighbor(
            local_port=expand_cisco_interface(row["local_interface"]),
            remote_name=(row.get("neighbor_name") or "").split(".")[0] or None,
            remote_port=row.get("neighbor_interface") or None,
            remote_address=row.get("mgmt_address") or None,
            remote_platform=(row.get("platform") or "").strip() or None,
            protocol="cdp",
        )
        for row in textfsm(PLATFORM, "show cdp neighbors detail", text)
    ]


def parse_arp(text: str) -> list[ArpEntry]:
    entries = []
    for row in textfsm(PLATFORM, "show ip arp", text):
        mac = mac_or_none(row.get("mac_address"))
        if mac is None:
            continue
        interface = row.get("interface") or None
        entries.append(
            ArpEntry(
                ip=row["ip_address"],
                mac=mac,
                interface=expand_cisco_interface(interface) if interface else None,
            )
        )
    return entries


def parse_mac_table(text: str) -> list[FdbEntry]:
    entries = []
    for row in textfsm(PLATFORM, "show mac address-table", text):
        mac = mac_or_none(row.get("destination_address"))
        ports = row.get("destination_port") or []
        vlan = row.get("vlan_id") or ""
        if mac is None or not ports or ports[0].upper() in {"CPU", "ROUTER", "SWITCH"}:
            continue
        entries.append(
            FdbEntry(
                mac=mac,
                vlan=int(vlan) if vlan.isdigit() else None,
                port=expand_cisco_interface(ports[0]),
            )
        )
    return entries


def parse_routes(text: str) -> list[Route]:
    routes = []
    for row in textfsm(PLATFORM, "show ip route", text):
        protocol = _PROTOCOLS.get(
            row.get("protocol", "").strip("*"), row.get("protocol") or "other"
        )
        nexthop_if = row.get("nexthop_if") or None
        routes.append(
            Route(
                prefix=prefix_of(row["network"], row.get("prefix_length") or "32"),
                next_hop=row.get("nexthop_ip") or None,
                interface=expand_cisco_interface(nexthop_if) if nexthop_if else None,
                protocol=protocol,
                vrf=row.get("vrf") or None,
            )
        )
    return routes


def merge_interfaces(
    configured: Mapping[str, Interface], oper_status: Mapping[str, bool]
) -> list[Interface]:
    merged: list[Interface] = []
    for name, interface in configured.items():
        oper = oper_status.get(name)
        merged.append(
            interface.model_copy(update={"oper_up": oper}) if oper is not None else interface
        )
    return merged


# Time-zone abbreviations an IOS clock is commonly set to (``clock timezone JST 9``); any other
# abbreviation leaves the clock unread rather than guessed.
_CLOCK_ZONES = {"JST": 9, "UTC": 0, "GMT": 0}
_CLOCK = re.compile(
    r"^[*.]?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?\s+(\S+)\s+\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{4})"
)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def parse_clock(text: str) -> datetime | None:
    """``show clock`` (``*09:12:40.123 JST Tue Nov 24 2026``) → an aware datetime, or None.

    A leading ``*`` says the clock is not authoritative (never synchronised); the time is
    still what the device stamps its logs with, so it is read all the same.
    """
    for line in text.splitlines():
        match = _CLOCK.match(line.strip())
        if not match:
            continue
        hour, minute, second, fraction, zone, month, day, year = match.groups()
        if zone.upper() not in _CLOCK_ZONES or month.lower() not in _MONTHS:
            return None
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        try:
            return datetime(
                int(year),
                _MONTHS.index(month.lower()) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second),
                micro,
                tzinfo=timezone(timedelta(hours=_CLOCK_ZONES[zone.upper()])),
            )
        except ValueError:
            return None
    return None


def parse(outputs: Mapping[str, str], *, salt: bytes) -> SnapshotParts:
    """Turn the outputs of :data:`COMMANDS` into snapshot parts."""
    return parse_ios_like(outputs, salt=salt, dialect="cisco_ios")


def parse_ios_like(
    outputs: Mapping[str, str], *, salt: bytes, dialect: ios_config.Dialect
) -> SnapshotParts:
    parts = SnapshotParts()
    facts = ios_config.interpret(
        outputs.get(CONFIG_COMMAND, ""), dialect=dialect, salt=salt, declared=FACTS
    )
    parts.system = parse_version(outputs.get("show version", ""))
    parts.device_clock = parse_clock(outputs.get("show clock", ""))
    if facts.hostname:
        parts.system.name = facts.hostname
    parts.system.config_changed_at = facts.changed_at
    parts.system.config_changed_by = facts.changed_by
    parts.interfaces = merge_interfaces(
        facts.interfaces, parse_interfaces_status(outputs.get("show interfaces status", ""))
    )
    vlans = {vlan.id: vlan for vlan in parse_vlans(outputs.get("show vlan brief", ""))}
    for vlan_id, vlan in facts.vlans.items():
        vlans.setdefault(vlan_id, vlan)
    parts.vlans = [vlans[vlan_id] for vlan_id in sorted(vlans) if not _reserved_vlan(vlan_id)]
    parts.neighbors = sorted(
        parse_lldp(outputs.get("show lldp neighbors detail", ""))
        + parse_cdp(outputs.get("show cdp neighbors detail", "")),
        key=lambda neighbor: (neighbor.local_port, neighbor.protocol),
    )
    parts.arp = parse_arp(outputs.get("show ip arp", ""))
    parts.fdb = parse_mac_table(outputs.get("show mac address-table", ""))
    routes = parse_routes(outputs.get("show ip route", ""))
    parts.routes = routes if "show ip route" in outputs else facts.routes
    parts.acls = list(facts.acls.values())
    parts.management = facts.management
    parts.unparsed_config_lines = facts.unparsed
    forwarding_into(parts, facts)
    return parts


def _reserved_vlan(vlan_id: int) -> bool:
    return 1002 <= vlan_id <= 1005


def _vtp_vlans(walk: DeviceWalk) -> list[int]:
    """Cisco keeps one BRIDGE-MIB instance per operational VTP VLAN."""
    return per_vlan_fdb_vlans(walk.column(snmp_columns.CISCO_VTP_VLAN_STATE))


SNMP_QUIRKS = SnmpQuirks(
    enterprise_prefix="1.3.6.1.4.1.9.",
    extra_tables=snmp_columns.CISCO_TABLES,
    per_vlan_fdb_vlans=_vtp_vlans,
)
"""IOS switches without Q-BRIDGE-MIB: VLANs in CISCO-VTP-MIB, MAC tables per VLAN instance."""

DETECT_MARKERS: tuple[tuple[str, float], ...] = (
    (r"^version \d+\.\d+", 0.3),
    (
        r"^interface (?:GigabitEthernet|FastEthernet|TenGigabitEthernet|TwentyFiveGigE|Port-channel|Vlan)\d",
        0.3,
    ),
    (r"^line (?:vty|con) \d", 0.2),
    (r"^(?:Building configuration|Current configuration :)", 0.3),
    (r"^service timestamps ", 0.2),
    (r"^boot-(?:start|end)-marker", 0.3),
    (r"^hostname [^\s\"]+\s*$", 0.1),
)
"""Lines only this platform's saved configurations contain (weights add up, capped at 1)."""


PROFILE = PlatformProfile(
    platform=PLATFORM,
    netmiko_device_type=NETMIKO_DEVICE_TYPE,
    commands=COMMANDS,
    config_command=CONFIG_COMMAND,
    parse=parse,
    facts=FACTS,
    session_preparation=(
        "terminal width 511",
        "terminal length 0",
        "enable (when an enable secret is set)",
    ),
    snmp=SNMP_QUIRKS,
    detect=marker_detector(DETECT_MARKERS),
)
