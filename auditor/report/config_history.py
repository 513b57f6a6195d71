"""Configuration history: what a device was configured with on a given day, and what changed.

The store keeps every snapshot (with the redacted running configuration and its hash) per device
and run; this module picks the configuration in force at a moment and diffs two of them. The
CLI's ``auditor config show DEVICE [--at DATE]`` and ``auditor config diff DEVICE [--from DATE]
[--to DATE]`` print what these functions return.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from auditor.model.snapshot import DeviceSnapshot


class SnapshotHistory(Protocol):
    def snapshot_history(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> Sequence[DeviceSnapshot]: ...


class NoConfiguration(LookupError):  # noqa: N818 - reads as the answer it gives
    """No configuration of the device was stored at or before the requested moment."""


def configurations(history: Sequence[DeviceSnapshot]) -> list[DeviceSnapshot]:
    """Snapshots that carry a configuration, oldest first, one per distinct config in a row."""
    found: list[DeviceSnapshot] = []
    for snapshot in sorted(history, key=lambda item: item.collected_at):
        if snapshot.config_redacted is None:
            continue
        if found and found[-1].config_hash == snapshot.config_hash:
            continue
        found.append(snapshot)
    return found


def config_at(store: SnapshotHistory, device: str, at: datetime | None = None) -> DeviceSnapshot:
    """The snapshot whose configuration was in force at ``at`` (the newest one by default)."""
    moment = _utc(at) if at is not None else None
    candidates = [
        snapshot
        for snapshot in configurations(store.snapshot_history(device))
        if moment is None or _utc(snapshot.collected_at) <= moment
    ]
    if not candidates:
        when = f" at {moment.isoformat()}" if moment else ""
        raise NoConfiguration(f"no stored configuration of {device}{when}")
    return candidates[-1]


def show_config(store: SnapshotHistory, device: str, at: datetime | None = None) -> str:
    snapshot = config_at(store, device, at)
    header = (
        f"! {device} — collected {snapshot.collected_at.isoformat()} sha256 {snapshot.config_hash}"
    )
    return f"{header}\n{snapshot.config_redacted}"


def diff_config(
    store: SnapshotHistory,
    device: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> str:
    """Unified diff from the configuration at ``since`` to the one at ``until``.

    Without ``since`` the diff starts at the configuration before the one at ``until`` (the
    last change); an empty string means no change.
    """
    after = config_at(store, device, until)
    if since is not None:
        before = config_at(store, device, since)
    else:
        earlier = [
            snapshot
            for snapshot in configurations(store.snapshot_history(device))
            if _utc(snapshot.collected_at) < _utc(after.collected_at)
        ]
        if not earlier:
            return ""
        before = earlier[-1]
    if before.config_hash == after.config_hash:
        return ""
    lines = difflib.unified_diff(
        (before.config_redacted or "").splitlines(),
        (after.config_redacted or "").splitlines(),
        fromfile=f"{device}@{before.collected_at.isoformat()}",
        tofile=f"{device}@{after.collected_at.isoformat()}",
        lineterm="",
    )
    return "\n".join(lines)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
