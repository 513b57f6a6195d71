"""The report's trend chart reads like the console's: distinct, "nice" axis labels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from auditor.report.charts import nice_ticks, trend_picture
from auditor.report.model import TrendPoint


def _points(counts: list[int | None]) -> list[TrendPoint]:
    start = date(2026, 11, 1)
    return [TrendPoint(day=start + timedelta(days=i), open=c) for i, c in enumerate(counts)]


@pytest.mark.parametrize(
    ("counts", "labels"),
    [
        ([1, None, 1], ["0", "1"]),
        ([0, 0], ["0", "1"]),
        ([3, 2], ["0", "1", "2", "3"]),
        ([1234, 50], ["0", "250", "500", "750", "1,000", "1,250"]),
        ([7, None], ["0", "2", "4", "6", "8"]),
    ],
)
def test_axis_labels_are_distinct_nice_and_reach_the_highest_bar(
    counts: list[int | None], labels: list[str]
) -> None:
    picture = trend_picture(_points(counts))
    assert picture is not None
    assert [label for _, label in picture.ticks] == labels
    assert len({label for _, label in picture.ticks}) == len(picture.ticks)
    # The top tick is at the top of the plot and every bar is scaled to it.
    assert picture.ticks[-1][0] == picture.top
    tallest = max(picture.bars, key=lambda bar: bar.value)
    top_value = int(labels[-1].replace(",", ""))
    plot = picture.bottom - picture.top
    assert tallest.height == pytest.approx(plot * tallest.value / top_value, abs=0.1)


def test_the_report_and_the_console_share_one_axis() -> None:
    from auditor.web.charts import nice_ticks as console_ticks

    assert console_ticks is nice_ticks
