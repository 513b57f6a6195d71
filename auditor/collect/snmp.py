"""SNMP collection: poll many devices concurrently into normalized snapshots.

``collect_snmp`` (and :class:`SnmpCollector`, the :class:`~auditor.collect.base.Collector` the
engine uses) resolves each device's credentials, walks only the columns the normalizer needs
(:mod:`auditor.platforms.snmp_columns`), probes for default communities, and hands the raw walks to
:mod:`auditor.platforms.snmp_normalize`. A device that fails becomes a ``CollectionFailure`` of
some kind (``checks/collection`` makes it a ``COL-…`` ERROR finding) and never stops the run. Concurrency is bounded by a semaphore; with
``workers > 1`` the devices are sharded over forked worker processes, because pysnmp's BER
decoding is CPU-bound and one process uses one core.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    usmAesCfb128Protocol,
    usmAesCfb192Protocol,
    usmAesCfb256Protocol,
    usmDESPrivProtocol,
    usmHMAC128SHA224AuthProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMAC256SHA384AuthProtocol,
    usmHMAC384SHA512AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
    usmNoAuthProtocol,
    usmNoPrivProtocol,
)
from pysnmp.proto.rfc1902 import OctetString

from auditor.collect.base import CollectionResult, ProgressCallback
from auditor.collect.snmp_fastber import FastV2c
from auditor.collect.snmp_fastusm import FastUsm, UsmUser, fast_usm_supported
from auditor.collect.snmp_probe import (
    CONFIGURED_COMMUNITY_MARK,
    DEFAULT_PROBE_COMMUNITIES,
    probe_communities,
)
from auditor.collect.snmp_session import (
    FastLane,
    FirstRows,
    PeerMonitor,
    SnmpFailure,
    SnmpSession,
    close_engine,
    new_engine,
)
from auditor.inventory.models import CredentialRef, Device, SnmpSettings
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.snapshot import DeviceSnapshot
from auditor.model.snmp_walk import DeviceWalk, RawWalk
from auditor.platforms.registry import SnmpQuirks, snmp_quirks_for
from auditor.platforms.snmp_columns import (
    IF_NUMBER,
    OPTIONAL_SCALARS,
    PER_VLAN_COLUMNS,
    SYS_OBJECT_ID,
    SYSTEM_SCALARS,
    TABLES,
)
from auditor.platforms.snmp_normalize import normalize_walk
from auditor.policy.models import Policy

SecretResolver = Callable[[CredentialRef], str]
IF_TABLES = frozenset({"ifTable", "ifXTable"})

_AUTH_PROTOCOLS: dict[str, Any] = {
    "md5": usmHMACMD5AuthProtocol,
    "sha": usmHMACSHAAuthProtocol,
    "sha224": usmHMAC128SHA224AuthProtocol,
    "sha256": usmHMAC192SHA256AuthProtocol,
    "sha384": usmHMAC256SHA384AuthProtocol,
    "sha512": usmHMAC384SHA512AuthProtocol,
}
_PRIV_PROTOCOLS: dict[str, Any] = {
    "none": usmNoPrivProtocol,
    "des": usmDESPrivProtocol,
    "aes": usmAesCfb128Protocol,
    "aes192": usmAesCfb192Protocol,
    "aes256": usmAesCfb256Protocol,
}


@dataclass(frozen=True)
class SnmpCredentials:
    """Resolved secrets for one device; ``repr`` never shows them."""

    community: str | None = field(default=None, repr=False)
    auth_key: str | None = field(default=None, repr=False)
    priv_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PollOptions:
    """Run-wide knobs (per-device timeout/retries/max-repetitions come from ``SnmpSettings``)."""

    concurrency: int = 64
    max_rows_per_table: int = 100_000
    probe_communities: tuple[str, ...] | None = DEFAULT_PROBE_COMMUNITIES
    probe_timeout: float = 1.0
    tables: tuple[str, ...] | None = None
    cisco_per_vlan_fdb: bool = True
    keep_evidence: bool = False
    """Attach each device's raw walk as ``snmp-walk.json`` evidence (content-addressed later)."""
    fast_path: bool = True
    """Walk SNMPv2c devices through the lean BER codec (:mod:`auditor.collect.snmp_fastber`)
    and SNMPv3 devices (MD5/SHA/SHA-2 auth, AES-128 or no privacy) through its USM
    (:mod:`auditor.collect.snmp_fastusm`) instead of pysnmp; ``False`` keeps pysnmp for every
    device (the differential tests)."""


