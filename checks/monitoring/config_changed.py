"""MON-001: the device's running configuration changed since the previous run."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import not_applicable, primary_zone, snapshots_in_order


def config_diff(before: str, after: str, *, context_lines: int = 2) -> list[str]:
    """Unified diff lines of two redacted configurations."""
    return list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile="previous",
            tofile="current",
            n=context_lines,
            lineterm="",
        )
    )


class ConfigurationChanged(Check):
    """The running configuration differs from the one collected in the previous run.

    What it checks:
        For every device whose configuration was collected over SSH in this run and in the
        previous one: the hash of the redacted running configuration. A different hash gives one
        finding with the unified diff (secrets appear only as markers; a changed secret shows as
        a changed marker). Without a previous configuration the check reports not applicable.

    Why is this bad?:
        Changes to network devices must go through change control (機器構成の変更の制限). A
        change nobody recorded is either an undocumented fix or an unauthorised change; both must
        be explained, and auditors ask for the exact before/after.

    Example:
        Yesterday ``lg-edge-sw1`` had ``switchport access vlan 21`` on Gi1/0/3, today ``vlan 10``:
        one finding with a diff of ``-`` / ``+`` lines.

    Remediation:
        Match the change with its change ticket; if there is none, find who changed what (device
        logs, AAA accounting) and restore or approve it. Record approved changes in the policy's
        baseline (MON-002).

    Parameters:
        max_diff_lines: diff lines quoted in the finding (default 200).
    """

    id = "MON-001"
    slug = "config-changed"
    severity = Severity.MEDIUM
    title_ja = "前回収集以降の設定変更"
    title_en = "Configuration changed since the previous run"
    scope = "history"

    class Params(CheckParams):
        max_diff_lines: int = Field(200, ge=0, description="Diff lines quoted in the finding")

    references = (
        Reference(kind="guideline", key="機器構成の変更の制限"),
        Reference(kind="plan", key="4-2-2"),
        Reference(kind="plan", key="4-2-3"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        limit = self.params(context).max_diff_lines
        for name, snapshot in snapshots_in_order(context):
            if snapshot.config_hash is None or snapshot.config_redacted is None:
                continue  # no configuration collected for this device (SNMP only)
            previous = context.history.previous_snapshots.get(name)
            if previous is None or previous.config_redacted is None:
                yield not_applicable(
                    self,
                    context,
                    device=name,
                    fact="previous-config",
                    reason_en="no configuration from a previous run to compare with",
                    reason_ja="比較する前回の設定がありません",
                    zone=primary_zone(context, name),
                )
                continue
            if previous.config_hash == snapshot.config_hash:
                continue
            diff = config_diff(previous.config_redacted, snapshot.config_redacted)
            added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
            removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
            quoted = diff[:limit] + (
                [f"… {len(diff) - limit} more lines"] if len(diff) > limit else []
            )
            yield self.finding(
                context,
                device=name,
                subject="running-config",
                zone=primary_zone(context, name),
                message_en=f"{name}: the running configuration changed since "
                f"{previous.collected_at:%Y-%m-%d %H:%M} ({added} lines added, {removed} removed)",
                message_ja=f"{name}: {previous.collected_at:%Y-%m-%d %H:%M} 以降に設定が変更されました"
                f"(追加 {added} 行、削除 {removed} 行)",
                evidence=[EvidenceRef(source="ssh", detail="\n".join(quoted))],
            )
