"""Read the ntc-templates fixtures (real CLI output + expected parse) from shared realdata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.realdata import realdata_dir


def fixture_pairs(platform: str, command_dir: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """[(name, raw text, expected rows)] for one platform/command folder."""
    folder = realdata_dir() / "ntc-templates" / platform / command_dir
    pairs: list[tuple[str, str, list[dict[str, Any]]]] = []
    for raw in sorted(Path(folder).glob("*.raw")):
        expected = raw.with_suffix(".yml")
        if not expected.exists():
            continue
        data = yaml.safe_load(expected.read_text(encoding="utf-8")) or {}
        text = raw.read_bytes().decode("utf-8", errors="replace")
        pairs.append((raw.name, text, data.get("parsed_sample") or []))
    assert pairs, f"no fixtures in {folder}"
    return pairs
