"""Store and the daemon's retrying wrapper implement every operation of the AuditStore Protocol.

mypy checks the callers (``mypy auditor``); this checks the same contract at run time, so a
method added to the Protocol cannot be forgotten in one implementation.
"""

from __future__ import annotations

import inspect

import pytest

from auditor.daemon.scheduler import RetryingStore
from auditor.store import AuditStore, Store

OPERATIONS = sorted(
    name
    for name, member in vars(AuditStore).items()
    if callable(member) and not name.startswith("_")
)


def _parameters(cls: type, name: str) -> list[tuple[str, inspect._ParameterKind]]:
    signature = inspect.signature(getattr(cls, name))
    return [(p.name, p.kind) for p in signature.parameters.values()]


def test_the_protocol_covers_what_runs_reports_and_the_daemon_use() -> None:
    for name in ("begin_run", "record_run", "latest_matrix", "list_findings", "prune"):
        assert name in OPERATIONS


@pytest.mark.parametrize("implementation", [Store, RetryingStore])
@pytest.mark.parametrize("name", OPERATIONS)
def test_each_implementation_has_the_operation_with_the_same_parameters(
    implementation: type, name: str
) -> None:
    assert name in vars(implementation), f"{implementation.__name__} lacks {name}"
    assert _parameters(implementation, name) == _parameters(AuditStore, name)


def test_the_retrying_store_forwards_no_undeclared_attribute() -> None:
    assert "__getattr__" not in vars(RetryingStore)
