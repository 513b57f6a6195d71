"""One SNMP conversation with one device: GET the system group, GETBULK-walk columns.

The walker asks for several columns of a table in one GETBULK (the columns advance in lockstep),
checks that every returned OID increases, caps the rows per table, and turns every way a device can
fail into a :class:`SnmpFailure` with a kind the collector maps to a ``COL-…`` check. pysnmp drops
undecodable datagrams silently (the request then simply times out), so a :class:`PeerMonitor`
watches what actually arrives from each peer to tell "silent" from "answers garbage".
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pyasn1.error import PyAsn1Error  # type: ignore[import-untyped]
from pyasn1.type import univ  # type: ignore[import-untyped]
from pysnmp.carrier.asyncio.dispatch import AsyncioDispatcher
from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
)
from pysnmp.proto import errind, rfc1902

from auditor.collect.snmp_columns import RawColumn, RawValue, RawWalk

FailureKind = Literal["timeout", "auth", "malformed", "runaway", "credential"]

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
    """pysnmp value → plain Python (``None`` for noSuchObject/noSuchInstance/endOfMibView)."""
    if isinstance(value, univ.Integer):
        return int(value)
    if isinstance(value, rfc1902.IpAddress):
        return ".".join(str(octet) for octet in value.asOctets())
    if isinstance(value, univ.OctetString):
        return bytes(value.asOctets())
    if isinstance(value, univ.ObjectIdentifier):
        return ".".join(str(part) for part in value.asTuple())
    return None


def oid_tuple(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.split("."))


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

    async def get(self, oids: Sequence[str]) -> dict[str, RawValue | None]:
        """GET scalars; ``None`` for each object the agent does not have."""
        varbinds = [ObjectType(ObjectIdentity(oid)) for oid in oids]
        response = await self._send(get_cmd, varbinds)
        values: dict[str, RawValue | None] = dict.fromkeys(oids)
        for requested, (_, value) in zip(oids, response, strict=False):
            values[requested] = convert_value(value)
        return values

    async def walk(self, table: str, columns: Sequence[str]) -> RawWalk:
        """Walk ``columns`` of one table with GETBULK; raises :class:`SnmpFailure`."""
        prefixes = {column: oid_tuple(column) for column in columns}
        cursors = dict(prefixes)
        result: dict[str, RawColumn] = {column: [] for column in columns}
        active = list(columns)
        repetitions = max(1, self.max_repetitions)
        rows = 0
        while active:
            varbinds = [ObjectType(ObjectIdentity(cursors[column])) for column in active]
            try:
                response = await self._send(bulk_cmd, varbinds, repetitions=repetitions)
            except _TooBig:
                if repetitions == 1:
                    raise SnmpFailure("malformed", "agent says tooBig for one row", table) from None
                repetitions = max(1, repetitions // 2)
                continue
            if not response:
                raise SnmpFailure("malformed", "empty GETBULK response", table)
            width = len(active)
            finished: set[str] = set()
            for position, (name, value) in enumerate(response):
                column = active[position % width]
                if column in finished:
                    continue
                oid = name.asTuple()
                prefix = prefixes[column]
                converted = convert_value(value)
                if converted is None or oid[: len(prefix)] != prefix:
                    finished.add(column)
                    continue
                if oid <= cursors[column]:
                    raise SnmpFailure(
                        "runaway",
                        f"OID did not increase in {table}: "
                        f"{'.'.join(map(str, oid))} after {'.'.join(map(str, cursors[column]))}",
                        table,
                    )
                cursors[column] = oid
                result[column].append((oid[len(prefix) :], converted))
                rows += 1
                if rows > self.max_rows_per_table * len(columns):
                    raise SnmpFailure(
                        "runaway",
                        f"{table} exceeded the cap of {self.max_rows_per_table} rows per column",
                        table,
                    )
            active = [column for column in active if column not in finished]
        return result

    async def _send(
        self, command: Any, varbinds: list[ObjectType], repetitions: int = 0
    ) -> list[tuple[Any, Any]]:
        self.requests += 1
        try:
            if command is bulk_cmd:
                indication, status, index, response = await bulk_cmd(
                    self.engine,
                    self.auth,
                    self.target,
                    self.context,
                    0,
                    repetitions,
                    *varbinds,
                    lookupMib=False,
                )
            else:
                indication, status, index, response = await get_cmd(
                    self.engine, self.auth, self.target, self.context, *varbinds, lookupMib=False
                )
        except (PySnmpError, PyAsn1Error, ValueError, TypeError) as exc:
            raise SnmpFailure("malformed", f"response could not be decoded: {exc}") from exc
        if indication:
            raise self._classify(indication)
        self.answered = True
        if status:
            status_name = status.prettyPrint() if hasattr(status, "prettyPrint") else str(status)
            if status_name == "tooBig":
                raise _TooBig
            raise SnmpFailure(
                "malformed", f"agent returned error-status {status_name} at index {int(index)}"
            )
        return list(response)

    def _classify(self, indication: Any) -> SnmpFailure:
        stats = self.monitor.stats(self.host, self.port)
        if isinstance(indication, AUTH_INDICATIONS):
            report = REPORT_OIDS.get(type(indication))
            detail = f"{indication}" + (f" (report PDU {report})" if report else "")
            return SnmpFailure("auth", detail)
        if isinstance(indication, errind.RequestTimedOut):
            if stats.malformed:
                return SnmpFailure(
                    "malformed",
                    f"{stats.malformed} of {stats.datagrams} datagrams from the agent were not "
                    "well-formed SNMP (garbage or truncated BER)",
                )
            if self.version == "v3" and stats.datagrams and not self.answered:
                return SnmpFailure(
                    "auth",
                    "the agent answered engine discovery but not the encrypted request "
                    "(wrong privacy password or privacy protocol)",
                )
            return SnmpFailure("timeout", str(indication))
        return SnmpFailure("malformed", str(indication))


class _TooBig(Exception):  # noqa: N818 - control flow inside the walker only
    pass
