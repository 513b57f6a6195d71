"""The steps of an audit run: collect, load history, evaluate (the order is in ``service``).

Collectors do I/O and return snapshots and errors; checks are pure; the store owns the lifecycle
(manual suppressions included). A crashing check becomes an ERROR finding (a silent empty result
would be a false pass).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from auditor.collect.base import CollectionResult, Collector, ProgressCallback
from auditor.inventory.models import AssetLedger, Device, Inventory
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.findings import EvidenceRef, Finding, Outcome, Severity
from auditor.model.snapshot import CompactModel, DeviceSnapshot, Interface
from auditor.policy.models import Policy
from auditor.rules import AuditContext, Check, History, Registry
from auditor.store.protocol import AuditStore

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel | CompactModel)

ENGINE_CHECK_ID = "ENG-001"


@dataclass
class Evaluation:
    """Findings of one evaluation and the checks that ran to completion."""

    findings: list[Finding]
    evaluated_checks: set[str]
    crashed_checks: set[str] = field(default_factory=set)


def _crash_finding(check: type[Check], exc: BaseException) -> Finding:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    location = f" at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else ""
    return Finding(
        check_id=check.id,
        outcome=Outcome.ERROR,
        severity=Severity.HIGH,
        device=None,
        subject="check-crashed",
        message_en=(
            f"Check {check.id} crashed ({type(exc).__name__}{location}); its result is unknown, "
            "not compliant."
        ),
        message_ja=(
            f"チェック {check.id} が異常終了しました ({type(exc).__name__}{location})。"
            "結果は不明であり、適合とはみなしません。"
        ),
        evidence=[EvidenceRef(source="engine", detail=f"{type(exc).__name__}: {exc}"[:500])],
        references=list(check.references),
    )


def evaluate(
    registry: Registry,
    context: AuditContext,
    *,
    scopes: Iterable[str] | None = None,
    only_checks: Iterable[str] | None = None,
) -> Evaluation:
    """Run every enabled check over the context; exceptions become ERROR findings."""
    wanted_scopes = set(scopes) if scopes is not None else None
    wanted_checks = {c.upper() for c in only_checks} if only_checks is not None else None
    findings: list[Finding] = []
    evaluated: set[str] = set()
    crashed: set[str] = set()
    for check_class in registry:
        if wanted_scopes is not None and check_class.scope not in wanted_scopes:
            continue
        if wanted_checks is not None and check_class.id not in wanted_checks:
            continue
        if not context.policy.rule(check_class.id).enabled:
            continue
        if check_class.scope == "traffic" and getattr(context, "traffic", None) is None:
            continue  # no capture in this run: not evaluated, so nothing is resolved
        try:
            produced = list(check_class().evaluate(context))
        except Exception as exc:  # a check bug must never look like a pass
            log.exception("check %s crashed", check_class.id)
            findings.append(_crash_finding(check_class, exc))
            crashed.add(check_class.id)
            continue
        findings.extend(produced)
        evaluated.add(check_class.id)
    return Evaluation(findings=findings, evaluated_checks=evaluated, crashed_checks=crashed)


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or value == "" or value == {}


def merge_models(primary: M, secondary: M) -> M:
    """Field-wise merge: keep ``primary``'s known values, fill unknowns from ``secondary``."""
    updates: dict[str, Any] = {}
    for name in type(primary).model_fields:
        mine = getattr(primary, name)
        theirs = getattr(secondary, name)
        if _is_empty(mine) and not _is_empty(theirs):
            updates[name] = theirs
        elif isinstance(mine, BaseModel | CompactModel) and isinstance(
            theirs, BaseModel | CompactModel
        ):
            updates[name] = merge_models(mine, theirs)
    return cast(M, primary.model_copy(update=updates)) if updates else primary


