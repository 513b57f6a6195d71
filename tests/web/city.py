"""A small stored city for the web console tests: findings (one with hostile device text),
a snapshot with a configuration change, and one account per role."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot, Interface, SystemInfo
from auditor.policy.models import Policy
from auditor.store import Store, console
from auditor.web import auth
from auditor.web.auth import hash_password
from tests.store.helpers import run_once

T0 = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
USERS = {"viewer1": "viewer", "triager1": "triager", "approver1": "approver", "admin1": "admin"}
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\x1b[31m\x07bell'

# argon2id with the smallest cost: a hash or a sign-in takes microseconds instead of 0.18 s of
# CPU (64 MiB, three passes, four lanes). What the tests prove (who may sign in, the rate limit,
# sessions) does not depend on the cost; test_web_security pins the production parameters.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# The console's own hasher, read before any fixture below can have swapped it.
PRODUCTION_HASHER = auth._HASHER


@pytest.fixture(scope="session")
def cheap_password_hashing() -> Iterator[PasswordHasher]:
    """Swap the console's argon2 parameters for the cheapest ones while the tests run; yields
    the production hasher. A hash records its parameters, so verifying one made here stays cheap
    and one made by a real ``auditor web user add`` process is verified at full cost. (Imported
    by two folders, it may be set up twice in a session: both restore the production hasher.)"""
    auth._HASHER = CHEAP_HASHER
    try:
        yield PRODUCTION_HASHER
    finally:
        auth._HASHER = PRODUCTION_HASHER


ZONES = ("internet", "lgwan", "mynumber", "management")


def _cell(source: str, target: str) -> dict[str, object]:
    """One cell as ``ZoneMatrix.to_json`` stores it."""
    permits = []
    path: dict[str, object] | None = {"status": "not-reachable", "violations": []}
    if (source, target) == ("internet", "lgwan"):  # fw1's rule#12 goes beyond the policy
        permits.append(
            {
                "device": "fw1",
                "kind": "fw",
                "subject": "rule#12 internet->lgwan",
                "line": "rule 12 permit any",
                "services": ["any"],
                "destinations": None,
                "within_policy": False,
            }
        )
    if (source, target) == ("lgwan", "internet"):
        permits.append(
            {
                "device": "fw1",
                "kind": "fw",
                "subject": "rule#3 lgwan->internet",
                "line": "rule 3 permit tcp/443 via proxy",
                "services": ["tcp/443"],
                "destinations": None,
                "within_policy": True,
            }
        )
    if (source, target) == ("internet", "mynumber"):
        path = {
            "status": "reachable",
            "violations": [{"service": "tcp/443", "reason": "no flow", "trace": "fw1 → core1"}],
        }
    allowed = [] if (source, target) != ("lgwan", "internet") else [{"flow_id": "web"}]
    status = "excess" if any(not p["within_policy"] for p in permits) else "ok"
    if not permits and not allowed:
        status = "denied"
    return {
        "from": source,
        "to": target,
        "status": status,
        "allowed_by_policy": allowed,
        "permitted_by_config": permits,
        "observed_in_traffic": [],
        "reachable_by_path": path,
    }


MATRIX = {
    "zones": list(ZONES),
    "cells": [_cell(source, target) for source in ZONES for target in ZONES if source != target],
}


def findings() -> list[Finding]:
    def make(
        check: str,
        device: str | None,
        subject: str,
        severity: Severity,
        zone: str,
        message: str | None = None,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> Finding:
        return Finding(
            check_id=check,
            severity=severity,
            device=device,
            subject=subject,
            zone=zone,
            message_en=message or f"{device}: {subject} violates {check}",
            message_ja=message or f"{device} の {subject} は {check} に違反しています",
            references=[Reference(kind="guideline", key="アクセス制御")],
            evidence=list(evidence),
        )

    return [
        make("SEG-005", "fw1", "rule#12 internet->lgwan", Severity.CRITICAL, "lgwan"),
        make(
            "SEG-013",
            None,
            "path:internet->mynumber",
            Severity.CRITICAL,
            "mynumber",
            evidence=(
                EvidenceRef(source="engine", detail="internet → fw1 (rule#3) → core1 → mynumber"),
            ),
        ),
        make("HRD-001", "core1", "line vty 0 4", Severity.HIGH, "management"),
        make(
            "HRD-002",
            "core1",
            HOSTILE,
            Severity.MEDIUM,
            "management",
            message=HOSTILE,
            evidence=(EvidenceRef(source="ssh", detail=HOSTILE),),
        ),
        make("MON-001", "edge2", "syslog", Severity.LOW, "internet"),
    ]


def snapshot(at: datetime, config: str) -> DeviceSnapshot:
    return DeviceSnapshot(
        device="core1",
        collected_at=at,
        system=SystemInfo(name="core1", descr="IOS 15.2", vendor="cisco", model="C9300"),
        interfaces=[
            Interface(name="Gi0/1", mode="access", access_vlan=10, alias=HOSTILE),
            Interface(name="Vlan10", addresses=["10.0.10.1/24"]),
        ],
        config_redacted=config,
        config_hash=hashlib.sha256(config.encode()).hexdigest(),
    )


def build(path: Path) -> str:
    """Create the store at ``path``; returns its URL."""
    url = f"sqlite:///{path}"
    with Store(url) as store:
        store.upgrade()
        items = findings()
        run_once(
            store,
            items,
            at=T0,
            devices=("fw1", "core1", "edge2"),
            snapshots={
                "core1": snapshot(T0, "hostname core1\nline vty 0 4\n transport input telnet\n")
            },
        )
        second = T0 + timedelta(days=1)
        run_id = store.begin_run(
            "audit", "full", ["fw1", "core1", "edge2"], "test", "rules", "policy", second
        )
        store.record_run(
            run_id,
            snapshots={
                "core1": snapshot(second, "hostname core1\nline vty 0 4\n transport input ssh\n")
            },
            findings=items,
            covered_devices={"fw1", "core1", "edge2"},
            evaluated_checks={f.check_id for f in items},
            policy=Policy(),
            now=second,
            complete=True,
            matrix=MATRIX,
        )
        hashed = hash_password(PASSWORD)
        for name, role in USERS.items():
            console.add_user(store, name, role=role, password_hash=hashed)
    return url


def fingerprint_of(check: str) -> str:
    return next(f.fingerprint for f in findings() if f.check_id == check)


CSRF = re.compile(r'name="csrf" value="([^"]+)"')
