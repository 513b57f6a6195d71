"""``auditor traffic analyze|watch``, ``auditor probe`` and ``auditor lab netns up|down``.

Exit codes: 0 ok; 1 a capture could not be read to its end (the flows before the error are still
printed and recorded); 2 invalid input; 3 the lab or the probe could not run (permissions, tools).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from auditor.cli.i18n import Lang

if TYPE_CHECKING:
    from auditor.audit.inputs import Bundle
    from auditor.model.findings import Finding
    from auditor.model.traffic import TrafficSummary
    from auditor.rules import Registry

PROBE_CHECKS = frozenset({"TRF-007", "TRF-008"})

PolicyOption = Annotated[Path, typer.Option("--policy", envvar="AUDITOR_POLICY")]
InventoryOption = Annotated[Path, typer.Option("--inventory", envvar="AUDITOR_INVENTORY")]
LedgerOption = Annotated[Path | None, typer.Option("--ledger", envvar="AUDITOR_LEDGER")]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="AUDITOR_DB_URL",
        help="記録先 (指定時のみ実行を記録) / Store URL; the run is recorded only when given",
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="table|json")]
StateOption = Annotated[
    Path, typer.Option("--state", help="作成物の記録ファイル / file recording what was created")
]
DEFAULT_POLICY = Path("/etc/auditor/policy")
DEFAULT_INVENTORY = Path("/etc/auditor/inventory")


def _load(policy: Path, inventory: Path, ledger: Path | None) -> tuple[Registry, Bundle]:
    """The check registry and the configuration bundle every traffic command starts from."""
    from auditor.audit.inputs import ConfigError, load_bundle
    from auditor.rules import discover

    registry = discover()
    try:
        return registry, load_bundle(policy, inventory, ledger, registry)
    except ConfigError as exc:
        for issue in exc.issues:
            Console(stderr=True).print(str(issue), markup=False)
        raise typer.Exit(2) from exc


def evaluate_traffic(
    bundle: Bundle,
    registry: Registry,
    summary: TrafficSummary,
    *,
    db: str | None,
    kind: str,
    checks: frozenset[str],
    vantage: str | None = None,
    now: datetime | None = None,
) -> tuple[list[Finding], int | None]:
    """Evaluate the traffic checks over a summary; with ``db``, record a run with the evidence.

    ``vantage`` names the probe host (``probe@ZONE``): probe findings are bound to it, so a probe
    from one zone resolves only that zone's earlier probe findings.
    """
    from auditor import __version__
    from auditor.audit.engine import build_context, evaluate
    from auditor.model.traffic import EVIDENCE_LABEL

    started = now or datetime.now(UTC)
    store = None
    snapshots: dict[str, Any] = {}
    if db is not None:
        from auditor.store.opening import open_store

        store = open_store(db)
        snapshots = store.latest_snapshots(d.name for d in bundle.inventory.devices)
    context = build_context(
        policy=bundle.policy,
        inventory=bundle.inventory,
        ledger=bundle.ledger,
        snapshots=snapshots,
        errors=[],
        registry=registry,
        now=started,
    )
    context.traffic = summary
    evaluation = evaluate(registry, context, only_checks=checks)
    blob = summary.to_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    findings = [_cite(f, digest, vantage) for f in evaluation.findings]
    if store is None:
        return findings, None
    devices = [vantage] if vantage else []
    run_id = store.begin_run(
        kind=kind,
        scope="partial",
        devices=devices,
        tool_version=__version__,
        rule_pack_hash=registry.pack_hash(),
        policy_hash=bundle.policy_hash,
        started_at=started,
    )
    store.record_run(
        run_id,
        snapshots={},
        findings=findings,
        covered_devices=set(devices),
        evaluated_checks=set(evaluation.evaluated_checks),
        policy=bundle.policy,
        now=started,
        complete=True,
        evidence={vantage or "": [(EVIDENCE_LABEL, blob)]},
    )
    return findings, run_id


def _cite(finding: Finding, digest: str, vantage: str | None) -> Finding:
    """Point the finding's traffic evidence at the stored flow table (retention then keeps it)."""
    evidence = [
        item.model_copy(update={"blob_sha256": digest}) if item.source == "traffic" else item
        for item in finding.evidence
    ]
    update: dict[str, Any] = {"evidence": evidence}
    if vantage is not None:
        update["device"] = vantage
    return finding.model_copy(update=update)


