"""HRD-001: the device answers SNMPv1/v2c with a default or policy-forbidden community."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.policy.clauses import ACCESS_CONTROL, COMPUTER_AND_NETWORK, UNAUTHORISED_ACCESS
from auditor.rules import AuditContext, Check

from ._common import primary_zone, snapshots_in_order, unknown_fact

DEFAULT_COMMUNITIES = ("public", "private")
CONFIGURED_MARK = "v2c:<configured>"


class SnmpDefaultCommunityAccepted(Check):
    """The device answers SNMP v1/v2c with ``public``, ``private`` or a forbidden community.

    What it checks:
        The SNMP collector actively probes every device with one GET sysDescr.0 per SNMP version
        (v1, v2c) and community: ``public``, ``private`` and every name in the policy's
        ``forbidden_snmp_communities``. Each probe the device answered is one finding (subject
        ``snmp-community:<version>:<name>``). A device answering SNMPv2c with the inventory's own
        community is not reported here: "SNMPv3 required" is one fact with one finding, HRD-004.
        The check reads ``management.snmp_probe_accepted`` only; a device without a probe result
        gets a not-applicable finding, never a pass.

    Why is this bad?:
        Default communities are the first thing any scanner tries: anyone on a reachable segment
        reads the whole forwarding table, ARP cache and configuration facts of the device, and
        with ``private`` (often read-write) can change it. Community strings cross the network in
        clear text, so even a non-default v2c community is readable by anyone on the path.

    Example:
        A Yamaha RTX with ``snmp community read-only public`` and ``snmp host any`` answers the
        probe ``v2c:public``: one HIGH finding ``snmp-community:v2c:public``.

    Remediation:
        Cisco IOS: ``no snmp-server community public`` / ``no snmp-server community private``,
        then SNMPv3 (``snmp-server group … v3 priv``, ``snmp-server user … auth sha … priv aes
        128 …``) with an access list. AlaxalA AX / AW+: ``no snmp-server community public``.
        Yamaha RTX: ``no snmp community read-only``, ``no snmp community read-write`` and
        ``snmpv3 usm user …``, ``snmpv3 host <NMS> user …``. FortiGate: delete the community
        under ``config system snmp community``. NEC IX: ``no snmp-agent community public``.

    Parameters:
        None; the communities come from the policy (``forbidden_snmp_communities``,
        ``snmp_require_v3``).
    """

    id = "HRD-001"
    slug = "snmp-default-community"
    severity = Severity.HIGH
    title_ja = "SNMP 既定・禁止コミュニティ名で応答する"
    title_en = "Device answers SNMP with a default or forbidden community"
    scope = "device"
    needs = frozenset({"live"})
    references = (
        Reference(kind="guideline", key=ACCESS_CONTROL),
        Reference(kind="guideline", key="無線LAN及びネットワークの盗聴対策"),
        Reference(kind="guideline", key=UNAUTHORISED_ACCESS),
        Reference(kind="guideline", key=COMPUTER_AND_NETWORK),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.5.2",
            note="Unset 'private' for 'snmp-server community' (Cisco IOS only)",
        ),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.5.3",
            note="Unset 'public' for 'snmp-server community' (Cisco IOS only)",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        forbidden = set(DEFAULT_COMMUNITIES) | set(context.policy.forbidden_snmp_communities)
        for name, snapshot in snapshots_in_order(context):
            accepted = snapshot.management.snmp_probe_accepted
            if accepted is None:
                yield unknown_fact(self, context, name, "management.snmp_probe_accepted")
                continue
            zone = primary_zone(context, name)
            evidence = [EvidenceRef(source="snmp", detail="management.snmp_probe_accepted")]
            for probe in sorted(set(accepted)):
                version, _, community = probe.partition(":")
                if probe == CONFIGURED_MARK or community not in forbidden:
                    continue
                # A well-known default (``public``) is no secret and is named in subject and
                # message alike. A policy-forbidden name is a community the device really has:
                # it is named by its place in the policy list, never by its value.
                if community in DEFAULT_COMMUNITIES:
                    label, shown, shown_ja = community, f"'{community}'", f"「{community}」"
                else:
                    place = sorted(context.policy.forbidden_snmp_communities).index(community) + 1
                    label = f"policy-forbidden-{place}"
                    shown, shown_ja = (
                        f"#{place} of the policy list",
                        f"(ポリシー一覧の {place} 番目)",
                    )
                yield self.finding(
                    context,
                    device=name,
                    subject=f"snmp-community:{version}:{label}",
                    zone=zone,
                    evidence=evidence,
                    message_en=f"{name} answers SNMP{version} with the community "
                    f"{shown}, a default or policy-forbidden name.",
                    message_ja=f"{name} が SNMP{version} のコミュニティ名{shown_ja}"
                    "(既定値またはポリシーで禁止された名前)で応答します。",
                )
