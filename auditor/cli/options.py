"""What every command group shares: options, exit codes, consoles and loading the inputs.

The option factories return ``typer.Option`` objects whose help comes from :mod:`auditor.cli.i18n`,
so a group module writes ``Annotated[Path, policy(lang)]`` and never spells an option's name, its
environment variable or its help text itself.

Exit codes (also in ``--help`` and the README): 0 nothing at or above ``--fail-on``; 1 findings at
or above it; 2 invalid input or usage; 3 the run was incomplete.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from auditor.cli.i18n import Lang, t

if TYPE_CHECKING:
    from auditor.audit.inputs import Bundle, ConfigError
    from auditor.daemon.settings import Settings
    from auditor.model.findings import Finding
    from auditor.rules import Registry
    from auditor.store.repository import Store

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2
EXIT_INCOMPLETE = 3


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class FailOn(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    NEVER = "never"


class CollectorName(StrEnum):
    SNMP = "snmp"
    SSH = "ssh"


# Option factories: one definition of each shared option's name, environment variable and help.


def lang_option(lang: Lang) -> Any:
    """``--lang`` on every command; the value was already read by ``detect_lang`` in ``main``."""
    return typer.Option("--lang", help=t("opt.lang", lang))


def policy(lang: Lang) -> Any:
    return typer.Option("--policy", envvar="AUDITOR_POLICY", help=t("opt.policy", lang))


def inventory(lang: Lang) -> Any:
    return typer.Option("--inventory", envvar="AUDITOR_INVENTORY", help=t("opt.inventory", lang))


def ledger(lang: Lang) -> Any:
    return typer.Option("--ledger", envvar="AUDITOR_LEDGER", help=t("opt.ledger", lang))


def db(lang: Lang, help_key: str = "opt.db") -> Any:
    """``--db``; ``help_key`` lets a command say what the database means for it."""
    return typer.Option("--db", envvar="AUDITOR_DB_URL", help=t(help_key, lang))


def fail_on(lang: Lang) -> Any:
    return typer.Option("--fail-on", help=t("opt.fail_on", lang))


def output_format(lang: Lang, help_key: str = "opt.format") -> Any:
    return typer.Option("--format", help=t(help_key, lang))


def group(lang: Lang, key: str) -> typer.Typer:
    """A command group whose help is the i18n text ``key``."""
    return typer.Typer(help=t(key, lang), no_args_is_help=True)


def find_group(app: typer.Typer, name: str) -> typer.Typer | None:
    """The sub-app already mounted on ``app`` as ``name``, if any."""
    for registered in app.registered_groups:
        if registered.name == name and registered.typer_instance is not None:
            return registered.typer_instance
    return None


# Consoles and shared helpers of the command bodies.


def stdout() -> Console:
    """Messages wrap at the width (words stay whole, nothing is cut with "…")."""
    console = Console(highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        # Piped into a file or mail: wide rows instead of a table squeezed into 80 columns
        # (an explicit COLUMNS still wins).
        console = Console(highlight=False, width=200)
    return console


def table(*headers: str, title: str | None = None) -> Table:
    """A table whose cells wrap (long words fold) instead of being cut with "…" at 80 columns."""
    rendered = Table(title=title, show_lines=False)
    for header in headers:
        rendered.add_column(header, overflow="fold", no_wrap=False)
    return rendered


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_config_error(error: ConfigError, lang: Lang) -> None:
    console = stderr()
    console.print(f"[bold red]{t('errors', lang)}[/]")
    for issue in error.issues:
        console.print(str(issue), markup=False)


def load_inputs(
    policy: Path, inventory: Path, ledger: Path | None, registry: Registry, lang: Lang
) -> Bundle:
    """Policy, inventory and ledger; any error is printed and becomes exit code 2."""
    from auditor.audit.inputs import ConfigError, load_bundle

    try:
        bundle = load_bundle(policy, inventory, ledger, registry)
    except ConfigError as exc:
        print_config_error(exc, lang)
        raise typer.Exit(EXIT_INVALID) from exc
    except (OSError, ValueError) as exc:
        stderr().print(f"{t('errors', lang)}: {exc}", markup=False)
        raise typer.Exit(EXIT_INVALID) from exc
    for warning in bundle.warnings:
        stderr().print(str(warning), markup=False, style="yellow")
    return bundle


def tenant_option(lang: Lang) -> Any:
    """The global ``--tenant`` (before the command): the city every store access is scoped to."""
    return typer.Option("--tenant", envvar="AUDITOR_TENANT", help=t("opt.tenant", lang))


_TENANT: dict[str, str | None] = {"given": None}
"""The ``--tenant`` the root callback received, for the command being run (cleared when the
command's context closes: an in-process caller such as a test may run many commands)."""


def set_tenant(value: str | None, ctx: typer.Context | None = None) -> None:
    _TENANT["given"] = value.strip() if value and value.strip() else None
    if ctx is not None:
        ctx.call_on_close(lambda: _TENANT.update(given=None))


def given_tenant() -> str | None:
    """``--tenant`` / ``AUDITOR_TENANT`` as given, not yet checked."""
    return _TENANT["given"] or (os.environ.get("AUDITOR_TENANT") or "").strip() or None


def _tenant_error(exc: Exception, lang: Lang) -> NoReturn:
    from auditor.store.tenancy import InvalidTenant, TenantChoiceError

    if isinstance(exc, TenantChoiceError):
        names = ", ".join(exc.choices)
        if exc.reason == "required":
            fail(t("tenant_required", lang, names=names))
        fail(t("tenant_unknown", lang, value=exc.given, names=names))
    if isinstance(exc, InvalidTenant):
        fail(t("tenant_invalid", lang, value=given_tenant()))
    fail(str(exc))


def tenant(lang: Lang) -> str:
    """The city a store command works on: ``--tenant`` checked against the configured
    ``[[tenants]]``; ``default`` in a single-city deployment; exit 2 rather than a guess."""
    from auditor.daemon.settings import configured_tenants
    from auditor.store.tenancy import InvalidTenant, TenantChoiceError, resolve_tenant

    try:
        return resolve_tenant(given_tenant(), configured_tenants())
    except (TenantChoiceError, InvalidTenant, ValueError) as exc:
        _tenant_error(exc, lang)


def tenant_settings(settings: Settings, lang: Lang) -> Settings:
    """The daemon settings narrowed to the chosen city (``--tenant`` wins over the file)."""
    from auditor.store.tenancy import InvalidTenant, TenantChoiceError

    given = given_tenant()
    if given is not None:
        settings = settings.model_copy(update={"tenant": given})
    try:
        return settings.for_tenant()
    except (TenantChoiceError, InvalidTenant) as exc:
        _tenant_error(exc, lang)


TENANT_INPUTS = {"--policy": "policy", "--inventory": "inventory", "--ledger": "ledger"}
"""Options whose default becomes the chosen city's path from ``[[tenants]]``."""


def tenant_input_defaults(command: Any, tenant_name: str | None) -> dict[str, Any] | None:
    """A click ``default_map`` giving every ``--policy``/``--inventory``/``--ledger`` of the
    command tree the configured city's paths, or None when no configured city is chosen.

    Explicit options and environment variables still win (click reads ``default_map`` last).
    """
    if tenant_name is None:
        return None
    from auditor.daemon.settings import configured_tenant_inputs

    paths = configured_tenant_inputs(tenant_name)
    if not paths:
        return None

    def walk(node: Any) -> dict[str, Any]:
        # Duck-typed: typer's command classes are not always click's own.
        found: dict[str, Any] = {}
        for name, child in dict(getattr(node, "commands", None) or {}).items():
            below = walk(child)
            if below:
                found[name] = below
        for param in getattr(node, "params", ()):
            for opt in param.opts:
                key = TENANT_INPUTS.get(opt)
                if key is not None and paths.get(key) and param.name:
                    found[param.name] = paths[key]
        return found

    return walk(command) or None


def city_secret_resolver(inventory_dir: Path, lang: Lang) -> Any:
    """``resolve_secret`` for a command that collects: for a configured city, systemd
    credentials come from its ``credentials_directory`` and a ``file:`` secret outside its
    folders is refused unread; otherwise as before."""
    from auditor.daemon.settings import check_city_secret, configured_tenant_inputs
    from auditor.inventory.credentials import resolve_secret

    name = given_tenant()
    city = configured_tenant_inputs(name) if name else {}
    if not city:
        return lambda reference: resolve_secret(reference, base_dir=inventory_dir)
    folder = city.get("credentials_directory")
    directory = Path(folder) if folder else None

    def resolve(reference: Any) -> str:
        check_city_secret(reference, str(name), directory, inventory_dir)
        return resolve_secret(reference, base_dir=inventory_dir, credentials_directory=directory)

    return resolve


def open_store(db: str | None, lang: Lang = "en") -> Store:
    """The store for a command that records (run, check, ack, suppress, db upgrade): created and
    migrated when missing; scoped to the chosen tenant."""
    from auditor.store.opening import open_store as opening

    return opening(db, tenant=tenant(lang))


def fail(message: str) -> NoReturn:
    """One human line on stderr, exit 2 (invalid input or usage)."""
    stderr().print(message, markup=False)
    raise typer.Exit(EXIT_INVALID)


def open_store_for_reading(db: str | None, lang: Lang, *, for_tenant: str | None = None) -> Store:
    """The store for a reading command: never created, so a typo in ``--db`` cannot show an empty
    database as "no findings".

    A missing SQLite file (or folder) and a database without the Kyojin schema are exit 2 naming
    the path; an existing database of an older schema is migrated as before. ``for_tenant``
    names the city instead of ``--tenant`` (the prefecture overview opens each city itself).
    """
    from sqlalchemy.exc import ArgumentError, DatabaseError

    from auditor.store.errors import SchemaNotCurrent
    from auditor.store.migrate import current_revision, head_revision
    from auditor.store.opening import display_url
    from auditor.store.repository import Store
    from auditor.store.url import resolve_db_url, sqlite_path

    env = dict(os.environ)
    if env.get("AUDITOR_STATE_DIR") and not env.get("STATE_DIRECTORY"):
        env["STATE_DIRECTORY"] = env["AUDITOR_STATE_DIR"]
    try:
        url = resolve_db_url(db, env)
    except (ArgumentError, ValueError):  # malformed URL; its text may hold a password
        fail(t("db_bad_url", lang))
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        fail(t("db_missing", lang, path=path))
    store = Store(url, tenant=for_tenant or tenant(lang))
    try:
        revision = current_revision(store.engine)
    except (DatabaseError, SchemaNotCurrent):  # e.g. a file that is not SQLite at all
        revision = None
    if revision is None:
        store.close()
        fail(t("db_not_kyojin", lang, url=display_url(url)))
    if revision != head_revision():
        store.upgrade()
    return store


def fingerprint(value: str, lang: Lang) -> str:
    """A fingerprint prefix as the store accepts it (8+ hex digits), else exit 2 saying so."""
    from auditor.store.reading import HEX, MIN_PREFIX_LENGTH

    text = value.strip().lower()
    if len(text) < MIN_PREFIX_LENGTH or not set(text) <= HEX:
        fail(t("bad_fingerprint", lang, value=value))
    return text


def stored_devices(store: Store) -> set[str]:
    """Device names the store knows (from findings and snapshots), for "did you mean"."""
    names = {record.device for record in store.list_findings() if record.device}
    return names | set(store.latest_snapshots())


MAX_LISTED_CHOICES = 20


def suggestion(value: str, allowed: Iterable[str], *, fold: bool = True) -> str | None:
    """The closest allowed value, for "did you mean" (case-insensitive when ``fold``)."""
    by_key = {(v.lower() if fold else v): v for v in allowed}
    key = value.lower() if fold else value
    matches = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.5)
    return by_key[matches[0]] if matches else None


