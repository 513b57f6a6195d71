"""Alaxala AX and NEC IX output for a scenario device (``show version`` + running config)."""

from __future__ import annotations

from auditor.lab.cli_render.ios_like import render_config
from auditor.lab.scenario import Scenario, ScenarioDevice


def render_ax_version(device: ScenarioDevice) -> str:
    sys = device.sys
    return (
        "Date 2026/04/06 09:00:00 JST\n"
        f"Model: {sys.model}\n"
        f"S/W: OS-L3SA Ver. {sys.os_version}\n"
        f"H/W: Main board [{sys.serial}]\n"
    )


def render_nec_version(device: ScenarioDevice) -> str:
    sys = device.sys
    return (
        "NEC Portable Internetwork Core Operating System Software\n"
        f"IX Series {sys.model} (magellan-sec) Software, Version {sys.os_version}, RELEASE SOFTWARE\n"
        "Compiled Jan 10-Wed-2024 14:00:00 JST #2 by sw-build, coregen-10.8(21)\n\n"
        f"{device.name} uptime is 40 days, 0 hours, 0 minutes\n"
        f"System serial number: {sys.serial}\n"
    )


def render_ax(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    return {
        "show version": render_ax_version(device),
        "show running-config": render_config(device, scenario),
    }


def render_nec(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    return {
        "show version": render_nec_version(device),
        "show running-config": render_config(device, scenario),
    }
