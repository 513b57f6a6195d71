"""``auditor matrix``: the zone-to-zone matrix the newest run stored (computed by the audit run).

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_matrix` at definition time.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from auditor.audit.defaults import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t

if TYPE_CHECKING:
    from auditor.store.records import MatrixRecord


def _legend(lang: str) -> str:
    """The report's legend words and symbols (``auditor.report.charts``), so both read the same."""
    from auditor.report.charts import LEGEND_STATES, SYMBOLS
    from auditor.report.labels import label

    states = [s for s in LEGEND_STATES if s != "unknown"]
    words = "  ".join(f"{SYMBOLS[s]} {label('legend_' + s, lang)}" for s in states)
    path = (
        "経路列: → 経路で到達可能  ~ 経路が不明 (理由は下記)"
        if lang == "ja"
        else "path column: → reachable by path  ~ unknown (why below)"
    )
    return f"{words}  ({label('legend_observed', lang)})\n{path}"


def _mark(
    status: str, observed: bool, path_violation: bool = False, path: str | None = None
) -> str:
    """A CLI cell: the report's symbol of the cell's state, ``o`` when traffic was seen, then the
    "reachable by path" column (→ reachable, ~ unknown)."""
    from auditor.report.charts import CLI_STATES, PATH_MARKS, cell_mark

    state = CLI_STATES.get(status, "unknown")
    if path_violation and state != "violation":
        state = "path-violation"
    return cell_mark(state, observed) + PATH_MARKS.get(path or "", "")


def explain_path(source: str, destination: str, cell: Any, lang: Lang) -> list[str]:
    """The path column in words: each violating service with its trace, or why it is unknown."""
    from auditor.cli.path import VIOLATION_JA

    path = cell.path or {}
    lines = []
    grouped: dict[tuple[str, str], list[str]] = {}
    for item in path.get("violations", []):
        grouped.setdefault((item["trace"], item["reason"] or ""), []).append(item["service"])
    for (trace, reason), services in grouped.items():
        listed = ", ".join(services)
        lines.append(
            f"⇝ {source} → {destination}: {listed} が経路 {trace} で到達可能 "
            f"({VIOLATION_JA.get(reason, reason)})"
            if lang == "ja"
            else f"⇝ {source} → {destination}: {listed} reachable along {trace} ({reason})"
        )
    if path.get("status") == "unknown" or (path.get("unknown_services") and not lines):
        why = "; ".join(path.get("why", [])) or "-"
        unknown = ", ".join(path.get("unknown_services", []))
        lines.append(
            f"~ {source} → {destination}: 経路が不明 ({unknown}) — 理由: {why}"
            if lang == "ja"
            else f"~ {source} → {destination}: path unknown ({unknown}) — why: {why}"
        )
    return lines


def _source_note(stored: "MatrixRecord | None", ja: bool) -> str | None:
    """``None`` when the matrix is a run's stored one; else why it was computed now (stderr)."""
    if stored is not None and stored.data is not None:
        return None
    if stored is None:
        return (
            "記録されたマトリクスがないため、最新のスナップショットから計算しました"
            if ja
            else "no run stored a matrix: computed now from the newest stored snapshots"
        )
    return (
        f"実行 #{stored.run_id} のマトリクスは計算できませんでした ({stored.error})。"
        "最新のスナップショットから計算しました"
        if ja
        else f"run #{stored.run_id} could not compute its matrix ({stored.error}): "
        "computed now from the newest stored snapshots"
    )


def explain_excess(source: str, destination: str, entry: Any, lang: Lang) -> str:
    """A permit beyond the policy in words: which device, which line, what it lets through."""
    services = ", ".join(entry.services) or "any"
    targets = ", ".join(entry.destinations) if entry.destinations else None
    if lang == "ja":
        to = f"、宛先 {targets}" if targets else ""
        return (
            f"✘ {source} → {destination}: {entry.device} の「{entry.line.strip()}」"
            f" ({entry.subject}) が方針を超えて許可しています (サービス {services}{to})。"
        )
    to = f" to {targets}" if targets else ""
    return (
        f"✘ {source} → {destination}: {entry.device} permits beyond the policy with "
        f'"{entry.line.strip()}" ({entry.subject}): {services}{to}.'
    )


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
        from auditor.audit.service import current_matrix
        from auditor.rules import discover

        if output not in {"table", "json"}:
            options.choose([output], ["table", "json"], "--format", lang)
        registry = discover()
        bundle = options.load_inputs(policy, inventory, ledger, registry, lang)
        store = options.open_store_for_reading(db, lang)
        matrix, stored = current_matrix(bundle, registry, store)  # the run's, not rebuilt
        note = _source_note(stored, ja)
        if note:
            options.stderr().print(note, markup=False)
        if output == "json":
            run_id = stored.run_id if stored is not None and note is None else None
            payload = matrix.to_json() | {"run_id": run_id}
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        table = Table(
            title="区域間通信マトリクス (送信元 → 宛先)"
            if ja
            else "Zone-to-zone matrix (from → to)"
        )
        table.add_column("送信元 \\ 宛先" if ja else "from \\ to", overflow="fold")
        for zone in matrix.zones:
            table.add_column(zone, justify="center", overflow="fold")
        for source in matrix.zones:
            row = [source]
            for destination in matrix.zones:
                if source == destination:
                    row.append("")
                    continue
                cell = matrix.cell(source, destination)
                row.append(
                    _mark(
                        cell.status,
                        bool(cell.observed_in_traffic),
                        cell.path_violation,
                        cell.path_status,
                    )
                )
            table.add_row(*row)
        console = options.stdout()
        console.print(table)
        console.print(_legend("ja" if ja else "en"), markup=False)
        if stored is not None and note is None:
            at = stored.run_started_at.isoformat(timespec="seconds")
            console.print(
                f"実行 #{stored.run_id} ({at}) で記録"
                if ja
                else f"recorded by run #{stored.run_id} ({at})"
            )
        for (source, destination), cell in sorted(matrix.cells.items()):
            for entry in cell.permitted:
                if not entry.within_policy:
                    console.print(explain_excess(source, destination, entry, lang), markup=False)
            for line in explain_path(source, destination, cell, lang):
                console.print(line, markup=False)
