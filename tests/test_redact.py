from __future__ import annotations

import difflib
import io
import logging

import pytest

from auditor.platforms.secrets import SECRET_SYNTAXES, SecretSyntax
from auditor.redact import RedactingFilter, contains_marker, marker, redact_config, redact_text
from tests.secret_configs import PLANTED

SALT = b"test-salt"


@pytest.mark.parametrize("platform", sorted(PLANTED))
def test_no_planted_secret_survives_redaction_of_any_platform_config(platform: str) -> None:
    config, secrets = PLANTED[platform]
    redacted = redact_config(config, salt=SALT).encode("utf-8")
    for secret in secrets:
        assert secret.encode("utf-8") not in redacted, (platform, secret)
    assert contains_marker(redacted.decode())


@pytest.mark.parametrize("platform", sorted(PLANTED))
def test_redaction_keeps_the_non_secret_structure(platform: str) -> None:
    config, _ = PLANTED[platform]
    redacted = redact_config(config, salt=SALT)
    assert len(redacted.splitlines()) <= len(config.splitlines())
    assert redacted.splitlines()[0].split()[0] == config.splitlines()[0].split()[0]


def test_the_same_secret_gives_the_same_marker_and_a_changed_one_a_different_marker() -> None:
    one = redact_config("snmp-server community alpha RO", salt=SALT)
    again = redact_config("snmp-server community alpha RO", salt=SALT)
    changed = redact_config("snmp-server community beta RO", salt=SALT)
    assert one == again
    assert one != changed
    assert one == f"snmp-server community {marker('alpha', salt=SALT)} RO"


def test_the_marker_depends_on_the_salt() -> None:
    assert marker("alpha", salt=b"a") != marker("alpha", salt=b"b")


def test_redaction_is_idempotent() -> None:
    for config, _ in PLANTED.values():
        once = redact_config(config, salt=SALT)
        assert redact_config(once, salt=SALT) == once


def test_harmless_lines_are_untouched() -> None:
    text = (
        "service password-encryption\n"
        "interface GigabitEthernet0/1\n"
        " switchport access vlan 10\n"
        "sshd auth method password\n"
        " set allowaccess ping https ssh\n"
        "ip ssh version 2\n"
    )
    assert redact_config(text, salt=SALT) == text


def test_free_text_key_value_secrets_and_known_secrets_are_redacted() -> None:
    text = "login failed for admin password=Hunter22 via token: abc123def; used S3cretPw"
    redacted = redact_text(text, salt=SALT, secrets=["S3cretPw"])
    assert "Hunter22" not in redacted
    assert "abc123def" not in redacted
    assert "S3cretPw" not in redacted
    assert "login failed for admin" in redacted


def test_the_logging_filter_redacts_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(salt=SALT, secrets=["KnownPw99"]))
    logger = logging.getLogger("tests.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("pushing %s", "snmp-server community CityRoComm1 RO")
        try:
            raise ValueError("auth with KnownPw99 failed")
        except ValueError:
            logger.exception("collector crashed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "CityRoComm1" not in output
    assert "KnownPw99" not in output
    assert "collector crashed" in output
    assert "<redacted:sha256:" in output


SYNTAXES = [
    (platform, row)
    for platform, rows in sorted(SECRET_SYNTAXES.items())
    for row in rows
    if row.secret
]


@pytest.mark.parametrize(("platform", "row"), SYNTAXES, ids=[f"{p}:{r.what}" for p, r in SYNTAXES])
def test_every_secret_syntax_of_every_platform_is_redacted_everywhere(
    platform: str, row: SecretSyntax
) -> None:
    """Stored config, unparsed-line evidence, diffs and logs all lose the secret (issue 14)."""
    stored = redact_config(f"hostname h\n{row.example}\n", salt=SALT)
    evidence = redact_config(f"interface X / {row.example.strip()}", salt=SALT)
    text = redact_text(f"parse failed near: {row.example}", salt=SALT)
    changed = redact_config(row.example.replace(row.secret, row.secret + "X"), salt=SALT)
    diff = "\n".join(difflib.unified_diff(stored.splitlines(), changed.splitlines()))
    for where, value in (("config", stored), ("evidence", evidence), ("log", text), ("diff", diff)):
        assert row.secret not in value, (platform, row.what, where, value)
    assert contains_marker(stored)


def test_a_changed_secret_still_shows_in_a_diff_as_a_changed_marker() -> None:
    one = redact_config("ike policy p peer 192.0.2.1 key Alpha123 p1", salt=SALT)
    two = redact_config("ike policy p peer 192.0.2.1 key Beta4567 p1", salt=SALT)
    assert one != two and contains_marker(one) and contains_marker(two)


def test_finding_subjects_naming_a_default_community_survive_every_export_unchanged() -> None:
    """HRD-001's ``snmp-community:v2c:public`` must match the stored finding in every export."""
    subject = "snmp-community:v2c:public"
    assert redact_text(subject, salt=b"export-1") == subject
    assert redact_text(subject, salt=b"export-2") == subject
    assert "Hunter22" not in redact_text("community: Hunter22", salt=SALT)
