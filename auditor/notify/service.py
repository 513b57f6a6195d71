"""The one object the daemon and the CLI hold: detect → route → outbox → dispatch.

Enqueueing happens right after the event (the run was recorded, the reload failed); delivery is a
separate, scheduled step, so a dead mail server never slows a run and a crash loses nothing that
was enqueued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from auditor.inventory.models import Inventory
from auditor.model.collection import CollectionFailure
from auditor.model.notification import HISTORY_KEY, ChannelState
from auditor.notify.detect import device_events, exception_events, finding_events, run_event
from auditor.notify.dispatch import Dispatcher, DispatchResult, Scrubber
from auditor.notify.events import Event
from auditor.notify.routing import route
from auditor.notify.settings import NotifySettings
from auditor.policy.models import Policy
from auditor.store.outbox import Outbox
from auditor.store.protocol import AuditStore

log = logging.getLogger("auditor.notify")


class Notifier:
    """Notifications for one store and one ``[notify]`` configuration."""

    def __init__(
        self,
        settings: NotifySettings,
        outbox: Outbox,
        *,
        tz: str,
        salt: bytes,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        self.settings = settings
        self.outbox = outbox
        self.tz = tz
        self.scrubber = Scrubber(salt)
        self.dispatcher = dispatcher or Dispatcher(outbox, settings, tz=tz, scrubber=self.scrubber)

    @property
    def enabled(self) -> bool:
        return bool(self.settings.channels and self.settings.rules)

    def emit(self, events: Iterable[Event], *, now: datetime | None = None) -> list[int]:
        """Route ``events`` and write them to the outbox (delivery comes later)."""
        at = now or datetime.now(UTC)
        items = route(events, self.settings, now=at, tz=self.tz)
        if not items:
            return []
        ids = self.outbox.enqueue(items, now=at)
        if ids:
            log.info("notifications enqueued: %d", len(ids))
        return ids

    def after_run(
        self,
        store: AuditStore,
        *,
        run_id: int | None,
        kind: str,
        status: str,
        errors: Sequence[CollectionFailure],
        covered: Iterable[str],
        inventory: Inventory | None,
        policy: Policy | None,
        titles: Mapping[str, tuple[str, str]],
        now: datetime | None = None,
    ) -> list[int]:
        """Everything a recorded run has to say: findings, devices, the run, exceptions."""
        if not self.enabled:
            return []
        at = now or datetime.now(UTC)
        events: list[Event] = []
        if run_id is not None:
            events += finding_events(store, run_id, inventory=inventory, titles=titles)
        events += device_events(
            self.outbox, run_id=run_id, errors=errors, covered=covered, inventory=inventory, now=at
        )
        if status == "incomplete":
            events.append(run_event("run_incomplete", run_id, status, f"kind={kind}", at))
        if policy is not None and kind == "audit":
            events += exception_events(policy, days=self.settings.exception_warning_days, now=at)
        return self.emit(events, now=at)

    def deliver(self, now: datetime | None = None) -> DispatchResult:
        return self.dispatcher.deliver_due(now or datetime.now(UTC))

    def channel_states(self) -> list[ChannelState]:
        names = list(self.settings.channels)
        return [
            ChannelState(
                channel=health.channel,
                kind=self.settings.channels[health.channel].type,
                failing=health.failing,
                failed_messages=health.failed_messages,
                last_error=health.last_error,
                failing_since=health.failing_since,
                last_sent_at=health.last_sent_at,
            )
            for health in self.outbox.health(names)
        ]

    def history_extra(self) -> dict[str, Any]:
        """What the run hands to the checks (``MON-008``)."""
        if not self.settings.channels:
            return {}
        return {HISTORY_KEY: self.channel_states()}
