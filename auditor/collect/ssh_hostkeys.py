"""SSH host-key policy: verify against a known_hosts file, or trust on first use and record.

An auditor that logs into every switch with a privileged account must not hand its password to
whoever answers on the management address. Unknown keys are refused unless the inventory says
``host_key_policy: trust_on_first_use``; then the key seen first is written to the known_hosts
file and every later connection must present exactly that key. A changed key is always refused.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # paramiko (0.1 s to import) is imported by the functions that connect
    import paramiko

_WRITE_LOCK = threading.Lock()


class HostKeyRejected(Exception):  # noqa: N818 - reads as the event it reports
    """The device's host key is unknown (and TOFU is off) or differs from the recorded one."""

    def __init__(self, reason: Literal["unknown", "changed"], host_entry: str, fingerprint: str):
        super().__init__(f"host key {reason} for {host_entry} (SHA256 fingerprint {fingerprint})")
        self.reason = reason
        self.host_entry = host_entry
        self.fingerprint = fingerprint


@dataclass(frozen=True)
class HostKeyCheck:
    host_entry: str
    key_type: str
    fingerprint: str
    recorded: bool  # True when this call wrote the key (trust on first use)


def host_entry(address: str, port: int) -> str:
    """known_hosts spelling of a host: ``addr`` on port 22, ``[addr]:port`` elsewhere."""
    return address if port == 22 else f"[{address}]:{port}"


def fingerprint(key: paramiko.PKey) -> str:
    value: str = key.fingerprint  # "SHA256:…" in paramiko 3+
    return value


def fetch_host_key(
    address: str, port: int, timeout: float, sock: object | None = None
) -> paramiko.PKey:
    """Open a transport only far enough to read the server's host key (no authentication)."""
    import paramiko

    connection = sock if sock is not None else socket.create_connection((address, port), timeout)
    transport = paramiko.Transport(connection)
    try:
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    finally:
        transport.close()


def verify_host_key(
    known_hosts: Path,
    address: str,
    port: int,
    key: paramiko.PKey,
    *,
    trust_on_first_use: bool,
) -> HostKeyCheck:
    """Compare ``key`` with the known_hosts file; record it when TOFU allows. Raises on refusal."""
    import paramiko

    entry = host_entry(address, port)
    with _WRITE_LOCK:
        keys = paramiko.HostKeys()
        if known_hosts.exists():
            keys.load(str(known_hosts))
        known = keys.lookup(entry)
        if known is not None and key.get_name() in known:
            if known[key.get_name()] != key:
                raise HostKeyRejected("changed", entry, fingerprint(key))
            return HostKeyCheck(entry, key.get_name(), fingerprint(key), recorded=False)
        if known is not None and known.keys():
            # A different key type than the recorded one is a changed key, not a new host.
            raise HostKeyRejected("changed", entry, fingerprint(key))
        if not trust_on_first_use:
            raise HostKeyRejected("unknown", entry, fingerprint(key))
        known_hosts.parent.mkdir(parents=True, exist_ok=True)
        with known_hosts.open("a", encoding="ascii") as handle:
            handle.write(f"{entry} {key.get_name()} {key.get_base64()}\n")
        return HostKeyCheck(entry, key.get_name(), fingerprint(key), recorded=True)
