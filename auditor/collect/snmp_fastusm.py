"""SNMPv3 fast path: the User-based Security Model around the lean BER codec.

Why: with v2c on :mod:`auditor.collect.snmp_fastber`, a v3 device still cost ~0.1 CPU-s through
pysnmp, almost all of it pyasn1 decoding the scoped PDU. USM itself is small: engine discovery
(RFC 3414 §4), password-to-key localization (RFC 3414 A.2; RFC 7860 for the SHA-2 HMACs), an
HMAC over the whole message, and AES-128 in CFB mode for privacy (RFC 3826) — the cipher from
``cryptography``, the hashes from ``hashlib``. Only those protocols take this path; DES and the
non-standard AES-192/256 key extensions stay with pysnmp (:func:`fast_usm_supported`).

Failure outcomes mirror the pysnmp path: a Report PDU becomes the same pysnmp error indication
(``usmStatsWrongDigests`` → ``errind.wrongDigest`` …) and goes through the session's classifier;
a response that fails authentication is dropped like pysnmp drops it (the request then times out,
and "answered discovery but never the request" is an authentication failure); a datagram that
does not decode is counted as malformed on the :class:`~auditor.collect.snmp_session.PeerMonitor`.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from pysnmp.proto import errind

from auditor.collect.snmp_fastber import (
    INT32,
    BerError,
    FastV2c,
    Response,
    decode_int,
    decode_pdu_body,
    encode_integer,
    encode_pdu,
    header,
    message_body,
    send_until_answered,
    tlv,
)

VERSION_3 = 3
USM_SECURITY_MODEL = 3
MAX_MESSAGE_SIZE = 65507
FLAG_AUTH, FLAG_PRIV, FLAG_REPORTABLE = 0x01, 0x02, 0x04
RESPONSE_PDU, REPORT_PDU = 0xA2, 0xA8

AUTH_HASHES: dict[str, tuple[str, int]] = {
    "md5": ("md5", 12),
    "sha": ("sha1", 12),
    "sha224": ("sha224", 16),
    "sha256": ("sha256", 24),
    "sha384": ("sha384", 32),
    "sha512": ("sha512", 48),
}
"""Inventory name → (hashlib name, truncated HMAC length) of RFC 3414 / RFC 7860."""

_USM_STATS = (1, 3, 6, 1, 6, 3, 15, 1, 1)
NOT_IN_TIME_WINDOW = (*_USM_STATS, 2, 0)
UNKNOWN_ENGINE_ID = (*_USM_STATS, 4, 0)
REPORT_INDICATIONS: dict[tuple[int, ...], Any] = {
    (*_USM_STATS, 1, 0): errind.unsupportedSecurityLevel,
    NOT_IN_TIME_WINDOW: errind.notInTimeWindow,
    (*_USM_STATS, 3, 0): errind.unknownUserName,
    UNKNOWN_ENGINE_ID: errind.unknownEngineID,
    (*_USM_STATS, 5, 0): errind.wrongDigest,
    (*_USM_STATS, 6, 0): errind.decryptionError,
}
"""Report varbind → the error indication pysnmp's message processing raises for it."""


def fast_usm_supported(auth_protocol: str | None, priv_protocol: str | None) -> bool:
    """True when this module speaks the protocols (``None``: that service is not used)."""
    return (auth_protocol is None or auth_protocol in AUTH_HASHES) and priv_protocol in (
        None,
        "aes",
    )


@dataclass(frozen=True)
class UsmUser:
    """One USM user's identity; ``auth`` None is noAuthNoPriv, ``priv`` means AES-128."""

    name: bytes
    auth: str | None
    priv: bool
    auth_password: bytes = b""
    priv_password: bytes = b""

    def __repr__(self) -> str:  # never show the passwords
        return f"UsmUser({self.name!r}, auth={self.auth}, priv={self.priv})"


