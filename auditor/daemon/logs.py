"""Structured log lines on stderr (``key=value``), which journald stores as they are.

Every record passes the redaction filter, so a secret that slips into an exception message is
replaced before it is written.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

_SALT_ENV = "AUDITOR_LOG_SALT"


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


def configure_logging(level: int = logging.INFO) -> None:
    """Send structured, redacted lines to stderr."""
    from auditor.redact import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LineFormatter())
    salt = os.environ.get(_SALT_ENV, "kyojin-log").encode("utf-8")
    handler.addFilter(RedactingFilter(salt=salt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "paramiko", "netmiko", "fakenos", "pysnmp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
