"""The migrations reach a non-editable install: every file is a module or declared package data."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO / "auditor" / "store" / "migrations"


def test_every_migration_file_is_installed() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["auditor"]
    missing = []
    for path in MIGRATIONS.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        in_package = path.suffix == ".py" and (path.parent / "__init__.py").exists()
        relative = path.relative_to(REPO / "auditor").as_posix()
        if not in_package and not any(fnmatch(relative, pattern) for pattern in globs):
            missing.append(relative)
    assert missing == []
    assert (MIGRATIONS / "env.py").exists()
    assert (MIGRATIONS / "script.py.mako").exists()
