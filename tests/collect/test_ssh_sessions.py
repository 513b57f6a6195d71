"""Session behaviour real devices showed pollers: cut sessions, hostile banners, IX/AX mode rules.

Every case runs the real collector over real SSH against the lab's emulated devices (fakenos),
with the quirk switched on in the scenario, and asserts either a complete and correct snapshot
or a clear COL finding, never wrong facts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.collect.base import CollectionResult
from auditor.collect.ssh import SshCollector, format_plan
from auditor.lab.scenario import Scenario
from auditor.model.collection import FailureKind
from auditor_checks.collection.kinds import check_id_for, describe
from tests.builders import example_city
from tests.collect.ssh_lab import SshLab, ssh_lab
from tests.collect.test_ssh_collector import MEASURED, SALT, expected_parts

pytestmark = pytest.mark.lab

HOSTILE_BANNER = (
    "################################################\n"
    "# 許可された職員以外の接続を禁止します #\n"
    "# Authorized use only. sw1# and rt1> sessions are logged #\n"
    "core-sw1#\n"
    "################################################"
)

VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    # name: (device it copies, quirks)
    "ix-busy": ("lg-rt1", {"config_occupied": True}),
    "ix-cut-1": ("lg-rt1", {"close_after_commands": 1}),
    # ``show clock`` is sent first (clock skew is measured against the collector's time).
    "ios-cut-half": ("lg-core-sw1", {"close_after_commands": 2, "close_partial": True}),
    "ios-banner": ("lg-core-sw1", {"login_banner": HOSTILE_BANNER}),
    "ax-banner": ("myn-core-sw1", {"login_banner": HOSTILE_BANNER}),
    "ix-banner": ("lg-rt1", {"login_banner": HOSTILE_BANNER}),
    "ax-unsaved": ("myn-core-sw1", {"unsaved_changes": True}),
    "ax-bare": ("myn-core-sw1", {"no_hostname": True}),
    "ax-bare-unsaved": ("myn-core-sw1", {"no_hostname": True, "unsaved_changes": True}),
}


def with_variants(scenario: Scenario, variants: dict[str, tuple[str, dict[str, Any]]]) -> Scenario:
    """The scenario plus copies of devices under new names, with SSH quirks switched on."""
    data = scenario.model_dump(mode="json")
    by_name = {device["name"]: device for device in data["devices"]}
    for name, (original, quirks) in variants.items():
        copy = json.loads(json.dumps(by_name[original]))
        copy["name"] = name
        copy["ssh"]["quirks"] = quirks
        copy["asset_id"] = None
        data["devices"].append(copy)
    return Scenario.model_validate(data)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return with_variants(example_city(), VARIANTS)


@pytest.fixture(scope="module")
def lab(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshLab]:
    with ssh_lab(scenario, list(VARIANTS), tmp_path_factory.mktemp("ssh-quirks")) as running:
        yield running


@pytest.fixture(scope="module")
def collected(lab: SshLab, tmp_path_factory: pytest.TempPathFactory) -> CollectionResult:
    known_hosts = tmp_path_factory.mktemp("known") / "known_hosts"
    collector = SshCollector(salt=SALT, known_hosts=known_hosts, max_workers=4)
    return collector.collect([lab.device(name) for name in VARIANTS], lab.resolve)


def errors_of(result: CollectionResult, name: str) -> list[tuple[FailureKind, str]]:
    return [(e.kind, e.subject) for e in result.errors if e.device == name]


def commands_sent(result: CollectionResult, name: str) -> list[tuple[str, str]]:
    log = json.loads(dict(result.evidence[name])["command-log"])
    return [(entry["command"], entry["outcome"]) for entry in log["commands"]]


def test_an_occupied_ix_config_mode_is_col_110_and_nothing_is_taken_over(
    collected: CollectionResult,
) -> None:
    errors = [e for e in collected.errors if e.device == "ix-busy"]
    assert [(e.kind, e.subject) for e in errors] == [
        (FailureKind.CONFIG_LOCKED, "command:enable-config")
    ]
    assert check_id_for(errors[0]) == "COL-110"
    english, japanese = describe(errors[0])
    assert "% CONFIG process is occupied." in english and "設定モード" in japanese
    # No svintr-config, no show sent in the wrong mode, no snapshot with guessed facts.
    assert commands_sent(collected, "ix-busy") == []
    assert "ix-busy" not in collected.snapshots


@pytest.mark.parametrize(
    ("name", "completed", "interrupted"),
    [
        ("ix-cut-1", "show version", "show hardware"),
        ("ios-cut-half", "show clock, show version", "show running-config"),
    ],
)
def test_a_session_cut_mid_collection_names_the_completed_commands_and_builds_nothing(
    collected: CollectionResult, name: str, completed: str, interrupted: str
) -> None:
    errors = [e for e in collected.errors if e.device == name]
    assert [e.kind for e in errors] == [FailureKind.SSH_SESSION]
    assert check_id_for(errors[0]) == "COL-103"
    assert errors[0].fact("completed") == completed
    assert errors[0].fact("interrupted") == interrupted
    english, japanese = describe(errors[0])
    assert f"completed commands: {completed}" in english
    assert f"完了したコマンド: {completed}" in japanese
    assert commands_sent(collected, name) == [
        *((command, "ok") for command in completed.split(", ")),
        (interrupted, "error"),
    ]
    # The running configuration was not read in full: no snapshot, so no "telnet off" facts.
    assert name not in collected.snapshots


@pytest.mark.parametrize(
    ("name", "original"),
    [
        ("ios-banner", "lg-core-sw1"),
        ("ax-banner", "myn-core-sw1"),
        ("ix-banner", "lg-rt1"),
        ("ax-unsaved", "myn-core-sw1"),
        ("ax-bare", "myn-core-sw1"),
        ("ax-bare-unsaved", "myn-core-sw1"),
    ],
)
def test_banners_and_prompt_variants_give_a_complete_and_correct_snapshot(
    collected: CollectionResult, scenario: Scenario, name: str, original: str
) -> None:
    assert errors_of(collected, name) == []
    got = collected.snapshots[name].model_dump(mode="json", exclude=MEASURED)
    assert got == expected_parts(scenario, name)
    assert collected.snapshots[name].management == collected.snapshots[name].management
    assert all(outcome == "ok" for _, outcome in commands_sent(collected, name))


def test_ax_without_an_enable_secret_still_enters_enable_before_the_config(
    scenario: Scenario, collected: CollectionResult
) -> None:
    device = scenario.device("ax-unsaved")
    assert device.ssh is not None and device.ssh.enable_secret is None
    snapshot = collected.snapshots["ax-unsaved"]
    # The lab refuses show running-config at ">", so a complete config proves enable was sent.
    assert snapshot.config_redacted and "interface" in snapshot.config_redacted
    assert snapshot.system.serial == device.sys.serial


def test_an_ix_show_refused_outside_config_mode_is_rejected_not_an_empty_config(
    tmp_path: Path,
) -> None:
    city = example_city()
    changed = with_variants(city, {"ix-refuses": ("lg-rt1", {})})
    changed.device("ix-refuses").cli_extra = {
        "show running-config": "% running-config -- Invalid command."
    }
    with ssh_lab(changed, ["ix-refuses"], tmp_path) as lab:
        collector = SshCollector(salt=SALT, known_hosts=tmp_path / "kh")
        result = collector.collect([lab.device("ix-refuses")], lab.resolve)
    assert [(e.kind, e.subject) for e in result.errors] == [
        (FailureKind.REJECTED, "command:show running-config")
    ]
    assert describe(result.errors[0])[0] == (
        "ix-refuses: the device rejected 'show running-config' "
        "(% running-config -- Invalid command.)"
    )
    assert "ix-refuses" not in result.snapshots  # never "telnet off, ssh off" from nothing


def test_ix_serial_comes_from_show_hardware(
    collected: CollectionResult, scenario: Scenario
) -> None:
    snapshot = collected.snapshots["ix-banner"]
    assert snapshot.system.serial == scenario.device("ix-banner").sys.serial
    assert snapshot.system.model == scenario.device("ix-banner").sys.model


def test_dry_run_shows_the_non_intrusive_ix_session(lab: SshLab) -> None:
    text = format_plan([lab.device("ix-busy")])
    assert "[session] enable-config" in text and "[session] terminal length 0" in text
    assert "svintr-config" not in text
    assert "[driver] enable" in format_plan([lab.device("ax-bare")])
