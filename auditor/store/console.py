"""What the web console asks of the store beyond the Protocol: accounts, sessions, a paged
findings list over indexed columns, and suppression requests recorded in the hash chain.

Kept apart from the repository so the console's needs stay additive. Passwords arrive here
already hashed (argon2, in ``auditor.web.auth``); sessions are kept by the SHA-256 of their
cookie value only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, tuple_
from sqlalchemy.orm import Session

from auditor.store.errors import FindingNotFound
from auditor.store.events import EventLog, lock_chain
from auditor.store.models import FindingEventRow, FindingRow, WebSessionRow, WebUserRow
from auditor.store.reading import HEX, event_record, find_by_prefix, finding_record
from auditor.store.records import EventRecord, EventType, FindingRecord, FindingStatus
from auditor.store.repository import Store
from auditor.store.suppressions import MANUAL_PREFIX
from auditor.store.types import utc

FINGERPRINT_LENGTH = 64
TOUCH_EVERY = timedelta(minutes=1)
"""A session's last use is written at most this often (a page view is not a write)."""

ROLES = ("viewer", "triager", "approver", "admin")
"""Each role may do what the ones before it may: view < triage < approve suppressions < admin."""


WEB_SUBJECT = "operator:web"
"""The chain subject of the console's account events (sign-ins, user management)."""
SYSTEM_ACTOR = "system"


def _chain_user_event(session: Session, actor: str, at: datetime, payload: dict[str, Any]) -> None:
    """A ``web_user_changed`` event in the transaction that makes the change (never a hash)."""
    events = EventLog(lock_chain(session), run_id=None, actor=actor[:255], at=at)
    events.add(WEB_SUBJECT, EventType.WEB_USER_CHANGED, payload)
    events.flush(session)


