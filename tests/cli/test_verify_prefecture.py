"""``auditor verify --prefecture``: the prefecture console's account chain, checked from the shell.

The prefecture's accounts live under a reserved tenant that ``--tenant`` can never select, so
without this option its chain (sign-ins, user changes) could only be verified by the web tests.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from auditor.store.repository import Store
from auditor.store.tenancy import PREFECTURE_TENANT
from tests.cli_tree import CliRunner, build_app


def _add_prefecture_user(url: str, name: str) -> None:
    args = ["web", "--prefecture", "user", "add", name, "--role", "admin", "--password-stdin"]
    added = CliRunner().invoke(
        build_app("en"), [*args, "--db", url], input="a long enough passphrase\n"
    )
    assert added.exit_code == 0, added.output


def test_verify_prefecture_walks_the_prefecture_chain_and_catches_an_edit(tmp_path: Path) -> None:
    db = tmp_path / "kyojin.db"
    url = f"sqlite:///{db}"
    _add_prefecture_user(url, "ken-admin")
    _add_prefecture_user(url, "ken-csirt")
    with Store(url, tenant=PREFECTURE_TENANT) as store:
        events = store.verify().events_checked
    assert events >= 2  # one chained event per account added

    runner = CliRunner()
    ok = runner.invoke(build_app("en"), ["verify", "--prefecture", "--db", url])
    assert ok.exit_code == 0, ok.output
    assert str(events) in ok.output

    # An account event rewritten outside the store breaks the prefecture's chain ...
    with sqlite3.connect(db) as conn:
        changed = conn.execute(
            "UPDATE finding_events SET actor = 'mallory' WHERE tenant = ? AND id = 1",
            (PREFECTURE_TENANT,),
        ).rowcount
    assert changed == 1
    broken = runner.invoke(build_app("en"), ["verify", "--prefecture", "--db", url])
    assert broken.exit_code == 1, broken.output
    # ... and only that chain: the city's own chain (empty here) is not touched by it.
    city = runner.invoke(build_app("en"), ["verify", "--db", url])
    assert "mallory" not in city.output
    with Store(url) as store:
        assert store.verify().events_checked == 0


def test_verify_prefecture_refuses_a_tenant_in_both_languages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kyojin.db'}"
    _add_prefecture_user(url, "ken-admin")
    runner = CliRunner()
    for lang, word in (("ja", "都道府県"), ("en", "prefecture")):
        both = runner.invoke(
            build_app(lang), ["--tenant", "kita", "verify", "--prefecture", "--db", url]
        )
        assert both.exit_code == 2, both.output
        assert "--tenant" in both.output and word in both.output
