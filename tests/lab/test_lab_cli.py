"""`auditor lab` commands (the typer app the main CLI mounts as `lab`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli.lab import app

pytestmark = pytest.mark.lab


def test_lab_up_status_and_down_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    state_dir = tmp_path / "lab"
    up = runner.invoke(
        app, ["up", "--devices", "12", "--ssh-devices", "2", "--state-dir", str(state_dir)]
    )
    assert up.exit_code == 0, up.output
    assert "12 devices" in up.output
    try:
        status = runner.invoke(
            app, ["status", "--json", "--devices", "--state-dir", str(state_dir)]
        )
        report = json.loads(status.output)
        assert report["running"] is True
        assert len(report["device_ports"]) == 12
        again = runner.invoke(app, ["up", "--state-dir", str(state_dir)])
        assert again.exit_code == 3
    finally:
        down = runner.invoke(app, ["down", "--state-dir", str(state_dir)])
    assert down.exit_code == 0, down.output
    assert not state_dir.exists()
    assert "no lab" in runner.invoke(app, ["down", "--state-dir", str(state_dir)]).output


def test_scenario_and_device_count_together_are_a_usage_error(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: x\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["up", "--scenario", str(scenario), "--devices", "3", "--state-dir", str(tmp_path / "l")],
    )
    assert result.exit_code == 2
