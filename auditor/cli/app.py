"""The ``auditor`` command: every user command, nothing else.

Exit codes (also in ``--help`` and the README): 0 nothing at or above ``--fail-on``; 1 findings at
or above it; 2 invalid input or usage; 3 the run was incomplete.
"""

import dataclasses
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from auditor.audit.inputs import DEFAULT_INVENTORY, DEFAULT_POLICY, Bundle, ConfigError, load_bundle
from auditor.cli.i18n import Lang, detect_lang, t
from auditor.model.findings import Finding, Outcome, Severity
from auditor.rules import Registry, discover

if TYPE_CHECKING:
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


def _stdout() -> Console:
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        # Piped into a file or mail: wide rows instead of a table squeezed into 80 columns.
        console = Console(highlight=False, soft_wrap=True, width=200)
    return console


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _print_config_error(error: ConfigError, lang: Lang) -> None:
    console = _stderr()
    console.print(f"[bold red]{t('errors', lang)}[/]")
    for issue in error.issues:
        console.print(str(issue), markup=False)


def _load(
    policy: Path, inventory: Path, ledger: Path | None, registry: Registry, lang: Lang
) -> Bundle:
    try:
        bundle = load_bundle(policy, inventory, ledger, registry)
    except ConfigError as exc:
        _print_config_error(exc, lang)
        raise typer.Exit(EXIT_INVALID) from exc
    except (OSError, ValueError) as exc:
        _stderr().print(f"{t('errors', lang)}: {exc}", markup=False)
        raise typer.Exit(EXIT_INVALID) from exc
    for warning in bundle.warnings:
        _stderr().print(str(warning), markup=False, style="yellow")
    return bundle


def _open_store(db: str | None) -> "Store":
    from auditor.store.opening import open_store

    return open_store(db)


