"""What every channel shares: the error vocabulary and the sender protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from auditor.notify.events import Event


class DeliveryError(Exception):
    """The server did not accept the message. ``permanent``: retrying the same message cannot
    help (5xx, refused authentication, an untrusted certificate)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    name: str
    kind: str
    digest_capable: bool

    def send(self, events: Sequence[Event], *, message_id: str) -> None:
        """Deliver ``events`` (one message, or one per event where the protocol needs it);
        return only after the server accepted them."""
        ...
