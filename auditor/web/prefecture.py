"""What the prefecture console's page shows: the prefecture report's overview, as page context.

The numbers come from :func:`auditor.report.prefecture.read_overview` (the same code as
``auditor prefecture report``); this module only picks labels and draws the daily trend with the
console's chart code. A city appears as a summary line, never as a link: the prefecture console
serves no city page, and the city consoles do not know the prefecture's accounts.
"""

from __future__ import annotations

from typing import Any

from auditor.report.model import TrendPoint
from auditor.report.prefecture import GRADES, CityOverview, PrefectureOverview, label
from auditor.web.charts import trend_chart
from auditor.web.i18n import WebLang
from auditor.web.pages import when


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def prefecture_context(overview: PrefectureOverview, lang: WebLang) -> dict[str, Any]:
    def name(city: CityOverview) -> str:
        return city.name_ja if lang == "ja" else city.name_en

    daily = overview.daily()
    return {
        "data": overview,
        "grades": [(grade, label(grade, lang)) for grade in GRADES],
        "L": lambda key, **values: label(key, lang, **values),
        "name": name,
        "when": when,
        "pct": _pct,
        "totals": overview.totals(),
        "devices": sum(city.devices for city in overview.cities),
        "open_total": sum(city.open_findings for city in overview.cities),
        "trend": trend_chart([TrendPoint(day, seen) for day, seen in daily]),
        "days_shown": len(daily),
    }


__all__ = ["prefecture_context"]
