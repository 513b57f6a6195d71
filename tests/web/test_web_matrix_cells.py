"""A zone-matrix cell lists exactly the findings the stored matrix attributes to it.

The example city is audited through the real audit service (its matrix stored by the run); the
small city below holds the subject forms a text match gets wrong (``l3:a+b`` in both directions,
``lgwan`` a prefix of ``lgwan-wan``, traffic subjects, a decoy naming ``src->dst`` in prose).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from auditor.model.findings import Finding, Reference, Severity
from auditor.policy.models import Policy
from auditor.store import Store, console
from auditor.web.app import WebConfig, create_app
from auditor.web.auth import hash_password
from tests.report.example_city import audit_example_city
from tests.web.city import PASSWORD
from tests.web.conftest import login

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
LINK = re.compile(r'href="/findings/([0-9a-f]{64})"')
CELL = re.compile(r'data-pair="([^"]+)" data-state="([a-z-]+)" data-count="(\d+)"')


def _client(store: Store, url: str) -> TestClient:
    console.add_user(store, "viewer1", role="viewer", password_hash=hash_password(PASSWORD))
    app = create_app(WebConfig(db_url=url, page_size=1000, overview_wait=120.0), store)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login(client, "viewer1")
    return client


def _listed(client: TestClient, pair: str) -> set[str]:
    page = client.get(f"/findings?status=active&pair={quote(pair)}")
    assert page.status_code == 200
    found = LINK.findall(page.text)
    assert len(found) == len(set(found))
    return set(found)


def _cells(client: TestClient) -> dict[str, tuple[str, int]]:
    overview = client.get("/").text
    return {
        pair.replace("&gt;", ">"): (state, int(count))
        for pair, state, count in CELL.findall(overview)
    }


def _expected(cell: dict[str, Any], findings: list[Any]) -> set[str]:
    """What the stored cell names: its excess permits, its SEG-013 path, its traffic."""
    source, target = cell["from"], cell["to"]
    permits = {
        (entry["device"], entry["subject"])
        for entry in cell["permitted_by_config"]
        if not entry["within_policy"]
    }
    return {
        f.fingerprint
        for f in findings
        if (f.device, f.subject) in permits
        or (f.check_id == "SEG-013" and f.subject == f"path:{source}->{target}")
        or (f.check_id.startswith("TRF-") and f":{source}->{target}:" in f.subject)
    }


@pytest.fixture(scope="module")
def example_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, TestClient]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('web-example') / 'auditor.db'}"
    store = Store(url)
    store.upgrade()
    audit_example_city(store, NOW)
    client = _client(store, url)
    yield store, client
    store.close()


def test_every_excess_cell_lists_exactly_its_findings_and_counts_them(
    example_city: tuple[Store, TestClient],
) -> None:
    store, client = example_city
    record = store.latest_matrix()
    assert record is not None and record.data is not None
    active = [f for f in store.list_findings() if f.status.value != "resolved"]
    shown = _cells(client)
    checked = 0
    for cell in record.data["cells"]:
        pair = f"{cell['from']}->{cell['to']}"
        expected = _expected(cell, active)
        state, count = shown[pair]
        if cell["status"] == "excess":
            assert state == "violation", pair
            assert expected, f"{pair}: an excess cell with no finding"
            checked += 1
        listed = _listed(client, pair) if (expected or count) else set()
        assert listed == expected, pair
        assert count == len(listed), pair
    assert checked >= 20
    # The substring match this replaced put lgwan-wan's findings under lgwan, and missed the
    # interface findings (l3:a+b) of the reverse direction.
    # (Each cell's page is read once: inside the comprehension it was read again per finding.)
    listed = _listed(client, "mynumber->lgwan")
    lgwan = {f.subject for f in active if f.fingerprint in listed}
    assert "acl:MYN-OUT:30#mynumber->lgwan" in lgwan and "path:mynumber->lgwan" in lgwan
    assert not any("lgwan-wan" in subject for subject in lgwan)
    listed = _listed(client, "management->lgwan")
    back = {(f.device, f.subject) for f in active if f.fingerprint in listed}
    assert ("lg-rt1", "l3:lgwan+management") in back
    assert ("hinanjo-rt1", "l3:lgwan+management") in back


def _finding(check: str, device: str | None, subject: str) -> Finding:
    return Finding(
        check_id=check,
        severity=Severity.HIGH,
        device=device,
        subject=subject,
        zone="mynumber",
        message_en=f"{subject}",
        message_ja=f"{subject}",
        references=[Reference(kind="guideline", key="アクセス制御")],
    )


def _permit(device: str, subject: str, within: bool = False) -> dict[str, Any]:
    return {
        "device": device,
        "kind": "acl",
        "subject": subject,
        "line": subject,
        "services": ["any"],
        "destinations": None,
        "within_policy": within,
    }


SMALL = [
    _finding("SEG-006", "dev1", "acl:A:10#mynumber->lgwan"),
    _finding("SEG-006", "dev1", "acl:A:10#mynumber->lgwan-wan"),
    _finding("SEG-005", "dev2", "l3:lgwan+mynumber"),
    _finding("SEG-005", "dev3", "l3:lgwan+mynumber"),  # not a permit of the stored matrix
    _finding("SEG-013", "dev1", "path:mynumber->lgwan"),
    _finding("TRF-001", None, "flow:mynumber->lgwan:tcp/25"),
    _finding("TRF-001", None, "flow:mynumber->lgwan-wan:tcp/25"),
    _finding("HRD-001", "dev1", "note mynumber->lgwan"),  # names the pair in prose only
]


def _small_matrix() -> dict[str, Any]:
    zones = ["mynumber", "lgwan", "lgwan-wan"]
    permits = {
        ("mynumber", "lgwan"): [
            _permit("dev1", "acl:A:10#mynumber->lgwan"),
            _permit("dev2", "l3:lgwan+mynumber"),
            _permit("dev4", "acl:A:20#mynumber->lgwan", within=True),
        ],
        ("lgwan", "mynumber"): [_permit("dev2", "l3:lgwan+mynumber")],
        ("mynumber", "lgwan-wan"): [_permit("dev1", "acl:A:10#mynumber->lgwan-wan")],
    }
    return {
        "zones": zones,
        "cells": [
            {
                "from": a,
                "to": b,
                "status": "excess" if (a, b) in permits else "denied",
                "allowed_by_policy": [],
                "permitted_by_config": permits.get((a, b), []),
                "observed_in_traffic": [],
                "reachable_by_path": None,
            }
            for a in zones
            for b in zones
            if a != b
        ],
    }


def test_cells_by_subject_form_and_not_by_text(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    store = Store(url)
    store.upgrade()
    devices = ["dev1", "dev2", "dev3", "dev4"]
    for at in (NOW - timedelta(days=1), NOW):
        run_id = store.begin_run("audit", "full", devices, "test", "rules", "policy", at)
        store.record_run(
            run_id,
            snapshots={},
            findings=SMALL,
            covered_devices=set(devices),
            evaluated_checks={f.check_id for f in SMALL},
            policy=Policy(),
            now=at,
            complete=True,
            matrix=_small_matrix(),
        )
    client = _client(store, url)
    subject = {f.fingerprint: (f.device, f.subject) for f in SMALL}

    def cell(pair: str) -> set[tuple[str | None, str]]:
        return {subject[fp] for fp in _listed(client, pair)}

    assert cell("mynumber->lgwan") == {
        ("dev1", "acl:A:10#mynumber->lgwan"),
        ("dev2", "l3:lgwan+mynumber"),
        ("dev1", "path:mynumber->lgwan"),
        (None, "flow:mynumber->lgwan:tcp/25"),
    }
    assert cell("lgwan->mynumber") == {("dev2", "l3:lgwan+mynumber")}
    assert cell("mynumber->lgwan-wan") == {
        ("dev1", "acl:A:10#mynumber->lgwan-wan"),
        (None, "flow:mynumber->lgwan-wan:tcp/25"),
    }
    assert cell("lgwan->lgwan-wan") == set()
    shown = _cells(client)
    assert shown["mynumber->lgwan"] == ("violation", 4)
    assert shown["lgwan->mynumber"] == ("violation", 1)
    assert shown["mynumber->lgwan-wan"] == ("violation", 2)
    assert shown["lgwan-wan->lgwan"][1] == 0
    store.close()
