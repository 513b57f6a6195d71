"""Start and stop the lab as detached background processes, tracked by PID in a state directory.

``lab_up`` writes everything under ``state_dir``: ``lab.json`` (processes, process groups, ports;
no secrets), ``scenario.json`` (the lab's own copy, mode 0600), ``secrets/`` (one file per
secret, mode 0600), ``inventory/devices.yaml`` (references the secret files with ``file:``), and
the SNMP data and logs. ``lab_down`` stops exactly the recorded process groups, checks that no lab
port is still bound and removes what ``lab_up`` created.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.lab.scenario import Scenario, ScenarioDevice, load_example_city, load_scenario
from auditor.lab.snmp_agent import SnmpAccess, plan_snmp_agent, start_snmp_agent, wait_snmp_ready
from auditor.lab.ssh_devices import has_ssh, wire_encoding

LAB_FILE = "lab.json"
HOST = "127.0.0.1"
_CREATED = ("lab.json", "scenario.json", "secrets", "inventory", "snmp", "ssh")
SSH_DEVICES_PER_PROCESS = 250


class LabError(RuntimeError):
    """The lab could not be started or stopped cleanly (message in English and Japanese)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabProcess(_Model):
    role: Literal["snmp", "ssh"]
    pid: int
    pgid: int
    marker: str = Field(description="a string in its command line, to never signal a reused PID")
    udp_ports: list[int] = Field(default_factory=list)
    tcp_ports: list[int] = Field(default_factory=list)
    devices: list[str] = Field(default_factory=list)


class LabDevice(_Model):
    name: str
    platform: str
    snmp_port: int | None = None
    snmp_version: str | None = None
    ssh_port: int | None = None


class LabState(_Model):
    state_dir: str
    scenario_name: str
    scenario_file: str
    inventory_file: str
    host: str = HOST
    started_at: datetime
    start_seconds: float = 0.0
    phases: dict[str, float] = Field(default_factory=dict, description="seconds per start phase")
    processes: list[LabProcess] = Field(default_factory=list)
    devices: dict[str, LabDevice] = Field(default_factory=dict)

    def udp_ports(self) -> list[int]:
        return sorted({port for process in self.processes for port in process.udp_ports})

    def tcp_ports(self) -> list[int]:
        return sorted({port for process in self.processes for port in process.tcp_ports})

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]


def default_state_dir() -> Path:
    """``$AUDITOR_LAB_DIR``, else a per-user folder in the runtime directory or /tmp."""
    configured = os.environ.get("AUDITOR_LAB_DIR")
    if configured:
        return Path(configured)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "kyojin-lab"
    return Path("/tmp") / f"kyojin-lab-{os.getuid()}"  # noqa: S108 - per-user, mode 0700


def read_state(state_dir: Path) -> LabState | None:
    path = state_dir / LAB_FILE
    if not path.exists():
        return None
    return LabState.model_validate_json(path.read_text(encoding="utf-8"))


# --- secrets and inventory -------------------------------------------------------------------


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


def _secret(secrets_dir: Path, name: str, value: str) -> dict[str, str]:
    path = secrets_dir / name
    _write_private(path, value + "\n")
    return {"file": str(path)}


def _inventory_entry(
    device: ScenarioDevice,
    snmp: SnmpAccess | None,
    ssh_port: int | None,
    secrets_dir: Path,
) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": device.name,
        "address": HOST,
        "platform": device.platform,
        "zones": list(device.zones),
        "site": device.site,
        "role": device.role,
    }
    if device.asset_id:
        entry["asset_id"] = device.asset_id
    if snmp is not None:
        settings: dict[str, object] = {"version": snmp.version, "port": snmp.port}
        if snmp.version == "v2c":
            assert snmp.community is not None
            settings["community"] = _secret(
                secrets_dir, f"{device.name}.snmp-community", snmp.community
            )
        else:
            assert snmp.auth_key is not None
            settings["user"] = snmp.user
            settings["auth_protocol"] = snmp.auth_protocol
            settings["auth_key"] = _secret(secrets_dir, f"{device.name}.snmp-auth", snmp.auth_key)
            settings["priv_protocol"] = snmp.priv_protocol
            if snmp.priv_key:
                settings["priv_key"] = _secret(
                    secrets_dir, f"{device.name}.snmp-priv", snmp.priv_key
                )
        entry["snmp"] = settings
    if ssh_port is not None and device.ssh is not None:
        ssh: dict[str, object] = {
            "port": ssh_port,
            "username": device.ssh.username,
            "password": _secret(secrets_dir, f"{device.name}.ssh-password", device.ssh.password),
            "host_key_policy": "trust_on_first_use",
        }
        if device.ssh.enable_secret:
            ssh["enable_secret"] = _secret(
                secrets_dir, f"{device.name}.ssh-enable", device.ssh.enable_secret
            )
        if wire_encoding(device) != "utf-8":
            ssh["encoding"] = wire_encoding(device)
        entry["ssh"] = ssh
    return entry


