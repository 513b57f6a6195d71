"""Alaxala AX switches (IOS-like CLI): read-only command list and parser.

ntc-templates has no Alaxala templates, so ``show version`` is read here and the configuration by
the shared IOS-like interpreter (``interface gigabitethernet 0/1``, quoted names). Exact AX show
syntax is from the vendor manuals as summarised in docs/ssh.md; it is marked unverified there.

Session: every documented workflow sends ``enable`` before ``show running-config`` (it goes
straight to ``#`` when no enable password is set), so the collector always does. Prompts may carry
a leading ``!`` while changes are unsaved, and are a bare ``>``/``#`` when no hostname is set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from auditor.model.snapshot import SystemInfo
from auditor.platforms import ios_config
from auditor.platforms.config_only_parts import parts_from_config
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.profile import PlatformProfile, SessionRules, marker_detector

PLATFORM = "alaxala_ax"
NETMIKO_DEVICE_TYPE = "alaxala_ax36s"
CONFIG_COMMAND = "show running-config"
COMMANDS: tuple[str, ...] = ("show version", "show running-config")
FACTS: frozenset[str] = (
    frozenset(
        {"system.name", "system.vendor", "system.model", "system.serial", "system.os_version"}
    )
    | ios_config.MANAGEMENT_FACTS
    | ios_config.INTERFACE_FACTS
    | {"forwarding.routing_protocols"}  # ``router ospf|bgp|rip`` blocks
)


def parse_version(text: str) -> SystemInfo:
    model = re.search(r"^\s*Model:\s*(\S+)", text, re.MULTILINE)
    software = re.search(r"^\s*S/W:\s*(.+?)\s*$", text, re.MULTILINE)
    # AX3640S prints ``H/W: MODEL [SERIAL]``; AX3660S prints ``H/W: Main board`` alone with the
    # bracket on the next (indented) line, then power/fan modules with their own brackets. The
    # main-board bracket is a colon-separated composite kept whole, as ALAXALA's ax_facts does.
    hardware = re.search(r"^\s*H/W:(.*(?:\n[ \t]+.*)*)", text, re.MULTILINE)
    brackets = re.findall(r"\[([^\]\s]+)\]", hardware.group(1)) if hardware else []
    version = re.search(r"Ver\.\s*(\S+)", software.group(1)) if software else None
    serial_value = brackets[0] if brackets else None
    return SystemInfo(
        vendor="Alaxala",
        model=model.group(1) if model else None,
        os_version=version.group(1) if version else (software.group(1) if software else None),
        serial=serial_value,
        serials=brackets,
    )


def parse(outputs: Mapping[str, str], *, salt: bytes) -> SnapshotParts:
    """Turn the outputs of :data:`COMMANDS` into snapshot parts."""
    facts = ios_config.interpret(
        outputs.get(CONFIG_COMMAND, ""), dialect="alaxala_ax", salt=salt, declared=FACTS
    )
    return parts_from_config(facts, parse_version(outputs.get("show version", "")))


DETECT_MARKERS: tuple[tuple[str, float], ...] = (
    (r"^#configuration list for AX", 0.8),
    (r"^#Last modified by ", 0.3),
    (r"^hostname \"[^\"]*\"", 0.4),
    (r"^interface (?:gigabitethernet|tengigabitethernet|port-channel|vlan) \d", 0.5),
    (r"password hash [0-9a-f]+", 0.1),
)
"""Lines only this platform's saved configurations contain (weights add up, capped at 1)."""


PROFILE = PlatformProfile(
    platform=PLATFORM,
    netmiko_device_type=NETMIKO_DEVICE_TYPE,
    commands=COMMANDS,
    config_command=CONFIG_COMMAND,
    parse=parse,
    facts=FACTS,
    session_preparation=("set terminal pager disable", "enable"),
    session=SessionRules(enable="always", prompt_prefix="!"),
    detect=marker_detector(DETECT_MARKERS),
)