def record_web_event(
    store: Store,
    event_type: EventType,
    *,
    actor: str,
    address: str,
    outcome: str,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> EventRecord:
    """A sign-in, sign-out or failed sign-in on the hash chain: who, from where, what came of it."""
    if event_type not in (
        EventType.WEB_SIGNED_IN,
        EventType.WEB_SIGNED_OUT,
        EventType.WEB_SIGN_IN_FAILED,
    ):
        raise ValueError(f"{event_type} is not a sign-in event")
    payload = {"address": address[:64], "outcome": outcome, **(details or {})}
    return store.record_operator_event(
        WEB_SUBJECT, event_type, actor[:255] or "-", payload, now=_now(now)
    )


def content_head(store: Store) -> str:
    """The hash of the newest event that is not a console account event: what the findings,
    runs and matrices are as of. The console's caches key on it, so sign-ins (which move the
    chain head) do not make it read every finding again."""
    with store._transaction(write=False) as session:
        found = session.scalar(
            select(FindingEventRow.hash)
            .where(FindingEventRow.fingerprint != WEB_SUBJECT)
            .order_by(FindingEventRow.id.desc())
            .limit(1)
        )
    return str(found) if found is not None else ""


class AccountError(ValueError):
    """An account operation that cannot be done (unknown user, duplicate name, bad role)."""


@dataclass(frozen=True)
class WebUser:
    username: str
    role: str
    disabled: bool
    has_password: bool


@dataclass(frozen=True)
class WebSession:
    username: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


def _now(now: datetime | None) -> datetime:
    return utc(now or datetime.now(UTC))


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    return role


def _user(row: WebUserRow) -> WebUser:
    return WebUser(row.username, row.role, bool(row.disabled), row.password_hash is not None)


def add_user(
    store: Store,
    username: str,
    *,
    role: str,
    password_hash: str | None,
    actor: str = SYSTEM_ACTOR,
    now: datetime | None = None,
) -> WebUser:
    """Create an account; the chain records who added it and its role."""
    name = username.strip()
    if not name or len(name) > 255 or any(ord(c) < 32 for c in name):
        raise AccountError("the user name must be 1-255 printable characters")
    at = _now(now)
    with store._transaction(write=True) as session:
        if session.scalar(select(WebUserRow).where(WebUserRow.username == name)) is not None:
            raise AccountError(f"user {name} already exists")
        row = WebUserRow(
            username=name,
            role=_check_role(role),
            password_hash=password_hash,
            disabled=False,
            created_at=at,
            updated_at=at,
        )
        session.add(row)
        session.flush()
        _chain_user_event(
            session,
            actor,
            at,
            {
                "action": "add",
                "user": name,
                "role": row.role,
                "password": password_hash is not None,
            },
        )
        return _user(row)


def _existing(session: Session, username: str) -> WebUserRow:
    row = session.scalar(select(WebUserRow).where(WebUserRow.username == username))
    if row is None:
        raise AccountError(f"no user {username}")
    return row


def update_user(
    store: Store,
    username: str,
    *,
    password_hash: str | None = None,
    role: str | None = None,
    disabled: bool | None = None,
    actor: str = SYSTEM_ACTOR,
    now: datetime | None = None,
) -> WebUser:
    """Change a password, role or the disabled flag; any change ends the user's sessions and
    is chained (which fields changed, by whom; never the hash)."""
    at = _now(now)
    with store._transaction(write=True) as session:
        row = _existing(session, username)
        actions = [
            name
            for name, value in (
                ("passwd", password_hash),
                ("role", role),
                ("disable" if disabled else "enable", disabled),
            )
            if value is not None
        ]
        if password_hash is not None:
            row.password_hash = password_hash
        if role is not None:
            row.role = _check_role(role)
        if disabled is not None:
            row.disabled = disabled
        row.updated_at = at
        session.execute(delete(WebSessionRow).where(WebSessionRow.username == username))
        _chain_user_event(
            session,
            actor,
            at,
            {"action": "+".join(actions) or "none", "user": username, "role": row.role},
        )
        return _user(row)


def get_user(store: Store, username: str) -> tuple[WebUser, str | None] | None:
    """The account and its password hash (for verification only, never to show)."""
    with store._transaction(write=False) as session:
        row = session.scalar(select(WebUserRow).where(WebUserRow.username == username))
        return None if row is None else (_user(row), row.password_hash)


def list_users(store: Store) -> list[WebUser]:
    with store._transaction(write=False) as session:
        return [_user(r) for r in session.scalars(select(WebUserRow).order_by(WebUserRow.username))]


def create_session(
    store: Store,
    token_hash: str,
    *,
    username: str,
    csrf_token: str,
    expires_at: datetime,
    now: datetime | None = None,
) -> None:
    at = _now(now)
    with store._transaction(write=True) as session:
        session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < at))
        session.add(
            WebSessionRow(
                token_hash=token_hash,
                username=username,
                csrf_token=csrf_token,
                created_at=at,
                last_seen_at=at,
                expires_at=utc(expires_at),
            )
        )


def get_session(
    store: Store,
    token_hash: str,
    *,
    idle: timedelta | None = None,
    now: datetime | None = None,
) -> WebSession | None:
    """The live session of that cookie hash: expired ones, and ones unused for longer than
    ``idle``, count as absent. Use moves ``last_seen_at`` (at most once a minute)."""
    at = _now(now)
    with store._transaction(write=False) as session:
        row = session.scalar(select(WebSessionRow).where(WebSessionRow.token_hash == token_hash))
        if row is None or utc(row.expires_at) <= at:
            return None
        last = utc(row.last_seen_at)
        if idle is not None and last + idle <= at:
            return None
        found = WebSession(row.username, row.csrf_token, utc(row.created_at), utc(row.expires_at))
    if at - last >= TOUCH_EVERY:
        with store._transaction(write=True) as session:
            row = session.scalar(
                select(WebSessionRow).where(WebSessionRow.token_hash == token_hash)
            )
            if row is not None:
                row.last_seen_at = at
    return found


def delete_session(store: Store, token_hash: str) -> None:
    with store._transaction(write=True) as session:
        session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))


# -- the findings list ----------------------------------------------------------------------


@dataclass(frozen=True)
class CellFilter:
    """A zone-matrix cell's findings (``auditor.web.cells`` derives it from the stored matrix):
    the cell's excess permits by (device, subject), its SEG-013 path subject, and traffic
    findings whose subject contains ``traffic_marker``."""

    permits: frozenset[tuple[str, str]]
    path_check: str
    path_subject: str
    traffic_prefix: str
    traffic_marker: str


