"""What a collector reports when it could not read a device: a failure *kind*, never a verdict.

Collectors do I/O only. They say *what* went wrong (a :class:`FailureKind` plus a technical
detail and the facts needed to explain it); which ``COL-…`` check documents the failure and how
it is worded for users is known only to ``checks/collection``. A kind without a check there
still becomes a finding (``COL-000``), never silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FailureKind(StrEnum):
    """Why one device (or one of its tables or commands) could not be collected."""

    # SNMP
    TIMEOUT = "timeout"
    AUTH = "auth"
    MALFORMED = "malformed"
    RUNAWAY = "runaway"
    CREDENTIAL = "credential"
    # SSH
    SSH_AUTH = "ssh_auth"
    SSH_UNREACHABLE = "ssh_unreachable"
    PROMPT = "prompt"
    SSH_SESSION = "ssh_session"
    REJECTED = "rejected"
    PARSER = "parser"
    UNPARSED_OUTPUT = "unparsed_output"
    HOST_KEY = "host_key"
    SSH_CREDENTIAL = "ssh_credential"
    READ_ONLY = "read_only"
    CONFIG_LOCKED = "config_locked"
    """The mode the show commands need is held by another session (NEC IX config mode)."""
    # offline (saved configuration files)
    OFFLINE_UNREADABLE = "offline_unreadable"
    """A saved configuration file could not be read or decoded."""
    OFFLINE_PLATFORM = "offline_platform"
    """No platform profile recognised a saved configuration clearly (and none was given)."""
    OFFLINE_CLEANED = "offline_cleaned"
    """Pagination residue or terminal echo was removed from a saved configuration (not an error)."""
    # any collector
    CRASHED = "crashed"
    # distributed collection (Celery workers) and one-way bundles
    NOT_REPORTED = "not_reported"
    """No worker reported the device before the run's deadline (facts: ``queue``)."""


@dataclass(frozen=True)
class CollectionFailure:
    """One device (or one table/command of it) that could not be collected.

    ``facts`` holds the plain values a message needs (``where`` = address:port, ``command``,
    ``exception`` type name, …); they are technical data, not user text.
    """

    device: str
    kind: FailureKind
    subject: str = "collection"
    detail: str | None = None
    facts: dict[str, str] = field(default_factory=dict)

    def fact(self, name: str, default: str = "") -> str:
        return self.facts.get(name, default)


INFORMATIONAL_KINDS: frozenset[FailureKind] = frozenset({FailureKind.OFFLINE_CLEANED})
"""Kinds that report what was done to the input; the device was still read completely."""
