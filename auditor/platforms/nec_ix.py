"""NEC UNIVERGE IX routers: read-only command list and parser.

IX configurations are IOS-like (``interface GigaEthernet0.0``, ``ip address A/len``) with their
own service switches (``ssh-server ip enable``, ``telnet-server ip enable``) and inline ACLs
(``ip access-list NAME permit ip src any dest any``) bound by ``ip filter NAME 1 in``.

Session (docs: /work/shared/vendor-formats.md §2.1): an administrator lands at ``host#``, but
``show running-config`` and ``terminal length 0`` are accepted only in config mode. netmiko's
driver enters it with ``svintr-config``, which takes config mode away from an administrator who
is using it, so the collector replaces that with ``enable-config`` (refused with ``% CONFIG
process is occupied.`` while someone else is configuring) and leaves with ``exit``.
``show version`` has no serial number; ``show hardware`` has it (``S/N:``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from auditor.model.snapshot import SystemInfo
from auditor.platforms import ios_config
from auditor.platforms.config_only_parts import parts_from_config
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.profile import PlatformProfile, SessionRules, marker_detector

PLATFORM = "nec_ix"
NETMIKO_DEVICE_TYPE = "nec_ix"
CONFIG_COMMAND = "show running-config"
HARDWARE_COMMAND = "show hardware"
COMMANDS: tuple[str, ...] = ("show version", HARDWARE_COMMAND, "show running-config")
SESSION = SessionRules(
    enable="never",
    driver_preparation=False,
    mode_commands=("enable-config", "terminal length 0"),
    leave_commands=("exit",),
    mode_busy=r"% CONFIG process is occupied",
    error_lines=(
        r"^\s*% \S.* -- (?:Invalid|Ambiguous) command\.",
        r"^\s*% Expects a subcommand or item selection\.",
    ),
)
FACTS: frozenset[str] = (
    frozenset(
        {"system.name", "system.vendor", "system.model", "system.serial", "system.os_version"}
    )
    | (
        ios_config.MANAGEMENT_FACTS
        - {
            # IX routers have no password-encryption service, DHCP snooping or ARP inspection.
            "management.password_encryption",
            "management.dhcp_snooping",
            "management.arp_inspection",
        }
    )
    | (
        ios_config.INTERFACE_FACTS
        - {
            # Routed ports only: no switchport VLANs, port security, 802.1X or CDP.
            "interfaces.access_vlan",
            "interfaces.allowed_vlans",
            "interfaces.native_vlan",
            "interfaces.port_security",
            "interfaces.dot1x",
            "interfaces.cdp_enabled",
        }
    )
    # ``router ospf|bgp|rip``; ``ip napt enable`` (source) and ``ip napt static`` (not resolved:
    # paths through the router are "unknown").
    | {"forwarding.routing_protocols", "forwarding.nat_rules"}
)


def parse_version(text: str, hardware: str = "") -> SystemInfo:
    """``show version`` gives model and release; the serial is ``S/N:`` of ``show hardware``."""
    model = re.search(r"IX Series (\S+)", text) or re.search(r"IX Series (\S+)", hardware)
    version = re.search(r"Version ([\w.]+)", text)
    serial = re.search(r"^\s*S/N:\s*(\S+)", hardware, re.MULTILINE)
    serial_value = serial.group(1) if serial else None
    return SystemInfo(
        vendor="NEC",
        model=model.group(1) if model else None,
        os_version=version.group(1) if version else None,
        serial=serial_value,
        serials=[serial_value] if serial_value else [],
    )


def parse(outputs: Mapping[str, str], *, salt: bytes) -> SnapshotParts:
    """Turn the outputs of :data:`COMMANDS` into snapshot parts."""
    facts = ios_config.interpret(
        outputs.get(CONFIG_COMMAND, ""), dialect="nec_ix", salt=salt, declared=FACTS
    )
    system = parse_version(outputs.get("show version", ""), outputs.get(HARDWARE_COMMAND, ""))
    return parts_from_config(facts, system)


DETECT_MARKERS: tuple[tuple[str, float], ...] = (
    (r"NEC Portable Internetwork Core Operating System", 0.8),
    (r"^interface (?:GigaEthernet|FastEthernet|BVI|Tunnel|Loopback)\d+(?:/\d+)?\.\d+", 0.5),
    (r"^(?:ssh|telnet|http)-server ip enable", 0.4),
    (r"^ip access-list \S+ (?:permit|deny) ", 0.4),
    (r"^ip ufs-cache", 0.3),
    (r"^snmp-agent ip ", 0.3),
)
"""Lines only this platform's saved configurations contain (weights add up, capped at 1)."""


PROFILE = PlatformProfile(
    platform=PLATFORM,
    netmiko_device_type=NETMIKO_DEVICE_TYPE,
    commands=COMMANDS,
    config_command=CONFIG_COMMAND,
    parse=parse,
    facts=FACTS,
    session_preparation=(),
    session=SESSION,
    detect=marker_detector(DETECT_MARKERS),
)