@dataclass
class DevicePoll:
    """What polling one device produced (picklable: crosses process boundaries)."""

    device: str
    snapshot: DeviceSnapshot | None = None
    errors: list[CollectionFailure] = field(default_factory=list)
    rows: int = 0
    requests: int = 0
    evidence: list[tuple[str, bytes]] = field(default_factory=list)


def resolve_credentials(device: Device, resolve_secret: SecretResolver) -> SnmpCredentials:
    """Look up the device's SNMP secrets; raises :class:`SnmpFailure` of kind ``credential``."""
    settings = device.snmp
    if settings is None:
        raise SnmpFailure(
            FailureKind.CREDENTIAL, "the inventory has no SNMP settings for this device"
        )

    def lookup(reference: CredentialRef | None, what: str) -> str | None:
        if reference is None:
            return None
        try:
            value = resolve_secret(reference)
        except Exception as exc:  # any resolver failure is a collection error, never a crash
            raise SnmpFailure(
                FailureKind.CREDENTIAL,
                f"{what} {reference.describe()} could not be read ({type(exc).__name__})",
            ) from exc
        if not value:
            raise SnmpFailure(FailureKind.CREDENTIAL, f"{what} {reference.describe()} is empty")
        return value

    if settings.version == "v2c":
        if settings.community is None:
            raise SnmpFailure(FailureKind.CREDENTIAL, "SNMPv2c needs a community reference")
        return SnmpCredentials(community=lookup(settings.community, "community"))
    if not settings.user:
        raise SnmpFailure(FailureKind.CREDENTIAL, "SNMPv3 needs a user name")
    priv_key = None
    if settings.priv_protocol != "none":
        priv_key = lookup(settings.priv_key, "privacy key")
    return SnmpCredentials(
        community=lookup(settings.community, "community"),
        auth_key=lookup(settings.auth_key, "authentication key"),
        priv_key=priv_key,
    )


def build_auth(
    settings: SnmpSettings, credentials: SnmpCredentials, *, vlan: int | None = None
) -> tuple[CommunityData | UsmUserData, ContextData]:
    """pysnmp auth + context objects; ``vlan`` selects Cisco's per-VLAN bridge instance."""
    if settings.version == "v2c":
        community = credentials.community or ""
        if vlan is not None:
            community = f"{community}@{vlan}"
        return CommunityData(community, mpModel=1), ContextData()  # noqa: S508 - v2c is asked for
    auth_protocol = _AUTH_PROTOCOLS[settings.auth_protocol]
    priv_protocol = _PRIV_PROTOCOLS[settings.priv_protocol]
    if credentials.auth_key is None:
        auth_protocol, priv_protocol = usmNoAuthProtocol, usmNoPrivProtocol
    if credentials.priv_key is None:
        priv_protocol = usmNoPrivProtocol
    user = UsmUserData(
        settings.user or "",
        authKey=credentials.auth_key,
        privKey=credentials.priv_key,
        authProtocol=auth_protocol,
        privProtocol=priv_protocol,
    )
    context_name = f"vlan-{vlan}" if vlan is not None else settings.context
    return user, ContextData(contextName=OctetString(context_name))


