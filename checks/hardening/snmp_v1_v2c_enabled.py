"""HRD-004: SNMP v1/v2c is configured where the policy requires SNMPv3."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.model.snapshot import Source
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    device_zones,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)


class SnmpCommunityVersionsEnabled(Check):
    """SNMP v1 or v2c is enabled although the policy requires SNMPv3.

    What it checks:
        When the policy sets ``snmp_require_v3: true`` (the default), every device whose
        configuration enables SNMP v1 or v2c (``management.snmp_versions`` or a configured
        community), or that the auditor itself polled with SNMPv2c (inventory ``snmp.version``),
        is reported once (subject ``snmp``), naming the versions and the number of configured
        communities (never their names). The parameter ``zones`` limits the requirement to some
        zones. The active probe for a default community is HRD-001.

    Why is this bad?:
        Community strings travel in clear text and SNMP v1/v2c has no integrity or privacy: a
        read community reveals the whole network (ARP, FDB, routes); a write community lets an
        attacker change the configuration. SNMPv3 with authPriv (SHA + AES) avoids both.

    Example:
        Cisco ``snmp-server community rei-ro RO SNMP-MGMT`` on an LGWAN switch with the default
        policy yields one finding ``snmp``.

    Remediation:
        Cisco IOS: ``snmp-server group RO v3 priv`` / ``snmp-server user kyojin RO v3 auth sha …
        priv aes 128 …``; ``no snmp-server community <name>``.
        AlaxalA AX: ``snmp user …`` / ``no snmp-server community``. AW+: ``snmp-server user …
        auth sha priv aes``; ``no snmp-server community``. Yamaha RTX: ``snmpv3 usm user …
        auth sha … priv aes128-cfb …``; ``no snmp community read-only``. FortiGate: ``config
        system snmp user``; delete ``config system snmp community`` entries. NEC IX:
        ``snmp-agent user …`` instead of ``snmp-agent community``.

    Parameters:
        ``zones`` (list of zone ids, default empty = every zone): where SNMPv3 is required.
    """

    id = "HRD-004"
    slug = "snmp-v1-v2c-enabled"
    severity = Severity.MEDIUM
    title_ja = "SNMPv3 必須の環境で SNMP v1/v2c が有効"
    title_en = "SNMP v1/v2c enabled where SNMPv3 is required"
    scope = "device"

    class Params(CheckParams):
        zones: list[str] = Field(
            default_factory=list, description="Zone ids where SNMPv3 is required (empty: all)"
        )

    references = (
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.5 SNMP Rules",
            note="unverified item number",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        if not context.policy.snmp_require_v3:
            return
        limited = set(self.params(context).zones)
        for name, snapshot in snapshots_in_order(context):
            if limited and not limited & {zone.id for zone in device_zones(context, name)}:
                continue
            management = snapshot.management
            device = context.inventory.device(name)
            polled_v2c = (
                device is not None
                and device.snmp is not None
                and device.snmp.version == "v2c"
                and Source.SNMP in snapshot.sources
            )
            configured = management.snmp_versions is not None or (
                management.snmp_communities is not None
            )
            if not configured and not polled_v2c:
                yield unknown_fact(self, context, name, "management.snmp_versions")
                continue
            versions = {v for v in management.snmp_versions or [] if v in {"v1", "v2c"}}
            communities = management.snmp_communities or []
            versions |= {community.version for community in communities}
            if polled_v2c:
                versions.add("v2c")  # the auditor itself polled it with a community
            if not versions:
                continue
            listed = "/".join(sorted(versions))
            yield management_finding(
                self,
                context,
                name,
                snapshot,
                subject="snmp",
                fact="snmp_versions",
                message_en=f"{name} has SNMP {listed} enabled ({len(communities)} "
                "community/communities) although the policy requires SNMPv3.",
                message_ja=f"{name} で SNMP {listed} が有効です (コミュニティ {len(communities)} 個)。"
                "ポリシーは SNMPv3 を求めています。",
            )
