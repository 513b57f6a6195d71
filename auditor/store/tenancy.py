"""Tenant isolation of the findings store, enforced in ONE place: the session every store
transaction uses.

A deployment may audit several cities (tenants) into one database. Every table that holds city
data carries a ``tenant`` column (:class:`TenantScoped`). A :class:`TenantSession` is opened for
exactly one tenant and

- adds ``tenant = <its tenant>`` to every ORM SELECT, UPDATE and DELETE (``with_loader_criteria``,
  subqueries and joins included) and to every Core UPDATE/DELETE of a tenant table;
- stamps every INSERT (ORM or Core, single or executemany) with its tenant, and refuses one that
  names another tenant;
- refuses a Core SELECT of a tenant table run through the session (use the ORM entity, or
  :func:`tenant_rows` for a fast column read: it filters every tenant table the select reads);
- stamps objects added with ``session.add`` and refuses one that belongs to another tenant
  (``before_flush``).

No store code filters by tenant by hand, so no store code can forget to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import CursorResult, String, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    UOWTransaction,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql import Delete, Insert, Select, Update
from sqlalchemy.sql.schema import Table
from sqlalchemy.sql.util import find_tables

from auditor.store.errors import StoreError

AnySelect = TypeVar("AnySelect", bound=Select[Any])
"""A Core select of any columns."""

DEFAULT_TENANT = "default"
"""The tenant of a single-city deployment and of every row written before tenants existed."""

TENANT_COLUMN = "tenant"
TENANT_KEY = "kyojin_tenant"
"""``Session.info`` key holding the session's tenant."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

PREFECTURE_TENANT = "_prefecture"
"""The rows of the prefecture console: its accounts, sessions and their hash-chained sign-in
events. Not a city: a city name cannot start with ``_``, so ``--tenant`` and ``[[tenants]]``
never select it, no city user is one of its users, and it holds no city's data."""


class TenantViolation(StoreError):  # noqa: N818 (named like the other store errors)
    """A statement or object would have crossed from one tenant into another."""


class InvalidTenant(StoreError, ValueError):  # noqa: N818 (named like the other store errors)
    """A tenant name that is not a short lower-case identifier."""


def valid_tenant(name: str) -> str:
    """``name`` if it is a tenant name (lower-case letters, digits, ``-``, ``_``; ≤ 64)."""
    if not _NAME.match(name):
        raise InvalidTenant(
            f"invalid tenant name {name!r}: use lower-case letters, digits, '-' and '_' "
            "(at most 64, starting with a letter or digit)"
        )
    return name


def store_tenant(name: str) -> str:
    """A tenant a store may be opened for: a city (:func:`valid_tenant`) or the prefecture's."""
    return name if name == PREFECTURE_TENANT else valid_tenant(name)


class TenantScoped:
    """Mixin of every table that holds one city's data."""

    tenant: Mapped[str] = mapped_column(
        String(64), nullable=False, server_default=DEFAULT_TENANT, index=True
    )