def failure_to_error(device: Device, failure: SnmpFailure) -> CollectionFailure:
    """The failure as data: its kind, a technical detail and the settings a message needs."""
    settings = device.snmp or SnmpSettings()
    return CollectionFailure(
        device=device.name,
        kind=FailureKind(failure.kind),
        subject=f"table:{failure.table}" if failure.table else "snmp",
        detail=failure.detail,
        facts={
            "where": f"{device.address}:{settings.port}",
            "timeout": str(settings.timeout),
            "tries": str(settings.retries + 1),
            "version": settings.version,
        },
    )


class _Pollers:
    """Per-event-loop shared SNMP engines (creating one costs ~40 ms of CPU in pysnmp).

    Every community-based device shares one engine. SNMPv3 devices share an engine only with
    devices that use the very same user *and* keys: a USM table holds one entry per user name,
    so equal names with different keys must live in different engines.
    """

    def __init__(self) -> None:
        self.monitor = PeerMonitor()
        self.community_engine = new_engine(self.monitor)
        self.engines: list[SnmpEngine] = [self.community_engine]
        self._usm: dict[str, list[tuple[tuple[object, ...], SnmpEngine, PeerMonitor]]] = {}
        self._fast: FastV2c | None = None
        self._fast_usm: dict[UsmUser, FastUsm] = {}

    def fast_lane(
        self, settings: SnmpSettings, credentials: SnmpCredentials, *, vlan: int | None = None
    ) -> FastLane:
        """The v2c fast path's socket (shared by every v2c device of this loop) and community."""
        if self._fast is None:
            self._fast = FastV2c(self.monitor)
        community = credentials.community or ""
        if vlan is not None:
            community = f"{community}@{vlan}"
        try:
            raw = community.encode("iso-8859-1")  # what pyasn1 does with a str community
        except UnicodeEncodeError:
            raw = community.encode("utf-8")
        return FastLane(self._fast, raw, settings.timeout, settings.retries)

    def usm_lane(
        self, settings: SnmpSettings, credentials: SnmpCredentials
    ) -> tuple[FastLane, PeerMonitor] | None:
        """The v3 fast path for this identity, or ``None`` when its protocols need pysnmp.

        Like pysnmp's engine per identity (see :meth:`engine_for`), each identity gets its own
        socket and :class:`PeerMonitor`, so one identity's garbage never classifies another's.
        """
        auth = settings.auth_protocol if credentials.auth_key is not None else None
        priv = settings.priv_protocol if auth is not None and credentials.priv_key else None
        if priv == "none":
            priv = None
        if not fast_usm_supported(auth, priv):
            return None
        user = UsmUser(
            name=(settings.user or "").encode("utf-8"),
            auth=auth,
            priv=priv is not None,
            auth_password=(credentials.auth_key or "").encode("utf-8"),
            priv_password=(credentials.priv_key or "").encode("utf-8") if priv else b"",
        )
        transport = self._fast_usm.get(user)
        if transport is None:
            transport = self._fast_usm[user] = FastUsm(PeerMonitor())
        lane = FastLane(
            transport,
            b"",
            settings.timeout,
            settings.retries,
            user=user,
            context=settings.context.encode("utf-8"),
        )
        return lane, transport.monitor

    def engine_for(
        self, settings: SnmpSettings, credentials: SnmpCredentials
    ) -> tuple[SnmpEngine, PeerMonitor]:
        if settings.version == "v2c":
            return self.community_engine, self.monitor
        identity = (
            settings.auth_protocol,
            settings.priv_protocol,
            credentials.auth_key,
            credentials.priv_key,
        )
        candidates = self._usm.setdefault(settings.user or "", [])
        for known, engine, monitor in candidates:
            if known == identity:
                return engine, monitor
        monitor = PeerMonitor()
        engine = new_engine(monitor)
        self.engines.append(engine)
        candidates.append((identity, engine, monitor))
        return engine, monitor

    def close(self) -> None:
        if self._fast is not None:
            self._fast.close()
        for transport in self._fast_usm.values():
            transport.close()
        for engine in self.engines:
            close_engine(engine)


