"""What every command group shares: options, exit codes, consoles and loading the inputs.

The option factories return ``typer.Option`` objects whose help comes from :mod:`auditor.cli.i18n`,
so a group module writes ``Annotated[Path, policy(lang)]`` and never spells an option's name, its
environment variable or its help text itself.

Exit codes (also in ``--help`` and the README): 0 nothing at or above ``--fail-on``; 1 findings at
or above it; 2 invalid input or usage; 3 the run was incomplete.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from auditor.audit.inputs import Bundle, ConfigError, load_bundle
from auditor.cli.i18n import Lang, t
from auditor.model.findings import Finding, Severity

if TYPE_CHECKING:
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
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        # Piped into a file or mail: wide rows instead of a table squeezed into 80 columns.
        console = Console(highlight=False, soft_wrap=True, width=200)
    return console


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


def open_store(db: str | None) -> Store:
    from auditor.store.opening import open_store as opening

    return opening(db)


def jsonable(value: Any) -> Any:
    """Records (dataclasses, pydantic models, enums, datetimes) as plain JSON values."""
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
    table = Table(show_lines=False)
    for header in ("severity", "check", "device", "subject", "message"):
        table.add_column(header)
    for finding in sorted(findings, key=lambda f: (-f.severity.rank, f.check_id, f.device or "")):
        table.add_row(
            finding.severity.label_ja if lang == "ja" else finding.severity.value,
            finding.check_id,
            finding.device or "-",
            finding.subject,
            finding.message_ja if lang == "ja" else finding.message_en,
        )
    return table


def exit_code(
    findings: Sequence[Finding], suppressed: set[str], fail_on: FailOn, complete: bool
) -> int:
    """0/1 by ``--fail-on`` over the findings not suppressed; 3 when the run was incomplete."""
    if not complete:
        return EXIT_INCOMPLETE
    if fail_on is FailOn.NEVER:
        return EXIT_OK
    threshold = Severity(fail_on.value).rank
    active = [f for f in findings if f.fingerprint not in suppressed]
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in active) else EXIT_OK
