"""COL-000: a collector failed in a way no specific COL- check describes."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Outcome, Severity
from auditor.rules import AuditContext

from ._base import CollectionErrorCheck
from .kinds import check_id_for, describe


class CollectorCrashed(CollectionErrorCheck):
    """A collector crashed, or reported a failure that no other COL- check documents.

    What it checks:
        Collection failures of kind ``crashed`` (the engine's record of a collector that raised
        an exception for a whole batch of devices) and any failure whose kind no COL- check
        documents (or whose check is not registered), so that no failure is dropped silently.

    Why is this bad?:
        The devices concerned were not looked at in this run: their other checks are blind and
        their open findings are not resolved. A crash is usually a bug in the auditor or an
        unexpected answer from a device; either way the run is not a clean bill of health.

    Example:
        The SSH collector raises ``KeyError`` while preparing its thread pool: every device of the
        batch gets one ERROR finding ``COL-000`` with subject ``collector:ssh``.

    Remediation:
        Read the daemon log line of the run (``event=run``) and the finding's evidence, then
        report the crash with the device's platform and output (redacted) to the developers.
        Re-run ``auditor check DEVICE --only snmp|ssh`` after the fix.

    Parameters:
        None.
    """

    id = "COL-000"
    slug = "collector-crashed"
    severity = Severity.HIGH
    title_ja = "収集処理の異常終了"
    title_en = "Collector crashed or reported an unknown failure"

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        yield from super().evaluate(context)
        known = context.known_check_ids
        for error in context.collection_errors:
            check_id = check_id_for(error)
            if check_id == self.id or (check_id is not None and (not known or check_id in known)):
                continue
            label = check_id or str(error.kind)
            message_en, message_ja = describe(error)
            yield self.finding(
                context,
                device=error.device,
                subject=f"{label}:{error.subject}",
                message_en=f"Unknown collection failure {label}: {message_en}",
                message_ja=f"未定義の収集エラー {label}: {message_ja}",
                evidence=[EvidenceRef(source="engine", detail=error.detail or message_en)],
                outcome=Outcome.ERROR,
            )