async def poll_device(
    device: Device,
    credentials: SnmpCredentials,
    pollers: _Pollers,
    options: PollOptions,
) -> DevicePoll:
    """Collect and normalize one device; failures are returned, never raised."""
    settings = device.snmp or SnmpSettings()
    result = DevicePoll(device=device.name)
    fast: FastLane | None = None
    if options.fast_path and settings.version == "v2c":
        fast = pollers.fast_lane(settings, credentials)
    usm = (
        pollers.usm_lane(settings, credentials)
        if options.fast_path and settings.version == "v3"
        else None
    )
    if usm is not None:
        # pysnmp never sees this device: no engine of its own (~40 ms of CPU each).
        fast, monitor = usm
        engine = pollers.community_engine
    else:
        engine, monitor = pollers.engine_for(settings, credentials)
    auth, context = build_auth(settings, credentials)
    target = await UdpTransportTarget.create(
        (device.address, settings.port), timeout=settings.timeout, retries=settings.retries
    )
    session = SnmpSession(
        engine=engine,
        auth=auth,
        target=target,
        host=device.address,
        port=settings.port,
        monitor=monitor,
        version=settings.version,
        context=context,
        max_repetitions=settings.max_repetitions,
        max_rows_per_table=options.max_rows_per_table,
        fast=fast,
    )
    walk = DeviceWalk(device=device.name, platform=device.platform)
    try:
        system = await session.get([oid + ".0" for oid in SYSTEM_SCALARS])
        for oid, value in system.items():
            if value is not None:
                walk.walks[oid.removesuffix(".0")] = [((0,), value)]
        if all(value is None for value in system.values()):
            walk.absent_tables.append("system")
        for oid in OPTIONAL_SCALARS:  # hrSystemDate: its own GET (v1 noSuchName spoils a batch)
            try:
                extra = await session.get([oid + ".0"])
            except SnmpFailure as failure:
                if failure.kind == FailureKind.TIMEOUT:
                    raise
                continue
            if (value := extra.get(oid + ".0")) is not None:
                walk.walks[oid] = [((0,), value)]
        wanted = options.tables or tuple(TABLES)
        first: FirstRows | None
        try:
            first = await session.first_rows([c for table in wanted for c in TABLES[table]])
        except SnmpFailure as failure:
            if failure.kind != "malformed" or "error-status" not in failure.detail:
                raise
            first = None  # an agent that rejects many varbinds at once: walk table by table
        if_number = walk.walks.get(IF_NUMBER, [((0,), 0)])[0][1]
        for table in wanted:
            hint = if_number if table in IF_TABLES and isinstance(if_number, int) else None
            await _walk_table(session, walk, table, TABLES[table], result, device, first, hint)
        object_id = walk.walks.get(SYS_OBJECT_ID, [((0,), "")])[0][1]
        quirks = snmp_quirks_for(device.platform, str(object_id))
        if (
            options.cisco_per_vlan_fdb
            and quirks is not None
            and "dot1qTpFdbTable" in walk.absent_tables
        ):
            await _walk_vendor_tables(session, walk, settings, credentials, result, device, quirks)
    except SnmpFailure as failure:
        result.errors.append(failure_to_error(device, failure))
        result.requests = session.requests
        return result
    if options.probe_communities is not None:
        walk.probe_accepted = await probe_communities(
            pollers.community_engine,
            device.address,
            settings.port,
            options.probe_communities,
            timeout=options.probe_timeout,
        )
        if settings.version == "v2c":
            walk.probe_accepted.append(CONFIGURED_COMMUNITY_MARK)
        elif credentials.community:
            configured = await probe_communities(
                pollers.community_engine,
                device.address,
                settings.port,
                [credentials.community],
                timeout=options.probe_timeout,
            )
            if any(entry.startswith("v2c:") for entry in configured):
                walk.probe_accepted.append(CONFIGURED_COMMUNITY_MARK)
    result.rows = walk.row_count()
    result.requests = session.requests
    result.snapshot = normalize_walk(walk, collected_at=datetime.now(UTC))
    if options.keep_evidence:
        result.evidence.append(("snmp-walk.json", walk_as_json(walk)))
    return result


