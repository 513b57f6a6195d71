"""Turn raw SNMP walks (:class:`~auditor.model.snmp_walk.DeviceWalk`) into a DeviceSnapshot.

Pure functions, no I/O: the same walk always gives the same snapshot, so parsers are tested on
recorded walks. Assumptions worth knowing (also in ``docs/snmp.md``):

- Q-BRIDGE port lists and ``dot1qPvid`` index *bridge ports*; ``dot1dBasePortIfIndex`` maps them
  to ifIndex. Without that table, bridge port == ifIndex is assumed.
- ``dot1qTpFdbTable`` is indexed ``fdbId.mac``. ``dot1qVlanFdbId`` maps fdbId to VLAN where the
  agent has it (HPE ProCurve numbers FDBs 1, 2, 3… for VLANs 1, 50, 52…); otherwise fdbId is
  taken to be the VLAN id, which holds for most switches (independent VLAN learning).
- Port roles from Q-BRIDGE (``pvid`` and ``untagged_vlans`` are always kept as read):

  * *trunk* when the port egresses any VLAN tagged: allowed VLANs are the tagged ones (egress
    minus untagged); the native VLAN is the PVID if the port is untagged in it.
  * *access* when it is tagged in none and its PVID is one of its untagged VLANs: the access VLAN
    is the PVID, even when the port also egresses other VLANs untagged (Edgecore: untagged in 1
    and 1006, PVID 1006 is an access port of VLAN 1006 that also leaks VLAN 1; the extra VLAN
    stays visible in ``untagged_vlans``). Without a PVID, a port untagged in exactly one VLAN
    is an access port of that VLAN.
  * *unknown* when the lists contradict the PVID (untagged only in VLANs other than the PVID, or
    in several VLANs and no PVID), and when the agent has no VLAN port lists at all but has PVIDs
    (ALAXALA AX): the PVID alone does not tell an access port from a trunk's native VLAN, so the
    port keeps ``pvid`` and no ``access_vlan``.
  * a bridge port in no VLAN's lists is an access port without a VLAN (a spare port).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from auditor.model.snapshot import (
    ArpEntry,
    DeviceKind,
    DeviceSnapshot,
    FdbEntry,
    Interface,
    ManagementPlane,
    Neighbor,
    PortMode,
    Source,
    SystemInfo,
    Vlan,
)
from auditor.model.snmp_walk import DeviceWalk, Index, RawColumn, RawValue, RawWalk
from auditor.platforms import snmp_columns as c
from auditor.platforms.interface_kinds import classify as classify_interface
from auditor.platforms.snmp_quirks import (
    cisco_trunk_vlans,
    decode_display_string,
    decode_text,
    format_mac,
    inet_address,
    mac_from_index,
    port_list_members,
    text,
)
from auditor.platforms.vendors import vendor_for_object_id

EXPECTED_ENCODINGS = ("ascii", "utf-8", "cp932", "euc-jp")
"""Encodings a DisplayString is read with without guessing (anything else is noted)."""
# sysObjectID subtrees whose devices are a kind analysis must know (a firewall filters by policy).
DEVICE_KINDS_BY_OBJECT_ID: tuple[tuple[str, DeviceKind], ...] = (
    ("1.3.6.1.4.1.12356.101.1.", "firewall"),  # FORTINET-FORTIGATE-MIB fgModel: FortiGate
)
ENT_CLASS_CHASSIS = 3
LLDP_CHASSIS_MAC = 4
LLDP_CHASSIS_NETWORK_ADDRESS = 5
LLDP_PORT_MAC = 3
LLDP_PORT_NETWORK_ADDRESS = 4


def _by_index(column: RawColumn) -> dict[Index, RawValue]:
    return dict(column)


def _scalar(walk: DeviceWalk, oid: str) -> RawValue | None:
    rows = walk.walks.get(oid)
    return rows[0][1] if rows else None


def _int(value: RawValue | None) -> int | None:
    return value if isinstance(value, int) else None


def date_and_time(value: RawValue | None) -> datetime | None:
    """SNMPv2-TC DateAndTime (8 or 11 octets) → an aware datetime; None when unusable.

    Without the UTC offset (8 octets) the clock is taken as UTC, as RFC 2579 leaves it
    unspecified; an agent that reports local time without the offset shows up as skew.
    """
    if not isinstance(value, bytes) or len(value) not in (8, 11):
        return None
    year = int.from_bytes(value[0:2], "big")
    month, day, hour, minute, second, deci = value[2:8]
    offset = timedelta(0)
    if len(value) == 11:
        sign = chr(value[8])
        if sign not in "+-":
            return None
        offset = timedelta(hours=value[9], minutes=value[10]) * (1 if sign == "+" else -1)
    try:
        return datetime(
            year,
            month,
            day,
            hour,
            minute,
            min(second, 59),
            deci * 100_000,
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None


def clock_skew(walk: DeviceWalk, collected_at: datetime) -> float | None:
    """Device clock (hrSystemDate) minus the collector's clock at collection, in seconds."""
    device_time = date_and_time(_scalar(walk, c.HR_SYSTEM_DATE))
    if device_time is None or collected_at.tzinfo is None:
        return None
    return (device_time - collected_at).total_seconds()


