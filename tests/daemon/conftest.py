"""One example-city lab for the whole daemon folder, and helpers to build inventories from it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from auditor.lab.runner import LabState, lab_down, lab_up


@pytest.fixture(scope="session")
def daemon_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabState]:
    if shutil.which("snmpbulkwalk") is None:
        pytest.skip("net-snmp tools are not installed (scripts/install-system-deps.sh)")
    state_dir = tmp_path_factory.mktemp("daemon-lab") / "state"
    state = lab_up(None, state_dir)
    try:
        yield state
    finally:
        lab_down(state_dir)
