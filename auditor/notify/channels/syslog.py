"""RFC 5424 syslog over UDP, TCP (RFC 6587 octet counting) or TLS (RFC 5425).

Each event is one message with structured data ``[kyojin@32473 …]`` (32473 is the example
enterprise number of RFC 5612: the SD-ID is private to this tool, not registered) carrying the
check id, severity, grade, device, zone and fingerprint, so a SIEM can filter without parsing the
text. TCP and TLS have no application acknowledgement: a message counts as accepted once it was
written and the connection closed without error.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Sequence

from auditor.notify.channels.base import DeliveryError
from auditor.notify.events import Event
from auditor.notify.settings import SyslogChannel

SD_ID = "kyojin@32473"
SYSLOG_SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6}
MAX_TEXT = 1800


def _sd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _header_token(value: str, limit: int) -> str:
    """Printable US-ASCII without spaces, as RFC 5424 requires of header fields."""
    token = "".join(ch if 33 <= ord(ch) <= 126 else "_" for ch in value)[:limit]
    return token or "-"


def format_message(event: Event, config: SyslogChannel, *, hostname: str, lang: str) -> bytes:
    """One RFC 5424 message (without transport framing)."""
    pri = config.facility * 8 + SYSLOG_SEVERITY.get(event.level, 6)
    timestamp = event.at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    params: list[tuple[str, str]] = [("event", event.kind), ("severity", event.level)]
    if event.kind == "finding":
        params.append(("grade", event.effective_grade))
    for name, value in (
        ("check", event.check_id),
        ("device", event.device),
        ("zone", event.zone),
        ("fingerprint", event.fingerprint),
        ("run", str(event.run_id) if event.run_id is not None else None),
    ):
        if value:
            params.append((name, value))
    data = "[" + SD_ID + "".join(f' {k}="{_sd_escape(v)}"' for k, v in params) + "]"
    text = event.title(lang)
    body = event.body(lang)
    if body:
        text = f"{text}: {body}"
    text = " ".join(text.split())[:MAX_TEXT]
    head = (
        f"<{pri}>1 {timestamp} {_header_token(hostname, 255)} "
        f"{_header_token(config.app_name, 48)} - {_header_token(event.kind, 32)} {data} "
    )
    return head.encode("ascii") + b"\xef\xbb\xbf" + text.encode("utf-8")


def frame(message: bytes) -> bytes:
    """RFC 6587 octet counting: ``LEN SP MSG``."""
    return str(len(message)).encode("ascii") + b" " + message


def _close_tls(stream: ssl.SSLSocket) -> None:
    """Send close_notify; receivers (rsyslog) often drop the connection without answering it,
    which is not a failure: everything was written before."""
    try:
        stream.unwrap()
    except (ssl.SSLError, OSError):
        return


class SyslogSender:
    kind = "syslog"
    digest_capable = False

    def __init__(self, name: str, config: SyslogChannel) -> None:
        self.name = name
        self.config = config
        self.hostname = socket.gethostname()

    def _messages(self, events: Sequence[Event]) -> list[bytes]:
        lang = "en" if self.config.lang == "en" else ("ja" if self.config.lang == "ja" else "both")
        return [
            format_message(event, self.config, hostname=self.hostname, lang=lang)
            for event in events
        ]

    def send(self, events: Sequence[Event], *, message_id: str) -> None:
        config = self.config
        messages = self._messages(events)
        try:
            if config.transport == "udp":
                with socket.socket(
                    socket.AF_INET6 if ":" in config.host else socket.AF_INET, socket.SOCK_DGRAM
                ) as udp:
                    for message in messages:
                        udp.sendto(message, (config.host, config.port))
                return
            raw = socket.create_connection(
                (config.host, config.port), timeout=config.timeout_seconds
            )
            stream: socket.socket = raw
            if config.transport == "tls":
                context = ssl.create_default_context(cafile=config.ca_file)
                stream = context.wrap_socket(raw, server_hostname=config.host)
            with stream:
                stream.sendall(b"".join(frame(message) for message in messages))
                if isinstance(stream, ssl.SSLSocket):
                    _close_tls(stream)
                else:
                    stream.shutdown(socket.SHUT_WR)
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"syslog server certificate not trusted ({exc.verify_message})", permanent=True
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:200], permanent=False) from None
