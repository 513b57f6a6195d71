"""TRF-008: an active probe got no answer from a destination the policy allows."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import REFERENCES, evidence, probe_subject, probes_with


class ProbeAllowedUnreachable(Check):
    """A probe to a destination the policy allows got no answer.

    What it checks:
        The results of ``auditor probe``: every probe to a target and service that a policy
        flow allows (not only via a relay) and that got no answer from the target is one
        informational finding.

    Why is this bad?:
        Not a breach: either the target does not run the service, a filter is stricter than the
        policy, or the target is down. It keeps the policy and the network honest with each
        other (an allowed flow nobody can use is often a stale policy entry).

    Example:
        From ``management``, ``udp/161`` to ``10.10.0.10`` (flow F-005) gets no reply:
        ``probe:management->10.10.0.10:udp/161`` (info).

    Remediation:
        Check that the target is up and the service listens; if the flow is no longer needed,
        remove it from the policy.

    Parameters:
        None.
    """

    id = "TRF-008"
    slug = "probe-allowed-unreachable"
    severity = Severity.INFO
    title_ja = "方針で許可された宛先にプローブが届かない"
    title_en = "Probe got no answer from an allowed destination"
    scope = "traffic"
    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        for probe in probes_with(summary, expected="allowed", answered=False):
            subject = probe_subject(probe)
            flow = probe.flow_id or "-"
            yield self.finding(
                context,
                subject=subject,
                zone=probe.source_zone,
                message_en=(
                    f"From zone {probe.source_zone}, {probe.target} ({probe.target_zone}) did not "
                    f"answer {probe.service} at {probe.sent_at}, although flow {flow} allows it."
                ),
                message_ja=(
                    f"ゾーン {probe.source_zone} から、方針 {flow} で許可された {probe.target} "
                    f"({probe.target_zone}) の {probe.service} が {probe.sent_at} に応答しませんでした。"
                ),
                evidence=evidence(summary, subject),
            )
