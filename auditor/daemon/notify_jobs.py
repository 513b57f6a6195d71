"""The daemon's notification side: enqueue after each event, deliver on a timer; plus the
scheduled traffic capture window and active probes.

Nothing here may break a run: every hook logs its own failure and returns. Delivery runs in its
own job, so a dead mail server never delays an audit, and the outbox survives restarts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.daemon.logs import event
from auditor.daemon.settings import Settings
from auditor.notify.detect import run_event, simple_event
from auditor.notify.service import Notifier

if TYPE_CHECKING:
    from auditor.audit.engine import RunOutcome
    from auditor.audit.inputs import Bundle
    from auditor.rules import Registry
    from auditor.store.protocol import AuditStore
    from auditor.store.repository import Store

log = logging.getLogger("auditor.daemon.notify")


class NotifyJobs:
    """Built lazily on the daemon's store; every public method swallows and logs its errors."""

    def __init__(self, settings: Settings, raw_store: Callable[[], Store]) -> None:
        self.settings = settings
        self._raw_store = raw_store
        self._notifier: Notifier | None = None
        self._dispatching = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.settings.notify.channels)

    def notifier(self) -> Notifier:
        if self._notifier is None:
            from auditor.daemon.logs import log_salt
            from auditor.store.outbox import Outbox

            self._notifier = Notifier(
                self.settings.notify,
                Outbox(self._raw_store().engine, self._raw_store().tenant),
                tz=self.settings.timezone,
                salt=log_salt(self.settings.state_dir),
            )
        return self._notifier

    def remember_secret(self, secret: str) -> None:
        """A device secret the run resolved: masked in every message."""
        if self.enabled:
            self.notifier().scrubber.add_secret(secret)

    def history_extra(self) -> dict[str, Any]:
        if not self.enabled:
            return {}
        try:
            return self.notifier().history_extra()
        except Exception as exc:
            event(log, logging.WARNING, "notify-state-unreadable", error=type(exc).__name__)
            return {}

    def after_run(
        self, store: AuditStore, outcome: RunOutcome, kind: str, bundle: Bundle, registry: Registry
    ) -> None:
        if not self.enabled:
            return
        try:
            ids = self.notifier().after_run(
                store,
                run_id=outcome.run_id,
                kind=kind,
                status=outcome.status,
                errors=outcome.errors,
                covered=outcome.covered_devices,
                inventory=bundle.inventory,
                policy=bundle.policy,
                titles={c.id: (c.title_ja, c.title_en) for c in registry},
            )
        except Exception as exc:
            log.exception("notifications after the run could not be enqueued")
            event(log, logging.ERROR, "notify-enqueue-failed", error=type(exc).__name__)
            return
        if ids:
            event(log, logging.INFO, "notify-enqueued", run_id=outcome.run_id, messages=len(ids))
            self.dispatch()  # tell people now, not at the next tick

    def emit(self, *events_: Any) -> None:
        if not self.enabled:
            return
        try:
            self.notifier().emit(events_)
        except Exception as exc:
            event(log, logging.ERROR, "notify-enqueue-failed", error=type(exc).__name__)

    def run_failed(self, run_id: int | None, kind: str, error: str) -> None:
        now = datetime.now(UTC)
        self.emit(run_event("run_failed", run_id, "failed", f"kind={kind}; {error}", now))

    def reload_failed(self, issues: list[str]) -> None:
        now = datetime.now(UTC)
        text = "\n".join(issues[:20])
        self.emit(
            simple_event(
                "reload_failed",
                key=f"reload_failed:{now.isoformat()}",
                level="high",
                now=now,
                ja=("ポリシー/インベントリの再読込に失敗しました (前回の設定で継続)", text),
                en=("Policy/inventory reload failed (keeping the last good ones)", text),
            )
        )

    def verify_failed(self, reason: str, head: str | None) -> None:
        now = datetime.now(UTC)
        self.emit(
            simple_event(
                "verify_failed",
                key=f"verify_failed:{now.date().isoformat()}",
                level="critical",
                now=now,
                ja=("監査ログ (イベントチェーン) の検証に失敗しました", reason),
                en=("Audit log (event chain) verification failed", reason),
            )
        )

    def report_written(self, html: Path, stamp: str) -> None:
        now = datetime.now(UTC)
        self.emit(
            simple_event(
                "report",
                key=f"report:{stamp}",
                level="info",
                now=now,
                ja=(f"監査レポート {stamp}", f"朝のレポート: {html.name}"),
                en=(f"Audit report {stamp}", f"Morning report: {html.name}"),
                files=(str(html),),
            )
        )

    def pack_written(self, path: Path, stamp: str) -> None:
        now = datetime.now(UTC)
        self.emit(
            simple_event(
                "pack",
                key=f"pack:{stamp}",
                level="info",
                now=now,
                ja=(f"監査パック {stamp}", f"監査人向けパック: {path.name}"),
                en=(f"Auditor pack {stamp}", f"Auditor pack: {path.name}"),
                files=(str(path),),
            )
        )

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a delivery in progress, then keep new ones from
        starting (the daemon is stopping). False when a delivery still hangs on its server: its
        rows stay pending and the next start delivers them (at least once)."""
        return self._dispatching.acquire(timeout=max(0.0, timeout))

    def dispatch(self) -> None:
        """Deliver what is due (the scheduled job; also right after an enqueue)."""
        if not self.enabled:
            return
        if not self._dispatching.acquire(blocking=False):
            return  # another thread is delivering; it picks these up too
        try:
            result = self.notifier().deliver()
        except Exception as exc:  # the database is down: the next tick tries again
            event(log, logging.WARNING, "notify-dispatch-failed", error=type(exc).__name__)
            return
        finally:
            self._dispatching.release()
        if result.sent or result.failed or result.retried:
            event(
                log,
                logging.INFO if not result.failed else logging.WARNING,
                "notify-dispatched",
                sent=len(result.sent),
                retried=len(result.retried),
                failed=len(result.failed),
            )