def _traffic_checks(registry: Registry) -> frozenset[str]:
    return frozenset(c.id for c in registry if c.scope == "traffic") - PROBE_CHECKS


def _console() -> Console:
    """Wide enough for ISO times and host pairs when the output goes to a file or a pipe."""
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(highlight=False, soft_wrap=True, width=220)
    return console


def print_summary(summary: TrafficSummary, findings: list[Finding], ja: bool) -> None:
    console = _console()
    table = Table(title="ゾーン間の通信 / flows by zone pair")
    for column in ("from", "to", "service", "packets", "bytes", "first", "last", "hosts"):
        table.add_column(column)
    for flow in summary.flows:
        hosts = ", ".join(f"{p.source}→{p.destination}" for p in flow.host_pairs[:2])
        if len(flow.host_pairs) > 2:
            hosts += f" (+{len(flow.host_pairs) - 2})"
        table.add_row(
            flow.source_zone,
            flow.destination_zone,
            flow.service,
            str(flow.packets),
            str(flow.bytes),
            flow.first_seen or "",
            flow.last_seen or "",
            hosts,
        )
    console.print(table)
    console.print(f"packets {summary.packets}  bytes {summary.bytes}  flows {len(summary.flows)}")
    for finding in findings:
        message = finding.message_ja if ja else finding.message_en
        console.print(
            f"[{finding.severity.value}] {finding.check_id} {finding.subject}: {message}",
            markup=False,
        )
    for problem in summary.read_errors:
        text = (
            f"{problem.path}: バイトオフセット {problem.offset} で読み取りエラー ({problem.reason})。"
            f"それまでの {problem.packets_before} パケットは集計済み"
            if ja
            else f"{problem.path}: read error at byte offset {problem.offset} ({problem.reason}); "
            f"the {problem.packets_before} packets before it are kept"
        )
        Console(stderr=True).print(text, markup=False)


