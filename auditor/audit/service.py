"""The one audit service: collect → history → evaluate → matrix → record, for every entry point.

``auditor run``/``check``, ``auditor traffic analyze``/``watch``/``probe``, the daemon's jobs and
``auditor demo`` all describe what they want as a :class:`RunRequest` and call :func:`run`; none of
them builds a context or records a run itself. The store applies manual suppressions inside
``record_run`` and keeps the zone matrix this service computed, so the report reads what the run
saw instead of rebuilding it. Every result of the run (pass, fail, not applicable, not evaluated
per check and target, see :mod:`auditor.audit.results`) is recorded with it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from auditor import __version__
from auditor.audit.engine import RunOutcome, build_context, collect, evaluate, load_history
from auditor.audit.inputs import Bundle
from auditor.audit.results import run_results, selected_checks
from auditor.collect.base import CollectionResult, Collector, ProgressCallback
from auditor.inventory.models import AssetLedger, Device, Inventory
from auditor.model.collection import INFORMATIONAL_KINDS, CollectionFailure
from auditor.model.findings import Finding, Outcome, Severity, read_from_file
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import Policy
from auditor.rules import AuditContext, History, Registry
from auditor.store.protocol import AuditStore
from auditor.store.records import MatrixRecord

if TYPE_CHECKING:
    from auditor.analysis.matrix import ZoneMatrix
    from auditor.model.traffic import TrafficSummary

log = logging.getLogger(__name__)

MATRIX_ERROR_LIMIT = 500
OFFLINE_KIND = "offline"
"""Runs over saved configuration files: checks that need live state are not applicable."""
LIVE_NEED = "live"


def _never() -> bool:
    return False


@dataclass(frozen=True)
class RunRequest:
    """What one run should do; every field but ``scope`` has the default of a nightly audit.

    ``devices`` are collected with ``collectors`` (or ``snapshots`` were collected beforehand:
    tests, replays, the offline audit, whose ``failures`` and ``evidence`` come along).
    ``kind="offline"`` marks every check that ``needs`` live state not applicable (a coverage
    gap of the run, never a pass). ``view="stored"`` makes the checks see the newest stored
    snapshot of every inventory device, overlaid by whatever this run collected: traffic and
    probe runs collect nothing and judge against the last known network. ``run_devices`` and
    ``covered_devices`` name the run's subjects when they are not inventory devices (a probe's
    vantage point). ``amend`` rewrites each finding before it is recorded (traffic findings cite
    the stored flow table). ``with_matrix`` defaults to: full runs that evaluate network checks,
    and traffic runs.
    """

    scope: Literal["full", "partial"]
    kind: str = "audit"
    devices: Sequence[Device] = ()
    collectors: Sequence[Collector] = ()
    resolve_secret: Callable[[Any], str] | None = None
    snapshots: Mapping[str, DeviceSnapshot] | None = None
    failures: Sequence[CollectionFailure] = ()
    view: Literal["run", "stored"] = "run"
    traffic: TrafficSummary | None = None
    evidence: Mapping[str, Sequence[tuple[str, bytes]]] = field(default_factory=dict)
    scopes: Iterable[str] | None = None
    only_checks: Iterable[str] | None = None
    run_devices: Sequence[str] | None = None
    covered_devices: Iterable[str] = ()
    amend: Callable[[Finding], Finding] | None = None
    with_matrix: bool | None = None
    now: datetime | None = None
    interrupted: Callable[[], bool] = _never
    progress: ProgressCallback | None = None
    history_extra: Mapping[str, Any] = field(default_factory=dict)
    """Plain data for ``History.extra`` (the daemon passes notification channel states)."""


def wants_matrix(request: RunRequest, registry: Registry) -> bool:
    """A matrix is the whole network's: partial runs and runs without network checks skip it."""
    if request.with_matrix is not None:
        return request.with_matrix
    if request.kind == "traffic":
        return True
    if request.scope != "full":
        return False
    scopes = set(request.scopes) if request.scopes is not None else None
    return scopes is None or "network" in scopes


def _gather(request: RunRequest) -> CollectionResult:
    if request.collectors:
        if request.resolve_secret is None:
            raise ValueError("a run with collectors needs resolve_secret")
        result = collect(
            request.collectors, request.devices, request.resolve_secret, request.progress
        )
    else:
        result = CollectionResult()
    for name, snapshot in (request.snapshots or {}).items():
        result.snapshots.setdefault(name, snapshot)
    result.errors.extend(request.failures)
    return result


def live_checks(registry: Registry) -> list[str]:
    """Checks that read live state (``needs = {"live"}``): not applicable to offline runs."""
    return sorted(c.id for c in registry if LIVE_NEED in getattr(c, "needs", frozenset()))


