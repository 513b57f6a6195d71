"""Network-wide reachability at city scale: model build + all zone pairs, one ``path`` query.

Uses the synthetic city of ``bench/checks_scale.py`` (clusters of an L3 core with SVIs, ACLs and
routes, access switches, a router, a firewall every tenth cluster). Prints, at ``--devices`` and at
a tenth of it: interfaces and rules in the forwarding model, time to build the model and judge
every ordered zone pair over every service class, peak RSS, the 10k/1k time ratio, and the time of
one My Number → Internet query over the built model.

Usage: ``python bench/reachability.py --devices 10000``
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checks_scale import build_city, city_policy

from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.model import build_model
from auditor.analysis.reachability.search import search
from auditor.analysis.reachability.verdicts import reachability, zone_endpoint
from auditor.analysis.services import ServiceRange


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(devices: int) -> dict[str, Any]:
    policy = city_policy()
    inventory, snapshots, ledger = build_city(devices)
    gc.collect()
    view = NetworkView(policy, inventory, snapshots, ledger)
    started = time.perf_counter()
    model = build_model(view)
    verdicts = reachability(view)
    elapsed = time.perf_counter() - started
    zones = [z.id for z in policy.zones]
    source = next(z for z in zones if z == "mynumber")
    target = next(z for z in zones if z == "internet")
    query_started = time.perf_counter()
    result = search(
        model,
        zone_endpoint(view, source),
        zone_endpoint(view, target),
        ServiceRange("tcp", 443, 443),
    )
    query = time.perf_counter() - query_started
    return {
        "devices": len(snapshots),
        "interfaces": model.interface_count,
        "rules": model.rule_count,
        "pairs": len(verdicts),
        "seconds": round(elapsed, 2),
        "query_seconds": round(query, 3),
        "query_status": result.status,
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=10_000)
    args = parser.parse_args()
    small = measure(max(args.devices // 10, 1))
    print(small, flush=True)
    large = measure(args.devices)
    print(large, flush=True)
    print(
        f"ratio time({large['devices']})/time({small['devices']}) = "
        f"{large['seconds'] / max(small['seconds'], 1e-9):.2f}"
    )


if __name__ == "__main__":
    main()
