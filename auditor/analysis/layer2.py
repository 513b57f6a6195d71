"""Layer 2: the VLANs each port carries, LLDP/CDP links between devices, MACs in the FDB."""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from auditor.analysis.evidence import FactKind, snapshot_source, source_name
from auditor.analysis.zones import ZoneIndex
from auditor.inventory.models import AssetLedger, LedgerRow
from auditor.model.snapshot import DeviceSnapshot, Interface, normalize_mac

_T = TypeVar("_T")
_NORMAL_MAC = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")


@dataclass(frozen=True, slots=True)
class PortVlans:
    """The VLANs a switch port carries (from its configuration)."""

    device: str
    port: str
    mode: str
    vlans: frozenset[int]
    native_vlan: int | None
    source: str
    admin_up: bool | None = None


@dataclass(frozen=True, slots=True)
class VlanUse:
    """One reason a VLAN exists on a device: ``defined``, ``access``, ``trunk``, ``svi``, ``fdb``."""

    how: Literal["defined", "access", "trunk", "native", "svi", "fdb"]
    port: str | None
    source: str

    @property
    def kind(self) -> FactKind:
        return "live" if self.how == "fdb" else "config"


@dataclass(frozen=True, slots=True)
class Link:
    """An LLDP/CDP adjacency between two inventory devices, oriented by device name."""

    device: str
    port: str
    remote_device: str
    remote_port: str | None
    protocol: str
    sources: frozenset[str]
    seen_from_both_ends: bool

    @property
    def subject(self) -> str:
        return link_subject(self.port, self.remote_device, self.remote_port)

    def ends(self) -> list[tuple[str, str, str, str | None]]:
        """(device, port, remote device, remote port) seen from each end whose port is known."""
        found: list[tuple[str, str, str, str | None]] = [
            (self.device, self.port, self.remote_device, self.remote_port)
        ]
        if self.remote_port:
            found.append((self.remote_device, self.remote_port, self.device, self.port))
        return found


def link_subject(port: str, remote_device: str, remote_port: str | None) -> str:
    """``link:LOCAL<->REMOTE-DEVICE:REMOTE-PORT`` as seen from the local device."""
    remote = f"{remote_device}:{remote_port}" if remote_port else remote_device
    return f"link:{port}<->{remote}"


@dataclass(frozen=True, slots=True)
class MacSighting:
    """A MAC address learned in a VLAN on a port of a device."""

    mac: str
    device: str
    port: str | None
    vlan: int | None
    zone: str | None
    source: str
    transit: bool


class InterfacesByDevice(Mapping[str, Mapping[str, Interface]]):
    """Each device's interfaces by name, built from its snapshot when asked (the last few kept).

    A dict per device for the whole run cost ~1 kB a device at city scale; the view and the
    checks read them device by device, so a small recent set serves them.
    """

    def __init__(self, snapshots: Mapping[str, DeviceSnapshot], keep: int = 64) -> None:
        self._snapshots = snapshots
        self._recent: OrderedDict[str, dict[str, Interface]] = OrderedDict()
        self._keep = keep

    def __getitem__(self, device: str) -> Mapping[str, Interface]:
        found = self._recent.get(device)
        if found is None:
            snapshot = self._snapshots[device]
            found = self._recent[device] = {i.name: i for i in snapshot.interfaces}
            if len(self._recent) > self._keep:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(device)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshots)

    def __len__(self) -> int:
        return len(self._snapshots)


