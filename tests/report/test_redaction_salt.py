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

from auditor.redact import REDACTION_SALT_ENV, REDACTION_SALT_FILE

REPO = Path(__file__).resolve().parents[2]
SECRET = "Kyojin-S3cret-community"
MARKER = re.compile(r"<redacted:sha256:[0-9a-f]{12}>")

RECORD_AND_EXPORT = """
import json, sys
from datetime import UTC, datetime
from pathlib import Path
from auditor.model.findings import Finding, Severity
from auditor.report.service import ReportInputs, build_report, run_export
from auditor.store import Store
from tests.store.helpers import run_once

secret, db, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
finding = Finding(
    check_id="HRD-001",
    severity=Severity.HIGH,
    device="core-sw1",
    subject=f"community: {secret}",
    message_en=f"snmp-server community {secret} RO is configured",
    message_ja=f"community={secret} が設定されています",
)
at = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
with Store(f"sqlite:///{db}") as store:
    store.upgrade()
    run_once(store, [finding], at=at)
    stored = store.list_findings()[0]
    data = build_report(store, ReportInputs(), now=at)
    run_export("json", out, data, titles={})
exported = json.loads(out.read_text(encoding="utf-8"))["findings"][0]
print(json.dumps({"stored": stored.message_en, "exported_subject": exported["subject"],
                  "exported_message": exported["message"]["en"]}))
"""


def _run(tmp_path: Path, state: Path, name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {REDACTION_SALT_ENV, "STATE_DIRECTORY"}}
    env["AUDITOR_STATE_DIR"] = str(state)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RECORD_AND_EXPORT,
            SECRET,
            str(tmp_path / f"{name}.db"),
            str(tmp_path / f"{name}.json"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_two_processes_of_one_installation_redact_a_secret_to_the_same_marker(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    first = _run(tmp_path, state, "first")
    second = _run(tmp_path, state, "second")
    for result in (first, second):
        assert SECRET not in json.dumps(result)
        assert all(MARKER.search(text) for text in result.values())
    assert first == second
    salt = state / REDACTION_SALT_FILE
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600 and len(salt.read_bytes()) >= 16


def test_another_installation_has_its_own_markers(tmp_path: Path) -> None:
    ours = _run(tmp_path, tmp_path / "ours", "ours")
    theirs = _run(tmp_path, tmp_path / "theirs", "theirs")
    assert MARKER.findall(ours["stored"]) != MARKER.findall(theirs["stored"])
    assert SECRET not in json.dumps(theirs)