def unknown_value(
    option: str, value: str, allowed: Iterable[str], lang: Lang, *, fold: bool = True
) -> str:
    """``--zone: unknown value 'lgwn' (did you mean 'lgwan'?); choose from: …``."""
    choices = sorted(set(allowed))
    near = suggestion(value, choices, fold=fold)
    hint = t("did_you_mean", lang, value=near) if near else ""
    listed = ", ".join(choices[:MAX_LISTED_CHOICES]) if choices else t("nothing_to_choose", lang)
    if len(choices) > MAX_LISTED_CHOICES:
        listed += t("more_choices", lang, count=len(choices) - MAX_LISTED_CHOICES)
    return t("unknown_value", lang, option=option, value=value, hint=hint, choices=listed)


def choose(
    values: Sequence[str] | None,
    allowed: Iterable[str],
    option: str,
    lang: Lang,
    *,
    fold: bool = True,
) -> list[str]:
    """``values`` checked against ``allowed`` (case-folded when ``fold``); exit 2 on the first
    unknown one, with the valid choices and the nearest match."""
    known = list(allowed)
    by_key = {(v.lower() if fold else v): v for v in known}
    chosen: list[str] = []
    for value in values or ():
        match = by_key.get(value.lower() if fold else value)
        if match is None:
            fail(unknown_value(option, value, known, lang, fold=fold))
        chosen.append(match)
    return chosen