def _emit(summary: TrafficSummary, findings: list[Finding], output: str, ja: bool) -> None:
    if output == "json":
        payload = {
            "summary": summary.to_json(),
            "findings": [f.model_dump(mode="json") for f in findings],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        for problem in summary.read_errors:
            Console(stderr=True).print(
                f"{problem.path}: read error at byte offset {problem.offset} ({problem.reason})",
                markup=False,
            )
    else:
        print_summary(summary, findings, ja)


def _report_capture(
    bundle: Bundle,
    registry: Registry,
    summary: TrafficSummary,
    *,
    db: str | None,
    output: str,
    ja: bool,
) -> None:
    """Judge a capture with the passive traffic checks (probes have their own) and print it."""
    findings, _ = evaluate_traffic(
        bundle, registry, summary, db=db, kind="traffic", checks=_traffic_checks(registry)
    )
    _emit(summary, findings, output, ja)


def _need_scapy() -> None:
    """Traffic analysis and probes use scapy (GPL-2.0), an optional extra of this package."""
    if importlib.util.find_spec("scapy") is None:
        Console(stderr=True).print(
            "この機能には scapy が必要です / this needs scapy: "
            "pip install 'kyojin-auditor[traffic]'",
            markup=False,
        )
        raise typer.Exit(2)


def register_traffic(app: typer.Typer, lang: Lang) -> None:
    """Mount ``traffic``, ``probe`` and ``lab netns`` on the main command tree."""
    ja = lang == "ja"
    traffic_app = typer.Typer(
        help="通信の分析 (pcap / ライブ) / Traffic analysis (captures and live)",
        no_args_is_help=True,
    )
    app.add_typer(traffic_app, name="traffic")

    @traffic_app.command(
        "analyze",
        help="pcap/pcapng を分析し、ゾーン間の通信と指摘を表示します。"
        if ja
        else "Analyse pcap/pcapng files: flows by zone pair and traffic findings.",
    )
    def analyze_command(
        files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
        policy: PolicyOption = DEFAULT_POLICY,
        inventory: InventoryOption = DEFAULT_INVENTORY,
        ledger: LedgerOption = None,
        db: DbOption = None,
        output: FormatOption = "table",
    ) -> None:
        _need_scapy()
        from auditor.collect.traffic import analyze_files

        registry, bundle = _load(policy, inventory, ledger)
        summary = analyze_files(files, bundle.policy)
        _report_capture(bundle, registry, summary, db=db, output=output, ja=ja)
        if summary.read_errors:
            raise typer.Exit(1)

    @traffic_app.command(
        "watch",
        help="インターフェースで通信を取り込み分析します (CAP_NET_RAW が必要、Ctrl-C で早く終了)。"
        if ja
        else "Capture on an interface and analyse (needs CAP_NET_RAW; Ctrl-C ends it early).",
    )
    def watch_command(
        iface: Annotated[str, typer.Option("--iface")],
        duration: Annotated[float, typer.Option("--duration", min=0.1)] = 60.0,
        policy: PolicyOption = DEFAULT_POLICY,
        inventory: InventoryOption = DEFAULT_INVENTORY,
        ledger: LedgerOption = None,
        db: DbOption = None,
        output: FormatOption = "table",
    ) -> None:
        from auditor.collect.capture import watch_interface

        registry, bundle = _load(policy, inventory, ledger)
        try:
            summary = watch_interface(
                iface,
                duration,
                bundle.policy,
                on_ready=lambda: Console(stderr=True).print(
                    f"capturing on {iface} for {duration:g} s", markup=False
                ),
            )
        except PermissionError as exc:
            Console(stderr=True).print(
                "生パケットの取得には CAP_NET_RAW が必要です / capturing needs CAP_NET_RAW",
                markup=False,
            )
            raise typer.Exit(3) from exc
        except OSError as exc:
            Console(stderr=True).print(f"{iface}: {exc}", markup=False)
            raise typer.Exit(3) from exc
        _report_capture(bundle, registry, summary, db=db, output=output, ja=ja)

    @app.command(
        "probe",
        help="ゾーン内のプローブ端末から他ゾーンの代表宛先へ到達性を試験します (CAP_NET_RAW)。"
        if ja
        else "From a probe host inside a zone, test which other zones' targets answer "
        "(needs CAP_NET_RAW).",
    )
    def probe_command(
        from_zone: Annotated[str, typer.Option("--from-zone")],
        targets: Annotated[
            list[str] | None,
            typer.Option("--targets", help="宛先 (カンマ区切り可) / targets, comma-separated"),
        ] = None,
        rate: Annotated[float, typer.Option("--rate", min=1.0, max=1000.0)] = 50.0,
        timeout: Annotated[float, typer.Option("--timeout", min=0.1, max=30.0)] = 2.0,
        retries: Annotated[int, typer.Option("--retries", min=0, max=5)] = 1,
        max_probes: Annotated[int, typer.Option("--max-probes", min=1, max=4096)] = 256,
        policy: PolicyOption = DEFAULT_POLICY,
        inventory: InventoryOption = DEFAULT_INVENTORY,
        ledger: LedgerOption = None,
        db: DbOption = None,
        output: FormatOption = "table",
    ) -> None:
        _need_scapy()
        from auditor.collect.probe import plan_probes, send_probes
        from auditor.model.traffic import TrafficSummary

        registry, bundle = _load(policy, inventory, ledger)
        addresses = [a.strip() for item in targets or [] for a in item.split(",") if a.strip()]
        try:
            plan = plan_probes(bundle.policy, from_zone, addresses or None, limit=max_probes)
        except ValueError as exc:
            Console(stderr=True).print(str(exc), markup=False)
            raise typer.Exit(2) from exc
        if not plan:
            Console(stderr=True).print(
                "試験する宛先がありません (probe_targets または --targets を指定してください) / "
                "nothing to probe: set probe_targets in the policy or pass --targets",
                markup=False,
            )
            raise typer.Exit(2)
        try:
            results = send_probes(plan, rate=rate, timeout=timeout, retries=retries)
        except PermissionError as exc:
            Console(stderr=True).print(
                "プローブには CAP_NET_RAW が必要です / probing needs CAP_NET_RAW", markup=False
            )
            raise typer.Exit(3) from exc
        summary = TrafficSummary(sources=[f"probe:{from_zone}"], probes=results)
        findings, _ = evaluate_traffic(
            bundle,
            registry,
            summary,
            db=db,
            kind="probe",
            checks=PROBE_CHECKS,
            vantage=f"probe@{from_zone}",
        )
        if output == "json":
            payload = {
                "probes": [vars(r) for r in results],
                "findings": [f.model_dump(mode="json") for f in findings],
            }
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        console = _console()
        table = Table(title=f"プローブ結果 / probes from {from_zone}")
        for column in ("zone", "target", "service", "expected", "answered", "reply"):
            table.add_column(column)
        for r in results:
            answered = "yes" if r.answered else "no"
            table.add_row(r.target_zone, r.target, r.service, r.expected, answered, r.reply or "")
        console.print(table)
        for finding in findings:
            message = finding.message_ja if ja else finding.message_en
            console.print(f"[{finding.severity.value}] {finding.check_id} {message}", markup=False)

    _register_netns(app, ja)


def _register_netns(app: typer.Typer, ja: bool) -> None:
    netns_app = typer.Typer(
        help="ネットワーク名前空間のセグメント試験ラボ / Segmentation lab in network namespaces",
        no_args_is_help=True,
    )

    @netns_app.command(
        "up", help="ラボを構築します (root)。" if ja else "Build the lab (root needed)."
    )
    def up_command(
        policy: PolicyOption = DEFAULT_POLICY,
        state: StateOption = Path("kyojin-netns.json"),
        prefix: Annotated[str | None, typer.Option("--prefix")] = None,
        hole: Annotated[
            str | None, typer.Option("--hole", help="FROM->TO:tcp/PORT (default: chosen)")
        ] = None,
    ) -> None:
        from auditor.lab.netns import Hole, NetnsLabError, lab_up
        from auditor.policy.loader import load_policy

        if os.geteuid() != 0:
            Console(stderr=True).print("root が必要です / needs root", markup=False)
            raise typer.Exit(3)
        try:
            planted = Hole.parse(hole) if hole else None
        except ValueError as exc:
            Console(stderr=True).print(str(exc), markup=False)
            raise typer.Exit(2) from exc
        try:
            built = lab_up(load_policy(policy).policy, state, prefix=prefix, hole=planted)
        except NetnsLabError as exc:
            Console(stderr=True).print(str(exc), markup=False)
            raise typer.Exit(3) from exc
        typer.echo(
            json.dumps(
                {"zones": built.zones, "targets": built.targets, "hole": built.hole},
                ensure_ascii=False,
                indent=2,
            )
        )

    @netns_app.command(
        "down", help="ラボを削除します。" if ja else "Remove everything the lab created."
    )
    def down_command(state: StateOption = Path("kyojin-netns.json")) -> None:
        from auditor.lab.netns import NetnsLabError, lab_down

        try:
            removed = lab_down(state)
        except NetnsLabError as exc:
            Console(stderr=True).print(str(exc), markup=False)
            raise typer.Exit(3) from exc
        typer.echo(json.dumps({"removed": removed}))

    try:
        from auditor.cli.lab import app as lab_app
    except ImportError:  # installed without the lab extra: a lab group with netns only
        lab_app = typer.Typer(help="ラボ / Lab", no_args_is_help=True)
        app.add_typer(lab_app, name="lab")
    if not any(group.name == "netns" for group in lab_app.registered_groups):
        lab_app.add_typer(netns_app, name="netns")
