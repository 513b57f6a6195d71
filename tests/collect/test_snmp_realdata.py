"""The SNMP collector on real walks recorded from real devices, served by snmpsim.

The expectation comes from the ``.snmprec`` file itself, parsed here independently of the code
under test: ifIndex rows, VLAN ids of dot1qVlanStaticName, FDB rows, non-empty serial numbers.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.collect.base import CollectionResult
from auditor.collect.snmp import PollOptions, collect_snmp, summarize_snapshot
from auditor.inventory.models import CredentialRef, Device, SnmpSettings
from tests.collect.snmp_agents import running_snmpsim, wait_until_answers
from tests.realdata import realdata_dir

RECORDINGS = (
    "brocade-icx6430-24",
    "cisco-c3560",
    "cisco-unmarked-0",
    "hpe-procurve-516733-b21",
    "huawei-s5720",
    "juniper-mx960-12-3r6-6",
)
IF_INDEX = "1.3.6.1.2.1.2.2.1.1."
VLAN_STATIC_NAME = "1.3.6.1.2.1.17.7.1.4.3.1.1."
Q_FDB_PORT = "1.3.6.1.2.1.17.7.1.2.2.1.2."
D_FDB_PORT = "1.3.6.1.2.1.17.4.3.1.2."
SERIAL = "1.3.6.1.2.1.47.1.1.1.1.11."


@dataclass
class Expected:
    interfaces: int
    vlan_ids: set[int]
    fdb_rows: int
    serials: set[str]


def _value(kind: str, raw: str) -> str:
    if kind.endswith("x"):
        return bytes.fromhex(raw).decode("utf-8", errors="replace")
    return raw


def expected_from_recording(path: Path) -> Expected:
    """Count what the recording holds, straight from its ``OID|TYPE|VALUE`` lines."""
    interfaces = 0
    vlans: set[int] = set()
    q_fdb = d_fdb = 0
    serials: set[str] = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("#") or line.count("|") < 2:
            continue
        oid, kind, raw = line.split("|", 2)
        if oid.startswith(IF_INDEX):
            interfaces += 1
        elif oid.startswith(VLAN_STATIC_NAME):
            vlans.add(int(oid.rsplit(".", 1)[1]))
        elif oid.startswith(Q_FDB_PORT):
            q_fdb += 1
        elif oid.startswith(D_FDB_PORT):
            d_fdb += 1
        elif oid.startswith(SERIAL) and _value(kind, raw).strip(" \x00"):
            serials.add(_value(kind, raw).strip(" \x00"))
    return Expected(interfaces, vlans, q_fdb or d_fdb, serials)


@dataclass
class ServedRecordings:
    result: CollectionResult
    source: Path


@pytest.fixture(scope="module")
def snmpsim_recordings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedRecordings]:
    source = realdata_dir() / "snmprec"
    work = tmp_path_factory.mktemp("snmpsim")
    data = work / "data"
    data.mkdir()
    for name in RECORDINGS:
        shutil.copyfile(source / f"{name}.snmprec", data / f"{name}.snmprec")
    with running_snmpsim(data, work, RECORDINGS[0]) as port:
        for name in RECORDINGS:  # snmpsim indexes each file on first use: do it before polling
            wait_until_answers(port, name, deadline_seconds=240)
        devices = [
            Device(
                name=name,
                address="127.0.0.1",
                platform="generic",
                snmp=SnmpSettings(
                    version="v2c",
                    port=port,
                    community=CredentialRef(env=f"COMMUNITY_{index}"),
                    timeout=1.0,
                    retries=1,
                ),
            )
            for index, name in enumerate(RECORDINGS)
        ]
        secrets = {f"env:COMMUNITY_{index}": name for index, name in enumerate(RECORDINGS)}
        result = collect_snmp(
            devices,
            lambda reference: secrets[reference.describe()],
            concurrency=len(devices),
            options=PollOptions(concurrency=len(devices), probe_communities=None),
        )
    yield ServedRecordings(result=result, source=source)


def test_every_recording_is_collected_without_errors(snmpsim_recordings: ServedRecordings) -> None:
    assert [
        (error.kind, error.device, error.detail) for error in snmpsim_recordings.result.errors
    ] == []
    assert sorted(snmpsim_recordings.result.snapshots) == sorted(RECORDINGS)
    for snapshot in snmpsim_recordings.result.snapshots.values():
        assert summarize_snapshot(snapshot).startswith(snapshot.device)


@pytest.mark.parametrize("name", RECORDINGS)
def test_interfaces_vlans_fdb_and_serials_match_the_recording(
    snmpsim_recordings: ServedRecordings, name: str
) -> None:
    expected = expected_from_recording(snmpsim_recordings.source / f"{name}.snmprec")
    snapshot = snmpsim_recordings.result.snapshots[name]
    assert len(snapshot.interfaces) == expected.interfaces
    assert len({interface.if_index for interface in snapshot.interfaces}) == expected.interfaces
    assert {vlan.id for vlan in snapshot.vlans} == expected.vlan_ids or (
        not expected.vlan_ids and "dot1qVlanStaticTable" in snapshot.absent_tables
    )
    assert len(snapshot.fdb) == expected.fdb_rows
    assert set(snapshot.system.serials) == expected.serials


def test_procurve_fdb_ids_are_mapped_to_vlan_ids_not_taken_literally(
    snmpsim_recordings: ServedRecordings,
) -> None:
    snapshot = snmpsim_recordings.result.snapshots["hpe-procurve-516733-b21"]
    vlan_ids = {vlan.id for vlan in snapshot.vlans}
    assert {entry.vlan for entry in snapshot.fdb} <= vlan_ids
    assert {entry.vlan for entry in snapshot.fdb} - {1}, "fdbId 2.. must map to VLAN 50.."


def test_cisco_without_q_bridge_gets_vlans_and_port_roles_from_cisco_mibs(
    snmpsim_recordings: ServedRecordings,
) -> None:
    snapshot = snmpsim_recordings.result.snapshots["cisco-unmarked-0"]
    assert "dot1qVlanStaticTable" in snapshot.absent_tables
    assert snapshot.vlans, "VLANs come from CISCO-VTP-MIB"
    assert any(interface.mode == "trunk" for interface in snapshot.interfaces)
    assert any(interface.mode == "access" for interface in snapshot.interfaces)
    assert all(entry.port for entry in snapshot.fdb if entry.mac)