def offline_gap_findings(skipped: Sequence[str]) -> list[Finding]:
    """One NOT_APPLICABLE finding per live-state check an offline run did not evaluate."""
    return [
        Finding(
            check_id=check_id,
            outcome=Outcome.NOT_APPLICABLE,
            severity=Severity.INFO,
            device=None,
            subject="offline",
            message_en="offline: no live state (saved configurations hold no FDB, ARP, "
            "LLDP, counters or SNMP answers); not evaluated",
            message_ja="オフライン: 稼働状態の情報がありません(保存された設定には FDB・ARP・"
            "LLDP・カウンタ・SNMP 応答が含まれません)。判定していません",
        )
        for check_id in skipped
    ]


def compute_matrix(
    context: AuditContext, traffic: TrafficSummary | None
) -> tuple[dict[str, Any] | None, str | None]:
    """The run's zone matrix as JSON, or ``(None, reason)``: a failure is stored, never hidden."""
    try:
        from auditor.analysis.matrix import add_reachability, zone_matrix
        from auditor.analysis.network import NetworkView
        from auditor.analysis.traffic import add_observed

        view = NetworkView.of(context)
        matrix = zone_matrix(view, context.policy)
        add_reachability(matrix, view)  # reachable by path: the verdicts SEG-013 already made
        add_observed(matrix, traffic)
        return matrix.to_json(), None
    except Exception as exc:  # recorded on the run and shown in the report as a coverage gap
        log.exception("zone matrix of the run could not be computed")
        return None, f"{type(exc).__name__}: {exc}"[:MATRIX_ERROR_LIMIT]


def _observed(store: AuditStore, request: RunRequest) -> TrafficSummary | None:
    """The run's own capture, else the flow table of the newest recorded traffic run."""
    if request.traffic is not None:
        return request.traffic
    from auditor.store.traffic_reading import latest_stored_summary

    return latest_stored_summary(store)


def run(
    inputs: Bundle, registry: Registry, store: AuditStore | None, request: RunRequest
) -> RunOutcome:
    """Run one audit as ``request`` says; with a store, record it (and its matrix)."""
    started = request.now or datetime.now(UTC)
    run_devices = (
        list(request.run_devices)
        if request.run_devices is not None
        else [d.name for d in request.devices]
    )
    run_id: int | None = None
    if store is not None:
        run_id = store.begin_run(
            kind=request.kind,
            scope=request.scope,
            devices=run_devices,
            tool_version=__version__,
            rule_pack_hash=registry.pack_hash(),
            policy_hash=inputs.policy_hash,
            started_at=started,
        )
    try:
        return _run_opened(inputs, registry, store, request, run_id, run_devices, started)
    except BaseException as exc:
        # SIGINT/SIGTERM (raised by the CLI's handler), a crash: the opened run must not stay
        # ``running``. It is closed as incomplete, so it resolves nothing; then the error goes on.
        if store is not None and run_id is not None:
            _close_interrupted(store, run_id, exc)
        raise


def _close_interrupted(store: AuditStore, run_id: int, exc: BaseException) -> None:
    from auditor.store.errors import RunAlreadyRecorded

    note = f"interrupted: {type(exc).__name__}: {exc}"[:MATRIX_ERROR_LIMIT]
    try:
        store.mark_run_incomplete(run_id, note)
    except RunAlreadyRecorded:
        return  # recorded before the error: nothing to close
    except Exception:
        log.exception("run %s could not be closed as incomplete", run_id)


