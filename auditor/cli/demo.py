"""``auditor demo``: the lab, one full audit into a fresh SQLite file, found versus planted.

This is how a newcomer first meets Kyojin: nothing to configure, real SNMP agents and SSH CLIs on
loopback, the real collectors and checks, and a table that says which planted violation each check
found.

No ``from __future__ import annotations``: typer reads the option annotations of
:func:`register_demo`, which name ``lang``, at definition time.
"""

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from auditor.cli import options
from auditor.cli.i18n import Lang, t

if TYPE_CHECKING:
    from auditor.store.protocol import AuditStore

REPO_ROOT = Path(__file__).resolve().parents[2]  # auditor/cli/demo.py → the source tree


def _repo_path(relative: str) -> Path:
    """A path of the shipped example city, from the source tree or the working directory."""
    for base in (REPO_ROOT, Path.cwd()):
        candidate = base / relative
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{relative} not found next to the package or in the current folder")


def _write_report(
    store: "AuditStore", policy: Any, inventory: Any, out_dir: Path, lang: Lang
) -> Path:
    """The nightly report of this one run, as staff would read it in the morning."""
    from auditor.report.service import ReportInputs, build_report, write_report

    data = build_report(store, ReportInputs(policy=policy, inventory=inventory))
    path = out_dir / "report.html"
    write_report(data, path, "html", lang)
    return path


def run_demo(out_dir: Path, lang: Lang, console: Console) -> int:
    """Run the whole demo; returns 0 when every applicable planted violation was found cleanly."""
    from auditor.audit.inputs import load_bundle
    from auditor.audit.service import RunRequest, run
    from auditor.collect.plan import build_collectors
    from auditor.inventory.credentials import resolve_secret
    from auditor.lab.groundtruth import compare
    from auditor.lab.runner import lab_down, lab_up
    from auditor.lab.scenario import example_city_path, load_scenario
    from auditor.rules import discover
    from auditor.store.opening import open_store

    started = time.monotonic()
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / "auditor.db"
    for stale in out_dir.glob("auditor.db*"):
        stale.unlink()
    lab_dir = out_dir / "lab"
    if lab_dir.exists():
        lab_down(lab_dir)
        shutil.rmtree(lab_dir, ignore_errors=True)
    scenario_file = example_city_path()
    scenario = load_scenario(scenario_file)
    registry = discover()
    console.print(
        "ラボを起動中… / starting the lab…" if lang == "ja" else "starting the lab…", style="dim"
    )
    state = lab_up(scenario_file, lab_dir)
    try:
        inventory_file = Path(state.inventory_file)
        bundle = load_bundle(
            _repo_path(scenario.policy or "policies/example-city"),
            inventory_file,
            _repo_path("inventory/example-city/ledger.csv"),
            registry,
        )
        inventory_dir = inventory_file.parent

        def resolve(reference: Any) -> str:
            return resolve_secret(reference, base_dir=inventory_dir)

        store = open_store(str(database))
        console.print(
            f"監査を実行中 ({len(bundle.inventory.devices)} 台)… / auditing…"
            if lang == "ja"
            else f"auditing {len(bundle.inventory.devices)} devices…",
            style="dim",
        )
        request = RunRequest(
            scope="full",
            devices=bundle.inventory.devices,
            collectors=build_collectors(policy=bundle.policy),
            resolve_secret=resolve,
        )
        outcome = run(bundle, registry, store, request)
        report = _write_report(store, bundle.policy, bundle.inventory, out_dir, lang)
    finally:
        lab_down(lab_dir)
    truth = compare(scenario, outcome.findings, registry.ids())
    table = Table(title="仕込んだ違反と検出結果 / planted vs found")
    for header in ("planted", "checks", "device", "subject", "found"):
        table.add_column(header)
    for plant in truth.plants:
        found = "✔" if plant.found else ("✘" if plant.applicable else "— (check not built yet)")
        table.add_row(
            plant.planted.id,
            ",".join(plant.planted.check_ids),
            plant.planted.device or "-",
            plant.planted.subject or "-",
            found,
        )
    console.print(table)
    from auditor.model.findings import Outcome

    applicable = truth.applicable
    reportable = [f for f in outcome.findings if f.outcome is not Outcome.NOT_APPLICABLE]
    found_count = sum(plant.found for plant in applicable)
    console.print(
        t(
            "run_summary",
            lang,
            run_id=outcome.run_id,
            status=outcome.status,
            covered=len(outcome.covered_devices),
            total=len(bundle.inventory.devices),
            count=len(reportable),
        )
    )
    not_applicable = len(outcome.findings) - len(reportable)
    if not_applicable:
        console.print(
            f"({not_applicable} 件は判定不能・対象外 / not applicable: nothing to compare)"
            if lang == "ja"
            else f"({not_applicable} not applicable: nothing to compare)"
        )
    console.print(
        f"found {found_count}/{len(applicable)} planted violations whose check exists "
        f"({len(truth.plants) - len(applicable)} await checks not built yet); "
        f"{len(truth.false_positives)} findings on devices marked clean"
    )
    for finding in truth.false_positives:
        console.print(
            f"  clean device reported: {finding.check_id} {finding.device} {finding.subject}",
            style="yellow",
        )
    console.print(f"database: {database}")
    console.print(f"report: {report}")
    console.print(f"{time.monotonic() - started:.1f} s")
    return 0 if not truth.missed and not truth.false_positives else 1


def register_demo(app: typer.Typer, lang: Lang) -> None:
    """Add ``demo`` to ``app`` (only when the lab extra is installed)."""

    @app.command("demo", help=t("demo", lang))
    def demo_command(
        out: Annotated[Path, typer.Option("--out", help=t("opt.demo_out", lang))] = Path(
            "demo-out"
        ),
        lang_: Annotated[str, options.lang_option(lang)] = lang,
    ) -> None:
        console = Console(highlight=False, soft_wrap=True)
        raise typer.Exit(run_demo(out, lang, console))
