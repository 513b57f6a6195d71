"""Record a finding holding a secret and export it; run in the test process and in a child.

Kept out of the test module so the child process imports neither pytest nor the test module.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from auditor.model.findings import Finding, Severity
from auditor.report.service import ReportInputs, build_report, run_export
from auditor.store import Store
from tests.store.helpers import run_once

SECRET = "Kyojin-S3cret-community"


def record_and_export(secret: str, db: Path, out: Path) -> dict[str, str]:
    """Record a finding that holds ``secret`` and export it: the stored and exported texts."""
    finding = Finding(
        check_id="HRD-001",
        severity=Severity.HIGH,
        device="core-sw1",
        subject=f"community: {secret}",
        message_en=f"snmp-server community {secret} RO is configured",
        message_ja=f"community={secret} が設定されています",
    )
    at = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    with Store(f"sqlite:///{db}") as store:
        store.upgrade()
        run_once(store, [finding], at=at)
        stored = store.list_findings()[0]
        data = build_report(store, ReportInputs(), now=at)
        run_export("json", out, data, titles={})
    exported = json.loads(out.read_text(encoding="utf-8"))["findings"][0]
    return {
        "stored": stored.message_en,
        "exported_subject": exported["subject"],
        "exported_message": exported["message"]["en"],
    }
