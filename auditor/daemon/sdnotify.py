"""systemd's notify protocol in a few lines: datagrams to ``$NOTIFY_SOCKET`` (no extra daemon)."""

from __future__ import annotations

import os
import socket


def notify(state: str, *, socket_path: str | None = None) -> bool:
    """Send ``state`` (e.g. ``"READY=1"``); returns False when not running under systemd."""
    path = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET")
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        try:
            sock.connect(address)
            sock.sendall(state.encode("utf-8"))
        except OSError:
            return False
    return True


def watchdog_interval_seconds() -> float | None:
    """Half of ``$WATCHDOG_USEC`` (systemd's advice), when the watchdog is on for this process."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return max(0.5, int(usec) / 2_000_000)
    except ValueError:
        return None
