"""Start the lab's emulated SSH devices (fakenos, own process) on free loopback ports for tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from auditor.inventory.models import CredentialRef, Device, SshSettings
from auditor.lab.scenario import Scenario
from tests.markers import require

ONE_PER_PLATFORM = (
    "lg-core-sw1",  # cisco_ios, enable secret
    "lg-edge-sw2",  # allied_telesis_awplus
    "shisho-rt1",  # yamaha_rtx, Shift_JIS console, administrator password
    "inet-fw1",  # fortinet
    "myn-core-sw1",  # alaxala_ax
    "lg-rt1",  # nec_ix
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class SshLab:
    scenario: Scenario
    ports: dict[str, int]
    secrets: dict[str, str]

    def device(self, name: str, **overrides: object) -> Device:
        """An inventory entry for a lab device; passwords by reference (resolved from ``secrets``)."""
        lab_device = self.scenario.device(name)
        assert lab_device.ssh is not None
        self.secrets[f"{name}/password"] = lab_device.ssh.password
        enable = None
        if lab_device.ssh.enable_secret:
            self.secrets[f"{name}/enable"] = lab_device.ssh.enable_secret
            enable = CredentialRef(env=f"{name}/enable")
        settings = {
            "port": self.ports[name],
            "username": lab_device.ssh.username,
            "password": CredentialRef(env=f"{name}/password"),
            "enable_secret": enable,
            "host_key_policy": "trust_on_first_use",
            "timeout": 10.0,
            "encoding": lab_device.ssh.encoding,
        }
        settings.update(overrides)
        return Device(
            name=name,
            address="127.0.0.1",
            platform=lab_device.platform,
            ssh=SshSettings.model_validate(settings),
        )

    def resolve(self, reference: object) -> str:
        assert isinstance(reference, CredentialRef) and reference.env is not None
        return self.secrets[reference.env]


@contextmanager
def ssh_lab(scenario: Scenario, names: Sequence[str], workdir: Path) -> Iterator[SshLab]:
    """Serve ``names`` from one ``auditor.lab.serve_ssh`` process; stopped on exit."""
    require("lab", "the emulated SSH devices (fakenos)")
    ports = {name: free_port() for name in names}
    scenario_path = workdir / "scenario.yaml"  # JSON is YAML; serves exactly this scenario
    scenario_path.write_text(scenario.model_dump_json(), encoding="utf-8")
    plan = workdir / "ssh-plan.json"
    plan.write_text(json.dumps({"scenario": str(scenario_path), "ports": ports}))
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor.lab.serve_ssh", str(plan)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for port in ports.values():
            _wait_for(port, process)
        yield SshLab(scenario=scenario, ports=ports, secrets={})
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the SSH lab process exited")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"SSH lab port {port} did not open")
