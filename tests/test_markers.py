"""The markers that select the offline subset: fixture-implied marks and the helpers' guard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.markers import FIXTURE_MARKS, require

TESTS = Path(__file__).resolve().parent


def test_a_helper_fails_a_test_that_lacks_the_marker_it_needs() -> None:
    with pytest.raises(pytest.fail.Exception, match="is not marked 'lab'"):
        require("lab", "an SNMP agent")


@pytest.mark.realdata
def test_a_helper_runs_in_a_test_that_carries_the_marker() -> None:
    require("realdata", "../shared/realdata")


def test_every_fixture_that_implies_a_marker_is_defined_under_tests() -> None:
    sources = "\n".join(path.read_text(encoding="utf-8") for path in TESTS.rglob("*.py"))
    for name in FIXTURE_MARKS:
        assert re.search(rf"@pytest\.fixture[^\n]*\n(?:@[^\n]*\n)*def {name}\(", sources), name


def test_collected_tests_that_use_those_fixtures_carry_their_markers(
    request: pytest.FixtureRequest,
) -> None:
    for item in request.session.items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, markers in FIXTURE_MARKS.items():
            if fixture in used:
                for marker in markers:
                    assert item.get_closest_marker(marker) is not None, (item.nodeid, marker)
