"""Offline audit throughput: 1,000 and 10,000 saved configurations of the synthetic city.

Usage: ``python bench/offline.py [--sizes 1000 10000]``. Prints files/s, peak memory (RSS high-water
mark of this process) and the 10k/1k time ratio, which should stay near 10 (linear).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from auditor.audit.inputs import Bundle
from auditor.audit.offline import audit_offline
from auditor.inventory.models import AssetLedger, Device, Inventory
from auditor.lab.cli_render import render
from auditor.lab.synthetic import synthetic_city
from auditor.platforms.registry import profile_for
from auditor.policy.loader import load_policy
from auditor.rules import discover

REPO = Path(__file__).resolve().parents[1]


def run(size: int) -> tuple[float, int]:
    scenario = synthetic_city(size)
    registry = discover()
    loaded = load_policy(
        REPO / "policies" / "example-city",
        known_check_ids=registry.ids(),
        parameter_models=registry.parameter_models(),
    )
    devices = [d for d in scenario.devices if profile_for(d.platform) is not None]
    inventory = Inventory(
        devices=[
            Device(name=d.name, address=d.address, platform=d.platform, zones=d.zones)
            for d in devices
        ]
    )
    bundle = Bundle(loaded.policy, inventory, AssetLedger(), loaded.sha256)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for device in devices:
            profile = profile_for(device.platform)
            assert profile is not None
            text = render(device, scenario)[profile.config_command]
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            (root / f"{device.name}.cfg").write_bytes(data)
        started = time.perf_counter()
        outcome = audit_offline(bundle, registry, None, root, salt=b"bench")[-1]
        elapsed = time.perf_counter() - started
    return elapsed, len(outcome.snapshots)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    timings: dict[int, float] = {}
    for size in args.sizes:
        elapsed, files = run(size)
        timings[size] = elapsed
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{files} files: {elapsed:.1f} s, {files / elapsed:.0f} files/s, "
            f"peak RSS {peak_mb:.0f} MiB"
        )
    if len(timings) >= 2:
        small, large = min(timings), max(timings)
        print(
            f"{large}/{small} time ratio: {timings[large] / timings[small]:.1f} (linear: {large / small:.0f})"
        )


if __name__ == "__main__":
    main()
