"""Tenants: one database, several cities; each store object sees and changes only its own city.

Runs on SQLite and PostgreSQL (the ``store_url`` fixture). The two cities use the SAME device
names, subjects and therefore the same finding fingerprints, so any missing tenant filter shows.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from auditor.model.findings import Outcome
from auditor.store import (
    AuditStore,
    EvidenceNotFound,
    FindingNotFound,
    RunNotFound,
    Store,
)
from auditor.store.manual import suppress_finding
from auditor.store.models import FindingRow
from auditor.store.outbox import Outbox, OutboxItem
from auditor.store.records import CheckResult, ResultOutcome
from auditor.store.tenancy import InvalidTenant, TenantSession, TenantViolation
from auditor.store.workflow import assign_finding, set_due
from tests.store.helpers import T0, day, finding, run_once, snapshot

NORTH, SOUTH = "north-city", "south-city"
DEVICES = ("core-sw1", "fw1")
SECURE = finding("HRD-001", "core-sw1", "line vty 0 4")
COLLECTION = finding("COL-001", "fw1", "snmp", outcome=Outcome.ERROR)


@pytest.fixture
def cities(store: Store) -> Iterator[tuple[Store, Store]]:
    north = store.for_tenant(NORTH)
    south = store.for_tenant(SOUTH)
    try:
        yield north, south
    finally:
        north.close()
        south.close()


def _populate(city: Store) -> dict[str, Any]:
    """A full day of one city: run, snapshots, evidence, matrix, results, workflow, outbox."""
    summary = run_once(
        city,
        [SECURE, COLLECTION],
        at=T0,
        devices=DEVICES,
        covered={"core-sw1"},
        snapshots={"core-sw1": snapshot("core-sw1")},
        evidence={"core-sw1": [("running-config", b"hostname core-sw1\n")]},
        results=[CheckResult("HRD-001", "core-sw1", ResultOutcome.FAIL)],
    )
    run_id = summary.run_id
    city.ack(SECURE.fingerprint, "担当者A", "seen", now=day(1))
    assign_finding(city, SECURE.fingerprint, owner="情報政策課", actor="担当者A", now=day(1))
    set_due(city, SECURE.fingerprint, due=date(2026, 5, 1), actor="担当者A", now=day(1))
    running = city.begin_run("audit", "full", DEVICES, "t", None, None, day(2))
    outbox = Outbox(city.engine, city.tenant)
    outbox.enqueue(
        [OutboxItem("hook", "finding", f"new:{SECURE.fingerprint}", "high", {}, T0, "core-sw1")],
        now=T0,
    )
    blob = city.run_evidence(run_id)[0].sha256
    return {"run_id": run_id, "running": running, "sha256": blob}


def test_a_tenant_name_is_a_short_identifier(store: Store) -> None:
    with pytest.raises(InvalidTenant):
        store.for_tenant("North City; drop")
    with pytest.raises(InvalidTenant):
        Store(store.url, tenant="")


def test_every_public_method_of_the_protocol_opened_for_b_misses_the_rows_of_a(
    cities: tuple[Store, Store],
) -> None:
    north, south = cities
    written = _populate(north)
    before = (north.list_findings(), north.list_events(), north.verify())
    run_id, sha = written["run_id"], written["sha256"]
    fp = SECURE.fingerprint

    def raises(error: type[Exception], call: Callable[[], object]) -> bool:
        with pytest.raises(error):
            call()
        return True

    checks: dict[str, Callable[[], bool]] = {
        "begin_run": lambda: south.begin_run("audit", "full", [], "t", None, None, T0) != run_id,
        "record_run": lambda: raises(
            RunNotFound,
            lambda: south.record_run(
                written["running"],
                snapshots={},
                findings=[],
                covered_devices=set(),
                evaluated_checks=set(),
                policy=__import__("auditor.policy.models").policy.models.Policy(),
                now=day(3),
                complete=True,
            ),
        ),
        "mark_run_incomplete": lambda: raises(
            RunNotFound, lambda: south.mark_run_incomplete(written["running"], "x")
        ),
        "mark_run_failed": lambda: raises(
            RunNotFound, lambda: south.mark_run_failed(written["running"], "x")
        ),
        "mark_running_runs_incomplete": lambda: (
            written["running"] not in south.mark_running_runs_incomplete("restart", now=day(3))
        ),
        "get_run": lambda: raises(RunNotFound, lambda: south.get_run(run_id)),
        "list_runs": lambda: all(r.id != run_id for r in south.list_runs()),
        "first_run_started_at": lambda: south.first_run_started_at() in (None, T0),
        "last_run": lambda: south.last_run(statuses=["partial", "complete"]) is None,
        "list_findings": lambda: south.list_findings() == [],
        "get_finding": lambda: raises(FindingNotFound, lambda: south.get_finding(fp)),
        "ack": lambda: raises(FindingNotFound, lambda: south.ack(fp, "担当者B")),
        "manual_exceptions": lambda: south.manual_exceptions() == [],
        "list_events": lambda: all(e.run_id != run_id for e in south.list_events()),
        "latest_snapshots": lambda: south.latest_snapshots() == {},
        "snapshot_history": lambda: list(south.snapshot_history("core-sw1")) == [],
        "collection_failures": lambda: south.collection_failures("fw1") == [],
        "evidence_blob": lambda: raises(EvidenceNotFound, lambda: south.evidence_blob(sha)),
        "run_evidence": lambda: south.run_evidence(run_id) == [],
        "latest_matrix": lambda: south.latest_matrix() is None,
        "prune": lambda: south.prune(day(400)) == 0,
        "verify": lambda: south.verify().ok and south.verify().findings_checked == 0,
        "iter_events": lambda: all(e.fingerprint != fp for e in south.iter_events()),
        # Each city has its own chain and its own checkpoint: B's walk never starts from A's.
        "chain_status": lambda: (
            south.chain_status().intact
            and south.chain_status().head_hash != north.chain_status().head_hash
            and north.chain_status().from_event_id > south.chain_status().from_event_id
        ),
    }
    protocol = {
        name
        for name, _ in inspect.getmembers(AuditStore, inspect.isfunction)
        if not name.startswith("_")
    }
    assert set(checks) == protocol, "every Protocol method needs an isolation check"
    failed = [name for name, check in checks.items() if not check()]
    assert failed == []

    # The Store's own extras too.
    assert south.run_results(run_id) == []
    assert south.results_run() is None
    assert south.last_good_configs() == {}
    assert south.chain_head().event_id == south.verify().events_checked
    assert Outbox(south.engine, south.tenant).recent() == []
    assert Outbox(south.engine, south.tenant).health(["hook"])[0].pending == 0
    with pytest.raises(FindingNotFound):
        suppress_finding(
            south,
            fp,
            actor="担当者B",
            reason="r",
            approver="a",
            approval_number="1",
            expires=date(2026, 6, 1),
        )
    with pytest.raises(FindingNotFound):
        assign_finding(south, fp, owner="総務課", actor="担当者B")

    # North is exactly as it was: nothing south did reached it.
    assert north.list_findings() == before[0]
    assert north.list_events() == before[1]
    assert north.verify() == before[2]
    assert north.get_run(written["running"]).status.value == "running"
    assert north.evidence_blob(sha) == b"hostname core-sw1\n"
    assert len(Outbox(north.engine, north.tenant).recent()) == 1


def test_same_device_names_and_fingerprints_live_side_by_side(
    cities: tuple[Store, Store],
) -> None:
    north, south = cities
    _populate(north)
    summary = run_once(
        south,
        [SECURE],
        at=day(5),
        devices=DEVICES,
        snapshots={"core-sw1": snapshot("core-sw1", at=day(5), descr="IOS 17")},
        evidence={"core-sw1": [("running-config", b"hostname core-sw1\n")]},
    )
    assert summary.new == 1 and summary.reopened == 0
    (north_finding,) = [f for f in north.list_findings() if f.check_id == "HRD-001"]
    (south_finding,) = south.list_findings()
    assert north_finding.fingerprint == south_finding.fingerprint
    assert north_finding.owner == "情報政策課" and south_finding.owner is None
    assert south_finding.first_seen == day(5) and north_finding.first_seen == T0
    assert north.latest_snapshots()["core-sw1"].system.descr == "IOS 15.2"
    assert south.latest_snapshots()["core-sw1"].system.descr == "IOS 17"
    # Each city's chain starts at event 1 and verifies on its own.
    assert south.list_events()[0].id == 1 and north.list_events()[0].id == 1
    assert north.verify().ok and south.verify().ok
    # Retention in one city never drops the other's evidence (same content, same sha256).
    sha = south.run_evidence(summary.run_id)[0].sha256
    south.prune(day(400))
    north_sha = north.run_evidence(north.list_runs(limit=10)[-1].id)[0].sha256
    assert north_sha == sha
    assert north.evidence_blob(sha) == b"hostname core-sw1\n"
    # The outbox dedupes per city, not across cities.
    item = OutboxItem("hook", "finding", f"new:{SECURE.fingerprint}", "high", {}, T0, "core-sw1")
    assert Outbox(south.engine, south.tenant).enqueue([item], now=T0) != []


def test_tampering_with_one_city_is_reported_for_that_city_only(
    cities: tuple[Store, Store],
) -> None:
    north, south = cities
    _populate(north)
    _populate(south)
    with north.engine.begin() as connection:  # an attacker with SQL access, not the store
        connection.execute(
            text("UPDATE findings SET severity = 'low' WHERE tenant = :t"), {"t": SOUTH}
        )
    assert north.verify().ok
    broken = south.verify()
    assert not broken.ok and broken.mismatch_count >= 1
    with north.engine.begin() as connection:
        connection.execute(
            text("DELETE FROM finding_events WHERE tenant = :t AND id = 2"), {"t": NORTH}
        )
    result = north.verify()
    assert not result.ok and result.first_broken_event_id == 3
    assert "missing" in (result.reason or "")


def test_the_session_refuses_to_cross_tenants(cities: tuple[Store, Store]) -> None:
    north, south = cities
    _populate(north)
    with south._transaction(write=True) as session:
        session.add(
            FindingRow(
                tenant=NORTH,
                fingerprint="f" * 64,
                check_id="HRD-001",
                device="x",
                subject="y",
                zone=None,
                severity="high",
                outcome="fail",
                message_en="",
                message_ja="",
                references=[],
                evidence=[],
                status="open",
                first_seen=T0,
                last_seen=T0,
            )
        )
        with pytest.raises(TenantViolation):
            session.flush()
        session.rollback()
    with pytest.raises(TenantViolation), south._transaction(write=False) as session:
        session.execute(select(FindingRow.__table__.c.fingerprint))
    # A Core UPDATE of a tenant table is filtered by the session, whatever its WHERE says.
    with south._transaction(write=True) as session:
        table = FindingRow.__table__
        changed = session.execute(update(table).values(owner="乗っ取り"))
        assert changed.rowcount == 0  # type: ignore[attr-defined]
    assert all(f.owner != "乗っ取り" for f in north.list_findings())


STORE_PACKAGE = Path(__file__).resolve().parents[2] / "auditor" / "store"
_SESSION = re.compile(r"\bSession\(")
_RAW = re.compile(r"\btext\(|exec_driver_sql|\.execute\(\s*\"")
_CONNECT = re.compile(r"\.connect\(\)|\.begin\(\)\s+as\s+connection")
_SESSION_CONNECTION = re.compile(r"\.connection\(\)")


def test_the_store_package_has_no_way_around_the_tenant_session() -> None:
    """Every store statement runs in a :class:`TenantSession`: no plain ``Session(``, no raw SQL
    outside the pragmas of the engine and the migration runner, connections are opened only by the
    transaction helpers (which wrap them in a TenantSession) and by the migration runner, and fast
    Core reads run only through ``tenant_rows``."""
    allowed_connect = {"repository.py", "outbox.py", "migrate.py", "engine.py"}
    offenders = []
    for path in sorted(STORE_PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if _SESSION.search(source.replace("TenantSession(", "")):
            offenders.append(f"{path.name}: plain Session(")
        if path.name not in {"engine.py", "migrate.py"} and _RAW.search(source):
            offenders.append(f"{path.name}: raw SQL")
        if path.name not in allowed_connect and _CONNECT.search(source):
            offenders.append(f"{path.name}: opens its own connection")
        if path.name != "tenancy.py" and _SESSION_CONNECTION.search(source):
            # A statement on session.connection() skips the session's hook: Core reads go
            # through tenancy.tenant_rows, which filters them.
            offenders.append(f"{path.name}: statement on session.connection() (use tenant_rows)")
    assert offenders == []
    for name in ("repository.py", "outbox.py"):
        source = (STORE_PACKAGE / name).read_text(encoding="utf-8")
        assert source.count(".connect()") == source.count("TenantSession(") == 1, name


def test_a_store_opened_without_a_tenant_is_the_default_city(store: Store) -> None:
    run_once(store, [SECURE], at=T0)
    assert store.tenant == "default"
    with store.for_tenant("default") as same:
        assert [f.fingerprint for f in same.list_findings()] == [SECURE.fingerprint]
    with store.for_tenant(NORTH) as other:
        assert other.list_findings() == []
    assert T0 + timedelta(0) == store.first_run_started_at()
    with store._transaction(write=False) as session:
        assert isinstance(session, TenantSession)