def merge_snapshots(first: DeviceSnapshot, second: DeviceSnapshot) -> DeviceSnapshot:
    """Combine what SNMP and SSH saw of one device (interfaces joined by name)."""
    merged = merge_models(first, second)
    by_name: dict[str, Interface] = {i.name: i for i in first.interfaces}
    order = [i.name for i in first.interfaces]
    for interface in second.interfaces:
        if interface.name in by_name:
            by_name[interface.name] = merge_models(by_name[interface.name], interface)
        else:
            by_name[interface.name] = interface
            order.append(interface.name)
    sources = list(dict.fromkeys([*first.sources, *second.sources]))
    absent = sorted(set(first.absent_tables) | set(second.absent_tables))
    return merged.model_copy(
        update={
            "interfaces": [by_name[name] for name in order],
            "sources": sources,
            "absent_tables": absent,
            "collected_at": max(first.collected_at, second.collected_at),
        }
    )


def collect(
    collectors: Sequence[Collector],
    devices: Sequence[Device],
    resolve_secret: Callable[[Any], str],
    progress: ProgressCallback | None = None,
) -> CollectionResult:
    """Run every collector and merge their results per device."""
    combined = CollectionResult()
    for collector in collectors:
        # A collector's name is the Device attribute that holds its settings (snmp, ssh).
        targets = [d for d in devices if getattr(d, collector.name, None) is not None]
        if not targets:
            continue
        try:
            result = collector.collect(targets, resolve_secret, progress)
        except Exception as exc:  # a collector bug must not lose the other collectors' data
            log.exception("collector %s crashed", collector.name)
            combined.errors.extend(
                CollectionFailure(
                    device=device.name,
                    kind=FailureKind.CRASHED,
                    subject=f"collector:{collector.name}",
                    detail=str(exc)[:500],
                    facts={"collector": collector.name, "exception": type(exc).__name__},
                )
                for device in targets
            )
            continue
        for name, snapshot in result.snapshots.items():
            existing = combined.snapshots.get(name)
            combined.snapshots[name] = (
                snapshot if existing is None else merge_snapshots(existing, snapshot)
            )
        combined.errors.extend(result.errors)
        for name, items in result.evidence.items():
            combined.evidence.setdefault(name, []).extend(items)
    return combined


HISTORY_WINDOW_DEFAULT_HOURS = 24


def load_history(
    store: AuditStore,
    devices: Sequence[Device] | Sequence[str],
    now: datetime,
    registry: Registry,
    policy: Policy,
) -> History:
    """What monitoring and ledger checks compare with, read before evaluation (checks do no I/O).

    Snapshot history is read only as far back as the flapping window asks for: years of polls
    would otherwise be loaded on every run.
    """
    names = [device if isinstance(device, str) else device.name for device in devices]
    previous = store.latest_snapshots(names)
    window_hours = HISTORY_WINDOW_DEFAULT_HOURS
    if "MON-004" in registry:
        parameters = policy.rule("MON-004").parameters
        window_hours = int(parameters.get("window_hours", window_hours))
    since = now - timedelta(hours=window_hours)
    return History(
        previous_snapshots=previous,
        collection_failures={name: store.collection_failures(name) for name in names},
        snapshot_history={name: store.snapshot_history(name, since=since) for name in names},
        last_success={name: snapshot.collected_at for name, snapshot in previous.items()},
        first_run_at=store.first_run_started_at(),
    )


@dataclass
class RunOutcome:
    """What one run produced, for the CLI and the daemon."""

    run_id: int | None
    findings: list[Finding]
    snapshots: dict[str, DeviceSnapshot]
    errors: list[CollectionFailure]
    covered_devices: set[str]
    evaluated_checks: set[str]
    complete: bool
    status: str

    def worst_active(self, suppressed: set[str] | None = None) -> Severity | None:
        active = [f for f in self.findings if not suppressed or f.fingerprint not in suppressed]
        if not active:
            return None
        return max((f.severity for f in active), key=lambda s: s.rank)


def build_context(
    *,
    policy: Policy,
    inventory: Inventory,
    ledger: AssetLedger,
    snapshots: dict[str, DeviceSnapshot],
    errors: Sequence[CollectionFailure],
    registry: Registry,
    now: datetime | None = None,
    history: History | None = None,
) -> AuditContext:
    return AuditContext(
        policy=policy,
        inventory=inventory,
        now=now or datetime.now(UTC),
        snapshots=snapshots,
        ledger=ledger,
        history=history or History(),
        known_check_ids=registry.ids(),
        collection_errors=list(errors),
    )