YAML_BLOCK_STYLE_LIMIT = 200  # devices; bigger inventories are written in YAML's JSON subset


def _write_yaml(path: Path, data: object, private: bool = False) -> None:
    """Readable block-style YAML for small files; JSON (valid YAML) for big synthetic cities,
    where the pure-Python YAML emitter would take about ten seconds per thousand devices."""
    import io

    from ruamel.yaml import YAML

    devices = data.get("devices") if isinstance(data, dict) else None
    if isinstance(devices, list) and len(devices) > YAML_BLOCK_STYLE_LIMIT:
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if private:
            _write_private(path, text)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return

    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    if private:
        _write_private(path, buffer.getvalue())
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(buffer.getvalue(), encoding="utf-8")


# --- processes -------------------------------------------------------------------------------


def _free_tcp_ports(count: int) -> list[int]:
    """Ports the kernel hands out for port 0, all held open together so they are distinct."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _start_ssh_process(plan_file: Path, log_file: Path) -> subprocess.Popen[bytes]:
    with log_file.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "auditor.lab.serve_ssh", str(plan_file)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def ssh_answers(port: int, timeout: float = 1.0) -> bool:
    """True when the port accepts TCP and sends an SSH identification line."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            return sock.recv(64).startswith(b"SSH-")
    except OSError:
        return False


def _wait_ssh(
    processes: Sequence[tuple[subprocess.Popen[bytes], list[int], Path]], deadline: float
) -> None:
    pending = {port: (process, log) for process, ports, log in processes for port in ports}
    while pending:
        for port, (process, log) in list(pending.items()):
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise LabError(f"SSH device process exited ({process.returncode}): {tail}")
            if ssh_answers(port):
                del pending[port]
        if pending and time.monotonic() > deadline:
            raise LabError(f"SSH devices not answering on ports {sorted(pending)[:10]}")
        if pending:
            time.sleep(0.2)


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def _alive(process: LabProcess) -> bool:
    return process.marker in _cmdline(process.pid)


# --- up / down -------------------------------------------------------------------------------


