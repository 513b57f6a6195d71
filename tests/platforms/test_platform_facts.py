"""Each platform states only the facts it declares: everything else stays None (unknown).

The lab renders every platform's CLI output from the example city; parsing it must leave every
optional snapshot fact the platform's profile does not declare at ``None``, so a new check can
never read "False" on a device that has no such setting at all.
"""

from __future__ import annotations

import functools
import subprocess
import sys

import pytest
from pydantic import BaseModel

from auditor.lab.cli_render import render
from auditor.lab.scenario import ScenarioDevice
from auditor.model.snapshot import Interface, ManagementPlane, SystemInfo
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.profile import FORWARDING_FACTS, PlatformProfile
from auditor.platforms.registry import profile_for, profiles
from auditor.platforms.text_decode import decode_output
from tests.builders import example_city

SCENARIO = example_city()
SALT = b"facts"


def _parse(device: ScenarioDevice) -> SnapshotParts:
    """The device's rendered lab output parsed, once per process (several tests read each
    device's parse; none changes it)."""
    return _parsed(device.name)


@functools.cache
def _parsed(name: str) -> SnapshotParts:
    device = SCENARIO.device(name)
    profile = profiles()[device.platform]
    outputs = {
        command: decode_output(value).text if isinstance(value, bytes) else value
        for command, value in render(device, SCENARIO).items()
    }
    return profile.parse(outputs, salt=SALT)


def _optional_fields(model: BaseModel) -> list[str]:
    """Fields that can be unknown: default None (``source`` is bookkeeping, not a fact)."""
    return [
        name
        for name, info in type(model).model_fields.items()
        if name != "source" and info.default is None and info.default_factory is None
    ]


def _stated(parts: SnapshotParts) -> dict[str, object]:
    """Every dotted fact path the parser gave a value, walking the models generically."""
    stated: dict[str, object] = {}
    owners: list[tuple[str, BaseModel]] = [
        ("system", parts.system),
        ("management", parts.management),
    ]
    owners += [("interfaces", interface) for interface in parts.interfaces]
    for section, owner in owners:
        for name in _optional_fields(owner):
            value = getattr(owner, name)
            if value is not None:
                stated.setdefault(f"{section}.{name}", value)
    # Forwarding facts: NAT and dynamic protocols are None when unknown; policy routes and
    # route leaks have no "unknown" value, so only a non-empty list / a leak counts as stated.
    forwarding = {
        "forwarding.nat_rules": parts.nat_rules,
        "forwarding.routing_protocols": parts.routing_protocols,
        "forwarding.policy_routes": parts.policy_routes or None,
        "forwarding.route_leaks": [r for r in parts.routes if r.next_hop_vrf] or None,
    }
    stated.update({path: value for path, value in forwarding.items() if value is not None})
    return stated


@pytest.mark.parametrize("platform", sorted(profiles()))
def test_undeclared_facts_stay_unknown_after_parsing_the_lab_output(platform: str) -> None:
    devices = [d for d in SCENARIO.devices if d.platform == platform and d.ssh]
    assert devices, f"the example city has no {platform} device to parse"
    declared = profiles()[platform].facts
    for device in devices:
        parts = _parse(device)
        undeclared = {path: value for path, value in _stated(parts).items() if path not in declared}
        assert undeclared == {}, f"{device.name} states facts {platform} does not declare"


@pytest.mark.parametrize("platform", sorted(profiles()))
def test_every_platform_states_some_of_what_it_declares(platform: str) -> None:
    devices = [d for d in SCENARIO.devices if d.platform == platform and d.ssh]
    stated = set().union(*(_stated(_parse(device)) for device in devices))
    assert {"system.name", "management.ssh_enabled"} <= stated <= profiles()[platform].facts


def test_a_router_without_the_setting_says_unknown_not_off() -> None:
    """The issue's example: NEC IX has no password-encryption service, RTX no DHCP snooping."""
    ix = next(d for d in SCENARIO.devices if d.platform == "nec_ix" and d.ssh)
    rtx = next(d for d in SCENARIO.devices if d.platform == "yamaha_rtx" and d.ssh)
    assert _parse(ix).management.password_encryption is None
    assert _parse(ix).management.dhcp_snooping is None
    assert _parse(rtx).management.dhcp_snooping is None
    assert _parse(rtx).management.arp_inspection is None
    cisco = next(d for d in SCENARIO.devices if d.platform == "cisco_ios" and d.ssh)
    assert _parse(cisco).management.dhcp_snooping is not None, "declared: absence means off"


def test_every_fact_section_field_is_either_declared_somewhere_or_snmp_only() -> None:
    """A declaration names real fields: a typo would otherwise silently declare nothing."""
    known = {
        f"{section}.{name}"
        for section, model in (
            ("system", SystemInfo()),
            ("management", ManagementPlane()),
            ("interfaces", Interface(name="x")),
        )
        for name in _optional_fields(model)
    } | FORWARDING_FACTS
    for profile in profiles().values():
        assert profile.facts <= known, profile.platform


FORWARDING_BY_PLATFORM = {
    "cisco_ios": FORWARDING_FACTS,
    "fortinet": FORWARDING_FACTS - {"forwarding.route_leaks"},
    "yamaha_rtx": FORWARDING_FACTS - {"forwarding.route_leaks"},
    "nec_ix": {"forwarding.routing_protocols", "forwarding.nat_rules"},
    "alaxala_ax": {"forwarding.routing_protocols"},
    "allied_telesis_awplus": {"forwarding.routing_protocols"},
}


@pytest.mark.parametrize("platform", sorted(FORWARDING_BY_PLATFORM))
def test_each_platform_declares_the_forwarding_facts_its_parser_reads(platform: str) -> None:
    """Path analysis reads NAT, PBR, dynamic routing and leaks only where the parser does."""
    declared = profiles()[platform].facts & FORWARDING_FACTS
    assert declared == FORWARDING_BY_PLATFORM[platform]
    # The lab city configures none of them: a declared list is known-empty, never unknown.
    for device in (d for d in SCENARIO.devices if d.platform == platform and d.ssh):
        parts = _parse(device)
        if "forwarding.nat_rules" in declared:
            assert parts.nat_rules == [] or all(r.kind == "source" for r in parts.nat_rules)
        else:
            assert parts.nat_rules is None
        if "forwarding.routing_protocols" in declared:
            assert parts.routing_protocols == []
        else:
            assert parts.routing_protocols is None


def test_a_profile_declaring_an_unknown_fact_is_refused() -> None:
    cisco = profile_for("cisco_ios")
    assert cisco is not None
    with pytest.raises(ValueError, match="unknown facts"):
        PlatformProfile(
            platform="broken",
            netmiko_device_type="cisco_ios",
            commands=cisco.commands,
            config_command=cisco.config_command,
            parse=cisco.parse,
            facts=frozenset({"management.pasword_encryption"}),
        )


def test_platform_modules_never_import_collectors() -> None:
    code = (
        "import sys\n"
        "from auditor.platforms.registry import profiles\n"
        "import auditor.platforms.snmp_normalize\n"
        "profiles()\n"
        "print(sorted(m for m in sys.modules if m.startswith('auditor.collect')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
