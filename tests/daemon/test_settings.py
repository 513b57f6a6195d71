"""The generated sample config names every option and is itself a valid config."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from auditor.daemon.settings import Settings, sample_config


def test_the_sample_config_lists_every_option_and_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = sample_config()
    for name in Settings.model_fields:
        assert f"AUDITOR_{name.upper()}" in text
    path = tmp_path / "auditor.toml"
    path.write_text(text, encoding="utf-8")
    tomllib.loads(text)
    monkeypatch.setenv("AUDITOR_CONFIG", str(path))
    settings = Settings()
    assert settings.snmp_interval_minutes == 15


def test_environment_variables_override_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "auditor.toml"
    path.write_text('audit_time = "01:30"\nsnmp_interval_minutes = 5\n', encoding="utf-8")
    monkeypatch.setenv("AUDITOR_CONFIG", str(path))
    monkeypatch.setenv("AUDITOR_SNMP_INTERVAL_MINUTES", "7")
    settings = Settings()
    assert settings.audit_time == "01:30"
    assert settings.snmp_interval_minutes == 7


def test_an_unknown_option_in_the_config_file_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "auditor.toml"
    path.write_text("snmp_intervall_minutes = 5\n", encoding="utf-8")
    monkeypatch.setenv("AUDITOR_CONFIG", str(path))
    with pytest.raises(Exception, match="snmp_intervall_minutes"):
        Settings()
