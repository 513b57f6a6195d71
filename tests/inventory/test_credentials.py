"""Credential references resolve from env, files and systemd credentials, never echoing secrets."""

from __future__ import annotations

import pytest

from auditor.inventory.credentials import CredentialError, resolve_secret
from auditor.inventory.models import CredentialRef


def test_an_env_reference_reads_the_variable():
    ref = CredentialRef(env="SNMP_COMMUNITY")
    assert resolve_secret(ref, environ={"SNMP_COMMUNITY": "s3cret"}) == "s3cret"


def test_a_missing_variable_names_the_reference():
    with pytest.raises(CredentialError, match="env:SNMP_COMMUNITY: environment variable is not"):
        resolve_secret(CredentialRef(env="SNMP_COMMUNITY"), environ={})


def test_a_file_reference_is_read_relative_to_the_inventory_and_loses_one_newline(tmp_path):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "ssh").write_text("pa ss\n\n", encoding="utf-8")

    secret = resolve_secret(CredentialRef(file="secrets/ssh"), base_dir=tmp_path)

    assert secret == "pa ss\n"


def test_an_absolute_file_reference_and_a_missing_file(tmp_path):
    path = tmp_path / "key"
    path.write_text("abc\r\n", encoding="utf-8")
    assert resolve_secret(CredentialRef(file=str(path))) == "abc"

    with pytest.raises(CredentialError) as caught:
        resolve_secret(CredentialRef(file=str(tmp_path / "nope")))
    assert str(caught.value).startswith(f"credential file:{tmp_path / 'nope'}: file ")


def test_a_systemd_credential_is_read_from_the_credentials_directory(tmp_path):
    (tmp_path / "snmp-auth").write_text("authpass\n", encoding="utf-8")
    ref = CredentialRef(systemd="snmp-auth")

    assert resolve_secret(ref, credentials_directory=tmp_path) == "authpass"
    assert resolve_secret(ref, environ={"CREDENTIALS_DIRECTORY": str(tmp_path)}) == "authpass"


def test_a_systemd_credential_without_a_directory_or_with_a_path_name_is_an_error(tmp_path):
    with pytest.raises(CredentialError, match="CREDENTIALS_DIRECTORY is not set"):
        resolve_secret(CredentialRef(systemd="snmp-auth"), environ={})
    with pytest.raises(CredentialError, match="plain file name"):
        resolve_secret(CredentialRef(systemd="../etc/shadow"), credentials_directory=tmp_path)


def test_errors_never_contain_the_secret(tmp_path):
    path = tmp_path / "empty"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(CredentialError) as caught:
        resolve_secret(CredentialRef(file=str(path)))
    assert "is empty" in str(caught.value)

    binary = tmp_path / "binary"
    binary.write_bytes(b"hunter2\xff")
    with pytest.raises(CredentialError) as caught:
        resolve_secret(CredentialRef(file=str(binary)))
    assert "hunter2" not in str(caught.value)
