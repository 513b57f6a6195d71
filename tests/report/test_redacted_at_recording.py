"""Finding texts are redacted once, when the store records them; the report trusts that flag."""

from __future__ import annotations

from dataclasses import replace

from auditor.report.data import to_report_finding
from auditor.store import Store
from tests.report.city import PLANTED_SECRET, City


def _loud(text: str) -> str:
    """A 'redactor' that shows whether the report called it at all."""
    return f"<cleaned>{text}"


def test_stored_messages_are_already_redacted_and_flagged(stored_city: City) -> None:
    store: Store = stored_city.store
    records = store.list_findings()
    assert records and all(r.redacted for r in records)
    texts = " ".join(
        f"{r.message_en} {r.message_ja} {' '.join(e.detail for e in r.evidence)}" for r in records
    )
    assert PLANTED_SECRET not in texts
    assert "<redacted:sha256:" in texts


def test_the_report_skips_redacting_flagged_messages_but_not_legacy_rows(
    stored_city: City,
) -> None:
    record = stored_city.store.list_findings()[0]
    fresh = to_report_finding(record, policy=None, now=record.last_seen, clean=_loud)
    assert fresh.message_en == record.message_en
    assert fresh.subject.startswith("<cleaned>")  # device and subject are still cleaned here
    legacy = to_report_finding(
        replace(record, redacted=False), policy=None, now=record.last_seen, clean=_loud
    )
    assert legacy.message_en == f"<cleaned>{record.message_en}"
