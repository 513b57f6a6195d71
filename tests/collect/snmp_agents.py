"""Real SNMP agents for the SNMP collector tests: net-snmp snmpd, snmpsim, and a garbage agent.

Every agent binds a random free loopback port and is terminated by the fixture that started it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.markers import require


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _v2c_get_sysdescr(community: str) -> bytes:
    """A hand-built SNMPv2c GET sysDescr.0, so readiness checks need no SNMP library."""

    def tlv(tag: int, payload: bytes) -> bytes:
        assert len(payload) < 128
        return bytes([tag, len(payload)]) + payload

    oid = tlv(0x06, bytes([0x2B, 6, 1, 2, 1, 1, 1, 0]))
    varbind = tlv(0x30, oid + b"\x05\x00")
    pdu = tlv(
        0xA0, tlv(0x02, b"\x01") + tlv(0x02, b"\x00") + tlv(0x02, b"\x00") + tlv(0x30, varbind)
    )
    return tlv(0x30, tlv(0x02, b"\x01") + tlv(0x04, community.encode()) + pdu)


def wait_until_answers(port: int, community: str, deadline_seconds: float = 60.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        while time.monotonic() < deadline:
            sock.sendto(_v2c_get_sysdescr(community), ("127.0.0.1", port))
            try:
                sock.recvfrom(65535)
            except TimeoutError:
                continue
            return
    raise RuntimeError(f"SNMP agent on port {port} did not answer community {community!r}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@dataclass(frozen=True)
class SnmpdAgent:
    port: int
    community: str
    user: str
    auth_key: str
    priv_key: str


@contextmanager
def running_snmpd(directory: Path) -> Iterator[SnmpdAgent]:
    """net-snmp ``snmpd``: v2c, a v3 SHA-256/AES-128 authPriv user and ``<user>-np``, a v3
    SHA-1 authNoPriv user."""
    require("lab", "net-snmp snmpd")
    if shutil.which("snmpd") is None:
        pytest.skip("net-snmp snmpd is not installed (apt-get install snmpd)")
    agent = SnmpdAgent(
        port=free_udp_port(),
        community="kyojin-ro",
        user="auditor",
        auth_key="auth-pass-123",
        priv_key="priv-pass-456",
    )
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "snmpd.conf"
    config.write_text(
        f"agentAddress udp:127.0.0.1:{agent.port}\n"
        f"rocommunity {agent.community} 127.0.0.1\n"
        f'createUser {agent.user} SHA-256 "{agent.auth_key}" AES "{agent.priv_key}"\n'
        f"rouser {agent.user} priv\n"
        f'createUser {agent.user}-np SHA "{agent.auth_key}"\n'
        f"rouser {agent.user}-np auth\n"
        "sysName kyojin-snmpd\n"
        "sysLocation 庁舎 3F サーバ室\n"
    )
    environment = {**os.environ, "MIBS": "", "MIBDIRS": str(directory)}
    log = (directory / "snmpd.log").open("wb")
    process = subprocess.Popen(
        [
            "snmpd",
            "-f",
            "-Lf",
            str(directory / "snmpd.messages"),
            "-C",
            "-c",
            str(config),
            "-p",
            str(directory / "snmpd.pid"),
            "--persistentDir=" + str(directory / "persist"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
    )
    try:
        wait_until_answers(agent.port, agent.community)
        yield agent
    finally:
        _stop(process)
        log.close()


@contextmanager
def running_snmpsim(
    data_dir: Path, work_dir: Path, probe_community: str, extra_args: Sequence[str] = ()
) -> Iterator[int]:
    """snmpsim serving every ``<community>.snmprec`` in ``data_dir`` on one port.

    ``extra_args`` (e.g. ``--v3-engine-id=auto --v3-user=…``) open snmpsim's engine options, before
    its data directory and endpoint; for SNMPv3 snmpsim selects the data file by context name."""
    require("lab", "snmpsim")
    executable = shutil.which("snmpsim-command-responder") or str(
        Path(sys.executable).parent / "snmpsim-command-responder"
    )
    if not Path(executable).exists():
        pytest.skip("snmpsim-command-responder is not installed")
    port = free_udp_port()
    cache = work_dir / "snmpsim-cache"
    cache.mkdir(parents=True, exist_ok=True)
    log = (work_dir / "snmpsim.log").open("wb")
    process = subprocess.Popen(
        [
            executable,
            *extra_args,
            f"--data-dir={data_dir}",
            f"--cache-dir={cache}",
            f"--agent-udpv4-endpoint=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SNMPSIM_ALLOW_ROOT": "true"},
    )
    try:
        wait_until_answers(port, probe_community, deadline_seconds=240)
        yield port
    finally:
        _stop(process)
        log.close()


@contextmanager
def garbage_agent(mode: str) -> Iterator[int]:
    """A UDP server that answers every datagram with junk.

    ``random``: random bytes; ``truncated``: the first half of a well-formed SNMP message.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    port = int(sock.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            if mode == "random":
                reply = os.urandom(48)
                if reply[0] == 0x30:
                    reply = b"\x31" + reply[1:]
            else:
                reply = data[: max(2, len(data) // 2)]
            sock.sendto(reply, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


@contextmanager
def looping_agent(column: str) -> Iterator[int]:
    """An SNMPv2c agent (any community) whose ``column`` walk returns the same OID forever.

    GETs are answered with an OCTET STRING per requested OID; GETBULK answers ``column.1`` for
    ``column`` and an OID past every table for everything else, which is the agent bug COL-004 is about.
    """
    from pyasn1.codec.ber import decoder, encoder  # type: ignore[import-untyped]
    from pysnmp.proto import api

    protocol = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    port = int(sock.getsockname()[1])
    stop = threading.Event()

    def answer(data: bytes) -> bytes:
        message, _ = decoder.decode(data, asn1Spec=protocol.Message())
        request = protocol.apiMessage.get_pdu(message)
        response_message = protocol.apiMessage.get_response(message)
        response = protocol.apiMessage.get_pdu(response_message)
        is_get = request.isSameTypeWith(protocol.GetRequestPDU())
        varbinds = []
        for oid, _ in protocol.apiPDU.get_varbinds(request):
            if is_get:
                varbinds.append((oid, protocol.OctetString(b"loop")))
            elif str(oid).startswith(column):
                varbinds.append(
                    (protocol.ObjectIdentifier(column + ".1"), protocol.OctetString(b"x"))
                )
            else:  # past every column the collector asks for: the walk of it ends here
                varbinds.append((protocol.ObjectIdentifier("1.9"), protocol.Integer(0)))
        protocol.apiPDU.set_varbinds(response, varbinds)
        return bytes(encoder.encode(response_message))

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            sock.sendto(answer(data), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


@contextmanager
def picky_proxy(upstream_port: int, max_varbinds: int) -> Iterator[int]:
    """A v2c proxy in front of a real agent that answers tooBig to any request carrying more
    than ``max_varbinds`` objects (as small embedded agents do) and relays everything else."""
    from pyasn1.codec.ber import decoder, encoder  # type: ignore[import-untyped]
    from pysnmp.proto import api

    protocol = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(("127.0.0.1", 0))
    front.settimeout(0.1)
    port = int(front.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as back:
            back.settimeout(2.0)
            while not stop.is_set():
                try:
                    data, peer = front.recvfrom(65535)
                except TimeoutError:
                    continue
                except OSError:
                    return
                message, _ = decoder.decode(data, asn1Spec=protocol.Message())
                request = protocol.apiMessage.get_pdu(message)
                if len(protocol.apiPDU.get_varbinds(request)) > max_varbinds:
                    response_message = protocol.apiMessage.get_response(message)
                    response = protocol.apiMessage.get_pdu(response_message)
                    protocol.apiPDU.set_error_status(response, 1)  # tooBig
                    protocol.apiPDU.set_varbinds(response, [])
                    front.sendto(bytes(encoder.encode(response_message)), peer)
                    continue
                back.sendto(data, ("127.0.0.1", upstream_port))
                try:
                    answer, _ = back.recvfrom(65535)
                except TimeoutError:
                    continue
                front.sendto(answer, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=3)
        front.close()
