"""The aggregator's pause of cyclic GC restores the collector and loses no garbage."""

from __future__ import annotations

import gc
import weakref

from auditor.collect.traffic import _collector_paused


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_pause_restores_the_collector_and_cycles_are_still_collected() -> None:
    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
        node = _Node()  # a cycle made while paused
        ref = weakref.ref(node)
        del node
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # moved to the oldest generation, not left frozen
    assert ref() is not None  # no collection ran on the way out
    gc.collect()
    assert ref() is None


def test_pause_leaves_objects_someone_else_froze_frozen() -> None:
    keep = [_Node()]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _collector_paused():
            _Node()
        # Still frozen (another thread of the process may freeze more meanwhile, never fewer).
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
    del keep


def test_pause_keeps_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
