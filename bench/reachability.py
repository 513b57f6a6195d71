"""Network-wide reachability at city scale: model build + all zone pairs, one ``path`` query.

Uses the synthetic city of ``bench/checks_scale.py`` (clusters of an L3 core with SVIs, ACLs and
routes, access switches, a router, a firewall every tenth cluster). At ``--devices`` and at a
tenth of it, prints: interfaces and rules in the forwarding model; the time to build the model and
judge every ordered zone pair over every service class (``--repeat`` passes, each from a fresh
model; wall-clock and process CPU time, min/median/max; the first pass is the cold one an audit
pays); the time of one My Number → Internet ``auditor path`` query over the built model and
with a fresh model (what the command does after loading its inputs); peak RSS (read before the
tracemalloc pass) and what each phase added (synthetic snapshots, network view, model +
searches), plus the peak traced allocation of one model + searches pass (tracemalloc).

The last line is the 10k/1k ratio of the best process CPU times: on the shared 2-core machine
the wall clock of a pass mostly measures the other jobs (load average 10-20), so the CPU time is
the figure that says whether the work grows linearly. The wall-clock ratio is printed above it.

Usage: ``python bench/reachability.py --devices 10000``
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checks_scale import build_city, city_policy
from common import show, spread, write_results

from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.model import build_model
from auditor.analysis.reachability.search import search
from auditor.analysis.reachability.verdicts import reachability, zone_endpoint
from auditor.analysis.services import ServiceRange

HTTPS = ServiceRange("tcp", 443, 443)
_DERIVED = ("forwarding_model", "reachability")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _fresh(view: NetworkView) -> None:
    """Forget the model and verdicts so the next pass builds and searches from scratch."""
    for key in _DERIVED:
        view.derived.pop(key, None)


def _pass(view: NetworkView) -> tuple[float, float]:
    _fresh(view)
    wall, cpu = time.perf_counter(), time.process_time()
    build_model(view)
    reachability(view)
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(devices: int, repeat: int) -> dict[str, Any]:
    policy = city_policy()
    rss_start = _rss_mib()
    inventory, snapshots, ledger = build_city(devices)
    gc.collect()
    rss_city = _rss_mib()
    view = NetworkView(policy, inventory, snapshots, ledger)
    rss_view = _rss_mib()
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeat):
        wall, cpu = _pass(view)
        walls.append(wall)
        cpus.append(cpu)
        if len(walls) == 1:
            rss_reach = _rss_mib()
    model = build_model(view)
    verdicts = reachability(view)
    source = zone_endpoint(view, "mynumber")
    target = zone_endpoint(view, "internet")
    query_walls: list[float] = []
    query_cpus: list[float] = []
    status = ""
    for _ in range(max(repeat, 3)):
        wall, cpu = time.perf_counter(), time.process_time()
        status = search(model, source, target, HTTPS).status
        query_walls.append(time.perf_counter() - wall)
        query_cpus.append(time.process_time() - cpu)
    # What `auditor path` does after loading its inputs: build a fresh model, answer one query.
    _fresh(view)
    wall, cpu = time.perf_counter(), time.process_time()
    search(build_model(view), source, target, HTTPS)
    cold_query = (time.perf_counter() - wall, time.process_time() - cpu)
    peak_rss = _peak_rss_mib()  # before tracemalloc, whose own bookkeeping takes memory
    _fresh(view)
    gc.collect()
    tracemalloc.start()
    build_model(view)
    reachability(view)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "devices": len(snapshots),
        "interfaces": model.interface_count,
        "rules": model.rule_count,
        "pairs": len(verdicts),
        "wall_seconds": spread(walls),
        "cpu_seconds": spread(cpus),
        "cold_wall_seconds": walls[0],
        "cold_cpu_seconds": cpus[0],
        "query_status": status,
        "query_wall_seconds": spread(query_walls),
        "query_cpu_seconds": spread(query_cpus),
        "cold_query_wall_seconds": cold_query[0],
        "cold_query_cpu_seconds": cold_query[1],
        "peak_rss_mib": round(peak_rss, 1),
        "rss_added_mib": {
            "snapshots": round(rss_city - rss_start, 1),
            "network_view": round(rss_view - rss_city, 1),
            "model_and_searches": round(rss_reach - rss_view, 1),
        },
        "reachability_traced_peak_mib": round(traced_peak, 1),
        "_walls": walls,
        "_cpus": cpus,
        "_query_walls": query_walls,
        "_query_cpus": query_cpus,
    }


def _print(run: dict[str, Any]) -> None:
    added = run["rss_added_mib"]
    print(
        f"devices={run['devices']}  interfaces={run['interfaces']}  rules={run['rules']}  "
        f"zone pairs={run['pairs']}"
    )
    print("  " + show("model + all pairs, CPU", run["_cpus"], " s", 3))
    print("  " + show("model + all pairs, wall", run["_walls"], " s", 3))
    print(
        f"  cold pass: CPU {run['cold_cpu_seconds']:.3f} s, wall {run['cold_wall_seconds']:.3f} s"
    )
    print(
        "  "
        + show(
            f"one path query mynumber->internet tcp/443 ({run['query_status']}), CPU",
            run["_query_cpus"],
            " s",
            4,
        )
    )
    print("  " + show("one path query, wall", run["_query_walls"], " s", 4))
    print(
        f"  fresh model + one query (what `auditor path` does after loading): "
        f"CPU {run['cold_query_cpu_seconds']:.3f} s, wall {run['cold_query_wall_seconds']:.3f} s"
    )
    print(
        f"  peak RSS {run['peak_rss_mib']} MiB (snapshots +{added['snapshots']}, network view "
        f"+{added['network_view']}, model + searches +{added['model_and_searches']}); "
        f"model + searches traced peak {run['reachability_traced_peak_mib']} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="passes per city size (>= 1)")
    args = parser.parse_args()
    repeat = max(args.repeat, 1)
    small = measure(max(args.devices // 10, 1), repeat)
    _print(small)
    gc.collect()
    large = measure(args.devices, repeat)
    _print(large)
    cpu_ratio = large["cpu_seconds"]["min"] / max(small["cpu_seconds"]["min"], 1e-9)
    wall_ratio = large["wall_seconds"]["min"] / max(small["wall_seconds"]["min"], 1e-9)
    cold_ratio = large["cold_cpu_seconds"] / max(small["cold_cpu_seconds"], 1e-9)
    interface_ratio = large["interfaces"] / max(small["interfaces"], 1)
    results = write_results(
        "reachability",
        {
            "small": {k: v for k, v in small.items() if not k.startswith("_")},
            "large": {k: v for k, v in large.items() if not k.startswith("_")},
            "cpu_ratio": round(cpu_ratio, 2),
            "wall_ratio": round(wall_ratio, 2),
            "cold_cpu_ratio": round(cold_ratio, 2),
            "interface_ratio": round(interface_ratio, 2),
            "load_average": os.getloadavg(),
        },
    )
    print(f"results: {results}")
    print(
        f"interfaces x{interface_ratio:.2f}; wall-clock ratio (best passes) {wall_ratio:.2f}; "
        f"cold-pass CPU ratio {cold_ratio:.2f}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; ratio below: best process CPU times"
    )
    print(f"reachability 10k/1k ratio: {cpu_ratio:.2f}")


if __name__ == "__main__":
    main()
