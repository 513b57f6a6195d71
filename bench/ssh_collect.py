"""Benchmark: SSH collection of N emulated devices (the lab's synthetic city over real SSH).

The devices are served by the lab's fakenos SSH servers (``auditor.lab.serve_ssh``), split over
``--server-processes`` processes on free loopback ports. The Kyojin SSH collector then collects
all N devices with ``--workers`` threads (the parallel run) and a sample of ``--serial-sample``
devices one at a time (the serial reference, extrapolated to N by its mean per-device time).

Printed and written to ``bench/results/ssh_collect-N-<time>.json``:
devices/minute, per-device seconds (median, p95) of the parallel run, concurrency efficiency
``serial time / (parallel time × workers)`` and the peak RSS of the collector process.
The emulated devices share the machine's cores with the collector, so the efficiency is a lower
bound of what the collector achieves against real devices.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.collect.base import SecretResolver  # noqa: E402
from auditor.collect.ssh import DeviceCollection, SshCollector  # noqa: E402
from auditor.inventory.models import CredentialRef, Device, SshSettings  # noqa: E402
from auditor.lab.scenario import Scenario  # noqa: E402
from auditor.lab.synthetic import synthetic_city  # noqa: E402


class TimedCollector(SshCollector):
    """Records each device's outcome (its own wall time and errors) for the statistics."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outcomes: list[DeviceCollection] = []

    def collect_device(
        self, device: Device, resolve_secret: SecretResolver, commands: Sequence[str] | None = None
    ) -> DeviceCollection:
        outcome = super().collect_device(device, resolve_secret, commands)
        self.outcomes.append(outcome)
        return outcome


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop_servers(servers: list[subprocess.Popen[bytes]]) -> None:
    """Terminate every server that was started (also after a failed start)."""
    for server in servers:
        if server.poll() is None:
            server.terminate()
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def start_servers(
    scenario: Scenario, names: list[str], processes: int, workdir: Path, attempts: int = 3
) -> tuple[list[subprocess.Popen[bytes]], dict[str, int]]:
    """The lab SSH servers; ports are picked before the servers bind them, so a clash (another
    process took a port meanwhile) is retried with fresh ports, and a failed start never leaves
    a server running."""
    for attempt in range(1, attempts + 1):
        try:
            return _start_servers(scenario, names, processes, workdir)
        except RuntimeError as exc:
            if attempt == attempts:
                raise
            print(f"SSH servers did not start ({exc}); retrying", file=sys.stderr)
    raise AssertionError("unreachable")


def _start_servers(
    scenario: Scenario, names: list[str], processes: int, workdir: Path
) -> tuple[list[subprocess.Popen[bytes]], dict[str, int]]:
    scenario_file = workdir / "scenario.yaml"
    scenario_file.write_text(scenario.model_dump_json(), encoding="utf-8")  # JSON is YAML
    ports = {name: free_port() for name in names}
    started: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(processes):
            share = {name: ports[name] for name in names[index::processes]}
            plan = workdir / f"plan-{index}.json"
            plan.write_text(json.dumps({"scenario": str(scenario_file), "ports": share}))
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "auditor.lab.serve_ssh", str(plan)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        deadline = time.monotonic() + 120
        for port in ports.values():
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    exited = [server.args for server in started if server.poll() is not None]
                    if exited:
                        raise RuntimeError(f"a server exited early ({exited[0]})") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"port {port} did not open") from None
                    time.sleep(0.05)
    except BaseException:
        stop_servers(started)
        raise
    return started, ports


def inventory(scenario: Scenario, names: list[str], ports: dict[str, int]) -> list[Device]:
    devices = []
    for name in names:
        lab_device = scenario.device(name)
        assert lab_device.ssh is not None
        enable = CredentialRef(env=f"{name}/enable") if lab_device.ssh.enable_secret else None
        devices.append(
            Device(
                name=name,
                address="127.0.0.1",
                platform=lab_device.platform,
                ssh=SshSettings(
                    port=ports[name],
                    username=lab_device.ssh.username,
                    password=CredentialRef(env=f"{name}/password"),
                    enable_secret=enable,
                    host_key_policy="trust_on_first_use",
                    timeout=30.0,
                    encoding=lab_device.ssh.encoding,
                ),
            )
        )
    return devices


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--serial-sample", type=int, default=12)
    parser.add_argument("--server-processes", type=int, default=4)
    args = parser.parse_args(argv)

    scenario = synthetic_city(args.devices)
    names = [d.name for d in scenario.devices if d.ssh is not None]
    secrets: dict[str, str] = {}
    for name in names:
        lab_device = scenario.device(name)
        assert lab_device.ssh is not None
        secrets[f"{name}/password"] = lab_device.ssh.password
        if lab_device.ssh.enable_secret:
            secrets[f"{name}/enable"] = lab_device.ssh.enable_secret

    def resolve(reference: object) -> str:
        assert isinstance(reference, CredentialRef) and reference.env is not None
        return secrets[reference.env]

    with tempfile.TemporaryDirectory(prefix="ssh-bench-") as tmp:
        workdir = Path(tmp)
        servers, ports = start_servers(scenario, names, args.server_processes, workdir)
        try:
            devices = inventory(scenario, names, ports)
            known_hosts = workdir / "known_hosts"
            parallel = TimedCollector(
                salt=b"bench", known_hosts=known_hosts, max_workers=args.workers
            )
            began = time.monotonic()
            result = parallel.collect(devices, resolve)
            parallel_seconds = time.monotonic() - began

            sample = devices[:: max(1, len(devices) // args.serial_sample)][: args.serial_sample]
            serial = TimedCollector(salt=b"bench", known_hosts=known_hosts, max_workers=1)
            began = time.monotonic()
            serial_result = serial.collect(sample, resolve)
            serial_sample_seconds = time.monotonic() - began
        finally:
            stop_servers(servers)

    per_device = [outcome.seconds for outcome in parallel.outcomes]
    serial_per_device = serial_sample_seconds / max(1, len(sample))
    serial_estimate = serial_per_device * len(devices)
    efficiency = serial_estimate / (parallel_seconds * args.workers)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "devices": len(devices),
        "workers": args.workers,
        "server_processes": args.server_processes,
        "collected": len(result.snapshots),
        "errors": len(result.errors),
        "error_kinds": sorted({str(error.kind) for error in result.errors}),
        "error_examples": {
            str(error.kind): f"{error.device} {error.subject} [{error.detail}]"
            for error in reversed(result.errors)
        },
        "parallel_seconds": round(parallel_seconds, 2),
        "devices_per_minute": round(len(devices) / parallel_seconds * 60, 1),
        "per_device_seconds_median": round(statistics.median(per_device), 3),
        "per_device_seconds_p95": round(percentile(per_device, 0.95), 3),
        "serial_sample_devices": len(sample),
        "serial_sample_errors": len(serial_result.errors),
        "serial_seconds_per_device": round(serial_per_device, 3),
        "serial_seconds_estimate": round(serial_estimate, 1),
        "concurrency_efficiency": round(efficiency, 3),
        "speedup": round(serial_estimate / parallel_seconds, 2),
        "peak_rss_mb_collector": round(peak_rss_mb, 1),
        "python": sys.version.split()[0],
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for key, value in figures.items():
        print(f"{key:32} {value}")
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"ssh_collect-{len(devices)}-{stamp}.json").write_text(
        json.dumps(figures, indent=2), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
