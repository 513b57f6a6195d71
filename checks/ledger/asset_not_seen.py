"""LED-004: an active ledger asset has not been seen on the network for N days (紛失・撤去未反映)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import not_applicable
from ._observed import (
    INACTIVE_STATUSES,
    is_active,
    resolve_zone,
    row_identifiers,
    seen_identifiers,
)
from .missing_mandatory_field import row_subject


def _history_snapshots(context: AuditContext) -> list[DeviceSnapshot]:
    found: list[DeviceSnapshot] = []
    for snaps in context.history.snapshot_history.values():
        found.extend(snaps)
    found.extend(context.history.previous_snapshots.values())
    return found


class AssetNotSeen(Check):
    """An asset the ledger lists as in use has not appeared on the network for ``days`` days.

    What it checks:
        Every active ledger row (status not in ``inactive_statuses``: 保管, 廃棄, 撤去 …) that
        has a host name, serial, MAC or IP. It counts as seen when this run or a stored earlier
        snapshot shows it (a collected device of that name, its serial, the MAC in an FDB/ARP
        table or an LLDP chassis id, the IP). Last seen more than ``days`` days ago (default 30)
        is a finding with the last-seen time (subject ``ledger-row:<asset>``). Never seen while
        the stored history reaches back ``days`` days (``history.first_run_at``) is a finding
        too; if the history is shorter the row is reported not applicable: the auditor cannot
        know yet. Rows without any network identifier are not applicable as well.

    Why is this bad?:
        A ledger entry for something that is gone is either a lost or stolen device (機密性の
        高い端末・記録媒体の紛失) or a removal that was never recorded (撤去・廃棄の未反映). Either
        way the ledger no longer describes the city's assets.

    Example:
        ``A-1013 pc-somu-01`` was last learned on a switch 45 days ago: one finding naming
        that date.

    Remediation:
        Locate the asset (棚卸). If it was removed, set the ledger status (撤去・廃棄) with the
        date and the data-erasure certificate; if it is missing, report it as an incident.

    Parameters:
        ``days`` (int, default 30); ``inactive_statuses`` (list, default 保管/廃棄/撤去/返却/予備/
        休止 and English equivalents).
    """

    id = "LED-004"
    slug = "asset-not-seen"
    severity = Severity.LOW
    title_ja = "台帳の機器が長期間ネットワーク上で未検出 (紛失・撤去未反映)"
    title_en = "Ledger asset not seen on the network for N days"
    scope = "ledger"
    needs = frozenset({"live"})

    class Params(CheckParams):
        days: float = Field(30, gt=0, description="Days without a sighting before reporting")
        inactive_statuses: list[str] = Field(
            default_factory=lambda: list(INACTIVE_STATUSES),
            description="Statuses not expected online",
        )

    references = (
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="plan", key="4-1-5"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        days = params.days
        inactive = list(params.inactive_statuses)
        now_seen = seen_identifiers(context.snapshots.values())
        last_seen: dict[str, datetime] = {}
        for snapshot in _history_snapshots(context):
            for key in seen_identifiers([snapshot]):
                if key not in last_seen or snapshot.collected_at > last_seen[key]:
                    last_seen[key] = snapshot.collected_at
        first_run = context.history.first_run_at
        history_days = (context.now - first_run).total_seconds() / 86_400 if first_run else 0.0
        for row in context.ledger.rows:
            if not is_active(row, inactive):
                continue
            subject = row_subject(row)
            zone = resolve_zone(context.policy, row.zone)
            keys = row_identifiers(row)
            if not keys:
                yield not_applicable(
                    self,
                    context,
                    device=None,
                    fact=subject,
                    zone=zone.id if zone else None,
                    reason_en=f"ledger row {row.row_number} has no host name, serial, MAC or IP",
                    reason_ja=f"台帳 {row.row_number} 行目にホスト名・シリアル・MAC・IP がありません",
                )
                continue
            if keys & now_seen:
                continue
            seen_times = [last_seen[key] for key in keys if key in last_seen]
            label = f"{row.asset_id or '#' + str(row.row_number)} {row.hostname or row.name or ''}"
            label = label.strip()
            if seen_times:
                latest = max(seen_times)
                idle = (context.now - latest).total_seconds() / 86_400
                if idle < days:
                    continue
                when_en = f"was last seen {latest:%Y-%m-%d} ({int(idle)} days ago)"
                when_ja = f"最後に検出されたのは {latest:%Y-%m-%d} ({int(idle)} 日前) です"
            elif first_run is not None and history_days >= days:
                when_en = f"has not been seen since auditing began on {first_run:%Y-%m-%d}"
                when_ja = f"監査開始 ({first_run:%Y-%m-%d}) 以降一度も検出されていません"
            else:
                yield not_applicable(
                    self,
                    context,
                    device=None,
                    fact=subject,
                    zone=zone.id if zone else None,
                    reason_en=f"{label} is not seen now and the stored history covers fewer "
                    f"than {days:g} days",
                    reason_ja=f"{label} は今回検出されず、保存された履歴が {days:g} 日に満たないため"
                    "判断できません",
                )
                continue
            yield self.finding(
                context,
                device=None,
                subject=subject,
                zone=zone.id if zone else None,
                message_en=f"Ledger asset {label} (status {row.status or 'unset'}) {when_en}.",
                message_ja=f"台帳の資産 {label} (状態 {row.status or '未記入'}) は{when_ja}。",
                evidence=[
                    EvidenceRef(
                        source="ledger", detail=f"{context.ledger.source}:row {row.row_number}"
                    ),
                    EvidenceRef(source="store", detail=f"looked for {', '.join(sorted(keys))}"),
                ],
            )
