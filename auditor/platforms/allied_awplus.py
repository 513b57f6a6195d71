"""Allied Telesis AlliedWare Plus: read-only command list and parser.

AW+ is IOS-like: ntc-templates parse the show commands and the shared IOS-like interpreter reads
``show running-config`` (``interface port1.0.1``, ``vlan database``, ``ip address A/len``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from auditor.model.snapshot import (
    ArpEntry,
    FdbEntry,
    Interface,
    Neighbor,
    Route,
    SystemInfo,
    Vlan,
    mac_or_none,
)
from auditor.platforms import ios_config
from auditor.platforms.common import (
    normalize_mac_or_text,
    parse_vlan_list,
    prefix_of,
    textfsm,
)
from auditor.platforms.config_only_parts import forwarding_into
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.profile import PlatformProfile, marker_detector

PLATFORM = "allied_telesis_awplus"
NETMIKO_DEVICE_TYPE = "allied_telesis_awplus"
CONFIG_COMMAND = "show running-config"
COMMANDS: tuple[str, ...] = (
    "show system",
    "show running-config",
    "show vlan all",
    "show interface switchport",
    "show lldp neighbors detail",
    "show arp",
    "show mac address-table",
    "show ip route",
)
_NOT_ADVERTISED = {"", "[not advertised]", "not advertised"}
_PROTOCOLS = {"S": "static", "C": "connected", "O": "ospf", "B": "bgp", "R": "rip"}
FACTS: frozenset[str] = (
    frozenset(
        {"system.name", "system.vendor", "system.model", "system.serial", "system.os_version"}
    )
    | ios_config.MANAGEMENT_FACTS
    | ios_config.INTERFACE_FACTS
    | {"forwarding.routing_protocols"}  # ``router ospf|bgp|rip`` blocks
)


def parse_system(text: str) -> SystemInfo:
    rows = textfsm(PLATFORM, "show system", text)
    if not rows:
        return SystemInfo()
    row = rows[0]
    serials = [serial for serial in row.get("serial") or [] if serial]
    hardware = row.get("hardware") or []
    return SystemInfo(
        name=row.get("hostname") or None,
        vendor="Allied Telesis",
        model=hardware[0] if hardware else None,
        serial=serials[0] if serials else None,
        serials=serials,
        os_version=_software_version(row.get("version") or ""),
    )


def _software_version(current: str) -> str | None:
    """``SH210-5.4.5-1.3.rel`` (the running image) → ``5.4.5-1.3``."""
    match = re.search(r"(\d+\.\d+\.\d+(?:-\d+\.\d+)?)", current)
    return match.group(1) if match else current or None


def parse_vlans(text: str) -> list[Vlan]:
    return [
        Vlan(id=int(row["vlan_id"]), name=row.get("name") or None)
        for row in textfsm(PLATFORM, "show vlan all", text)
    ]


def parse_switchport(text: str) -> list[Interface]:
    interfaces = []
    for row in textfsm(PLATFORM, "show interface switchport", text):
        mode = (row.get("mode") or "").lower()
        interface = Interface(
            name=row["interface"],
            mode="access" if mode == "access" else "trunk" if mode == "trunk" else "unknown",
        )
        native = (row.get("native_vlan") or "").strip()
        if mode == "trunk":
            interface.allowed_vlans = parse_vlan_list(",".join(row.get("trunking_vlans") or []))
            interface.native_vlan = int(native) if native.isdigit() else None
        elif mode == "access":
            untagged = row.get("untagged_vlan") or row.get("access_vlan") or native
            interface.access_vlan = int(untagged) if str(untagged).isdigit() else None
        interfaces.append(interface)
    return interfaces


def parse_lldp(text: str) -> list[Neighbor]:
    neighbors = []
    for row in textfsm(PLATFORM, "show lldp neighbors detail", text):
        name = row.get("neighbor") or ""
        address = row.get("management_ip") or ""
        neighbors.append(
            Neighbor(
                local_port=row["local_interface"],
                remote_name=None if name in _NOT_ADVERTISED else name,
                remote_port=normalize_mac_or_text(row.get("neighbor_port_id")),
                remote_chassis_id=normalize_mac_or_text(row.get("chassis_id")),
                remote_address=None if address in _NOT_ADVERTISED else address,
                protocol="lldp",
            )
        )
    return neighbors


def parse_arp(text: str) -> list[ArpEntry]:
    entries = []
    for row in textfsm(PLATFORM, "show arp", text):
        mac = mac_or_none(row.get("mac_address"))
        if mac is not None:
            entries.append(
                ArpEntry(ip=row["ip_address"], mac=mac, interface=row.get("interface") or None)
            )
    return entries


def parse_mac_table(text: str) -> list[FdbEntry]:
    entries = []
    for row in textfsm(PLATFORM, "show mac address-table", text):
        mac = mac_or_none(row.get("destination_address"))
        port = row.get("destination_port") or ""
        if mac is None or port.upper() in {"CPU", ""}:
            continue
        vlan = row.get("vlan_id") or ""
        entries.append(FdbEntry(mac=mac, vlan=int(vlan) if vlan.isdigit() else None, port=port))
    return entries


def parse_routes(text: str) -> list[Route]:
    return [
        Route(
            prefix=prefix_of(row["network"], row.get("mask") or "32"),
            next_hop=row.get("nexthop_ip") or None,
            interface=row.get("nexthop_if") or None,
            protocol=_PROTOCOLS.get(row.get("protocol", ""), row.get("protocol") or "other"),
            vrf=row.get("vrf") or None,
        )
        for row in textfsm(PLATFORM, "show ip route", text)
    ]


def parse(outputs: Mapping[str, str], *, salt: bytes) -> SnapshotParts:
    """Turn the outputs of :data:`COMMANDS` into snapshot parts."""
    parts = SnapshotParts()
    facts = ios_config.interpret(
        outputs.get(CONFIG_COMMAND, ""), dialect="allied_telesis_awplus", salt=salt, declared=FACTS
    )
    parts.system = parse_system(outputs.get("show system", ""))
    if facts.hostname:
        parts.system.name = facts.hostname
    operational = {
        i.name: i for i in parse_switchport(outputs.get("show interface switchport", ""))
    }
    interfaces = []
    for name, interface in facts.interfaces.items():
        seen = operational.get(name)
        if interface.mode == "unknown" and seen is not None:
            interface = interface.model_copy(
                update={
                    "mode": seen.mode,
                    "access_vlan": seen.access_vlan,
                    "allowed_vlans": seen.allowed_vlans,
                    "native_vlan": seen.native_vlan,
                }
            )
        interfaces.append(interface)
    parts.interfaces = interfaces
    vlans = {vlan.id: vlan for vlan in parse_vlans(outputs.get("show vlan all", ""))}
    for vlan_id, vlan in facts.vlans.items():
        vlans.setdefault(vlan_id, vlan)
    parts.vlans = [vlans[vlan_id] for vlan_id in sorted(vlans)]
    parts.neighbors = sorted(
        parse_lldp(outputs.get("show lldp neighbors detail", "")), key=lambda n: n.local_port
    )
    parts.arp = parse_arp(outputs.get("show arp", ""))
    parts.fdb = parse_mac_table(outputs.get("show mac address-table", ""))
    parts.routes = (
        parse_routes(outputs["show ip route"]) if "show ip route" in outputs else facts.routes
    )
    parts.acls = list(facts.acls.values())
    parts.management = facts.management
    parts.unparsed_config_lines = facts.unparsed
    forwarding_into(parts, facts)
    return parts


DETECT_MARKERS: tuple[tuple[str, float], ...] = (
    (r"^interface port\d+\.\d+\.\d+", 0.6),
    (r"^vlan database\s*$", 0.3),
    (r"awplus|AlliedWare Plus", 0.3),
    (r"^ssh server v2only", 0.2),
    (r"^(?:no )?service (?:telnet|http)\s*$", 0.1),
    (r"^ vlan \d+ name \S+ state enable", 0.3),
)
"""Lines only this platform's saved configurations contain (weights add up, capped at 1)."""


PROFILE = PlatformProfile(
    platform=PLATFORM,
    netmiko_device_type=NETMIKO_DEVICE_TYPE,
    commands=COMMANDS,
    config_command=CONFIG_COMMAND,
    parse=parse,
    facts=FACTS,
    session_preparation=("terminal length 0",),
    detect=marker_detector(DETECT_MARKERS),
)
