"""ALAXALA AX and NEC IX output for a scenario device, in the layouts of real devices.

Layouts follow /work/shared/vendor-formats.md (§1.2 AX ``show version`` in its two forms, §2.2 IX
``show version`` and ``show hardware``), written for the lab, not copied: the AX3660S family puts
``H/W: Main board`` alone with the module and its bracket on the next line; older AX print the
bracket on the ``H/W:`` line. IX ``show version`` carries neither hostname nor serial number;
the serial is ``S/N:`` in ``show hardware``.
"""

from __future__ import annotations

import re

from auditor.lab.cli_render.ios_like import render_config
from auditor.lab.scenario import Scenario, ScenarioDevice


def _ax_module(model: str) -> str:
    """``AX3660S-24T4XW`` → ``AX-3660-24T4XW`` (the board name printed under ``H/W:``)."""
    return re.sub(r"^AX(\d+)S-", r"AX-\1-", model)


def _ax_software(device: ScenarioDevice) -> str:
    tag = re.search(r"\[(OS-[^\]]+)\]", device.sys.descr or "")
    return f"{tag.group(1) if tag else 'OS-L2'} Ver. {device.sys.os_version}"


def render_ax_version(device: ScenarioDevice) -> str:
    sys = device.sys
    model = sys.model or "AX"
    head = f"Date 2026/04/06 09:00:00 JST\nModel: {model}\nS/W: {_ax_software(device)}\n"
    serial = f" [{sys.serial}]" if sys.serial else ""
    if model.startswith("AX36"):  # OS-L3M layout: main board alone, modules below
        return (
            head
            + "H/W: Main board\n"
            + f"       {_ax_module(model)}{serial}\n"
            + f"       Model No.: {_ax_module(model)}\n"
            + "     Power slot 1 PS-M(AC)\n"
            + "       AX-F2430-PSA06 [PSU0000001]\n"
            + "     Fan slot     FAN-M\n"
            + "       AX-F2430-FAN04 [FAN0000001]\n"
        )
    return head + f"H/W: {_ax_module(model)}{serial}\n"


def render_nec_version(device: ScenarioDevice) -> str:
    sys = device.sys
    return (
        "NEC Portable Internetwork Core Operating System Software\n"
        f"IX Series {sys.model} (magellan-sec) Software, Version {sys.os_version}, RELEASE SOFTWARE\n"
        "Compiled Jan 10-Wed-2024 14:00:00 JST #2 by sw-build\n"
        "\n"
        "ROM: System Bootstrap, Version 22.1\n"
        "System Diagnostic, Version 22.1\n"
        "Initialization Program, Version 3.1\n"
        "\n"
        f"System uptime is {sys.uptime_seconds // 86400} days 0 hours 0 minutes\n"
        "System woke up by reload, caused by power-on\n"
        'System image file is "ix-lab.ldc"\n'
        "\n"
        "Processor board ID <0>\n"
        f"{sys.model} (P1010E) processor with 262144K bytes of memory.\n"
        f"{len(device.ports)} GigaEthernet/IEEE 802.3 interfaces\n"
        "\n"
        'Current configuration is based on "startup-configuration"\n'
    )


def render_nec_hardware(device: ScenarioDevice) -> str:
    sys = device.sys
    lines = [f"IX Series {sys.model} Hardware Platform", ""]
    if sys.serial:
        lines.append(f"S/N: {sys.serial}")
    return "\n".join(lines) + "\n"


def render_ax(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    return {
        "show version": render_ax_version(device),
        "show running-config": render_config(device, scenario),
    }


def render_nec(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    return {
        "show version": render_nec_version(device),
        "show hardware": render_nec_hardware(device),
        "show running-config": render_config(device, scenario),
    }
