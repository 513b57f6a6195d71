"""The typed profile every platform module exports as ``PROFILE``.

A profile is everything the auditor knows about one vendor CLI: the read-only command allow-list,
the netmiko driver and what it sends while preparing a session, the parser, the SNMP quirks the
SNMP collector needs, and the snapshot facts the platform can state at all. A fact a platform does
not declare must stay ``None`` ("unknown") after parsing, so no check mistakes a router without
the feature for a router with the feature switched off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel

from auditor.model.snapshot import (
    CompactModel,
    DeviceKind,
    Interface,
    ManagementPlane,
    SystemInfo,
)
from auditor.model.snmp_walk import DeviceWalk
from auditor.platforms.parts import SnapshotParts

FACT_SECTIONS: Mapping[str, type[BaseModel] | type[CompactModel]] = {
    "system": SystemInfo,
    "management": ManagementPlane,
    "interfaces": Interface,
}
"""Snapshot sections whose optional fields are per-platform facts (``interfaces`` per port)."""


class Parser(Protocol):
    def __call__(self, outputs: Mapping[str, str], *, salt: bytes) -> SnapshotParts: ...


Detector = Callable[[str], float]
"""Scores how much a saved configuration text looks like this platform's (0 = not at all, 1 = sure)."""


def score_markers(text: str, markers: tuple[tuple[str, float], ...]) -> float:
    """Sum of the weights of the multiline regexes found in ``text``, capped at 1.

    Offline audits receive files without a platform name; each profile lists the lines only its
    own CLI writes, so a file is attributed by evidence in its text rather than by its file name.
    """
    score = sum(weight for pattern, weight in markers if re.search(pattern, text, re.MULTILINE))
    return min(1.0, score)


def marker_detector(markers: tuple[tuple[str, float], ...]) -> Detector:
    """A profile's ``detect``: how much a text looks like a saved configuration of the platform
    whose lines ``markers`` lists (:func:`score_markers`)."""

    def detect(text: str) -> float:
        return score_markers(text, markers)

    return detect


FORWARDING_FACTS = frozenset(
    {
        "forwarding.nat_rules",
        "forwarding.policy_routes",
        "forwarding.routing_protocols",
        "forwarding.route_leaks",
    }
)
"""What path analysis needs beyond routes and filters: NAT (``nat_rules``), policy-based routing
(``policy_routes``), dynamic routing configured (``routing_protocols``) and routes whose next hop
is looked up in another VRF (``Route.next_hop_vrf``). A platform that declares one states it for
every configuration it reads (an empty list = none configured); one that does not leaves it
unknown, and path analysis cannot tell a missing NAT from an unread one."""


def fact_paths() -> frozenset[str]:
    """Every dotted fact path a platform may declare: the optional fields of the fact sections,
    plus the forwarding facts.

    Fields whose default is ``None`` are facts that can be unknown; ``source`` is bookkeeping.
    """
    return FORWARDING_FACTS | frozenset(
        f"{section}.{name}"
        for section, model in FACT_SECTIONS.items()
        for name, info in model.model_fields.items()
        if name != "source" and info.default is None and info.default_factory is None
    )


@dataclass(frozen=True)
class SnmpQuirks:
    """What the SNMP collector must do beyond the standard tables for this vendor."""

    enterprise_prefix: str
    """sysObjectID prefix of the vendor (devices of another inventory platform match by it)."""
    extra_tables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Vendor tables walked when Q-BRIDGE-MIB's dot1qTpFdbTable is absent."""
    per_vlan_fdb_vlans: Callable[[DeviceWalk], list[int]] | None = None
    """VLANs whose own BRIDGE-MIB instance (``community@vlan`` / ``vlan-<id>``) holds the FDB."""


@dataclass(frozen=True)
class SessionRules:
    """How the collector brings a session to where the allow-listed commands are accepted.

    Vendor CLIs differ in which mode answers ``show running-config`` and in how one gets there
    without disturbing an administrator; the collector applies these rules generically.
    """

    enable: Literal["if_secret", "always", "never"] = "if_secret"
    """``if_secret``: the driver's ``enable()`` only when the inventory has an enable secret;
    ``always``: also without one (ALAXALA AX asks no password when none is set); ``never``:
    the driver's ``enable()`` is intrusive (NEC IX ``svintr-config``) and must not be called."""
    driver_preparation: bool = True
    """False: netmiko's own session preparation is replaced by prompt detection only, because it
    would send something intrusive (NEC IX: ``svintr-config``); :attr:`mode_commands` do the rest."""
    mode_commands: tuple[str, ...] = ()
    """Sent by the collector after login, before the allow-listed commands (mode entry, paging).
    They must not change the configuration; dry-run lists them."""
    leave_commands: tuple[str, ...] = ()
    """Sent after the allow-listed commands to leave the mode :attr:`mode_commands` entered."""
    mode_busy: str | None = None
    """Regex: the answer to a mode command meaning another session holds that mode."""
    error_lines: tuple[str, ...] = ()
    """Regexes (multiline) of the platform's error answers, beyond the collector's generic ones."""
    prompt_prefix: str = ""
    """Regex of characters the device may put before the hostname in its prompt (AX ``!``)."""


@dataclass(frozen=True)
class PlatformProfile:
    platform: str
    netmiko_device_type: str
    commands: tuple[str, ...]
    config_command: str
    parse: Parser
    facts: frozenset[str]
    """Dotted fact paths (``management.password_encryption``, ``interfaces.port_security``)
    the parser may state; every other fact stays ``None``."""
    session_preparation: tuple[str, ...] = ()
    """What netmiko's driver itself sends before the allow-listed commands (shown by dry-run)."""
    snmp: SnmpQuirks | None = None
    session: SessionRules = field(default_factory=SessionRules)
    device_kind: DeviceKind | None = None
    """What every device of the platform is (the parser states it as ``system.device_kind``)."""
    detect: Detector | None = None
    """Recognises a saved configuration of this platform (offline audit without a platform)."""

    def __post_init__(self) -> None:
        unknown = self.facts - fact_paths()
        if unknown:
            raise ValueError(f"{self.platform} declares unknown facts: {sorted(unknown)}")
        if self.config_command not in self.commands:
            raise ValueError(f"{self.platform}: config command is not allow-listed")

    def allows(self, command: str) -> bool:
        """Exact match only: no prefixes, no abbreviations, no pipes."""
        return command in self.commands
