"""Which queue (shard) a device belongs to: its tier, its site, or an explicit ``queue:`` group.

A worker inside the My Number tier consumes only the ``mynumber`` queue, so this mapping decides
which machine ever sees a device's credentials. A device in several tiers (the firewall between
them) goes to the most protected one: its credentials must not leave that tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from auditor.inventory.models import Device
from auditor.policy.models import Policy
from auditor.store.tenancy import DEFAULT_TENANT

TIER_ORDER = ("mynumber", "lgwan", "internet")
DEFAULT_QUEUE = "default"
QUEUE_GROUP_PREFIX = "queue:"
ShardBy = Literal["tier", "site"]
TASK_NAME = "auditor.collect_device"
BATCH_TASK_NAME = "auditor.collect_devices"
"""Names of the Celery tasks (``celery_app`` registers them): here, so a dispatcher that only
sends messages names them without importing Celery (0.1 s)."""


def tier_of(device: Device, policy: Policy) -> str:
    """The most protected tier among the device's zones (else its first zone's kind)."""
    kinds: list[str] = []
    for zone_id in device.zones:
        zone = policy.zone(zone_id)
        if zone is not None:
            kinds.append(str(zone.kind))
    for tier in TIER_ORDER:
        if tier in kinds:
            return tier
    return kinds[0] if kinds else DEFAULT_QUEUE


def city_queue(queue: str, tenant: str = DEFAULT_TENANT) -> str:
    """The broker queue of ``queue`` in city ``tenant``: ``<city>.<queue>``.

    In a multi-city deployment two cities' My Number tiers must never share a queue (a worker
    inside city A's tier would take city B's devices); the default single-city deployment keeps
    the bare ``<tier>`` names. Already prefixed names are returned unchanged.
    """
    if tenant == DEFAULT_TENANT or queue.startswith(f"{tenant}."):
        return queue
    return f"{tenant}.{queue}"


def queue_for(
    device: Device, policy: Policy, by: ShardBy = "tier", tenant: str = DEFAULT_TENANT
) -> str:
    """The broker queue of ``device`` in city ``tenant`` (see :func:`city_queue`)."""
    return city_queue(_shard_of(device, policy, by), tenant)


def _shard_of(device: Device, policy: Policy, by: ShardBy) -> str:
    for group in device.groups:
        if group.startswith(QUEUE_GROUP_PREFIX) and len(group) > len(QUEUE_GROUP_PREFIX):
            return group[len(QUEUE_GROUP_PREFIX) :]
    if by == "site":
        return device.site or DEFAULT_QUEUE
    return tier_of(device, policy)


def shard(
    devices: Sequence[Device],
    policy: Policy,
    *,
    tier: str | None = None,
    site: str | None = None,
    queues: Iterable[str] | None = None,
    by: ShardBy = "tier",
) -> list[Device]:
    """The devices of one shard: ``tier``/``site`` filters, or membership of ``queues``."""
    wanted = set(queues) if queues is not None else None
    chosen: list[Device] = []
    for device in devices:
        if tier is not None and tier_of(device, policy) != tier:
            continue
        if site is not None and device.site != site:
            continue
        if wanted is not None and queue_for(device, policy, by) not in wanted:
            continue
        chosen.append(device)
    return chosen
