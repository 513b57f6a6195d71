"""The slow files start first under ``-n 2 --dist loadfile`` (tests/conftest.py ``FIRST_FILES``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _ROOT, FIRST_FILES, _FirstFilesFirst

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class _Item:
    """What the ordering reads from a collected item: its file and its ``browser`` marker."""

    path: Path
    browser: bool = False

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "browser" and self.browser else None


class _Config:
    def __init__(self, **option: bool) -> None:
        self.option = type("Option", (), option)()


def test_every_listed_file_or_folder_exists() -> None:
    assert _ROOT == ROOT
    for entry in FIRST_FILES:
        if entry != "@browser":
            assert (ROOT / entry).exists(), f"FIRST_FILES names {entry}, which is gone"


def test_listed_files_move_to_the_front_in_list_order_each_file_whole() -> None:
    quick_a = _Item(ROOT / "tests" / "test_a.py")
    quick_b = _Item(ROOT / "tests" / "test_b.py")
    daemon = _Item(ROOT / "tests" / "daemon" / "test_x.py")
    restart = _Item(ROOT / FIRST_FILES[0])
    browser = _Item(ROOT / "tests" / "report" / "test_y.py", browser=True)
    items = [quick_a, daemon, quick_b, browser, daemon, restart, quick_a]
    original = list(items)
    _FirstFilesFirst().pytest_collection_modifyitems(_Config(), items)  # type: ignore[arg-type]
    assert items == [restart, daemon, daemon, browser, quick_a, quick_b, quick_a]
    # --failed-first / --new-first keep the order they chose.
    for option in ("failedfirst", "newfirst"):
        kept = list(original)
        _FirstFilesFirst().pytest_collection_modifyitems(_Config(**{option: True}), kept)  # type: ignore[arg-type]
        assert kept == original


def test_xdist_keeps_the_collection_order(pytestconfig: pytest.Config) -> None:
    """Without this, xdist >= 3.6 sorts files by their number of tests: the slow ones last."""
    assert getattr(pytestconfig.option, "loadscopereorder", False) is False
