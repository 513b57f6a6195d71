"""``auditor path SRC DST``: a traceroute of the configuration over the newest stored snapshots.

Reads the forwarding model the audit's reachability analysis builds (no collection): each hop's
device, VRF, interfaces, route and permitting lines; else "not reachable", or "unknown" with the
gaps that stopped the search (policy-based routing, dynamic routing without a table, a next hop
no snapshot owns). No ``from __future__ import annotations``: typer reads the option aliases
defined inside :func:`register_path` at definition time.
"""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.audit.defaults import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t

STATUS_TEXT = {
    "reachable": ("到達可能", "reachable"),
    "not-reachable": ("到達不可", "not reachable"),
    "unknown": ("不明", "unknown"),
}
VIOLATION_JA = {
    "bypasses the relay": "無害化・中継ホストを経由しない",
    "no flow between these zones": "ポリシーはこのゾーン間の通信を許可していない",
    "beyond the allowed flows": "許可された通信の範囲を超える",
    "outside the My Number tier's approved destinations": "マイナンバー利用事務系の許可宛先外",
}


def trace(
    view: Any, source: str, destination: str, service: str | None, vrf: str | None
) -> dict[str, Any]:
    """The answer for every service asked, as JSON (both output formats print this)."""
    from auditor.analysis.reachability.endpoints import resolve_endpoint
    from auditor.analysis.reachability.model import build_model, vrf_key
    from auditor.analysis.reachability.search import search
    from auditor.analysis.reachability.verdicts import judge_path, service_classes
    from auditor.analysis.services import ServiceRange

    origin = resolve_endpoint(view, source)
    target = resolve_endpoint(view, destination)
    services = [ServiceRange.parse(service)] if service else service_classes(view)
    judge = None
    if len(origin.endpoint.zones) == 1 and len(target.endpoint.zones) == 1:
        (from_zone,) = origin.endpoint.zones
        (to_zone,) = target.endpoint.zones
        if from_zone != to_zone:
            judge = judge_path(view, from_zone, to_zone)
    model = build_model(view)
    wanted_vrf = vrf_key(vrf) if vrf is not None else None
    results = []
    for item in services:
        result = search(model, origin.endpoint, target.endpoint, item, judge, wanted_vrf)
        results.append(result.to_json())
    return {
        "source": _endpoint_json(origin),
        "destination": _endpoint_json(target),
        "vrf": vrf,
        "results": results,
    }


def _endpoint_json(resolved: Any) -> dict[str, Any]:
    endpoint = resolved.endpoint
    return {
        "name": endpoint.label,
        "kind": resolved.kind,
        "zones": sorted(endpoint.zones),
        "networks": [str(n) for n in endpoint.networks],
        "outside": endpoint.outside,
    }


def render(answer: dict[str, Any], lang: Lang) -> list[str]:
    """The table format: one block per service, hop by hop; identical paths are printed once."""
    ja = lang == "ja"
    src, dst = answer["source"], answer["destination"]
    lines = [
        f"経路: {src['name']} ({', '.join(src['zones'])}) → {dst['name']} ({', '.join(dst['zones'])})"
        if ja
        else f"path: {src['name']} ({', '.join(src['zones'])}) → "
        f"{dst['name']} ({', '.join(dst['zones'])})"
    ]
    printed: dict[str, str] = {}
    for result in answer["results"]:
        status = STATUS_TEXT[result["status"]][0 if ja else 1]
        head = f"[{result['service']}] {status}"
        if result["status"] == "reachable" and result["violation"]:
            reason = result["violation"]
            head += (
                f" — ポリシー違反: {VIOLATION_JA.get(reason, reason)}"
                if ja
                else f" — beyond the policy: {reason}"
            )
        elif result["status"] == "reachable":
            head += " — ポリシーの範囲内" if ja else " — within the policy"
        lines.append(head)
        if result["path"]:
            key = json.dumps([result["path"], result["exit"]], sort_keys=True)
            if key in printed:
                lines.append(
                    f"  経路は [{printed[key]}] と同じ"
                    if ja
                    else f"  same path as [{printed[key]}]"
                )
            else:
                printed[key] = result["service"]
                lines.extend(_hops(result, ja))
        if result["status"] == "unknown":
            lines.append(
                "  理由 (モデルが辿れない箇所):" if ja else "  why (what the model cannot follow):"
            )
            lines.extend(f"    - {gap}" for gap in result["gaps"])
        elif result["gaps"] and result["status"] == "not-reachable":
            lines.extend(f"    - {gap}" for gap in result["gaps"])
    return lines


