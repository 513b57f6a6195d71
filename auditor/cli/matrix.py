"""``auditor matrix``: the zone-to-zone matrix from the latest stored snapshots."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from auditor.cli.i18n import Lang

SYMBOLS = {"ok": "✔", "excess": "✘", "not-permitted": "△", "denied": "·"}
LEGEND = {
    "ja": "✔ 方針どおり許可  ✘ 方針を超える許可  △ 方針で許可・設定で未許可  · 遮断  (o = 通信を観測)",
    "en": "✔ permitted as allowed  ✘ permit beyond policy  △ allowed, not permitted  · denied  "
    "(o = observed in traffic)",
}


def register_matrix(app: typer.Typer, lang: Lang) -> None:
    ja = lang == "ja"

    @app.command(
        "matrix",
        help="ゾーン間通信マトリクス (方針で許可 / 設定で許可 / 通信で観測) を表示します。"
        if ja
        else "Zone-to-zone matrix: allowed by policy / permitted by config / observed in traffic.",
    )
    def matrix_command(
        policy: Annotated[Path, typer.Option("--policy", envvar="AUDITOR_POLICY")] = Path(
            "/etc/auditor/policy"
        ),
        inventory: Annotated[Path, typer.Option("--inventory", envvar="AUDITOR_INVENTORY")] = Path(
            "/etc/auditor/inventory"
        ),
        ledger: Annotated[Path | None, typer.Option("--ledger", envvar="AUDITOR_LEDGER")] = None,
        db: Annotated[str | None, typer.Option("--db", envvar="AUDITOR_DB_URL")] = None,
        output: Annotated[str, typer.Option("--format", help="table|json")] = "table",
        lang_: Annotated[str, typer.Option("--lang")] = lang,
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
        from auditor.analysis.traffic import add_observed
        from auditor.store.traffic_reading import latest_stored_summary

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