def lab_up(
    scenario_path: Path | None,
    state_dir: Path,
    devices: int | None = None,
    ssh_devices: int | None = None,
    ready_timeout: float | None = None,
) -> LabState:
    """Start the lab in the background and wait until every agent answers.

    ``devices`` builds a synthetic city of that size instead of reading a scenario; ``ssh_devices``
    bounds how many devices get an SSH CLI (all SSH-capable devices when ``None``).
    ``ready_timeout`` defaults to 60 s plus 0.1 s per device (2,000 devices take about a minute
    on two busy cores).
    """
    started = time.monotonic()
    # The agents run detached from this working directory: every path they get is absolute.
    state_dir = state_dir.resolve()
    existing = read_state(state_dir)
    if existing is not None and any(_alive(process) for process in existing.processes):
        raise LabError(
            f"a lab is already running in {state_dir} (run `lab down` first) / "
            f"{state_dir} でラボが起動中です (先に `lab down` を実行してください)"
        )
    if existing is not None:
        _remove_created(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    state_dir.chmod(0o700)
    scenario = _choose_scenario(scenario_path, devices)
    if ready_timeout is None:
        ready_timeout = 60.0 + 0.1 * len(scenario.devices)
    scenario_file = state_dir / "scenario.json"
    _write_private(scenario_file, scenario.model_dump_json(exclude_none=True))

    state = LabState(
        state_dir=str(state_dir),
        scenario_name=scenario.name,
        scenario_file=str(scenario_file),
        inventory_file=str(state_dir / "inventory" / "devices.yaml"),
        started_at=datetime.now(UTC),
    )

    def mark(phase: str) -> None:
        state.phases[phase] = round(time.monotonic() - started - sum(state.phases.values()), 3)

    mark("scenario")
    try:
        snmp_devices = [device for device in scenario.devices if device.snmp is not None]
        plan = plan_snmp_agent(scenario, snmp_devices, state_dir)
        snmp_process = start_snmp_agent(plan)
        state.processes.append(
            LabProcess(
                role="snmp",
                pid=snmp_process.pid,
                pgid=snmp_process.pid,
                marker=str(plan.args_file),
                udp_ports=list(plan.ports),
                devices=sorted(plan.access),
            )
        )
        _save(state)
        mark("snmp_data")

        ssh_capable = [device for device in scenario.devices if has_ssh(device)]
        if ssh_devices is not None:
            ssh_capable = ssh_capable[:ssh_devices]
        ssh_ports = dict(
            zip([d.name for d in ssh_capable], _free_tcp_ports(len(ssh_capable)), strict=True)
        )
        ssh_started: list[tuple[subprocess.Popen[bytes], list[int], Path]] = []
        names = list(ssh_ports)
        for shard, first in enumerate(range(0, len(names), SSH_DEVICES_PER_PROCESS)):
            chunk = names[first : first + SSH_DEVICES_PER_PROCESS]
            plan_file = state_dir / "ssh" / f"shard-{shard}.json"
            plan_file.parent.mkdir(parents=True, exist_ok=True)
            plan_file.write_text(
                json.dumps(
                    {
                        "scenario": str(scenario_file),
                        "host": HOST,
                        "ports": {n: ssh_ports[n] for n in chunk},
                    }
                ),
                encoding="utf-8",
            )
            log_file = state_dir / "ssh" / f"shard-{shard}.log"
            process = _start_ssh_process(plan_file, log_file)
            ports = [ssh_ports[n] for n in chunk]
            state.processes.append(
                LabProcess(
                    role="ssh",
                    pid=process.pid,
                    pgid=process.pid,
                    marker=str(plan_file),
                    tcp_ports=ports,
                    devices=chunk,
                )
            )
            ssh_started.append((process, ports, log_file))
        _save(state)

        secrets_dir = state_dir / "secrets"
        secrets_dir.mkdir(mode=0o700, exist_ok=True)
        entries = []
        for device in scenario.devices:
            access = plan.access.get(device.name)
            ssh_port = ssh_ports.get(device.name)
            if access is None and ssh_port is None:
                continue
            entries.append(_inventory_entry(device, access, ssh_port, secrets_dir))
            state.devices[device.name] = LabDevice(
                name=device.name,
                platform=device.platform,
                snmp_port=access.port if access else None,
                snmp_version=access.version if access else None,
                ssh_port=ssh_port,
            )
        _write_yaml(Path(state.inventory_file), {"devices": entries})
        mark("ssh_spawn_and_inventory")

        deadline = time.monotonic() + ready_timeout
        wait_snmp_ready(plan, snmp_process, deadline_seconds=ready_timeout)
        mark("snmp_ready")
        _wait_ssh(ssh_started, deadline)
        mark("ssh_ready")
    except BaseException:
        with contextlib.suppress(Exception):
            _save(state)
            lab_down(state_dir)
        raise
    state.start_seconds = round(time.monotonic() - started, 3)
    _save(state)
    return state


def _choose_scenario(scenario_path: Path | None, devices: int | None) -> Scenario:
    if devices is not None:
        if scenario_path is not None:
            raise LabError(
                "give either a scenario or a device count / シナリオか台数のどちらかを指定"
            )
        from auditor.lab.synthetic import synthetic_city

        return synthetic_city(devices)
    if scenario_path is None:
        return load_example_city()
    return load_scenario(scenario_path)


def _save(state: LabState) -> None:
    path = Path(state.state_dir) / LAB_FILE
    path.write_text(state.model_dump_json(indent=2), encoding="utf-8")


def bound_ports(udp: Iterable[int], tcp: Iterable[int]) -> list[str]:
    """Lab ports something still holds on the loopback address (``udp/1161``, ``tcp/2201``)."""
    still: list[str] = []
    for kind, ports in ((socket.SOCK_DGRAM, udp), (socket.SOCK_STREAM, tcp)):
        for port in ports:
            with socket.socket(socket.AF_INET, kind) as sock:
                if kind == socket.SOCK_STREAM:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind((HOST, port))
                except OSError:
                    still.append(f"{'udp' if kind == socket.SOCK_DGRAM else 'tcp'}/{port}")
    return still


def lab_down(state_dir: Path, timeout: float = 15.0) -> LabState | None:
    """Stop exactly the recorded processes (their process groups), verify, remove the state.

    Returns the state that was stopped (``None`` when no lab was recorded there).
    """
    state_dir = state_dir.resolve()
    state = read_state(state_dir)
    if state is None:
        return None
    targets = [process for process in state.processes if _alive(process)]
    for process in targets:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pgid, signal.SIGTERM)
    if not _wait_gone(state, targets, time.monotonic() + timeout):
        for process in targets:
            if _running(process.pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pgid, signal.SIGKILL)
        _wait_gone(state, targets, time.monotonic() + timeout)
    # A lab started by an earlier command was re-parented to init; give init a moment to reap
    # it so not even a zombie entry is left (best effort: zombies hold no ports or memory).
    reap_deadline = time.monotonic() + 3.0
    while time.monotonic() < reap_deadline and any(
        Path(f"/proc/{process.pid}").exists() for process in targets
    ):
        _reap(state.pids())
        time.sleep(0.05)
    survivors = [process.pid for process in targets if _running(process.pid)]
    still_bound = bound_ports(state.udp_ports(), state.tcp_ports())
    if survivors or still_bound:
        raise LabError(
            f"lab processes {survivors} or ports {still_bound} are still there / "
            f"ラボのプロセス {survivors} またはポート {still_bound} が残っています"
        )
    _remove_created(state_dir)
    return state


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie (a zombie holds no sockets)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _wait_gone(state: LabState, targets: Sequence[LabProcess], deadline: float) -> bool:
    """Wait until the processes have exited and released every lab port."""
    while True:
        _reap(state.pids())
        running = any(_running(process.pid) for process in targets)
        if not running and not bound_ports(state.udp_ports(), state.tcp_ports()):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def _reap(pids: Iterable[int]) -> None:
    """Collect exit statuses of lab processes that are our children (no zombies left behind)."""
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def _remove_created(state_dir: Path) -> None:
    """Remove only what lab_up creates, then the folder if it is empty (never a user's files)."""
    for name in _CREATED:
        path = state_dir / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()
    with contextlib.suppress(OSError):
        state_dir.rmdir()