async def _walk_table(
    session: SnmpSession,
    walk: DeviceWalk,
    table: str,
    columns: Sequence[str],
    result: DevicePoll,
    device: Device,
    first: FirstRows | None = None,
    expected_rows: int | None = None,
) -> None:
    try:
        columns_read = await session.walk(table, columns, first, expected_rows)
    except SnmpFailure as failure:
        if failure.kind in ("runaway", "malformed") and failure.table:
            # One bad table: report it and keep the rest of the device.
            result.errors.append(failure_to_error(device, failure))
            return
        raise
    if not any(columns_read.values()):
        walk.absent_tables.append(table)
        return
    walk.walks.update({column: rows for column, rows in columns_read.items() if rows})


async def _walk_vendor_tables(
    session: SnmpSession,
    walk: DeviceWalk,
    settings: SnmpSettings,
    credentials: SnmpCredentials,
    result: DevicePoll,
    device: Device,
    quirks: SnmpQuirks,
) -> None:
    """The platform's stand-in tables; per-VLAN BRIDGE-MIB instances via community@vlan/context.

    Which tables and VLANs is platform knowledge (the profile's :class:`SnmpQuirks`; Cisco IOS
    is the one platform that needs it today).
    """
    for table, columns in quirks.extra_tables.items():
        await _walk_table(session, walk, table, columns, result, device)
    if quirks.per_vlan_fdb_vlans is None:
        return
    vlans = quirks.per_vlan_fdb_vlans(walk)
    # The first VLAN tells whether per-VLAN instances exist at all: ask it once, without retries.
    first_target = await UdpTransportTarget.create(
        (session.host, session.port), timeout=settings.timeout, retries=0
    )
    for position, vlan in enumerate(vlans):
        auth, context = build_auth(settings, credentials, vlan=vlan)
        vlan_session = SnmpSession(
            engine=session.engine,
            auth=auth,
            target=first_target if position == 0 else session.target,
            host=session.host,
            port=session.port,
            monitor=session.monitor,
            version=session.version,
            context=context,
            max_repetitions=session.max_repetitions,
            max_rows_per_table=session.max_rows_per_table,
            fast=(
                None
                if session.fast is None
                else replace(
                    session.fast,
                    community=session.fast.community + f"@{vlan}".encode(),
                    retries=0 if position == 0 else settings.retries,
                )
                if session.fast.user is None
                else replace(
                    session.fast,
                    context=f"vlan-{vlan}".encode(),
                    retries=0 if position == 0 else settings.retries,
                )
            ),
        )
        try:
            per_vlan = await vlan_session.walk("dot1dTpFdbTable@vlan", PER_VLAN_COLUMNS)
        except SnmpFailure as failure:
            if position == 0 and failure.kind in ("timeout", "auth"):
                # The agent does not offer per-VLAN instances at all: fall back to the global
                # dot1dTpFdbTable and say so, instead of paying one timeout per VLAN.
                walk.absent_tables.append("dot1dTpFdbTable@vlan")
                return
            result.errors.append(failure_to_error(device, failure))
            continue
        finally:
            session.requests += vlan_session.requests
        if any(per_vlan.values()):
            walk.per_vlan[vlan] = per_vlan


async def poll_devices(
    jobs: Sequence[tuple[Device, SnmpCredentials]],
    options: PollOptions,
    progress: Callable[[DevicePoll], None] | None = None,
) -> list[DevicePoll]:
    """Poll ``jobs`` with at most ``options.concurrency`` devices in flight."""
    pollers = _Pollers()
    semaphore = asyncio.Semaphore(max(1, options.concurrency))

    async def guarded(device: Device, credentials: SnmpCredentials) -> DevicePoll:
        async with semaphore:
            try:
                polled = await poll_device(device, credentials, pollers, options)
            except Exception as exc:  # a bug in one device's path must not stop the others
                failure = SnmpFailure(
                    FailureKind.MALFORMED, f"internal error {type(exc).__name__}: {exc}"
                )
                polled = DevicePoll(device=device.name, errors=[failure_to_error(device, failure)])
        if progress is not None:
            progress(polled)
        return polled

    try:
        return list(await asyncio.gather(*(guarded(device, creds) for device, creds in jobs)))
    finally:
        pollers.close()


