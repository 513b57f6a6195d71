"""A command imports what it runs: ``auditor --help`` and ``auditor validate`` start without the
store, the collectors, the report or the web console (issue 13: a process start was a second of
CPU, mostly SQLAlchemy and Alembic imported for commands that never open the store).

The subprocess is the point: only a fresh interpreter shows what the console script imports.
``-X importtime`` lists every module imported, so the test asserts names, never times.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Libraries of the commands that need them (store, collectors, reports, web console, capture).
HEAVY = (
    "sqlalchemy",
    "alembic",
    "openpyxl",
    "xlsxwriter",
    "scapy",
    "pysnmp",
    "netmiko",
    "paramiko",
    "jinja2",
    "starlette",
    "uvicorn",
    "weasyprint",
    "apscheduler",
    "celery",
    "numpy",
    "argon2",
)


def imported(*args: str) -> set[str]:
    """Every module a fresh ``python -m auditor ARGS`` imports (top-level package names too)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "auditor", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name)
            names.add(name.split(".", 1)[0])
    assert "auditor.cli.app" in names  # the listing is real
    return names


def test_help_imports_no_command_library_and_no_model() -> None:
    names = imported("--help")
    assert not names & set(HEAVY), sorted(names & set(HEAVY))
    # the command tree is built from the help tables alone: no pydantic models, no checks
    assert not names & {"pydantic", "auditor.rules", "auditor.store", "auditor.audit.inputs"}


def test_validate_loads_the_inputs_without_the_store_or_the_collectors() -> None:
    names = imported(
        "validate",
        "--policy",
        str(REPO / "policies" / "example-city"),
        "--inventory",
        str(REPO / "inventory" / "example-city"),
    )
    assert "auditor.audit.inputs" in names and "auditor.rules" in names
    assert not names & set(HEAVY), sorted(names & set(HEAVY))