def normalize_walk(walk: DeviceWalk, *, collected_at: datetime) -> DeviceSnapshot:
    """The whole snapshot for one device from its walks."""
    interfaces, names_by_ifindex = normalize_interfaces(walk)
    base_to_ifindex = bridge_port_map(walk)
    system = normalize_system(walk)
    system.clock_skew_seconds = clock_skew(walk, collected_at)
    system.decoding_notes.extend(
        f"ifAlias of {interface.name}: {interface.alias_encoding} (guessed)"
        for interface in interfaces
        if interface.alias_encoding not in (None, *EXPECTED_ENCODINGS)
    )
    return DeviceSnapshot(
        device=walk.device,
        collected_at=collected_at,
        sources=[Source.SNMP],
        system=system,
        interfaces=interfaces,
        vlans=normalize_vlans(walk),
        fdb=normalize_fdb(walk, base_to_ifindex, names_by_ifindex),
        arp=normalize_arp(walk, names_by_ifindex),
        neighbors=sorted(
            [*normalize_neighbors(walk, interfaces), *normalize_cdp(walk, names_by_ifindex)],
            key=lambda neighbor: (
                neighbor.local_port,
                neighbor.protocol,
                neighbor.remote_name or "",
            ),
        ),
        management=ManagementPlane(
            snmp_probe_accepted=walk.probe_accepted,
            source=Source.SNMP if walk.probe_accepted is not None else None,
        ),
        absent_tables=sorted(walk.absent_tables),
    )


def device_kind_for_object_id(object_id: str | None) -> DeviceKind | None:
    """The device kind a sysObjectID names, when the vendor's product subtree says it."""
    if not object_id:
        return None
    for prefix, kind in DEVICE_KINDS_BY_OBJECT_ID:
        if object_id.startswith(prefix):
            return kind
    return None


def normalize_system(walk: DeviceWalk) -> SystemInfo:
    object_id = _scalar(walk, c.SYS_OBJECT_ID)
    uptime = _int(_scalar(walk, c.SYS_UPTIME))
    vendor = vendor_for_object_id(object_id) if isinstance(object_id, str) else None
    classes = _by_index(walk.column(c.ENT_PHYSICAL_CLASS))
    serial_by_index = {
        index: cleaned
        for index, value in walk.column(c.ENT_PHYSICAL_SERIAL)
        if (cleaned := (text(value) or "").strip())
    }
    chassis = [index for index, value in sorted(classes.items()) if value == ENT_CLASS_CHASSIS]
    models = _by_index(walk.column(c.ENT_PHYSICAL_MODEL))
    revisions = _by_index(walk.column(c.ENT_PHYSICAL_SOFTWARE_REV))
    serial = next((serial_by_index[index] for index in chassis if index in serial_by_index), None)
    model = next(((text(models.get(index)) or "").strip() for index in chassis), None) or None
    os_version = (
        next(((text(revisions.get(index)) or "").strip() for index in chassis), None) or None
    )
    notes: list[str] = []

    def display(label: str, oid: str) -> str | None:
        decoded = decode_display_string(_scalar(walk, oid))
        if decoded is None:
            return None
        if decoded.guessed:
            notes.append(f"{label}: {decoded.encoding} (guessed)")
        return decoded.text

    return SystemInfo(
        name=display("sysName", c.SYS_NAME),
        descr=display("sysDescr", c.SYS_DESCR),
        object_id=object_id if isinstance(object_id, str) else None,
        uptime_seconds=uptime / 100 if uptime is not None else None,
        contact=display("sysContact", c.SYS_CONTACT),
        location=display("sysLocation", c.SYS_LOCATION),
        vendor=vendor,
        model=model,
        serial=serial,
        serials=list(dict.fromkeys(serial_by_index.values())),
        os_version=os_version,
        decoding_notes=notes,
        device_kind=device_kind_for_object_id(object_id if isinstance(object_id, str) else None),
        source=Source.SNMP,
    )


