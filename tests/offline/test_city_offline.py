"""The example city's rendered configurations, audited offline, against the scenario's plants."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from auditor.audit.inputs import Bundle
from auditor.audit.offline import audit_offline
from auditor.audit.service import live_checks
from auditor.cli.app import build_app
from auditor.lab.groundtruth import compare
from auditor.lab.scenario import Scenario
from auditor.model.findings import Outcome
from auditor.platforms.registry import profile_for
from auditor.rules import Registry

from .conftest import REPO, SALT

# Facts that come from ``show version``, not from the configuration a file holds.
NOT_IN_CONFIG = {"HRD-015": "firmware version is printed by show version, not saved in a config"}


def test_every_config_visible_plant_is_found_and_state_only_plants_are_not_applicable(
    scenario: Scenario, bundle: Bundle, registry: Registry, city_dir: Path
) -> None:
    outcome = audit_offline(bundle, registry, None, city_dir, salt=SALT)[-1]
    gaps = {
        f.check_id
        for f in outcome.findings
        if f.outcome is Outcome.NOT_APPLICABLE and f.subject == "offline" and f.device is None
    }
    assert gaps == set(live_checks(registry))
    with_config = {d.name for d in scenario.devices if profile_for(d.platform) is not None}
    truth = compare(scenario, outcome.findings, registry.ids())
    missed = []
    state_only = []
    for plant in truth.applicable:
        if plant.found:
            continue
        checks = set(plant.applicable_checks)
        if checks <= gaps or (plant.planted.device and plant.planted.device not in with_config):
            state_only.append(plant.planted.id)
        elif not checks <= set(NOT_IN_CONFIG):
            missed.append((plant.planted.id, plant.planted.device, plant.planted.subject))
    assert missed == []
    assert len(state_only) >= 5  # LLDP, FDB, ARP, SNMP answers, counters: listed, never passed
    assert sum(p.found for p in truth.applicable) >= 30
    assert truth.false_positives == []
    clean = {entry for entry in scenario.clean if ":" not in entry}
    assert [
        f
        for f in outcome.findings
        if f.device in clean and f.outcome in (Outcome.FAIL, Outcome.ERROR)
    ] == []


def _review(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(build_app("en"), args)
    return result.exit_code, result.output


def _copy(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def test_review_reports_my_number_vlan_on_an_lgwan_trunk_as_added_with_its_line(
    city_dir: Path, tmp_path: Path
) -> None:
    proposed = _copy(city_dir, tmp_path / "proposed")
    config = proposed / "lg-core-sw1.cfg"
    text = config.read_text()
    assert "switchport trunk allowed vlan 20-21,99" in text
    config.write_text(text.replace("allowed vlan 20-21,99", "allowed vlan 10,20-21,99", 1))
    code, output = _review(
        [
            "review",
            "--baseline",
            str(city_dir),
            "--proposed",
            str(proposed),
            "--policy",
            str(REPO / "policies" / "example-city"),
            "-i",
            str(REPO / "inventory" / "example-city" / "devices.yaml"),
            "--format",
            "json",
        ]
    )
    assert code == 1, output
    import json

    review = json.loads(output)
    added = [i for i in review["items"] if i["change"] == "added"]
    seg = [i for i in added if i["check_id"].startswith("SEG-") and i["device"] == "lg-core-sw1"]
    assert seg, added
    assert any("+ switchport trunk allowed vlan 10,20-21,99" in i["lines"] for i in seg)
    assert review["summary"]["resolved"] == 0
    assert "+ switchport trunk allowed vlan 10,20-21,99" in review["diffs"]["lg-core-sw1"]


def test_review_reports_removing_a_planted_cleartext_service_as_resolved_exit_0(
    city_dir: Path, tmp_path: Path
) -> None:
    proposed = _copy(city_dir, tmp_path / "proposed")
    config = proposed / "edu-rt1.cfg"
    config.write_text(config.read_text().replace("http-server ip enable\n", ""))
    out = tmp_path / "review.md"
    code, output = _review(
        [
            "review",
            "--baseline",
            str(city_dir),
            "--proposed",
            str(proposed),
            "--policy",
            str(REPO / "policies" / "example-city"),
            "-i",
            str(REPO / "inventory" / "example-city" / "devices.yaml"),
            "--format",
            "markdown",
            "--out",
            str(out),
        ]
    )
    assert code == 0, output
    markdown = out.read_text()
    assert "| resolved | " in markdown and "HRD-002 | edu-rt1" in markdown
    assert "`-http-server ip enable`" in markdown
    assert "| added |" not in markdown


def test_review_sarif_lists_added_findings_only(city_dir: Path, tmp_path: Path) -> None:
    proposed = _copy(city_dir, tmp_path / "proposed")
    config = proposed / "lg-core-sw1.cfg"
    config.write_text(
        config.read_text().replace("allowed vlan 20-21,99", "allowed vlan 10,20-21,99", 1)
    )
    code, output = _review(
        [
            "review",
            "--baseline",
            str(city_dir),
            "--proposed",
            str(proposed),
            "--policy",
            str(REPO / "policies" / "example-city"),
            "--format",
            "sarif",
            "--fail-on",
            "never",
        ]
    )
    assert code == 0
    import json

    sarif = json.loads(output)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results and all(r["ruleId"].startswith("SEG-") for r in results)
