"""The PDF at scale: a compact report names at most PDF_DEVICE_LIMIT devices, and says so."""

from __future__ import annotations

import pytest

from auditor.report import render
from auditor.report.data import load_report_data
from auditor.report.render import render_report
from tests.report.city import City


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("ja", "ほか {n} 台の機器は省略しています。全件は CSV / XLSX 出力を参照してください。"),
        ("en", "{n} more devices are left out here. Every finding is in the CSV / XLSX exports."),
    ],
)
def test_a_compact_report_lists_the_worst_devices_up_to_the_cap_and_points_to_the_exports(
    stored_city: City, monkeypatch: pytest.MonkeyPatch, lang: str, sentence: str
) -> None:
    data = load_report_data(stored_city.store, policy=stored_city.policy, now=stored_city.now)
    devices = [section.device for section in data.devices]
    assert len(devices) > 3
    monkeypatch.setattr(render, "PDF_DEVICE_LIMIT", 3)
    html = render_report(data, "html", lang, detail_limit=1, pack=True)
    table = html.split('id="open"')[1].split('id="resolved"')[0]
    shown = [name for name in devices if f"<td>{name}</td>" in table]
    assert len(shown) == 3
    assert sentence.format(n=len(devices) - 3) in " ".join(table.split())
    # the unreached device comes first, whatever its name
    unreached = [s.device for s in data.devices if not s.reached]
    assert unreached and set(unreached) <= set(shown)


def test_below_the_cap_every_device_is_listed_without_the_sentence(stored_city: City) -> None:
    data = load_report_data(stored_city.store, policy=stored_city.policy, now=stored_city.now)
    html = render_report(data, "html", "en", detail_limit=1, pack=True)
    table = html.split('id="open"')[1].split('id="resolved"')[0]
    assert all(f"<td>{s.device}</td>" in table for s in data.devices)
    assert "left out" not in table
