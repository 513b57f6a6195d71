"""Paths of issue 18 that had no test: an inventory ``source: {file: …}`` device audited by
``auditor run``, and ``auditor review --db … --proposed-file F --device D`` against the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.lab.scenario import Scenario
from tests.cli_tree import CliRunner, build_app

from .conftest import REPO, save_city

POLICY = REPO / "policies" / "example-city"
INVENTORY = REPO / "inventory" / "example-city" / "devices.yaml"
FILE_DEVICES = ("lg-core-sw1", "edu-rt1")


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(build_app("en"), args)
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _salt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITOR_REDACTION_SALT", "file-source-test")
    monkeypatch.setenv("AUDITOR_STATE_DIR", str(tmp_path / "state"))


def test_run_audits_inventory_devices_whose_source_is_a_saved_file(
    scenario: Scenario, tmp_path: Path
) -> None:
    folder = tmp_path / "inventory"
    save_city(scenario, folder / "configs", FILE_DEVICES)
    lines = ["devices:"]
    for name in FILE_DEVICES:
        device = scenario.device(name)
        lines += [
            f"  - name: {name}",
            f"    address: {device.address}",
            f"    platform: {device.platform}",
            f"    zones: [{', '.join(device.zones)}]",
            f"    source: {{file: configs/{name}.cfg}}",  # relative to the inventory file
        ]
    (folder / "devices.yaml").write_text("\n".join(lines) + "\n")
    code, output = _cli(
        [
            "run",
            "--policy",
            str(POLICY),
            "--inventory",
            str(folder / "devices.yaml"),
            "--db",
            str(tmp_path / "auditor.db"),
            "--format",
            "json",
            "--fail-on",
            "never",
        ]
    )
    assert code == 0, output
    payload = json.loads(output[output.index("{") :])
    assert payload["status"] == "complete"
    assert set(payload["snapshots"]) == set(FILE_DEVICES)
    for snapshot in payload["snapshots"].values():
        assert "file" in snapshot["sources"]
        assert "<redacted" in snapshot["config_redacted"]
    failed = [f for f in payload["findings"] if f["outcome"] == "fail"]
    # edu-rt1's planted cleartext HTTP management is in its saved configuration.
    assert any(f["device"] == "edu-rt1" and f["check_id"].startswith("HRD-") for f in failed)
    sources = {e["source"] for f in payload["findings"] for e in f["evidence"]}
    assert "file" in sources
    assert "ssh" not in sources  # nothing was read over SSH


@pytest.fixture
def stored_city(scenario: Scenario, tmp_path: Path) -> tuple[Path, Path]:
    """The whole city audited offline into a database; returns (database, saved files)."""
    saved = save_city(scenario, tmp_path / "saved")
    database = tmp_path / "auditor.db"
    code, output = _cli(
        [
            "audit-configs",
            str(saved),
            "--policy",
            str(POLICY),
            "-i",
            str(INVENTORY),
            "--db",
            str(database),
            "--fail-on",
            "never",
            "--format",
            "json",
        ]
    )
    assert code == 0, output
    payload = json.loads(output[output.index("{") :]) if "{" in output else {}
    evidence = [e for f in payload.get("findings", []) for e in f.get("evidence", [])]
    assert evidence and all(e["source"] != "ssh" for e in evidence)
    return database, saved


def _review(database: Path, proposed: Path, device: str) -> tuple[int, dict[str, object]]:
    code, output = _cli(
        [
            "review",
            "--db",
            str(database),
            "--proposed-file",
            str(proposed),
            "--device",
            device,
            "--policy",
            str(POLICY),
            "-i",
            str(INVENTORY),
            "--format",
            "json",
        ]
    )
    assert code in (0, 1), output
    return code, json.loads(output)


def test_review_of_one_file_against_the_store_finds_a_new_lgwan_to_internet_path(
    stored_city: tuple[Path, Path], tmp_path: Path
) -> None:
    """ "Would this change to lg-core-sw1 open a path from LGWAN to the Internet?" — yes."""
    database, saved = stored_city
    text = (saved / "lg-core-sw1.cfg").read_text()
    change = (
        "vlan 30\n name インターネット\n!\n"
        "interface Vlan30\n ip address 10.30.0.254 255.255.255.0\n!\n"
    )
    proposed = tmp_path / "lg-core-sw1.cfg"
    proposed.write_text(text.replace("interface Vlan20\n", change + "interface Vlan20\n", 1))
    code, review = _review(database, proposed, "lg-core-sw1")
    assert code == 1, review
    items = review["items"]
    assert isinstance(items, list)
    added = [i for i in items if i["change"] == "added"]
    assert added, items
    on_device = [i for i in added if i["device"] == "lg-core-sw1" or i["device"] is None]
    assert on_device
    # The SVI routes LGWAN and Internet on one device: an L3 path between the tiers.
    assert any(i["subject"] == "l3:internet+lgwan" for i in on_device), on_device
    assert any("10.30.0.254" in line for i in on_device for line in i["lines"]), on_device
    assert all(i["change"] != "resolved" for i in items)
    diffs = review["diffs"]
    assert isinstance(diffs, dict)
    assert "+ ip address 10.30.0.254 255.255.255.0" in diffs["lg-core-sw1"]


def test_review_of_an_unchanged_file_against_the_store_adds_nothing(
    stored_city: tuple[Path, Path],
) -> None:
    database, saved = stored_city
    code, review = _review(database, saved / "lg-core-sw1.cfg", "lg-core-sw1")
    assert code == 0
    items = review["items"]
    assert isinstance(items, list)
    assert [i for i in items if i["change"] != "kept"] == []
