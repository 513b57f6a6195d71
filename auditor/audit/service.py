"""The one audit service: collect → history → evaluate → matrix → record, for every entry point.

``auditor run``/``check``, ``auditor traffic analyze``/``watch``/``probe``, the daemon's jobs and
``auditor demo`` all describe what they want as a :class:`RunRequest` and call :func:`run`; none of
them builds a context or records a run itself. The store applies manual suppressions inside
``record_run`` and keeps the zone matrix this service computed, so the report reads what the run
saw instead of rebuilding it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from auditor import __version__
from auditor.audit.engine import RunOutcome, build_context, collect, evaluate, load_history
from auditor.audit.inputs import Bundle
from auditor.collect.base import CollectionResult, Collector, ProgressCallback
from auditor.inventory.models import Device
from auditor.model.findings import Finding
from auditor.model.snapshot import DeviceSnapshot
from auditor.rules import AuditContext, History, Registry
from auditor.store.protocol import AuditStore
from auditor.store.records import MatrixRecord

if TYPE_CHECKING:
    from auditor.analysis.matrix import ZoneMatrix
    from auditor.collect.traffic import TrafficSummary

log = logging.getLogger(__name__)

MATRIX_ERROR_LIMIT = 500


def _never() -> bool:
    return False


@dataclass(frozen=True)
class RunRequest:
    """What one run should do; every field but ``scope`` has the default of a nightly audit.

    ``devices`` are collected with ``collectors`` (or ``snapshots`` were collected beforehand:
    tests, replays, the offline audit). ``view="stored"`` makes the checks see the newest stored
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
    return result


def compute_matrix(
    context: AuditContext, traffic: TrafficSummary | None
) -> tuple[dict[str, Any] | None, str | None]:
    """The run's zone matrix as JSON, or ``(None, reason)``: a failure is stored, never hidden."""
    try:
        from auditor.analysis.matrix import zone_matrix
        from auditor.analysis.network import NetworkView
        from auditor.collect.traffic import add_observed

        matrix = zone_matrix(NetworkView.of(context), context.policy)
        add_observed(matrix, traffic)
        return matrix.to_json(), None
    except Exception as exc:  # recorded on the run and shown in the report as a coverage gap
        log.exception("zone matrix of the run could not be computed")
        return None, f"{type(exc).__name__}: {exc}"[:MATRIX_ERROR_LIMIT]


def _observed(store: AuditStore, request: RunRequest) -> TrafficSummary | None:
    """The run's own capture, else the flow table of the newest recorded traffic run."""
    if request.traffic is not None:
        return request.traffic
    from auditor.collect.traffic import latest_stored_summary

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
    failed = {error.device for error in result.errors}
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
    evaluation = evaluate(registry, context, scopes=request.scopes, only_checks=request.only_checks)
    evaluated = set(evaluation.evaluated_checks)
    findings = evaluation.findings
    if request.scope == "partial":
        # A partial run sees only some devices: network-wide conclusions are not final, so
        # network checks neither resolve anything nor report about what the run did not see.
        network_checks = {c.id for c in registry if c.scope == "network"}
        evaluated -= network_checks
        findings = [f for f in findings if f.check_id not in network_checks or f.device in covered]
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


def zone_matrix_from_json(data: Mapping[str, Any]) -> ZoneMatrix:
    """Rebuild the matrix a run stored (``ZoneMatrix.to_json``) without recomputing anything."""
    from auditor.analysis.matrix import AllowedFlow, ObservedFlow, PermitEntry, ZoneCell, ZoneMatrix

    zones = [str(zone) for zone in data["zones"]]
    cells = {(a, b): ZoneCell(a, b) for a in zones for b in zones if a != b}
    for item in data["cells"]:
        cell = cells.setdefault(
            (item["from"], item["to"]), ZoneCell(str(item["from"]), str(item["to"]))
        )
        cell.allowed = [AllowedFlow(**flow) for flow in item.get("allowed_by_policy", [])]
        cell.permitted = [PermitEntry(**entry) for entry in item.get("permitted_by_config", [])]
        cell.observed = [ObservedFlow(**flow) for flow in item.get("observed_in_traffic", [])]
    return ZoneMatrix(zones=zones, cells=cells)


def current_matrix(
    inputs: Bundle, registry: Registry, store: AuditStore
) -> tuple[ZoneMatrix, MatrixRecord | None]:
    """The matrix stored by the newest run that has one, with its record.

    A store whose runs all predate stored matrices (or a run that could not compute one) gets a
    matrix computed now from the newest stored snapshots; the record then says so (``None``, or
    the failed run's record) and the caller must tell the reader.
    """
    stored = store.latest_matrix()
    if stored is not None and stored.data is not None:
        return zone_matrix_from_json(stored.data), stored
    from auditor.analysis.matrix import zone_matrix
    from auditor.analysis.network import NetworkView
    from auditor.collect.traffic import add_observed, latest_stored_summary

    context = build_context(
        policy=inputs.policy,
        inventory=inputs.inventory,
        ledger=inputs.ledger,
        snapshots=store.latest_snapshots(d.name for d in inputs.inventory.devices),
        errors=[],
        registry=registry,
    )
    matrix = zone_matrix(NetworkView.of(context), inputs.policy)
    add_observed(matrix, latest_stored_summary(store))
    return matrix, stored
