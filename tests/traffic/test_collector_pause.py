"""The pause of cyclic GC (captures, report loads) restores the collector and loses no garbage."""

from __future__ import annotations

import gc
import subprocess
import sys

from auditor.gcpause import gc_paused


class _Node:
    def __init__(self) -> None:
        self.me = self


def _frozen(obj: object) -> bool:
    """Frozen objects sit in the permanent generation, which ``gc.get_objects`` leaves out."""
    return gc.is_tracked(obj) and all(o is not obj for o in gc.get_objects())


_RESTORES = """
import gc, weakref
from auditor.gcpause import gc_paused

class Node:
    def __init__(self):
        self.me = self

assert gc.isenabled()
with gc_paused(promote=True):
    assert not gc.isenabled()
    node = Node()  # a cycle made while paused
    ref = weakref.ref(node)
    del node
assert gc.isenabled()
assert gc.get_freeze_count() == 0  # moved to the oldest generation, not left frozen
assert ref() is not None  # no collection ran on the way out
gc.collect()
assert ref() is None
print("ok")
"""


def test_pause_restores_the_collector_and_cycles_are_still_collected() -> None:
    # In a fresh interpreter: the full collection at the end walks every object alive, and a
    # test process holding the suite's cached cities spent over a second on it.
    done = subprocess.run(
        [sys.executable, "-c", _RESTORES], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_pause_leaves_objects_someone_else_froze_frozen() -> None:
    keep = [_Node()]
    gc.freeze()
    try:
        assert _frozen(keep[0])
        with gc_paused(promote=True):
            _Node()
        # Still frozen. (Not a count: frozen objects that die meanwhile leave the permanent
        # generation, so the count may drop while everything someone froze stays frozen.)
        assert _frozen(keep[0])
    finally:
        gc.unfreeze()
    del keep


def test_pause_keeps_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with gc_paused(promote=True):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