def bridge_port_map(walk: DeviceWalk) -> dict[int, int]:
    """Bridge port number → ifIndex (identity when the agent has no dot1dBasePortTable)."""
    return {
        index[0]: value
        for index, value in walk.column(c.DOT1D_BASE_PORT_IFINDEX)
        if index and isinstance(value, int)
    }


def _ifindex_of(base_port: int, base_to_ifindex: dict[int, int]) -> int:
    if not base_to_ifindex:
        return base_port
    return base_to_ifindex.get(base_port, -1)


def _vlan_port_lists(walk: DeviceWalk) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(egress, untagged) bridge-port sets per VLAN: current table, else static table."""
    egress: dict[int, set[int]] = {}
    untagged: dict[int, set[int]] = {}
    current_egress = walk.column(c.DOT1Q_VLAN_CURRENT_EGRESS)
    if current_egress:
        for index, value in current_egress:
            egress.setdefault(index[-1], set()).update(port_list_members(value))
        for index, value in walk.column(c.DOT1Q_VLAN_CURRENT_UNTAGGED):
            untagged.setdefault(index[-1], set()).update(port_list_members(value))
        return egress, untagged
    for index, value in walk.column(c.DOT1Q_VLAN_STATIC_EGRESS):
        egress[index[-1]] = port_list_members(value)
    for index, value in walk.column(c.DOT1Q_VLAN_STATIC_UNTAGGED):
        untagged[index[-1]] = port_list_members(value)
    return egress, untagged


def normalize_interfaces(walk: DeviceWalk) -> tuple[list[Interface], dict[int, str]]:
    """Interfaces sorted by ifIndex, and ifIndex → name for the other tables."""
    descr = _by_index(walk.column(c.IF_DESCR))
    names = _by_index(walk.column(c.IF_NAME))
    aliases = _by_index(walk.column(c.IF_ALIAS))
    types = _by_index(walk.column(c.IF_TYPE))
    admin = _by_index(walk.column(c.IF_ADMIN_STATUS))
    oper = _by_index(walk.column(c.IF_OPER_STATUS))
    speed = _by_index(walk.column(c.IF_SPEED))
    physical = _by_index(walk.column(c.IF_PHYS_ADDRESS))
    high_speed = _by_index(walk.column(c.IF_HIGH_SPEED))
    last_change = _by_index(walk.column(c.IF_LAST_CHANGE))
    uptime = _int(_scalar(walk, c.SYS_UPTIME))
    if_table_indexes = set(descr) | set(types) | set(admin) | set(oper)
    indexes = sorted(if_table_indexes or set(names))
    roles = _port_roles(walk)
    addresses = _addresses_by_ifindex(walk)

    interfaces: list[Interface] = []
    names_by_ifindex: dict[int, str] = {}
    for index in indexes:
        if_index = index[0] if len(index) == 1 else None
        name = text(names.get(index)) or text(descr.get(index)) or ".".join(map(str, index))
        alias, encoding = decode_text(aliases.get(index))
        mbps = _int(high_speed.get(index)) or None
        if mbps is None and (bps := _int(speed.get(index))) is not None:
            mbps = bps // 1_000_000
        changed = _int(last_change.get(index))
        admin_status = _int(admin.get(index))
        oper_status = _int(oper.get(index))
        role = roles.get(if_index or -1, PortRole())
        mode = role.mode
        if mode == "unknown" and if_index in addresses:
            mode = "routed"
        if_type = _int(types.get(index))
        kind, svi_vlan = classify_interface(name, if_type)
        interfaces.append(
            Interface(
                name=name,
                if_index=if_index,
                alias=alias or None,
                alias_encoding=encoding if alias else None,
                if_type=if_type,
                kind=kind,
                svi_vlan=svi_vlan,
                admin_up=None if admin_status is None else admin_status == 1,
                oper_up=None if oper_status is None else oper_status == 1,
                speed_mbps=mbps,
                last_change_seconds=(
                    max(0.0, (uptime - changed) / 100)
                    if changed is not None and uptime is not None
                    else None
                ),
                mac=interface_mac(physical.get(index)),
                mode=mode,
                access_vlan=role.access_vlan,
                allowed_vlans=role.allowed,
                native_vlan=role.native,
                pvid=role.pvid,
                untagged_vlans=role.untagged,
                addresses=addresses.get(if_index or -1, []),
                shutdown=None if admin_status is None else admin_status == 2,
                source=Source.SNMP,
            )
        )
        if if_index is not None:
            names_by_ifindex[if_index] = name
    return interfaces, names_by_ifindex


@dataclass(frozen=True)
class PortRole:
    """What the bridge MIBs say about one port (see the module docstring for the rules)."""

    mode: PortMode = "unknown"
    access_vlan: int | None = None
    allowed: list[int] | None = None
    native: int | None = None
    pvid: int | None = None
    untagged: list[int] | None = None


def interface_mac(value: RawValue | None) -> str | None:
    """ifPhysAddress → MAC; empty (loopback, tunnel) and all-zero addresses are no MAC."""
    mac = format_mac(value)
    return None if mac is None or mac == "00:00:00:00:00:00" else mac


def _port_roles(walk: DeviceWalk) -> dict[int, PortRole]:
    """ifIndex → role from Q-BRIDGE port lists and PVIDs, else from Cisco MIBs."""
    base_to_ifindex = bridge_port_map(walk)
    egress, untagged = _vlan_port_lists(walk)
    pvid_by_base = {
        index[0]: value
        for index, value in walk.column(c.DOT1Q_PVID)
        if index and isinstance(value, int) and value > 0
    }
    tagged_by_port: dict[int, set[int]] = defaultdict(set)
    untagged_by_port: dict[int, set[int]] = defaultdict(set)
    for vlan, members in egress.items():
        for port in members:
            if port in untagged.get(vlan, set()):
                untagged_by_port[port].add(vlan)
            else:
                tagged_by_port[port].add(vlan)
    roles: dict[int, PortRole] = {}
    for port in set(tagged_by_port) | set(untagged_by_port):
        pvid = pvid_by_base.get(port)
        roles[_ifindex_of(port, base_to_ifindex)] = _q_bridge_role(
            tagged_by_port.get(port, set()), untagged_by_port.get(port, set()), pvid
        )
    if roles:
        for base_port, if_index in base_to_ifindex.items():
            if if_index not in roles:  # in no VLAN's lists: a spare access port
                roles[if_index] = PortRole("access", pvid=pvid_by_base.get(base_port))
        return roles
    if pvid_by_base and not egress:
        # No port lists, only PVIDs: keep each port's VLAN, claim no mode.
        return {
            _ifindex_of(port, base_to_ifindex): PortRole(pvid=pvid)
            for port, pvid in pvid_by_base.items()
        }
    return _cisco_port_roles(walk)


def _q_bridge_role(tagged: set[int], plain: set[int], pvid: int | None) -> PortRole:
    untagged_list = sorted(plain) or None
    if tagged:
        native = pvid if pvid is not None and pvid in plain else None
        return PortRole("trunk", None, sorted(tagged), native, pvid, untagged_list)
    if pvid is not None and pvid in plain:
        return PortRole("access", pvid, None, None, pvid, untagged_list)
    if pvid is None and len(plain) == 1:
        return PortRole("access", next(iter(plain)), None, None, None, untagged_list)
    return PortRole("unknown", None, None, None, pvid, untagged_list)


def _cisco_port_roles(walk: DeviceWalk) -> dict[int, PortRole]:
    """CISCO-VLAN-MEMBERSHIP-MIB (access) and vlanTrunkPortTable (trunks), indexed by ifIndex."""
    roles: dict[int, PortRole] = {}
    for index, vlan in walk.column(c.CISCO_VM_VLAN):
        if index and isinstance(vlan, int):
            roles[index[0]] = PortRole("access", vlan)
    status = _by_index(walk.column(c.CISCO_TRUNK_DYNAMIC_STATUS))
    native = _by_index(walk.column(c.CISCO_TRUNK_NATIVE_VLAN))
    blocks = [
        _by_index(walk.column(oid))
        for oid in (
            c.CISCO_TRUNK_VLANS_ENABLED,
            c.CISCO_TRUNK_VLANS_ENABLED_2K,
            c.CISCO_TRUNK_VLANS_ENABLED_3K,
            c.CISCO_TRUNK_VLANS_ENABLED_4K,
        )
    ]
    for index, state in status.items():
        if state != 1 or not index:  # 1 = trunking
            continue
        native_vlan = _int(native.get(index))
        enabled = cisco_trunk_vlans([block.get(index) for block in blocks])
        # IOS always reports a native VLAN (default 1); it carries frames only when enabled.
        if native_vlan not in enabled:
            native_vlan = None
        allowed = [vlan for vlan in enabled if vlan != native_vlan]
        roles[index[0]] = PortRole("trunk", None, allowed, native_vlan)
    return roles


def _addresses_by_ifindex(walk: DeviceWalk) -> dict[int, list[str]]:
    """ifIndex → CIDR strings from ipAddrTable (index = the IPv4 address)."""
    masks = _by_index(walk.column(c.IP_AD_ENT_NETMASK))
    addresses: dict[int, list[str]] = defaultdict(list)
    for index, if_index in walk.column(c.IP_AD_ENT_IFINDEX):
        mask = masks.get(index)
        if len(index) != 4 or not isinstance(if_index, int) or not isinstance(mask, str):
            continue
        try:
            interface = ipaddress.IPv4Interface(f"{'.'.join(map(str, index))}/{mask}")
        except ValueError:
            continue
        addresses[if_index].append(str(interface))
    return dict(addresses)


def normalize_vlans(walk: DeviceWalk) -> list[Vlan]:
    """VLANs from dot1qVlanStaticTable, else the current table, else Cisco VTP."""
    names: dict[int, str | None] = {}
    for index, value in walk.column(c.DOT1Q_VLAN_STATIC_NAME):
        names[index[-1]] = text(value) or None
    if not names:
        for index, _ in walk.column(c.DOT1Q_VLAN_CURRENT_EGRESS):
            names[index[-1]] = None
    if not names:
        vtp_names = {index[-1]: text(value) for index, value in walk.column(c.CISCO_VTP_VLAN_NAME)}
        for index, _ in walk.column(c.CISCO_VTP_VLAN_STATE):
            names[index[-1]] = vtp_names.get(index[-1]) or None
    return [Vlan(id=vlan, name=name, source=Source.SNMP) for vlan, name in sorted(names.items())]


def _fdb_vlan_map(walk: DeviceWalk) -> dict[int, int]:
    """fdbId → VLAN id from dot1qVlanFdbId (index timeMark.vlan, value fdbId)."""
    mapping: dict[int, int] = {}
    for index, fdb_id in walk.column(c.DOT1Q_VLAN_FDB_ID):
        if isinstance(fdb_id, int) and index:
            mapping.setdefault(fdb_id, index[-1])
    return mapping


def normalize_fdb(
    walk: DeviceWalk, base_to_ifindex: dict[int, int], names_by_ifindex: dict[int, str]
) -> list[FdbEntry]:
    """MAC table from Q-BRIDGE, else Cisco's per-VLAN BRIDGE-MIB, else the global BRIDGE-MIB."""
    entries: list[FdbEntry] = []

    def port_name(base_port: RawValue, mapping: dict[int, int]) -> str | None:
        if not isinstance(base_port, int) or base_port == 0:
            return None
        if_index = _ifindex_of(base_port, mapping)
        return names_by_ifindex.get(if_index, str(base_port) if if_index < 0 else str(if_index))

    q_rows = walk.column(c.DOT1Q_TP_FDB_PORT)
    if q_rows:
        fdb_to_vlan = _fdb_vlan_map(walk)
        for index, base_port in q_rows:
            mac = mac_from_index(index[1:])
            if mac is None or not index:
                continue
            vlan = fdb_to_vlan.get(index[0], index[0])
            entries.append(
                FdbEntry(
                    mac=mac,
                    vlan=vlan,
                    port=port_name(base_port, base_to_ifindex),
                    source=Source.SNMP,
                )
            )
    elif walk.per_vlan:
        for vlan, vlan_walk in sorted(walk.per_vlan.items()):
            entries.extend(_bridge_fdb(vlan_walk, vlan, names_by_ifindex, port_name))
    else:
        entries.extend(_bridge_fdb(walk.walks, None, names_by_ifindex, port_name))
    return sorted(entries, key=lambda entry: (entry.vlan or 0, entry.mac, entry.port or ""))


