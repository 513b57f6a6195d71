"""frozen_builder: instances equal to the class's own, just as frozen; and the store's raw reads."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from auditor.fastinit import frozen_builder
from auditor.report.model import HistoryEntry, ReportFinding
from auditor.store.reading import StoredTimes, _payload
from auditor.store.records import EventRecord, FindingRecord


@dataclasses.dataclass(frozen=True, slots=True)
class Sample:
    name: str
    count: int = 0
    tags: tuple[str, ...] = ()
    extra: list[int] = dataclasses.field(default_factory=list, hash=False, compare=False)


def test_built_instance_is_the_frozen_class_and_equal() -> None:
    build = frozen_builder(Sample)
    made = build("a", count=2, tags=("x",))
    assert type(made) is Sample
    assert made == Sample("a", count=2, tags=("x",))
    assert hash(made) == hash(Sample("a", count=2, tags=("x",)))
    assert repr(made) == repr(Sample("a", count=2, tags=("x",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.count = 3  # type: ignore[misc]
    assert dataclasses.replace(made, count=5).count == 5


def test_defaults_and_factories_are_the_class_own() -> None:
    build = frozen_builder(Sample)
    first, second = build("a"), build("b")
    assert first.count == 0 and first.tags == ()
    assert first.extra == [] and first.extra is not second.extra
    with pytest.raises(TypeError):
        build()  # the required field is still required


def test_refuses_what_it_cannot_build_faithfully() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        name: str

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        name: str

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        name: str

        def __post_init__(self) -> None:
            if not self.name:
                raise ValueError("empty")

    for cls in (NoSlots, NotFrozen, Checked):
        with pytest.raises(TypeError):
            frozen_builder(cls)


def test_the_store_and_report_records_build_alike() -> None:
    """Every class built this way: each field given, equal to the class's own constructor."""
    for cls in (FindingRecord, EventRecord, ReportFinding, HistoryEntry):
        values = {f.name: f"v-{f.name}" for f in dataclasses.fields(cls)}
        assert frozen_builder(cls)(**values) == cls(**values)


def test_stored_times_match_the_column_type() -> None:
    times = StoredTimes()
    parsed = times("2026-12-04 18:08:27.924293")
    assert parsed == datetime(2026, 12, 4, 18, 8, 27, 924293, tzinfo=UTC)
    assert parsed.tzinfo is UTC
    assert times("2026-12-04 18:08:27.924293") is parsed  # converted once, shared
    assert times("2026-12-04 18:08:27") == datetime(2026, 12, 4, 18, 8, 27, tzinfo=UTC)
    assert times(None) is None
    jst = timezone(timedelta(hours=9))
    aware = times(datetime(2026, 12, 5, 3, 8, 27, tzinfo=jst))  # a driver returning datetimes
    assert aware == datetime(2026, 12, 4, 18, 8, 27, tzinfo=UTC) and aware.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-04 18:08:27.924293",
        "2026-12-04 18:08:27.000001",
        "2026-12-04 18:08:27",
        "2026-12-04 18:08:27.9243",
        "2026-12-04T18:08:27.924293",
        "2026-12-04",
    ],
)
def test_stored_text_reads_as_sqlalchemy_reads_it(text: str) -> None:
    from sqlalchemy.dialects.sqlite import DATETIME, dialect

    processor = DATETIME().result_processor(dialect(), None)
    assert processor is not None
    assert StoredTimes()(text) == processor(text).replace(tzinfo=UTC)


def test_payloads_read_as_json_reads_them() -> None:
    for value in ({"note": "ノート", "n": 1, "f": 1.5, "x": None}, {"big": 2**70}, {}):
        assert _payload(json.dumps(value)) == value
    assert _payload('{"v": NaN}')["v"] != _payload('{"v": NaN}')["v"]  # NaN, as json reads it
    assert _payload({"a": 1}) == {"a": 1}  # already parsed by the driver
