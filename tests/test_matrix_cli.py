"""`auditor matrix` prints the zone-to-zone matrix from the latest stored snapshots."""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import yaml

from auditor.lab.scenario import Scenario, expected_snapshot
from auditor.policy.loader import load_policy
from auditor.store.opening import open_store
from tests.builders import example_city
from tests.cli_tree import CliRunner, build_app

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "policies" / "example-city"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _city_store(tmp_path: Path, scenario: Scenario | None = None) -> tuple[Path, Path]:
    """Inventory and store of a city (the example city unless told) as a perfect collector saw it.

    Built once per test process and city (23 snapshots recorded in a fresh store), then copied
    into ``tmp_path``: the tests only read it, through commands that never write."""
    scenario = scenario or example_city()  # parsed once per process, a private copy
    key = hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()
    built = _BUILT.get(key)
    if built is None:
        folder = Path(tempfile.mkdtemp(prefix="city-store-"))
        atexit.register(shutil.rmtree, folder, True)
        built = _BUILT[key] = _build_city_store(folder, scenario)
    tmp_path.mkdir(parents=True, exist_ok=True)
    copies = tmp_path / built[0].name, tmp_path / built[1].name
    for source, target in zip(built, copies, strict=True):
        shutil.copyfile(source, target)
    return copies


_BUILT: dict[str, tuple[Path, Path]] = {}


def _build_city_store(tmp_path: Path, scenario: Scenario) -> tuple[Path, Path]:
    inventory = tmp_path / "devices.yaml"
    devices = [
        {
            "name": d.name,
            "address": d.address,
            "platform": d.platform,
            "zones": d.zones,
            "site": d.site,
            "role": d.role,
        }
        for d in scenario.devices
    ]
    inventory.write_text(yaml.safe_dump({"devices": devices}, allow_unicode=True), encoding="utf-8")
    database = tmp_path / "auditor.db"
    store = open_store(str(database))
    names = [d.name for d in scenario.devices]
    run_id = store.begin_run(
        kind="audit",
        scope="full",
        devices=names,
        tool_version="test",
        rule_pack_hash="",
        policy_hash="",
        started_at=NOW,
    )
    store.record_run(
        run_id,
        snapshots={name: expected_snapshot(scenario, name, NOW) for name in names},
        findings=[],
        covered_devices=set(names),
        evaluated_checks=set(),
        policy=load_policy(POLICY).policy,
        now=NOW,
        complete=True,
    )
    store.close()  # everything in the database file before it is copied
    return inventory, database


def test_matrix_as_json_shows_the_planted_lgwan_to_internet_permit(tmp_path: Path) -> None:
    inventory, database = _city_store(tmp_path)
    result = CliRunner().invoke(
        build_app("en"),
        [
            "matrix",
            "--policy",
            str(POLICY),
            "--inventory",
            str(inventory),
            "--db",
            str(database),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    matrix = json.loads(result.stdout)
    cells = {(c["from"], c["to"]): c for c in matrix["cells"]}
    assert cells[("lgwan", "internet")]["status"] == "excess"
    assert any(not p["within_policy"] for p in cells[("lgwan", "internet")]["permitted_by_config"])
    assert cells[("sanitizer", "internet")]["allowed_by_policy"]
    assert cells[("education", "mynumber")]["status"] == "denied"


def test_matrix_as_a_table_has_every_zone_and_a_legend(tmp_path: Path) -> None:
    inventory, database = _city_store(tmp_path)
    result = CliRunner().invoke(
        build_app("ja"),
        ["matrix", "--policy", str(POLICY), "--inventory", str(inventory), "--db", str(database)],
    )
    assert result.exit_code == 0, result.output
    for zone in ("mynumber", "lgwan", "internet", "public-wifi"):
        assert zone in result.stdout
    assert "方針を超える許可" in result.stdout
