"""Real configurations recorded by others: per-platform parse table (files, unparsed, facts).

Parses every file in ``../shared/realdata/configs`` with the platform parser and compares the
files that have a hand-written ``<file>.expected.json`` (only non-null values). Prints the table
quoted in docs/realdata.md and every mismatch. Nothing is timed. Usage:
``python bench/realdata_configs.py [--configs PATH]``.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.platforms.realdata_configs import (  # noqa: E402
    compare,
    config_files,
    expected_for,
    parse_file,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=Path, default=ROOT / ".." / "shared/realdata/configs")
    args = parser.parse_args()
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    problems: list[str] = []
    for platform, path in config_files(args.configs):
        row = rows[platform]
        text = path.read_bytes().decode("utf-8", errors="replace")
        row["files"] += 1
        row["lines"] += sum(1 for line in text.splitlines() if line.strip())
        try:
            parts = parse_file(platform, path)
        except Exception as exc:  # the table reports it; the tests fail on it
            problems.append(f"{path.name}: {type(exc).__name__}: {exc}")
            row["crashed"] += 1
            continue
        row["unparsed"] += len(parts.unparsed_config_lines)
        expected = expected_for(path)
        if expected is None:
            continue
        result = compare(platform, path, expected)
        row["with_expected"] += 1
        row["matched"] += len(result.matched)
        row["facts"] += len(result.matched) + len(result.mismatched)
        problems += [f"{path.name}: {key}: want {w!r} got {g!r}" for key, w, g in result.mismatched]
    print(
        "| platform | files | with expected | lines | unparsed | unparsed ratio | facts matched |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for platform, row in sorted(rows.items()):
        ratio = row["unparsed"] / row["lines"] if row["lines"] else 0.0
        print(
            f"| {platform} | {row['files']} | {row['with_expected']} | {row['lines']} | "
            f"{row['unparsed']} | {ratio:.1%} | {row['matched']}/{row['facts']} |"
        )
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
