"""Structured log lines on stderr (``key=value``), which journald stores as they are.

Every record passes the redaction filter, so a secret that slips into an exception message is
replaced before it is written.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Any

_SALT_ENV = "AUDITOR_LOG_SALT"
LOG_SALT_FILE = "log-salt"


def _quote(value: Any) -> str:
    text = str(value)
    if not text or any(ch in text for ch in ' "=\n\t'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def event(logger: logging.Logger, level: int, name: str, **fields: Any) -> None:
    """Log one structured event: ``event=name key=value …``."""
    logger.log(level, "event=%s %s", name, " ".join(f"{k}={_quote(v)}" for k, v in fields.items()))


class LineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"level={record.levelname.lower()} logger={record.name} {record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += " traceback=" + _quote(record.exc_text)
        return line


def log_salt(state_dir: Path | None = None) -> bytes:
    """``$AUDITOR_LOG_SALT``, else the installation's random salt in the state directory.

    Never a fixed value: markers made with a public salt can be matched offline against guessed
    secrets. Without a writable state directory the salt lives for this process only.
    """
    from auditor.redact import load_or_create_salt

    configured = os.environ.get(_SALT_ENV)
    if configured:
        return configured.encode("utf-8")
    if state_dir is None:
        from auditor.audit.inputs import default_state_dir

        state_dir = default_state_dir()
    try:
        return load_or_create_salt(state_dir / LOG_SALT_FILE)
    except OSError:
        return secrets.token_bytes(32)


def configure_logging(level: int = logging.INFO, *, state_dir: Path | None = None) -> None:
    """Send structured, redacted lines to stderr."""
    from auditor.redact import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LineFormatter())
    handler.addFilter(RedactingFilter(salt=log_salt(state_dir)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "paramiko", "netmiko", "fakenos", "pysnmp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
