"""Offline audit throughput: 1,000 and 10,000 saved configurations of the synthetic city.

Usage: ``python bench/offline.py [--sizes 1000 10000]``. Prints files/s (wall clock and per CPU
second: the CPU figure does not depend on what else the machine runs), the audit's peak memory and
the 10k/1k time and memory ratios, which should stay near 10 (linear).

Each size runs in two fresh processes: one renders the synthetic city's configurations into a
folder (with a JSON inventory) and exits, the other only audits the folder. The peak RSS printed is
therefore the audit's own (``ru_maxrss`` of the auditing process: interpreter, imports, policy,
and the run), not the synthetic city's, and not a previous size's high-water mark.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_city(size: int, root: Path) -> None:
    """The configurations (one file per device with a CLI profile) and the inventory as JSON."""
    from auditor.lab.cli_render import render
    from auditor.lab.synthetic import synthetic_city
    from auditor.platforms.registry import profile_for

    scenario = synthetic_city(size)
    inventory = []
    for device in scenario.devices:
        profile = profile_for(device.platform)
        if profile is None:
            continue
        text = render(device, scenario)[profile.config_command]
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (root / f"{device.name}.cfg").write_bytes(data)
        inventory.append(
            {
                "name": device.name,
                "address": str(device.address),
                "platform": device.platform,
                "zones": list(device.zones),
            }
        )
    (root.parent / "inventory.json").write_text(json.dumps(inventory), encoding="utf-8")


def audit_folder(root: Path) -> dict[str, float]:
    """Audit ``root`` as ``auditor offline`` does without a store; time and peak RSS."""
    from auditor.audit.inputs import Bundle
    from auditor.audit.offline import audit_offline
    from auditor.inventory.models import AssetLedger, Device, Inventory
    from auditor.policy.loader import load_policy
    from auditor.rules import discover

    registry = discover()
    loaded = load_policy(
        REPO / "policies" / "example-city",
        known_check_ids=registry.ids(),
        parameter_models=registry.parameter_models(),
    )
    rows = json.loads((root.parent / "inventory.json").read_text(encoding="utf-8"))
    inventory = Inventory(devices=[Device(**row) for row in rows])
    bundle = Bundle(loaded.policy, inventory, AssetLedger(), loaded.sha256)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = audit_offline(bundle, registry, None, root, salt=b"bench")[-1]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "files": len(outcome.snapshots),
        "findings": len(outcome.findings),
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "rss_before_mib": before,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def run(size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "configs"
        root.mkdir()
        _child("--write", str(size), str(root))
        return dict(json.loads(_child("--audit", str(root))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--write", nargs=2, metavar=("SIZE", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--audit", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write_city(int(args.write[0]), Path(args.write[1]))
        return
    if args.audit:
        print(json.dumps(audit_folder(Path(args.audit))))
        return
    results: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        result = results[size] = run(size)
        print(
            f"{result['files']:.0f} files: {result['seconds']:.1f} s, "
            f"{result['files'] / result['seconds']:.0f} files/s "
            f"(CPU {result['cpu_seconds']:.1f} s: {result['files'] / result['cpu_seconds']:.0f} "
            "files per CPU second), "
            f"peak RSS {result['peak_rss_mib']:.0f} MiB "
            f"(before the audit {result['rss_before_mib']:.0f} MiB), "
            f"{result['findings']:.0f} findings",
            flush=True,
        )
    if len(results) >= 2:
        small, large = results[min(results)], results[max(results)]
        growth = (large["peak_rss_mib"] - large["rss_before_mib"]) / max(
            small["peak_rss_mib"] - small["rss_before_mib"], 1
        )
        print(
            f"{max(results)}/{min(results)}: time ratio {large['seconds'] / small['seconds']:.1f} "
            f"(CPU {large['cpu_seconds'] / small['cpu_seconds']:.1f}), "
            f"peak RSS ratio {large['peak_rss_mib'] / small['peak_rss_mib']:.1f}, "
            f"audit memory growth ratio {growth:.1f} "
            f"(linear: {large['files'] / small['files']:.0f})"
        )


if __name__ == "__main__":
    main()
