"""What the network shows about assets, indexed for reconciliation with the ledger (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from auditor.inventory.models import LedgerRow
from auditor.model.snapshot import DeviceSnapshot, mac_or_none
from auditor.policy.models import Policy, Zone
from auditor.rules import AuditContext

from ..hardening._common import fold, is_access_port

INACTIVE_STATUSES = (
    "保管",
    "廃棄",
    "撤去",
    "返却",
    "予備",
    "休止",
    "disposed",
    "stored",
    "retired",
)


def bare_ip(value: str | None) -> str | None:
    return value.split("/")[0].strip() if value else None


def is_active(row: LedgerRow, inactive: Iterable[str] = INACTIVE_STATUSES) -> bool:
    """A row expected on the network: its status is not 保管/廃棄/撤去 and the like."""
    if not row.status:
        return True
    status = fold(row.status)
    return not any(fold(word) in status for word in inactive)


def resolve_zone(policy: Policy, value: str | None) -> Zone | None:
    """A ledger zone cell (zone id, Japanese or English name) → the policy zone."""
    if not value:
        return None
    key = fold(value)
    for zone in policy.zones:
        if key in {fold(zone.id), fold(zone.name_ja), fold(zone.name_en)}:
            return zone
    return None


@dataclass(frozen=True)
class Sighting:
    """A MAC seen on the network: where, in which VLAN, with which IP if ARP told us."""

    mac: str
    device: str
    port: str | None
    vlan: int | None
    ip: str | None
    access_port: bool


class LedgerIndex:
    """The ledger rows, findable by asset number, host name, serial, MAC and IP."""

    def __init__(self, rows: Iterable[LedgerRow]) -> None:
        self.rows = list(rows)
        self.by_asset: dict[str, LedgerRow] = {}
        self.by_hostname: dict[str, LedgerRow] = {}
        self.by_serial: dict[str, LedgerRow] = {}
        self.by_mac: dict[str, LedgerRow] = {}
        self.by_ip: dict[str, LedgerRow] = {}
        for row in self.rows:
            if row.asset_id:
                self.by_asset.setdefault(row.asset_id, row)
            if row.hostname:
                self.by_hostname.setdefault(fold(row.hostname), row)
            if row.serial:
                self.by_serial.setdefault(fold(row.serial), row)
            if (mac := mac_or_none(row.mac)) is not None:
                self.by_mac.setdefault(mac, row)
            if (ip := bare_ip(row.ip)) is not None:
                self.by_ip.setdefault(ip, row)

    def for_device(self, context: AuditContext, name: str) -> LedgerRow | None:
        """The ledger row of an inventory device: by asset number, host name, then address."""
        device = context.inventory.device(name)
        if device is not None and device.asset_id and device.asset_id in self.by_asset:
            return self.by_asset[device.asset_id]
        if fold(name) in self.by_hostname:
            return self.by_hostname[fold(name)]
        if device is not None and device.address in self.by_ip:
            return self.by_ip[device.address]
        return None


def sightings(snapshots: Iterable[DeviceSnapshot]) -> Iterator[Sighting]:
    """Host MACs from FDB entries on access ports, then every ARP entry (IP ↔ MAC)."""
    for snapshot in snapshots:
        access = {i.name for i in snapshot.interfaces if is_access_port(i)}
        for entry in snapshot.fdb:
            mac = mac_or_none(entry.mac)
            if mac is not None:
                yield Sighting(
                    mac, snapshot.device, entry.port, entry.vlan, None, entry.port in access
                )
        for arp in snapshot.arp:
            mac = mac_or_none(arp.mac)
            if mac is not None:
                yield Sighting(mac, snapshot.device, arp.interface, None, arp.ip, False)


def device_macs(context: AuditContext) -> dict[str, str]:
    """Chassis MACs of the inventory's devices as their neighbours report them: MAC → device."""
    found: dict[str, str] = {}
    for snapshot in context.snapshots.values():
        for neighbor in snapshot.neighbors:
            mac = mac_or_none(neighbor.remote_chassis_id)
            if mac is not None and neighbor.remote_name:
                found[mac] = neighbor.remote_name
    return found


def seen_identifiers(snapshots: Iterable[DeviceSnapshot]) -> set[str]:
    """Every identifier a set of snapshots proves present: device:, serial:, mac:, ip:."""
    seen: set[str] = set()
    for snapshot in snapshots:
        seen.add(f"device:{fold(snapshot.device)}")
        for serial in [snapshot.system.serial, *snapshot.system.serials]:
            if serial:
                seen.add(f"serial:{fold(serial)}")
        for interface in snapshot.interfaces:
            for address in interface.addresses:
                seen.add(f"ip:{bare_ip(address)}")
        for sighting in sightings([snapshot]):
            seen.add(f"mac:{sighting.mac}")
            if sighting.ip:
                seen.add(f"ip:{sighting.ip}")
        for neighbor in snapshot.neighbors:
            if neighbor.remote_name:
                seen.add(f"device:{fold(neighbor.remote_name)}")
            if (mac := mac_or_none(neighbor.remote_chassis_id)) is not None:
                seen.add(f"mac:{mac}")
    return seen


def row_identifiers(row: LedgerRow) -> set[str]:
    keys: set[str] = set()
    if row.hostname:
        keys.add(f"device:{fold(row.hostname)}")
    if row.serial:
        keys.add(f"serial:{fold(row.serial)}")
    if (mac := mac_or_none(row.mac)) is not None:
        keys.add(f"mac:{mac}")
    if (ip := bare_ip(row.ip)) is not None:
        keys.add(f"ip:{ip}")
    return keys
