"""Every real configuration in ``realdata/configs`` parses, and every hand-read fact matches.

The files are read from ``../shared/realdata/configs`` at run time (never copied into the
project); outside this workplace the tests skip, under ``CI=true`` they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.platforms.realdata_configs import compare, config_files, expected_for, parse_file
from tests.realdata import realdata_dir

pytestmark = pytest.mark.realdata


def _configs() -> Path:
    return realdata_dir() / "configs"


def test_every_real_configuration_parses_without_an_exception() -> None:
    files = config_files(_configs())
    assert len(files) == 20
    for platform, path in files:
        parts = parse_file(platform, path)
        assert parts.interfaces or parts.management.local_users is not None, path.name


def test_every_non_null_expected_fact_matches() -> None:
    compared = 0
    for platform, path in config_files(_configs()):
        expected = expected_for(path)
        if expected is None:
            continue
        result = compare(platform, path, expected)
        assert result.mismatched == [], (path.name, result.mismatched)
        assert result.matched, path.name
        compared += 1
    assert compared == 11


@pytest.mark.parametrize(
    ("folder", "ceiling"),
    [("cisco_ios", 0.02), ("allied_telesis_awplus", 0.0), ("yamaha_rtx", 0.05), ("fortinet", 0.1)],
)
def test_unparsed_share_stays_small(folder: str, ceiling: float) -> None:
    """Routing policy and housekeeping are deliberately ignored, not reported as gaps."""
    total = unparsed = 0
    for platform, path in config_files(_configs()):
        if platform != folder:
            continue
        parts = parse_file(platform, path)
        total += sum(1 for line in path.read_text(errors="replace").splitlines() if line.strip())
        unparsed += len(parts.unparsed_config_lines)
    assert total and unparsed / total <= ceiling, (unparsed, total)
