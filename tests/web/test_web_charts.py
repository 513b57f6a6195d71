"""The overview's trend chart: distinct, sensible axis labels for small and large counts, days
without a run as small marks with a legend, in both languages."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from auditor.report.model import TrendPoint
from auditor.store import Store, console
from auditor.web.app import WebConfig, create_app
from auditor.web.auth import hash_password
from auditor.web.charts import nice_ticks, trend_chart
from tests.store.helpers import run_once
from tests.web.city import PASSWORD, findings
from tests.web.conftest import login


@pytest.mark.parametrize(
    "maximum", [0, 1, 2, 3, 5, 6, 7, 12, 37, 99, 101, 2450, 105_000, 1_234_567]
)
def test_ticks_are_distinct_round_and_cover_the_maximum(maximum: int) -> None:
    ticks = nice_ticks(maximum)
    assert ticks[0] == 0 and ticks[-1] >= max(maximum, 1)
    assert len(ticks) == len(set(ticks)) and 2 <= len(ticks) <= 6
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    assert re.fullmatch(r"(1|2|25|5)0*", str(step)), step
    assert ticks[-2] < maximum or maximum <= 1  # no empty band above the data


def _points(values: list[int | None]) -> list[TrendPoint]:
    start = date(2026, 11, 1)
    return [TrendPoint(start + timedelta(days=i), v) for i, v in enumerate(values)]


def test_a_maximum_of_one_reads_0_and_1_not_1_0_0() -> None:
    chart = trend_chart(_points([None] * 28 + [1, 1]))
    assert chart is not None
    assert [label for _, label in chart.ticks] == ["0", "1"]
    assert not chart.empty and len(chart.bars) == 2 and len(chart.gaps) == 28
    assert all(gap.width < chart.bars[0].width for gap in chart.gaps)


def test_large_counts_have_thousands_separators_and_fit_the_margin() -> None:
    chart = trend_chart(_points([103_000, 104_500, None, 105_000]))
    assert chart is not None
    labels = [label for _, label in chart.ticks]
    assert labels == ["0", "25,000", "50,000", "75,000", "100,000", "125,000"]
    assert chart.left >= 7 * len("125,000")
    tallest = max(chart.bars, key=lambda b: b.value)
    assert tallest.y >= chart.top and tallest.label == "105,000"
    assert len(chart.line) == 2  # broken at the day without a run


def test_a_period_without_runs_says_so() -> None:
    chart = trend_chart(_points([None] * 30))
    assert chart is not None and chart.empty and not chart.bars


def test_the_overview_says_when_the_period_had_no_run(web: TestClient) -> None:
    login(web, "viewer1")  # the test city's two runs are older than the trend's period
    page = web.get("/").text
    assert 'id="trend-empty"' in page and 'class="trend"' not in page
    web.get("/lang/en?next=/")
    assert "No run was recorded in this period" in web.get("/").text


def test_the_overview_draws_recent_runs_with_a_legend_in_both_languages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    now = datetime.now(UTC)
    with Store(url) as store:
        store.upgrade()
        for days, count in ((3, 2), (1, 3), (0, 1)):
            run_once(store, findings()[:count], at=now - timedelta(days=days))
        console.add_user(store, "viewer1", role="viewer", password_hash=hash_password(PASSWORD))
    store = Store(url)
    client = TestClient(
        create_app(WebConfig(db_url=url, overview_wait=120.0), store),
        base_url="https://testserver",
        follow_redirects=False,
    )
    login(client, "viewer1")
    page = client.get("/").text
    assert 'class="trend"' in page and "実行のない日" in page and 'id="trend-empty"' not in page
    ticks = re.findall(r'class="tick">([^<]*)<', page)
    assert ticks == ["0", "1", "2", "3"]
    assert len(re.findall(r'class="bar"><title>', page)) == 3
    client.get("/lang/en?next=/")
    page = client.get("/").text
    assert "no run that day" in page and "open findings after the day" in page
    store.close()
