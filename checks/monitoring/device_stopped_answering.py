"""MON-006: a device has not answered for N consecutive runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ..collection.kinds import check_id_for
from ..hardening._common import primary_zone

SAME_RUN_SECONDS = 300  # errors this close together belong to one run (SNMP and SSH of one poll)


def _runs(times: list[datetime]) -> list[datetime]:
    """Collapse failure timestamps of the same run into one (the earliest)."""
    runs: list[datetime] = []
    for moment in sorted(times):
        if not runs or (moment - runs[-1]).total_seconds() > SAME_RUN_SECONDS:
            runs.append(moment)
    return runs


class DeviceStoppedAnswering(Check):
    """A device failed collection in ``min_runs`` consecutive runs, this one included.

    What it checks:
        Devices with a collection error in this run and no snapshot. Earlier failures come from
        the store (``history.collection_failures``); the run of failures is counted since the
        device last answered (``history.last_success``, else its last stored snapshot). At
        ``min_runs`` (default 2) consecutive failed runs it is a finding (subject
        ``unreachable``) that gives the first failure time. This run's own error is the COL-
        finding; this check says the silence persists.

    Why is this bad?:
        A device that stopped answering is not audited: its findings are frozen at the last
        poll, so a dead switch, a changed password or an ACL that now blocks the auditor all
        hide whatever is happening there. Monitoring must notice (情報システムの監視).

    Example:
        ``lg-rt1`` timed out on 11-22 02:00, 11-23 02:00 and 11-24 02:00: "not answering for 3
        runs since 2026-11-22 02:00".

    Remediation:
        Check the device and its management path (power, ``ping``, the ACL that admits the
        auditor, the SNMPv3 user / SSH account). Restore collection; if the device was removed,
        update the inventory and the ledger.

    Parameters:
        ``min_runs`` (int, default 2): consecutive failed runs before reporting.
    """

    id = "MON-006"
    slug = "device-stopped-answering"
    severity = Severity.HIGH
    title_ja = "機器が連続して応答しない"
    title_en = "Device stopped answering"
    scope = "history"
    needs = frozenset({"live"})

    class Params(CheckParams):
        min_runs: int = Field(2, ge=1, description="Consecutive failed runs before reporting")

    references = (
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        needed = self.params(context).min_runs
        failing: dict[str, list[str]] = {}
        for error in context.collection_errors:
            if error.device not in context.snapshots:
                failing.setdefault(error.device, []).append(check_id_for(error) or str(error.kind))
        for name in sorted(failing):
            history = context.history
            last_ok = history.last_success.get(name)
            previous = history.previous_snapshots.get(name)
            if last_ok is None and previous is not None:
                last_ok = previous.collected_at
            earlier = [
                moment
                for moment in history.collection_failures.get(name, [])
                if last_ok is None or moment > last_ok
            ]
            runs = _runs([*earlier, context.now])
            if len(runs) < needed:
                continue
            first = runs[0].strftime("%Y-%m-%d %H:%M UTC")
            since_ok_en = f"; last answered {last_ok:%Y-%m-%d %H:%M UTC}" if last_ok else ""
            since_ok_ja = f"。最後に応答したのは {last_ok:%Y-%m-%d %H:%M UTC}" if last_ok else ""
            yield self.finding(
                context,
                device=name,
                subject="unreachable",
                zone=primary_zone(context, name),
                message_en=f"{name} has not answered for {len(runs)} consecutive runs since "
                f"{first}{since_ok_en}.",
                message_ja=f"{name} は {first} 以降 {len(runs)} 回連続で応答していません"
                f"{since_ok_ja}。",
                evidence=[
                    EvidenceRef(
                        source="engine",
                        detail=f"collection errors {', '.join(sorted(set(failing[name])))}; "
                        f"failed runs since {runs[0].isoformat()}",
                    )
                ],
            )