_WORKER_QUEUE: Any = None


def _init_worker(progress_queue: Any) -> None:
    global _WORKER_QUEUE
    _WORKER_QUEUE = progress_queue


def _poll_shard(
    jobs: list[tuple[Device, SnmpCredentials]], options: PollOptions
) -> list[DevicePoll]:
    def report(polled: DevicePoll) -> None:
        if _WORKER_QUEUE is not None:
            _WORKER_QUEUE.put((polled.device, polled.snapshot is not None))

    with relaxed_gc():
        return asyncio.run(poll_devices(jobs, options, report))


@contextlib.contextmanager
def relaxed_gc() -> Iterator[None]:
    """Collect young objects less often while polling.

    pysnmp/pyasn1 allocate a dozen short-lived objects per decoded varbind; with the default
    threshold (700) the cyclic collector runs thousands of times per poll. A higher threshold
    saved ~12 % CPU per device in ``bench/snmp_poll.py``; the previous one is restored after.
    """
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def collect_snmp(
    devices: Sequence[Device],
    resolve_secret: SecretResolver,
    *,
    concurrency: int = 64,
    progress: ProgressCallback | None = None,
    workers: int = 1,
    options: PollOptions | None = None,
    stats: dict[str, int] | None = None,
) -> CollectionResult:
    """Poll ``devices`` over SNMP; every device ends up as a snapshot or as errors.

    ``workers > 1`` shards the devices over that many forked processes (each with ``concurrency``
    devices in flight). ``stats``, when given, receives ``rows`` and ``requests`` totals.
    """
    options = options or PollOptions(concurrency=concurrency)
    result = CollectionResult()
    jobs: list[tuple[Device, SnmpCredentials]] = []
    for device in devices:
        try:
            jobs.append((device, resolve_credentials(device, resolve_secret)))
        except SnmpFailure as failure:
            result.errors.append(failure_to_error(device, failure))
            if progress is not None:
                progress(device.name, False)

    polls = _run_polls(jobs, options, progress, workers)
    totals = {"rows": 0, "requests": 0}
    for polled in polls:
        totals["rows"] += polled.rows
        totals["requests"] += polled.requests
        result.errors.extend(polled.errors)
        if polled.snapshot is not None:
            result.snapshots[polled.device] = polled.snapshot
        if polled.evidence:
            result.evidence.setdefault(polled.device, []).extend(polled.evidence)
    if stats is not None:
        stats.update(totals)
    return result


def _run_polls(
    jobs: list[tuple[Device, SnmpCredentials]],
    options: PollOptions,
    progress: ProgressCallback | None,
    workers: int,
) -> list[DevicePoll]:
    if workers <= 1 or len(jobs) < 2:

        def report(polled: DevicePoll) -> None:
            if progress is not None:
                progress(polled.device, polled.snapshot is not None)

        with relaxed_gc():
            return asyncio.run(poll_devices(jobs, options, report))

    # fork is cheapest, but forking a process whose other threads may hold locks (a daemon with
    # a scheduler) is unsafe: then the workers are spawned fresh instead.
    method = "fork" if threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    progress_queue = context.Queue()
    shards = [jobs[index::workers] for index in range(workers)]
    shards = [shard for shard in shards if shard]
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set() or not progress_queue.empty():
            try:
                name, succeeded = progress_queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if progress is not None:
                progress(name, succeeded)

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    try:
        with ProcessPoolExecutor(
            max_workers=len(shards),
            mp_context=context,
            initializer=_init_worker,
            initargs=(progress_queue,),
        ) as pool:
            futures = [pool.submit(_poll_shard, shard, options) for shard in shards]
            polls = [polled for future in futures for polled in future.result()]
    finally:
        stop.set()
        drainer.join()
    return polls


