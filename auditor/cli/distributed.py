"""``auditor keys init``, ``auditor collect --bundle``, ``auditor import`` and ``auditor workers``.

Bundle refusals (tampered, replayed, wrong key, unknown collector, truncated) are exit code 2
with the reason in Japanese or English and nothing recorded. ``import`` otherwise exits like
``auditor run``.

No ``from __future__ import annotations``: typer reads the option aliases at definition time.
"""

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.audit.defaults import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.i18n_tables import value
from auditor.cli.options import FailOn, OutputFormat

DEFAULT_KEYS_DIR = "keys"


def keys_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    return Path(os.environ.get("AUDITOR_KEYS_DIR") or DEFAULT_KEYS_DIR)


def register_distributed(app: typer.Typer, lang: Lang) -> None:
    """Add the ``keys`` group and the ``collect``, ``import`` and ``workers`` commands."""
    lang_option = Annotated[str, options.lang_option(lang)]
    dir_option = Annotated[Path | None, typer.Option("--dir", help=t("dist.keys.dir", lang))]
    keys_option = Annotated[Path | None, typer.Option("--keys", help=t("dist.keys.dir", lang))]

    keys = options.group(lang, "dist.keys")

    @keys.command("init", help=t("dist.keys.init", lang))
    def keys_init(
        collector: Annotated[
            str | None, typer.Option("--collector", help=t("dist.keys.collector", lang))
        ] = None,
        central: Annotated[
            bool, typer.Option("--central", help=t("dist.keys.central", lang))
        ] = False,
        directory: dir_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.distributed import sealing

        if (collector is None) == (not central):
            options.fail(t("dist.keys.choose", lang))
        folder = keys_dir(directory)
        private = folder / (sealing.CENTRAL_KEY_FILE if central else sealing.COLLECTOR_KEY_FILE)
        if private.exists():
            options.fail(t("dist.keys.exists", lang, path=private))
        try:
            if collector is not None:
                public = sealing.init_collector(folder, collector)
                message = t("dist.keys.collector_done", lang, id=collector, pub=public)
            else:
                public = sealing.init_central(folder)
                trusted = folder / sealing.TRUSTED_DIR
                message = t("dist.keys.central_done", lang, pub=public, trusted=trusted)
        except (OSError, ValueError) as exc:
            options.fail(t("dist.key_error", lang, message=exc))
        options.stdout().print(message, markup=False)

    app.add_typer(keys, name="keys")

    @app.command("collect", help=t("dist.collect", lang))
    def collect_command(
        bundle_out: Annotated[Path, typer.Option("--bundle", help=t("dist.collect.bundle", lang))],
        policy: Annotated[Path, options.policy(lang)] = DEFAULT_POLICY,
        inventory: Annotated[Path, options.inventory(lang)] = DEFAULT_INVENTORY,
        key_folder: keys_option = None,
        recipient: Annotated[
            Path | None, typer.Option("--recipient", help=t("dist.collect.recipient", lang))
        ] = None,
        tier: Annotated[
            str | None, typer.Option("--tier", help=t("dist.collect.tier", lang))
        ] = None,
        site: Annotated[
            str | None, typer.Option("--site", help=t("dist.collect.site", lang))
        ] = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.collect.plan import build_collectors
        from auditor.collect.ssh import default_salt
        from auditor.distributed.handover import write_bundle
        from auditor.distributed.routing import shard

        # In a multi-city deployment the city must be named (exit 2 otherwise); its inventory is
        # the default of --inventory and its credentials folder supplies the secrets.
        city = options.tenant(lang)
        from auditor.rules import discover

        registry = discover()
        inputs = options.load_inputs(policy, inventory, None, registry, lang)
        devices = shard(inputs.inventory.devices, inputs.policy, tier=tier, site=site)
        if not devices:
            options.fail(t("dist.collect.none", lang))
        base_dir = inputs.inventory_path if inputs.inventory_path else Path()
        inventory_dir = base_dir if base_dir.is_dir() else base_dir.parent

        resolve = options.city_secret_resolver(inventory_dir, lang)
        folder = keys_dir(key_folder)
        try:
            written = write_bundle(
                devices,
                build_collectors(None, inputs.policy),
                resolve,
                key_dir=folder,
                recipient=recipient or folder / "central.pub",
                out=bundle_out,
                salt=default_salt(),
                tier=tier,
                site=site,
                tenant=city,
            )
        except (OSError, ValueError) as exc:
            options.fail(t("dist.key_error", lang, message=exc))
        options.stdout().print(
            t(
                "dist.collect.done",
                lang,
                path=written.path,
                sequence=written.sequence,
                devices=written.devices,
                failures=written.failures,
            ),
            markup=False,
        )

    @app.command("import", help=t("dist.import", lang))
    def import_command(
        bundles: Annotated[list[Path], typer.Argument(help=t("dist.import.bundles", lang))],
        policy: Annotated[Path, options.policy(lang)] = DEFAULT_POLICY,
        inventory: Annotated[Path, options.inventory(lang)] = DEFAULT_INVENTORY,
        ledger: Annotated[Path | None, options.ledger(lang)] = None,
        db: Annotated[str | None, options.db(lang)] = None,
        key_folder: keys_option = None,
        fail_on: Annotated[FailOn, options.fail_on(lang)] = FailOn.HIGH,
        output: Annotated[OutputFormat, options.output_format(lang)] = OutputFormat.TABLE,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.distributed.handover import import_bundles
        from auditor.distributed.sealing import BundleError
        from auditor.model.findings import Outcome
        from auditor.rules import discover

        options.tenant(lang)  # a multi-city deployment names the city first (exit 2)
        registry = discover()
        inputs = options.load_inputs(policy, inventory, ledger, registry, lang)
        store = options.open_store(db)
        try:
            outcome, opened = import_bundles(inputs, registry, store, bundles, keys_dir(key_folder))
        except BundleError as exc:
            options.fail(t("dist.import.refused", lang, message=exc.text(lang)))
        except (OSError, ValueError) as exc:
            options.fail(t("dist.key_error", lang, message=exc))
        suppressed = {r.fingerprint for r in store.list_findings(status=["suppressed"])}
        active = [
            f
            for f in outcome.findings
            if f.fingerprint not in suppressed and f.outcome is not Outcome.NOT_APPLICABLE
        ]
        collectors = sorted({b.opened.manifest.collector_id for b in opened})
        devices = sorted({d for b in opened for d in b.opened.manifest.devices})
        if output is OutputFormat.JSON:
            payload = {
                "run_id": outcome.run_id,
                "status": outcome.status,
                "bundles": [
                    {
                        "path": str(b.path),
                        "bundle_id": b.opened.manifest.bundle_id,
                        "collector_id": b.opened.manifest.collector_id,
                        "sequence": b.opened.manifest.sequence,
                        "sha256": b.sha256,
                    }
                    for b in opened
                ],
                "findings": [f.model_dump(mode="json") for f in active],
            }
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            out = options.stdout()
            out.print(options.finding_rows(active, lang) if active else t("no_findings", lang))
            out.print(
                t(
                    "dist.import.done",
                    lang,
                    count=len(opened),
                    collectors=", ".join(collectors),
                    run_id=outcome.run_id,
                    status=value(outcome.status, lang),
                    covered=len(outcome.covered_devices),
                    total=len(devices),
                    findings=len(active),
                ),
                markup=False,
            )
        complete = outcome.complete and not outcome.errors
        raise typer.Exit(options.exit_code(outcome.findings, suppressed, fail_on, complete))

    @app.command("workers", help=t("dist.workers", lang))
    def workers_command(
        broker: Annotated[
            str | None,
            typer.Option("--broker", envvar="AUDITOR_BROKER_URL", help=t("dist.broker", lang)),
        ] = None,
        policy: Annotated[Path, options.policy(lang)] = DEFAULT_POLICY,
        inventory: Annotated[Path, options.inventory(lang)] = DEFAULT_INVENTORY,
        output: Annotated[OutputFormat, options.output_format(lang)] = OutputFormat.TABLE,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.distributed.status import BrokerUnreachableError, gather_status

        queues: list[str] = []
        if inventory.exists() and policy.exists():
            from auditor.distributed.routing import queue_for
            from auditor.rules import discover

            # Queue names carry the city (``kita.mynumber``) when one is named; all cities'
            # workers show either way (they report their own queue names).
            city = options.tenant(lang) if options.given_tenant() is not None else "default"
            inputs = options.load_inputs(policy, inventory, None, discover(), lang)
            queues = sorted(
                {queue_for(d, inputs.policy, tenant=city) for d in inputs.inventory.devices}
            )
        try:
            status = gather_status(broker, queues)
        except BrokerUnreachableError as exc:
            options.fail(t("dist.workers.unreachable", lang, broker=exc.broker, message=exc))
        if output is OutputFormat.JSON:
            typer.echo(json.dumps(status.to_json(), ensure_ascii=False, indent=2))
            return
        out = options.stdout()
        out.print(status_table(status, lang))
        if not status.workers:
            out.print(t("dist.workers.none", lang))


def collect_with_workers(
    request: Any,
    store: Any,
    policy: Any,
    deadline: float,
    broker: str | None,
    shard_by: str,
    lang: Lang,
    progress: Any,
) -> Any:
    """``auditor run --distributed``: the request of the run with what the workers collected.

    The broker refusing the tasks is exit 3 (nothing was collected, no run is recorded).
    """
    from dataclasses import replace

    from auditor.distributed.celery_app import make_app
    from auditor.distributed.dispatch import DispatchError, collect_distributed
    from auditor.distributed.routing import ShardBy

    by: ShardBy = "site" if shard_by == "site" else "tier"
    try:
        sent, collected = collect_distributed(
            make_app(broker),
            store,
            request.devices,
            policy,
            deadline_seconds=deadline,
            by=by,
            progress=progress,
        )
    except DispatchError as exc:
        options.stderr().print(
            t("dist.workers.unreachable", lang, broker=broker or "-", message=exc), markup=False
        )
        raise typer.Exit(options.EXIT_INCOMPLETE) from exc
    err = options.stderr()
    queues = ", ".join(f"{q} ({len(n)})" for q, n in sorted(sent.queues.items()))
    err.print(
        t("dist.run.dispatched", lang, count=sent.total, queues=queues, run_key=sent.run_key),
        markup=False,
    )
    missing: dict[str, int] = {}
    for failure in collected.errors:
        if failure.kind == "not_reported":
            missing[failure.fact("queue")] = missing.get(failure.fact("queue"), 0) + 1
    if missing:
        err.print(
            t(
                "dist.run.missing",
                lang,
                count=sum(missing.values()),
                queues=", ".join(f"{q}: {n}" for q, n in sorted(missing.items())),
            ),
            markup=False,
        )
    return replace(
        request,
        collectors=(),
        resolve_secret=None,
        snapshots=collected.snapshots,
        failures=collected.errors,
        evidence=collected.evidence,
    )


def status_table(status: Any, lang: Lang) -> Any:
    """Queue, backlog, workers (a silent one marked ``!``), active tasks, last heartbeat."""
    from rich.table import Table

    table = Table(title=status.broker)
    table.add_column(t("dist.col.queue", lang))
    table.add_column(t("dist.col.backlog", lang), justify="right")
    table.add_column(t("dist.col.workers", lang))
    table.add_column(t("dist.col.active", lang), justify="right")
    table.add_column(t("dist.col.heartbeat", lang))
    for queue in status.queues():
        serving = [w for w in status.workers if queue in w.queues]
        beats = [w.heartbeat for w in serving if w.heartbeat is not None]
        table.add_row(
            queue,
            str(status.backlog.get(queue, 0)),
            ", ".join(w.name + ("" if w.answering else " (!)") for w in serving) or "-",
            str(sum(w.active for w in serving)),
            max(beats).strftime("%Y-%m-%d %H:%M:%S UTC") if beats else "-",
        )
    return table