def local_timezone() -> tzinfo:
    """The zone bare dates mean (``AUDITOR_TIMEZONE`` / ``timezone`` in auditor.toml / Tokyo)."""
    from auditor.daemon.settings import configured_timezone

    try:
        return configured_timezone()
    except ValueError as exc:
        fail(str(exc))


def parse_moment(
    value: str | None, option: str, lang: Lang, *, end: bool = False
) -> datetime | None:
    """``YYYY-MM-DD`` (the whole day in the configured zone; ``end`` = its last instant) or an ISO
    timestamp, read in the configured zone when it carries no offset."""
    if value is None:
        return None
    zone = local_timezone()
    try:
        if len(value.strip()) == 10:
            day = date.fromisoformat(value.strip())
            return datetime.combine(day, time.max if end else time.min, tzinfo=zone)
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(t("bad_date", lang, option=option, value=value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def jsonable(value: Any) -> Any:
    """Records (dataclasses, pydantic models, enums, datetimes) as plain JSON values."""
    from pydantic import BaseModel

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def finding_rows(findings: Sequence[Finding], lang: Lang) -> Table:
    from auditor.cli.i18n_tables import headers

    rows = table(*headers(lang, "severity", "check", "device", "subject", "message"))
    for finding in sorted(findings, key=lambda f: (-f.severity.rank, f.check_id, f.device or "")):
        rows.add_row(
            finding.severity.label_ja if lang == "ja" else finding.severity.value,
            finding.check_id,
            finding.device or "-",
            finding.subject,
            finding.message_ja if lang == "ja" else finding.message_en,
        )
    return rows


def exit_code(
    findings: Sequence[Finding], suppressed: set[str], fail_on: FailOn, complete: bool
) -> int:
    """0/1 by ``--fail-on`` over the findings not suppressed; 3 when the run was incomplete."""
    if not complete:
        return EXIT_INCOMPLETE
    if fail_on is FailOn.NEVER:
        return EXIT_OK
    from auditor.model.findings import Severity

    threshold = Severity(fail_on.value).rank
    active = [f for f in findings if f.fingerprint not in suppressed]
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in active) else EXIT_OK
