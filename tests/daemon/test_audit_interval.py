"""``audit_interval_minutes`` replaces the nightly audit time with an interval (soak runs)."""

from __future__ import annotations

from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from auditor.daemon.scheduler import Daemon
from auditor.daemon.settings import Settings


def _audit_trigger(tmp_path: Path, **values: object) -> object:
    settings = Settings(state_dir=tmp_path, jitter_seconds=0, **values)  # type: ignore[arg-type]
    scheduler = Daemon(settings)._build_scheduler()
    return scheduler.get_job("audit").trigger


def test_the_audit_runs_at_audit_time_by_default(tmp_path: Path) -> None:
    assert isinstance(_audit_trigger(tmp_path), CronTrigger)


def test_an_audit_interval_schedules_the_audit_every_n_minutes(tmp_path: Path) -> None:
    trigger = _audit_trigger(tmp_path, audit_interval_minutes=10)
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval.total_seconds() == 600