def _bridge_fdb(
    raw: RawWalk,
    vlan: int | None,
    names_by_ifindex: dict[int, str],
    port_name: object,
) -> Iterable[FdbEntry]:
    mapping = {
        index[0]: value
        for index, value in raw.get(c.DOT1D_BASE_PORT_IFINDEX, [])
        if index and isinstance(value, int)
    }
    for index, base_port in raw.get(c.DOT1D_TP_FDB_PORT, []):
        mac = mac_from_index(index)
        if mac is None:
            continue
        name = port_name(base_port, mapping) if callable(port_name) else None
        yield FdbEntry(mac=mac, vlan=vlan, port=name, source=Source.SNMP)


def normalize_arp(walk: DeviceWalk, names_by_ifindex: dict[int, str]) -> list[ArpEntry]:
    """ipNetToPhysicalTable (IPv4 and IPv6), else the older ipNetToMediaTable."""
    entries: dict[tuple[str, str], ArpEntry] = {}
    for index, value in walk.column(c.IP_NET_TO_PHYSICAL_PHYS):
        mac = format_mac(value)
        if mac is None or len(index) < 3:
            continue
        if_index, address_type, length = index[0], index[1], index[2]
        ip = inet_address(address_type, index[3 : 3 + length])
        if ip is None:
            continue
        entries[(ip, mac)] = ArpEntry(
            ip=ip, mac=mac, interface=names_by_ifindex.get(if_index), source=Source.SNMP
        )
    if not entries:
        for index, value in walk.column(c.IP_NET_TO_MEDIA_PHYS):
            mac = format_mac(value)
            if mac is None or len(index) != 5:
                continue
            ip = inet_address(1, index[1:])
            if ip is None:
                continue
            entries[(ip, mac)] = ArpEntry(
                ip=ip, mac=mac, interface=names_by_ifindex.get(index[0]), source=Source.SNMP
            )
    return sorted(entries.values(), key=_arp_order)


