"""``auditor daemon``: scheduled polls, nightly audit, morning report, retention; systemd-friendly.

APScheduler 3.x (see docs/daemon.md for why not 4.x) runs the jobs in a thread pool. One run at a
time across kinds (a poll that would overlap the nightly audit is skipped and logged), coalescing,
jitter and misfire grace per job. SIGHUP reloads policy and inventory and keeps the last good ones
when the new files are invalid; SIGTERM stops scheduling, lets the current run finish up to a
deadline, records it as incomplete (it resolves nothing) and exits 0.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from auditor.audit.inputs import Bundle, ConfigError, load_bundle
from auditor.daemon.logs import event
from auditor.daemon.notify_jobs import NotifyJobs
from auditor.daemon.sdnotify import notify, watchdog_interval_seconds
from auditor.daemon.settings import Settings, check_city_secret
from auditor.model.findings import Finding
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import Policy, PolicyException
from auditor.rules import Registry, discover
from auditor.store.protocol import AuditStore, TimeField
from auditor.store.records import (
    ChainStatus,
    CheckResult,
    EventRecord,
    EvidenceLink,
    FindingRecord,
    MatrixRecord,
    RunRecord,
    RunSummary,
    VerifyResult,
)
from auditor.store.repository import NO_EVIDENCE, SYSTEM_ACTOR, Store

T = TypeVar("T")
log = logging.getLogger("auditor.daemon.scheduler")

POLL_SCOPES = ("collection", "history")


class StoreRetryExhaustedError(Exception):
    """The database stayed unavailable for every retry; the run's findings were logged."""


