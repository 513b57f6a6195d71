"""What every collector returns: snapshots for devices it reached, failures for those it did not.

Collectors perform I/O and nothing else: they never decide compliance and never word findings. A
failure is data (a :class:`~auditor.model.collection.CollectionFailure` with a kind that
``checks/collection`` turns into a ``COL-…`` ERROR finding), never an exception that stops the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from auditor.inventory.models import Device
from auditor.model.collection import CollectionFailure
from auditor.model.snapshot import DeviceSnapshot


@dataclass
class CollectionResult:
    snapshots: dict[str, DeviceSnapshot] = field(default_factory=dict)
    errors: list[CollectionFailure] = field(default_factory=list)
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
