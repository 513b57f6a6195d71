"""Turn what happened into :class:`Event` s: a recorded run, a failed reload, a broken chain.

Pure reads: the store's findings of the run, the outbox's memory of which devices were reported
down, the policy's exceptions. Keys make every event unique, so re-detecting (a retried job, a
second look after a restart) never sends twice; a finding is told again only when it reopens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from auditor.inventory.models import Inventory
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.notify.events import Event, grade_of
from auditor.policy.models import Policy
from auditor.store.lifecycle import JAPAN_TIME
from auditor.store.outbox import Outbox
from auditor.store.protocol import AuditStore

SILENT_KINDS = frozenset({FailureKind.TIMEOUT, FailureKind.SSH_UNREACHABLE})
"""Failures meaning "the device did not answer" (not: refused our credentials)."""
DEVICE_STATE_KINDS = ("device_down", "device_up")


def _device_facts(
    inventory: Inventory | None, name: str | None
) -> tuple[str | None, tuple[str, ...]]:
    if inventory is None or name is None:
        return None, ()
    device = inventory.device(name)
    if device is None:
        return None, ()
    return (device.zones[0] if device.zones else None), tuple(device.groups)


def finding_events(
    store: AuditStore,
    run_id: int,
    *,
    inventory: Inventory | None,
    titles: Mapping[str, tuple[str, str]],
) -> list[Event]:
    """New and reopened findings of run ``run_id`` (statuses only last for that run)."""
    events: list[Event] = []
    for record in store.list_findings(status=["new", "reopened"], time_field="last_seen"):
        if record.last_run_id != run_id:
            continue
        reopened = record.status.value == "reopened"
        title_ja, title_en = titles.get(record.check_id, (record.check_id, record.check_id))
        where = f" ({record.device})" if record.device else ""
        _, groups = _device_facts(inventory, record.device)
        events.append(
            Event(
                kind="finding",
                key=(
                    f"finding:{record.fingerprint}:reopened:{run_id}"
                    if reopened
                    else f"finding:{record.fingerprint}:new"
                ),
                level=record.severity.value,
                grade=grade_of(record),
                at=record.last_seen,
                title_ja=f"{'再発' if reopened else '新規'}: {record.check_id} {title_ja}{where}",
                title_en=f"{'Reopened' if reopened else 'New'}: {record.check_id} {title_en}"
                f"{where}",
                body_ja=record.message_ja,
                body_en=record.message_en,
                device=record.device,
                zone=record.zone,
                check_id=record.check_id,
                fingerprint=record.fingerprint,
                run_id=run_id,
                groups=groups,
            )
        )
    return events


def device_events(
    outbox: Outbox,
    *,
    run_id: int | None,
    errors: Iterable[CollectionFailure],
    covered: Iterable[str],
    inventory: Inventory | None,
    now: datetime,
) -> list[Event]:
    """ "Stopped answering" once when a device goes silent, "answering again" once it returns.

    The outbox remembers the last state told about each device, so the pair survives restarts.
    """
    covered_set = set(covered)
    silent = sorted(
        {e.device for e in errors if e.kind in SILENT_KINDS and e.device not in covered_set}
    )
    events: list[Event] = []
    for name in silent:
        if outbox.last_kind(name, DEVICE_STATE_KINDS) == "device_down":
            continue
        zone, groups = _device_facts(inventory, name)
        events.append(
            Event(
                kind="device_down",
                key=f"device_down:{name}:{now.isoformat()}",
                level="high",
                at=now,
                title_ja=f"機器が応答しません: {name}",
                title_en=f"Device stopped answering: {name}",
                body_ja=f"{name} は監視に応答しませんでした。電源、管理経路、ACL を確認してください。",
                body_en=f"{name} did not answer the auditor. Check power, the management path "
                "and the ACL admitting the auditor.",
                device=name,
                zone=zone,
                subject=name,
                run_id=run_id,
                groups=groups,
            )
        )
    for name in sorted(covered_set):
        if outbox.last_kind(name, DEVICE_STATE_KINDS) != "device_down":
            continue
        zone, groups = _device_facts(inventory, name)
        events.append(
            Event(
                kind="device_up",
                key=f"device_up:{name}:{now.isoformat()}",
                level="high",
                at=now,
                title_ja=f"機器が再び応答しています: {name}",
                title_en=f"Device answering again: {name}",
                body_ja=f"{name} は再び監視に応答しています。",
                body_en=f"{name} answers the auditor again.",
                device=name,
                zone=zone,
                subject=name,
                run_id=run_id,
                groups=groups,
            )
        )
    return events


def run_event(kind: str, run_id: int | None, status: str, note: str, now: datetime) -> Event:
    """The run did not finish (``run_incomplete``) or failed (``run_failed``)."""
    failed = kind == "run_failed"
    return Event(
        kind=kind,
        key=f"{kind}:{run_id if run_id is not None else now.isoformat()}",
        level="high" if failed else "medium",
        at=now,
        title_ja=f"監査の実行が{'失敗しました' if failed else '完了しませんでした'} (run {run_id})",
        title_en=f"Audit run {'failed' if failed else 'incomplete'} (run {run_id})",
        body_ja=f"状態: {status}。{note}",
        body_en=f"Status: {status}. {note}",
        run_id=run_id,
    )


def exception_events(policy: Policy, *, days: int, now: datetime) -> list[Event]:
    """Exceptions expiring within ``days`` (Japan date), each told once per expiry date."""
    today = now.astimezone(JAPAN_TIME).date()
    events: list[Event] = []
    for index, exception in enumerate(policy.exceptions):
        left = (exception.expires - today).days
        if left < 0 or left > days:
            continue
        label = exception.id or exception.approval_number or f"exceptions[{index}]"
        events.append(
            Event(
                kind="exception_expiring",
                key=f"exception:{label}:{exception.expires.isoformat()}",
                level="medium",
                at=now,
                title_ja=f"例外措置 {label} の期限が {left} 日後に切れます",
                title_en=f"Exception {label} expires in {left} days",
                body_ja=f"{exception.check} の例外措置 (承認番号 {exception.approval_number}) は "
                f"{exception.expires} に期限切れとなります。再承認または是正を。",
                body_en=f"The exception for {exception.check} (approval "
                f"{exception.approval_number}) expires on {exception.expires}. Renew or fix.",
                check_id=exception.check,
            )
        )
    return events


def simple_event(
    kind: str,
    *,
    key: str,
    level: str,
    now: datetime,
    ja: tuple[str, str],
    en: tuple[str, str],
    files: tuple[str, ...] = (),
) -> Event:
    """Reload failed, verify failed, report, pack, test: a title and a body in both languages."""
    return Event(
        kind=kind,
        key=key,
        level=level,
        at=now,
        title_ja=ja[0],
        body_ja=ja[1],
        title_en=en[0],
        body_en=en[1],
        files=files,
    )


def day_key(now: datetime) -> str:
    return (now.astimezone(JAPAN_TIME) - timedelta(0)).date().isoformat()
