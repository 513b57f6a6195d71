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
        lines.append(f"# {info.description} (env AUDITOR_{name.upper()})")
        default = info.default
        if default is None:
            lines.append(f"# {name} = ")
        else:
            lines.append(f"{name} = {_toml_value(default)}")
        lines.append("")
    return "\n".join(lines)
