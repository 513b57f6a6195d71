"""The snapshot history a poller reads must not grow by a whole snapshot per poll.

The daemon's RSS grew ~20 MiB per one-minute poll of 200 devices: every run loaded each device's
24-hour history as one full snapshot per sighting, and the clocks move on every poll. The history
now shares one parsed snapshot per content and keeps a small tuple of clocks per sighting.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Sequence
from datetime import timedelta
from functools import cache

from auditor.model.snapshot import DeviceSnapshot, FdbEntry, Interface, SystemInfo
from auditor.store import Store
from tests.store.helpers import T0, run_once

DEVICES = ("sw1", "sw2", "sw3")


def _poll(device: str, n: int) -> DeviceSnapshot:
    """One poll: the same content every time, clocks that moved by a minute."""
    return DeviceSnapshot(
        device=device,
        collected_at=T0 + timedelta(minutes=n),
        system=SystemInfo(name=device, descr="IOS 15.2", uptime_seconds=1000.0 + 60 * n),
        interfaces=[
            Interface(
                name=f"Gi0/{i}",
                mode="access",
                access_vlan=10,
                oper_up=True,
                last_change_seconds=500.0 + 60 * n,
            )
            for i in range(48)
        ],
        fdb=list(_fdb()),
    )


@cache
def _fdb() -> tuple[FdbEntry, ...]:
    """The forwarding table every poll sees (built once: the input, not what is measured)."""
    return tuple(
        FdbEntry(mac=f"00:00:5e:00:{i // 256:02x}:{i % 256:02x}", vlan=10, port="Gi0/1")
        for i in range(500)
    )


def _poll_runs(store: Store, first: int, last: int) -> None:
    for n in range(first, last):
        snapshots = {name: _poll(name, n) for name in DEVICES}
        run_once(
            store,
            [],
            at=T0 + timedelta(minutes=n),
            devices=DEVICES,
            snapshots=snapshots,
            kind="poll",
            checks=set(),
        )


def _held_bytes(store: Store) -> tuple[int, dict[str, Sequence[DeviceSnapshot]]]:
    """Bytes still held by the histories once their garbage is collected.

    Only memory allocated while tracing counts, and so only garbage made while tracing needs
    collecting: the objects alive before are frozen, so a collection skips them (in a test
    worker holding the suite's cached cities, each full collection walked them for ~0.4 s).
    """
    frozen_here = gc.get_freeze_count() == 0  # someone else's freeze is left alone
    if frozen_here:
        gc.freeze()
    else:
        gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        history = {name: store.snapshot_history(name) for name in DEVICES}
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before, history
    finally:
        tracemalloc.stop()
        if frozen_here:
            gc.unfreeze()


def test_history_memory_does_not_grow_with_the_number_of_polls(store: Store) -> None:
    _poll_runs(store, 0, 5)
    few, _ = _held_bytes(store)
    _poll_runs(store, 5, 45)
    many, history = _held_bytes(store)
    assert [len(history[name]) for name in DEVICES] == [45, 45, 45]
    # 9x the polls; a full snapshot per sighting would hold ~9x the memory.
    assert many < few * 2, (few, many)


def test_every_sighting_keeps_its_own_clocks(store: Store) -> None:
    _poll_runs(store, 0, 3)
    series = store.snapshot_history("sw1")
    assert [s.collected_at for s in series] == [T0 + timedelta(minutes=n) for n in range(3)]
    assert [s.system.uptime_seconds for s in series] == [1000.0, 1060.0, 1120.0]
    assert [s.interfaces[5].last_change_seconds for s in series] == [500.0, 560.0, 620.0]
    assert series[-1] == _poll("sw1", 2)
    assert [s.collected_at for s in series[1:]] == [T0 + timedelta(minutes=n) for n in (1, 2)]
    assert len(series[0].fdb) == 500
