"""The fast path (v2c and SNMPv3/USM) against pysnmp: identical walks and snapshots, identical
failure kinds.

Differential: the same agents (real device recordings and the fidelity fixtures in snmpsim, the
lab's example city, net-snmp snmpd; over v2c and over v3 authPriv/authNoPriv) are collected once
through pysnmp and once through the lean BER codec (and its USM); the raw walks (evidence bytes)
and the snapshots must be equal.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import socket
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pyasn1.codec.ber import encoder  # type: ignore[import-untyped]
from pysnmp.proto import api, rfc1902

from auditor.collect.base import CollectionResult
from auditor.collect.snmp import PollOptions, collect_snmp
from auditor.collect.snmp_fastber import (
    BerError,
    decode_response,
    encode_integer,
    encode_oid,
    encode_request,
    tlv,
)
from auditor.collect.snmp_fastusm import UNKNOWN_ENGINE_ID, localized_key, parse_message
from auditor.inventory.models import CredentialRef, Device, SnmpSettings
from auditor.lab.snmp_agent import plan_snmp_agent, start_snmp_agent, wait_snmp_ready
from auditor.model.collection import FailureKind
from auditor_checks.collection.kinds import check_id_for
from tests.builders import example_city
from tests.collect.snmp_agents import (
    free_udp_port,
    garbage_agent,
    looping_agent,
    running_snmpd,
    running_snmpsim,
    wait_until_answers,
)
from tests.realdata import realdata_dir

V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
FIXTURES = Path(__file__).parent / "fixtures"


def _v3_device(
    name: str,
    port: int,
    user: str,
    *,
    auth: str = "sha",
    priv: str = "aes",
    context: str = "",
    platform: str = "generic",
    auth_env: str = "AUTH",
    priv_env: str = "PRIV",
) -> Device:
    return Device(
        name=name,
        address="127.0.0.1",
        platform=platform,
        snmp=SnmpSettings(
            version="v3",
            port=port,
            user=user,
            auth_protocol=auth,
            auth_key=CredentialRef(env=auth_env),
            priv_protocol=priv,
            priv_key=CredentialRef(env=priv_env) if priv != "none" else None,
            context=context,
            timeout=2.0,
            retries=1,
        ),
    )


def _v2c_device(name: str, port: int, key: str, platform: str = "generic") -> Device:
    return Device(
        name=name,
        address="127.0.0.1",
        platform=platform,
        snmp=SnmpSettings(
            version="v2c",
            port=port,
            community=CredentialRef(env=key),
            timeout=2.0,
            retries=1,
        ),
    )


def _both(
    devices: Sequence[Device],
    secrets: dict[str, str],
    *,
    concurrency: int = 4,
    at_once: bool = False,
) -> tuple[CollectionResult, CollectionResult]:
    """pysnmp's result and the fast path's. ``at_once`` polls through both at the same time,
    each in its own thread and event loop: for agents that answer every request alike
    (stateless junk, silence), where the polls mostly wait out timeouts."""

    def collect(fast: bool) -> CollectionResult:
        return collect_snmp(
            devices,
            lambda reference: secrets[reference.describe()],
            options=PollOptions(
                concurrency=concurrency,
                probe_communities=None,
                keep_evidence=True,
                fast_path=fast,
            ),
        )

    if not at_once:
        return collect(False), collect(True)
    # Each collect_snmp raises the GC thresholds and restores what it found; overlapping, the
    # one that ends last could restore the other's raised values, so the thresholds from before
    # are put back here.
    thresholds = gc.get_threshold()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            slow = pool.submit(collect, False)
            fast = pool.submit(collect, True)
            return slow.result(), fast.result()
    finally:
        gc.set_threshold(*thresholds)


SYS_UP_TIME = "1.3.6.1.2.1.1.3"
HR_SYSTEM_DATE = "1.3.6.1.2.1.25.1.2"  # the agent's clock: moves between the two walks too
CLOCK_FIELDS = {"uptime_seconds", "last_change_seconds", "clock_skew_seconds"}


def _without_clock(value: Any) -> Any:
    """A live agent's sysUpTime (and what is derived from it) moves between the two walks."""
    if isinstance(value, dict):
        return {k: _without_clock(v) for k, v in value.items() if k not in CLOCK_FIELDS}
    if isinstance(value, list):
        return [_without_clock(item) for item in value]
    return value


