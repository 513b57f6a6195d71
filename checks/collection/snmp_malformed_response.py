"""COL-003: the device answered, but with something that is not usable SNMP."""

from __future__ import annotations

from ._base import CollectionErrorCheck


class SnmpMalformedResponse(CollectionErrorCheck):
    """A device answered SNMP with garbage, a truncated message, or an error status.

    What it checks:
        Datagrams from the device that are not a well-formed BER SEQUENCE (random bytes, a
        message cut short), responses pysnmp could not decode, and error-status answers such as
        ``genErr`` for a table. A whole-device failure has subject ``snmp``; a failure of one
        table has subject ``table:<name>`` and the rest of the device is still collected.

    Why is this bad?:
        What the device reports cannot be trusted or read, so its checks are blind. Something
        other than the expected agent may be answering on the management address (a wrong
        device, a middlebox, a broken firmware).

    Example:
        A UDP service at the SNMP port answers every request with 48 random bytes: ``COL-003``
        "1 of 1 datagrams from the agent were not well-formed SNMP".

    Remediation:
        Confirm which host answers at that address and port; update or restart the agent; for a
        single-table ``genErr`` look for a known firmware bug of that MIB on the vendor's site.

    Parameters:
        None.
    """

    id = "COL-003"
    slug = "snmp-malformed-response"
    title_ja = "SNMP 応答の不正・途中切れ"
    title_en = "Malformed or truncated SNMP response"
