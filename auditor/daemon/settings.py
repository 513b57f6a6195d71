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

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from auditor.notify.settings import NotifySettings
from auditor.store.tenancy import DEFAULT_TENANT, resolve_tenant, valid_tenant

DEFAULT_CONFIG_FILE = Path("/etc/auditor/auditor.toml")
DEFAULT_TIMEZONE = "Asia/Tokyo"


def config_file() -> Path:
    """``$AUDITOR_CONFIG`` or ``/etc/auditor/auditor.toml``."""
    return Path(os.environ.get("AUDITOR_CONFIG", str(DEFAULT_CONFIG_FILE)))


class TenantSettings(BaseModel):
    """One city of a multi-city deployment: its own inputs, secrets and notification channels.

    Nothing is inherited from the deployment or from another tenant: a tenant without a
    ``[tenants.notify]`` section sends nothing, and its systemd credentials are read from its own
    ``credentials_directory`` only.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Tenant key (lower-case letters, digits, '-', '_')")
    display_name_ja: str = Field(description="City name shown in Japanese reports")
    display_name_en: str = Field(description="City name shown in English reports")
    policy: Path = Field(description="The city's policy file or directory")
    inventory: Path = Field(description="The city's inventory file or directory")
    ledger: Path | None = Field(None, description="The city's asset ledger")
    credentials_directory: Path | None = Field(
        None, description="Folder of the city's secrets (systemd credentials); only this city's"
    )
    report_dir: Path | None = Field(None, description="Default: state_dir/reports/<name>")
    notify: NotifySettings = Field(
        default_factory=NotifySettings, description="The city's own notification channels"
    )

    @field_validator("name")
    @classmethod
    def _tenant_name(cls, value: str) -> str:
        return valid_tenant(value)

    def display_name(self, lang: str) -> str:
        return self.display_name_ja if lang == "ja" else self.display_name_en


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

    tenant: str | None = Field(
        None, description="The city this daemon serves when [[tenants]] lists several"
    )
    tenants: list[TenantSettings] = Field(
        default_factory=list, description="Cities of a multi-city deployment (docs/tenants.md)"
    )
    credentials_directory: Path | None = Field(
        None, description="Folder of systemd credentials; default: $CREDENTIALS_DIRECTORY"
    )

    @field_validator("tenants")
    @classmethod
    def _unique_tenants(cls, value: list[TenantSettings]) -> list[TenantSettings]:
        names = [tenant.name for tenant in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"tenant names must be unique: {', '.join(duplicates)}")
        return value

    def selected_tenant(self) -> str:
        """``tenant`` checked against ``tenants`` (:func:`resolve_tenant`; raises when unclear)."""
        return resolve_tenant(self.tenant, [tenant.name for tenant in self.tenants])

    def for_tenant(self) -> Settings:
        """These settings with the selected tenant's inputs, secrets and channels in place.

        A single-city deployment gets itself back (tenant ``default``). The copy keeps only the
        one tenant, so nothing of another city is reachable from the daemon that serves it.
        """
        name = self.selected_tenant()
        chosen = next((tenant for tenant in self.tenants if tenant.name == name), None)
        if chosen is None:
            return self.model_copy(update={"tenant": name})
        return self.model_copy(
            update={
                "tenant": name,
                "tenants": [chosen],
                "policy": chosen.policy,
                "inventory": chosen.inventory,
                "ledger": chosen.ledger,
                "notify": chosen.notify,
                "credentials_directory": chosen.credentials_directory,
                "report_dir": chosen.report_dir or self.state_dir / "reports" / name,
            }
        )

    def tenant_key(self) -> str:
        return self.tenant or DEFAULT_TENANT

    def status_file_name(self) -> str:
        """``daemon-status.json``; one per city when several daemons share the state folder."""
        key = self.tenant_key()
        return "daemon-status.json" if key == DEFAULT_TENANT else f"daemon-status-{key}.json"

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


def configured_tenants(environ: Mapping[str, str] | None = None) -> list[str]:
    """Names of the ``[[tenants]]`` in the settings file, for commands that open the store.

    Read on its own, like :func:`configured_timezone`; no settings file means none.
    """
    env = os.environ if environ is None else environ
    path = Path(env.get("AUDITOR_CONFIG", str(DEFAULT_CONFIG_FILE)))
    try:
        with path.open("rb") as handle:
            listed = tomllib.load(handle).get("tenants", [])
    except OSError:
        return []
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from exc
    if not isinstance(listed, list):
        raise ValueError(f"{path}: tenants must be a list of [[tenants]] tables")
    return [str(item.get("name", "")) for item in listed if isinstance(item, dict)]


def configured_tenant_inputs(name: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``policy``, ``inventory``, ``ledger`` and ``credentials_directory`` of the ``[[tenants]]``
    entry ``name`` (the CLI's defaults for that city); empty when the city is not configured."""
    env = os.environ if environ is None else environ
    path = Path(env.get("AUDITOR_CONFIG", str(DEFAULT_CONFIG_FILE)))
    try:
        with path.open("rb") as handle:
            listed = tomllib.load(handle).get("tenants", [])
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and item.get("name") == name:
            return {
                key: str(item[key])
                for key in ("policy", "inventory", "ledger", "credentials_directory")
                if isinstance(item.get(key), str)
            }
    return {}


def check_city_secret(
    reference: Any, tenant: str, credentials_directory: Path | None, inventory_dir: Path | None
) -> None:
    """Refuse, unread, a ``file:`` secret outside the city's credentials or inventory folder
    (``CredentialError``): one city's run never reads another city's secrets."""
    from auditor.inventory.credentials import CredentialError

    if not getattr(reference, "file", None):
        return
    path = Path(reference.file)
    if not path.is_absolute() and inventory_dir is not None:
        path = inventory_dir / path
    path = path.resolve()
    allowed = [folder.resolve() for folder in (credentials_directory, inventory_dir) if folder]
    if not any(path.is_relative_to(folder) for folder in allowed):
        raise CredentialError(reference, f"outside the credentials of tenant {tenant!r}")


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
        if name in {"notify", "tenants"}:
            continue
        lines.append(f"# {info.description} (env AUDITOR_{name.upper()})")
        default = info.default
        if default is None:
            lines.append(f"# {name} = ")
        else:
            lines.append(f"{name} = {_toml_value(default)}")
        lines.append("")
    lines += NOTIFY_SAMPLE.splitlines()
    lines += TENANTS_SAMPLE.splitlines()
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

TENANTS_SAMPLE = """\
# --- Several cities in one deployment (docs/tenants.md) ----------------------------------------
# (env AUDITOR_TENANTS: the whole list as JSON.)
# Each city has its own policy, inventory, ledger, secrets and channels; its rows in the shared
# database are its own. With [[tenants]] listed, every command that opens the database needs
# --tenant NAME (or AUDITOR_TENANT), and one daemon runs per city (AUDITOR_TENANT in its unit).
#
# [[tenants]]
# name = "minami"
# display_name_ja = "南市"
# display_name_en = "Minami City"
# policy = "/etc/auditor/tenants/minami/policy"
# inventory = "/etc/auditor/tenants/minami/inventory"
# ledger = "/etc/auditor/tenants/minami/ledger.csv"
# credentials_directory = "/etc/auditor/tenants/minami/credentials"
#
# [tenants.notify.channels.mail-main]
# type = "mail"
# host = "smtp.minami.example.lg.jp"
# sender = "auditor@minami.example.lg.jp"
# recipients = ["johokanri@minami.example.lg.jp"]
"""