class TenantSession(Session):
    """A session bound to exactly one tenant (``info[TENANT_KEY]``)."""

    def __init__(self, *args: Any, tenant: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.info[TENANT_KEY] = store_tenant(tenant)

    @property
    def tenant(self) -> str:
        return str(self.info[TENANT_KEY])


def session_tenant(session: Session) -> str:
    tenant = session.info.get(TENANT_KEY)
    if not isinstance(tenant, str):
        raise TenantViolation("a store session was opened without a tenant")
    return tenant


def is_tenant_table(table: Any) -> bool:
    return isinstance(table, Table) and TENANT_COLUMN in table.c


def _stamp(parameters: Any, tenant: str) -> None:
    rows = parameters if isinstance(parameters, list | tuple) else [parameters]
    for row in rows:
        if not isinstance(row, dict):
            raise TenantViolation("insert parameters of a tenant table must be dictionaries")
        given = row.get(TENANT_COLUMN)
        if given is not None and given != tenant:
            raise TenantViolation(f"a row of tenant {given!r} written by tenant {tenant!r}")
        row[TENANT_COLUMN] = tenant


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    tenant = session_tenant(state.session)
    statement = state.statement
    if isinstance(statement, Insert):
        if is_tenant_table(statement.table):
            if not state.parameters:
                raise TenantViolation("an INSERT into a tenant table needs explicit parameters")
            _stamp(state.parameters, tenant)
        return
    if isinstance(statement, Update | Delete) and not state.is_orm_statement:
        table = statement.table
        if is_tenant_table(table):
            state.statement = statement.where(table.c[TENANT_COLUMN] == tenant)
        return
    if isinstance(statement, Select) and not state.is_orm_statement:
        if any(is_tenant_table(table) for table in find_tables(statement, include_joins=True)):
            raise TenantViolation(
                "a Core SELECT of a tenant table; select the ORM entity so it is tenant-filtered"
            )
        return
    if state.is_column_load or state.is_relationship_load:
        return
    if isinstance(statement, Select | Update | Delete):
        state.statement = statement.options(
            with_loader_criteria(
                TenantScoped,
                lambda cls: cls.tenant == tenant,
                include_aliases=True,
                track_closure_variables=True,
            )
        )


@event.listens_for(TenantSession, "before_flush")
def _stamp_objects(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    tenant = session_tenant(session)
    for obj in session.new:
        if isinstance(obj, TenantScoped):
            given = getattr(obj, TENANT_COLUMN, None)
            if given is not None and given != tenant:
                raise TenantViolation(f"a row of tenant {given!r} added by tenant {tenant!r}")
            obj.tenant = tenant
    for obj in session.dirty:
        if isinstance(obj, TenantScoped) and obj.tenant != tenant:
            raise TenantViolation(f"a row of tenant {obj.tenant!r} changed by tenant {tenant!r}")


def tenant_select(session: Session, statement: AnySelect) -> AnySelect:
    """``statement`` with ``tenant = <the session's tenant>`` for every tenant table it reads.

    Only plain selects over tables (joins included) are accepted: a tenant table inside a
    subquery, CTE or alias would not be filtered by an outer WHERE, so it is refused.
    """
    tenant = session_tenant(session)
    top = [table for table in find_tables(statement, include_joins=True) if is_tenant_table(table)]
    direct: list[Any] = []
    for source in statement.get_final_froms():
        direct.extend(t for t in find_tables(source, include_joins=True) if is_tenant_table(t))
    if {id(t) for t in top} != {id(t) for t in direct}:
        raise TenantViolation("a tenant table inside a subquery of a Core select; use the ORM")
    for table in dict.fromkeys(direct):
        statement = statement.where(table.c[TENANT_COLUMN] == tenant)
    return statement


def tenant_rows(
    session: Session,
    statement: Any,  # a Select of any column tuple (mypy cannot match long variadic ones)
    **options: Any,
) -> CursorResult[Any]:
    """Run a Core select on the session's connection, tenant-filtered (:func:`tenant_select`).

    Exports read 100,000 findings and events as plain rows (no ORM object per row); this is the
    only place the store package runs a statement on ``session.connection()``.
    """
    if not isinstance(statement, Select):
        raise TenantViolation("tenant_rows runs only Core selects")
    connection = session.connection()
    if options:
        connection = connection.execution_options(**options)
    return connection.execute(tenant_select(session, statement))


def tenant_of(row: Mapping[str, Any]) -> str | None:
    value = row.get(TENANT_COLUMN)
    return None if value is None else str(value)


class TenantChoiceError(ValueError):
    """No tenant (or an unknown one) was chosen where the deployment lists several cities.

    ``reason`` is ``"required"`` or ``"unknown"``; ``choices`` the configured names. Callers
    turn it into their own ja/en message.
    """

    def __init__(self, reason: str, given: str | None, choices: Sequence[str]) -> None:
        self.reason = reason
        self.given = given
        self.choices = tuple(choices)
        listed = ", ".join(self.choices)
        if reason == "required":
            message = f"this deployment audits several cities ({listed}): choose one with --tenant"
        else:
            message = f"unknown tenant {given!r}; configured: {listed}"
        super().__init__(message)


def resolve_tenant(given: str | None, configured: Sequence[str]) -> str:
    """The tenant a command works on, never guessed.

    Without configured tenants (a single-city deployment): ``given`` or ``default``. With
    configured tenants: ``given`` must be one of them; none given is refused.
    """
    chosen = given.strip() if given else None
    if not configured:
        return valid_tenant(chosen) if chosen else DEFAULT_TENANT
    if not chosen:
        raise TenantChoiceError("required", None, configured)
    if chosen not in configured:
        raise TenantChoiceError("unknown", chosen, configured)
    return chosen
