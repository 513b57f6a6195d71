"""What the daemon notification tests share: an ``auditor.toml`` with a mail channel, a mail
server that accepts connections and never answers, and readers for the daemon's outbox."""

from __future__ import annotations

import email
import socket
import sqlite3
import threading
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER
from tests.notify.servers import Certs, credentials_dir


def notify_toml(
    path: Path,
    *,
    mail_port: int,
    certs: Certs,
    rules: list[dict[str, Any]],
    timeout_seconds: float = 30,
    dispatch_seconds: float = 1,
) -> Path:
    """``auditor.toml`` with one STARTTLS+AUTH mail channel ``mail`` and the given rules.

    Delivery is checked every ``dispatch_seconds`` and retried after as long: the tests wait
    for outcomes, so short intervals only make them quicker.
    """
    lines = [
        "[notify]",
        f"dispatch_interval_seconds = {dispatch_seconds}",
        f"retry_base_seconds = {dispatch_seconds}",
        f"retry_max_seconds = {2 * dispatch_seconds}",
        "",
        "[notify.channels.mail]",
        'type = "mail"',
        'host = "127.0.0.1"',
        f"port = {mail_port}",
        'security = "starttls"',
        f'ca_file = "{certs.ca}"',
        f'username = "{SMTP_USER}"',
        'password_credential = "smtp-password"',
        'sender = "auditor@city.example.lg.jp"',
        'recipients = ["johokanri@city.example.lg.jp"]',
        f"timeout_seconds = {timeout_seconds}",
        "max_per_hour = 1000",
        "",
    ]
    for rule in rules:
        lines.append("[[notify.rules]]")
        for key, value in rule.items():
            if isinstance(value, list):
                text = "[" + ", ".join(f'"{item}"' for item in value) + "]"
            else:
                text = f'"{value}"'
            lines.append(f"{key} = {text}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def smtp_credentials(folder: Path) -> Path:
    """``$CREDENTIALS_DIRECTORY`` holding the test server's password as ``smtp-password``."""
    return credentials_dir(folder, smtp_password=SMTP_PASSWORD)


def parse_mail(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def subjects(messages: list[bytes]) -> list[str]:
    return [str(parse_mail(raw)["Subject"]) for raw in messages]


def outbox_rows(db: Path) -> list[dict[str, Any]]:
    """The daemon's outbox as plain rows (read-only; the table may not exist yet)."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(
                "SELECT id, channel, kind, dedupe_key, subject, status, attempts "
                "FROM notification_outbox ORDER BY id"
            ).fetchall()
    except sqlite3.OperationalError:  # not migrated yet, or busy: the caller asks again
        return []
    return [dict(row) for row in rows]


class SilentSmtp:
    """A TCP listener that accepts connections and never says a word (no SMTP greeting), so a
    client hangs until its timeout: delivery is stalled between enqueue and acceptance."""

    def __init__(self, port: int = 0) -> None:
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(8)
        self._listener.settimeout(0.02)  # how soon close() is noticed by the accepting thread
        self.port: int = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self._running:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self._running = False
        self._thread.join(timeout=2)
        for connection in self.accepted:
            connection.close()
        self._listener.close()

    def __enter__(self) -> SilentSmtp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
