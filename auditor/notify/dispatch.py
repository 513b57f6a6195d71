"""Deliver what the outbox holds: backoff, digests, quiet hours, rate limits, and honesty.

A row is marked ``sent`` only after the channel returned, i.e. after the server accepted it; a
crash in between sends it again after the restart (at least once, with a stable
``Message-ID``/delivery id a receiver can use to drop the repeat). Every text goes through the
scrubber first, so no secret (device credentials the run resolved, the channels' own) leaves.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from auditor.inventory.credentials import CredentialError, resolve_secret
from auditor.inventory.models import CredentialRef
from auditor.notify.channels import DeliveryError, Sender, build_sender
from auditor.notify.events import SEVERITY_ORDER, Event
from auditor.notify.routing import quiet_until
from auditor.notify.settings import NotifySettings
from auditor.store.outbox import Outbox, OutboxRecord

log = logging.getLogger("auditor.notify")

ALONE_KINDS = frozenset({"report", "pack", "test"})
"""Kinds never merged into a digest (the report mail carries its own HTML)."""
RATE_WINDOW = timedelta(hours=1)


class Scrubber:
    """Masks known secrets and anything that looks like one (``auditor.redact``)."""

    def __init__(self, salt: bytes, secrets: Iterable[str] = ()) -> None:
        self._salt = salt
        self._secrets: set[str] = {s for s in secrets if s}

    def add_secret(self, secret: str) -> None:
        if secret:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        from auditor.redact import redact_text

        if not text:
            return text
        return redact_text(text, salt=self._salt, secrets=sorted(self._secrets))

    def event(self, event: Event) -> Event:
        return dataclasses.replace(
            event,
            title_ja=self(event.title_ja),
            title_en=self(event.title_en),
            body_ja=self(event.body_ja),
            body_en=self(event.body_en),
            extra={key: self(value) for key, value in event.extra.items()},
        )


def credential_reader(scrubber: Scrubber) -> Callable[[str], str]:
    """``secret(NAME)``: the systemd credential ``$CREDENTIALS_DIRECTORY/NAME``, remembered by
    the scrubber so it can never appear in a message or an error."""

    def read(name: str) -> str:
        try:
            value = resolve_secret(CredentialRef(systemd=name))
        except CredentialError as exc:
            raise DeliveryError(str(exc), permanent=True) from None
        scrubber.add_secret(value)
        return value

    return read


@dataclass
class DispatchResult:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    postponed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Dispatcher:
    """Delivers due outbox rows for every configured channel."""

    def __init__(
        self,
        outbox: Outbox,
        settings: NotifySettings,
        *,
        tz: str,
        scrubber: Scrubber,
        senders: dict[str, Sender] | None = None,
    ) -> None:
        self.outbox = outbox
        self.settings = settings
        self.tz = tz
        self.scrubber = scrubber
        read = credential_reader(scrubber)
        self.senders: dict[str, Sender] = senders or {
            name: build_sender(name, config, read) for name, config in settings.channels.items()
        }
        for sender in self.senders.values():
            if hasattr(sender, "scrub"):
                sender.scrub = scrubber
        self._learn_credentials(read)

    def _learn_credentials(self, read: Callable[[str], str]) -> None:
        """Read every channel credential up front, so a mail can never quote the webhook's
        secret just because the webhook has not sent yet."""
        for config in self.settings.channels.values():
            for name in (
                getattr(config, "password_credential", None),
                getattr(config, "secret_credential", None),
            ):
                if name:
                    try:
                        read(name)
                    except DeliveryError:  # reported when that channel sends
                        continue

    def backoff(self, attempts: int) -> timedelta:
        """30 s, 1 min, 2 min, … capped (attempts counts the failed one)."""
        seconds = self.settings.retry_base_seconds * (2 ** max(0, attempts - 1))
        return timedelta(seconds=min(seconds, self.settings.retry_max_seconds))

    def _batches(self, name: str, rows: Sequence[OutboxRecord]) -> list[list[OutboxRecord]]:
        config = self.settings.channels[name]
        sender = self.senders[name]
        if not (config.digest and sender.digest_capable):
            return [[row] for row in rows]
        alone = [[row] for row in rows if row.kind in ALONE_KINDS]
        merged = [row for row in rows if row.kind not in ALONE_KINDS]
        return ([merged] if merged else []) + alone

    def deliver_due(self, now: datetime) -> DispatchResult:
        result = DispatchResult()
        for name in self.settings.channels:
            self._deliver_channel(name, now, result)
        return result

    def _deliver_channel(self, name: str, now: datetime, result: DispatchResult) -> None:
        config = self.settings.channels[name]
        rows = self.outbox.due(now, channel=name)
        if not rows:
            return
        quiet_end = quiet_until(config.quiet_hours, now, self.tz)
        if quiet_end is not None:
            bypass = SEVERITY_ORDER[config.quiet_bypass]
            held = [r for r in rows if SEVERITY_ORDER.get(r.level, 0) < bypass]
            if held:
                self.outbox.postpone([r.id for r in held], quiet_end)
                result.postponed += [r.id for r in held]
            rows = [r for r in rows if SEVERITY_ORDER.get(r.level, 0) >= bypass]
        budget = config.max_per_hour - self.outbox.sent_since(name, now - RATE_WINDOW)
        for batch in self._batches(name, rows):
            ids = [row.id for row in batch]
            if budget <= 0:
                # Over the rate limit: wait, do not drop (a digest channel merges them later).
                self.outbox.postpone(ids, now + timedelta(minutes=5))
                result.postponed += ids
                continue
            budget -= 1
            self._deliver(name, batch, now, result)

    def _deliver(
        self, name: str, batch: Sequence[OutboxRecord], now: datetime, result: DispatchResult
    ) -> None:
        config = self.settings.channels[name]
        ids = [row.id for row in batch]
        events = [self.scrubber.event(Event.from_payload(row.payload)) for row in batch]
        message_id = "kyojin-outbox-" + "-".join(map(str, ids[:8]))
        try:
            self.senders[name].send(events, message_id=message_id)
        except DeliveryError as exc:
            error = self.scrubber(str(exc))
            attempts = max(row.attempts for row in batch) + 1
            result.errors.append(f"{name}: {error}")
            if exc.permanent or attempts >= config.max_attempts:
                self.outbox.mark_failed(ids, error, now=now)
                result.failed += ids
                log.warning("notification failed for good: channel=%s error=%s", name, error)
            else:
                self.outbox.mark_retry(
                    ids, error, now=now, next_attempt_at=now + self.backoff(attempts)
                )
                result.retried += ids
                log.info("notification will be retried: channel=%s error=%s", name, error)
            return
        self.outbox.mark_sent(ids, now=now)
        result.sent += ids

    def send_test(self, name: str, event: Event) -> None:
        """Send ``event`` on channel ``name`` now, outside the outbox (``auditor notify test``);
        raises :class:`DeliveryError`."""
        if name not in self.senders:
            raise KeyError(name)
        self.senders[name].send([self.scrubber.event(event)], message_id="kyojin-test")
