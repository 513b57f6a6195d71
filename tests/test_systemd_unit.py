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


WEB_UNIT = UNIT.with_name("auditor-web.service")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_rates_the_web_unit_ok_or_better() -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(WEB_UNIT)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(
        r"Overall exposure level for auditor-web.service: ([0-9.]+) (\w+)", result.stdout
    )
    assert match, result.stdout + result.stderr
    assert match.group(2) in {"OK", "SAFE", "PERFECT"}, match.group(0)


def test_the_web_unit_is_hardened_like_the_daemons_without_capabilities() -> None:
    text = WEB_UNIT.read_text(encoding="utf-8")
    for line in (
        "Type=notify",
        "User=auditor",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "SystemCallFilter=@system-service",
        "CapabilityBoundingSet=\n",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n",
        "--host 127.0.0.1",
    ):
        assert line in text
    assert "LoadCredential" not in text and "CAP_NET_RAW" not in text