class Layer2Index(ZoneIndex):
    """Ports, VLANs, links and MAC sightings of every snapshot (built by the network view)."""

    snapshots: dict[str, DeviceSnapshot]
    ledger: AssetLedger

    def _init_layer2(self) -> None:
        self._mac_cache: dict[str, str] = {}
        self._name_index: dict[str, str] = {}
        self._address_index: dict[str, str] = {}
        self.interfaces: Mapping[str, Mapping[str, Interface]] = InterfacesByDevice(self.snapshots)
        self.port_vlans: dict[tuple[str, str], PortVlans] = {}
        self.device_vlans: dict[str, dict[int, list[VlanUse]]] = {}
        self.links: list[Link] = []
        self.links_by_port: dict[tuple[str, str], Link] = {}
        self.unresolved_neighbors: list[tuple[str, str, str | None]] = []
        self.fdb_by_mac: dict[str, list[MacSighting]] = defaultdict(list)
        self.fdb_by_port: dict[tuple[str, str], list[MacSighting]] = defaultdict(list)
        self.own_macs: set[str] = set()
        self.ledger_by_mac: dict[str, LedgerRow] = {}
        self.transit_ports: set[tuple[str, str]] = set()
        self._link_reports: list[tuple[str, str, str, str | None, str, str]] = []
        self.derived: dict[str, Any] = {}  # results computed from the view (matrix), memoized
        # Equal immutable facts (VLAN sets, VLAN uses) repeat on every port of every switch of a
        # city: one shared instance each keeps the view's memory to the distinct facts.
        self._shared: dict[Any, Any] = {}
        self._index_names()

    def _share(self, fact: _T) -> _T:
        """The one instance of an equal, immutable (hashable) fact already in the view."""
        shared: _T = self._shared.setdefault(fact, fact)
        return shared

    def _index_names(self) -> None:
        for device in self.inventory.devices:
            lowered = device.name.lower()
            self._name_index[lowered] = device.name
            self._name_index.setdefault(lowered.split(".")[0], device.name)
            self._address_index[device.address.split("/")[0]] = device.name
        for name, snapshot in self.snapshots.items():
            self._name_index.setdefault(name.lower(), name)
            system_name = snapshot.system.name
            if system_name:
                lowered = system_name.lower()
                self._name_index.setdefault(lowered, name)
                self._name_index.setdefault(lowered.split(".")[0], name)

    def _index_ledger(self) -> None:
        for row in self.ledger.rows:
            if row.mac:
                try:
                    self.ledger_by_mac.setdefault(self._mac(row.mac), row)
                except ValueError:
                    continue

    def _index_ports(self, device: str, snapshot: DeviceSnapshot) -> None:
        uses: dict[int, list[VlanUse]] = defaultdict(list)
        default_source = snapshot_source(snapshot)
        default_name = source_name(default_source)
        for vlan in snapshot.vlans:
            uses[vlan.id].append(
                self._share(VlanUse("defined", None, source_name(vlan.source or default_source)))
            )
        defined = {vlan.id for vlan in snapshot.vlans}
        defined.update(i.access_vlan for i in snapshot.interfaces if i.access_vlan is not None)
        for iface in snapshot.interfaces:
            source = source_name(iface.source) if iface.source else default_name
            # The platform layer says which interfaces are SVIs; an unknown kind counts no use.
            if iface.kind == "svi" and iface.svi_vlan is not None:
                uses[iface.svi_vlan].append(self._share(VlanUse("svi", iface.name, source)))
            mode = _effective_mode(iface)
            if mode == "access" and iface.access_vlan is not None:
                carried = self._share(frozenset({iface.access_vlan}))
                uses[iface.access_vlan].append(self._share(VlanUse("access", iface.name, source)))
            elif mode == "trunk":
                if iface.allowed_vlans is None:
                    carried = frozenset(defined)  # "all": every VLAN that exists on the switch
                else:
                    carried = frozenset(iface.allowed_vlans)
                if iface.native_vlan is not None:
                    carried = carried | {iface.native_vlan}
                    uses[iface.native_vlan].append(
                        self._share(VlanUse("native", iface.name, source))
                    )
                carried = self._share(carried)
                for vlan_id in carried:
                    uses[vlan_id].append(self._share(VlanUse("trunk", iface.name, source)))
                self.transit_ports.add((device, iface.name))
            else:
                if iface.mode == "routed":
                    self.transit_ports.add((device, iface.name))
                continue
            self.port_vlans[(device, iface.name)] = PortVlans(
                device=device,
                port=iface.name,
                mode=mode,
                vlans=carried,
                native_vlan=iface.native_vlan if mode == "trunk" else None,
                source=source,
                admin_up=iface.admin_up,
            )
        self.device_vlans[device] = uses

    def _index_neighbors(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = snapshot_source(snapshot, live=True)
        default_name = source_name(default_source)
        for iface in snapshot.interfaces:  # the device's own interface MACs are infrastructure
            if iface.mac:
                with contextlib.suppress(ValueError):
                    self.own_macs.add(self._mac(iface.mac))
        for neighbor in snapshot.neighbors:
            if neighbor.remote_chassis_id:
                with contextlib.suppress(ValueError):
                    self.own_macs.add(self._mac(neighbor.remote_chassis_id))
            remote = self.resolve_device(neighbor.remote_name) if neighbor.remote_name else None
            if remote is None and neighbor.remote_address:
                remote = self._address_index.get(neighbor.remote_address)
            if remote is None or remote == device:
                self.unresolved_neighbors.append(
                    (device, neighbor.local_port, neighbor.remote_name)
                )
                continue
            source = source_name(neighbor.source) if neighbor.source else default_name
            self._link_reports.append(
                (
                    device,
                    neighbor.local_port,
                    remote,
                    neighbor.remote_port,
                    neighbor.protocol,
                    source,
                )
            )
            self.transit_ports.add((device, neighbor.local_port))
            if neighbor.remote_port:
                self.transit_ports.add((remote, neighbor.remote_port))

    def _finish_links(self) -> None:
        """Merge the reports of both ends of a link into one oriented :class:`Link`."""
        groups: dict[tuple[Any, ...], list[tuple[str, str, str, str | None, str, str]]] = {}
        endpoint_key: dict[tuple[str, str], tuple[Any, ...]] = {}
        partial: list[tuple[str, str, str, str | None, str, str]] = []
        for report in self._link_reports:
            device, port, remote, remote_port = report[:4]
            if remote_port is None:
                partial.append(report)
                continue
            key: tuple[Any, ...] = tuple(sorted([(device, port), (remote, remote_port)]))
            groups.setdefault(key, []).append(report)
            endpoint_key[(device, port)] = key
            endpoint_key[(remote, remote_port)] = key
        for report in partial:
            device, port, remote = report[:3]
            known_key = endpoint_key.get((device, port))
            if known_key is not None and remote in (known_key[0][0], known_key[1][0]):
                groups[known_key].append(report)
            else:
                groups.setdefault((device, port, remote), []).append(report)
        for reports in groups.values():
            reporters = {report[0] for report in reports}
            known = [report for report in reports if report[3] is not None] or reports
            device, port, remote, remote_port, protocol, _ = min(known, key=_report_order)
            # Orient by device name so that the subject does not depend on which end reported.
            if remote < device and remote_port:
                device, port, remote, remote_port = remote, remote_port, device, port
            link = Link(
                device=device,
                port=port,
                remote_device=remote,
                remote_port=remote_port,
                protocol=protocol,
                sources=frozenset(report[5] for report in reports),
                seen_from_both_ends=len(reporters) > 1,
            )
            self.links.append(link)
            self.links_by_port[(link.device, link.port)] = link
            if link.remote_port:
                self.links_by_port[(link.remote_device, link.remote_port)] = link
        self._link_reports = []
        self.links.sort(key=lambda link: (link.device, link.port))

    def _index_fdb(self, device: str, snapshot: DeviceSnapshot) -> None:
        default_source = snapshot_source(snapshot, live=True)
        default_name = source_name(default_source)
        by_port_vlans: dict[str | None, set[int | None]] = defaultdict(set)
        for entry in snapshot.fdb:
            by_port_vlans[entry.port].add(entry.vlan)
        interfaces = self.interfaces.get(device, {})
        for entry in snapshot.fdb:
            try:
                mac = self._mac(entry.mac)
            except ValueError:
                continue
            port = entry.port
            vlan = entry.vlan
            iface = interfaces.get(port) if port else None
            if vlan is None and iface is not None:
                vlan = iface.access_vlan
            transit = port is None or (device, port) in self.transit_ports
            if not transit and (iface is None or iface.mode == "unknown"):
                # No mode known: a port that learns in several VLANs is an uplink, not a terminal.
                transit = len(by_port_vlans[port]) > 1
            sighting = MacSighting(
                mac=mac,
                device=device,
                port=port,
                vlan=vlan,
                zone=self.zone_of_vlan(vlan) if vlan is not None else None,
                source=(source_name(entry.source) if entry.source else default_name),
                transit=transit,
            )
            self.fdb_by_mac[mac].append(sighting)
            if port is not None:
                self.fdb_by_port[(device, port)].append(sighting)
            if vlan is not None:
                self.device_vlans[device].setdefault(vlan, []).append(
                    self._share(
                        VlanUse(
                            "fdb",
                            port,
                            (source_name(entry.source) if entry.source else default_name),
                        )
                    )
                )

    def _mac(self, value: str) -> str:
        """``normalize_mac`` memoized: the same MAC appears in many FDB and ARP tables."""
        if _NORMAL_MAC.fullmatch(value):
            return value  # already normal (SNMP, most parsers): no copy, no cache entry
        known = self._mac_cache.get(value)
        if known is None:
            known = normalize_mac(value)  # raises ValueError for non-MACs; not cached
            self._mac_cache[value] = known
        return known

    def resolve_device(self, name: str) -> str | None:
        """Inventory (or snapshot) device for an LLDP/CDP name: case-insensitive, domain stripped."""
        lowered = name.strip().lower()
        found = self._name_index.get(lowered)
        if found is None:
            found = self._name_index.get(lowered.split(".")[0])
        if found is None and "(" in lowered:  # CDP "name(serial)" spelling
            found = self._name_index.get(lowered.split("(")[0].split(".")[0])
        return found

    def _interface_zone_hint(self, iface: Interface) -> str | None:
        if iface.kind == "svi" and iface.svi_vlan is not None:
            return self.zone_of_vlan(iface.svi_vlan)
        if iface.access_vlan is not None:
            return self.zone_of_vlan(iface.access_vlan)
        return self.zones[iface.name].id if iface.name in self.zones else None

    def ledger_zone_of_mac(self, mac: str) -> tuple[str | None, LedgerRow | None]:
        """The zone the asset ledger gives a MAC: the row's zone, else the zone of the row's IP."""
        row = self.ledger_by_mac.get(mac)
        if row is None:
            return None, None
        if row.zone:
            return row.zone, row
        if row.ip:
            return self.zone_of_address(row.ip), row
        return None, row

    def terminal_sightings(self) -> dict[str, list[MacSighting]]:
        """FDB entries on access (non-transit) ports, without the devices' own MACs (memoized)."""
        cached: dict[str, list[MacSighting]] | None = self.derived.get("terminal_sightings")
        if cached is not None:
            return cached
        terminals: dict[str, list[MacSighting]] = {}
        for mac, sightings in self.fdb_by_mac.items():
            if mac in self.own_macs:
                continue
            kept = [s for s in sightings if not s.transit]
            if kept:
                terminals[mac] = kept
        self.derived["terminal_sightings"] = terminals
        return terminals


def _effective_mode(iface: Interface) -> str:
    """The port's mode; an ``unknown`` port with VLAN membership is judged by that membership."""
    if iface.mode != "unknown":
        return iface.mode
    members = set(iface.allowed_vlans or ())
    if iface.access_vlan is not None:
        members.add(iface.access_vlan)
    if iface.allowed_vlans is not None and len(members) > 1:
        return "trunk"
    return "access" if iface.access_vlan is not None else "unknown"


def _report_order(report: tuple[str, str, str, str | None, str, str]) -> tuple[str, ...]:
    return (report[0], report[1], report[2], report[3] or "", report[4], report[5])