def _raw_walk(evidence: list[tuple[str, bytes]], live: bool) -> Any:
    ((label, payload),) = evidence
    assert label == "snmp-walk.json"
    walk = json.loads(payload)
    if live:
        assert walk["walks"].pop(SYS_UP_TIME)
        for part in walk.values():
            if isinstance(part, dict):
                part.pop(HR_SYSTEM_DATE, None)
                part.pop(HR_SYSTEM_DATE + ".0", None)
    return walk


def _assert_identical(slow: CollectionResult, fast: CollectionResult, live: bool = False) -> None:
    assert [(e.device, e.kind, e.subject) for e in fast.errors] == [
        (e.device, e.kind, e.subject) for e in slow.errors
    ]
    assert sorted(fast.snapshots) == sorted(slow.snapshots)
    assert fast.snapshots, "nothing was collected"
    for name, snapshot in slow.snapshots.items():
        assert _raw_walk(fast.evidence[name], live) == _raw_walk(slow.evidence[name], live), name
        fast_dump = fast.snapshots[name].model_dump(exclude={"collected_at"})
        slow_dump = snapshot.model_dump(exclude={"collected_at"})
        if live:
            fast_dump, slow_dump = _without_clock(fast_dump), _without_clock(slow_dump)
        assert fast_dump == slow_dump, name


V3_ARGS = (
    "--v3-engine-id=auto",
    "--v3-user=kyojin",
    "--v3-auth-key=auth-pass-123",
    "--v3-auth-proto=SHA",
    "--v3-priv-key=priv-pass-456",
    "--v3-priv-proto=AES",
)
V3_SECRETS = {"env:AUTH": "auth-pass-123", "env:PRIV": "priv-pass-456"}


def _recordings(directory: Path, names: Sequence[str], work: Path) -> None:
    """Every recording over v2c (community = file name) and over v3 SHA/AES (context = name)."""
    data = work / "data"
    data.mkdir()
    for name in names:
        shutil.copyfile(directory / f"{name}.snmprec", data / f"{name}.snmprec")
    with running_snmpsim(data, work, names[0], extra_args=V3_ARGS) as port:
        for name in names:
            wait_until_answers(port, name, deadline_seconds=240)
        devices = [_v2c_device(name, port, f"C{i}") for i, name in enumerate(names)]
        devices += [_v3_device(f"v3-{name}", port, "kyojin", context=name) for name in names]
        secrets = {f"env:C{i}": name for i, name in enumerate(names)} | V3_SECRETS
        slow, fast = _both(devices, secrets)
        _assert_identical(slow, fast)
        for name in names:  # v3 reads the very same data as v2c
            over_v3 = _raw_walk(fast.evidence[f"v3-{name}"], False)
            assert over_v3.pop("device") == f"v3-{name}"
            over_v2c = _raw_walk(fast.evidence[name], False)
            assert over_v2c.pop("device") == name
            assert over_v3 == over_v2c, name


@pytest.mark.lab
@pytest.mark.realdata
def test_real_device_recordings_give_identical_walks_through_both_paths(tmp_path: Path) -> None:
    source = realdata_dir() / "snmprec"
    names = sorted(path.stem for path in source.glob("*.snmprec"))
    assert len(names) >= 6
    _recordings(source, names, tmp_path)


@pytest.mark.lab
def test_fidelity_fixtures_give_identical_walks_through_both_paths(tmp_path: Path) -> None:
    """noSuch*/endOfMib, GBK strings, CDP, PVID-only: the value edge cases of real agents."""
    names = sorted(path.stem for path in FIXTURES.glob("*.snmprec"))
    _recordings(FIXTURES, names, tmp_path)


@pytest.mark.lab
def test_snmpd_gives_identical_walks_through_both_paths(tmp_path: Path) -> None:
    """v2c, v3 authPriv (SHA-256/AES-128) and v3 authNoPriv (SHA-1) against net-snmp."""
    with running_snmpd(tmp_path) as agent:
        devices = [
            _v2c_device("snmpd", agent.port, "COMMUNITY", platform="net_snmp"),
            _v3_device("snmpd-v3", agent.port, agent.user, auth="sha256", platform="net_snmp"),
            _v3_device(
                "snmpd-v3-np", agent.port, f"{agent.user}-np", priv="none", platform="net_snmp"
            ),
        ]
        secrets = {
            "env:COMMUNITY": agent.community,
            "env:AUTH": agent.auth_key,
            "env:PRIV": agent.priv_key,
        }
        _assert_identical(*_both(devices, secrets), live=True)


