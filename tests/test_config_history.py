"""``config show/diff``: the configuration in force at a date and what changed, from a real store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.model.snapshot import DeviceSnapshot
from auditor.report.config_history import NoConfiguration, config_at, diff_config, show_config
from auditor.store import Store
from tests import builders

DAY1 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CONFIGS = (
    "hostname sw1\ninterface Gi0/3\n switchport access vlan 21\n",
    "hostname sw1\ninterface Gi0/3\n switchport access vlan 21\n",  # unchanged on day 2
    "hostname sw1\ninterface Gi0/3\n switchport access vlan 10\n",
)


def record(store: Store, config: str, at: datetime) -> None:
    snapshot = DeviceSnapshot(
        device="sw1",
        collected_at=at,
        config_redacted=config,
        config_hash=hashlib.sha256(config.encode()).hexdigest(),
    )
    run_id = store.begin_run(
        kind="audit",
        scope="full",
        devices=["sw1"],
        tool_version="test",
        rule_pack_hash=None,
        policy_hash=None,
        started_at=at,
    )
    store.record_run(
        run_id,
        snapshots={"sw1": snapshot},
        findings=[],
        covered_devices={"sw1"},
        evaluated_checks=set(),
        policy=builders.policy(),
        now=at,
        complete=True,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(f"sqlite:///{tmp_path / 'auditor.db'}")
    opened.upgrade()
    for day, config in enumerate(CONFIGS):
        record(opened, config, DAY1 + timedelta(days=day))
    return opened


def test_show_gives_the_configuration_in_force_at_a_date(store: Store) -> None:
    assert "vlan 21" in show_config(store, "sw1", DAY1 + timedelta(days=1, hours=5))
    assert "vlan 10" in show_config(store, "sw1")
    assert config_at(store, "sw1", DAY1 + timedelta(days=1)).collected_at == DAY1


def test_diff_without_dates_shows_the_last_change(store: Store) -> None:
    diff = diff_config(store, "sw1")
    assert "- switchport access vlan 21" in diff and "+ switchport access vlan 10" in diff


def test_diff_between_two_dates_with_the_same_configuration_is_empty(store: Store) -> None:
    assert diff_config(store, "sw1", DAY1, DAY1 + timedelta(days=1, hours=1)) == ""


def test_before_the_first_collection_there_is_no_configuration(store: Store) -> None:
    with pytest.raises(NoConfiguration):
        config_at(store, "sw1", DAY1 - timedelta(days=1))


def test_the_cli_prints_the_diff_the_module_entry_point_used_to(
    store: Store, tmp_path: Path
) -> None:
    """``python -m auditor.report.config_history`` is gone; ``auditor config diff`` prints it."""
    from tests.cli_tree import CliRunner, build_app

    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    result = CliRunner().invoke(build_app("en"), ["config", "diff", "sw1", "--db", url])  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    assert result.stdout == diff_config(store, "sw1") + "\n"
    assert "+ switchport access vlan 10" in result.stdout