def process_rss_bytes(pids: Iterable[int]) -> int:
    """Resident memory of the given processes (from /proc, in bytes)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
    return total


def lab_status(state_dir: Path) -> dict[str, object]:
    """What is recorded and what is actually alive (for ``lab status``)."""
    state = read_state(state_dir)
    if state is None:
        return {"running": False, "state_dir": str(state_dir)}
    alive = [process.pid for process in state.processes if _alive(process)]
    return {
        "running": bool(alive),
        "state_dir": str(state_dir),
        "scenario": state.scenario_name,
        "devices": len(state.devices),
        "snmp_devices": sum(1 for device in state.devices.values() if device.snmp_port),
        "ssh_devices": sum(1 for device in state.devices.values() if device.ssh_port),
        "pids": state.pids(),
        "alive_pids": alive,
        "udp_ports": state.udp_ports(),
        "tcp_ports_count": len(state.tcp_ports()),
        "inventory": state.inventory_file,
        "rss_bytes": process_rss_bytes(alive),
        "start_seconds": state.start_seconds,
    }


def lab_scale(
    devices: int, state_dir: Path, ssh_devices: int | None = None
) -> tuple[LabState, dict[str, float]]:
    """Bring up a synthetic city of ``devices`` devices and measure start time and memory."""
    started = time.monotonic()
    state = lab_up(None, state_dir, devices=devices, ssh_devices=ssh_devices)
    elapsed = time.monotonic() - started
    rss = process_rss_bytes(state.pids())
    figures = {
        "devices": float(devices),
        "ssh_devices": float(sum(1 for d in state.devices.values() if d.ssh_port)),
        "start_seconds": round(elapsed, 2),
        "rss_mib": round(rss / 2**20, 1),
        "processes": float(len(state.processes)),
    }
    return state, figures
