"""The ``auditor`` command as an admin uses it: exit codes, messages, languages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_tree import CliRunner, build_app

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_POLICY = REPO / "policies" / "example-city"
EXAMPLE_INVENTORY = REPO / "inventory" / "example-city"

POLICY = """\
zones:
  - id: mynumber
    kind: mynumber
    name_ja: マイナンバー利用事務系
    name_en: My Number
    vlans: ["10-19"]
    subnets: [10.10.0.0/16]
  - id: lgwan
    kind: lgwan
    name_ja: LGWAN接続系
    name_en: LGWAN
    vlans: ["20-29"]
    subnets: [10.20.0.0/16]
flows:
  - from: mynumber
    to: lgwan
    services: [tcp/443]
  - from: lgwan
    to: lgwan2
"""

INVENTORY = """\
devices:
  - name: core-sw1
    address: 127.0.0.1
    platform: cisco_ios
    zones: [lgwan]
"""

LEDGER = "資産番号,機器種別,設置場所,管理部署,機密性\nA-0001,スイッチ,本庁舎,情報政策課,2\nA-0002,スイッチ,本庁舎,,2\n"


def invoke(*args: str, lang: str = "en") -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(build_app(lang), list(args), catch_exceptions=False)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def city_files(tmp_path: Path) -> dict[str, Path]:
    return write_city_files(tmp_path)


def write_city_files(folder: Path) -> dict[str, Path]:
    """The small city's policy, inventory and ledger in ``folder``, and where its database goes."""
    policy = folder / "policy.yaml"
    policy.write_text(POLICY.replace("  - from: lgwan\n    to: lgwan2\n", ""), encoding="utf-8")
    inventory = folder / "devices.yaml"
    inventory.write_text(INVENTORY, encoding="utf-8")
    ledger = folder / "ledger.csv"
    ledger.write_bytes(LEDGER.encode("cp932"))
    return {"policy": policy, "inventory": inventory, "ledger": ledger, "db": folder / "a.db"}


def test_the_example_city_validates() -> None:
    code, out, err = invoke(
        "validate", "--policy", str(EXAMPLE_POLICY), "--inventory", str(EXAMPLE_INVENTORY)
    )
    assert code == 0, err
    assert "Validation succeeded" in out


def test_an_unknown_zone_in_a_flow_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    policy = tmp_path / "city.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    inventory = tmp_path / "devices.yaml"
    inventory.write_text(INVENTORY, encoding="utf-8")
    code, _, err = invoke("validate", "--policy", str(policy), "--inventory", str(inventory))
    assert code == 2
    assert f"{policy}:19: flows[1].to:" in err.replace("\n", "")
    assert "lgwan2" in err


def test_an_inline_password_exits_2_and_asks_for_a_credential_reference(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.replace("  - from: lgwan\n    to: lgwan2\n", ""), encoding="utf-8")
    inventory = tmp_path / "devices.yaml"
    inventory.write_text(
        INVENTORY + "    ssh:\n      username: audit\n      password: hunter2\n", encoding="utf-8"
    )
    code, out, err = invoke("validate", "--policy", str(policy), "--inventory", str(inventory))
    assert code == 2
    assert "credential reference" in err
    assert "hunter2" not in err + out


def test_rules_as_json_lists_every_check_with_titles_and_references() -> None:
    code, out, _ = invoke("rules", "--format", "json")
    assert code == 0
    rules = json.loads(out)
    ids = {rule["id"] for rule in rules}
    assert {"POL-001", "LED-001"} <= ids
    for rule in rules:
        assert rule["severity"] and rule["title_ja"] and rule["title_en"] and rule["references"]


def test_rules_with_an_id_prints_the_documentation_sections() -> None:
    code, out, _ = invoke("rules", "LED-001")
    assert code == 0
    for section in ("What it checks", "Why is this bad?", "Example", "Remediation", "References"):
        assert section in out
    assert invoke("rules", "NOPE-999")[0] == 2


def test_help_is_japanese_with_lang_ja_and_english_otherwise() -> None:
    assert "終了コード" in invoke("--help", lang="ja")[1]
    assert "Exit codes" in invoke("--help", lang="en")[1]


def test_a_run_without_collectable_devices_records_ledger_findings_and_uses_fail_on(
    city_files: dict[str, Path],
) -> None:
    common = [
        "--policy",
        str(city_files["policy"]),
        "--inventory",
        str(city_files["inventory"]),
        "--ledger",
        str(city_files["ledger"]),
        "--db",
        str(city_files["db"]),
    ]
    code, out, err = invoke("run", *common, "--fail-on", "low", "--format", "json")
    payload = json.loads(out)
    subjects = {f["subject"] for f in payload["findings"] if f["check_id"] == "LED-001"}
    assert subjects == {"ledger-row:A-0002"}
    assert code == 1, err
    assert invoke("run", *common, "--fail-on", "high")[0] == 0
    code, out, _ = invoke("findings", "list", "--db", str(city_files["db"]), "--format", "json")
    stored = json.loads(out)
    assert [r["subject"] for r in stored if r["check_id"] == "LED-001"] == ["ledger-row:A-0002"]
    assert invoke("verify", "--db", str(city_files["db"]))[0] == 0


def test_check_of_a_device_not_in_the_inventory_exits_2(city_files: dict[str, Path]) -> None:
    code, _, err = invoke(
        "check",
        "nosuch-sw",
        "--policy",
        str(city_files["policy"]),
        "--inventory",
        str(city_files["inventory"]),
        "--db",
        str(city_files["db"]),
    )
    assert code == 2
    assert "nosuch-sw" in err


def test_the_console_script_runs_as_a_real_process() -> None:
    env = dict(os.environ, LANG="ja_JP.UTF-8")
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "rules", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


def test_a_missing_ledger_file_exits_2_with_its_name(city_files: dict[str, Path]) -> None:
    missing = city_files["ledger"].with_name("nosuch.csv")
    code, _, err = invoke(
        "validate",
        "--policy",
        str(city_files["policy"]),
        "--inventory",
        str(city_files["inventory"]),
        "--ledger",
        str(missing),
    )
    assert code == 2
    assert "nosuch.csv" in err
