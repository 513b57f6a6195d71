"""The shipped unit is rated OK or better by systemd's own security analysis."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[1] / "systemd" / "auditor.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_rates_the_unit_ok_or_better() -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(UNIT)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for auditor.service: ([0-9.]+) (\w+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert match.group(2) in {"OK", "SAFE", "PERFECT"}, match.group(0)


def test_the_unit_is_a_notify_service_running_unprivileged_with_credentials() -> None:
    text = UNIT.read_text(encoding="utf-8")
    for line in (
        "Type=notify",
        "User=auditor",
        "StateDirectory=auditor",
        "ConfigurationDirectory=auditor",
        "LoadCredential=",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "SystemCallFilter=@system-service",
        "CapabilityBoundingSet=CAP_NET_RAW",
    ):
        assert line in text
