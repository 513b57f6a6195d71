"""COL-002: the agent rejected the auditor's SNMPv3 credentials."""

from __future__ import annotations

from ._base import CollectionErrorCheck


class SnmpAuthenticationFailure(CollectionErrorCheck):
    """A device rejected the SNMPv3 user, authentication key or privacy key.

    What it checks:
        SNMPv3 polls that the agent answered with a report PDU: usmStatsUnknownUserNames
        (1.3.6.1.6.3.15.1.1.3, the user does not exist), usmStatsWrongDigests
        (1.3.6.1.6.3.15.1.1.5, wrong authentication key or protocol), usmStatsDecryptionErrors,
        usmStatsUnsupportedSecLevels, or an agent that answered engine discovery but never the
        encrypted request (wrong privacy key or protocol). SNMPv2c has no such report: a wrong
        community shows up as COL-001.

    Why is this bad?:
        The device is not audited in this run. Repeated failures also fill the device's log with
        authentication failures that hide real attacks, and may trigger lock-outs or traps.

    Example:
        The inventory says ``auth_protocol: sha256`` but the device's user was created with SHA-1:
        ``COL-002`` "Wrong SNMP PDU digest (report PDU usmStatsWrongDigests …)".

    Remediation:
        Compare the inventory's ``snmp.user``, ``auth_protocol`` and ``priv_protocol`` with the
        device (Cisco ``show snmp user``; Yamaha ``show config | grep snmpv3``) and update the
        secret the credential reference points to.

    Parameters:
        None.
    """

    id = "COL-002"
    slug = "snmp-authentication-failure"
    title_ja = "SNMP 認証失敗(SNMPv3 ユーザー・鍵の不一致)"
    title_en = "SNMP authentication failure"
