"""Turn a scenario device into snmpsim ``.snmprec`` data (``OID|TAG|VALUE`` lines).

snmpsim answers GETNEXT/GETBULK by walking its data file in file order, so every file is written
sorted by numeric OID; a lexically sorted file would make walks skip or repeat rows.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from auditor.lab.scenario import (
    Port,
    Scenario,
    ScenarioDevice,
    arp_entries,
    discovery_state,
    fdb_entries,
)

Oid = tuple[int, ...]

# snmprec tags (RFC 1902 / SMIv2 types as snmpsim spells them)
INTEGER = "2"
OCTETS = "4"
OCTETS_HEX = "4x"
OBJECT_ID = "6"
IP_ADDRESS = "64"
COUNTER32 = "65"
GAUGE32 = "66"
TIMETICKS = "67"
COUNTER64 = "70"

SYSTEM = (1, 3, 6, 1, 2, 1, 1)
IF_TABLE = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IF_X_TABLE = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
IP_ADDR_TABLE = (1, 3, 6, 1, 2, 1, 4, 20, 1)
IP_NET_TO_MEDIA = (1, 3, 6, 1, 2, 1, 4, 22, 1)
IP_NET_TO_PHYSICAL = (1, 3, 6, 1, 2, 1, 4, 35, 1)
DOT1D_BASE = (1, 3, 6, 1, 2, 1, 17, 1)
DOT1D_TP_FDB = (1, 3, 6, 1, 2, 1, 17, 4, 3, 1)
DOT1Q_TP_FDB = (1, 3, 6, 1, 2, 1, 17, 7, 1, 2, 2, 1)
DOT1Q_VLAN_CURRENT = (1, 3, 6, 1, 2, 1, 17, 7, 1, 4, 2, 1)
DOT1Q_VLAN_STATIC = (1, 3, 6, 1, 2, 1, 17, 7, 1, 4, 3, 1)
DOT1Q_PVID = (1, 3, 6, 1, 2, 1, 17, 7, 1, 4, 5, 1, 1)
ENT_PHYSICAL = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1)
LLDP_LOC = (1, 0, 8802, 1, 1, 2, 1, 3)
LLDP_REM = (1, 0, 8802, 1, 1, 2, 1, 4, 1, 1)
LLDP_REM_MAN_ADDR = (1, 0, 8802, 1, 1, 2, 1, 4, 2, 1)
CISCO_VTP_VLAN = (1, 3, 6, 1, 4, 1, 9, 9, 46, 1, 3, 1, 1)
CISCO_VTP_TRUNK = (1, 3, 6, 1, 4, 1, 9, 9, 46, 1, 6, 1, 1)
CISCO_VM_VLAN = (1, 3, 6, 1, 4, 1, 9, 9, 68, 1, 2, 2, 1, 2)
CISCO_CDP_CACHE = (1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1)

# interface types that are not bridge/LLDP ports: l3ipvlan, tunnel, softwareLoopback, propVirtual
_LOGICAL_IF_TYPES = frozenset({24, 53, 131, 136, 209})
_NON_ASCII_SAFE = frozenset(range(0x20, 0x7F)) - {ord("|")}


@dataclass(frozen=True)
class Record:
    oid: Oid
    tag: str
    value: str

    def line(self) -> str:
        return f"{'.'.join(map(str, self.oid))}|{self.tag}|{self.value}"


class _Builder:
    """Collects records for one device, encoding text the way that device would."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.records: list[Record] = []

    def add(self, oid: Oid, tag: str, value: str | int) -> None:
        self.records.append(Record(oid, tag, str(value)))

    def text(self, oid: Oid, value: str | None) -> None:
        raw = (value or "").encode(self.encoding)
        if all(byte in _NON_ASCII_SAFE for byte in raw):
            self.add(oid, OCTETS, raw.decode("ascii"))
        else:
            self.add(oid, OCTETS_HEX, raw.hex())

    def octets(self, oid: Oid, raw: bytes) -> None:
        self.add(oid, OCTETS_HEX, raw.hex())

    def sorted_lines(self) -> list[str]:
        unique = {record.oid: record for record in self.records}
        return [unique[oid].line() for oid in sorted(unique)]


def _wire_encoding(device: ScenarioDevice) -> str:
    # Japanese devices that "speak Shift_JIS" really emit Windows-31J (cp932).
    if device.snmp and device.snmp.encoding == "shift_jis":
        return "cp932"
    return "utf-8"


def mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def is_bridge_port(port: Port) -> bool:
    return port.mode in ("access", "trunk") and port.if_type not in _LOGICAL_IF_TYPES


def is_lldp_port(port: Port) -> bool:
    return port.if_type not in _LOGICAL_IF_TYPES


def bridge_ports(device: ScenarioDevice) -> dict[str, int]:
    """Port name → dot1dBasePort number (1..n in ifIndex order), as most switches number them."""
    l2 = sorted((port for port in device.ports if is_bridge_port(port)), key=lambda p: p.if_index)
    return {port.name: number for number, port in enumerate(l2, start=1)}


def lldp_port_numbers(device: ScenarioDevice) -> dict[str, int]:
    """Port name → lldpLocPortNum (1..n over physical ports; ifIndex may exceed 4096)."""
    physical = sorted(
        (port for port in device.ports if is_lldp_port(port)), key=lambda p: p.if_index
    )
    return {port.name: number for number, port in enumerate(physical, start=1)}


def port_list(members: Iterable[int], size: int) -> bytes:
    """A Q-BRIDGE PortList: bit 7 of octet 0 is port 1."""
    octets = bytearray(max(1, (size + 7) // 8))
    for number in members:
        octets[(number - 1) // 8] |= 0x80 >> ((number - 1) % 8)
    return bytes(octets)


def _system(builder: _Builder, device: ScenarioDevice) -> None:
    sys = device.sys
    builder.text((*SYSTEM, 1, 0), sys.descr)
    builder.add((*SYSTEM, 2, 0), OBJECT_ID, sys.object_id)
    # sysUpTime advances in real time (snmpsim's numeric variation), as on a real agent: a frozen
    # uptime would look like a reboot, and a moving ifLastChange like a flap, to monitoring checks.
    builder.add(
        (*SYSTEM, 3, 0), f"{TIMETICKS}:numeric", f"rate=100,initial={sys.uptime_seconds * 100}"
    )
    builder.text((*SYSTEM, 4, 0), sys.contact)
    builder.text((*SYSTEM, 5, 0), device.name)
    builder.text((*SYSTEM, 6, 0), sys.location)
    builder.add((*SYSTEM, 7, 0), INTEGER, 6 if device.role in ("l3", "core", "router") else 2)


def _interfaces(builder: _Builder, device: ScenarioDevice) -> None:
    builder.add((1, 3, 6, 1, 2, 1, 2, 1, 0), INTEGER, len(device.ports))
    for port in device.ports:
        index = port.if_index
        speed_bps = min(port.speed_mbps * 1_000_000, 4_294_967_295)
        octets_in = 1_000_000 + index * 7919 if port.oper_up else 0
        builder.add((*IF_TABLE, 1, index), INTEGER, index)
        builder.text((*IF_TABLE, 2, index), port.name)
        builder.add((*IF_TABLE, 3, index), INTEGER, port.if_type)
        builder.add((*IF_TABLE, 4, index), INTEGER, 1500)
        builder.add((*IF_TABLE, 5, index), GAUGE32, speed_bps)
        builder.octets((*IF_TABLE, 6, index), mac_bytes(device.port_mac(port)))
        builder.add((*IF_TABLE, 7, index), INTEGER, 1 if port.admin_up else 2)
        builder.add((*IF_TABLE, 8, index), INTEGER, 1 if port.oper_up else 2)
        builder.add((*IF_TABLE, 9, index), TIMETICKS, port.last_change_seconds * 100)
        builder.add((*IF_TABLE, 10, index), COUNTER32, octets_in % 4_294_967_296)
        builder.add((*IF_TABLE, 16, index), COUNTER32, (octets_in * 3) % 4_294_967_296)
        builder.text((*IF_X_TABLE, 1, index), port.name)
        builder.add((*IF_X_TABLE, 6, index), COUNTER64, octets_in)
        builder.add((*IF_X_TABLE, 10, index), COUNTER64, octets_in * 3)
        builder.add((*IF_X_TABLE, 15, index), GAUGE32, port.speed_mbps)
        builder.text((*IF_X_TABLE, 18, index), port.alias)


def _ip(builder: _Builder, scenario: Scenario, device: ScenarioDevice) -> None:
    for port in device.ports:
        for address in port.addresses:
            interface = ipaddress.ip_interface(address)
            if interface.version != 4:
                continue
            ip_oid = tuple(int(part) for part in str(interface.ip).split("."))
            builder.add((*IP_ADDR_TABLE, 1, *ip_oid), IP_ADDRESS, str(interface.ip))
            builder.add((*IP_ADDR_TABLE, 2, *ip_oid), INTEGER, port.if_index)
            builder.add((*IP_ADDR_TABLE, 3, *ip_oid), IP_ADDRESS, str(interface.netmask))
    if_index = {port.name: port.if_index for port in device.ports}
    for entry in arp_entries(scenario, device.name):
        index = if_index[entry.interface or ""]
        ip_oid = tuple(int(part) for part in entry.ip.split("."))
        raw_mac = mac_bytes(entry.mac)
        builder.add((*IP_NET_TO_MEDIA, 1, index, *ip_oid), INTEGER, index)
        builder.octets((*IP_NET_TO_MEDIA, 2, index, *ip_oid), raw_mac)
        builder.add((*IP_NET_TO_MEDIA, 3, index, *ip_oid), IP_ADDRESS, entry.ip)
        builder.add((*IP_NET_TO_MEDIA, 4, index, *ip_oid), INTEGER, 3)
        physical_index = (index, 1, 4, *ip_oid)
        builder.octets((*IP_NET_TO_PHYSICAL, 4, *physical_index), raw_mac)
        builder.add((*IP_NET_TO_PHYSICAL, 6, *physical_index), INTEGER, 3)
        builder.add((*IP_NET_TO_PHYSICAL, 7, *physical_index), INTEGER, 1)


def _bridge_base(builder: _Builder, device: ScenarioDevice, ports: dict[str, int]) -> None:
    by_name = {port.name: port for port in device.ports}
    builder.octets((*DOT1D_BASE, 1, 0), mac_bytes(device.chassis_mac()))
    builder.add((*DOT1D_BASE, 2, 0), INTEGER, len(ports))
    builder.add((*DOT1D_BASE, 3, 0), INTEGER, 2)
    for name, number in ports.items():
        builder.add((*DOT1D_BASE, 4, 1, 1, number), INTEGER, number)
        builder.add((*DOT1D_BASE, 4, 1, 2, number), INTEGER, by_name[name].if_index)


def _dot1d_fdb(
    builder: _Builder, entries: Iterable[tuple[str, int]], ports: dict[str, int]
) -> None:
    for mac, number in entries:
        raw = mac_bytes(mac)
        builder.octets((*DOT1D_TP_FDB, 1, *raw), raw)
        builder.add((*DOT1D_TP_FDB, 2, *raw), INTEGER, number)
        builder.add((*DOT1D_TP_FDB, 3, *raw), INTEGER, 3)


def _q_bridge(
    builder: _Builder, scenario: Scenario, device: ScenarioDevice, ports: dict[str, int]
) -> None:
    size = max(ports.values(), default=0)
    for vlan_id in device.configured_vlans():
        egress = [
            ports[p.name] for p in device.ports if p.name in ports and vlan_id in p.vlan_ids()
        ]
        untagged = [
            ports[p.name] for p in device.ports if p.name in ports and p.untagged_vlan() == vlan_id
        ]
        egress_list, untagged_list = port_list(egress, size), port_list(untagged, size)
        builder.octets((*DOT1Q_VLAN_CURRENT, 4, 0, vlan_id), egress_list)
        builder.octets((*DOT1Q_VLAN_CURRENT, 5, 0, vlan_id), untagged_list)
        builder.add((*DOT1Q_VLAN_CURRENT, 6, 0, vlan_id), INTEGER, 2)
        builder.text((*DOT1Q_VLAN_STATIC, 1, vlan_id), scenario.vlan_name(vlan_id))
        builder.octets((*DOT1Q_VLAN_STATIC, 2, vlan_id), egress_list)
        builder.octets((*DOT1Q_VLAN_STATIC, 3, vlan_id), port_list([], size))
        builder.octets((*DOT1Q_VLAN_STATIC, 4, vlan_id), untagged_list)
        builder.add((*DOT1Q_VLAN_STATIC, 5, vlan_id), INTEGER, 1)
    for port in device.ports:
        if port.name in ports:
            pvid = port.untagged_vlan() or 1
            builder.add((*DOT1Q_PVID, ports[port.name]), GAUGE32, pvid)
    for entry in fdb_entries(scenario, device.name):
        if entry.port not in ports or entry.vlan is None:
            continue
        raw = mac_bytes(entry.mac)
        builder.add((*DOT1Q_TP_FDB, 2, entry.vlan, *raw), INTEGER, ports[entry.port])
        builder.add((*DOT1Q_TP_FDB, 3, entry.vlan, *raw), INTEGER, 3)


def _cisco_vlans(builder: _Builder, scenario: Scenario, device: ScenarioDevice) -> None:
    """CISCO-VTP-MIB and CISCO-VLAN-MEMBERSHIP-MIB: how IOS reports VLANs without Q-BRIDGE."""
    for vlan_id in device.configured_vlans():
        builder.add((*CISCO_VTP_VLAN, 2, 1, vlan_id), INTEGER, 1)
        builder.add((*CISCO_VTP_VLAN, 3, 1, vlan_id), INTEGER, 1)
        builder.text((*CISCO_VTP_VLAN, 4, 1, vlan_id), scenario.vlan_name(vlan_id))
    for port in device.ports:
        if not is_bridge_port(port):
            continue
        if port.mode == "trunk":
            enabled = bytearray(128)
            for vlan_id in port.allowed_vlans or []:
                if vlan_id < 1024:
                    enabled[vlan_id // 8] |= 0x80 >> (vlan_id % 8)
            builder.octets((*CISCO_VTP_TRUNK, 4, port.if_index), bytes(enabled))
            builder.add((*CISCO_VTP_TRUNK, 5, port.if_index), INTEGER, port.native_vlan or 1)
            builder.add((*CISCO_VTP_TRUNK, 14, port.if_index), INTEGER, 1)
        else:
            builder.add((*CISCO_VTP_TRUNK, 14, port.if_index), INTEGER, 2)
            builder.add((*CISCO_VM_VLAN, port.if_index), INTEGER, port.access_vlan or 1)


def _entity(builder: _Builder, device: ScenarioDevice) -> None:
    sys = device.sys
    builder.text((*ENT_PHYSICAL, 2, 1), sys.model or sys.descr)
    builder.add((*ENT_PHYSICAL, 5, 1), INTEGER, 3)
    builder.text((*ENT_PHYSICAL, 7, 1), sys.model)
    builder.text((*ENT_PHYSICAL, 10, 1), sys.os_version)
    builder.text((*ENT_PHYSICAL, 11, 1), sys.serial)
    builder.text((*ENT_PHYSICAL, 12, 1), sys.vendor)
    builder.text((*ENT_PHYSICAL, 13, 1), sys.model)


def _lldp(builder: _Builder, scenario: Scenario, device: ScenarioDevice) -> None:
    numbers = lldp_port_numbers(device)
    builder.add((*LLDP_LOC, 1, 0), INTEGER, 4)
    builder.octets((*LLDP_LOC, 2, 0), mac_bytes(device.chassis_mac()))
    builder.text((*LLDP_LOC, 3, 0), device.name)
    builder.text((*LLDP_LOC, 4, 0), device.sys.descr)
    for port in device.ports:
        if port.name not in numbers:
            continue
        number = numbers[port.name]
        builder.add((*LLDP_LOC, 7, 1, 2, number), INTEGER, 5)
        builder.text((*LLDP_LOC, 7, 1, 3, number), port.name)
        builder.text((*LLDP_LOC, 7, 1, 4, number), port.alias)
    for remote_index, (local, remote_device, remote) in enumerate(
        scenario.neighbors_of(device.name), start=1
    ):
        if local.name not in numbers:
            continue
        index = (0, numbers[local.name], remote_index)
        builder.add((*LLDP_REM, 4, *index), INTEGER, 4)
        builder.octets((*LLDP_REM, 5, *index), mac_bytes(remote_device.chassis_mac()))
        builder.add((*LLDP_REM, 6, *index), INTEGER, 5)
        builder.text((*LLDP_REM, 7, *index), remote.name)
        builder.text((*LLDP_REM, 8, *index), remote.alias)
        builder.text((*LLDP_REM, 9, *index), remote_device.name)
        builder.text((*LLDP_REM, 10, *index), remote_device.sys.descr)
        address = ipaddress.ip_address(remote_device.address)
        if address.version == 4:
            address_index = (*index, 1, 4, *address.packed)
            builder.add((*LLDP_REM_MAN_ADDR, 3, *address_index), INTEGER, 2)
            builder.add((*LLDP_REM_MAN_ADDR, 4, *address_index), INTEGER, 0)


def cdp_neighbors(
    scenario: Scenario, device: ScenarioDevice
) -> list[tuple[Port, ScenarioDevice, Port]]:
    """The neighbours a Cisco device's CDP cache holds: Cisco neighbours, CDP on at both ends."""
    if device.platform != "cisco_ios":
        return []
    return [
        (local, remote_device, remote)
        for local, remote_device, remote in scenario.neighbors_of(device.name)
        if remote_device.platform == "cisco_ios"
        and discovery_state(device, local)[0] is not False
        and discovery_state(remote_device, remote)[0] is not False
    ]


def _cdp(builder: _Builder, scenario: Scenario, device: ScenarioDevice) -> None:
    """CISCO-CDP-MIB cdpCacheTable, indexed ifIndex.deviceIndex as IOS numbers it."""
    for device_index, (local, remote_device, remote) in enumerate(
        cdp_neighbors(scenario, device), start=1
    ):
        index = (local.if_index, device_index)
        address = ipaddress.ip_address(remote_device.address)
        builder.add((*CISCO_CDP_CACHE, 3, *index), INTEGER, 1 if address.version == 4 else 20)
        builder.octets((*CISCO_CDP_CACHE, 4, *index), address.packed)
        builder.text((*CISCO_CDP_CACHE, 5, *index), remote_device.sys.descr)
        builder.text((*CISCO_CDP_CACHE, 6, *index), remote_device.name)
        builder.text((*CISCO_CDP_CACHE, 7, *index), remote.name)
        builder.text((*CISCO_CDP_CACHE, 8, *index), f"cisco {remote_device.sys.model or ''}")


def _end_marker(builder: _Builder) -> None:
    """snmpSetSerialNo: real agents have objects after the MIB-2 tables, so walks end cleanly."""
    builder.add((1, 3, 6, 1, 6, 3, 1, 1, 6, 1, 0), INTEGER, 1)


def device_records(scenario: Scenario, device: ScenarioDevice) -> list[str]:
    """The main data file of a device, sorted by numeric OID."""
    builder = _Builder(_wire_encoding(device))
    _system(builder, device)
    _interfaces(builder, device)
    _ip(builder, scenario, device)
    ports = bridge_ports(device)
    quirk = bool(device.snmp and device.snmp.fdb_per_vlan_community)
    if ports:
        _bridge_base(builder, device, ports)
        if quirk:
            _cisco_vlans(builder, scenario, device)
        else:
            _q_bridge(builder, scenario, device, ports)
    if device.platform != "net_snmp":
        _entity(builder, device)
    _lldp(builder, scenario, device)
    _cdp(builder, scenario, device)
    _end_marker(builder)
    return builder.sorted_lines()


def per_vlan_records(scenario: Scenario, device: ScenarioDevice) -> dict[int, list[str]]:
    """Cisco ``community@vlan`` contexts: BRIDGE-MIB base ports and FDB of one VLAN each."""
    ports = bridge_ports(device)
    by_vlan: dict[int, list[tuple[str, int]]] = {}
    for entry in fdb_entries(scenario, device.name):
        if entry.vlan is not None and entry.port in ports:
            by_vlan.setdefault(entry.vlan, []).append((entry.mac, ports[entry.port]))
    files: dict[int, list[str]] = {}
    for vlan_id in device.configured_vlans():
        builder = _Builder(_wire_encoding(device))
        _system(builder, device)
        members = {
            name: number
            for name, number in ports.items()
            if vlan_id in (device.port(name) or _NO_PORT).vlan_ids()
        }
        _bridge_base(builder, device, members)
        _dot1d_fdb(builder, by_vlan.get(vlan_id, []), ports)
        _end_marker(builder)
        files[vlan_id] = builder.sorted_lines()
    return files


_NO_PORT = Port(name="", if_index=0)


def write_device_files(
    scenario: Scenario, device: ScenarioDevice, directory: Path, stem: str
) -> list[Path]:
    """Write ``<stem>.snmprec`` (and ``<stem>@<vlan>.snmprec`` for the Cisco quirk)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {directory / f"{stem}.snmprec": device_records(scenario, device)}
    if device.snmp and device.snmp.fdb_per_vlan_community:
        for vlan_id, lines in per_vlan_records(scenario, device).items():
            files[directory / f"{stem}@{vlan_id}.snmprec"] = lines
    # snmpsim rebuilds an index unless the data file is strictly older (whole seconds) than it.
    settled = time.time() - 120
    for path, lines in files.items():
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
        os.utime(path, (settled, settled))
    return list(files)
