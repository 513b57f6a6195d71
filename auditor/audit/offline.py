"""Offline audits: saved configurations through the same audit service as live runs.

A folder or RANCID tree is one run; an Oxidized git repository is one run per commit, oldest
first, at the commit's time, so the store's config history (MON-001/MON-002) is the repository's.
Runs are of kind ``offline``: checks that need live state are recorded as not applicable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.audit.engine import RunOutcome
from auditor.audit.inputs import Bundle
from auditor.audit.service import OFFLINE_KIND, RunRequest, run
from auditor.collect.base import CollectionResult
from auditor.collect.files import SavedConfig, offline_failure, read_saved_configs
from auditor.collect.offline_sources import (
    Layout,
    Snapshot,
    detect_layout,
    folder,
    oxidized_history,
    rancid,
)
from auditor.model.findings import read_from_file
from auditor.rules import Registry
from auditor.store.protocol import AuditStore


@dataclass
class OfflineInput:
    """What was read from one point in time of the input, ready for :func:`audit_read`."""

    result: CollectionResult
    files: list[SavedConfig] = field(default_factory=list)
    revision: str | None = None


def list_inputs(root: Path, bundle: Bundle, layout: Layout, *, history: bool) -> list[Snapshot]:
    """The configurations to audit, one entry per run (Oxidized git: per commit)."""
    chosen = detect_layout(root) if layout is Layout.AUTO else layout
    if chosen is Layout.RANCID:
        return [rancid(root)]
    if chosen is Layout.OXIDIZED_GIT:
        return oxidized_history(root, latest_only=not history)
    devices = bundle.inventory.devices
    names = {d.name: d.name for d in devices}
    platforms = {d.name: d.platform for d in devices}
    return [folder(root, names, platforms)]


def read_input(snapshot: Snapshot, *, salt: bytes) -> OfflineInput:
    result = read_saved_configs(snapshot.configs, salt=salt)
    for label, detail in snapshot.problems:
        result.errors.append(offline_failure(label.split(":")[0], label, detail))
    return OfflineInput(result=result, files=list(snapshot.configs), revision=snapshot.revision)


def audit_read(
    bundle: Bundle,
    registry: Registry,
    store: AuditStore | None,
    read: OfflineInput,
    *,
    at: Snapshot | None = None,
) -> RunOutcome:
    """One offline run over what :func:`read_input` produced."""
    result = read.result
    names = sorted({*result.snapshots, *(e.device for e in result.errors)})
    request = RunRequest(
        scope="full",
        kind=OFFLINE_KIND,
        snapshots=result.snapshots,
        failures=result.errors,
        evidence=result.evidence,
        run_devices=names,
        now=at.at if at is not None else None,
        amend=read_from_file,
    )
    return run(bundle, registry, store, request)


def audit_offline(
    bundle: Bundle,
    registry: Registry,
    store: AuditStore | None,
    root: Path,
    *,
    salt: bytes,
    layout: Layout = Layout.AUTO,
    history: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[RunOutcome]:
    """Audit ``root``; return one outcome per recorded run (the last one is the current state).

    Only the last outcome keeps its snapshots: an earlier run's are in the store (when there is
    one) and keeping them would make a long Oxidized history cost commits × devices snapshots.
    Each run's input is read when its turn comes and let go after it.
    """
    points = list_inputs(root, bundle, layout, history=history)
    outcomes: list[RunOutcome] = []
    for index, point in enumerate(points, 1):
        if outcomes:
            outcomes[-1].snapshots = {}
        outcomes.append(audit_read(bundle, registry, store, read_input(point, salt=salt), at=point))
        if progress is not None:
            progress(index, len(points))
    return outcomes
