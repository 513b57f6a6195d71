"""Shared bench plumbing: interleaved repetitions, min/median/max, dated JSON results.

Every bench states its reference, runs product and reference interleaved (product, reference,
product, reference, …) at least three times so background load hits both alike, and writes
``bench/results/<name>-<UTC timestamp>.json`` (gitignored).
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def spread(values: Sequence[float]) -> dict[str, float]:
    """min / median / max of one figure over the repetitions."""
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def show(label: str, values: Sequence[float], unit: str = "", digits: int = 4) -> str:
    figures = spread(values)
    return (
        f"{label}: min {figures['min']:.{digits}f}{unit}  median {figures['median']:.{digits}f}"
        f"{unit}  max {figures['max']:.{digits}f}{unit}  (n={len(values)})"
    )


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port free right now (for tools that cannot bind port 0 themselves: retry on clashes)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    document = {
        "benchmark": name,
        "when": now.isoformat(timespec="seconds"),
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "machine": platform.platform(),
        },
        **payload,
    }
    path = RESULTS / f"{name}-{now:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return path
