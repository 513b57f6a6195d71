"""Which commands each platform may be sent and which parser reads their output.

The command tuples are the read-only allow-list: the SSH collector refuses to send anything that
is not listed here for the device's platform, before it opens a connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType

from auditor.platforms.parts import SnapshotParts

Parser = Callable[..., SnapshotParts]


@dataclass(frozen=True)
class PlatformProfile:
    platform: str
    netmiko_device_type: str
    commands: tuple[str, ...]
    config_command: str
    parse: Parser

    def allows(self, command: str) -> bool:
        """Exact match only: no prefixes, no abbreviations, no pipes."""
        return command in self.commands


def _profile(module: ModuleType) -> PlatformProfile:
    return PlatformProfile(
        platform=module.PLATFORM,
        netmiko_device_type=module.NETMIKO_DEVICE_TYPE,
        commands=tuple(module.COMMANDS),
        config_command=module.CONFIG_COMMAND,
        parse=module.parse,
    )


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

    return {
        "cisco_ios": _profile(cisco_ios),
        "allied_telesis_awplus": _profile(allied_awplus),
        "yamaha_rtx": _profile(yamaha_rtx),
        "fortinet": _profile(fortinet),
        "alaxala_ax": _profile(alaxala_ax),
        "nec_ix": _profile(nec_ix),
    }


def profile_for(platform: str) -> PlatformProfile | None:
    return profiles().get(platform)