class SnmpCollector:
    """The SNMP :class:`~auditor.collect.base.Collector`.

    ``workers=None`` picks :func:`auto_workers` per run (1 below 200 devices on 2 cores).
    """

    name = "snmp"

    def __init__(
        self,
        *,
        concurrency: int = 64,
        workers: int | None = None,
        options: PollOptions | None = None,
    ) -> None:
        self.concurrency = concurrency
        self.workers = workers
        self.options = options or PollOptions(concurrency=concurrency)
        self.concurrency = self.options.concurrency

    @classmethod
    def for_policy(cls, policy: Policy, **options: Any) -> SnmpCollector:
        """A collector that also probes the policy's ``forbidden_snmp_communities`` (HRD-001)."""
        return cls(options=poll_options_for_policy(policy, **options))

    def collect(
        self,
        devices: Sequence[Device],
        resolve_secret: Any,
        progress: ProgressCallback | None = None,
    ) -> CollectionResult:
        return collect_snmp(
            devices,
            resolve_secret,
            concurrency=self.options.concurrency,
            progress=progress,
            workers=self.workers if self.workers is not None else auto_workers(len(devices)),
            options=self.options,
        )


DEVICES_PER_WORKER = 100


def auto_workers(devices: int) -> int:
    """One worker process per core once there are enough devices to pay for starting them.

    pysnmp decodes in pure Python, so one process saturates one core; below a few hundred
    devices the start-up of extra processes costs more than it saves.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, devices // DEVICES_PER_WORKER))


def walk_as_json(walk: DeviceWalk) -> bytes:
    """The raw walk as stable JSON (octets as hex): what the snapshot was built from.

    Walks hold no credentials (the community and keys are never part of a MIB value walked here).
    """

    def plain(value: object) -> object:
        return {"hex": value.hex()} if isinstance(value, bytes) else value

    def columns(raw: RawWalk) -> dict[str, object]:
        return {
            oid: [[".".join(map(str, index)), plain(value)] for index, value in rows]
            for oid, rows in sorted(raw.items())
        }

    document = {
        "device": walk.device,
        "absent_tables": sorted(walk.absent_tables),
        "walks": columns(walk.walks),
        "per_vlan": {str(vlan): columns(raw) for vlan, raw in sorted(walk.per_vlan.items())},
        "probe_accepted": walk.probe_accepted,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def poll_options_for_policy(policy: Policy, **overrides: Any) -> PollOptions:
    """Poll options whose community probe covers the defaults and the policy's forbidden list."""
    communities = tuple(
        dict.fromkeys([*DEFAULT_PROBE_COMMUNITIES, *policy.forbidden_snmp_communities])
    )
    return PollOptions(**{"probe_communities": communities, **overrides})


def summarize_snapshot(snapshot: DeviceSnapshot) -> str:
    """One line for humans: what SNMP saw on this device."""
    trunks = sum(1 for interface in snapshot.interfaces if interface.mode == "trunk")
    access = sum(1 for interface in snapshot.interfaces if interface.mode == "access")
    serial = snapshot.system.serial or "-"
    absent = f", absent: {', '.join(snapshot.absent_tables)}" if snapshot.absent_tables else ""
    probes = snapshot.management.snmp_probe_accepted
    probe_text = ""
    if probes is not None:
        accepted = [probe for probe in probes if probe != CONFIGURED_COMMUNITY_MARK]
        probe_text = f", probe communities accepted: {', '.join(accepted) or 'none'}"
    return (
        f"{snapshot.device}: {len(snapshot.interfaces)} interfaces ({access} access, "
        f"{trunks} trunk), {len(snapshot.vlans)} VLANs, {len(snapshot.fdb)} FDB entries, "
        f"{len(snapshot.neighbors)} neighbours, {len(snapshot.arp)} ARP entries, "
        f"serial {serial}{probe_text}{absent}"
    )
