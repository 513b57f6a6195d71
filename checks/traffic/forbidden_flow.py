"""TRF-001: traffic between zones the policy does not allow."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    REFERENCES,
    covering_flows,
    evidence,
    host_pairs_text,
    is_mynumber,
    when,
    zone_flows,
)


class ForbiddenFlow(Check):
    """Traffic was seen between two zones on a service the policy does not allow.

    What it checks:
        Every flow of the analysed capture whose source and destination addresses map to two
        different policy zones (by subnet, then VLAN). A flow is allowed when a policy ``flows``
        entry between the two zones lists its service and, where the entry names
        ``destinations``, the destination address is one of them. Flows allowed only ``via`` a
        relay are left to TRF-002. One finding per zone pair and service, citing the first and
        last packet times, the packet count and up to three host pairs.

    Why is this bad?:
        Configuration checks say what the devices should let through; packets say what they did.
        A flow the policy denies is a hole in the 三層の対策 separation: from the My Number tier it
        is the leak the guideline's separation exists to stop, so it is graded critical.

    Example:
        ``10.10.1.5 → 10.30.1.5 tcp/443`` (My Number → Internet tier) with no such flow in the
        policy yields ``flow:mynumber->internet:tcp/443`` (critical).

    Remediation:
        Find the permit that lets the flow through (``auditor matrix``, SEG-001) and remove it,
        or, if the flow is a legitimate business need, add it to the policy's ``flows`` with the
        approving decision.

    Parameters:
        None.
    """

    id = "TRF-001"
    slug = "traffic-forbidden-flow"
    severity = Severity.HIGH
    title_ja = "方針で許可されていないゾーン間通信を観測"
    title_en = "Traffic between zones the policy does not allow"
    scope = "traffic"
    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        policy = context.policy
        for flow in zone_flows(summary):
            bad = []
            for pair in flow.host_pairs:
                if covering_flows(policy, flow, pair.destination):
                    continue  # allowed (a via-only flow is TRF-002's business)
                bad.append(pair)
            packets = sum(p.packets for p in bad)
            if flow.unlisted_packets and not policy.flows_between(
                flow.source_zone, flow.destination_zone
            ):
                packets += flow.unlisted_packets
            if not bad and packets == 0:
                continue
            first = min((p.first_seen or "" for p in bad), default=flow.first_seen) or None
            last = max((p.last_seen or "" for p in bad), default=flow.last_seen) or None
            span_en, span_ja = when(first, last, packets)
            hosts = host_pairs_text(bad)
            critical = is_mynumber(policy, flow.source_zone)
            subject = f"flow:{flow.source_zone}->{flow.destination_zone}:{flow.service}"
            yield self.finding(
                context,
                subject=subject,
                zone=flow.source_zone,
                severity=Severity.CRITICAL if critical else None,
                message_en=(
                    f"Traffic {flow.source_zone} → {flow.destination_zone} on {flow.service} "
                    f"is not allowed by the policy: {span_en} ({hosts})."
                ),
                message_ja=(
                    f"方針で許可されていない {flow.source_zone} → {flow.destination_zone} の "
                    f"{flow.service} 通信を観測しました: {span_ja} ({hosts})。"
                ),
                evidence=evidence(summary, subject),
            )