def _arp_order(entry: ArpEntry) -> tuple[int, int, str]:
    address = ipaddress.ip_address(entry.ip)
    return (address.version, int(address), entry.mac)


def _lldp_id(subtype: RawValue | None, value: RawValue | None, mac_subtype: int) -> str | None:
    if subtype == mac_subtype and (mac := format_mac(value)) is not None:
        return mac
    decoded = text(value)
    if decoded is not None and decoded.isprintable():
        return decoded
    if isinstance(value, bytes):
        return value.hex(":")
    return decoded


def _local_port_names(walk: DeviceWalk, interfaces: list[Interface]) -> dict[int, str]:
    """lldpLocPortNum → interface name: by port id, then description, then ifIndex."""
    by_name = {interface.name: interface.name for interface in interfaces}
    by_ifindex = {interface.if_index: interface.name for interface in interfaces}
    descr_to_name: dict[str, str] = {}
    for index, value in walk.column(c.IF_DESCR):
        decoded = text(value)
        if decoded and index and index[0] in by_ifindex:
            descr_to_name.setdefault(decoded, by_ifindex[index[0]])
    descriptions = _by_index(walk.column(c.LLDP_LOC_PORT_DESC))
    result: dict[int, str] = {}
    port_numbers = {index for index, _ in walk.column(c.LLDP_LOC_PORT_ID)} | set(descriptions)
    port_ids = _by_index(walk.column(c.LLDP_LOC_PORT_ID))
    for index in port_numbers:
        number = index[0]
        candidates = [text(port_ids.get(index)), text(descriptions.get(index))]
        name = next((by_name[cand] for cand in candidates if cand and cand in by_name), None)
        name = name or next(
            (descr_to_name[cand] for cand in candidates if cand and cand in descr_to_name), None
        )
        name = name or by_ifindex.get(number) or next((cand for cand in candidates if cand), None)
        result[number] = name or str(number)
    return result