def _jsonable(value: Any) -> Any:
    """Records (dataclasses, pydantic models, enums, datetimes) as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def _finding_rows(findings: Sequence[Finding], lang: Lang) -> Table:
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


def _exit_code(
    findings: Sequence[Finding], suppressed: set[str], fail_on: FailOn, complete: bool
) -> int:
    if not complete:
        return EXIT_INCOMPLETE
    if fail_on is FailOn.NEVER:
        return EXIT_OK
    threshold = Severity(fail_on.value).rank
    active = [f for f in findings if f.fingerprint not in suppressed]
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in active) else EXIT_OK


def build_app(lang: Lang) -> typer.Typer:
    """Build the command tree with help text in ``lang``."""
    app = typer.Typer(
        help=t("app", lang),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )

    lang_option = Annotated[str, typer.Option("--lang", help=t("opt.lang", lang))]
    policy_option = Annotated[
        Path, typer.Option("--policy", envvar="AUDITOR_POLICY", help=t("opt.policy", lang))
    ]
    inventory_option = Annotated[
        Path, typer.Option("--inventory", envvar="AUDITOR_INVENTORY", help=t("opt.inventory", lang))
    ]
    ledger_option = Annotated[
        Path | None, typer.Option("--ledger", envvar="AUDITOR_LEDGER", help=t("opt.ledger", lang))
    ]
    db_option = Annotated[
        str | None, typer.Option("--db", envvar="AUDITOR_DB_URL", help=t("opt.db", lang))
    ]
    fail_on_option = Annotated[FailOn, typer.Option("--fail-on", help=t("opt.fail_on", lang))]
    format_option = Annotated[OutputFormat, typer.Option("--format", help=t("opt.format", lang))]

    @app.command("validate", help=t("validate", lang))
    def validate_command(
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        lang_: lang_option = lang,
    ) -> None:
        registry = discover()
        bundle = _load(policy, inventory, ledger, registry, lang)
        console = _stdout()
        console.print(
            f"{t('valid', lang)}: {len(bundle.policy.zones)} zones, "
            f"{len(bundle.policy.flows)} flows, {len(bundle.inventory.devices)} devices, "
            f"{len(bundle.ledger.rows)} ledger rows"
            + (
                f", {len(bundle.ledger.issues)} unreadable ledger rows"
                if bundle.ledger.issues
                else ""
            )
        )

    @app.command("rules", help=t("rules", lang))
    def rules_command(
        rule_id: Annotated[str | None, typer.Argument(help="ID (e.g. SEG-001)")] = None,
        output: format_option = OutputFormat.TABLE,
        lang_: lang_option = lang,
    ) -> None:
        registry = discover()
        console = _stdout()
        if rule_id is not None:
            check = registry.get(rule_id)
            if check is None:
                _stderr().print(t("unknown_rule", lang, id=rule_id))
                raise typer.Exit(EXIT_INVALID)
            if output is OutputFormat.JSON:
                payload = check.summary() | {"documentation": check.documentation()}
                typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
                return
            from auditor.rules.catalogue import render_rule_text

            console.print(render_rule_text(check, lang), markup=False)
            return
        if output is OutputFormat.JSON:
            typer.echo(json.dumps([c.summary() for c in registry], ensure_ascii=False, indent=2))
            return
        table = Table()
        for header in ("id", "severity", "scope", "title"):
            table.add_column(header)
        for check in registry:
            table.add_row(
                check.id,
                check.severity.value,
                check.scope,
                check.title_ja if lang == "ja" else check.title_en,
            )
        console.print(table)

    def _run(
        *,
        policy: Path,
        inventory: Path,
        ledger: Path | None,
        db: str | None,
        device_names: list[str] | None,
        only: list[CollectorName] | None,
        fail_on: FailOn,
        output: OutputFormat,
    ) -> int:
        from auditor.audit.service import RunRequest, run
        from auditor.collect.plan import build_collectors
        from auditor.inventory.credentials import resolve_secret

        registry = discover()
        bundle = _load(policy, inventory, ledger, registry, lang)
        devices = bundle.inventory.devices
        if device_names is not None:
            unknown = [n for n in device_names if bundle.inventory.device(n) is None]
            if unknown:
                _stderr().print(t("unknown_device", lang, names=", ".join(unknown)))
                return EXIT_INVALID
            devices = [d for d in devices if d.name in set(device_names)]
        base_dir = bundle.inventory_path if bundle.inventory_path else Path()
        inventory_dir = base_dir if base_dir.is_dir() else base_dir.parent

        def resolve(reference: Any) -> str:
            return resolve_secret(reference, base_dir=inventory_dir)

        collectors = build_collectors({c.value for c in only} if only else None, bundle.policy)
        store = _open_store(db)
        console = _stderr()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=not console.is_terminal,
        ) as progress:
            steps = sum(
                1 for c in collectors for d in devices if getattr(d, c.name, None) is not None
            )
            task = progress.add_task("収集中 / collecting", total=max(1, steps))

            def advance(device: str, ok: bool) -> None:
                progress.advance(task)

            request = RunRequest(
                scope="partial" if device_names is not None else "full",
                devices=devices,
                collectors=collectors,
                resolve_secret=resolve,
                progress=advance,
            )
            outcome = run(bundle, registry, store, request)
        suppressed = {r.fingerprint for r in store.list_findings(status=["suppressed"])}
        if output is OutputFormat.JSON:
            payload = {
                "run_id": outcome.run_id,
                "status": outcome.status,
                "snapshots": {
                    name: snap.model_dump(mode="json") for name, snap in outcome.snapshots.items()
                },
                "findings": [
                    f.model_dump(mode="json") | {"suppressed": f.fingerprint in suppressed}
                    for f in outcome.findings
                ],
            }
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            out = _stdout()
            if device_names is not None and outcome.snapshots:
                from auditor.cli.summary import summarize_snapshot

                for snapshot in outcome.snapshots.values():
                    out.print(summarize_snapshot(snapshot), markup=False)
            active = [
                f
                for f in outcome.findings
                if f.fingerprint not in suppressed and f.outcome is not Outcome.NOT_APPLICABLE
            ]
            if active:
                out.print(_finding_rows(active, lang))
            else:
                out.print(t("no_findings", lang))
            not_applicable = sum(f.outcome is Outcome.NOT_APPLICABLE for f in outcome.findings)
            if not_applicable:
                out.print(t("not_applicable", lang, count=not_applicable))
            out.print(
                t(
                    "run_summary",
                    lang,
                    run_id=outcome.run_id,
                    status=outcome.status,
                    covered=len(outcome.covered_devices),
                    total=len(devices),
                    count=len(active),
                )
            )
        complete = outcome.complete and not outcome.errors
        return _exit_code(outcome.findings, suppressed, fail_on, complete)

    @app.command("run", help=t("run", lang))
    def run_command(
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        db: db_option = None,
        fail_on: fail_on_option = FailOn.HIGH,
        output: format_option = OutputFormat.TABLE,
        lang_: lang_option = lang,
    ) -> None:
        code = _run(
            policy=policy,
            inventory=inventory,
            ledger=ledger,
            db=db,
            device_names=None,
            only=None,
            fail_on=fail_on,
            output=output,
        )
        raise typer.Exit(code)

    @app.command("check", help=t("check", lang))
    def check_command(
        devices: Annotated[list[str], typer.Argument(help="DEVICE…")],
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        db: db_option = None,
        only: Annotated[
            list[CollectorName] | None, typer.Option("--only", help=t("opt.only", lang))
        ] = None,
        fail_on: fail_on_option = FailOn.HIGH,
        output: format_option = OutputFormat.TABLE,
        lang_: lang_option = lang,
    ) -> None:
        code = _run(
            policy=policy,
            inventory=inventory,
            ledger=ledger,
            db=db,
            device_names=devices,
            only=only,
            fail_on=fail_on,
            output=output,
        )
        raise typer.Exit(code)

    findings_app = typer.Typer(help=t("findings", lang), no_args_is_help=True)
    app.add_typer(findings_app, name="findings")

    @findings_app.command("list", help=t("findings.list", lang))
    def findings_list(
        db: db_option = None,
        status: Annotated[list[str] | None, typer.Option("--status")] = None,
        severity: Annotated[list[str] | None, typer.Option("--severity")] = None,
        device: Annotated[str | None, typer.Option("--device")] = None,
        check: Annotated[str | None, typer.Option("--check")] = None,
        output: format_option = OutputFormat.TABLE,
        lang_: lang_option = lang,
    ) -> None:
        store = _open_store(db)
        records = store.list_findings(
            status=status, severity=severity, device=device, check_id=check
        )
        if output is OutputFormat.JSON:
            typer.echo(
                json.dumps(
                    [_jsonable(r) for r in records], ensure_ascii=False, indent=2, default=str
                )
            )
            return
        table = Table()
        for header in (
            "fingerprint",
            "status",
            "severity",
            "check",
            "device",
            "subject",
            "first seen",
        ):
            table.add_column(header)
        for record in records:
            table.add_row(
                record.fingerprint[:12],
                record.status,
                record.severity,
                record.check_id,
                record.device or "-",
                record.subject,
                record.first_seen.isoformat(timespec="seconds"),
            )
        _stdout().print(table)

    @findings_app.command("show", help=t("findings.show", lang))
    def findings_show(
        fingerprint: Annotated[str, typer.Argument(help="fingerprint (8+ hex)")],
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        store = _open_store(db)
        try:
            record, events = store.get_finding(fingerprint)
        except LookupError as exc:
            _stderr().print(str(exc), markup=False)
            raise typer.Exit(EXIT_INVALID) from exc
        payload = _jsonable(record) | {"events": [_jsonable(e) for e in events]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))

    @findings_app.command("ack", help=t("findings.ack", lang))
    def findings_ack(
        fingerprint: Annotated[str, typer.Argument(help="fingerprint (8+ hex)")],
        by: Annotated[str, typer.Option("--by", help="担当者 / who acknowledges")],
        note: Annotated[str, typer.Option("--note", help="理由 / note")] = "",
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        store = _open_store(db)
        try:
            full = store.ack(fingerprint, actor=by, note=note)
        except LookupError as exc:
            _stderr().print(str(exc), markup=False)
            raise typer.Exit(EXIT_INVALID) from exc
        _stdout().print(t("acked", lang, fp=full), markup=False)

    db_app = typer.Typer(help=t("db", lang), no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade", help=t("db.upgrade", lang))
    def db_upgrade(db: db_option = None, lang_: lang_option = lang) -> None:
        from auditor.store.opening import display_url

        store = _open_store(db)
        _stdout().print(t("db_upgraded", lang, url=display_url(store.url)), markup=False)

    @app.command("verify", help=t("verify", lang))
    def verify_command(db: db_option = None, lang_: lang_option = lang) -> None:
        store = _open_store(db)
        result = store.verify()
        if result.ok:
            _stdout().print(t("verify_ok", lang, count=result.events_checked))
            return
        _stderr().print(
            t("verify_broken", lang, event_id=result.first_broken_event_id, reason=result.reason),
            markup=False,
        )
        raise typer.Exit(EXIT_FINDINGS)

    from auditor.cli.daemon import register_daemon

    register_daemon(app, lang)
    _mount_optional(app, lang)
    return app


def _mount_optional(app: typer.Typer, lang: Lang) -> None:
    """Commands of the other parts; the lab needs the ``lab`` extra (snmpsim, fakenos)."""
    from auditor.cli.config import register_config
    from auditor.cli.matrix import register_matrix
    from auditor.cli.report import register_report

    register_config(app, lang)
    register_matrix(app, lang)
    register_report(app, lang)
    from auditor.cli.traffic import register_traffic

    register_traffic(app, lang)
    try:
        from auditor.cli.lab import app as lab_app
    except ImportError:  # installed without the lab extra
        return
    app.add_typer(lab_app, name="lab")
    from auditor.cli.demo import register_demo

    register_demo(app, lang)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang = detect_lang(args, os.environ)
    app = build_app(lang)
    app(args=args, prog_name="auditor")
