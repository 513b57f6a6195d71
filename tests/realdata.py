"""Locate ``<repo>/../shared/realdata`` (real device data recorded by others) for tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.markers import require


def realdata_dir() -> Path:
    """The realdata folder; skips the test when absent (fails under ``CI=true``)."""
    require("realdata", "../shared/realdata")
    path = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata"
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"real device data missing at {path}")
        pytest.skip(f"real device data not available at {path}")
    return path
