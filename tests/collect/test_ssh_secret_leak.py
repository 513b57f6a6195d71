"""End to end: every platform collected over SSH, audited into SQLite, reported and exported;
not one planted secret (passwords, enable secrets, communities, v3 keys, PSKs) in any byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit.service import run_audit
from auditor.collect.ssh import SshCollector
from auditor.inventory.models import AssetLedger, Inventory
from auditor.report.data import load_report_data
from auditor.report.service import run_export, write_report
from auditor.rules import discover
from auditor.store import Store
from tests import builders
from tests.builders import example_city
from tests.collect.ssh_lab import ONE_PER_PLATFORM, ssh_lab
from tests.collect.test_ssh_collector import planted_secrets

pytestmark = pytest.mark.lab


def test_no_planted_secret_reaches_the_database_reports_or_exports(tmp_path: Path) -> None:
    scenario = example_city()
    with ssh_lab(scenario, ONE_PER_PLATFORM, tmp_path) as lab:
        devices = [lab.device(name) for name in ONE_PER_PLATFORM]
        inventory = Inventory(devices=devices)
        database = tmp_path / "state" / "auditor.db"
        database.parent.mkdir()
        with Store(f"sqlite:///{database}") as store:
            store.upgrade()
            outcome = run_audit(
                policy=builders.policy(),
                inventory=inventory,
                ledger=AssetLedger(),
                registry=discover(),
                collectors=[SshCollector(salt=b"leak-test", known_hosts=tmp_path / "kh")],
                devices=devices,
                resolve_secret=lab.resolve,
                store=store,
                scope="full",
            )
            assert set(outcome.snapshots) == set(ONE_PER_PLATFORM)
            data = load_report_data(store, policy=builders.policy())
            write_report(data, tmp_path / "report.html")
            for fmt in ("json", "csv"):
                run_export(fmt, tmp_path / f"export.{fmt}", data)  # type: ignore[arg-type]
    stored = b"".join(
        path.read_bytes()
        for path in [
            *database.parent.glob("auditor.db*"),
            tmp_path / "report.html",
            tmp_path / "export.json",
            tmp_path / "export.csv",
        ]
    )
    assert b"<redacted:sha256:" in stored  # the configurations really were stored
    for name in ONE_PER_PLATFORM:
        for secret in planted_secrets(scenario, name):
            for encoding in ("utf-8", "utf-16-le"):
                assert secret.encode(encoding) not in stored, (name, secret)
