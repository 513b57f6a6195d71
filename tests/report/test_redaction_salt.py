"""Redaction markers are the installation's: the same secret, the same marker in every process.

Findings are redacted once when recorded and the exports redact device and subject; both use the
salt in the state directory (``redaction-salt``), so a secret never leaks and its marker does not
change from one run or one export to the next.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.redact import REDACTION_SALT_ENV, REDACTION_SALT_FILE
from auditor.store import Store
from tests.report.redaction_run import SECRET, record_and_export

REPO = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<redacted:sha256:[0-9a-f]{12}>")


def _installation(state: Path) -> dict[str, str]:
    """The environment of an installation whose state directory is ``state`` (no salt given)."""
    env = {k: v for k, v in os.environ.items() if k not in {REDACTION_SALT_ENV, "STATE_DIRECTORY"}}
    env["AUDITOR_STATE_DIR"] = str(state)
    return env


def _run_in_new_process(tmp_path: Path, state: Path, name: str) -> dict[str, str]:
    # The child's store is created empty here (a copy of this process's migrated template,
    # tests/storefiles.py), so the child spends its time on the salt, not on the migrations.
    with Store(f"sqlite:///{tmp_path / f'{name}.db'}") as store:
        store.upgrade()
    code = (
        "import json, sys; from pathlib import Path; "
        "from tests.report.redaction_run import record_and_export as run; "
        "print(json.dumps(run(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            SECRET,
            str(tmp_path / f"{name}.db"),
            str(tmp_path / f"{name}.json"),
        ],
        cwd=REPO,
        env=_installation(state),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _run_here(
    tmp_path: Path, state: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The same in this process (its salt is read once per state directory and kept)."""
    with monkeypatch.context() as patch:
        for key in (REDACTION_SALT_ENV, "STATE_DIRECTORY"):
            patch.delenv(key, raising=False)
        patch.setenv("AUDITOR_STATE_DIR", str(state))
        return record_and_export(SECRET, tmp_path / f"{name}.db", tmp_path / f"{name}.json")


def test_two_processes_of_one_installation_redact_a_secret_to_the_same_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    first = _run_here(tmp_path, state, "first", monkeypatch)  # creates the salt file
    second = _run_in_new_process(tmp_path, state, "second")  # a process that only reads it
    for result in (first, second):
        assert SECRET not in json.dumps(result)
        assert all(MARKER.search(text) for text in result.values())
    assert first == second
    salt = state / REDACTION_SALT_FILE
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600 and len(salt.read_bytes()) >= 16


def test_another_installation_has_its_own_markers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both in this process: a salt kept per process rather than per state directory would fail.
    ours = _run_here(tmp_path, tmp_path / "ours", "ours", monkeypatch)
    theirs = _run_here(tmp_path, tmp_path / "theirs", "theirs", monkeypatch)
    assert MARKER.findall(ours["stored"]) != MARKER.findall(theirs["stored"])
    assert SECRET not in json.dumps(theirs)
