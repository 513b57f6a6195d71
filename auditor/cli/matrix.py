"""``auditor matrix``: the zone-to-zone matrix from the latest stored snapshots.

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_matrix` at definition time.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from auditor.audit.inputs import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t

SYMBOLS = {"ok": "✔", "excess": "✘", "not-permitted": "△", "denied": "·"}
LEGEND = {
    "ja": "✔ 方針どおり許可  ✘ 方針を超える許可  △ 方針で許可・設定で未許可  · 遮断  (o = 通信を観測)",
    "en": "✔ permitted as allowed  ✘ permit beyond policy  △ allowed, not permitted  · denied  "
    "(o = observed in traffic)",
}


def register_matrix(app: typer.Typer, lang: Lang) -> None:
    """Add ``matrix`` to ``app``."""
    ja = lang == "ja"

    @app.command("matrix", help=t("matrix", lang))
    def matrix_command(
        policy: Annotated[Path, options.policy(lang)] = DEFAULT_POLICY,
        inventory: Annotated[Path, options.inventory(lang)] = DEFAULT_INVENTORY,
        ledger: Annotated[Path | None, options.ledger(lang)] = None,
        db: Annotated[str | None, options.db(lang)] = None,
        output: Annotated[str, options.output_format(lang, "opt.format_text")] = "table",
        lang_: Annotated[str, options.lang_option(lang)] = lang,
    ) -> None:
        from auditor.analysis.matrix import zone_matrix
        from auditor.analysis.network import NetworkView
        from auditor.audit.inputs import ConfigError, load_bundle
        from auditor.rules import AuditContext, discover
        from auditor.store.opening import open_store

        registry = discover()
        try:
            bundle = load_bundle(policy, inventory, ledger, registry)
        except ConfigError as exc:
            for issue in exc.issues:
                Console(stderr=True).print(str(issue), markup=False)
            raise typer.Exit(2) from exc
        store = open_store(db)
        context = AuditContext(
            policy=bundle.policy,
            inventory=bundle.inventory,
            now=datetime.now(UTC),
            snapshots=store.latest_snapshots(d.name for d in bundle.inventory.devices),
            ledger=bundle.ledger,
            known_check_ids=registry.ids(),
        )
        matrix = zone_matrix(NetworkView.of(context), bundle.policy)
        from auditor.collect.traffic import add_observed, latest_stored_summary

        add_observed(matrix, latest_stored_summary(store))  # the observed column
        if output == "json":
            typer.echo(json.dumps(matrix.to_json(), ensure_ascii=False, indent=2))
            return
        table = Table(title="ゾーン間通信マトリクス / zone-to-zone matrix (from → to)")
        table.add_column("from \\ to")
        for zone in matrix.zones:
            table.add_column(zone, justify="center")
        for source in matrix.zones:
            row = [source]
            for destination in matrix.zones:
                if source == destination:
                    row.append("")
                    continue
                cell = matrix.cell(source, destination)
                mark = SYMBOLS.get(cell.status, "?") + ("o" if cell.observed_in_traffic else "")
                row.append(mark)
            table.add_row(*row)
        console = Console(highlight=False, soft_wrap=True)
        console.print(table)
        console.print(LEGEND["ja" if ja else "en"])
        for (source, destination), cell in sorted(matrix.cells.items()):
            for entry in cell.permitted:
                if not entry.within_policy:
                    console.print(f"✘ {source} → {destination}: {entry.to_json()}", markup=False)