def _run_opened(
    inputs: Bundle,
    registry: Registry,
    store: AuditStore | None,
    request: RunRequest,
    run_id: int | None,
    run_devices: list[str],
    started: datetime,
) -> RunOutcome:
    policy = inputs.policy
    result = _gather(request)
    failed = {e.device for e in result.errors if e.kind not in INFORMATIONAL_KINDS}
    covered = {name for name in result.snapshots if name not in failed}
    covered.update(request.covered_devices)

    history = History()
    seen = dict(result.snapshots)
    if store is not None:
        if request.view == "stored":
            names = [d.name for d in inputs.inventory.devices]
            seen = {**store.latest_snapshots(names), **result.snapshots}
        elif request.devices:
            history = load_history(store, request.devices, started, registry, policy)
        elif request.kind == OFFLINE_KIND:
            history = load_history(store, sorted(seen), started, registry, policy)
    history.extra.update(request.history_extra)
    context = build_context(
        policy=policy,
        inventory=inputs.inventory,
        ledger=inputs.ledger,
        snapshots=seen,
        errors=result.errors,
        registry=registry,
        now=started,
        history=history,
    )
    context.traffic = request.traffic
    only_checks = request.only_checks
    skipped: list[str] = []
    if request.kind == OFFLINE_KIND:
        skipped = [check_id for check_id in live_checks(registry) if policy.rule(check_id).enabled]
        wanted = set(only_checks) if only_checks is not None else registry.ids()
        only_checks = sorted(set(wanted) - set(skipped))
        skipped = [check_id for check_id in skipped if check_id in wanted]
    evaluation = evaluate(registry, context, scopes=request.scopes, only_checks=only_checks)
    evaluated = set(evaluation.evaluated_checks)
    findings = evaluation.findings + offline_gap_findings(skipped)
    if request.scope == "partial":
        # A partial run sees only some devices: network-wide conclusions are not final, so
        # network checks neither resolve anything nor report about what the run did not see.
        network_checks = {c.id for c in registry if c.scope == "network"}
        evaluated -= network_checks
        findings = [f for f in findings if f.check_id not in network_checks or f.device in covered]
    from_file = {d.name for d in request.devices if d.source is not None}
    if from_file:  # inventory ``source: {file: …}``: evidence was read from a file, not SSH
        findings = [read_from_file(f) if f.device in from_file else f for f in findings]
    if request.amend is not None:
        findings = [request.amend(f) for f in findings]

    complete = not request.interrupted()
    status = "complete" if complete and not failed else ("partial" if complete else "incomplete")
    if store is not None and run_id is not None:
        matrix: dict[str, Any] | None = None
        matrix_error: str | None = None
        if wants_matrix(request, registry):
            matrix, matrix_error = compute_matrix(context, _observed(store, request))
            missing = sorted(set(run_devices) - covered)
            if matrix is not None and missing:
                # Their permits are unknown, not absent: the report names them as a gap.
                matrix["missing_devices"] = missing
        evidence: dict[str, list[tuple[str, bytes]]] = {
            name: list(items) for name, items in result.evidence.items()
        }
        for name, items in request.evidence.items():
            evidence.setdefault(name, []).extend(items)
        if skipped:
            gap = {
                "kind": OFFLINE_KIND,
                "not_applicable": skipped,
                "reason": "offline: no live state",
            }
            evidence.setdefault("", []).append(
                ("offline-coverage.json", json.dumps(gap, indent=2).encode("utf-8"))
            )
        results = run_results(
            registry,
            policy,
            selected=selected_checks(registry, request.scopes, request.only_checks),
            evaluated=evaluated,
            crashed=evaluation.crashed_checks,
            offline_skipped=skipped,
            partial=request.scope == "partial",
            has_traffic=context.traffic is not None,
            devices=run_devices,
            covered=covered,
            failures=result.errors,
            findings=findings,
        )
        store.record_run(
            run_id,
            snapshots=result.snapshots,
            findings=findings,
            covered_devices=covered,
            evaluated_checks=evaluated,
            policy=policy,
            now=started,
            complete=complete,
            evidence=evidence,
            matrix=matrix,
            matrix_error=matrix_error,
            results=results,
        )
    return RunOutcome(
        run_id=run_id,
        findings=findings,
        snapshots=result.snapshots,
        errors=result.errors,
        covered_devices=covered,
        evaluated_checks=evaluated,
        complete=complete,
        status=status,
    )


def current_matrix(
    inputs: Bundle, registry: Registry, store: AuditStore
) -> tuple[ZoneMatrix, MatrixRecord | None]:
    """The matrix stored by the newest run that has one, with its record.

    A store whose runs all predate stored matrices (or a run that could not compute one) gets a
    matrix computed now from the newest stored snapshots; the record then says so (``None``, or
    the failed run's record) and the caller must tell the reader.
    """
    from auditor.analysis.matrix import add_reachability, zone_matrix, zone_matrix_from_json

    stored = store.latest_matrix()
    if stored is not None and stored.data is not None:
        return zone_matrix_from_json(stored.data), stored
    from auditor.analysis.network import NetworkView
    from auditor.analysis.traffic import add_observed
    from auditor.store.traffic_reading import latest_stored_summary

    context = build_context(
        policy=inputs.policy,
        inventory=inputs.inventory,
        ledger=inputs.ledger,
        snapshots=store.latest_snapshots(d.name for d in inputs.inventory.devices),
        errors=[],
        registry=registry,
    )
    view = NetworkView.of(context)
    matrix = zone_matrix(view, inputs.policy)
    add_reachability(matrix, view)
    add_observed(matrix, latest_stored_summary(store))
    return matrix, stored


def run_audit(
    *,
    policy: Policy,
    inventory: Inventory,
    ledger: AssetLedger,
    registry: Registry,
    collectors: Sequence[Collector],
    devices: Sequence[Device],
    resolve_secret: Callable[[Any], str],
    store: AuditStore | None,
    scope: Literal["full", "partial"],
    kind: str = "audit",
    policy_hash: str = "",
    progress: ProgressCallback | None = None,
    now: datetime | None = None,
    interrupted: Callable[[], bool] = lambda: False,
    scopes: Iterable[str] | None = None,
) -> RunOutcome:
    """Collect, evaluate and (when a store is given) record one run, through the audit service.

    A keyword front to :func:`run` for callers that hold the inputs apart; it only builds the
    request.
    """
    bundle = Bundle(policy=policy, inventory=inventory, ledger=ledger, policy_hash=policy_hash)
    request = RunRequest(
        scope=scope,
        kind=kind,
        devices=devices,
        collectors=collectors,
        resolve_secret=resolve_secret,
        scopes=scopes,
        now=now,
        interrupted=interrupted,
        progress=progress,
    )
    return run(bundle, registry, store, request)
