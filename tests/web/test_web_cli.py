"""``auditor web user add|passwd|disable|list``: passwords from stdin or a prompt, never argv."""

from __future__ import annotations

from pathlib import Path

from auditor.store import Store, console
from auditor.web.auth import verify_password
from tests.cli_tree import CliRunner, build_app

SECRET = "a long enough passphrase"


def test_users_are_managed_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    app = build_app("en")
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["web", "user", "add", "sato", "--role", "triager", "--password-stdin", "--db", url],
        input=SECRET + "\n",
    )
    assert added.exit_code == 0, added.output
    assert SECRET not in added.output
    with Store(url) as store:
        found = console.get_user(store, "sato")
        assert found is not None and found[0].role == "triager"
        assert found[1] is not None and found[1].startswith("$argon2")
        assert verify_password(found[1], SECRET)
    listed = runner.invoke(app, ["web", "user", "list", "--db", url])
    assert "sato" in listed.output and "$argon2" not in listed.output
    changed = runner.invoke(
        app,
        ["web", "user", "passwd", "sato", "--password-stdin", "--db", url],
        input="other long secret\n",
    )
    assert changed.exit_code == 0, changed.output
    with Store(url) as store:
        found = console.get_user(store, "sato")
        assert found is not None and verify_password(found[1], "other long secret")
    disabled = runner.invoke(app, ["web", "user", "disable", "sato", "--db", url])
    assert disabled.exit_code == 0
    with Store(url) as store:
        found = console.get_user(store, "sato")
        assert found is not None and found[0].disabled


def test_bad_input_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    app = build_app("en")
    runner = CliRunner()
    short = runner.invoke(
        app, ["web", "user", "add", "kato", "--password-stdin", "--db", url], input="short\n"
    )
    assert short.exit_code == 2
    role = runner.invoke(
        app, ["web", "user", "add", "kato", "--role", "root", "--no-password", "--db", url]
    )
    assert role.exit_code == 2
    assert (
        runner.invoke(app, ["web", "user", "add", "kato", "--no-password", "--db", url]).exit_code
        == 0
    )
    again = runner.invoke(app, ["web", "user", "add", "kato", "--no-password", "--db", url])
    assert again.exit_code == 2 and "already exists" in again.output
    unknown = runner.invoke(app, ["web", "user", "disable", "nobody", "--db", url])
    assert unknown.exit_code == 2
    help_text = runner.invoke(app, ["web", "user", "add", "--help"]).output
    assert "--password " not in help_text
