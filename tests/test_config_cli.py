"""``auditor config plan|show|diff``: the dry run and the configuration history on the CLI."""

from __future__ import annotations

from pathlib import Path

from tests.cli_tree import CliRunner, build_app
from tests.test_config_history import CONFIGS, DAY1, record


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app("en"), list(args), catch_exceptions=False)  # type: ignore[arg-type]
    return result.exit_code, result.stdout


def test_config_plan_prints_the_commands_and_sends_nothing(tmp_path: Path) -> None:
    inventory = tmp_path / "devices.yaml"
    inventory.write_text(
        "devices:\n"
        "  - name: fw1\n    address: 192.0.2.9\n    platform: fortinet\n"
        "    ssh: {username: auditor, password: {env: FW1_PASSWORD}}\n"
        "  - name: sw9\n    address: 192.0.2.10\n    platform: cisco_ios\n",
        encoding="utf-8",
    )
    code, out = invoke("config", "plan", "--inventory", str(inventory))
    assert code == 0
    assert "fw1 (fortinet, 192.0.2.9:22)" in out and "  show full-configuration" in out
    assert "sw9" not in out  # no SSH settings, nothing would be sent


def test_config_plan_reads_an_inventory_folder_and_prints_the_driver_lines(tmp_path: Path) -> None:
    """What ``python -m auditor.collect.ssh --dry-run INVENTORY`` printed, now on the CLI."""
    (tmp_path / "devices.yaml").write_text(
        "devices:\n"
        "  - name: rt1\n"
        "    address: 192.0.2.1\n"
        "    platform: yamaha_rtx\n"
        "    ssh: {username: auditor, password: {env: RT1_PASSWORD}}\n",
        encoding="utf-8",
    )
    code, out = invoke("config", "plan", "--inventory", str(tmp_path))
    assert code == 0
    assert "rt1 (yamaha_rtx, 192.0.2.1:22)" in out
    assert "  show config" in out
    assert "[driver] console lines infinity" in out


def test_config_show_and_diff_read_the_store(tmp_path: Path) -> None:
    from datetime import timedelta

    from auditor.store import Store

    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    store = Store(url)
    store.upgrade()
    for day, config in enumerate(CONFIGS):
        record(store, config, DAY1 + timedelta(days=day))
    code, out = invoke("config", "show", "sw1", "--db", url, "--at", DAY1.isoformat())
    assert code == 0 and "vlan 21" in out
    code, out = invoke("config", "diff", "sw1", "--db", url)
    assert code == 0 and "+ switchport access vlan 10" in out
    code, _ = invoke("config", "show", "nope", "--db", url)
    assert code == 2