class RetryingStore:
    """The store behind retries, so a locked, read-only or restarting database delays, not loses,
    a run. It implements :class:`AuditStore` method by method: nothing reaches the store untyped.
    """

    def __init__(
        self,
        store: AuditStore | None,
        *,
        attempts: int,
        pause_seconds: float,
        stopping: Callable[[], bool],
        on_run_started: Callable[[int], None] | None = None,
    ) -> None:
        self._store = store
        self._attempts = attempts
        self._pause = pause_seconds
        self._stopping = stopping
        self._on_run_started = on_run_started

    @property
    def inner(self) -> AuditStore:
        if self._store is None:
            raise RuntimeError("the retrying store has no store yet")
        return self._store

    def _retry_call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        from auditor.store import StoreUnavailable

        name = getattr(method, "__name__", "call")
        for attempt in range(1, self._attempts + 1):
            try:
                return method(*args, **kwargs)
            except StoreUnavailable as exc:
                event(
                    log,
                    logging.WARNING,
                    "store-unavailable",
                    operation=name,
                    attempt=attempt,
                    error=str(exc)[:200],
                )
                if attempt == self._attempts:
                    raise StoreRetryExhaustedError(str(exc)) from exc
                # Keep retrying while stopping too: the findings must reach the database.
                time.sleep(self._pause if not self._stopping() else min(self._pause, 1.0))
        raise StoreRetryExhaustedError(name)  # pragma: no cover - attempts >= 1

    # -- runs -------------------------------------------------------------------------------

    def begin_run(
        self,
        kind: str,
        scope: str,
        devices: Sequence[str],
        tool_version: str,
        rule_pack_hash: str | None,
        policy_hash: str | None,
        started_at: datetime,
    ) -> int:
        """Open the run row, then tell the daemon its id (logged as ``event=run-started``)."""
        run_id = self._retry_call(
            self.inner.begin_run,
            kind=kind,
            scope=scope,
            devices=devices,
            tool_version=tool_version,
            rule_pack_hash=rule_pack_hash,
            policy_hash=policy_hash,
            started_at=started_at,
        )
        if self._on_run_started is not None:
            self._on_run_started(run_id)
        return run_id

    def record_run(
        self,
        run_id: int,
        *,
        snapshots: Mapping[str, DeviceSnapshot],
        findings: Sequence[Finding],
        covered_devices: set[str],
        evaluated_checks: set[str],
        policy: Policy,
        now: datetime,
        complete: bool,
        evidence: Mapping[str, Sequence[tuple[str, bytes]]] = NO_EVIDENCE,
        actor: str = SYSTEM_ACTOR,
        matrix: Mapping[str, Any] | None = None,
        matrix_error: str | None = None,
        results: Sequence[CheckResult] = (),
    ) -> RunSummary:
        return self._retry_call(
            self.inner.record_run,
            run_id,
            snapshots=snapshots,
            findings=findings,
            covered_devices=covered_devices,
            evaluated_checks=evaluated_checks,
            policy=policy,
            now=now,
            complete=complete,
            evidence=evidence,
            actor=actor,
            matrix=matrix,
            matrix_error=matrix_error,
            results=results,
        )

    def mark_run_incomplete(self, run_id: int, note: str, *, now: datetime | None = None) -> None:
        self._retry_call(self.inner.mark_run_incomplete, run_id, note, now=now)

    def mark_run_failed(self, run_id: int, note: str, *, now: datetime | None = None) -> None:
        self._retry_call(self.inner.mark_run_failed, run_id, note, now=now)

    def mark_running_runs_incomplete(self, note: str, *, now: datetime | None = None) -> list[int]:
        return self._retry_call(self.inner.mark_running_runs_incomplete, note, now=now)

    def get_run(self, run_id: int) -> RunRecord:
        return self._retry_call(self.inner.get_run, run_id)

    def list_runs(self, kind: str | None = None, limit: int = 50) -> list[RunRecord]:
        return self._retry_call(self.inner.list_runs, kind, limit)

    def first_run_started_at(self) -> datetime | None:
        return self._retry_call(self.inner.first_run_started_at)

    def last_run(
        self, kind: str | None = None, *, statuses: Collection[str] | None = None
    ) -> RunRecord | None:
        return self._retry_call(self.inner.last_run, kind, statuses=statuses)

    # -- findings ---------------------------------------------------------------------------

    def list_findings(
        self,
        status: Collection[str] | str | None = None,
        severity: Collection[str] | str | None = None,
        device: str | None = None,
        check_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        zone: str | None = None,
        time_field: TimeField = "last_seen",
        limit: int | None = None,
    ) -> list[FindingRecord]:
        return self._retry_call(
            self.inner.list_findings,
            status,
            severity,
            device,
            check_id,
            since,
            until,
            zone=zone,
            time_field=time_field,
            limit=limit,
        )

    def get_finding(self, fingerprint_prefix: str) -> tuple[FindingRecord, list[EventRecord]]:
        return self._retry_call(self.inner.get_finding, fingerprint_prefix)

    def ack(
        self,
        fingerprint_prefix: str,
        actor: str,
        note: str | None = None,
        *,
        now: datetime | None = None,
    ) -> FindingRecord:
        return self._retry_call(self.inner.ack, fingerprint_prefix, actor, note, now=now)

    def manual_exceptions(self) -> list[PolicyException]:
        return self._retry_call(self.inner.manual_exceptions)

    def list_events(
        self,
        *,
        until: datetime | None = None,
        types: Collection[str] | None = None,
        fingerprints: Collection[str] | None = None,
    ) -> list[EventRecord]:
        return self._retry_call(
            self.inner.list_events, until=until, types=types, fingerprints=fingerprints
        )

    # -- snapshots, evidence, history, matrix -----------------------------------------------

    def latest_snapshots(self, devices: Iterable[str] | None = None) -> dict[str, DeviceSnapshot]:
        names = list(devices) if devices is not None else None  # a retry must see them again
        return self._retry_call(self.inner.latest_snapshots, names)

    def snapshot_history(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> Sequence[DeviceSnapshot]:
        return self._retry_call(self.inner.snapshot_history, device, since, until)

    def collection_failures(self, device: str, since: datetime | None = None) -> list[datetime]:
        return self._retry_call(self.inner.collection_failures, device, since)

    def evidence_blob(self, sha256: str) -> bytes:
        return self._retry_call(self.inner.evidence_blob, sha256)

    def run_evidence(self, run_id: int) -> list[EvidenceLink]:
        return self._retry_call(self.inner.run_evidence, run_id)

    def latest_matrix(self, before: datetime | None = None) -> MatrixRecord | None:
        return self._retry_call(self.inner.latest_matrix, before)

    # -- maintenance ------------------------------------------------------------------------

    def prune(self, before: datetime) -> int:
        return self._retry_call(self.inner.prune, before)

    def verify(self, expect_head: str | None = None) -> VerifyResult:
        return self._retry_call(self.inner.verify, expect_head)

    def chain_status(self) -> ChainStatus:
        return self._retry_call(self.inner.chain_status)

    def iter_events(
        self, *, until: datetime | None = None, types: Collection[str] | None = None
    ) -> Iterator[EventRecord]:
        # A stream cannot be retried halfway; a busy store fails the report, which is retried.
        return self.inner.iter_events(until=until, types=types)


def tenant_may_read(reference: Any, settings: Settings, inventory_dir: Path | None) -> None:
    """In a multi-city deployment a secret file must lie in this city's credentials folder (or
    its inventory folder): a reference into another city's secrets is refused unread."""
    if settings.tenants:
        check_city_secret(
            reference, settings.tenant_key(), settings.credentials_directory, inventory_dir
        )


@dataclass
class CurrentRun:
    kind: str
    started: float
    run_id: int | None = None


class Daemon:
    """Owns the scheduler, the loaded configuration and the signal handling."""

    def __init__(self, settings: Settings, *, registry: Registry | None = None) -> None:
        self.settings = settings
        self.registry = registry or discover()
        self.bundle: Bundle | None = None
        self._run_lock = threading.Lock()
        self._config_lock = threading.Lock()
        self._stop = threading.Event()
        self._current: CurrentRun | None = None
        self._scheduler: BackgroundScheduler | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._store: Store | None = None
        self.abandoned_run = False  # a run or a delivery left hanging at stop: exit at once
        self._left_running: list[int] = []
        self.notifications = NotifyJobs(settings, self._raw_store)

    # configuration -------------------------------------------------------------------------

    def _load(self) -> Bundle:
        s = self.settings
        return load_bundle(s.policy, s.inventory, s.ledger, self.registry)

    def reload(self) -> bool:
        """Reload policy and inventory; on error keep the last good ones (logged with file:line)."""
        notify("RELOADING=1\nMONOTONIC_USEC=" + str(time.monotonic_ns() // 1000))
        try:
            bundle = self._load()
        except ConfigError as exc:
            for issue in exc.issues:
                event(log, logging.ERROR, "reload-rejected", issue=str(issue))
            event(log, logging.WARNING, "reload-kept-last-good", errors=len(exc.issues))
            self.notifications.reload_failed([str(issue) for issue in exc.issues])
            notify("READY=1")
            return False
        with self._config_lock:
            self.bundle = bundle
        event(
            log,
            logging.INFO,
            "reloaded",
            policy_sha256=bundle.policy_hash[:16],
            devices=len(bundle.inventory.devices),
        )
        notify("READY=1")
        return True

    # runs ------------------------------------------------------------------------------------

    def _raw_store(self) -> Store:
        """The store, opened (and migrated) on first use with the configured busy timeout."""
        if self._store is None:
            from auditor.store.url import normalize_db_url, sqlite_path

            url = normalize_db_url(self.settings.effective_db_url())
            path = sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            store = Store(
                url,
                busy_timeout_ms=self.settings.db_busy_timeout_ms,
                tenant=self.settings.tenant_key(),
            )
            store.upgrade()
            self._store = store
        return self._store

    def store(self) -> RetryingStore:
        """The store behind a retry wrapper: every call survives a locked or restarting database."""
        retrying = RetryingStore(
            None,
            attempts=self.settings.store_retry_attempts,
            pause_seconds=self.settings.store_retry_seconds,
            stopping=self._stop.is_set,
            on_run_started=self._run_started,
        )
        # Opening and migrating is retried too: the database may be down when the daemon starts.
        retrying._store = retrying._retry_call(self._raw_store)
        return retrying

    def _run_started(self, run_id: int) -> None:
        current = self._current
        if current is not None:
            current.run_id = run_id
            event(log, logging.INFO, "run-started", kind=current.kind, run_id=run_id)

    def run(self, kind: str) -> None:
        """One scheduled run: ``poll`` (SNMP, monitoring checks) or ``audit`` (everything)."""
        if self._stop.is_set():
            return
        if not self._acquire_run_lock(kind):
            return
        if self._stop.is_set():  # SIGTERM arrived while this job was starting
            self._run_lock.release()
            return
        started = time.monotonic()
        current = CurrentRun(kind=kind, started=started)
        self._current = current
        try:
            self._close_left_running()
            self._run_locked(kind, started)
        except Exception as exc:  # a failed run is logged; the daemon keeps going
            log.exception("run failed")
            event(
                log,
                logging.ERROR,
                "run-failed",
                kind=kind,
                run_id=current.run_id,
                error=type(exc).__name__,
                duration_s=f"{time.monotonic() - started:.1f}",
            )
            self._close_unrecorded(current, f"run failed: {type(exc).__name__}")
            self.notifications.run_failed(current.run_id, kind, type(exc).__name__)
        finally:
            self._current = None
            self._close_left_running()
            self._run_lock.release()

    def _acquire_run_lock(self, kind: str) -> bool:
        """A poll that would overlap another run is skipped; an audit waits for the poll to end."""
        if self._run_lock.acquire(blocking=False):
            return True
        busy = self._current.kind if self._current else "?"
        if kind == "poll":
            event(log, logging.WARNING, "run-skipped", kind=kind, reason=f"{busy} still running")
            return False
        event(log, logging.INFO, "run-waiting", kind=kind, reason=f"{busy} still running")
        while not self._stop.is_set():
            if self._run_lock.acquire(timeout=0.5):
                return True
        return False

    def _close_unrecorded(self, current: CurrentRun, note: str) -> None:
        """Best effort, one attempt: a run that was opened but not recorded must not stay
        ``running`` (it is closed as incomplete, so it resolves nothing)."""
        if current.run_id is None or self._store is None:
            return
        from auditor.store.errors import RunAlreadyRecorded

        try:
            self._store.mark_run_incomplete(current.run_id, note)
        except RunAlreadyRecorded:
            return
        except Exception as exc:
            # The database is still unwritable (disk full): try again before the next run.
            event(
                log,
                logging.WARNING,
                "run-left-running",
                run_id=current.run_id,
                error=type(exc).__name__,
            )
            self._left_running.append(current.run_id)
            return
        event(log, logging.WARNING, "run-marked-incomplete", run_id=current.run_id, note=note)

    def _close_left_running(self) -> None:
        """Close, as incomplete, earlier runs whose closing failed (one attempt each; tried
        before and after every run and at shutdown)."""
        from auditor.store.errors import RunAlreadyRecorded

        if self._store is None:
            return
        for run_id in list(self._left_running):
            try:
                self._store.mark_run_incomplete(run_id, "the database was unwritable")
            except RunAlreadyRecorded:
                pass
            except Exception as exc:  # still unwritable: keep it for the next run
                event(
                    log,
                    logging.WARNING,
                    "run-left-running",
                    run_id=run_id,
                    error=type(exc).__name__,
                )
                continue
            self._left_running.remove(run_id)
            event(log, logging.WARNING, "run-marked-incomplete", run_id=run_id)

    def _run_locked(self, kind: str, started: float) -> None:
        from auditor.audit.service import RunRequest, run
        from auditor.collect.plan import build_collectors
        from auditor.inventory.credentials import resolve_secret

        with self._config_lock:
            bundle = self.bundle
        assert bundle is not None
        collectors = build_collectors({"snmp"} if kind == "poll" else None, bundle.policy)
        inventory_dir = bundle.inventory_path
        if inventory_dir is not None and not inventory_dir.is_dir():
            inventory_dir = inventory_dir.parent

        def resolve(reference: Any) -> str:
            tenant_may_read(reference, self.settings, inventory_dir)
            secret = resolve_secret(
                reference,
                base_dir=inventory_dir,
                credentials_directory=self.settings.credentials_directory,
            )
            self.notifications.remember_secret(secret)
            return secret

        request = RunRequest(
            scope="full",
            kind=kind,
            devices=bundle.inventory.devices,
            collectors=collectors,
            resolve_secret=resolve,
            scopes=POLL_SCOPES if kind == "poll" else None,
            interrupted=self._stop.is_set,
            history_extra=self.notifications.history_extra(),
        )
        if self._stop.is_set():
            # SIGTERM arrived while the run was being prepared (the first run imports the audit
            # service and the collectors): open no run the stop would then have to wait for.
            event(log, logging.INFO, "run-skipped", kind=kind, reason="stopping")
            return
        if self.settings.distributed and kind != "poll":
            request = self._collected_by_workers(request, bundle)
        outcome = run(bundle, self.registry, self.store(), request)
        self.notifications.after_run(self.store(), outcome, kind, bundle, self.registry)
        duration = time.monotonic() - started
        by_severity: dict[str, int] = {}
        for finding in outcome.findings:
            by_severity[finding.severity.value] = by_severity.get(finding.severity.value, 0) + 1
        event(
            log,
            logging.INFO,
            "run",
            kind=kind,
            run_id=outcome.run_id,
            status=outcome.status,
            devices=f"{len(outcome.covered_devices)}/{len(bundle.inventory.devices)}",
            errors=len(outcome.errors),
            findings=len(outcome.findings),
            duration_s=f"{duration:.1f}",
            policy_sha256=bundle.policy_hash[:16],
            **by_severity,
        )
        slot = self._slot_seconds(kind)
        if slot is not None and duration > slot:
            event(log, logging.WARNING, "run-overran", kind=kind, duration_s=f"{duration:.1f}")

    def _collected_by_workers(self, request: Any, bundle: Any) -> Any:
        """Dispatch the run's devices to the Celery queues, wait for them or the deadline.

        Devices no worker reported are ``not_reported`` failures (COL findings, the run is
        partial); a broker that refuses the tasks makes every device such a failure.
        """
        from dataclasses import replace

        from auditor.collect.base import CollectionResult
        from auditor.distributed.celery_app import make_app
        from auditor.distributed.dispatch import DispatchError, collect_distributed
        from auditor.model.collection import CollectionFailure, FailureKind

        store = self._retry_raw_store()
        try:
            sent, collected = collect_distributed(
                make_app(self.settings.broker_url),
                store,
                request.devices,
                bundle.policy,
                deadline_seconds=self.settings.distributed_deadline_seconds,
                by=self.settings.shard_by,
            )
        except DispatchError as exc:
            event(log, logging.ERROR, "dispatch-failed", error=str(exc)[:200])
            collected = CollectionResult()
            collected.errors = [
                CollectionFailure(
                    device=device.name,
                    kind=FailureKind.NOT_REPORTED,
                    subject="worker:broker",
                    detail=f"not collected by worker (broker unreachable: {exc})"[:500],
                    facts={"queue": "broker-unreachable"},
                )
                for device in request.devices
            ]
        else:
            event(log, logging.INFO, "dispatched", run_key=sent.run_key, devices=sent.total)
        return replace(
            request,
            collectors=(),
            resolve_secret=None,
            snapshots=collected.snapshots,
            failures=collected.errors,
            evidence=collected.evidence,
        )

    def _retry_raw_store(self) -> Store:
        retrying = self.store()
        return retrying._retry_call(self._raw_store)

    def _slot_seconds(self, kind: str) -> float | None:
        if kind == "poll":
            return self.settings.snmp_interval_minutes * 60
        return 24 * 3600.0

    def report(self) -> None:
        """The morning report: HTML for the browser and text for mail, in ``report_dir``."""
        from auditor.report.service import ReportInputs, build_report, write_report

        with self._config_lock:
            bundle = self.bundle
        inputs = ReportInputs(
            policy=bundle.policy if bundle else None,
            inventory=bundle.inventory if bundle else None,
        )
        data = build_report(self.store(), inputs)  # reads are retried like the run's writes
        out_dir = self.settings.effective_report_dir()
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(ZoneInfo(self.settings.timezone)).strftime("%Y-%m-%d")
        html = out_dir / f"report-{stamp}.html"
        write_report(data, html, "html", self.settings.lang)
        write_report(data, out_dir / f"report-{stamp}.txt", "text", self.settings.lang)
        event(log, logging.INFO, "report", path=str(html))
        self.notifications.report_written(html, stamp)

    def retention(self) -> None:
        cutoff = datetime.now(UTC) - timedelta(days=self.settings.retention_days)
        store = self.store()
        removed = store.prune(before=cutoff)
        event(log, logging.INFO, "retention", cutoff=cutoff.date().isoformat(), removed=removed)

    # lifecycle -------------------------------------------------------------------------------

    def _build_scheduler(self) -> BackgroundScheduler:
        s = self.settings
        self._executor = ThreadPoolExecutor(max_workers=2)
        scheduler = BackgroundScheduler(
            executors={"default": self._executor},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": s.misfire_grace_seconds,
            },
            timezone=s.timezone,
        )

        def cron(hhmm: str) -> CronTrigger:
            hour, minute = hhmm.split(":")
            return CronTrigger(
                hour=int(hour), minute=int(minute), jitter=s.jitter_seconds, timezone=s.timezone
            )

        scheduler.add_job(
            self.run,
            IntervalTrigger(minutes=s.snmp_interval_minutes, jitter=s.jitter_seconds),
            args=["poll"],
            id="poll",
            next_run_time=datetime.now(UTC),
        )
        audit_trigger = (
            IntervalTrigger(minutes=s.audit_interval_minutes, jitter=s.jitter_seconds)
            if s.audit_interval_minutes is not None
            else cron(s.audit_time)
        )
        scheduler.add_job(self.run, audit_trigger, args=["audit"], id="audit")
        scheduler.add_job(self.report, cron(s.report_time), id="report")
        scheduler.add_job(self.retention, cron(s.retention_time), id="retention")
        self._add_extra_jobs(scheduler, cron)
        return scheduler

    def _add_extra_jobs(
        self, scheduler: BackgroundScheduler, cron: Callable[[str], CronTrigger]
    ) -> None:
        """Notification delivery, chain verification, the auditor pack, capture and probes."""
        s = self.settings
        if s.notify.channels:
            scheduler.add_job(
                self.notifications.dispatch,
                IntervalTrigger(seconds=s.notify.dispatch_interval_seconds),
                id="notify",
                next_run_time=datetime.now(UTC),
            )
            scheduler.add_job(self.verify_chain, cron(s.verify_time), id="verify")
        if s.notify.pack != "off":
            hour, minute = s.notify.pack_time.split(":")
            day = {"day_of_week": "mon"} if s.notify.pack == "weekly" else {"day": 1}
            scheduler.add_job(
                self.pack,
                CronTrigger(hour=int(hour), minute=int(minute), timezone=s.timezone, **day),
                id="pack",
            )
        if s.capture_interface:
            scheduler.add_job(self.capture_window, cron(s.capture_time), id="capture")
        if s.probe_from_zone:
            scheduler.add_job(self.probe, cron(s.probe_time), id="probe")

    def verify_chain(self) -> None:
        """Verify the findings' event chain daily; a broken chain is told at once."""
        result = self.store().verify()
        event(log, logging.INFO, "verify", ok=result.ok, events=result.events_checked)
        if not result.ok:
            reason = f"event {result.first_broken_event_id}: {result.reason}"
            self.notifications.verify_failed(reason, result.head_hash)

    def pack(self) -> None:
        """The weekly/monthly auditor pack (evidence bundle), written beside the reports."""
        from auditor.report.service import ReportInputs, build_report, run_export

        with self._config_lock:
            bundle = self.bundle
        inputs = ReportInputs(
            policy=bundle.policy if bundle else None,
            inventory=bundle.inventory if bundle else None,
            policy_path=self.settings.policy,
            inventory_path=self.settings.inventory,
        )
        store = self.store()
        data = build_report(store, inputs)
        out_dir = self.settings.effective_report_dir()
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(ZoneInfo(self.settings.timezone)).strftime("%Y-%m-%d")
        path = out_dir / f"auditor-pack-{stamp}.zip"
        run_export("bundle", path, data, store=store, inputs=inputs, lang=self.settings.lang)
        event(log, logging.INFO, "pack", path=str(path))
        self.notifications.pack_written(path, stamp)

    def capture_window(self) -> None:
        """Capture on the SPAN interface for ``capture_minutes`` and record it as a traffic
        run through the audit service (what ``auditor traffic watch --db`` does).

        ``capture_interface`` naming an existing file reads that capture file instead (a
        capture another tool rotates into place; the tests' fixed input).
        """
        from auditor.collect.capture import watch_interface
        from auditor.collect.traffic import analyze_files

        with self._config_lock:
            bundle = self.bundle
        source = self.settings.capture_interface
        if bundle is None or not source:
            return
        if Path(source).is_file():
            summary = analyze_files([Path(source)], bundle.policy)
        else:
            summary = watch_interface(source, self.settings.capture_minutes * 60, bundle.policy)
        self._record_traffic(bundle, summary, kind="traffic", vantage=None)

    def probe(self) -> None:
        """Active probes from this host's zone (``probe_from_zone``), recorded as a probe run."""
        from auditor.collect.probe import plan_probes, send_probes
        from auditor.model.traffic import TrafficSummary

        with self._config_lock:
            bundle = self.bundle
        zone = self.settings.probe_from_zone
        if bundle is None or not zone:
            return
        plan = plan_probes(bundle.policy, zone)
        if not plan:
            event(log, logging.WARNING, "probe-nothing-to-probe", zone=zone)
            return
        summary = TrafficSummary(sources=[f"probe:{zone}"], probes=send_probes(plan))
        self._record_traffic(bundle, summary, kind="probe", vantage=f"probe@{zone}")

    def _record_traffic(
        self, bundle: Bundle, summary: Any, *, kind: str, vantage: str | None
    ) -> None:
        import hashlib

        from auditor.audit.service import RunRequest, run
        from auditor.model.traffic import EVIDENCE_LABEL

        probe_checks = frozenset({"TRF-007", "TRF-008"})
        traffic_checks = {c.id for c in self.registry if c.scope == "traffic"}
        checks = probe_checks if kind == "probe" else traffic_checks - probe_checks
        blob = summary.to_bytes()
        digest = hashlib.sha256(blob).hexdigest()
        devices = [vantage] if vantage else []

        def cite(finding: Finding) -> Finding:
            evidence = [
                item.model_copy(update={"blob_sha256": digest})
                if item.source == "traffic"
                else item
                for item in finding.evidence
            ]
            update: dict[str, Any] = {"evidence": evidence}
            if vantage is not None:
                update["device"] = vantage
            return finding.model_copy(update=update)

        if not self._acquire_run_lock(kind):
            return
        try:
            request = RunRequest(
                scope="partial",
                kind=kind,
                view="stored",
                traffic=summary,
                only_checks=checks,
                run_devices=devices,
                covered_devices=devices,
                amend=cite,
                evidence={vantage or "": [(EVIDENCE_LABEL, blob)]},
                history_extra=self.notifications.history_extra(),
            )
            outcome = run(bundle, self.registry, self.store(), request)
        finally:
            self._run_lock.release()
        event(
            log,
            logging.INFO,
            "run",
            kind=kind,
            run_id=outcome.run_id,
            status=outcome.status,
            findings=len(outcome.findings),
        )
        self.notifications.after_run(self.store(), outcome, kind, bundle, self.registry)

    def next_runs(self) -> dict[str, datetime | None]:
        if self._scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            threading.Thread(target=self.reload, name="reload", daemon=True).start()
        elif signum in (signal.SIGTERM, signal.SIGINT):
            self._stop.set()

    def serve(self, *, run_audit_now: bool = False) -> int:
        """Run until SIGTERM; returns the process exit code."""
        self.bundle = self._load()
        self._close_runs_left_by_a_crash()
        signal.signal(signal.SIGHUP, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self._scheduler = self._build_scheduler()
        self._scheduler.start()
        if run_audit_now:
            self._scheduler.add_job(self.run, args=["audit"], id="audit-now")
        event(log, logging.INFO, "started", devices=len(self.bundle.inventory.devices))
        notify("READY=1\nSTATUS=scheduling")
        watchdog = watchdog_interval_seconds()
        self._write_status()
        while not self._stop.wait(timeout=min(watchdog or 1.0, 1.0)):
            if watchdog is not None:
                notify("WATCHDOG=1")
            self._write_status()
        code = self._shutdown()
        self._write_status(stopped=True)
        return code

    def _close_runs_left_by_a_crash(self) -> None:
        """Runs still ``running`` at start whose process is gone (crash, power loss): close them.

        A run of a live process (``auditor run`` started by hand) is left to finish.
        """
        try:  # one attempt: a database that is down must not delay READY=1
            closed = self._raw_store().close_ghost_runs(include_unknown=True)
        except Exception as exc:  # runs will retry on their own
            event(log, logging.WARNING, "store-unavailable-at-start", error=type(exc).__name__)
            return
        if closed:
            event(log, logging.WARNING, "closed-stale-runs", run_ids=",".join(map(str, closed)))

    def status_file(self) -> Path:
        return self.settings.state_dir / self.settings.status_file_name()

    def _write_status(self, *, stopped: bool = False) -> None:
        """A small JSON file `auditor status` reads: pid, current run, next scheduled runs."""
        current = self._current
        payload = {
            "pid": None if stopped else os.getpid(),
            "updated": datetime.now(UTC).isoformat(),
            "current_run": None if current is None else current.kind,
            "next_runs": {
                name: when.isoformat() if when else None for name, when in self.next_runs().items()
            }
            if not stopped
            else {},
        }
        path = self.status_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(payload), encoding="utf-8")
            temporary.replace(path)
        except OSError as exc:  # a full or read-only disk must not stop the daemon
            event(log, logging.WARNING, "status-file-unwritable", error=str(exc)[:200])

    def _shutdown(self) -> int:
        notify("STOPPING=1")
        event(log, logging.INFO, "stopping")
        assert self._scheduler is not None
        deadline = time.monotonic() + self.settings.stop_deadline_seconds
        self._scheduler.shutdown(wait=False)
        # Holding the run lock from here on means no run is in progress and none can start
        # (a job thread that was about to start one sees the stop request once it has the lock).
        if not self._run_lock.acquire(timeout=self.settings.stop_deadline_seconds):
            # The run thread is still collecting: mark the run incomplete so nothing it saw
            # resolves anything, and leave without waiting for it (see daemon_cli).
            current = self._current
            event(
                log,
                logging.WARNING,
                "stop-deadline-reached",
                kind=current.kind if current else "?",
            )
            self._mark_current_incomplete()
            self.abandoned_run = True
        else:
            self._close_left_running()
        if not self.notifications.wait_idle(deadline - time.monotonic()):
            # A mail/syslog/webhook server that never answers would otherwise hold the exit
            # for the client's whole timeout (interpreter exit joins the job threads); the row
            # is still pending and goes out after the restart. Leave like an abandoned run.
            event(log, logging.WARNING, "stop-delivery-abandoned")
            self.abandoned_run = True
        event(log, logging.INFO, "stopped")
        return 0

    def close(self) -> None:
        """After a clean stop: wait for the jobs still running (a report, the retention), as
        interpreter exit would, then close the store's connections (SQLite checkpoints its WAL
        into the file on the last one), so the process may leave without the interpreter's own
        clean-up."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self._store is not None:
            self._store.close()

    def _mark_current_incomplete(self) -> None:
        current = self._current
        if current is not None:
            self._close_unrecorded(current, "stopped by SIGTERM before the run finished")