@pytest.mark.lab
def test_snmpd_v3_failures_are_the_same_col_kinds_through_both_paths(tmp_path: Path) -> None:
    """Wrong authentication key, wrong privacy key, unknown user: AUTH (COL-002) either way."""
    with running_snmpd(tmp_path) as agent:
        devices = [
            _v3_device("wrong-auth", agent.port, agent.user, auth="sha256", auth_env="BAD"),
            _v3_device("wrong-priv", agent.port, agent.user, auth="sha256", priv_env="BAD"),
            _v3_device("unknown-user", agent.port, "nobody", auth="sha256"),
            _v3_device("good", agent.port, agent.user, auth="sha256"),
        ]
        devices = _quick(devices)
        secrets = {"env:AUTH": agent.auth_key, "env:PRIV": agent.priv_key, "env:BAD": "wrong-1234"}
        slow, fast = _both(devices, secrets)
    expected = {
        "wrong-auth": FailureKind.AUTH,
        "wrong-priv": FailureKind.AUTH,
        "unknown-user": FailureKind.AUTH,
    }
    for result in (slow, fast):
        assert {error.device: error.kind for error in result.errors} == expected
        assert sorted(result.snapshots) == ["good"]
        assert {error.device: check_id_for(error) for error in result.errors} == dict.fromkeys(
            expected, "COL-002"
        )
    details = {error.device: error.detail for error in fast.errors}
    assert details == {error.device: error.detail for error in slow.errors}
    assert "usmStatsWrongDigests" in str(details["wrong-auth"])
    assert "usmStatsUnknownUserNames" in str(details["unknown-user"])


@pytest.mark.lab
def test_the_lab_city_gives_identical_snapshots_through_both_paths(tmp_path: Path) -> None:
    scenario = example_city()
    snmp_devices = [device for device in scenario.devices if device.snmp is not None]
    plan = plan_snmp_agent(scenario, snmp_devices, tmp_path)
    platforms = {device.name: device.platform for device in scenario.devices}
    process = start_snmp_agent(plan)
    try:
        wait_snmp_ready(plan, process, deadline_seconds=120)
        devices: list[Device] = []
        secrets: dict[str, str] = {}
        for name, access in plan.access.items():
            if access.version == "v3":
                assert access.user and access.auth_key
                secrets[f"env:{name}-auth"] = access.auth_key
                secrets[f"env:{name}-priv"] = access.priv_key or ""
                device = _v3_device(
                    name,
                    access.port,
                    access.user,
                    auth=access.auth_protocol or "sha",
                    priv=access.priv_protocol or "none",
                    platform=platforms[name],
                    auth_env=f"{name}-auth",
                    priv_env=f"{name}-priv",
                )
                devices.append(device.model_copy(update={"address": access.host}))
                continue
            assert access.community is not None
            secrets[f"env:{name}"] = access.community
            devices.append(
                _v2c_device(name, access.port, name, platform=platforms[name]).model_copy(
                    update={"address": access.host}
                )
            )
        assert devices
        assert any(device.snmp and device.snmp.version == "v3" for device in devices)
        _assert_identical(*_both(devices, secrets), live=True)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@contextmanager
