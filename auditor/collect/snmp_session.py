"""One SNMP conversation with one device: GET the system group, GETBULK-walk columns.

The walker asks for several columns of a table in one GETBULK (the columns advance in lockstep),
checks that every returned OID increases, caps the rows per table, and turns every way a device can
fail into a :class:`SnmpFailure` with a :class:`~auditor.model.collection.FailureKind`
(``checks/collection`` maps kinds to ``COL-…`` checks). pysnmp drops undecodable datagrams silently (the request then simply times out), so a :class:`PeerMonitor`
watches what actually arrives from each peer to tell "silent" from "answers garbage".
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pyasn1.error import PyAsn1Error  # type: ignore[import-untyped]
from pyasn1.type import univ  # type: ignore[import-untyped]
from pysnmp.carrier.asyncio.dispatch import AsyncioDispatcher
from pysnmp.entity.rfc3413.cmdgen import BulkCommandGeneratorSingleRun, GetCommandGenerator
from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
)
from pysnmp.hlapi.v3arch.asyncio.cmdgen import LCD
from pysnmp.proto import errind, rfc1902

from auditor.collect.snmp_fastber import FastTimeout, FastV2c, Varbind
from auditor.collect.snmp_fastusm import FastReport, FastUsm, UsmUser
from auditor.model.collection import FailureKind
from auditor.model.snmp_walk import RawColumn, RawValue, RawWalk

AUTH_INDICATIONS: tuple[type[errind.ErrorIndication], ...] = (
    errind.UnknownUserName,
    errind.WrongDigest,
    errind.AuthenticationFailure,
    errind.AuthenticationError,
    errind.DecryptionError,
    errind.UnknownSecurityName,
    errind.UnsupportedSecurityLevel,
    errind.UnsupportedAuthProtocol,
    errind.UnsupportedPrivProtocol,
    errind.NotInTimeWindow,
    errind.UnknownEngineID,
    errind.NoAuthentication,
    errind.NoEncryption,
    errind.UnknownCommunityName,
)
"""Error indications that mean "the agent rejected our credentials" (mostly v3 report PDUs)."""

REPORT_OIDS = {
    errind.UnknownUserName: "usmStatsUnknownUserNames (1.3.6.1.6.3.15.1.1.3)",
    errind.WrongDigest: "usmStatsWrongDigests (1.3.6.1.6.3.15.1.1.5)",
    errind.DecryptionError: "usmStatsDecryptionErrors (1.3.6.1.6.3.15.1.1.6)",
    errind.UnsupportedSecurityLevel: "usmStatsUnsupportedSecLevels (1.3.6.1.6.3.15.1.1.1)",
    errind.NotInTimeWindow: "usmStatsNotInTimeWindows (1.3.6.1.6.3.15.1.1.2)",
    errind.UnknownEngineID: "usmStatsUnknownEngineIDs (1.3.6.1.6.3.15.1.1.4)",
}


class SnmpFailure(Exception):  # noqa: N818 - a failure is data here, not a bug
    """Why a device (or one of its tables) could not be read."""

    def __init__(self, kind: FailureKind, detail: str, table: str | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.table = table


@dataclass
class PeerStats:
    datagrams: int = 0
    malformed: int = 0


class PeerMonitor:
    """Counts datagrams per peer, and those that are not even a well-formed BER SEQUENCE.

    Installed as the dispatcher's routing callback: it sees every datagram before pysnmp parses
    (and maybe silently drops) it. The BER check is two bytes of arithmetic, not a decode.
    """

    def __init__(self) -> None:
        self.peers: dict[tuple[str, int], PeerStats] = {}

    def __call__(self, domain: Any, address: Any, message: bytes) -> None:
        key = (str(address[0]), int(address[1]))
        stats = self.peers.get(key)
        if stats is None:
            stats = self.peers[key] = PeerStats()
        stats.datagrams += 1
        if not ber_sequence_is_whole(message):
            stats.malformed += 1

    def count_malformed(self, peer: tuple[str, int], message: bytes) -> None:
        """A datagram whose frame looked whole but whose content did not decode (fast path)."""
        if ber_sequence_is_whole(message):
            self.peers[peer].malformed += 1

    def stats(self, host: str, port: int) -> PeerStats:
        return self.peers.get((host, port), PeerStats())


def ber_sequence_is_whole(message: bytes) -> bool:
    """True when ``message`` is one BER SEQUENCE whose length header matches the datagram."""
    if len(message) < 2 or message[0] != 0x30:
        return False
    first = message[1]
    if first < 0x80:
        return 2 + first == len(message)
    count = first & 0x7F
    if count == 0 or count > 4 or len(message) < 2 + count:
        return False
    length = int.from_bytes(message[2 : 2 + count], "big")
    return 2 + count + length == len(message)


_MIB_VIEW: Any = None
_MIB_VIEW_LOCK = threading.Lock()


def share_mib_view(engine: SnmpEngine) -> None:
    """Give ``engine`` the process's MIB view before a high-level request (the probe's GET).

    Only then: the walks send numeric OIDs through the command generators and never need it, and
    building it costs a MIB compiler (≈ 0.9 CPU-s) that a poll without a probe must not pay.
    """
    if "mibViewController" not in engine.cache:
        engine.cache["mibViewController"] = _shared_mib_view()


def _shared_mib_view() -> Any:
    """One MIB view per process for pysnmp's high-level API (the community probe).

    pysnmp keeps this view in each engine's cache and builds it, with a MIB compiler, on the
    engine's first request: about 0.3 CPU-s per engine. An engine per poll is cheap for the
    daemon but was most of a distributed worker's cost (one engine per task). The view only maps
    names to OIDs (requests here use numeric OIDs); it holds no engine state, so engines can
    share it. It is built and warmed once, under a lock.
    """
    global _MIB_VIEW
    with _MIB_VIEW_LOCK:
        if _MIB_VIEW is None:
            from pysnmp.hlapi.varbinds import CommandGeneratorVarBinds
            from pysnmp.smi.rfc1902 import ObjectIdentity, ObjectType

            cache: dict[str, Any] = {}
            CommandGeneratorVarBinds().make_varbinds(
                cache, (ObjectType(ObjectIdentity("1.3.6.1.2.1.1.1.0")),)
            )
            _MIB_VIEW = cache["mibViewController"]
        return _MIB_VIEW


def new_engine(monitor: PeerMonitor) -> SnmpEngine:
    """An SNMP engine whose dispatcher reports every datagram to ``monitor``."""
    engine = SnmpEngine()
    dispatcher = AsyncioDispatcher()
    engine.register_transport_dispatcher(dispatcher)
    dispatcher.register_routing_callback(monitor)
    return engine


def close_engine(engine: SnmpEngine) -> None:
    with contextlib.suppress(PySnmpError, AttributeError):  # already closed or never opened
        engine.close_dispatcher()


def convert_value(value: Any) -> RawValue | None:
    """pysnmp value → plain Python (``None`` for noSuchObject/noSuchInstance/endOfMibView).

    The three exception values (and NULL) subclass pyasn1's ``Null``, which subclasses
    ``OctetString``: they must be caught before the OctetString branch or they become ``b""``
    (an empty sysName instead of an unknown one, a walk that "does not increase" at its end).
    """
    if isinstance(value, univ.Null):
        return None
    if isinstance(value, univ.Integer):
        return int(value)
    if isinstance(value, rfc1902.IpAddress):
        return ".".join(str(octet) for octet in value.asOctets())
    if isinstance(value, univ.OctetString):
        return bytes(value.asOctets())
    if isinstance(value, univ.ObjectIdentifier):
        return ".".join(str(part) for part in value.asTuple())
    return None


FirstRows = dict[str, tuple[tuple[int, ...], RawValue] | None]
_BULK = BulkCommandGeneratorSingleRun()
_GET = GetCommandGenerator()
_NULL = univ.Null("")


def oid_tuple(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.split("."))


@dataclass(frozen=True)
class FastLane:
    """Everything the fast path (:mod:`auditor.collect.snmp_fastber`, and
    :mod:`auditor.collect.snmp_fastusm` for v3 when ``user`` is set) needs for a session."""

    transport: FastV2c
    community: bytes
    timeout: float
    retries: int
    user: UsmUser | None = None
    context: bytes = b""


@dataclass
class SnmpSession:
    """Credentials, target and limits for talking to one device (or one VLAN context of it)."""

    engine: SnmpEngine
    auth: CommunityData | UsmUserData
    target: UdpTransportTarget
    host: str
    port: int
    monitor: PeerMonitor
    version: Literal["v1", "v2c", "v3"]
    context: ContextData = field(default_factory=ContextData)
    max_repetitions: int = 50
    max_rows_per_table: int = 100_000
    requests: int = 0
    answered: bool = False
    fast: FastLane | None = None
    _target_name: str | None = None

    async def get(self, oids: Sequence[str]) -> dict[str, RawValue | None]:
        """GET scalars; ``None`` for each object the agent does not have."""
        response = await self._request(_GET, [oid_tuple(oid) for oid in oids])
        values: dict[str, RawValue | None] = dict.fromkeys(oids)
        for requested, (_, value) in zip(oids, response, strict=False):
            values[requested] = value
        return values

    async def first_rows(self, columns: Sequence[str]) -> FirstRows:
        """One GETNEXT-style GETBULK for many columns: which exist, and their first row.

        Walking a column the agent lacks with max-repetitions 50 makes it return 50 objects of
        whatever follows; asking every column once first costs one object per missing column.
        """
        try:
            response = await self._bulk([oid_tuple(column) for column in columns], repetitions=1)
        except _TooBig:
            if len(columns) == 1:
                raise SnmpFailure(
                    FailureKind.MALFORMED, "agent says tooBig for one object"
                ) from None
            half = len(columns) // 2
            halves = await self.first_rows(columns[:half])
            halves.update(await self.first_rows(columns[half:]))
            return halves
        found: FirstRows = dict.fromkeys(columns)
        for column, (oid, converted) in zip(columns, response, strict=False):
            prefix = oid_tuple(column)
            if converted is not None and oid[: len(prefix)] == prefix and oid != prefix:
                found[column] = (oid, converted)
        return found

    async def walk(
        self,
        table: str,
        columns: Sequence[str],
        first: FirstRows | None = None,
        expected_rows: int | None = None,
    ) -> RawWalk:
        """Walk ``columns`` of one table with GETBULK; raises :class:`SnmpFailure`.

        ``first`` (from :meth:`first_rows`) seeds each column with its first row; a column whose
        first row is ``None`` there is not walked at all. The first column is walked alone with
        the device's max-repetitions; its row count then sizes one lockstep GETBULK for the
        other columns, so a table costs about one object per cell instead of overshooting by
        max-repetitions × columns at its end (pysnmp pays ~50 µs to decode each object).
        ``expected_rows`` (ifNumber for the IF-MIB tables) sizes the first column's walk too.
        """
        walker = _ColumnWalk(self, table, columns)
        active = list(columns)
        if first is not None:
            active = [column for column in columns if first.get(column) is not None]
            for column in active:
                seed = first[column]
                assert seed is not None
                walker.accept(column, seed[0], seed[1])
        if not active:
            return walker.result
        lead, rest = active[0], active[1:]
        lead_repetitions = max(1, self.max_repetitions)
        if expected_rows is not None and expected_rows > 0:
            lead_repetitions = min(expected_rows + 1, max(lead_repetitions, 500))
            await walker.advance([lead], lead_repetitions)
        else:
            # Unknown size: a short first GETBULK keeps small tables cheap, then full ones.
            await walker.advance([lead], lead_repetitions, opening=min(lead_repetitions, 8))
        if rest:
            remaining = max(1, len(walker.result[lead]) - (1 if first is not None else 0))
            ceiling = max(self.max_repetitions, 500 // len(rest))
            await walker.advance(rest, min(remaining + 1, ceiling))
        return walker.result

    async def _bulk(self, oids: list[tuple[int, ...]], repetitions: int) -> list[Varbind]:
        return await self._request(_BULK, oids, repetitions)

    async def _request(
        self, generator: Any, oids: list[tuple[int, ...]], repetitions: int | None = None
    ) -> list[Varbind]:
        if self.fast is not None:
            return await self._fast_request(self.fast, oids, repetitions)
        return [
            (name.asTuple(), convert_value(value))
            for name, value in await self._pysnmp_request(generator, oids, repetitions)
        ]

    async def _fast_request(
        self, lane: FastLane, oids: list[tuple[int, ...]], repetitions: int | None
    ) -> list[Varbind]:
        """The fast path (v2c, v3/USM): same outcomes (and failure kinds) as
        :meth:`_pysnmp_request`."""
        self.requests += 1
        try:
            if lane.user is not None and isinstance(lane.transport, FastUsm):
                response = await lane.transport.request_v3(
                    self.host,
                    self.port,
                    lane.user,
                    lane.context,
                    oids,
                    repetitions,
                    lane.timeout,
                    lane.retries,
                )
            else:
                response = await lane.transport.request(
                    self.host,
                    self.port,
                    lane.community,
                    oids,
                    repetitions,
                    lane.timeout,
                    lane.retries,
                )
        except FastReport as exc:
            raise self._classify(exc.indication) from None
        except FastTimeout as exc:
            raise self._classify(errind.RequestTimedOut(str(exc))) from None
        except OSError as exc:
            raise SnmpFailure(FailureKind.TIMEOUT, f"cannot reach the agent: {exc}") from exc
        self.answered = True
        if response.error_status:
            if response.error_name == "tooBig":
                raise _TooBig
            raise SnmpFailure(
                FailureKind.MALFORMED,
                f"agent returned error-status {response.error_name} "
                f"at index {response.error_index}",
            )
        return response.varbinds

    async def _pysnmp_request(
        self, generator: Any, oids: list[tuple[int, ...]], repetitions: int | None = None
    ) -> list[tuple[Any, Any]]:
        """One GET or GETBULK through pysnmp's RFC 3413 command generators.

        The hlapi ``get_cmd``/``bulk_cmd`` re-configure the target and resolve every OID through
        the MIB view controller on each call (about 0.6 ms per request here, and a one-time
        pysmi parser set-up of over a second per process); this sends raw
        ``(ObjectName, Null)`` pairs to the same generators instead.
        """
        self.requests += 1
        future: asyncio.Future[tuple[Any, Any, Any, Any]] = (
            asyncio.get_running_loop().create_future()
        )

        def done(
            engine: Any,
            handle: Any,
            indication: Any,
            status: Any,
            index: Any,
            varbinds: Any,
            context: Any,
        ) -> None:
            if not future.done():
                future.set_result((indication, status, index, varbinds))

        varbinds = [(rfc1902.ObjectName(oid), _NULL) for oid in oids]
        try:
            if self._target_name is None:
                self._target_name, _ = LCD.configure(
                    self.engine, self.auth, self.target, self.context.contextName
                )
            common = (self.engine, self._target_name, self.context.contextEngineId)
            if repetitions is None:
                generator.send_varbinds(*common, self.context.contextName, varbinds, done)
            else:
                generator.send_varbinds(
                    *common, self.context.contextName, 0, repetitions, varbinds, done
                )
            indication, status, index, response = await future
        except (PySnmpError, PyAsn1Error, ValueError, TypeError) as exc:
            raise SnmpFailure(
                FailureKind.MALFORMED, f"response could not be decoded: {exc}"
            ) from exc
        return self._checked(indication, status, index, response)

    def _checked(
        self, indication: Any, status: Any, index: Any, response: Any
    ) -> list[tuple[Any, Any]]:
        if indication:
            raise self._classify(indication)
        self.answered = True
        if status:
            status_name = status.prettyPrint() if hasattr(status, "prettyPrint") else str(status)
            if status_name == "tooBig":
                raise _TooBig
            raise SnmpFailure(
                FailureKind.MALFORMED,
                f"agent returned error-status {status_name} at index {int(index)}",
            )
        return list(response)

    def _classify(self, indication: Any) -> SnmpFailure:
        stats = self.monitor.stats(self.host, self.port)
        if isinstance(indication, AUTH_INDICATIONS):
            report = REPORT_OIDS.get(type(indication))
            detail = f"{indication}" + (f" (report PDU {report})" if report else "")
            return SnmpFailure(FailureKind.AUTH, detail)
        if isinstance(indication, errind.RequestTimedOut):
            if stats.malformed:
                return SnmpFailure(
                    FailureKind.MALFORMED,
                    f"{stats.malformed} of {stats.datagrams} datagrams from the agent were not "
                    "well-formed SNMP (garbage or truncated BER)",
                )
            if self.version == "v3" and stats.datagrams and not self.answered:
                return SnmpFailure(
                    FailureKind.AUTH,
                    "the agent answered engine discovery but not the encrypted request "
                    "(wrong privacy password or privacy protocol)",
                )
            return SnmpFailure(FailureKind.TIMEOUT, str(indication))
        return SnmpFailure(FailureKind.MALFORMED, str(indication))


class _ColumnWalk:
    """Cursors and rows of the columns of one table while they are being walked."""

    def __init__(self, session: SnmpSession, table: str, columns: Sequence[str]) -> None:
        self.session = session
        self.table = table
        self.prefixes = {column: oid_tuple(column) for column in columns}
        self.cursors = dict(self.prefixes)
        self.result: dict[str, RawColumn] = {column: [] for column in columns}

    def accept(self, column: str, oid: tuple[int, ...], value: RawValue) -> None:
        if oid <= self.cursors[column]:
            raise SnmpFailure(
                FailureKind.RUNAWAY,
                f"OID did not increase in {self.table}: "
                f"{'.'.join(map(str, oid))} after {'.'.join(map(str, self.cursors[column]))}",
                self.table,
            )
        self.cursors[column] = oid
        rows = self.result[column]
        rows.append((oid[len(self.prefixes[column]) :], value))
        if len(rows) > self.session.max_rows_per_table:
            raise SnmpFailure(
                FailureKind.RUNAWAY,
                f"{self.table} exceeded the cap of {self.session.max_rows_per_table} rows "
                "per column",
                self.table,
            )

    async def advance(
        self, columns: list[str], repetitions: int, opening: int | None = None
    ) -> None:
        """GETBULK ``columns`` in lockstep until each has left its subtree."""
        active = list(columns)
        asking = opening or repetitions
        while active:
            try:
                response = await self.session._bulk(
                    [self.cursors[column] for column in active], repetitions=asking
                )
            except _TooBig:
                if asking == 1:
                    raise SnmpFailure(
                        FailureKind.MALFORMED, "agent says tooBig for one row", self.table
                    ) from None
                repetitions = max(1, asking // 2)
                asking = repetitions
                continue
            asking = repetitions
            if not response:
                raise SnmpFailure(FailureKind.MALFORMED, "empty GETBULK response", self.table)
            width = len(active)
            finished: set[str] = set()
            for position, (oid, converted) in enumerate(response):
                column = active[position % width]
                if column in finished:
                    continue
                if converted is None or oid[: len(self.prefixes[column])] != self.prefixes[column]:
                    finished.add(column)
                    continue
                self.accept(column, oid, converted)
            active = [column for column in active if column not in finished]


class _TooBig(Exception):  # noqa: N818 - control flow inside the walker only
    pass
