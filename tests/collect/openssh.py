"""A private OpenSSH server on loopback (Debian's openssh-server) for jump-host tests.

It runs ``sshd -D`` with its own configuration, host key and authorized key for the current
user, allows TCP forwarding and nothing else; it is stopped when the context exits.
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.collect.ssh_lab import free_port

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


@dataclass
class OpenSsh:
    port: int
    user: str
    client_key: str  # OpenSSH private key text authorised for ``user``

    @property
    def spec(self) -> str:
        return f"{self.user}@127.0.0.1:{self.port}"


def new_key(path: Path) -> str:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return path.read_text(encoding="utf-8")


@contextmanager
def openssh_server(workdir: Path) -> Iterator[OpenSsh]:
    """Start ``sshd`` on a free loopback port; skip when OpenSSH is not installed."""
    if not Path(SSHD).exists() or shutil.which("ssh-keygen") is None:
        pytest.skip("openssh-server is not installed (scripts/install-system-deps.sh)")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    workdir.mkdir(parents=True, exist_ok=True)
    new_key(workdir / "host_ed25519")
    client_key = new_key(workdir / "client_ed25519")
    (workdir / "authorized_keys").write_text(
        (workdir / "client_ed25519.pub").read_text(encoding="utf-8"), encoding="utf-8"
    )
    user = getpass.getuser()
    port = free_port()
    config = workdir / "sshd_config"
    config.write_text(
        "\n".join(
            [
                "ListenAddress 127.0.0.1",
                f"HostKey {workdir / 'host_ed25519'}",
                f"PidFile {workdir / 'sshd.pid'}",
                f"AuthorizedKeysFile {workdir / 'authorized_keys'}",
                f"AllowUsers {user}",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                "AllowTcpForwarding yes",
                "PermitTTY no",
                "X11Forwarding no",
                "LogLevel ERROR",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    log = (workdir / "sshd.log").open("wb")
    process = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config), "-p", str(port)], stdout=log, stderr=log
    )
    try:
        _wait_for_banner(port, process, workdir / "sshd.log")
        yield OpenSsh(port=port, user=user, client_key=client_key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_banner(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    import socket

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5) as connection:
                if connection.recv(64).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("sshd did not answer")
