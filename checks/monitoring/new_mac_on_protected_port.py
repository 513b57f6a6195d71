"""MON-005: a MAC address not seen at the previous poll appears on an access port of a protected
zone."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import normalize_mac
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import escalate, is_access_port, not_applicable, snapshots_in_order


def _mac(value: str) -> str:
    try:
        return normalize_mac(value)
    except ValueError:
        return value.lower()


class NewMacOnProtectedPort(Check):
    """A new device was plugged into an access port of a protected zone since the last poll.

    What it checks:
        FDB entries learned on access ports whose VLAN belongs to a zone with ``protected:
        true`` (or to a zone listed in ``zones``): a MAC absent from the device's FDB at the
        previous poll is reported (subject ``mac:<mac>``), naming port and VLAN. With
        ``ignore_ledger_macs`` set, MACs registered in the asset ledger are not reported.
        Without a previous snapshot (or when the previous poll had no FDB) the check reports
        not applicable.

    Why is this bad?:
        In the My Number and LGWAN tiers the set of terminals changes only through approved
        work. A new MAC is a new terminal, a swapped one, or an intruder's laptop (不正接続); it
        should be explained the next morning (ネットワーク監視).

    Example:
        ``3c:22:fb:aa:bb:cc`` learned on ``Gi0/2`` VLAN 10 today, absent yesterday.

    Remediation:
        Identify the device (``show mac address-table address …``; AW+ ``show mac
        address-table``; AlaxalA ``show mac-address-table``), check it against the ledger and the
        change records; if unauthorised, shut the port and enable port security / 802.1X.

    Parameters:
        ``zones`` (list of zone ids, default empty = every protected zone);
        ``ignore_ledger_macs`` (bool, default false).
    """

    id = "MON-005"
    slug = "new-mac-on-protected-port"
    severity = Severity.MEDIUM
    title_ja = "保護ゾーンのアクセスポートに新規 MAC アドレス"
    title_en = "New MAC address on an access port of a protected zone"
    scope = "history"
    needs = frozenset({"live"})

    class Params(CheckParams):
        zones: list[str] = Field(
            default_factory=list, description="Zone ids watched (empty: every protected zone)"
        )
        ignore_ledger_macs: bool = Field(
            False, description="Skip MACs registered in the asset ledger"
        )

    references = (
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="guideline", key="不正アクセス対策"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        listed = set(params.zones)
        registered = (
            {_mac(row.mac) for row in context.ledger.rows if row.mac}
            if params.ignore_ledger_macs
            else set()
        )
        for name, snapshot in snapshots_in_order(context):
            watched = {}
            for interface in snapshot.interfaces:
                if not is_access_port(interface) or interface.access_vlan is None:
                    continue
                zone = context.policy.zone_of_vlan(interface.access_vlan)
                if zone is None or not (zone.id in listed if listed else zone.protected):
                    continue
                watched[interface.name] = zone
            if not watched:
                continue
            entries = [e for e in snapshot.fdb if e.port in watched]
            if not entries:
                continue
            previous = context.history.previous_snapshots.get(name)
            if previous is None or not previous.fdb:
                yield not_applicable(
                    self,
                    context,
                    device=name,
                    fact="fdb-history",
                    zone=next(iter(watched.values())).id,
                    reason_en="there is no earlier forwarding table to compare with",
                    reason_ja="比較できる前回の MAC アドレステーブルがありません",
                )
                continue
            known = {_mac(entry.mac) for entry in previous.fdb} | registered
            for entry in entries:
                mac = _mac(entry.mac)
                if mac in known:
                    continue
                zone = watched[entry.port or ""]
                yield self.finding(
                    context,
                    device=name,
                    subject=f"mac:{mac}",
                    zone=zone.id,
                    severity=escalate(self.effective_severity(context), [zone.kind.value]),
                    message_en=f"New MAC {mac} on {name} {entry.port} (VLAN {entry.vlan}, "
                    f"{zone.name_en}); it was not there at the previous poll.",
                    message_ja=f"{name} の {entry.port} (VLAN {entry.vlan}、{zone.name_ja}) に前回の"
                    f"収集時になかった MAC アドレス {mac} が現れました。",
                    evidence=[
                        EvidenceRef(
                            source="snmp",
                            detail=f"fdb {mac} vlan {entry.vlan} port {entry.port}; previous poll "
                            f"{previous.collected_at.isoformat()}",
                        )
                    ],
                )
