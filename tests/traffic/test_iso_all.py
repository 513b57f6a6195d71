"""iso_all formats many timestamps exactly as iso formats each one."""

from __future__ import annotations

import random

from auditor.collect.traffic import iso, iso_all


def test_iso_all_spells_every_timestamp_like_iso() -> None:
    rng = random.Random(5)
    values = [rng.uniform(0, 4_000_000_000) for _ in range(20_000)]
    values += [1_790_000_000 + index * 0.0001 for index in range(5_000)]  # the bench's clock
    values += [0.0, 1.0, 1_790_000_000.9999996, 1_790_000_000.0000005, 1_790_000_000.0000015]
    values += [1_790_000_000 + 0.5e-6 * index for index in range(50)]  # halves round to even
    assert iso_all(values) == [iso(value) for value in values]


def test_iso_all_outside_the_fast_range_and_empty() -> None:
    values = [-1.25, float(1 << 34) + 0.5]
    assert iso_all(values) == [iso(value) for value in values]
    assert iso_all([]) == []
