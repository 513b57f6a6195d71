"""What every collector returns: snapshots for devices it reached, errors for those it did not.

Collectors perform I/O and nothing else: they never decide compliance. A failure is data (a
:class:`CollectionError` that becomes a ``COL-…`` ERROR finding), never an exception that stops the
run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from auditor.inventory.models import Device
from auditor.model.snapshot import DeviceSnapshot


@dataclass(frozen=True)
class CollectionError:
    """One device (or one table of it) that could not be collected."""

    device: str
    check_id: str  # the COL-… check that documents this failure kind
    message_en: str
    message_ja: str
    subject: str = "collection"
    detail: str | None = None


@dataclass
class CollectionResult:
    snapshots: dict[str, DeviceSnapshot] = field(default_factory=dict)
    errors: list[CollectionError] = field(default_factory=list)
    # device → [(label, redacted bytes)] stored content-addressed as evidence
    evidence: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)


ProgressCallback = Callable[[str, bool], None]
"""Called with (device name, succeeded) after each device, for progress bars."""


SecretResolver = Callable[[Any], str]
"""Turns a ``CredentialRef`` into the secret (see ``auditor.inventory.credentials``)."""


class Collector(Protocol):
    """A source of snapshots (SNMP, SSH, traffic)."""

    name: str

    def collect(
        self,
        devices: Sequence[Device],
        resolve_secret: SecretResolver,
        progress: ProgressCallback | None = None,
    ) -> CollectionResult: ...
