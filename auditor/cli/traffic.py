"""``auditor traffic analyze|watch``, ``auditor probe`` and ``auditor lab netns up|down``.

Exit codes: 0 ok; 1 a capture could not be read to its end (the flows before the error are still
printed and recorded); 2 invalid input; 3 the lab or the probe could not run (permissions, tools).

No ``from __future__ import annotations``: typer reads the option aliases defined inside the
``register_*`` functions at definition time.
"""

import hashlib
import importlib.util
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from auditor.audit.defaults import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t

if TYPE_CHECKING:
    from auditor.audit.inputs import Bundle
    from auditor.model.findings import Finding
    from auditor.model.traffic import TrafficSummary
    from auditor.rules import Registry

PROBE_CHECKS = frozenset({"TRF-007", "TRF-008"})


def _load(policy: Path, inventory: Path, ledger: Path | None) -> "tuple[Registry, Bundle]":
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
    bundle: "Bundle",
    registry: "Registry",
    summary: "TrafficSummary",
    *,
    db: str | None,
    kind: str,
    checks: frozenset[str],
    vantage: str | None = None,
    now: datetime | None = None,
) -> "tuple[list[Finding], int | None]":
    """Evaluate the traffic checks over a summary through the audit service; with ``db``, record
    a run with the evidence (manual suppressions stay in force: the store applies them).

    ``vantage`` names the probe host (``probe@ZONE``): probe findings are bound to it, so a probe
    from one zone resolves only that zone's earlier probe findings.
    """
    from auditor.audit.service import RunRequest, run
    from auditor.model.traffic import EVIDENCE_LABEL

    blob = summary.to_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    store = None
    if db is not None:
        store = options.open_store(db)
    devices = [vantage] if vantage else []
    request = RunRequest(
        scope="partial",
        kind=kind,
        view="stored",
        traffic=summary,
        only_checks=checks,
        run_devices=devices,
        covered_devices=devices,
        amend=lambda finding: _cite(finding, digest, vantage),
        evidence={vantage or "": [(EVIDENCE_LABEL, blob)]},
        now=now,
    )
    outcome = run(bundle, registry, store, request)
    return outcome.findings, outcome.run_id


def _cite(finding: "Finding", digest: str, vantage: str | None) -> "Finding":
    """Point the finding's traffic evidence at the stored flow table (retention then keeps it)."""
    evidence = [
        item.model_copy(update={"blob_sha256": digest}) if item.source == "traffic" else item
        for item in finding.evidence
    ]
    update: dict[str, Any] = {"evidence": evidence}
    if vantage is not None:
        update["device"] = vantage
    return finding.model_copy(update=update)


def _traffic_checks(registry: "Registry") -> frozenset[str]:
    return frozenset(c.id for c in registry if c.scope == "traffic") - PROBE_CHECKS


def _console() -> Console:
    """Wide enough for ISO times and host pairs when the output goes to a file or a pipe."""
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(highlight=False, soft_wrap=True, width=220)
    return console


def print_summary(summary: "TrafficSummary", findings: "list[Finding]", ja: bool) -> None:
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


def _emit(summary: "TrafficSummary", findings: "list[Finding]", output: str, ja: bool) -> None:
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
    bundle: "Bundle",
    registry: "Registry",
    summary: "TrafficSummary",
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
    lang_option = Annotated[str, options.lang_option(lang)]
    policy_option = Annotated[Path, options.policy(lang)]
    inventory_option = Annotated[Path, options.inventory(lang)]
    ledger_option = Annotated[Path | None, options.ledger(lang)]
    db_option = Annotated[str | None, options.db(lang, "opt.traffic_db")]
    format_option = Annotated[str, options.output_format(lang, "opt.format_text")]
    traffic_app = options.group(lang, "traffic")
    app.add_typer(traffic_app, name="traffic")

    @traffic_app.command("analyze", help=t("traffic.analyze", lang))
    def analyze_command(
        files: Annotated[
            list[Path],
            typer.Argument(exists=True, dir_okay=False, help=t("arg.captures", lang)),
        ],
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        db: db_option = None,
        output: format_option = "table",
        lang_: lang_option = lang,
    ) -> None:
        _need_scapy()
        from auditor.collect.traffic import analyze_files

        registry, bundle = _load(policy, inventory, ledger)
        summary = analyze_files(files, bundle.policy)
        _report_capture(bundle, registry, summary, db=db, output=output, ja=ja)
        if summary.read_errors:
            raise typer.Exit(1)

    @traffic_app.command("watch", help=t("traffic.watch", lang))
    def watch_command(
        iface: Annotated[str, typer.Option("--iface", help=t("opt.iface", lang))],
        duration: Annotated[
            float, typer.Option("--duration", min=0.1, help=t("opt.duration", lang))
        ] = 60.0,
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        db: db_option = None,
        output: format_option = "table",
        lang_: lang_option = lang,
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

    @app.command("probe", help=t("probe", lang))
    def probe_command(
        from_zone: Annotated[str, typer.Option("--from-zone", help=t("opt.from_zone", lang))],
        targets: Annotated[
            list[str] | None,
            typer.Option("--targets", help=t("opt.targets", lang)),
        ] = None,
        rate: Annotated[
            float, typer.Option("--rate", min=1.0, max=1000.0, help=t("opt.rate", lang))
        ] = 50.0,
        timeout: Annotated[
            float, typer.Option("--timeout", min=0.1, max=30.0, help=t("opt.timeout", lang))
        ] = 2.0,
        retries: Annotated[
            int, typer.Option("--retries", min=0, max=5, help=t("opt.retries", lang))
        ] = 1,
        max_probes: Annotated[
            int, typer.Option("--max-probes", min=1, max=4096, help=t("opt.max_probes", lang))
        ] = 256,
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        db: db_option = None,
        output: format_option = "table",
        lang_: lang_option = lang,
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


def register_netns(lab_app: typer.Typer, lang: Lang) -> None:
    """Mount ``netns up|down`` on the ``lab`` group (which exists even without the lab extra)."""
    lang_option = Annotated[str, options.lang_option(lang)]
    policy_option = Annotated[Path, options.policy(lang)]
    state_option = Annotated[Path, typer.Option("--state", help=t("opt.netns_state", lang))]
    netns_app = options.group(lang, "netns")

    @netns_app.command("up", help=t("netns.up", lang))
    def up_command(
        policy: policy_option = DEFAULT_POLICY,
        state: state_option = Path("kyojin-netns.json"),
        prefix: Annotated[str | None, typer.Option("--prefix", help=t("opt.prefix", lang))] = None,
        hole: Annotated[str | None, typer.Option("--hole", help=t("opt.hole", lang))] = None,
        lang_: lang_option = lang,
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

    @netns_app.command("down", help=t("netns.down", lang))
    def down_command(
        state: state_option = Path("kyojin-netns.json"), lang_: lang_option = lang
    ) -> None:
        from auditor.lab.netns import NetnsLabError, lab_down

        try:
            removed = lab_down(state)
        except NetnsLabError as exc:
            Console(stderr=True).print(str(exc), markup=False)
            raise typer.Exit(3) from exc
        typer.echo(json.dumps({"removed": removed}))

    lab_app.add_typer(netns_app, name="netns")
