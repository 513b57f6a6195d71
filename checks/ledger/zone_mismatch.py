"""LED-009: the ledger's zone for an asset differs from the zone the network puts it in."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import mac_or_none
from auditor.rules import AuditContext, Check

from ..hardening._common import device_zones, not_applicable
from ._observed import LedgerIndex, resolve_zone, sightings
from .missing_mandatory_field import row_subject


class LedgerZoneMismatch(Check):
    """The 所属系 in the ledger is not where the network actually connects the asset.

    What it checks:
        Terminals and servers: a ledger row whose MAC is learned on an access port in a VLAN of
        another zone (subject ``mac:<mac>``, reported on that switch). Network devices: a
        collected inventory device whose ledger zone is not among the zones the inventory says it
        serves (subject ``zone``). A ledger zone that names no policy zone is reported not
        applicable.

    Why is this bad?:
        The ledger's zone is what the city believes: a My Number terminal that sits in the LGWAN
        VLAN is either misconnected (the terminal is exposed to another tier) or misregistered
        (the ledger, and every audit built on it, is wrong). 三層の対策 relies on both agreeing.

    Example:
        ``pc-zeimu-07`` registered in マイナンバー利用事務系 is learned in VLAN 20 (LGWAN).

    Remediation:
        Move the terminal to a port in its tier's VLAN, or correct the ledger's 所属系 after
        checking which tier the asset really belongs to.

    Parameters:
        None.
    """

    id = "LED-009"
    slug = "ledger-zone-mismatch"
    severity = Severity.HIGH
    title_ja = "台帳の所属系と実際の接続先ゾーンの不一致"
    title_en = "Ledger zone differs from the zone the network puts the asset in"
    scope = "network"
    needs = frozenset({"live"})
    references = (
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="guideline", key="情報システム全体の強靭性の向上"),
        Reference(kind="plan", key="4-1-5"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        index = LedgerIndex(context.ledger.rows)
        unresolved: set[int] = set()
        for name in sorted(context.snapshots):
            row = index.for_device(context, name)
            if row is None or not row.zone:
                continue
            ledger_zone = resolve_zone(context.policy, row.zone)
            if ledger_zone is None:
                unresolved.add(row.row_number)
                continue
            served = device_zones(context, name)
            if not served or ledger_zone in served:
                continue
            yield self.finding(
                context,
                device=name,
                subject="zone",
                zone=ledger_zone.id,
                message_en=f"The ledger puts {name} in {ledger_zone.name_en}; the inventory "
                f"says it serves {', '.join(z.name_en for z in served)}.",
                message_ja=f"台帳では {name} の所属系は {ledger_zone.name_ja} ですが、機器一覧では "
                f"{'、'.join(z.name_ja for z in served)} です。",
                evidence=[
                    EvidenceRef(
                        source="ledger", detail=f"{context.ledger.source}:row {row.row_number}"
                    ),
                    EvidenceRef(source="inventory", detail=f"{name}.zones"),
                ],
            )
        reported: set[str] = set()
        snaps = [context.snapshots[n] for n in sorted(context.snapshots)]
        for sighting in sightings(snaps):
            if not sighting.access_port or sighting.vlan is None or sighting.mac in reported:
                continue
            row = index.by_mac.get(sighting.mac)
            if row is None or not row.zone:
                continue
            ledger_zone = resolve_zone(context.policy, row.zone)
            if ledger_zone is None:
                unresolved.add(row.row_number)
                continue
            actual = context.policy.zone_of_vlan(sighting.vlan)
            if actual is None or actual.id == ledger_zone.id:
                continue
            reported.add(sighting.mac)
            label = f"{row.asset_id or row.row_number} {row.hostname or row.name or ''}".strip()
            yield self.finding(
                context,
                device=sighting.device,
                subject=f"mac:{sighting.mac}",
                zone=actual.id,
                message_en=f"{label} is registered in {ledger_zone.name_en} but is connected to "
                f"{sighting.device} {sighting.port} in VLAN {sighting.vlan} ({actual.name_en}).",
                message_ja=f"{label} は台帳で {ledger_zone.name_ja} ですが、{sighting.device} の "
                f"{sighting.port} (VLAN {sighting.vlan}、{actual.name_ja}) に接続されています。",
                evidence=[
                    EvidenceRef(
                        source="ledger", detail=f"{context.ledger.source}:row {row.row_number}"
                    ),
                    EvidenceRef(
                        source="snmp",
                        detail=f"fdb {mac_or_none(sighting.mac)} vlan {sighting.vlan} port "
                        f"{sighting.port}",
                    ),
                ],
            )
        for row in context.ledger.rows:
            if row.row_number in unresolved:
                yield not_applicable(
                    self,
                    context,
                    device=None,
                    fact=f"{row_subject(row)}:zone",
                    reason_en=f"ledger zone {row.zone!r} (row {row.row_number}) names no "
                    "policy zone",
                    reason_ja=f"台帳 {row.row_number} 行目の所属系 {row.zone!r} はポリシーの"
                    "どのゾーンにも該当しません",
                )
