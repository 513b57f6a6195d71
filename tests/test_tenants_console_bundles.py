"""Tenants across the features that arrived with main: the web console and imported bundles.

One SQLite store holds two cities. City A (``default``) is the web tests' stored city with its
accounts; city B (``south``) has its own account and one finding. City A's user cannot sign in to
B's console, and B's console shows none of A's findings. A bundle imported for A is invisible to
B, and B's replay register is its own (the same bundle is accepted once per city).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from auditor.model.findings import Finding, Reference, Severity
from auditor.store import Store, console
from auditor.store.handover import find_bundle
from auditor.web.app import WebConfig, create_app
from auditor.web.auth import hash_password
from tests.distributed.test_bundles import (  # the bundle tests' real collector and keys
    POLICY,
    _cli,
    _collect,
    _env,  # noqa: F401 (autouse fixture: redaction salt and state folder)
    city,  # noqa: F401 (fixture)
    keys,  # noqa: F401 (fixture)
    scenario,  # noqa: F401 (fixture)
)
from tests.store.helpers import run_once
from tests.web.city import CSRF, PASSWORD, T0, build, findings
from tests.web.city import cheap_password_hashing as cheap_password_hashing  # fixture


@pytest.fixture(autouse=True)
def _cheap_argon2(cheap_password_hashing: object) -> None:
    """Sign-ins with the cheap argon2 parameters, as in the web tests (``tests.web.city``)."""


SOUTH = "south"
SOUTH_USER = "south-admin"
SOUTH_PASSWORD = "south city passphrase 1"


def _south_finding() -> Finding:
    return Finding(
        check_id="HRD-001",
        severity=Severity.HIGH,
        device="south-sw1",
        subject="line vty 0 4",
        zone="lgwan",
        message_en="telnet on south-sw1",
        message_ja="south-sw1 で telnet",
        references=[Reference(kind="guideline", key="アクセス制御")],
    )


def _sign_in(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token.group(1), "next": "/"},
    )
    return answer.status_code


def test_a_city_user_cannot_sign_in_to_another_citys_console(tmp_path: Path) -> None:
    url = build(tmp_path / "auditor.db")  # city A: findings and one account per role
    with Store(url, tenant=SOUTH) as south:
        run_once(south, [_south_finding()], at=T0, devices=("south-sw1",))
        console.add_user(
            south, SOUTH_USER, role="admin", password_hash=hash_password(SOUTH_PASSWORD)
        )
        assert {u.username for u in console.list_users(south)} == {SOUTH_USER}
        app = create_app(WebConfig(db_url=url, tenant=SOUTH, overview_wait=120.0), south)
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            # A's admin, with A's correct password, is unknown to B's console.
            assert _sign_in(client, "admin1", PASSWORD) == 401
            assert client.get("/findings").status_code in (302, 303)
            assert _sign_in(client, SOUTH_USER, SOUTH_PASSWORD) == 303
            listing = client.get("/findings")
            assert listing.status_code == 200
            assert "south-sw1" in listing.text
            for finding in findings():
                assert finding.fingerprint not in listing.text
                assert client.get(f"/findings/{finding.fingerprint}").status_code == 404
    # A's console still has A's users and never B's.
    with Store(url) as north:
        names = {u.username for u in console.list_users(north)}
        assert SOUTH_USER not in names and "admin1" in names
        app = create_app(WebConfig(db_url=url, overview_wait=120.0), north)
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            assert _sign_in(client, SOUTH_USER, SOUTH_PASSWORD) == 401


def test_a_console_refuses_a_store_of_another_city(tmp_path: Path) -> None:
    url = build(tmp_path / "auditor.db")
    with Store(url, tenant=SOUTH) as south, pytest.raises(ValueError):
        create_app(WebConfig(db_url=url), south)


def _import_for(tenant: str, bundle: Path, inventory: Path, folders: dict[str, Path], db: Path):
    return _cli(
        [
            "--tenant",
            tenant,
            "import",
            str(bundle),
            "--policy",
            str(POLICY),
            "--inventory",
            str(inventory),
            "--db",
            str(db),
            "--keys",
            str(folders["central"]),
            "--fail-on",
            "never",
            "--format",
            "json",
        ]
    )


def test_a_bundle_imported_for_one_city_is_invisible_to_another(
    city: Path,  # noqa: F811
    keys: dict[str, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    bundle = _collect(city, keys, tmp_path / "drop", tenant="north")
    db = tmp_path / "central.db"
    code, output = _import_for("north", bundle, city, keys, db)
    assert code in (0, 1, 3), output
    with Store(str(db), tenant="north") as north, north.for_tenant(SOUTH) as south:
        assert north.list_runs() and north.list_findings()
        assert south.list_runs() == [] and south.list_findings() == []
        imported = _register_ids(north)
        assert len(imported) == 1
        assert find_bundle(south, imported[0]) is None
    # The replay register is per city: a replay for north is refused...
    code, output = _import_for("north", bundle, city, keys, db)
    assert code == 2, output
    # ...north's bundle names its city in the signed manifest: south refuses it...
    code, output = _import_for(SOUTH, bundle, city, keys, db)
    assert code == 2, output
    assert "north" in output
    # ...while south imports a bundle collected for south once (its own register), then not again.
    south_bundle = _collect(city, keys, tmp_path / "drop-south", tenant=SOUTH)
    code, output = _import_for(SOUTH, south_bundle, city, keys, db)
    assert code in (0, 1, 3), output
    code, output = _import_for(SOUTH, south_bundle, city, keys, db)
    assert code == 2, output
    with Store(str(db), tenant=SOUTH) as south, south.for_tenant("north") as north:
        assert len(south.list_runs()) == 1 and len(north.list_runs()) == 1
        assert {r.id for r in south.list_runs()}.isdisjoint(r.id for r in north.list_runs())


def _register_ids(store: Store) -> list[str]:
    from sqlalchemy import select

    from auditor.store.models import ImportedBundleRow

    with store._transaction(write=False) as session:
        return list(session.scalars(select(ImportedBundleRow.bundle_id)))
