"""Bring up a synthetic city of N devices, print start time and memory, tear it down.

    .venv/bin/python bench/lab_scale.py --devices 1000 [--ssh-devices K]

Figures: wall time of `lab_up` (data generation, snmpsim indexing, SSH servers listening, every
endpoint answering), resident memory of the lab processes (SNMP agent and each SSH process), one
snmpbulkwalk of a device as a sanity check, and the time `lab_down` takes. JSON goes to
bench/results/lab_scale-<N>.json so runs can be compared.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.lab.runner import (  # noqa: E402
    bound_ports,
    lab_down,
    lab_scale,
    process_rss_bytes,
    read_state,
)
from auditor.lab.scenario import load_scenario  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--ssh-devices", type=int, default=None, help="default: every device")
    parser.add_argument("--state-dir", type=Path, default=None)
    args = parser.parse_args()

    scratch = None if args.state_dir else Path(tempfile.mkdtemp(prefix="kyojin-lab-scale-"))
    state_dir = args.state_dir or (scratch / "lab" if scratch else Path())
    started = time.monotonic()
    state, figures = lab_scale(args.devices, state_dir, ssh_devices=args.ssh_devices)
    try:
        by_role: dict[str, int] = {}
        for process in state.processes:
            by_role[process.role] = by_role.get(process.role, 0) + process_rss_bytes([process.pid])
        figures["rss_snmp_mib"] = round(by_role.get("snmp", 0) / 2**20, 1)
        figures["rss_ssh_mib"] = round(by_role.get("ssh", 0) / 2**20, 1)
        for phase, seconds in state.phases.items():
            figures[f"phase_{phase}_seconds"] = seconds
        scenario = load_scenario(state.scenario_file)
        probe = next(d for d in scenario.devices if d.snmp and d.snmp.version == "v2c")
        if shutil.which("snmpbulkwalk"):
            walk_started = time.monotonic()
            result = subprocess.run(
                ["snmpbulkwalk", "-v2c", "-c", str(probe.snmp.community if probe.snmp else ""),
                 "-On", f"127.0.0.1:{state.devices[probe.name].snmp_port}", "1.3.6.1.2.1"],
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            figures["walk_one_device_seconds"] = round(time.monotonic() - walk_started, 3)
            figures["walk_one_device_varbinds"] = float(result.stdout.count("\n"))
    finally:
        stop_started = time.monotonic()
        stopped = lab_down(state_dir)
        figures["down_seconds"] = round(time.monotonic() - stop_started, 2)
    assert stopped is not None and read_state(state_dir) is None
    figures["ports_left_bound"] = float(len(bound_ports(stopped.udp_ports(), stopped.tcp_ports())))
    figures["total_seconds"] = round(time.monotonic() - started, 2)
    if scratch is not None:
        scratch.rmdir()
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"lab_scale-{args.devices}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