def unknown_engine_agent() -> Iterator[int]:
    """A v3 agent that answers every message with an unauthenticated usmStatsUnknownEngineIDs
    report: discovery works, every request after it is refused the same way."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()
    engine = b"\x80\x00\x1f\x88\x04kyojin-test"

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                message = parse_message(data)
            except BerError:
                continue
            report = tlv(
                0xA8,
                encode_integer(message.msg_id)
                + encode_integer(0)
                + encode_integer(0)
                + tlv(0x30, tlv(0x30, encode_oid(UNKNOWN_ENGINE_ID) + b"\x41\x01\x07")),
            )
            scoped = tlv(0x30, tlv(0x04, engine) + tlv(0x04, b"") + report)
            security = tlv(
                0x30,
                tlv(0x04, engine)
                + encode_integer(1)
                + encode_integer(100)
                + tlv(0x04, message.user)
                + tlv(0x04, b"")
                + tlv(0x04, b""),
            )
            header_data = tlv(
                0x30,
                encode_integer(message.msg_id)
                + encode_integer(65507)
                + tlv(0x04, b"\x00")
                + encode_integer(3),
            )
            reply = tlv(0x30, encode_integer(3) + header_data + tlv(0x04, security) + scoped)
            sock.sendto(reply, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


def _quick(devices: list[Device], timeout: float = 0.5) -> list[Device]:
    return [
        d.model_copy(update={"snmp": d.snmp.model_copy(update={"timeout": timeout})})  # type: ignore[union-attr]
        for d in devices
    ]


def test_broken_agents_fail_with_the_same_kinds_through_both_paths() -> None:
    """Junk and silence are only classified once every try has timed out. The junk agents keep
    the 0.5 s timeout this test always gave them (their reply must land inside it, on a loaded
    machine too); where nothing listens no reply can come, so 0.1 s; the agents that answer get
    the usual 2 s, which they never wait for. One retry everywhere, as before. All eight are
    polled at once, through both paths at the same time (the agents keep no state between
    requests): nothing waits behind anything else."""
    with (
        garbage_agent("random") as junk,
        garbage_agent("truncated") as cut,
        looping_agent("1.3.6.1.2.1.2.2.1.2") as looping,
        unknown_engine_agent() as unknown,
    ):
        silent = free_udp_port()
        answering = [
            _v2c_device("looping", looping, "C"),
            _v3_device("v3-unknown-engine", unknown, "kyojin"),
        ]
        junk_answers = _quick(
            [
                _v2c_device("random-bytes", junk, "C"),
                _v2c_device("truncated-ber", cut, "C"),
                _v3_device("v3-random-bytes", junk, "kyojin"),
                _v3_device("v3-truncated-ber", cut, "kyojin"),
            ],
            timeout=0.5,
        )
        nothing = _quick(
            [
                _v2c_device("nothing-listens", silent, "C"),
                _v3_device("v3-nothing-listens", silent, "kyojin"),
            ],
            timeout=0.1,
        )
        devices = answering + junk_answers + nothing
        slow, fast = _both(
            devices, {"env:C": "public"} | V3_SECRETS, concurrency=len(devices), at_once=True
        )
    kinds = {error.device: error.kind for error in fast.errors}
    assert kinds == {error.device: error.kind for error in slow.errors}
    assert kinds == {
        "random-bytes": FailureKind.MALFORMED,
        "truncated-ber": FailureKind.MALFORMED,
        "looping": FailureKind.RUNAWAY,
        "nothing-listens": FailureKind.TIMEOUT,
        "v3-random-bytes": FailureKind.MALFORMED,
        "v3-truncated-ber": FailureKind.MALFORMED,
        "v3-nothing-listens": FailureKind.TIMEOUT,
        "v3-unknown-engine": FailureKind.AUTH,
    }


# ------------------------------------------------------------------ the codec itself


def _pyasn1_response(values: list[tuple[str, object]], request_id: int = 7) -> bytes:
    message = V2C.Message()
    V2C.apiMessage.set_defaults(message)
    V2C.apiMessage.set_community(message, "public")
    pdu = V2C.ResponsePDU()
    V2C.apiPDU.set_defaults(pdu)
    V2C.apiPDU.set_request_id(pdu, request_id)
    V2C.apiPDU.set_varbinds(pdu, [(V2C.ObjectIdentifier(oid), value) for oid, value in values])
    V2C.apiMessage.set_pdu(message, pdu)
    return bytes(encoder.encode(message))


def test_every_snmpv2_value_type_decodes_like_pysnmp_converts_it() -> None:
    data = _pyasn1_response(
        [
            ("1.3.6.1.2.1.1.1.0", rfc1902.OctetString(b"\x00\xffswitch")),
            ("1.3.6.1.2.1.1.2.0", rfc1902.ObjectIdentifier("1.3.6.1.4.1.9.1.1745")),
            ("1.3.6.1.2.1.1.3.0", rfc1902.TimeTicks(4294967295)),
            ("1.3.6.1.2.1.2.2.1.1.1", rfc1902.Integer32(-2147483648)),
            ("1.3.6.1.2.1.2.2.1.5.1", rfc1902.Gauge32(4294967295)),
            ("1.3.6.1.2.1.2.2.1.10.1", rfc1902.Counter32(128)),
            ("1.3.6.1.2.1.31.1.1.1.6.1", rfc1902.Counter64(2**64 - 1)),
            ("1.3.6.1.2.1.4.20.1.1.10.0.0.1", rfc1902.IpAddress("10.0.0.1")),
            ("1.3.6.1.2.1.99.1", rfc1902.Opaque(b"\x9f\x78")),
            ("1.3.6.1.2.1.1.5.0", V2C.NoSuchObject("")),
            ("1.3.6.1.2.1.1.6.0", V2C.NoSuchInstance("")),
            ("1.3.6.1.2.1.1.7.0", V2C.EndOfMibView("")),
            ("2.999.1", rfc1902.Unsigned32(3)),
        ],
        request_id=2**31 - 1,
    )
    response = decode_response(data)
    assert (response.community, response.request_id, response.error_status) == (
        b"public",
        2**31 - 1,
        0,
    )
    assert [value for _, value in response.varbinds] == [
        b"\x00\xffswitch",
        "1.3.6.1.4.1.9.1.1745",
        4294967295,
        -2147483648,
        4294967295,
        128,
        2**64 - 1,
        "10.0.0.1",
        b"\x9f\x78",
        None,
        None,
        None,
        3,
    ]
    assert response.varbinds[0][0] == (1, 3, 6, 1, 2, 1, 1, 1, 0)
    assert response.varbinds[-1][0] == (2, 999, 1)


def test_requests_are_what_pyasn1_decodes_as_getbulk_and_get() -> None:
    from pyasn1.codec.ber import decoder  # type: ignore[import-untyped]

    oids = [(1, 3, 6, 1, 2, 1, 2, 2, 1, 2), (1, 3, 6, 1, 4, 1, 2**32 - 1)]
    bulk, _ = decoder.decode(
        encode_request(b"c\xe9", 99, oids, repetitions=25), asn1Spec=V2C.Message()
    )
    pdu = V2C.apiMessage.get_pdu(bulk)
    assert bytes(V2C.apiMessage.get_community(bulk)) == b"c\xe9"
    assert pdu.isSameTypeWith(V2C.GetBulkRequestPDU())
    assert int(V2C.apiBulkPDU.get_max_repetitions(pdu)) == 25
    assert [tuple(oid) for oid, _ in V2C.apiPDU.get_varbinds(pdu)] == oids
    get, _ = decoder.decode(encode_request(b"c", 1, oids[:1]), asn1Spec=V2C.Message())
    assert V2C.apiMessage.get_pdu(get).isSameTypeWith(V2C.GetRequestPDU())


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda d: d[: len(d) // 2], "truncated"),
        (lambda d: d + b"\x00", "trailing byte after the message"),
        (lambda d: d.replace(b"\x43\x01\x05", b"\x49\x01\x05", 1), "unknown value tag"),
        (lambda d: b"\x31" + d[1:], "not a SEQUENCE"),
        (lambda d: d.replace(b"\xa2", b"\xa0", 1), "a GetRequest instead of a Response"),
        (lambda d: d.replace(b"\x02\x01\x01", b"\x02\x01\x03", 1), "SNMPv3 version number"),
    ],
)
def test_malformed_responses_are_rejected(mutate: object, why: str) -> None:
    data = _pyasn1_response([("1.3.6.1.2.1.1.3.0", rfc1902.TimeTicks(5))])
    decode_response(data)
    with pytest.raises(BerError):
        decode_response(mutate(data))  # type: ignore[operator]


def test_counters_out_of_range_and_short_ip_addresses_are_rejected() -> None:
    counter = _pyasn1_response([("1.3.6.1.2.1.1.3.0", rfc1902.Counter32(1))])
    negative = counter.replace(b"\x41\x01\x01", b"\x41\x01\xff")  # Counter32 = -1
    with pytest.raises(BerError, match="out of range"):
        decode_response(negative)
    address = _pyasn1_response([("1.3.6.1.2.1.1.3.0", rfc1902.IpAddress("1.2.3.4"))])
    short = address.replace(b"\x40\x04\x01\x02\x03\x04", b"\x40\x03\x01\x02\x03")
    # the lengths around it no longer add up either: fix them so only the value is wrong
    short = short[:1] + bytes([short[1] - 1]) + short[2:]
    with pytest.raises(BerError):
        decode_response(short)


def test_key_localization_matches_rfc_3414_appendix_a3() -> None:
    """RFC 3414 A.3.1/A.3.2: password "maplesyrup", engine ID 00…02."""
    engine = bytes.fromhex("000000000000000000000002")
    assert localized_key("md5", b"maplesyrup", engine).hex() == "526f5eed9fcce26f8964c2930787d82b"
    assert (
        localized_key("sha1", b"maplesyrup", engine).hex()
        == "6695febc9288e36282235fc7151f128497b38f3f"
    )