@dataclass(frozen=True)
class FindingQuery:
    """The console's filters; every one narrows, an empty one does not filter."""

    zone: str | None = None
    severities: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    check: str | None = None
    device: str | None = None
    owner: str | None = None
    text: str | None = None
    cell: CellFilter | None = None
    """A zone-matrix cell: the findings the stored matrix attributes to it."""
    keys: frozenset[tuple[str, str, str, str]] | None = None
    """(check_id, severity, outcome, zone or "") combinations to keep (the grade filter)."""


def _conditions(query: FindingQuery, *, ordered: bool = False) -> list[ColumnElement[bool]]:
    """The filters as SQL; ``ordered`` (the page of rows) keeps the status index out of it.

    A status matches most rows, so for the page SQLite should walk the ``last_seen`` index in
    order and stop at the page's end instead of reading every matching row through the status
    index and sorting them (143 ms against 0.1 ms at 105,000 findings); ``status || ''``
    cannot use an index. The count still uses it.
    """
    where: list[ColumnElement[bool]] = []
    status = FindingRow.status.concat("") if ordered else FindingRow.status
    if query.zone:
        where.append(
            FindingRow.zone.is_(None) if query.zone == "-" else FindingRow.zone == query.zone
        )
    if query.severities:
        where.append(FindingRow.severity.in_(sorted(query.severities)))
    if query.statuses:
        where.append(status.in_(sorted(query.statuses)))
    if query.check:
        where.append(FindingRow.check_id.startswith(query.check, autoescape=True))
    if query.device:
        where.append(FindingRow.device == query.device)
    if query.owner:
        where.append(FindingRow.owner == query.owner)
    if query.text:
        where.append(
            or_(
                FindingRow.subject.contains(query.text, autoescape=True),
                FindingRow.message_ja.contains(query.text, autoescape=True),
                FindingRow.message_en.contains(query.text, autoescape=True),
                FindingRow.device.contains(query.text, autoescape=True),
            )
        )
    if query.cell is not None:
        cell = query.cell
        either: list[ColumnElement[bool]] = [
            and_(FindingRow.check_id == cell.path_check, FindingRow.subject == cell.path_subject),
            and_(
                FindingRow.check_id.startswith(cell.traffic_prefix, autoescape=True),
                FindingRow.subject.contains(cell.traffic_marker, autoescape=True),
            ),
        ]
        if cell.permits:
            either.append(tuple_(FindingRow.device, FindingRow.subject).in_(sorted(cell.permits)))
        where.append(or_(*either))
    if query.keys is not None:
        if not query.keys:
            where.append(FindingRow.id < 0)
        else:
            where.append(
                tuple_(
                    FindingRow.check_id,
                    FindingRow.severity,
                    FindingRow.outcome,
                    func.coalesce(FindingRow.zone, ""),
                ).in_(sorted(query.keys))
            )
    return where


