"""The rule-pack hash recorded with every run: the same value however often it is computed."""

from __future__ import annotations

import hashlib
import inspect

from auditor.rules import discover


def test_the_pack_hash_is_the_hash_of_every_check_id_and_source_and_stays_the_same() -> None:
    registry = discover()
    expected = hashlib.sha256()
    for check in registry:
        expected.update(check.id.encode())
        expected.update(inspect.getsource(check).encode("utf-8"))
    first = registry.pack_hash()
    assert first == expected.hexdigest()
    assert discover().pack_hash() == first  # read once per process, never a different answer
