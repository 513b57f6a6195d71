"""``auditor audit-configs DIR``: audit saved configurations (folder, Oxidized, RANCID) offline.

The runs go through the audit service as kind ``offline`` and are recorded like live runs, so
reports and exports work on them unchanged. Exit codes as ``auditor run``.

No ``from __future__ import annotations``: typer reads the option aliases at definition time.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.audit.defaults import DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.options import EXIT_INVALID, FailOn, OutputFormat
from auditor.collect.layouts import Layout

if TYPE_CHECKING:
    from auditor.audit.inputs import Bundle
    from auditor.rules import Registry


def offline_bundle(
    policy: Path, inventory: Path | None, ledger: Path | None, registry: "Registry", lang: Lang
) -> "Bundle":
    """Policy plus the inventory when one is given; offline audits may run without one."""
    from auditor.audit.inputs import Bundle

    if inventory is not None:
        return options.load_inputs(policy, inventory, ledger, registry, lang)
    from auditor.inventory.models import AssetLedger, Inventory
    from auditor.policy.loader import PolicyError, load_policy

    try:
        loaded = load_policy(
            policy, known_check_ids=registry.ids(), parameter_models=registry.parameter_models()
        )
    except (PolicyError, OSError) as exc:
        options.stderr().print(str(exc), markup=False)
        raise typer.Exit(EXIT_INVALID) from exc
    ledger_rows = AssetLedger()
    if ledger is not None:
        from auditor.inventory.ledger import load_ledger

        ledger_rows = load_ledger(ledger, loaded.policy)
    return Bundle(
        policy=loaded.policy,
        inventory=Inventory(),
        ledger=ledger_rows,
        policy_hash=loaded.sha256,
        policy_path=policy,
    )


def register_offline(app: typer.Typer, lang: Lang) -> None:
    """Add ``audit-configs``."""

    @app.command("audit-configs", help=t("offline.audit-configs", lang))
    def audit_configs(
        directory: Annotated[
            Path, typer.Argument(help=t("offline.dir", lang), exists=True, file_okay=False)
        ],
        policy: Annotated[Path, options.policy(lang)] = DEFAULT_POLICY,
        inventory: Annotated[
            Path | None,
            typer.Option(
                "--inventory", "-i", envvar="AUDITOR_INVENTORY", help=t("offline.inventory", lang)
            ),
        ] = None,
        ledger: Annotated[Path | None, options.ledger(lang)] = None,
        db: Annotated[str | None, options.db(lang)] = None,
        layout: Annotated[Layout, typer.Option(help=t("offline.layout", lang))] = Layout.AUTO,
        history: Annotated[bool, typer.Option(help=t("offline.history", lang))] = True,
        fail_on: Annotated[FailOn, options.fail_on(lang)] = FailOn.HIGH,
        output: Annotated[OutputFormat, options.output_format(lang)] = OutputFormat.TABLE,
        lang_: Annotated[str, options.lang_option(lang)] = lang,
    ) -> None:
        from auditor.audit.offline import audit_offline
        from auditor.collect.ssh import default_salt
        from auditor.model.findings import Outcome
        from auditor.rules import discover

        registry = discover()
        bundle = offline_bundle(policy, inventory, ledger, registry, lang)
        store = options.open_store(db, lang)
        outcomes = audit_offline(
            bundle, registry, store, directory, salt=default_salt(), layout=layout, history=history
        )
        if not outcomes:
            options.stderr().print(f"no configurations in {directory}", markup=False)
            raise typer.Exit(EXIT_INVALID)
        outcome = outcomes[-1]
        active = [f for f in outcome.findings if f.outcome is not Outcome.NOT_APPLICABLE]
        gaps = sorted(
            {
                f.check_id
                for f in outcome.findings
                if f.outcome is Outcome.NOT_APPLICABLE
                and f.device is None
                and f.subject == "offline"
            }
        )
        if output is OutputFormat.JSON:
            payload = {
                "runs": [o.run_id for o in outcomes],
                "run_id": outcome.run_id,
                "status": outcome.status,
                "devices": sorted(outcome.snapshots),
                "findings": [f.model_dump(mode="json") for f in active],
                "not_applicable": gaps,
            }
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            out = options.stdout()
            if active:
                out.print(options.finding_rows(active, lang))
            ja = lang == "ja"
            out.print(
                (
                    f"オフライン実行 {len(outcomes)} 回 (最新 #{outcome.run_id}): "
                    f"{len(outcome.snapshots)} 台、指摘 {len(active)} 件"
                )
                if ja
                else (
                    f"{len(outcomes)} offline run(s) (latest #{outcome.run_id}): "
                    f"{len(outcome.snapshots)} devices, {len(active)} findings"
                ),
                markup=False,
            )
            if gaps:
                out.print(
                    (
                        "対象外 (オフライン: 稼働状態なし): "
                        if ja
                        else "not applicable (offline: no live state): "
                    )
                    + ", ".join(gaps),
                    markup=False,
                )
        code = options.exit_code(active, set(), fail_on, complete=outcome.complete)
        raise typer.Exit(code)
