"""``auditor run`` (full) and ``auditor check DEVICE…`` (partial): collect, evaluate, record.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 invalid input;
3 the run was incomplete.

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_run` at definition time.
"""

import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from auditor.audit.defaults import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.i18n_tables import value
from auditor.cli.options import (
    EXIT_INCOMPLETE,
    EXIT_INVALID,
    CollectorName,
    FailOn,
    OutputFormat,
)

# The command bodies moved here from app.py unchanged and still use these names.
_exit_code = options.exit_code
_finding_rows = options.finding_rows
_load = options.load_inputs
_open_store = options.open_store
_stderr = options.stderr
_stdout = options.stdout


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread by SIGINT/SIGTERM; a KeyboardInterrupt so that nothing between
    here and the collectors swallows it: not an ``except Exception``, and not asyncio, which
    re-raises only KeyboardInterrupt and SystemExit (any other BaseException raised inside a
    datagram ``sendto`` became a transport "fatal write error" and the poll went on waiting for
    its timeout). The audit service closes the run as incomplete."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` once; later ones are ignored so that closing
    the run is not itself interrupted. The previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread
        return
    raised = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if raised:
            return
        raised = True
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def register_run(app: typer.Typer, lang: Lang) -> None:
    """Add ``run`` and ``check`` to ``app``; both share :func:`_run`."""
    lang_option = Annotated[str, options.lang_option(lang)]
    policy_option = Annotated[Path, options.policy(lang)]
    inventory_option = Annotated[Path, options.inventory(lang)]
    ledger_option = Annotated[Path | None, options.ledger(lang)]
    db_option = Annotated[str | None, options.db(lang)]
    fail_on_option = Annotated[FailOn, options.fail_on(lang)]
    format_option = Annotated[OutputFormat, options.output_format(lang)]

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
        show_all: bool = True,
        distributed: bool = False,
        deadline: float = 600.0,
        broker: str | None = None,
        shard_by: str = "tier",
    ) -> int:
        from auditor.audit.service import RunRequest, run
        from auditor.collect.plan import build_collectors
        from auditor.rules import discover

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

        resolve = options.city_secret_resolver(inventory_dir, lang)

        collectors = build_collectors({c.value for c in only} if only else None, bundle.policy)
        store = _open_store(db, lang)
        console = _stderr()
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from auditor.cli.progress import DeviceProgress

        tracker = DeviceProgress(
            [[d.name for d in devices if getattr(d, c.name, None) is not None] for c in collectors],
            lang,
        )
        unit = "台" if lang == "ja" else "devices"
        with Progress(
            BarColumn(bar_width=20),
            TextColumn("{task.completed:.0f}/{task.total:.0f} " + unit),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=not console.is_terminal,
        ) as progress:
            task = progress.add_task(tracker.description(), total=max(1, tracker.total))

            def advance(device: str, ok: bool) -> None:
                tracker.report(device)
                progress.update(task, completed=tracker.done, description=tracker.description())

            request = RunRequest(
                scope="partial" if device_names is not None else "full",
                devices=devices,
                collectors=collectors,
                resolve_secret=resolve,
                progress=advance,
            )
            try:
                with interruptible():
                    if distributed:  # workers collect; this process dispatches, waits, audits
                        from auditor.cli.distributed import collect_with_workers

                        request = collect_with_workers(
                            request,
                            store,
                            bundle.policy,
                            deadline,
                            broker,
                            shard_by,
                            lang,
                            lambda done, total: progress.update(task, completed=done, total=total),
                        )
                    outcome = run(bundle, registry, store, request)
            except Interrupted as exc:
                progress.stop()
                own = [r for r in store.list_runs(limit=20) if r.pid == os.getpid()]
                _stderr().print(
                    t(
                        "run_interrupted",
                        lang,
                        signal=str(exc),
                        run_id=own[0].id if own else "?",
                    ),
                    markup=False,
                )
                return EXIT_INCOMPLETE
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
            from auditor.model.findings import Outcome

            active = [
                f
                for f in outcome.findings
                if f.fingerprint not in suppressed and f.outcome is not Outcome.NOT_APPLICABLE
            ]
            others = 0
            if not show_all and device_names is not None:
                mine = [f for f in active if f.device in set(device_names)]
                others = len(active) - len(mine)
                active = mine
            if active:
                out.print(_finding_rows(active, lang))
            else:
                out.print(t("no_findings", lang))
            not_applicable = sum(f.outcome is Outcome.NOT_APPLICABLE for f in outcome.findings)
            if not_applicable:
                out.print(t("not_applicable", lang, count=not_applicable))
            if others:
                out.print(t("check_other_findings", lang, count=others))
            out.print(
                t(
                    "run_summary",
                    lang,
                    run_id=outcome.run_id,
                    status=value(outcome.status, lang),
                    covered=len(outcome.covered_devices),
                    total=len(devices),
                    count=len(active),
                )
            )
        complete = outcome.complete and not outcome.errors
        judged = outcome.findings
        if not show_all and device_names is not None:
            # ``check DEVICE`` answers for DEVICE; --all brings the rest back into the verdict
            judged = [f for f in judged if f.device in set(device_names)]
        return _exit_code(judged, suppressed, fail_on, complete)

    @app.command("run", help=t("run", lang))
    def run_command(
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        db: db_option = None,
        fail_on: fail_on_option = FailOn.HIGH,
        output: format_option = OutputFormat.TABLE,
        distributed: Annotated[
            bool, typer.Option("--distributed", help=t("dist.run.distributed", lang))
        ] = False,
        deadline: Annotated[
            float, typer.Option("--deadline", help=t("dist.run.deadline", lang))
        ] = 600.0,
        broker: Annotated[
            str | None,
            typer.Option("--broker", envvar="AUDITOR_BROKER_URL", help=t("dist.broker", lang)),
        ] = None,
        shard_by: Annotated[
            str, typer.Option("--shard-by", help=t("dist.run.shard_by", lang))
        ] = "tier",
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
            distributed=distributed,
            deadline=deadline,
            broker=broker,
            shard_by=shard_by,
        )
        raise typer.Exit(code)

    @app.command("check", help=t("check", lang))
    def check_command(
        devices: Annotated[list[str], typer.Argument(help=t("arg.devices", lang))],
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        db: db_option = None,
        only: Annotated[
            list[CollectorName] | None, typer.Option("--only", help=t("opt.only", lang))
        ] = None,
        fail_on: fail_on_option = FailOn.HIGH,
        output: format_option = OutputFormat.TABLE,
        show_all: Annotated[bool, typer.Option("--all", help=t("opt.all", lang))] = False,
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
            show_all=show_all,
        )
        raise typer.Exit(code)
