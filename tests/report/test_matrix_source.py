"""The zone matrix is computed once by the audit run and stored; reports and ``auditor matrix``
read it back. A store without one shows a coverage gap, in Japanese and English."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from auditor.analysis.matrix import zone_matrix_from_json
from auditor.audit.inputs import Bundle
from auditor.audit.service import RunRequest, run
from auditor.inventory.models import AssetLedger
from auditor.lab.scenario import expected_snapshot
from auditor.policy.loader import load_policy
from auditor.report.render import render_report
from auditor.report.service import ReportInputs, build_report
from auditor.rules import discover
from auditor.store import Store
from tests.builders import example_city
from tests.cli_tree import CliRunner, build_app
from tests.report.example_city import (
    POLICY_DIR,
    audit_example_city,
    audited_example_city_at,
    example_inventory,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'auditor.db'}")
    store.upgrade()
    return store


def _inventory_file(tmp_path: Path) -> Path:
    devices = [
        {"name": d.name, "address": d.address, "platform": d.platform, "zones": d.zones}
        for d in example_inventory().devices
    ]
    path = tmp_path / "devices.yaml"
    path.write_text(yaml.safe_dump({"devices": devices}, allow_unicode=True), encoding="utf-8")
    return path


def test_a_full_audit_stores_its_matrix_and_the_report_reads_it_without_the_inventory(
    tmp_path: Path,
) -> None:
    policy, _ = audited_example_city_at(tmp_path / "auditor.db", NOW)
    with _store(tmp_path) as store:
        stored = store.latest_matrix()
        assert stored is not None and stored.data is not None and stored.error is None
        [latest, _previous] = store.list_runs()
        assert stored.run_id == latest.id
        assert zone_matrix_from_json(stored.data).to_json() == stored.data  # lossless

        # Without an inventory the report could never rebuild the matrix: it reads the stored one.
        data = build_report(store, ReportInputs(policy=policy), now=NOW)
    cell = {(c.source, c.target): c for c in data.matrix}[("lgwan", "internet")]
    assert cell.permitted and cell.violation
    assert data.matrix_source is not None and data.matrix_source.run_id == latest.id
    assert data.matrix_source.gap is None
    text = render_report(data, "text", "en")
    assert f"Matrix recorded by run #{latest.id}" in text and "Coverage gap" not in text


def test_auditor_matrix_prints_the_stored_matrix_of_the_latest_run_that_has_one(
    tmp_path: Path,
) -> None:
    audited_example_city_at(tmp_path / "auditor.db", NOW)
    with _store(tmp_path) as store:
        with_matrix = store.latest_matrix()
        assert with_matrix is not None
        # A poll afterwards stores no matrix: the audit's stays the one shown.
        scenario = example_city()
        names = [d.name for d in scenario.devices]
        poll = store.begin_run("poll", "full", names, "t", None, None, NOW + timedelta(hours=1))
        store.record_run(
            poll,
            snapshots={},
            findings=[],
            covered_devices=set(),
            evaluated_checks=set(),
            policy=load_policy(POLICY_DIR).policy,
            now=NOW + timedelta(hours=1),
            complete=True,
        )
    result = CliRunner().invoke(
        build_app("en"),
        [
            "matrix",
            "--policy",
            str(POLICY_DIR),
            "--inventory",
            str(_inventory_file(tmp_path)),
            "--db",
            str(tmp_path / "auditor.db"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["run_id"] == with_matrix.run_id
    assert with_matrix.data is not None and payload["cells"] == with_matrix.data["cells"]
    assert "computed now" not in result.output


def _record_without_matrix(store: Store, at: datetime, *, error: str | None = None) -> int:
    """A full audit recorded straight into the store (as before stored matrices existed)."""
    scenario = example_city()
    snapshots = {d.name: expected_snapshot(scenario, d.name, at) for d in scenario.devices}
    run_id = store.begin_run("audit", "full", sorted(snapshots), "t", None, None, at)
    store.record_run(
        run_id,
        snapshots=snapshots,
        findings=[],
        covered_devices=set(snapshots),
        evaluated_checks=set(),
        policy=load_policy(POLICY_DIR).policy,
        now=at,
        complete=True,
        matrix_error=error,
    )
    return run_id


def test_a_store_where_no_run_stored_a_matrix_shows_a_coverage_gap_in_both_languages(
    tmp_path: Path,
) -> None:
    policy = load_policy(POLICY_DIR).policy
    with _store(tmp_path) as store:
        _record_without_matrix(store, NOW)
        data = build_report(store, ReportInputs(policy=policy, inventory=example_inventory()))
    assert data.matrix_source is not None and data.matrix_source.gap == "none-stored"
    assert all(cell.permitted is None for cell in data.matrix)  # policy only, and it says so
    html_en = render_report(data, "html", "en")
    assert 'id="matrix-source" class="matrix-gap"' in html_en
    assert "Coverage gap: no run has stored a zone matrix" in html_en
    assert "カバレッジの欠落: マトリクスを記録した実行がありません" in render_report(
        data, "html", "ja"
    )
    assert "Coverage gap" in render_report(data, "text", "en")
    assert "カバレッジの欠落" in render_report(data, "md", "ja")


def test_a_failed_matrix_and_a_later_audit_without_one_are_named_gaps(tmp_path: Path) -> None:
    policy = load_policy(POLICY_DIR).policy
    with _store(tmp_path) as store:
        failed = _record_without_matrix(store, NOW, error="ValueError: broken ACL")
        data = build_report(store, ReportInputs(policy=policy), now=NOW + timedelta(minutes=5))
        assert data.matrix_source is not None and data.matrix_source.gap == "failed"
        text = render_report(data, "text", "en")
        assert f"the zone matrix of run #{failed}" in text and "ValueError: broken ACL" in text

        audit_example_city(store, NOW + timedelta(days=1))
        with_matrix = store.latest_matrix()
        assert with_matrix is not None and with_matrix.data is not None
        later = _record_without_matrix(store, NOW + timedelta(days=2))
        data = build_report(
            store, ReportInputs(policy=policy), now=NOW + timedelta(days=2, hours=1)
        )
    assert data.matrix_source is not None and data.matrix_source.gap == "missing"
    assert any(cell.violation for cell in data.matrix)  # the older stored matrix is still drawn
    text = render_report(data, "text", "ja")
    assert f"最新の実行 #{later} はマトリクスを記録していません" in text
    assert f"実行 #{with_matrix.run_id}" in text


def test_a_device_the_audit_could_not_collect_is_named_as_a_gap_in_the_matrix(
    tmp_path: Path,
) -> None:
    policy = load_policy(POLICY_DIR).policy
    inventory = example_inventory()
    scenario = example_city()
    snapshots = {d.name: expected_snapshot(scenario, d.name, NOW) for d in scenario.devices}
    lost = sorted(snapshots)[0]
    del snapshots[lost]
    bundle = Bundle(policy=policy, inventory=inventory, ledger=AssetLedger(), policy_hash="")
    with _store(tmp_path) as store:
        request = RunRequest(scope="full", devices=inventory.devices, snapshots=snapshots, now=NOW)
        outcome = run(bundle, discover(), store, request)
        assert lost not in outcome.covered_devices
        stored = store.latest_matrix()
        assert stored is not None and stored.data is not None
        assert stored.data["missing_devices"] == [lost]
        data = build_report(store, ReportInputs(policy=policy), now=NOW + timedelta(minutes=1))
    html = render_report(data, "html", "en")
    assert 'class="matrix-gap"' in html and "not collected, so what their" in html
    assert lost in html.split('id="matrix-source"')[1].split("</p>")[0]
