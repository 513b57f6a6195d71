"""``rules.<ID>.parameters`` are validated against the check's model by the policy loader.

A misspelt key or a wrong type is an error with ``file:line: rules.<ID>.parameters.<key>`` (exit 2
from ``auditor validate``), not a silent fall-back to the default.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli.app import build_app
from auditor.model.findings import Outcome
from auditor.policy.issues import PolicyError, PolicyIssue
from auditor.policy.loader import load_policy
from auditor.rules import discover
from auditor_checks.hardening.firmware_version import FirmwareVersion
from tests.checks.hardening._support import context, device, snapshot
from tests.policy.test_loader import CITY, line_of

TODAY = date(2026, 11, 24)
REGISTRY = discover()

INVENTORY = """\
devices:
  - name: aw-sw1
    address: 10.20.0.5
    platform: allied_telesis_awplus
    zones: [lgwan]
"""


def city_with_rules(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(CITY + "rules:\n" + textwrap.indent(textwrap.dedent(rules), "  "), "utf-8")
    return path


def load(path: Path) -> list[PolicyIssue]:
    with pytest.raises(PolicyError) as caught:
        load_policy(
            path,
            known_check_ids=REGISTRY.ids(),
            today=TODAY,
            parameter_models=REGISTRY.parameter_models(),
        )
    return caught.value.issues


def validate_cli(policy: Path, tmp_path: Path) -> tuple[int, str]:
    inventory = tmp_path / "devices.yaml"
    inventory.write_text(INVENTORY, encoding="utf-8")
    result = CliRunner().invoke(
        build_app("en"),  # type: ignore[arg-type]
        ["validate", "--policy", str(policy), "--inventory", str(inventory)],
        catch_exceptions=False,
    )
    return result.exit_code, result.stderr.replace("\n", "")


MISSPELT = """\
HRD-015:
  parameters:
    minimun:
      allied_telesis_awplus: "5.5.2"
"""


def test_a_misspelt_parameter_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    policy = city_with_rules(tmp_path, MISSPELT)

    code, err = validate_cli(policy, tmp_path)

    assert code == 2
    line = line_of(policy, "minimun:")
    assert f"{policy}:{line}: rules.HRD-015.parameters.minimun: unknown key" in err


def test_a_parameter_of_the_wrong_type_exits_2(tmp_path: Path) -> None:
    policy = city_with_rules(tmp_path, "HRD-015:\n  parameters:\n    minimum: 5\n")

    code, err = validate_cli(policy, tmp_path)

    assert code == 2
    line = line_of(policy, "minimum: 5")
    assert f"{policy}:{line}: rules.HRD-015.parameters.minimum: " in err
    assert "dictionary" in err


def test_every_bad_parameter_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    policy = city_with_rules(
        tmp_path,
        """\
        HRD-009:
          parameters:
            max_seconds: soon
        MON-007:
          parameters:
            windows:
              - {days: [sat], start: "22:00", end: "06:00", owner: ops}
            timezone: Asia/Tokio
        """,
    )

    issues = load(policy)

    assert [(i.field, i.line) for i in issues] == [
        ("rules.HRD-009.parameters.max_seconds", line_of(policy, "max_seconds: soon")),
        ("rules.MON-007.parameters.windows[0].owner", line_of(policy, "owner: ops")),
        ("rules.MON-007.parameters.timezone", line_of(policy, "timezone: Asia/Tokio")),
    ]
    assert "unknown time zone 'Asia/Tokio'" in issues[2].message


def test_parameters_are_checked_only_when_the_models_are_given(tmp_path: Path) -> None:
    policy = city_with_rules(tmp_path, MISSPELT)

    loaded = load_policy(policy, today=TODAY)  # no registry: nothing to check against

    assert loaded.policy.rule("HRD-015").parameters == {
        "minimun": {"allied_telesis_awplus": "5.5.2"}
    }


def test_a_valid_parameter_loads_and_the_check_applies_it(tmp_path: Path) -> None:
    policy = city_with_rules(tmp_path, MISSPELT.replace("minimun", "minimum"))
    code, _ = validate_cli(policy, tmp_path)
    assert code == 0
    loaded = load_policy(
        policy,
        known_check_ids=REGISTRY.ids(),
        today=TODAY,
        parameter_models=REGISTRY.parameter_models(),
    )

    check = FirmwareVersion()
    snapshots = [
        snapshot("old-sw", system={"os_version": "5.5.1-1.1"}),
        snapshot("new-sw", system={"os_version": "5.5.2-0.1"}),
    ]
    devices = [
        device("old-sw", platform="allied_telesis_awplus"),
        device("new-sw", platform="allied_telesis_awplus"),
    ]
    run_context = context(snapshots, devices=devices, policy_obj=loaded.policy)

    assert check.params(run_context).minimum == {"allied_telesis_awplus": "5.5.2"}
    found = [f for f in check.evaluate(run_context) if f.outcome is Outcome.FAIL]
    assert [(f.device, f.subject) for f in found] == [("old-sw", "firmware")]
    assert "older than the minimum 5.5.2" in found[0].message_en


def test_the_shipped_example_city_passes_parameter_validation() -> None:
    repo = Path(__file__).resolve().parents[2]
    loaded = load_policy(
        repo / "policies" / "example-city",
        known_check_ids=REGISTRY.ids(),
        today=TODAY,
        parameter_models=REGISTRY.parameter_models(),
    )
    assert loaded.policy.rule("HRD-015").parameters["minimum"]
