"""HRD-010: management access (vty, SNMP) is not restricted by an access list."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    config_known,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)


class ManagementAccessUnrestricted(Check):
    """Remote login or SNMP is open to any source address.

    What it checks:
        Subject ``vty``: no access class on the remote-login lines (``management.
        vty_access_class``) in a configuration that was read. Subject ``snmp``: SNMP v1/v2c
        communities configured with neither a per-community ACL nor ``management.
        snmp_access_class``. Without a configuration the check reports not applicable.
        Whether the ACL admits only the management zone is HRD-018.

    Why is this bad?:
        Without a source restriction, anyone who can reach the device's address from any
        zone (a compromised terminal, a guest on the shelter Wi-Fi) can try passwords and
        query SNMP. The guideline restricts administrative access (アクセス制御, 特権ID).

    Example:
        AW+ ``line vty 0 4`` without ``access-class`` yields ``vty``.

    Remediation:
        Cisco IOS / AlaxalA AX: ``ip access-list standard MGMT-ONLY`` / ``permit 10.99.0.0
        0.0.0.255``; ``line vty 0 15`` / ``access-class MGMT-ONLY in``; ``snmp-server community
        … RO MGMT-ONLY``. AW+: ``access-class`` on ``line vty``; ``snmp-server community … view …
        <acl>``. Yamaha RTX: ``sshd host 10.99.0.0/24``, ``snmp host 10.99.0.10``. FortiGate:
        ``config system admin`` / ``set trusthost1 10.99.0.0/24``. NEC IX: ``ip filter`` on the
        management interface and ``snmp-agent ip community … <acl>``.

    Parameters:
        None.
    """

    id = "HRD-010"
    slug = "management-access-unrestricted"
    severity = Severity.HIGH
    title_ja = "管理アクセス (VTY・SNMP) の接続元制限なし"
    title_en = "Management access not restricted by an access list"
    scope = "device"
    references = (
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.2.5 Set 'access-class' for 'line vty'",
            note="unverified",
        ),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.5.5 Set the ACL for each 'snmp-server community'",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for name, snapshot in snapshots_in_order(context):
            management = snapshot.management
            if not config_known(snapshot) and management.vty_access_class is None:
                yield unknown_fact(self, context, name, "management.vty_access_class")
                continue
            if not management.vty_access_class:
                yield management_finding(
                    self,
                    context,
                    name,
                    snapshot,
                    subject="vty",
                    fact="vty_access_class",
                    message_en=f"{name} accepts remote logins from any source address "
                    "(no access class on the vty lines).",
                    message_ja=f"{name} の VTY (リモートログイン) に接続元制限 (access-class) が"
                    "ありません。",
                )
            open_communities = [
                community
                for community in management.snmp_communities or []
                if not community.acl and not management.snmp_access_class
            ]
            if open_communities:
                yield management_finding(
                    self,
                    context,
                    name,
                    snapshot,
                    subject="snmp",
                    fact="snmp_communities",
                    message_en=f"{name} answers SNMP {len(open_communities)} community/"
                    "communities from any source address (no ACL).",
                    message_ja=f"{name} の SNMP コミュニティ {len(open_communities)} 個に接続元制限"
                    "がありません。",
                )
