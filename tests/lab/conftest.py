"""One example-city lab per test session, started in the background and stopped at the end."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from auditor.lab.runner import LabState, lab_down, lab_up
from auditor.lab.scenario import Scenario
from tests.builders import example_city as example_city_copy


@pytest.fixture(scope="session")
def example_city() -> Scenario:
    return example_city_copy()


@pytest.fixture(scope="session")
def running_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabState]:
    if shutil.which("snmpbulkwalk") is None:
        pytest.skip("net-snmp tools are not installed (scripts/install-system-deps.sh)")
    state_dir = tmp_path_factory.mktemp("lab") / "state"
    state = lab_up(None, state_dir)
    try:
        yield state
    finally:
        lab_down(state_dir)
