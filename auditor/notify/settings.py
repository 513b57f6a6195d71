"""``[notify]`` in ``auditor.toml``: channels, routing rules, quiet hours, digests, schedules.

Secrets are never written here: ``password_credential`` / ``secret_credential`` name a systemd
credential (``LoadCredential=NAME:...``) read from ``$CREDENTIALS_DIRECTORY/NAME`` at send time.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["critical", "high", "medium", "low", "info"]
Grade = Literal["major", "minor", "observation"]
EventKind = Literal[
    "finding",
    "device_down",
    "device_up",
    "run_incomplete",
    "run_failed",
    "reload_failed",
    "verify_failed",
    "exception_expiring",
    "report",
    "pack",
    "test",
]
ALL_EVENT_KINDS: tuple[EventKind, ...] = (
    "finding",
    "device_down",
    "device_up",
    "run_incomplete",
    "run_failed",
    "reload_failed",
    "verify_failed",
    "exception_expiring",
    "report",
    "pack",
)
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_HHMM_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Channel(_Model):
    quiet_hours: str | None = Field(
        None, description='"22:00-07:00": hold messages below quiet_bypass until the end'
    )
    quiet_bypass: Severity = Field("critical", description="Severity that ignores quiet hours")
    digest: bool = Field(False, description="Send all due messages as one (mail: one mail)")
    max_per_hour: int = Field(30, ge=1, description="Deliveries per hour; the rest wait")
    max_attempts: int = Field(12, ge=1, description="Temporary failures before giving up")
    lang: Literal["ja", "en", "both"] = Field("both", description="Language of the text")

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value is not None and not _HHMM_RANGE.match(value):
            raise ValueError('quiet_hours is "HH:MM-HH:MM"')
        return value


class MailChannel(_Channel):
    """SMTP with STARTTLS or SMTPS (implicit TLS), optional AUTH."""

    type: Literal["mail"]
    host: str
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "smtps", "none"] = "starttls"
    username: str | None = None
    password_credential: str | None = Field(None, pattern=_NAME)
    ca_file: str | None = Field(None, description="CA bundle for the server's certificate")
    sender: str
    recipients: list[str] = Field(min_length=1)
    charset: Literal["utf-8", "iso-2022-jp"] = "utf-8"
    attach: bool = Field(False, description="Attach report/pack files (size-capped)")
    max_attachment_bytes: int = Field(5_000_000, ge=0)
    timeout_seconds: float = Field(30, gt=0)


class SyslogChannel(_Channel):
    """RFC 5424 over UDP, TCP (RFC 6587 octet counting) or TLS (RFC 5425)."""

    type: Literal["syslog"]
    host: str
    port: int = Field(6514, ge=1, le=65535)
    transport: Literal["udp", "tcp", "tls"] = "tls"
    ca_file: str | None = None
    facility: int = Field(13, ge=0, le=23, description="13 = log audit")
    app_name: str = "kyojin-auditor"
    timeout_seconds: float = Field(10, gt=0)


class WebhookChannel(_Channel):
    """JSON POST signed with HMAC-SHA256 (``X-Kyojin-Signature: sha256=<hex>``)."""

    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    secret_credential: str | None = Field(None, pattern=_NAME)
    ca_file: str | None = None
    timeout_seconds: float = Field(10, gt=0)


Channel = Annotated[MailChannel | SyslogChannel | WebhookChannel, Field(discriminator="type")]


class NotifyRule(_Model):
    """Send ``events`` at or above a level, in these zones/families/groups, to ``channels``.

    Empty lists mean "any". ``min_grade`` is used when the finding has a grade; otherwise the
    grade is derived from the severity (see ``notify.events.grade_of``).
    """

    name: str = "rule"
    events: list[EventKind] = Field(default_factory=lambda: list(ALL_EVENT_KINDS))
    channels: list[str] = Field(min_length=1)
    min_severity: Severity = "high"
    min_grade: Grade | None = None
    zones: list[str] = Field(default_factory=list)
    check_families: list[str] = Field(default_factory=list, description='e.g. ["SEG", "MON"]')
    device_groups: list[str] = Field(default_factory=list)


class NotifySettings(_Model):
    """Everything about notifications; no channel means nothing is sent."""

    channels: dict[str, Channel] = Field(default_factory=dict)
    rules: list[NotifyRule] = Field(default_factory=list)
    dispatch_interval_seconds: float = Field(30, gt=0)
    retry_base_seconds: float = Field(30, gt=0)
    retry_max_seconds: float = Field(3600, gt=0)
    exception_warning_days: int = Field(14, ge=0)
    pack: Literal["off", "weekly", "monthly"] = "off"
    pack_time: str = Field("07:30", pattern=r"^\d{2}:\d{2}$")

    @field_validator("channels")
    @classmethod
    def _names(cls, value: dict[str, object]) -> dict[str, object]:
        for name in value:
            if not re.match(_NAME, name):
                raise ValueError(f"channel name {name!r}: letters, digits, . _ - only")
        return value

    @model_validator(mode="after")
    def _known_channels(self) -> NotifySettings:
        for rule in self.rules:
            for channel in rule.channels:
                if channel not in self.channels:
                    raise ValueError(f"rule {rule.name!r} names unknown channel {channel!r}")
        return self
