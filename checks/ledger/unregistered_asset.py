"""LED-003: a device or host seen on the network is not in the asset ledger (未登録機器)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import mac_or_none
from auditor.policy.models import Zone, ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import fold, primary_zone
from ._observed import LedgerIndex, device_macs, sightings

SEVERITY_BY_KIND = {ZoneKind.MYNUMBER: Severity.HIGH}


class UnregisteredAsset(Check):
    """Something on the network has no row in the asset ledger (未登録機器).

    What it checks:
        Three kinds of sightings, each matched against the ledger by asset number, host name,
        serial, MAC and IP: (1) inventory devices that were collected (subject
        ``device:<name>``); (2) LLDP/CDP neighbours that are neither in the inventory nor in the
        ledger (``device:<remote name>``); (3) host MACs learned on access ports (FDB) or in ARP
        tables (``mac:<mac>``, reported once, at the access switch when known). Severity follows
        the zone: My Number high, elsewhere medium. Hosts in ``ignore_zone_kinds`` (default
        public Wi-Fi, whose clients are residents, not assets) are skipped.

    Why is this bad?:
        An unregistered device has no owner, no classification and no maintenance record: a
        private laptop, a forgotten test router or an intruder's device. The guideline makes the
        ledger the basis of asset management, and auditors reconcile it with the network
        (「不要な機器等の持込み」防止).

    Example:
        A shelter access point polled by the auditor but absent from the ledger yields
        ``device:hinanjo-ap1``; a PC with MAC ``3c:22:fb:aa:bb:cc`` on a school switch yields
        ``mac:3c:22:fb:aa:bb:cc``.

    Remediation:
        Identify the device (switch port, MAC vendor, IP) and either register it in the ledger
        (資産番号・所管課・分類) or remove it; then shut or protect the port (HRD-011/HRD-012).

    Parameters:
        ``ignore_zone_kinds`` (list, default ``[public_wifi]``); ``check_hosts`` (bool, default
        true); ``check_neighbors`` (bool, default true).
    """

    id = "LED-003"
    slug = "unregistered-asset"
    severity = Severity.MEDIUM
    title_ja = "台帳未登録の機器・端末 (未登録機器)"
    title_en = "Device or host on the network not in the asset ledger"
    scope = "network"
    needs = frozenset({"live"})

    class Params(CheckParams):
        ignore_zone_kinds: list[str] = Field(
            default_factory=lambda: ["public_wifi"],
            description="Zone kinds whose hosts are not assets",
        )
        check_hosts: bool = Field(True, description="Reconcile host MACs (FDB/ARP)")
        check_neighbors: bool = Field(True, description="Reconcile LLDP/CDP neighbours")

    references = (
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="guideline", key="不正アクセス対策"),
        Reference(kind="plan", key="4-1-5"),
    )

    def _severity(self, context: AuditContext, zone: Zone | None) -> Severity:
        if zone is not None and zone.kind in SEVERITY_BY_KIND:
            return SEVERITY_BY_KIND[zone.kind]
        return self.effective_severity(context)

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        ignored = set(params.ignore_zone_kinds)
        index = LedgerIndex(context.ledger.rows)
        for name in sorted(context.snapshots):
            if index.for_device(context, name) is not None:
                continue
            snapshot = context.snapshots[name]
            serial = snapshot.system.serial
            if serial and fold(serial) in index.by_serial:
                continue
            zone_id = primary_zone(context, name)
            zone = context.policy.zone(zone_id) if zone_id else None
            yield self.finding(
                context,
                device=name,
                subject=f"device:{name}",
                zone=zone_id,
                severity=self._severity(context, zone),
                message_en=f"{name} ({snapshot.system.model or 'model unknown'}, serial "
                f"{serial or 'unknown'}) is on the network but not in the asset ledger.",
                message_ja=f"{name} ({snapshot.system.model or '機種不明'}、シリアル "
                f"{serial or '不明'}) はネットワーク上にありますが情報資産管理台帳に登録されていません。",
                evidence=[EvidenceRef(source="snmp", detail=f"sysName {name}; serial {serial}")],
            )
        if params.check_neighbors:
            yield from self._neighbors(context, index)
        if params.check_hosts:
            yield from self._hosts(context, index, ignored)

    def _neighbors(self, context: AuditContext, index: LedgerIndex) -> Iterator[Finding]:
        reported: set[str] = set()
        for name in sorted(context.snapshots):
            for neighbor in context.snapshots[name].neighbors:
                remote = neighbor.remote_name or neighbor.remote_chassis_id
                if not remote or remote in reported or context.inventory.device(remote):
                    continue
                mac = mac_or_none(neighbor.remote_chassis_id)
                if fold(remote) in index.by_hostname or (mac and mac in index.by_mac):
                    continue
                if neighbor.remote_address and neighbor.remote_address in index.by_ip:
                    continue
                reported.add(remote)
                yield self.finding(
                    context,
                    device=name,
                    subject=f"device:{remote}",
                    zone=primary_zone(context, name),
                    message_en=f"{remote} (seen by {neighbor.protocol.upper()} on {name} "
                    f"{neighbor.local_port}) is neither in the inventory nor in the asset ledger.",
                    message_ja=f"{remote} ({name} の {neighbor.local_port} で "
                    f"{neighbor.protocol.upper()} により検出) は台帳にも機器一覧にもありません。",
                    evidence=[
                        EvidenceRef(
                            source="snmp",
                            detail=f"{neighbor.protocol} neighbour {remote} on {neighbor.local_port}",
                        )
                    ],
                )

    def _hosts(
        self, context: AuditContext, index: LedgerIndex, ignored: set[str]
    ) -> Iterator[Finding]:
        known_devices = device_macs(context)
        device_addresses = {device.address for device in context.inventory.devices}
        candidates = sorted(
            sightings(context.snapshots[name] for name in sorted(context.snapshots)),
            key=lambda s: (not s.access_port, s.ip is None),
        )
        ips_of_mac: dict[str, set[str]] = {}
        for sighting in candidates:
            if sighting.ip:
                ips_of_mac.setdefault(sighting.mac, set()).add(sighting.ip)
        reported: set[str] = set()
        for sighting in candidates:
            mac = sighting.mac
            if mac in reported or mac in index.by_mac or mac in known_devices:
                continue
            ips = ips_of_mac.get(mac, set())
            if ips & device_addresses or any(
                ip in index.by_ip and not index.by_ip[ip].mac for ip in ips
            ):
                continue  # a device's own address, or a ledger row known by IP only
            if sighting.ip is None and not sighting.access_port:
                continue  # learned on a trunk: it will be judged where it is attached
            zone = (
                context.policy.zone_of_vlan(sighting.vlan)
                if sighting.vlan is not None
                else context.policy.zone_of_address(sighting.ip or "")
            )
            if zone is not None and zone.kind.value in ignored:
                continue
            reported.add(mac)
            where = f"{sighting.device} {sighting.port or ''}".strip()
            vlan = f"VLAN {sighting.vlan}" if sighting.vlan is not None else f"IP {sighting.ip}"
            yield self.finding(
                context,
                device=sighting.device,
                subject=f"mac:{mac}",
                zone=zone.id if zone else None,
                severity=self._severity(context, zone),
                message_en=f"Host {mac} ({vlan}) on {where} is not in the asset ledger.",
                message_ja=f"{where} ({vlan}) に接続された端末 {mac} は情報資産管理台帳に"
                "登録されていません。",
                evidence=[
                    EvidenceRef(
                        source="snmp",
                        detail=f"{'fdb' if sighting.access_port else 'arp'} {mac} on {where}",
                    )
                ],
            )
