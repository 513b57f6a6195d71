"""The compact snapshot types change memory, not results: two cities digest as before the change.

``compact_digest.json`` was written by ``tests/analysis/compact_digest.py`` on the code before the
slotted leaf types (interfaces, VLANs, FDB, ARP, neighbours); every snapshot's dumped form and
content hash and every finding of every check must still be the same.
"""

from __future__ import annotations

import json

from tests.analysis.compact_digest import EXPECTED, live_part, offline_part


def test_offline_city_digests_as_before() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))["offline"]
    assert offline_part() == expected


def test_live_city_digests_as_before() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))["live"]
    assert live_part() == expected
