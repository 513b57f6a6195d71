"""net-snmp ``snmpd`` as a real agent for tests: own config, random loopback port, foreground.

``start_snmpd(tmp_path)`` returns a handle with the port, a v2c community and a v3 authPriv
(SHA/AES) user; ``handle.stop()`` terminates exactly that process. Used by the lab tests and
available to the SNMP collector tests (DESIGN.md §13 recipe).
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from auditor.lab.snmp_agent import udp_answers
from tests.markers import require


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SnmpdHandle:
    port: int
    community: str
    v3_user: str
    auth_pass: str
    priv_pass: str
    process: subprocess.Popen[bytes] = field(repr=False)
    host: str = "127.0.0.1"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_snmpd(tmp_path: Path, sys_name: str = "kyojin-snmpd") -> SnmpdHandle:
    """Start snmpd in the foreground on a free loopback UDP port and wait until it answers."""
    require("lab", "net-snmp snmpd")
    binary = shutil.which("snmpd") or (
        "/usr/sbin/snmpd" if Path("/usr/sbin/snmpd").exists() else None
    )
    if binary is None:
        pytest.skip("net-snmp snmpd is not installed (scripts/install-system-deps.sh)")
    directory = tmp_path / "snmpd"
    directory.mkdir(parents=True, exist_ok=True)
    handle_values = {
        "community": "kyojin-" + secrets.token_hex(4),
        "v3_user": "kyojin-v3",
        "auth_pass": "auth-" + secrets.token_hex(8),
        "priv_pass": "priv-" + secrets.token_hex(8),
    }
    for _attempt in range(3):
        port = _free_udp_port()
        config = directory / "snmpd.conf"
        config.write_text(
            f"agentAddress udp:127.0.0.1:{port}\n"
            f"rocommunity {handle_values['community']} 127.0.0.1\n"
            f'createUser {handle_values["v3_user"]} SHA "{handle_values["auth_pass"]}" '
            f'AES "{handle_values["priv_pass"]}"\n'
            f"rouser {handle_values['v3_user']} priv\n"
            f"sysName {sys_name}\n"
            "sysLocation 本庁舎 3F サーバ室\n"
            "sysContact 情報政策課\n",
            encoding="utf-8",
        )
        config.chmod(0o600)
        log = (directory / "snmpd.log").open("ab")
        process = subprocess.Popen(
            [
                binary,
                "-f",
                "-Lf",
                str(directory / "snmpd.messages"),
                "-C",
                "-c",
                str(config),
                "-p",
                str(directory / "snmpd.pid"),
                # keep persistent USM state (engine boots, users) inside the test folder
                "--persistentDir=" + str(directory / "persist"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env={"SNMP_PERSISTENT_DIR": str(directory / "persist"), "PATH": "/usr/bin:/bin"},
        )
        handle = SnmpdHandle(port=port, process=process, **handle_values)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            if udp_answers(handle.host, port, handle.community):
                return handle
            time.sleep(0.1)
        handle.stop()
    raise RuntimeError(f"snmpd did not answer; see {directory / 'snmpd.messages'}")
