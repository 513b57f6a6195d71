"""The SNMP collector against real agents: net-snmp snmpd (v2c, v3 authPriv) and broken ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.collect.base import CollectionResult
from auditor.collect.snmp import PollOptions, SnmpCollector, collect_snmp, summarize_snapshot
from auditor.inventory.models import CredentialRef, Device, SnmpSettings
from auditor.model.collection import FailureKind
from auditor.platforms.snmp_columns import IF_DESCR
from auditor_checks.collection.kinds import check_id_for, describe
from tests.collect.snmp_agents import (
    SnmpdAgent,
    free_udp_port,
    garbage_agent,
    looping_agent,
    running_snmpd,
)

FAST = {"timeout": 0.5, "retries": 0}


@pytest.fixture(scope="module")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpdAgent]:
    with running_snmpd(tmp_path_factory.mktemp("snmpd")) as agent:
        yield agent


def _secrets(agent: SnmpdAgent) -> dict[str, str]:
    return {
        "env:COMMUNITY": agent.community,
        "env:AUTH": agent.auth_key,
        "env:PRIV": agent.priv_key,
        "env:WRONG_COMMUNITY": "not-the-community",
        "env:WRONG_AUTH": "wrong-auth-pass",
    }


def _v2c(name: str, port: int, community: str = "COMMUNITY") -> Device:
    return Device(
        name=name,
        address="127.0.0.1",
        platform="net_snmp",
        snmp=SnmpSettings(version="v2c", port=port, community=CredentialRef(env=community), **FAST),
    )


def _v3(name: str, agent: SnmpdAgent, auth: str = "AUTH") -> Device:
    return Device(
        name=name,
        address="127.0.0.1",
        platform="net_snmp",
        snmp=SnmpSettings(
            version="v3",
            port=agent.port,
            user=agent.user,
            auth_protocol="sha256",
            auth_key=CredentialRef(env=auth),
            priv_protocol="aes",
            priv_key=CredentialRef(env="PRIV"),
            **FAST,
        ),
    )


def _collect(agent: SnmpdAgent, devices: list[Device], **options: object) -> CollectionResult:
    secrets = _secrets(agent)
    options.setdefault("probe_communities", None)
    return collect_snmp(
        devices,
        lambda reference: secrets[reference.describe()],
        concurrency=8,
        options=PollOptions(concurrency=8, **options),  # type: ignore[arg-type]
    )


def test_snmpd_is_collected_alike_over_v2c_and_v3_auth_priv(snmpd: SnmpdAgent) -> None:
    result = _collect(snmpd, [_v2c("snmpd-v2c", snmpd.port), _v3("snmpd-v3", snmpd)])
    assert result.errors == []
    v2c, v3 = result.snapshots["snmpd-v2c"], result.snapshots["snmpd-v3"]
    assert v2c.system.name == v3.system.name == "kyojin-snmpd"
    assert v2c.system.location == "庁舎 3F サーバ室"
    assert v2c.system.vendor == "net-snmp"
    assert v2c.system.uptime_seconds is not None and v2c.system.uptime_seconds >= 0
    assert [i.name for i in v2c.interfaces] == [i.name for i in v3.interfaces]
    assert "lo" in {interface.name for interface in v2c.interfaces}
    # snmpd implements no bridge: the tables are recorded as absent, not as errors.
    assert {"dot1qVlanStaticTable", "dot1qTpFdbTable", "lldpRemTable"} <= set(v2c.absent_tables)


def test_snmpd_is_collected_over_v3_auth_no_priv_with_sha1(snmpd: SnmpdAgent) -> None:
    device = Device(
        name="snmpd-v3-np",
        address="127.0.0.1",
        platform="net_snmp",
        snmp=SnmpSettings(
            version="v3",
            port=snmpd.port,
            user=f"{snmpd.user}-np",
            auth_protocol="sha",
            auth_key=CredentialRef(env="AUTH"),
            priv_protocol="none",
            **FAST,
        ),
    )
    result = _collect(snmpd, [device])
    assert result.errors == []
    assert result.snapshots["snmpd-v3-np"].system.name == "kyojin-snmpd"


def test_the_default_community_probe_records_only_what_the_agent_accepted(
    snmpd: SnmpdAgent,
) -> None:
    result = _collect(
        snmpd,
        [_v2c("snmpd-v2c", snmpd.port), _v3("snmpd-v3", snmpd)],
        probe_communities=("public", "private"),
        probe_timeout=0.3,
    )
    assert result.snapshots["snmpd-v2c"].management.snmp_probe_accepted == ["v2c:<configured>"]
    assert result.snapshots["snmpd-v3"].management.snmp_probe_accepted == []
    assert snmpd.community not in repr(result.snapshots["snmpd-v2c"].model_dump())


def test_each_failure_gets_its_own_error_and_the_good_device_is_still_collected(
    snmpd: SnmpdAgent,
) -> None:
    with garbage_agent("random") as junk_port, garbage_agent("truncated") as cut_port:
        devices = [
            _v2c("good", snmpd.port),
            _v3("good-v3", snmpd),
            _v3("also-good-v3", snmpd),
            _v2c("wrong-community", snmpd.port, community="WRONG_COMMUNITY"),
            _v3("wrong-password", snmpd, auth="WRONG_AUTH"),
            _v2c("nothing-listens", free_udp_port()),
            _v2c("random-bytes", junk_port),
            _v2c("truncated-ber", cut_port),
            _v2c("no-secret", snmpd.port, community="UNSET_VARIABLE"),
        ]
        result = _collect(snmpd, devices)
    # Same v3 user name with the right and with a wrong key in one run: kept apart.
    assert sorted(result.snapshots) == ["also-good-v3", "good", "good-v3"]
    by_device = {error.device: error for error in result.errors}
    # The collector reports kinds only; checks/collection gives them their ids and wording.
    assert {name: error.kind for name, error in by_device.items()} == {
        "wrong-community": FailureKind.TIMEOUT,
        "wrong-password": FailureKind.AUTH,
        "nothing-listens": FailureKind.TIMEOUT,
        "random-bytes": FailureKind.MALFORMED,
        "truncated-ber": FailureKind.MALFORMED,
        "no-secret": FailureKind.CREDENTIAL,
    }
    assert {name: check_id_for(error) for name, error in by_device.items()} == {
        "wrong-community": "COL-001",
        "wrong-password": "COL-002",
        "nothing-listens": "COL-001",
        "random-bytes": "COL-003",
        "truncated-ber": "COL-003",
        "no-secret": "COL-005",
    }
    messages = {name: describe(error) for name, error in by_device.items()}
    assert "wrong community" in messages["wrong-community"][0]
    assert "コミュニティ名" in messages["wrong-community"][1]
    assert "usmStatsWrongDigests" in messages["wrong-password"][0]
    assert "not well-formed SNMP" in messages["random-bytes"][0]
    for error in result.errors:
        en, ja = describe(error)
        for secret in _secrets(snmpd).values():
            assert secret not in en + ja + (error.detail or "") + repr(error.facts)


def test_a_walk_that_repeats_an_oid_is_stopped_as_a_runaway_table(snmpd: SnmpdAgent) -> None:
    with looping_agent(IF_DESCR) as port:
        result = _collect(snmpd, [_v2c("looping", port), _v2c("good", snmpd.port)])
    (error,) = result.errors
    assert (error.kind, error.subject) == (FailureKind.RUNAWAY, "table:ifTable")
    assert "did not increase" in describe(error)[0]
    assert set(result.snapshots) == {"looping", "good"}, "the rest of the device is kept"


def test_a_table_longer_than_the_row_cap_is_reported_and_the_device_kept(
    snmpd: SnmpdAgent,
) -> None:
    result = _collect(snmpd, [_v2c("capped", snmpd.port)], max_rows_per_table=1)
    assert "table:ifTable" in {error.subject for error in result.errors}
    assert {error.kind for error in result.errors} == {FailureKind.RUNAWAY}
    assert "capped" in result.snapshots


def test_the_collector_protocol_reports_progress_for_every_device(snmpd: SnmpdAgent) -> None:
    seen: list[tuple[str, bool]] = []
    secrets = _secrets(snmpd)
    collector = SnmpCollector(options=PollOptions(concurrency=2, probe_communities=None))
    result = collector.collect(
        [_v2c("good", snmpd.port), _v2c("silent", free_udp_port())],
        lambda reference: secrets[reference.describe()],
        lambda name, succeeded: seen.append((name, succeeded)),
    )
    assert sorted(seen) == [("good", True), ("silent", False)]
    assert "interfaces" in summarize_snapshot(result.snapshots["good"])


def test_worker_processes_collect_the_same_snapshots_as_one_process(
    snmpd: SnmpdAgent, tmp_path: Path
) -> None:
    devices = [_v2c(f"sw{n}", snmpd.port) for n in range(4)]
    secrets = _secrets(snmpd)
    options = PollOptions(concurrency=2, probe_communities=None)
    single = collect_snmp(devices, lambda r: secrets[r.describe()], options=options)
    sharded = collect_snmp(devices, lambda r: secrets[r.describe()], options=options, workers=2)
    assert sorted(sharded.snapshots) == sorted(single.snapshots) == [f"sw{n}" for n in range(4)]
    for name, snapshot in single.snapshots.items():
        assert [i.name for i in sharded.snapshots[name].interfaces] == [
            i.name for i in snapshot.interfaces
        ]


def test_the_policy_forbidden_communities_are_added_to_the_probe() -> None:
    from auditor.collect.snmp import SnmpCollector
    from tests import builders

    policy = builders.policy(forbidden_snmp_communities=["private", "shiyakusho"])
    collector = SnmpCollector.for_policy(policy, concurrency=4)
    assert collector.options.probe_communities == ("public", "private", "shiyakusho")
    assert collector.options.concurrency == 4


def test_the_raw_walk_is_kept_as_evidence_without_the_community(snmpd: SnmpdAgent) -> None:
    import json

    result = _collect(snmpd, [_v2c("good", snmpd.port)], keep_evidence=True)
    ((label, blob),) = result.evidence["good"]
    assert label == "snmp-walk.json"
    document = json.loads(blob)
    assert document["walks"]["1.3.6.1.2.1.2.2.1.2"], "ifDescr rows are in the evidence"
    assert snmpd.community.encode() not in blob


def test_an_agent_that_refuses_many_objects_per_request_is_still_walked_completely(
    snmpd: SnmpdAgent,
) -> None:
    from tests.collect.snmp_agents import picky_proxy

    with picky_proxy(snmpd.port, max_varbinds=8) as port:
        result = _collect(snmpd, [_v2c("direct", snmpd.port), _v2c("picky", port)])
    assert result.errors == []
    direct, picky = result.snapshots["direct"], result.snapshots["picky"]
    assert [i.name for i in picky.interfaces] == [i.name for i in direct.interfaces]
    assert picky.absent_tables == direct.absent_tables


def test_workers_are_spawned_rather_than_forked_when_other_threads_run(
    snmpd: SnmpdAgent,
) -> None:
    import threading

    release = threading.Event()
    scheduler_like = threading.Thread(target=release.wait, daemon=True)
    scheduler_like.start()
    try:
        devices = [_v2c(f"sw{n}", snmpd.port) for n in range(3)]
        secrets = _secrets(snmpd)
        options = PollOptions(concurrency=2, probe_communities=None)
        result = collect_snmp(devices, lambda r: secrets[r.describe()], options=options, workers=2)
    finally:
        release.set()
        scheduler_like.join()
    assert sorted(result.snapshots) == ["sw0", "sw1", "sw2"]


def test_worker_processes_are_used_only_when_there_are_enough_devices() -> None:
    from auditor.collect.snmp import auto_workers

    assert auto_workers(20) == 1
    assert auto_workers(10_000) >= 1


@pytest.mark.lab
def test_the_shared_lab_snmpd_is_collected_over_v2c_and_v3_sha_aes(tmp_path: Path) -> None:
    """The lab's snmpd helper (v2c + SHA/AES authPriv). The module fixture above runs its own
    snmpd because it also needs a SHA-256 user and an authNoPriv user."""
    from tests.lab.snmpd import start_snmpd

    handle = start_snmpd(tmp_path)
    try:
        secrets = {"env:C": handle.community, "env:A": handle.auth_pass, "env:P": handle.priv_pass}
        devices = [
            Device(
                name="lab-v2c",
                address=handle.host,
                platform="net_snmp",
                snmp=SnmpSettings(
                    version="v2c", port=handle.port, community=CredentialRef(env="C"), **FAST
                ),
            ),
            Device(
                name="lab-v3",
                address=handle.host,
                platform="net_snmp",
                snmp=SnmpSettings(
                    version="v3",
                    port=handle.port,
                    user=handle.v3_user,
                    auth_protocol="sha",
                    auth_key=CredentialRef(env="A"),
                    priv_protocol="aes",
                    priv_key=CredentialRef(env="P"),
                    **FAST,
                ),
            ),
        ]
        result = collect_snmp(
            devices,
            lambda reference: secrets[reference.describe()],
            options=PollOptions(probe_communities=None),
        )
    finally:
        handle.stop()
    assert result.errors == []
    assert result.snapshots["lab-v2c"].system.location == "本庁舎 3F サーバ室"
    assert result.snapshots["lab-v3"].system.contact == "情報政策課"
