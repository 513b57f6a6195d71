"""net-snmp's snmpd as a real agent: the helper starts it and snmpbulkwalk reads it (v2c, v3)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.lab.snmpd import start_snmpd

pytestmark = pytest.mark.lab


def test_snmpd_answers_v2c_and_v3_auth_priv_walks(tmp_path: Path) -> None:
    if shutil.which("snmpbulkwalk") is None:
        pytest.skip("net-snmp tools are not installed")
    agent = start_snmpd(tmp_path)
    try:
        target = f"127.0.0.1:{agent.port}"
        v2c = subprocess.run(
            ["snmpbulkwalk", "-v2c", "-c", agent.community, "-On", target, "1.3.6.1.2.1.1"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        v3 = subprocess.run(
            ["snmpbulkwalk", "-v3", "-l", "authPriv", "-u", agent.v3_user, "-a", "SHA",
             "-A", agent.auth_pass, "-x", "AES", "-X", agent.priv_pass, "-On", target,
             "1.3.6.1.2.1.1.5"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    finally:
        agent.stop()
    assert '.1.3.6.1.2.1.1.5.0 = STRING: "kyojin-snmpd"' in v2c.stdout
    assert "kyojin-snmpd" in v3.stdout
    assert agent.process.poll() is not None