def page_findings(
    store: Store, query: FindingQuery, *, limit: int, offset: int = 0
) -> tuple[list[FindingRecord], int]:
    """One page, newest sighting first (the ``last_seen`` index serves the order), and the total.

    Limit/offset over the index: the console caps ``offset`` so deep pages stay bounded.
    """
    with store._transaction(write=False, consistent=True) as session:
        total = session.scalar(select(func.count(FindingRow.id)).where(*_conditions(query))) or 0
        rows = session.scalars(
            select(FindingRow)
            .where(*_conditions(query, ordered=True))
            .order_by(FindingRow.last_seen.desc(), FindingRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [finding_record(row) for row in rows], int(total)


def matching_fingerprints(store: Store, query: FindingQuery) -> set[str]:
    """Every fingerprint the filters accept (for a download of the current filter)."""
    with store._transaction(write=False) as session:
        return set(session.scalars(select(FindingRow.fingerprint).where(*_conditions(query))))


def cell_candidates(
    store: Store,
    statuses: Collection[str],
    *,
    permits: Collection[tuple[str, str]],
    check_prefixes: Collection[str],
) -> list[tuple[str, str | None, str]]:
    """(check, device, subject) of the findings in ``statuses`` that may belong to a matrix cell:
    on one of ``permits`` or of a check starting with one of ``check_prefixes`` (the overview
    attributes them to cells in one pass instead of one count per cell)."""
    either: list[ColumnElement[bool]] = [
        FindingRow.check_id.startswith(prefix, autoescape=True) for prefix in sorted(check_prefixes)
    ]
    wanted = sorted(set(permits))
    for start in range(0, len(wanted), 400):
        either.append(
            tuple_(FindingRow.device, FindingRow.subject).in_(wanted[start : start + 400])
        )
    if not either:
        return []
    query = select(FindingRow.check_id, FindingRow.device, FindingRow.subject).where(or_(*either))
    if statuses:
        query = query.where(FindingRow.status.in_(sorted(statuses)))
    with store._transaction(write=False) as session:
        return [(str(c), d, str(s)) for c, d, s in session.execute(query).all()]


def findings_by_fingerprint(store: Store, fingerprints: Collection[str]) -> list[FindingRecord]:
    """The findings of these whole fingerprints (500 per query), in no particular order."""
    wanted = sorted(set(fingerprints))
    found: list[FindingRecord] = []
    with store._transaction(write=False, consistent=True) as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = session.scalars(select(FindingRow).where(FindingRow.fingerprint.in_(chunk)))
            found.extend(finding_record(row) for row in rows)
    return found


def grade_keys(store: Store) -> list[tuple[str, str, str, str]]:
    """The distinct (check, severity, outcome, zone) combinations: a grade is a function of them."""
    with store._transaction(write=False) as session:
        rows = session.execute(
            select(
                FindingRow.check_id,
                FindingRow.severity,
                FindingRow.outcome,
                func.coalesce(FindingRow.zone, ""),
            ).distinct()
        ).all()
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def distinct_values(store: Store, column: str) -> list[str]:
    """Values to offer in a filter's list (``device``, ``zone``, ``owner``, ``check_id``)."""
    field = {
        "device": FindingRow.device,
        "zone": FindingRow.zone,
        "owner": FindingRow.owner,
        "check_id": FindingRow.check_id,
    }[column]
    with store._transaction(write=False) as session:
        values = session.scalars(select(field).where(field.is_not(None)).distinct())
        return sorted(str(v) for v in values)


# -- suppression requests -------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressionRequest:
    event_id: int
    requested_by: str
    at: datetime
    reason: str
    approver: str
    approval_number: str
    expires: date


def _pending(session: Session, fingerprint: str) -> SuppressionRequest | None:
    events = session.scalars(
        select(FindingEventRow)
        .where(FindingEventRow.fingerprint == fingerprint)
        .where(
            FindingEventRow.event_type.in_(
                [EventType.SUPPRESSION_REQUESTED.value, EventType.SUPPRESSED.value]
            )
        )
        .order_by(FindingEventRow.id.desc())
        .limit(1)
    ).first()
    if events is None or events.event_type != EventType.SUPPRESSION_REQUESTED.value:
        return None
    payload: dict[str, Any] = events.payload
    return SuppressionRequest(
        event_id=events.id,
        requested_by=events.actor,
        at=utc(events.at),
        reason=str(payload["reason"]),
        approver=str(payload["approver"]),
        approval_number=str(payload["approval_number"]),
        expires=date.fromisoformat(str(payload["expires"])),
    )


def pending_request(store: Store, fingerprint: str) -> SuppressionRequest | None:
    """The newest request not yet followed by a suppression, if any (full fingerprint)."""
    with store._transaction(write=False) as session:
        return _pending(session, fingerprint)


def finding_with_events(
    store: Store, fingerprint_prefix: str
) -> tuple[FindingRecord, list[EventRecord]]:
    """``Store.get_finding``, by equality when the whole fingerprint is given.

    A prefix is matched with LIKE, which SQLite answers by scanning the unique index (37 ms at
    105,000 findings); the console's links always carry the whole fingerprint.
    """
    text = fingerprint_prefix.strip().lower()
    if len(text) != FINGERPRINT_LENGTH or not set(text) <= HEX:
        return store.get_finding(fingerprint_prefix)
    with store._transaction(write=False) as session:
        row = session.scalar(select(FindingRow).where(FindingRow.fingerprint == text))
        if row is None:
            raise FindingNotFound(f"no finding fingerprint is {text}")
        events = session.scalars(
            select(FindingEventRow)
            .where(FindingEventRow.fingerprint == text)
            .order_by(FindingEventRow.id)
        )
        return finding_record(row), [event_record(e) for e in events]


SUPPRESSIBLE = frozenset(
    {FindingStatus.NEW, FindingStatus.OPEN, FindingStatus.REOPENED, FindingStatus.IN_PROGRESS}
)


def request_suppression(
    store: Store,
    fingerprint_prefix: str,
    *,
    actor: str,
    reason: str,
    approver: str,
    approval_number: str,
    expires: date,
    now: datetime | None = None,
) -> FindingRecord:
    """Ask for a manual suppression; it takes effect only when another person approves it."""
    fields = (reason.strip(), approver.strip(), approval_number.strip())
    if not all(fields) or not actor.strip():
        raise ValueError("reason, approver and approval number are all required")
    if any(len(f) > 1000 for f in fields):
        raise ValueError("reason, approver and approval number are limited to 1000 characters")
    at = _now(now)
    with store._transaction(write=True) as session:
        chain = lock_chain(session)
        row = find_by_prefix(session, fingerprint_prefix)
        if FindingStatus(row.status) not in SUPPRESSIBLE:
            raise ValueError(f"a {row.status} finding cannot be suppressed")
        events = EventLog(chain, run_id=None, actor=actor, at=at)
        events.add(
            row.fingerprint,
            EventType.SUPPRESSION_REQUESTED,
            {
                "reason": fields[0],
                "approver": fields[1],
                "approval_number": fields[2],
                "expires": expires.isoformat(),
                "status": row.status,
            },
        )
        events.flush(session)
        return finding_record(row)


def approve_suppression(
    store: Store, fingerprint_prefix: str, *, actor: str, now: datetime | None = None
) -> FindingRecord:
    """Approve the pending request: the same ``suppressed`` event ``findings suppress`` writes,
    by ``actor``, who must not be the requester."""
    at = _now(now)
    with store._transaction(write=True) as session:
        chain = lock_chain(session)
        row = find_by_prefix(session, fingerprint_prefix)
        request = _pending(session, row.fingerprint)
        if request is None:
            raise ValueError("no suppression request is pending for this finding")
        if request.requested_by == actor:
            raise PermissionError("the requester cannot approve their own request")
        if FindingStatus(row.status) not in SUPPRESSIBLE:
            raise ValueError(f"a {row.status} finding cannot be suppressed")
        previous = row.status
        exception_id = f"{MANUAL_PREFIX}{request.approval_number}"
        row.status = FindingStatus.SUPPRESSED.value
        row.exception_id = exception_id
        events = EventLog(chain, run_id=None, actor=actor, at=at)
        events.add(
            row.fingerprint,
            EventType.SUPPRESSED,
            {
                "from": previous,
                "exception_id": exception_id,
                "reason": request.reason,
                "approver": request.approver,
                "approval_number": request.approval_number,
                "expires": request.expires.isoformat(),
                "manual": True,
                "requested_by": request.requested_by,
                "request_event": request.event_id,
            },
        )
        events.flush(session)
        return finding_record(row)


__all__ = [
    "ROLES",
    "WEB_SUBJECT",
    "AccountError",
    "CellFilter",
    "FindingQuery",
    "SuppressionRequest",
    "WebSession",
    "WebUser",
    "add_user",
    "approve_suppression",
    "cell_candidates",
    "content_head",
    "create_session",
    "delete_session",
    "distinct_values",
    "get_session",
    "get_user",
    "grade_keys",
    "list_users",
    "matching_fingerprints",
    "page_findings",
    "pending_request",
    "record_web_event",
    "request_suppression",
    "update_user",
]