def _remote_addresses(walk: DeviceWalk) -> dict[tuple[int, int], str]:
    """(localPortNum, remIndex) → first management address (lldpRemManAddrTable index)."""
    addresses: dict[tuple[int, int], str] = {}
    for index, _ in walk.column(c.LLDP_REM_MAN_ADDR_IF_SUBTYPE):
        if len(index) < 5:
            continue
        local_port, remote_index, subtype, length = index[1], index[2], index[3], index[4]
        ip = inet_address(subtype, index[5 : 5 + length])
        if ip is not None:
            addresses.setdefault((local_port, remote_index), ip)
    return addresses


def normalize_neighbors(walk: DeviceWalk, interfaces: list[Interface]) -> list[Neighbor]:
    """lldpRemTable (index timeMark.localPortNum.remIndex) joined to the local port map."""
    chassis = _by_index(walk.column(c.LLDP_REM_CHASSIS_ID))
    if not chassis and not walk.column(c.LLDP_REM_SYS_NAME):
        return []
    chassis_subtype = _by_index(walk.column(c.LLDP_REM_CHASSIS_ID_SUBTYPE))
    port_subtype = _by_index(walk.column(c.LLDP_REM_PORT_ID_SUBTYPE))
    port_ids = _by_index(walk.column(c.LLDP_REM_PORT_ID))
    port_descr = _by_index(walk.column(c.LLDP_REM_PORT_DESC))
    sys_names = _by_index(walk.column(c.LLDP_REM_SYS_NAME))
    local_names = _local_port_names(walk, interfaces)
    addresses = _remote_addresses(walk)
    neighbors: list[Neighbor] = []
    for index in sorted(set(chassis) | set(sys_names) | set(port_ids)):
        if len(index) < 3:
            continue
        local_port, remote_index = index[1], index[2]
        remote_port = _lldp_id(port_subtype.get(index), port_ids.get(index), LLDP_PORT_MAC)
        neighbors.append(
            Neighbor(
                local_port=local_names.get(local_port, str(local_port)),
                remote_name=text(sys_names.get(index)) or None,
                remote_port=remote_port or text(port_descr.get(index)) or None,
                remote_chassis_id=_lldp_id(
                    chassis_subtype.get(index), chassis.get(index), LLDP_CHASSIS_MAC
                ),
                remote_address=addresses.get((local_port, remote_index)),
                protocol="lldp",
                source=Source.SNMP,
            )
        )
    return sorted(neighbors, key=lambda neighbor: (neighbor.local_port, neighbor.remote_name or ""))


