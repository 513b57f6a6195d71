"""``discover()`` keeps what it walked, and walks again when a package folder changes."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from auditor import rules
from auditor.rules import discover


def _check_module(folder: Path, name: str, check_id: str) -> None:
    (folder / f"{name}.py").write_text(
        textwrap.dedent(
            f"""
            from auditor.rules import Check

            class Extra{check_id.replace("-", "")}(Check):
                id = "{check_id}"
            """
        ),
        encoding="utf-8",
    )


def test_the_same_checks_as_a_fresh_walk() -> None:
    walked = sorted(check.id for check in rules._walk_package("auditor_checks"))
    assert sorted(check.id for check in discover()) == walked
    assert sorted(check.id for check in discover()) == walked  # from the kept walk


def test_a_module_added_to_a_package_is_found_by_the_next_discovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "kyojin_extra_checks_cache_test"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    _check_module(package, "first", "XTR-001")
    monkeypatch.syspath_prepend(str(tmp_path))
    name = package.name
    try:
        assert "XTR-001" in discover([name]) and "XTR-002" not in discover([name])
        _check_module(package, "second", "XTR-002")
        # a coarse file system clock could give the folder the same time as before: move it on
        stat = package.stat()
        os.utime(package, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        found = discover([name])
        assert {"XTR-001", "XTR-002"} <= {check.id for check in found}
    finally:
        rules._WALKS.pop(name, None)
        for module in [m for m in sys.modules if m.startswith(name)]:
            del sys.modules[module]