@functools.lru_cache(maxsize=256)
def password_key(hash_name: str, password: bytes) -> bytes:
    """RFC 3414 A.2.1 (and RFC 7860): hash 1 MiB of the repeated password (Ku).

    Cached apart from the localization: a city's devices share a user and password but each
    has its own engine ID, and this million-byte hash is the expensive half.
    """
    repeated = password * (1048576 // len(password) + 1)
    return hashlib.new(hash_name, repeated[:1048576]).digest()


@functools.lru_cache(maxsize=4096)
def localized_key(hash_name: str, password: bytes, engine_id: bytes) -> bytes:
    """RFC 3414 A.2.2: the password's key localized to one engine (Kul = H(Ku‖engineID‖Ku))."""
    ku = password_key(hash_name, password)
    return hashlib.new(hash_name, ku + engine_id + ku).digest()


class FastReport(Exception):  # noqa: N818 - an outcome the session classifies
    """The agent answered with a Report PDU; ``indication`` is pysnmp's error indication."""

    def __init__(self, indication: Any) -> None:
        super().__init__(str(indication))
        self.indication = indication


@dataclass(frozen=True)
class Message:
    """The clear-text parts of an SNMPv3 message (nothing verified yet)."""

    data: bytes
    msg_id: int
    flags: int
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    auth_start: int
    auth_stop: int
    priv_params: bytes
    payload_tag: int
    payload_start: int
    payload_stop: int


def parse_message(data: bytes) -> Message:
    """Split a whole SNMPv3/USM message; raises :class:`BerError` when it is not one."""
    vstop, stop = message_body(data, VERSION_3, "SNMPv3")
    tag, gstart, gstop = header(data, vstop, stop)
    if tag != 0x30:
        raise BerError("msgGlobalData is not a SEQUENCE")
    tag, istart, istop = header(data, gstart, gstop)
    if tag != 0x02:
        raise BerError("msgID is not an INTEGER")
    msg_id = decode_int(data, istart, istop, (0, INT32[1]))
    tag, mstart, mstop = header(data, istop, gstop)
    if tag != 0x02:
        raise BerError("msgMaxSize is not an INTEGER")
    decode_int(data, mstart, mstop, (484, INT32[1]))
    tag, fstart, fstop = header(data, mstop, gstop)
    if tag != 0x04 or fstop - fstart != 1:
        raise BerError("msgFlags is not one octet")
    flags = data[fstart]
    tag, sstart, sstop = header(data, fstop, gstop)
    if tag != 0x02 or decode_int(data, sstart, sstop, INT32) != USM_SECURITY_MODEL:
        raise BerError("not the USM security model")
    if sstop != gstop:
        raise BerError("trailing data in msgGlobalData")
    tag, ostart, ostop = header(data, gstop, stop)
    if tag != 0x04:
        raise BerError("msgSecurityParameters is not an OCTET STRING")
    tag, qstart, qstop = header(data, ostart, ostop)
    if tag != 0x30 or qstop != ostop:
        raise BerError("USM parameters are not one SEQUENCE")
    parts: list[tuple[int, int, int]] = []
    offset = qstart
    for expected in (0x04, 0x02, 0x02, 0x04, 0x04, 0x04):
        part = header(data, offset, qstop)
        if part[0] != expected:
            raise BerError("malformed USM security parameters")
        parts.append(part)
        offset = part[2]
    if offset != qstop:
        raise BerError("trailing data in the USM security parameters")
    payload_tag, payload_start, payload_stop = header(data, ostop, stop)
    if payload_stop != stop:
        raise BerError("trailing data after msgData")
    return Message(
        data=data,
        msg_id=msg_id,
        flags=flags,
        engine_id=data[parts[0][1] : parts[0][2]],
        boots=decode_int(data, parts[1][1], parts[1][2], (0, INT32[1])),
        time=decode_int(data, parts[2][1], parts[2][2], (0, INT32[1])),
        user=data[parts[3][1] : parts[3][2]],
        auth_start=parts[4][1],
        auth_stop=parts[4][2],
        priv_params=data[parts[5][1] : parts[5][2]],
        payload_tag=payload_tag,
        payload_start=payload_start,
        payload_stop=payload_stop,
    )


def _aes(key: bytes, boots: int, time: int, salt: bytes) -> Cipher[CFB]:
    iv = boots.to_bytes(4, "big") + time.to_bytes(4, "big") + salt
    return Cipher(algorithms.AES(key[:16]), CFB(iv))


@dataclass(frozen=True)
class Answer:
    """A decoded answer: its PDU type, the PDU, and the engine clock it carried."""

    pdu_tag: int
    response: Response
    engine_id: bytes
    boots: int
    time: int
    authenticated: bool


def open_message(message: Message, user: UsmUser | None) -> Answer | None:
    """Verify, decrypt and decode ``message`` for ``user`` (``None``: discovery, no keys).

    ``None`` when the message must be dropped unseen (it fails authentication, or claims a
    security level the request did not use); :class:`BerError` when its content is garbage.
    """
    data = message.data
    authenticated = bool(message.flags & FLAG_AUTH)
    if message.flags & FLAG_PRIV and not authenticated:
        raise BerError("privacy without authentication")
    if authenticated:
        if user is None or user.auth is None:
            return None
        hash_name, mac_length = AUTH_HASHES[user.auth]
        if message.auth_stop - message.auth_start != mac_length:
            return None
        key = localized_key(hash_name, user.auth_password, message.engine_id)
        zeroed = data[: message.auth_start] + bytes(mac_length) + data[message.auth_stop :]
        digest = hmac.digest(key, zeroed, hash_name)[:mac_length]
        if not hmac.compare_digest(digest, data[message.auth_start : message.auth_stop]):
            return None
    if message.flags & FLAG_PRIV:
        if user is None or not user.priv or user.auth is None:
            return None
        if message.payload_tag != 0x04 or len(message.priv_params) != 8:
            raise BerError("encrypted PDU is not an OCTET STRING with an 8-octet salt")
        hash_name = AUTH_HASHES[user.auth][0]
        key = localized_key(hash_name, user.priv_password, message.engine_id)
        decryptor = _aes(key, message.boots, message.time, message.priv_params).decryptor()
        scoped = decryptor.update(data[message.payload_start : message.payload_stop])
        scoped += decryptor.finalize()
        start, stop = 0, len(scoped)
        tag, start, stop = header(scoped, 0, len(scoped))
        if tag != 0x30:
            raise BerError("decrypted scoped PDU is not a SEQUENCE")
        # Decrypted data may be padded by some agents: the SEQUENCE's own length bounds it.
    else:
        scoped = data
        tag, start, stop = message.payload_tag, message.payload_start, message.payload_stop
        if tag != 0x30:
            raise BerError("scoped PDU is not a SEQUENCE")
    tag, _, estop = header(scoped, start, stop)
    if tag != 0x04:
        raise BerError("contextEngineID is not an OCTET STRING")
    tag, _, nstop = header(scoped, estop, stop)
    if tag != 0x04:
        raise BerError("contextName is not an OCTET STRING")
    pdu_tag, pstart, pstop = header(scoped, nstop, stop)
    if pstop != stop:
        raise BerError("trailing data after the PDU")
    if pdu_tag not in (RESPONSE_PDU, REPORT_PDU):
        raise BerError(f"not a Response or Report PDU (tag 0x{pdu_tag:02x})")
    if pdu_tag == RESPONSE_PDU and user is not None and (user.auth is None) == authenticated:
        return None  # a response below (or above) the request's security level
    if (
        pdu_tag == RESPONSE_PDU
        and user is not None
        and user.priv != bool(message.flags & FLAG_PRIV)
    ):
        return None
    request_id, status, index, varbinds = decode_pdu_body(scoped, pstart, pstop)
    return Answer(
        pdu_tag=pdu_tag,
        response=Response(b"", request_id, status, index, varbinds),
        engine_id=message.engine_id,
        boots=message.boots,
        time=message.time,
        authenticated=authenticated,
    )


@dataclass
class EngineClock:
    """What discovery (and every authenticated answer) told us about an agent's engine."""

    engine_id: bytes
    boots: int
    time: int
    learned_at: float

    def now(self, loop_time: float) -> tuple[int, int]:
        return self.boots, min(INT32[1], self.time + int(loop_time - self.learned_at))


_Handler = Callable[[Message], Answer | None]


class FastUsm(FastV2c):
    """One UDP socket per USM identity (like pysnmp's engine per identity), v3 only."""

    def __init__(self, monitor: Any) -> None:
        super().__init__(monitor)
        self.waiting: dict[int, tuple[tuple[str, int], asyncio.Future[Answer], _Handler]] = {}
        self.clocks: dict[tuple[str, int], EngineClock] = {}
        self._salts = itertools.count(random.SystemRandom().randrange(0, 2**63))

    def received(self, data: bytes, addr: Any) -> None:
        peer = (str(addr[0]), int(addr[1]))
        self.monitor(None, peer, data)
        try:
            message = parse_message(data)
        except BerError:
            self.monitor.count_malformed(peer, data)
            return
        waiting = self.waiting.get(message.msg_id)
        if waiting is None or waiting[0] != peer or waiting[1].done():
            return
        try:
            answer = waiting[2](message)
        except BerError:
            self.monitor.count_malformed(peer, data)
            return
        if answer is not None:
            waiting[1].set_result(answer)

    def encode(
        self,
        msg_id: int,
        user: UsmUser | None,
        clock: EngineClock | None,
        context: bytes,
        pdu: bytes,
    ) -> bytes:
        """A whole request message; ``user`` None is the empty discovery request."""
        engine_id = b"" if clock is None else clock.engine_id
        boots, time = (0, 0) if clock is None else clock.now(asyncio.get_running_loop().time())
        flags = FLAG_REPORTABLE
        scoped = tlv(0x30, tlv(0x04, engine_id) + tlv(0x04, context) + pdu)
        priv_params = b""
        mac_length = 0
        if user is not None and user.auth is not None:
            flags |= FLAG_AUTH
            hash_name, mac_length = AUTH_HASHES[user.auth]
            if user.priv:
                flags |= FLAG_PRIV
                priv_params = (next(self._salts) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
                key = localized_key(hash_name, user.priv_password, engine_id)
                encryptor = _aes(key, boots, time, priv_params).encryptor()
                scoped = tlv(0x04, encryptor.update(scoped) + encryptor.finalize())
        prefix = (
            tlv(0x04, engine_id)
            + encode_integer(boots)
            + encode_integer(time)
            + tlv(0x04, b"" if user is None else user.name)
        )
        auth_field = tlv(0x04, bytes(mac_length))
        parameters = tlv(0x30, prefix + auth_field + tlv(0x04, priv_params))
        wrapped = tlv(0x04, parameters)
        global_data = tlv(
            0x30,
            encode_integer(msg_id)
            + encode_integer(MAX_MESSAGE_SIZE)
            + tlv(0x04, bytes((flags,)))
            + encode_integer(USM_SECURITY_MODEL),
        )
        version = encode_integer(VERSION_3)
        body = version + global_data + wrapped + scoped
        message = tlv(0x30, body)
        if not mac_length or user is None or user.auth is None:
            return message
        offset = (
            len(message)
            - len(body)
            + len(version)
            + len(global_data)
            + (len(wrapped) - len(parameters))
            + (len(parameters) - len(prefix) - len(auth_field) - len(tlv(0x04, priv_params)))
            + len(prefix)
            + (len(auth_field) - mac_length)
        )
        key = localized_key(AUTH_HASHES[user.auth][0], user.auth_password, engine_id)
        digest = hmac.digest(key, message, AUTH_HASHES[user.auth][0])[:mac_length]
        return message[:offset] + digest + message[offset + mac_length :]

    async def _exchange(
        self,
        peer: tuple[str, int],
        build: Callable[[int], bytes],
        handler: _Handler,
        timeout: float,
        retries: int,
    ) -> Answer:
        transport = await self._open()
        msg_id = next(self._ids) & 0x7FFFFFFF
        payload = build(msg_id)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = (peer, future, handler)
        try:
            return await send_until_answered(transport, payload, peer, future, timeout, retries)
        finally:
            del self.waiting[msg_id]
            if not future.done():
                future.cancel()

    def _learn(self, peer: tuple[str, int], answer: Answer) -> EngineClock:
        clock = EngineClock(
            answer.engine_id, answer.boots, answer.time, asyncio.get_running_loop().time()
        )
        self.clocks[peer] = clock
        return clock

    async def discover(self, peer: tuple[str, int], timeout: float, retries: int) -> EngineClock:
        """RFC 3414 §4: an empty, unauthenticated request answered by usmStatsUnknownEngineIDs."""
        clock = self.clocks.get(peer)
        if clock is not None:
            return clock

        def handler(message: Message) -> Answer | None:
            answer = open_message(message, None)
            if answer is None or answer.pdu_tag != REPORT_PDU or not answer.engine_id:
                return None
            return answer

        answer = await self._exchange(
            peer,
            lambda msg_id: self.encode(msg_id, None, None, b"", encode_pdu(msg_id, [])),
            handler,
            timeout,
            retries,
        )
        return self._learn(peer, answer)

    async def request_v3(
        self,
        host: str,
        port: int,
        user: UsmUser,
        context: bytes,
        oids: Sequence[Sequence[int]],
        repetitions: int | None,
        timeout: float,
        retries: int,
    ) -> Response:
        """One GET/GETBULK under ``user``; raises :class:`FastTimeout` or :class:`FastReport`."""
        peer = await self.resolve(host, port)
        clock = await self.discover(peer, timeout, retries)
        for attempt in range(2):
            current = clock

            def build(msg_id: int, clock: EngineClock = current) -> bytes:
                return self.encode(
                    msg_id, user, clock, context, encode_pdu(msg_id, oids, repetitions)
                )

            def handler(message: Message) -> Answer | None:
                return open_message(message, user)

            answer = await self._exchange(peer, build, handler, timeout, retries)
            if answer.authenticated:
                clock = self._learn(peer, answer)
            if answer.pdu_tag == RESPONSE_PDU:
                return answer.response
            varbinds = answer.response.varbinds
            reported = varbinds[0][0] if varbinds else None
            if attempt == 0 and reported == NOT_IN_TIME_WINDOW and answer.authenticated:
                continue  # our clock was stale (the agent rebooted): once more with its clock
            if (
                attempt == 0
                and reported == UNKNOWN_ENGINE_ID
                and answer.engine_id
                and answer.engine_id != clock.engine_id
            ):  # the agent's engine ID changed since discovery: once more with the new one
                clock = self._learn(peer, answer)
                continue
            if reported is None:
                raise FastReport(errind.ReportPduReceived("empty report"))
            raise FastReport(
                REPORT_INDICATIONS.get(
                    tuple(reported), errind.ReportPduReceived(".".join(map(str, reported)))
                )
            )
        raise AssertionError("unreachable")  # pragma: no cover
