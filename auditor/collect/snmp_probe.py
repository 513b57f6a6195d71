"""Active probe: does the device answer SNMPv1/v2c with a default or forbidden community?

The probe sends one GET sysDescr.0 per (version, community) pair, all at once, with no retries and
a short timeout, so a device that correctly ignores them costs one timeout, not one per pair. The
community names probed are defaults (``public``/``private``) or names the policy lists as
forbidden; they are not secrets, so which ones were accepted is stored as ``"v2c:public"``-style
strings. The device's own configured community is never stored: its acceptance is recorded as
the literal ``"v2c:<configured>"``.

Side effect to know about: every rejected probe increments the agent's snmpInBadCommunityNames
counter and may raise an authenticationFailure trap on the device.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    get_cmd,
)

from auditor.collect.snmp_session import share_mib_view
from auditor.platforms.snmp_columns import SYS_DESCR

CONFIGURED_COMMUNITY_MARK = "v2c:<configured>"
PROBE_VERSIONS = (("v1", 0), ("v2c", 1))
DEFAULT_PROBE_COMMUNITIES = ("public", "private")


async def probe_communities(
    engine: SnmpEngine,
    host: str,
    port: int,
    communities: Iterable[str],
    *,
    timeout: float,
) -> list[str]:
    """Return ``"v1:NAME"`` / ``"v2c:NAME"`` for every probe the agent answered."""
    names = list(dict.fromkeys(communities))
    share_mib_view(engine)
    target = await UdpTransportTarget.create((host, port), timeout=timeout, retries=0)

    async def one(version: str, model: int, community: str) -> str | None:
        indication, status, _, _ = await get_cmd(
            engine,
            CommunityData(community, mpModel=model),
            target,
            ContextData(),
            ObjectType(ObjectIdentity(SYS_DESCR + ".0")),
            lookupMib=False,
        )
        if indication or status:
            return None
        return f"{version}:{community}"

    results = await asyncio.gather(
        *(one(version, model, name) for version, model in PROBE_VERSIONS for name in names),
        return_exceptions=True,
    )
    return [result for result in results if isinstance(result, str)]
