"""Daemon settings: ``/etc/auditor/auditor.toml``, overridden by ``AUDITOR_*`` environment variables.

``auditor daemon --print-sample-config`` writes the documented sample generated from this model, so
the sample can never miss an option.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from auditor.notify.settings import NotifySettings

DEFAULT_CONFIG_FILE = Path("/etc/auditor/auditor.toml")
DEFAULT_TIMEZONE = "Asia/Tokyo"


def config_file() -> Path:
    """``$AUDITOR_CONFIG`` or ``/etc/auditor/auditor.toml``."""
    return Path(os.environ.get("AUDITOR_CONFIG", str(DEFAULT_CONFIG_FILE)))


class Settings(BaseSettings):
    """Everything the daemon needs to know that is not policy or inventory."""

    model_config = SettingsConfigDict(env_prefix="AUDITOR_", extra="forbid")

    policy: Path = Field(Path("/etc/auditor/policy"), description="Policy file or directory")
    inventory: Path = Field(
        Path("/etc/auditor/inventory"), description="Inventory file or directory"
    )
    ledger: Path | None = Field(
        None, description="Asset ledger (CSV/XLSX); default: ledger.* beside the inventory"
    )
    db_url: str | None = Field(
        None, description="Database URL or SQLite path; default: auditor.db in state_dir"
    )
    state_dir: Path = Field(
        Path("/var/lib/auditor"), description="State directory (SQLite file, reports)"
    )
    report_dir: Path | None = Field(
        None, description="Where morning reports go; default state_dir/reports"
    )
    lang: Literal["ja", "en"] = Field("ja", description="Language of logs' human text and reports")
    snmp_interval_minutes: float = Field(15, gt=0, description="SNMP poll interval (minutes)")
    audit_time: str = Field(
        "02:00", pattern=r"^\d{2}:\d{2}$", description="Nightly SSH collection + full audit (HH:MM)"
    )
    audit_interval_minutes: float | None = Field(
        None,
        gt=0,
        description="Run the full audit every N minutes instead of at audit_time (soak tests)",
    )
    report_time: str = Field(
        "07:00", pattern=r"^\d{2}:\d{2}$", description="Morning report (HH:MM)"
    )
    retention_time: str = Field(
        "03:30", pattern=r"^\d{2}:\d{2}$", description="Daily retention clean-up (HH:MM)"
    )
    timezone: str = Field(
        DEFAULT_TIMEZONE,
        description="Time zone of the HH:MM times above and of dates typed on the command line",
    )
    retention_days: int = Field(
        400, ge=1, description="Keep snapshots and evidence this many days (findings are kept)"
    )
    jitter_seconds: int = Field(30, ge=0, description="Random delay added to each scheduled run")
    misfire_grace_seconds: int = Field(
        600, ge=1, description="A run missed by less than this still runs (after a pause)"
    )
    stop_deadline_seconds: float = Field(
        30, gt=0, description="On SIGTERM, wait this long for the current run to finish"
    )
    store_retry_seconds: float = Field(
        5, gt=0, description="Pause between attempts when the database is unavailable"
    )
    db_busy_timeout_ms: int = Field(
        15000, ge=0, description="SQLite: wait this long for a lock before a write counts as failed"
    )
    store_retry_attempts: int = Field(
        60, ge=1, description="Attempts to record a run before giving up (the run is logged)"
    )
    fail_on: Literal["critical", "high", "medium", "low", "info", "never"] = Field(
        "high", description="Severity that makes a run count as failing in logs"
    )
    capture_interface: str | None = Field(
        None, description="SPAN/mirror interface for a daily traffic capture window (needs scapy)"
    )
    capture_time: str = Field(
        "12:00", pattern=r"^\d{2}:\d{2}$", description="Start of the capture window (HH:MM)"
    )
    capture_minutes: float = Field(
        30, gt=0, le=720, description="Length of the capture window (minutes)"
    )
    probe_from_zone: str | None = Field(
        None, description="Zone this host probes from (active probes, needs scapy + CAP_NET_RAW)"
    )
    probe_time: str = Field(
        "13:00", pattern=r"^\d{2}:\d{2}$", description="Daily active probe time (HH:MM)"
    )
    verify_time: str = Field(
        "03:45", pattern=r"^\d{2}:\d{2}$", description="Daily event-chain verification (HH:MM)"
    )
    notify: NotifySettings = Field(
        default_factory=NotifySettings, description="Notifications (see docs/notifications.md)"
    )
    distributed: bool = Field(
        False,
        description="Audits are collected by Celery workers (docs/distributed.md); polls stay local",
    )
    broker_url: str | None = Field(
        None,
        description="Celery broker of distributed collection (default redis://127.0.0.1:6379/0)",
    )
    distributed_deadline_seconds: float = Field(
        1800, gt=0, description="Devices not reported by workers by then are COL findings"
    )
    shard_by: Literal["tier", "site"] = Field("tier", description="Queue per tier or per site")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        zone_info(value)
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, env_settings, toml)

    def effective_db_url(self) -> str:
        return self.db_url or str(self.state_dir / "auditor.db")

    def effective_report_dir(self) -> Path:
        return self.report_dir or self.state_dir / "reports"


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a ``ValueError`` naming it when the zone database lacks it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {name!r} (e.g. Asia/Tokyo, UTC)") from exc


def configured_timezone(environ: Mapping[str, str] | None = None) -> ZoneInfo:
    """The zone bare dates on the command line mean: ``$AUDITOR_TIMEZONE``, else ``timezone`` in
    the settings file, else Asia/Tokyo.

    Read on its own (not through :class:`Settings`) so that a reading command does not fail on a
    settings file whose other options are for the daemon only.
    """
    env = os.environ if environ is None else environ
    name = env.get("AUDITOR_TIMEZONE", "").strip()
    if not name:
        path = Path(env.get("AUDITOR_CONFIG", str(DEFAULT_CONFIG_FILE)))
        try:
            with path.open("rb") as handle:
                value = tomllib.load(handle).get("timezone")
        except OSError:  # no settings file (or not readable by this user): the default
            value = None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from exc
        name = value.strip() if isinstance(value, str) and value.strip() else DEFAULT_TIMEZONE
    return zone_info(name)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def sample_config() -> str:
    """A commented TOML file with every option and its default."""
    lines = [
        "# Kyojin Auditor daemon settings (/etc/auditor/auditor.toml).",
        "# Every option can also be set by an environment variable AUDITOR_<NAME>.",
        "# Generated by `auditor daemon --print-sample-config`.",
        "",
    ]
    for name, info in Settings.model_fields.items():
        assert isinstance(info, FieldInfo)
        if name == "notify":
            continue
        lines.append(f"# {info.description} (env AUDITOR_{name.upper()})")
        default = info.default
        if default is None:
            lines.append(f"# {name} = ")
        else:
            lines.append(f"{name} = {_toml_value(default)}")
        lines.append("")
    lines += NOTIFY_SAMPLE.splitlines()
    return "\n".join(lines) + "\n"


NOTIFY_SAMPLE = """\
# --- Notifications (docs/notifications.md) -------------------------------------------------
# (env AUDITOR_NOTIFY: the whole section as JSON.)
# Nothing is sent until a channel and a rule are configured. Secrets are systemd credentials
# only: LoadCredential=smtp-password:/etc/auditor/credentials/smtp-password in the unit, then
# password_credential = "smtp-password" here.
#
# [notify]
# dispatch_interval_seconds = 30   # how often the outbox is delivered
# retry_base_seconds = 30          # backoff 30 s, 1 min, 2 min, ... up to retry_max_seconds
# retry_max_seconds = 3600
# exception_warning_days = 14      # tell about exceptions (例外措置) expiring this soon
# pack = "off"                     # "weekly" (Mondays) or "monthly" (1st): auditor pack by mail
# pack_time = "07:30"
#
# [notify.channels.mail-main]
# type = "mail"
# host = "smtp.city.example.lg.jp"
# port = 587
# security = "starttls"            # or "smtps" (port 465) or "none" (trusted relay only)
# username = "auditor"
# password_credential = "smtp-password"
# sender = "auditor@city.example.lg.jp"
# recipients = ["johokanri@city.example.lg.jp"]
# charset = "utf-8"                # "iso-2022-jp" for old municipal mail systems
# attach = false                   # attach the pack; capped by max_attachment_bytes
# quiet_hours = "22:00-07:00"      # held until 07:00 unless critical (quiet_bypass)
# digest = true                    # one mail for everything due at once
# max_per_hour = 30
#
# [notify.channels.siem]
# type = "syslog"
# host = "siem.city.example.lg.jp"
# port = 6514
# transport = "tls"                # "tcp" (RFC 6587 octet counting) or "udp"
# ca_file = "/etc/auditor/siem-ca.pem"
#
# [notify.channels.hook]
# type = "webhook"
# url = "https://chat.city.example.lg.jp/hooks/auditor"
# secret_credential = "webhook-secret"  # HMAC-SHA256 in X-Kyojin-Signature
#
# [[notify.rules]]
# name = "critical-to-mail"
# events = ["finding", "device_down", "device_up", "run_incomplete", "run_failed",
#           "reload_failed", "verify_failed", "exception_expiring", "report", "pack"]
# channels = ["mail-main"]
# min_severity = "high"            # or min_grade = "major" (重大な不適合)
# zones = []                       # e.g. ["mynumber", "lgwan"]; empty = all
# check_families = []              # e.g. ["SEG", "MON"]
# device_groups = []
#
# [[notify.rules]]
# name = "everything-to-siem"
# events = ["finding", "device_down", "device_up"]
# channels = ["siem"]
# min_severity = "low"
"""
