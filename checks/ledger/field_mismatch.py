"""LED-005: serial, model, MAC or IP in the ledger differ from what the device reports."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.inventory.models import LedgerRow
from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot, mac_or_none
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import fold, not_applicable, primary_zone
from ._observed import LedgerIndex, bare_ip, device_macs, sightings
from .missing_mandatory_field import row_subject

FIELDS = ("serial", "model", "mac", "ip")
LABEL_JA = {"serial": "シリアル番号", "model": "機種", "mac": "MACアドレス", "ip": "IPアドレス"}


def _observed(context: AuditContext, name: str, snapshot: DeviceSnapshot) -> dict[str, set[str]]:
    """What the network says about one device, per ledger field (empty set = not observed)."""
    device = context.inventory.device(name)
    observed: dict[str, set[str]] = {field: set() for field in FIELDS}
    observed["serial"] = {s for s in [snapshot.system.serial, *snapshot.system.serials] if s}
    if snapshot.system.model:
        observed["model"].add(snapshot.system.model)
    addresses = {bare_ip(a) or "" for i in snapshot.interfaces for a in i.addresses}
    if device is not None:
        addresses.add(device.address)
    observed["ip"] = {a for a in addresses if a}
    observed["mac"] = {mac for mac, owner in device_macs(context).items() if owner == name}
    return observed


def _matches(field: str, ledger_value: str, observed: set[str]) -> bool:
    if field == "mac":
        return mac_or_none(ledger_value) in observed
    if field == "ip":
        return (bare_ip(ledger_value) or "") in observed
    if field == "model":
        want = fold(ledger_value)
        return any(want in fold(o) or fold(o) in want for o in observed)
    return fold(ledger_value) in {fold(o) for o in observed}


class LedgerFieldMismatch(Check):
    """The ledger's serial, model, MAC or IP of a device differs from what the device reports.

    What it checks:
        For every collected inventory device with a ledger row (by asset number, host name or
        address): the ledger's serial against the chassis serials (ENTITY-MIB / ``show
        version``), model against the reported model (ignoring case, spaces and hyphens, either
        containing the other), IP against the inventory address and interface addresses, MAC
        against the chassis id its LLDP neighbours report. Subjects ``serial``, ``model``,
        ``mac``, ``ip``. A ledger value the network did not report is not applicable. For
        terminals (ledger rows that are not inventory devices) the IP the ARP table pairs with
        the row's MAC is compared (subject ``ledger-row:<asset>:ip``).

    Why is this bad?:
        A ledger that disagrees with the device cannot prove which physical unit is installed:
        a swapped chassis (RMA not recorded, or a substituted device), a readdressed host, or a
        typo that will defeat the next inventory and the lease return.

    Example:
        Ledger serial ``G1Q7A2003990``, device reports ``G1Q7A2003999``: one finding ``serial``.

    Remediation:
        Check the label on the unit (管理ラベル) and correct the ledger, or investigate a device
        swap that was not recorded.

    Parameters:
        ``fields`` (list, default serial/model/mac/ip): which fields to compare.
    """

    id = "LED-005"
    slug = "ledger-field-mismatch"
    severity = Severity.MEDIUM
    title_ja = "台帳と実機のシリアル・機種・MAC・IP の不一致"
    title_en = "Serial, model, MAC or IP in the ledger differ from the device"
    scope = "ledger"
    needs = frozenset({"live"})

    class Params(CheckParams):
        fields: list[str] = Field(
            default_factory=lambda: list(FIELDS),
            description="Ledger fields compared with the network",
        )

    references = (
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="plan", key="4-1-5"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        fields = [f for f in self.params(context).fields if f in FIELDS]
        index = LedgerIndex(context.ledger.rows)
        device_rows: set[int] = set()
        for name in sorted(context.snapshots):
            row = index.for_device(context, name)
            if row is None:
                continue
            device_rows.add(row.row_number)
            observed = _observed(context, name, context.snapshots[name])
            for field in fields:
                value = getattr(row, field)
                if not value:
                    continue
                if not observed[field]:
                    yield not_applicable(
                        self,
                        context,
                        device=name,
                        fact=field,
                        zone=primary_zone(context, name),
                        reason_en=f"the device's {field} was not observed",
                        reason_ja=f"機器の{LABEL_JA[field]}が取得できていません",
                    )
                    continue
                if _matches(field, value, observed[field]):
                    continue
                yield self._mismatch(context, row, name, field, value, sorted(observed[field]))
        if "ip" in fields:
            yield from self._terminal_addresses(context, device_rows)

    def _mismatch(
        self,
        context: AuditContext,
        row: LedgerRow,
        device: str,
        field: str,
        value: str,
        observed: list[str],
        subject: str | None = None,
    ) -> Finding:
        shown = ", ".join(observed[:4])
        return self.finding(
            context,
            device=device,
            subject=subject or field,
            zone=primary_zone(context, device),
            message_en=f"Ledger {row.asset_id or '#' + str(row.row_number)} says {field} "
            f"{value} for {row.hostname or device}; the network reports {shown}.",
            message_ja=f"台帳 {row.asset_id or str(row.row_number) + '行目'} の{LABEL_JA[field]} "
            f"{value} ({row.hostname or device}) が実機の値 {shown} と一致しません。",
            evidence=[
                EvidenceRef(
                    source="ledger", detail=f"{context.ledger.source}:row {row.row_number}"
                ),
                EvidenceRef(source="snmp", detail=f"{device} {field}: {shown}"),
            ],
        )

    def _terminal_addresses(
        self, context: AuditContext, device_rows: set[int]
    ) -> Iterator[Finding]:
        arp: dict[str, tuple[str, set[str]]] = {}
        for sighting in sightings(context.snapshots[n] for n in sorted(context.snapshots)):
            if sighting.ip:
                arp.setdefault(sighting.mac, (sighting.device, set()))[1].add(sighting.ip)
        for row in context.ledger.rows:
            mac, ip = mac_or_none(row.mac), bare_ip(row.ip)
            if row.row_number in device_rows or mac is None or ip is None or mac not in arp:
                continue
            device, addresses = arp[mac]
            if ip in addresses:
                continue
            yield self._mismatch(
                context, row, device, "ip", ip, sorted(addresses), f"{row_subject(row)}:ip"
            )
