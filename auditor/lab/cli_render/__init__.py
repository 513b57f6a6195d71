"""Per-platform CLI output of a lab scenario device, served by the lab's emulated SSH devices.

``render(device, scenario)`` maps every command of the platform's read-only allow-list
(:mod:`auditor.platforms.registry`) to the text (or, for Shift_JIS consoles, the bytes) the real
device would print. The platform parsers must read it back into the scenario (round trip).
"""

from __future__ import annotations

from auditor.lab.scenario import Scenario, ScenarioDevice


def render(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    """Command → output for ``device``; empty for platforms without an SSH CLI (net_snmp)."""
    from auditor.lab.cli_render import awplus, ax_nec, cisco, fortigate, yamaha

    renderers = {
        "cisco_ios": cisco.render,
        "allied_telesis_awplus": awplus.render,
        "yamaha_rtx": yamaha.render,
        "fortinet": fortigate.render,
        "alaxala_ax": ax_nec.render_ax,
        "nec_ix": ax_nec.render_nec,
    }
    renderer = renderers.get(device.platform)
    if renderer is None:
        return {}
    outputs = renderer(device, scenario)
    outputs.update(device.cli_extra)
    return outputs


def rendered_platforms() -> frozenset[str]:
    return frozenset(
        {"cisco_ios", "allied_telesis_awplus", "yamaha_rtx", "fortinet", "alaxala_ax", "nec_ix"}
    )
