"""TRF-007: an active probe reached a destination the policy forbids."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import REFERENCES, evidence, probe_subject, probes_with


class ProbeForbiddenReachable(Check):
    """A probe sent from inside one zone got an answer from a destination the policy forbids.

    What it checks:
        The results of ``auditor probe --from-zone Z``: TCP SYN, ICMP echo and UDP probes from a
        probe host in zone Z to the representative targets (``probe_targets``) of every other
        zone. A probe counts as answered only when the target itself replied (SYN-ACK or RST,
        echo reply, UDP reply or its ICMP port unreachable). Every answered probe to a
        destination and service no policy flow allows (flows allowed only ``via`` a relay count
        as forbidden, since the probe host is no relay) is one critical finding.

    Why is this bad?:
        It is direct proof that the zones are not separated: whatever the configurations say, a
        packet from zone Z reached the other zone. Auditors ask for exactly this proof of 分離.

    Example:
        From ``mynumber``, ``tcp/443`` to the Internet tier target ``10.30.0.10`` answers with a
        SYN-ACK: ``probe:mynumber->10.30.0.10:tcp/443``.

    Remediation:
        Find the permit on the path (``auditor matrix``, SEG-001) and remove it; run the probe
        again to confirm the destination no longer answers.

    Parameters:
        None.
    """

    id = "TRF-007"
    slug = "probe-forbidden-reachable"
    severity = Severity.CRITICAL
    title_ja = "方針で禁止された宛先にプローブが到達"
    title_en = "Probe reached a destination the policy forbids"
    scope = "traffic"
    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        for probe in probes_with(summary, expected="forbidden", answered=True):
            subject = probe_subject(probe)
            yield self.finding(
                context,
                subject=subject,
                zone=probe.source_zone,
                message_en=(
                    f"From zone {probe.source_zone}, {probe.target} ({probe.target_zone}) answered "
                    f"{probe.service} with {probe.reply} at {probe.sent_at}, although the policy "
                    "forbids it."
                ),
                message_ja=(
                    f"ゾーン {probe.source_zone} から、方針で禁止された {probe.target} "
                    f"({probe.target_zone}) の {probe.service} が {probe.sent_at} に応答しました "
                    f"({probe.reply})。"
                ),
                evidence=evidence(summary, subject),
            )
