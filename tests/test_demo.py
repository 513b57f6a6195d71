"""`auditor demo` as the README runs it: from a relative output folder, found vs planted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.lab
def test_the_demo_finds_every_planted_violation_from_a_relative_output_folder(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, LANG="C.UTF-8")
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "demo", "--out", "demo-out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "0 findings on devices marked clean" in result.stdout
    assert (tmp_path / "demo-out" / "auditor.db").exists()
    report = (tmp_path / "demo-out" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "<script" not in report.lower()
    assert not (tmp_path / "demo-out" / "lab" / "lab.json").exists(), "lab down left state behind"