CDP_ADDRESS_IP = 1
CDP_ADDRESS_IPV6 = 20


def normalize_cdp(walk: DeviceWalk, names_by_ifindex: dict[int, str]) -> list[Neighbor]:
    """CISCO-CDP-MIB cdpCacheTable (index ifIndex.deviceIndex) as ``protocol="cdp"`` neighbours.

    The device ID is kept as sent (NX-OS sends ``name(serial)``; the network view strips it when
    it resolves the name). Only IPv4/IPv6 cache addresses are read.
    """
    device_ids = _by_index(walk.column(c.CDP_CACHE_DEVICE_ID))
    ports = _by_index(walk.column(c.CDP_CACHE_DEVICE_PORT))
    platforms = _by_index(walk.column(c.CDP_CACHE_PLATFORM))
    address_types = _by_index(walk.column(c.CDP_CACHE_ADDRESS_TYPE))
    addresses = _by_index(walk.column(c.CDP_CACHE_ADDRESS))
    neighbors: list[Neighbor] = []
    for index in sorted(set(device_ids) | set(ports)):
        if len(index) != 2:
            continue
        address = addresses.get(index)
        ip = None
        if isinstance(address, bytes):
            kind = address_types.get(index)
            if kind == CDP_ADDRESS_IP:
                ip = inet_address(1, address)
            elif kind == CDP_ADDRESS_IPV6:
                ip = inet_address(2, address)
        neighbors.append(
            Neighbor(
                local_port=names_by_ifindex.get(index[0], str(index[0])),
                remote_name=(text(device_ids.get(index)) or "").strip() or None,
                remote_port=(text(ports.get(index)) or "").strip() or None,
                remote_address=ip,
                remote_platform=(text(platforms.get(index)) or "").strip() or None,
                protocol="cdp",
                source=Source.SNMP,
            )
        )
    return neighbors
