"""COL-005: the SNMP secret named in the inventory could not be read."""

from __future__ import annotations

from ._base import CollectionErrorCheck


class SnmpCredentialUnresolved(CollectionErrorCheck):
    """The community or SNMPv3 key a device needs could not be resolved.

    What it checks:
        Credential references in the inventory (``env:``, ``file:`` or systemd credential) that
        are missing, unreadable or empty, and devices whose SNMP settings lack a required part
        (a v2c community, a v3 user). The device is not polled at all; the secret itself never
        appears in the message, only the reference.

    Why is this bad?:
        The device is not audited in this run. A secret that disappeared after a deployment
        usually means every device sharing it is blind.

    Example:
        ``community: {env: SNMP_COMMUNITY_CORE}`` with the variable unset: ``COL-005``
        "community env:SNMP_COMMUNITY_CORE could not be read (KeyError)".

    Remediation:
        Provide the secret where the reference points: the environment of the service,
        the file (readable by the auditor user only), or ``LoadCredential=`` in the unit.

    Parameters:
        None.
    """

    id = "COL-005"
    slug = "snmp-credential-unresolved"
    title_ja = "SNMP 認証情報を取得できない"
    title_en = "SNMP credential could not be resolved"
