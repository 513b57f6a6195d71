"""COL-001: the device did not answer SNMP (unreachable, wrong port, or a wrong v2c community)."""

from __future__ import annotations

from ._base import CollectionErrorCheck


class SnmpTimeout(CollectionErrorCheck):
    """A device did not answer SNMP within its timeout and retries.

    What it checks:
        Devices in the inventory whose SNMP poll got no answer at all: nothing listens at the
        address and port, a firewall drops the packets, or (with SNMPv2c) the community is wrong.
        An SNMPv2c agent drops a request with an unknown community without answering, so for v2c
        a wrong community cannot be told apart from a timeout; the message says so.

    Why is this bad?:
        Every other check of this device is blind for this run: no finding does not mean
        compliant. A device that stopped answering may also have been replaced, re-addressed or
        reconfigured without the change being recorded.

    Example:
        ``lgwan-core-sw1 (10.99.0.11:161)`` with ``timeout: 2`` and ``retries: 1`` gives no answer
        in 2 × 2 s: one ERROR finding ``COL-001`` with subject ``snmp``.

    Remediation:
        Check reachability from the auditor (``snmpget -v2c -c … ADDRESS sysDescr.0`` from the
        same host), the ``snmp.port`` in the inventory, the SNMP access list on the device (for
        example Cisco ``snmp-server community NAME RO ACL``) and the community or v3 user.

    Parameters:
        None. Timeout and retries are per device in the inventory (``snmp.timeout``,
        ``snmp.retries``).
    """

    id = "COL-001"
    slug = "snmp-timeout"
    title_ja = "SNMP 応答なし(タイムアウト・到達不能)"
    title_en = "SNMP timeout or device unreachable"