def _hops(result: dict[str, Any], ja: bool) -> list[str]:
    lines = []
    for number, hop in enumerate(result["path"], start=1):
        vrf = f" vrf {hop['vrf']}" if hop["vrf"] else ""
        lines.append(
            f"  {number}. {hop['device']}{vrf}  {hop['ingress'] or '-'} → {hop['egress'] or '-'}"
        )
        if hop["route"]:
            lines.append(f"       {'経路' if ja else 'route'}: {hop['route']}")
        if hop["nat"]:
            lines.append(f"       NAT: {hop['nat']}")
        for permit in hop["permits"]:
            lines.append(f"       {'許可' if ja else 'permit'}: {permit}")
    lines.append(f"  {'終点' if ja else 'end'}: {result['exit']}")
    carried = ", ".join(result["sources"]) + " → " + ", ".join(result["destinations"])
    lines.append(f"  {'運ぶアドレス' if ja else 'addresses carried'}: {carried}")
    return lines


def register_path(app: typer.Typer, lang: Lang) -> None:
    """Add ``path`` to ``app``."""

    @app.command("path", help=t("path", lang))
    def path_command(
        source: Annotated[str, typer.Argument(help=t("path.source", lang))],
        destination: Annotated[str, typer.Argument(help=t("path.destination", lang))],
        service: Annotated[
            str | None, typer.Option("--service", help=t("path.service", lang))
        ] = None,
        vrf: Annotated[str | None, typer.Option("--vrf", help=t("path.vrf", lang))] = None,
        policy: Annotated[Path, options.policy(lang)] = DEFAULT_POLICY,
        inventory: Annotated[Path, options.inventory(lang)] = DEFAULT_INVENTORY,
        ledger: Annotated[Path | None, options.ledger(lang)] = None,
        db: Annotated[str | None, options.db(lang)] = None,
        output: Annotated[str, options.output_format(lang, "path.format")] = "table",
        lang_: Annotated[str, options.lang_option(lang)] = lang,
    ) -> None:
        from auditor.analysis.network import NetworkView
        from auditor.analysis.reachability.endpoints import UnknownEndpointError
        from auditor.audit.engine import build_context
        from auditor.policy.models import parse_service
        from auditor.rules import discover

        if output not in {"table", "json"}:
            options.choose([output], ["table", "json"], "--format", lang)
        if service is not None:
            try:
                parse_service(service)
            except ValueError:
                options.fail(
                    f"サービスを読めません: {service} (例: tcp/443)"
                    if lang == "ja"
                    else f"cannot read the service {service!r} (e.g. tcp/443)"
                )
        registry = discover()
        bundle = options.load_inputs(policy, inventory, ledger, registry, lang)
        store = options.open_store_for_reading(db, lang)
        snapshots = store.latest_snapshots(d.name for d in bundle.inventory.devices)
        if not snapshots:
            options.fail(
                "保存されたスナップショットがありません。先に auditor run を実行してください"
                if lang == "ja"
                else "no stored snapshots: run `auditor run` first"
            )
        context = build_context(
            policy=bundle.policy,
            inventory=bundle.inventory,
            ledger=bundle.ledger,
            snapshots=dict(snapshots),
            errors=[],
            registry=registry,
        )
        try:
            answer = trace(NetworkView.of(context), source, destination, service, vrf)
        except UnknownEndpointError as exc:
            options.fail(
                f"ゾーン・ホスト・機器・アドレスのいずれでもありません: {exc}"
                if lang == "ja"
                else f"not a zone, host, device, address or subnet: {exc}"
            )
        answer["snapshots"] = len(snapshots)
        missing = sorted({d.name for d in bundle.inventory.devices} - set(snapshots))
        answer["devices_without_snapshot"] = missing
        if output == "json":
            typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))
            return
        console = options.stdout()
        for line in render(answer, lang):
            console.print(line, markup=False, highlight=False)
        if missing:
            console.print(
                f"スナップショットのない機器 ({len(missing)}): {', '.join(missing)}"
                if lang == "ja"
                else f"devices without a snapshot ({len(missing)}): {', '.join(missing)}",
                markup=False,
            )
