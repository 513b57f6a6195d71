"""The platform profiles the auditor knows, by inventory platform name.

Each platform module exports one typed :class:`~auditor.platforms.profile.PlatformProfile` as
``PROFILE``; this module only lists them. The command tuples are the read-only allow-list: the
SSH collector refuses to send anything that is not listed for the device's platform, before it
opens a connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from auditor.platforms.profile import PlatformProfile, SnmpQuirks

__all__ = [
    "PlatformProfile",
    "SnmpQuirks",
    "detect_platform",
    "profile_for",
    "profiles",
    "snmp_quirks_for",
]


@cache
def profiles() -> Mapping[str, PlatformProfile]:
    """Inventory platform name → profile (imports the parser modules on first use)."""
    from auditor.platforms import (
        alaxala_ax,
        allied_awplus,
        cisco_ios,
        fortinet,
        nec_ix,
        yamaha_rtx,
    )

    listed = (
        cisco_ios.PROFILE,
        allied_awplus.PROFILE,
        yamaha_rtx.PROFILE,
        fortinet.PROFILE,
        alaxala_ax.PROFILE,
        nec_ix.PROFILE,
    )
    return {profile.platform: profile for profile in listed}


def profile_for(platform: str) -> PlatformProfile | None:
    return profiles().get(platform)


def snmp_quirks_for(platform: str, object_id: str) -> SnmpQuirks | None:
    """The vendor SNMP quirks of a device: by inventory platform, else by sysObjectID prefix."""
    own = profile_for(platform)
    if own is not None and own.snmp is not None:
        return own.snmp
    for profile in profiles().values():
        if profile.snmp is not None and object_id.startswith(profile.snmp.enterprise_prefix):
            return profile.snmp
    return None


DETECT_MINIMUM = 0.5
"""A platform is chosen only with at least this score…"""
DETECT_MARGIN = 0.2
"""…and this lead over the runner-up; otherwise the file is reported as undecided."""


def detect_platform(text: str) -> tuple[str | None, dict[str, float]]:
    """The platform whose profile recognises ``text`` clearly, with every profile's score.

    ``None`` when no profile is sure enough or two are too close: a wrong parser would read a
    foreign configuration as a device with everything switched off, so undecided is reported.
    """
    scores = {
        name: profile.detect(text)
        for name, profile in profiles().items()
        if profile.detect is not None
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < DETECT_MINIMUM:
        return None, scores
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < DETECT_MARGIN:
        return None, scores
    return ranked[0][0], scores
