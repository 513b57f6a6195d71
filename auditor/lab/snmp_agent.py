"""Serve every lab device's SNMP data from ONE ``snmpsim-command-responder`` process.

Layout: every device has its own UDP port. One SNMP engine answers all v2c devices, each on its
own endpoint and only with its own community (the data file name; see ``snmpsim_main``). Every v3 device gets its own engine (own engine ID, own USM user with its own
protocols) on its own port, so collectors use the empty context like on real devices: snmpsim
selects a data file for the empty context by transport id, so the file is named after the
endpoint's transport id (``1.3.6.1.6.1.1.<n>``). Keys go through ``--args-from-file`` (mode 0600)
so they never show in ``ps``; snmpsim logs only errors, so keys never reach its log either.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.lab.scenario import Scenario, ScenarioDevice
from auditor.lab.snmprec import write_device_files

V3_DATA_STEM = "lab-default"

_AUTH = {
    "md5": "MD5",
    "sha": "SHA",
    "sha224": "SHA224",
    "sha256": "SHA256",
    "sha384": "SHA384",
    "sha512": "SHA512",
}
_PRIV = {"none": "NONE", "des": "DES", "aes": "AES", "aes192": "AES192", "aes256": "AES256"}


@dataclass
class SnmpAccess:
    """How to reach one lab device over SNMP (what the written inventory refers to)."""

    device: str
    host: str
    port: int
    version: str
    community: str | None = None
    user: str | None = None
    auth_protocol: str | None = None
    auth_key: str | None = None
    priv_protocol: str | None = None
    priv_key: str | None = None
    data_file: str = ""


@dataclass
class SnmpAgentPlan:
    args_file: Path
    data_root: Path
    cache_dir: Path
    log_file: Path
    endpoint_map: Path
    ports: list[int] = field(default_factory=list)
    access: dict[str, SnmpAccess] = field(default_factory=dict)
    probe_communities: dict[int, str] = field(default_factory=dict)


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port the kernel just gave us (bind to port 0), released for the agent to take."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def responder_command() -> list[str]:
    """snmpsim's responder, run through the lab's empty-context patch in this interpreter."""
    return [sys.executable, "-m", "auditor.lab.snmpsim_main"]


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


def free_udp_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct UDP ports, all held open together while the kernel picks them."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def community_context(community: str) -> str:
    """The context name snmpsim gives a community (md5 of it), as seen by the request handler."""
    return hashlib.md5(community.encode("utf-8"), usedforsecurity=False).hexdigest()


def plan_snmp_agent(
    scenario: Scenario,
    devices: Sequence[ScenarioDevice],
    work_dir: Path,
    host: str = "127.0.0.1",
) -> SnmpAgentPlan:
    """Write the data files, the responder's argument file and the endpoint map for ``devices``.

    Every device gets its own UDP port. v2c devices share one engine whose endpoints are listed
    first (transport ids 0..n-1); ``endpoints.json`` tells ``snmpsim_main`` which endpoint each
    community belongs to, so a device answers only its own community, like a real agent (a
    default-community probe of one device must not be answered by another device's data).
    """
    snmp_dir = work_dir / "snmp"
    plan = SnmpAgentPlan(
        args_file=snmp_dir / "responder.args",
        data_root=snmp_dir / "data",
        cache_dir=snmp_dir / "cache",
        log_file=snmp_dir / "snmpsim.log",
        endpoint_map=snmp_dir / "endpoints.json",
    )
    plan.cache_dir.mkdir(parents=True, exist_ok=True)
    shared_dir = plan.data_root / "v2c"
    shared_dir.mkdir(parents=True, exist_ok=True)
    with_snmp = [device for device in devices if device.snmp is not None]
    v2c = [device for device in with_snmp if device.snmp and device.snmp.version == "v2c"]
    v3 = [device for device in with_snmp if device.snmp and device.snmp.version == "v3"]
    ports = free_udp_ports(max(1, len(v2c)) + len(v3), host)
    plan.ports.extend(ports)
    shared = ["--v3-engine-id=auto", f"--data-dir={shared_dir}"]
    endpoints: dict[str, int] = {}
    for transport_id, device in enumerate(v2c):
        assert device.snmp is not None and device.snmp.community is not None
        community = device.snmp.community
        port = ports[transport_id]
        written = write_device_files(scenario, device, shared_dir, community)
        for path in written:
            endpoints[community_context(path.name.removesuffix(".snmprec"))] = transport_id
        shared.append(f"--agent-udpv4-endpoint={host}:{port}")
        plan.access[device.name] = SnmpAccess(
            device=device.name,
            host=host,
            port=port,
            version="v2c",
            community=community,
            data_file=str(written[0]),
        )
        plan.probe_communities[port] = community
    if not v2c:  # snmpsim needs an endpoint for its first engine
        (shared_dir / "lab-probe.snmprec").write_text("1.3.6.1.2.1.1.3.0|67|1\n", encoding="ascii")
        shared.append(f"--agent-udpv4-endpoint={host}:{ports[0]}")
        plan.probe_communities[ports[0]] = "lab-probe"
    engines = [shared]
    for offset, device in enumerate(v3):
        credential = device.snmp
        assert credential is not None
        port = ports[max(1, len(v2c)) + offset]
        engine_dir = plan.data_root / f"v3-{device.name}"
        written = write_device_files(scenario, device, engine_dir, V3_DATA_STEM)
        engine = [
            "--v3-engine-id=auto",
            f"--data-dir={engine_dir}",
            f"--agent-udpv4-endpoint={host}:{port}",
            f"--v3-user={credential.user}",
            f"--v3-auth-key={credential.auth_key}",
            f"--v3-auth-proto={_AUTH[credential.auth_protocol]}",
        ]
        if credential.priv_protocol != "none":
            engine += [
                f"--v3-priv-key={credential.priv_key}",
                f"--v3-priv-proto={_PRIV[credential.priv_protocol]}",
            ]
        engines.append(engine)
        plan.access[device.name] = SnmpAccess(
            device=device.name,
            host=host,
            port=port,
            version="v3",
            user=credential.user,
            auth_protocol=credential.auth_protocol,
            auth_key=credential.auth_key,
            priv_protocol=credential.priv_protocol,
            priv_key=credential.priv_key,
            data_file=str(written[0]),
        )
        # snmpsim also accepts v2c on every engine; the data file name works as a community,
        # which is how readiness is probed without knowing the v3 keys.
        plan.probe_communities[port] = V3_DATA_STEM
    _write_secret(plan.args_file, "\n".join(" ".join(engine) for engine in engines) + "\n")
    _write_secret(plan.endpoint_map, json.dumps(endpoints))
    return plan


def start_snmp_agent(plan: SnmpAgentPlan) -> subprocess.Popen[bytes]:
    """Start the responder detached in its own session (so the lab can outlive this process)."""
    env = dict(
        os.environ, SNMPSIM_ALLOW_ROOT="true", AUDITOR_LAB_ENDPOINT_MAP=str(plan.endpoint_map)
    )
    command = [
        *responder_command(),
        f"--cache-dir={plan.cache_dir}",
        "--log-level=error",
        f"--logging-method=file:{plan.log_file}",
        f"--args-from-file={plan.args_file}",
    ]
    with plan.log_file.with_suffix(".stderr").open("ab") as stderr:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            start_new_session=True,
            cwd=plan.data_root,
        )


# --- a tiny SNMPv2c GET, enough to know an endpoint answers ----------------------------------


def _ber(tag: int, payload: bytes) -> bytes:
    length = len(payload)
    if length < 0x80:
        return bytes([tag, length]) + payload
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + payload


def _ber_int(value: int) -> bytes:
    return _ber(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True))


def _ber_oid(oid: str) -> bytes:
    parts = [int(part) for part in oid.split(".")]
    body = bytearray([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body.extend(reversed(chunk))
    return _ber(0x06, bytes(body))


def v2c_get_packet(community: str, oid: str, request_id: int = 1) -> bytes:
    varbind = _ber(0x30, _ber_oid(oid) + b"\x05\x00")
    pdu = _ber(0xA0, _ber_int(request_id) + _ber_int(0) + _ber_int(0) + _ber(0x30, varbind))
    return _ber(0x30, _ber_int(1) + _ber(0x04, community.encode("utf-8")) + pdu)


def udp_answers(host: str, port: int, community: str, timeout: float = 0.5) -> bool:
    """True when a v2c GET of sysUpTime.0 gets any reply."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(v2c_get_packet(community, "1.3.6.1.2.1.1.3.0"), (host, port))
            sock.recvfrom(65535)
        except OSError:
            return False
        return True


def wait_snmp_ready(
    plan: SnmpAgentPlan,
    process: subprocess.Popen[bytes],
    host: str = "127.0.0.1",
    deadline_seconds: float = 300.0,
) -> None:
    """Block until every endpoint answers; raise with the agent's stderr if it died."""
    pending = dict(plan.probe_communities)
    give_up = time.monotonic() + deadline_seconds
    while pending:
        if process.poll() is not None:
            stderr = plan.log_file.with_suffix(".stderr")
            tail = stderr.read_text(errors="replace")[-2000:] if stderr.exists() else ""
            raise RuntimeError(f"snmpsim exited with {process.returncode}: {tail}")
        for port, community in list(pending.items()):
            if udp_answers(host, port, community):
                del pending[port]
        if pending and time.monotonic() > give_up:
            raise TimeoutError(f"SNMP endpoints not answering: {sorted(pending)}")
        if pending:
            time.sleep(0.2)
