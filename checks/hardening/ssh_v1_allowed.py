"""HRD-003: SSH protocol version 1 is allowed."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    management_finding,
    snapshots_in_order,
    unknown_fact,
)


class SshVersion1Allowed(Check):
    """The SSH server accepts protocol version 1.

    What it checks:
        ``management.ssh_version`` of every device whose SSH server is not known to be off: a
        version below 2 (``1`` = only v1, or v1 compatibility) is a finding. A device whose SSH
        server is off has nothing to report here (HRD-002 covers Telnet).

    Why is this bad?:
        SSH-1 has known design flaws (session hijacking, CRC-32 compensation attack) and is
        removed from current OpenSSH. A device that still negotiates it gives an attacker on the
        path a way to read or take over administrator sessions.

    Example:
        Cisco ``ip ssh version 1`` (or no ``ip ssh version 2`` on old IOS, which negotiates 1.99).

    Remediation:
        Cisco IOS: ``ip ssh version 2``. AlaxalA AX: ``ip ssh version 2``.
        AW+: ``no ssh server v1`` / ``ssh server v2only``. Yamaha RTX (Rev.10+ supports only
        SSH-2): update the firmware. FortiGate and NEC IX support SSH-2 only.

    Parameters:
        None.
    """

    id = "HRD-003"
    slug = "ssh-v1-allowed"
    severity = Severity.HIGH
    title_ja = "SSH バージョン1 を許可"
    title_en = "SSH protocol version 1 allowed"
    scope = "device"
    references = (
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 2.1.1.2 Set 'version 2' for 'ip ssh version'",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for name, snapshot in snapshots_in_order(context):
            management = snapshot.management
            if management.ssh_enabled is False:
                continue
            if management.ssh_version is None:
                yield unknown_fact(self, context, name, "management.ssh_version")
                continue
            if management.ssh_version >= 2:
                continue
            yield management_finding(
                self,
                context,
                name,
                snapshot,
                subject="ssh",
                fact="ssh_version",
                message_en=f"{name} allows SSH protocol version {management.ssh_version}.",
                message_ja=f"{name} が SSH バージョン{management.ssh_version} を許可しています。",
            )
