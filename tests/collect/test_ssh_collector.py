"""The SSH collector against the lab's emulated devices (real SSH, fakenos) for every platform."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.collect.base import CollectionResult
from auditor.collect.ssh import (
    ReadOnlyViolation,
    SshCollector,
    check_read_only,
    format_plan,
    plan_commands,
)
from auditor.lab.cli_render import render
from auditor.lab.scenario import Scenario
from auditor.model.collection import FailureKind
from auditor.platforms.registry import profiles
from auditor.platforms.text_decode import decode_output
from auditor.redact import marker
from auditor_checks.collection.kinds import check_id_for, describe
from tests.builders import example_city
from tests.collect.ssh_lab import ONE_PER_PLATFORM, SshLab, ssh_lab

SALT = b"ssh-collector-test"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return example_city()


@pytest.fixture(scope="module")
def fakenos_lab(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshLab]:
    with ssh_lab(scenario, ONE_PER_PLATFORM, tmp_path_factory.mktemp("ssh-lab")) as running:
        yield running


@pytest.fixture(scope="module")
def collected(fakenos_lab: SshLab, tmp_path_factory: pytest.TempPathFactory) -> CollectionResult:
    known_hosts = tmp_path_factory.mktemp("known") / "known_hosts"
    collector = SshCollector(salt=SALT, known_hosts=known_hosts, max_workers=6)
    devices = [fakenos_lab.device(name) for name in ONE_PER_PLATFORM]
    return collector.collect(devices, fakenos_lab.resolve)


# Left out of the comparison: what is measured at collection time rather than configured
# (the clock skew is asserted on its own with a tolerance).
MEASURED: dict[str, object] = {
    "collected_at": True,
    "config_redacted": True,
    "config_hash": True,
    "absent_tables": True,
    "system": {"clock_skew_seconds"},
}


def expected_parts(scenario: Scenario, name: str) -> dict[str, object]:
    device = scenario.device(name)
    outputs = {
        command: decode_output(value).text if isinstance(value, bytes) else value
        for command, value in render(device, scenario).items()
    }
    parts = profiles()[device.platform].parse(outputs, salt=SALT)
    snapshot = parts.to_snapshot(name, collected_at=__import__("datetime").datetime.now())
    return snapshot.model_dump(mode="json", exclude=MEASURED)  # type: ignore[arg-type]


def test_every_platform_is_collected_without_errors(collected: CollectionResult) -> None:
    assert collected.errors == []
    assert set(collected.snapshots) == set(ONE_PER_PLATFORM)


@pytest.mark.parametrize("name", ONE_PER_PLATFORM)
def test_the_collected_snapshot_equals_the_scenario_parse(
    collected: CollectionResult, scenario: Scenario, name: str
) -> None:
    snapshot = collected.snapshots[name]
    got = snapshot.model_dump(mode="json", exclude=MEASURED)  # type: ignore[arg-type]
    assert got == expected_parts(scenario, name)
    device = scenario.device(name)
    if snapshot.system.clock_skew_seconds is not None:  # platforms that measure it (show clock)
        planted = device.management.clock_skew_seconds
        assert abs(snapshot.system.clock_skew_seconds - planted) < 60
    assert {i.name: i.alias for i in snapshot.interfaces} == {p.name: p.alias for p in device.ports}
    assert snapshot.config_hash is not None and len(snapshot.config_hash) == 64
    assert snapshot.absent_tables == []


def test_shift_jis_descriptions_of_the_yamaha_router_survive_into_the_snapshot(
    collected: CollectionResult, scenario: Scenario
) -> None:
    snapshot = collected.snapshots["shisho-rt1"]
    assert snapshot.interface("lan1") is not None
    assert snapshot.interface("lan1").alias == scenario.device("shisho-rt1").port("lan1").alias  # type: ignore[union-attr]
    log = json.loads(dict(collected.evidence["shisho-rt1"])["command-log"])
    encodings = {entry["command"]: entry["encoding"] for entry in log["commands"]}
    assert encodings["show config"] == "cp932"


def test_evidence_is_the_redacted_config_and_a_command_log_with_hashes(
    collected: CollectionResult,
) -> None:
    for name in ONE_PER_PLATFORM:
        evidence = dict(collected.evidence[name])
        assert set(evidence) == {"running-config", "command-log"}
        log = json.loads(evidence["command-log"])
        profile = profiles()[log["platform"]]
        assert [entry["command"] for entry in log["commands"]] == list(profile.commands)
        assert all(len(entry["output_sha256"]) == 64 for entry in log["commands"])
        assert all(entry["outcome"] == "ok" for entry in log["commands"])
        assert (
            evidence["running-config"].decode("utf-8") == collected.snapshots[name].config_redacted
        )


def planted_secrets(scenario: Scenario, name: str) -> list[str]:
    device = scenario.device(name)
    assert device.ssh is not None
    values = [device.ssh.password, device.ssh.enable_secret or ""]
    values += [community.name for community in device.management.snmp_communities]
    values += [user.password or "" for user in device.management.local_users]
    values += [f"{name}-auth", f"{name}-priv", f"{name}-psk-1", f"{name}-trap"]
    return [value for value in values if value]


@pytest.mark.parametrize("name", ONE_PER_PLATFORM)
def test_no_secret_reaches_snapshots_evidence_or_errors(
    collected: CollectionResult, scenario: Scenario, name: str
) -> None:
    rendered = b"".join(
        value if isinstance(value, bytes) else value.encode("utf-8")
        for value in render(scenario.device(name), scenario).values()
    )
    stored = collected.snapshots[name].model_dump_json().encode("utf-8")
    stored += b"".join(blob for _, blob in collected.evidence[name])
    stored += repr(collected.errors).encode("utf-8")
    secrets = planted_secrets(scenario, name)
    assert any(secret.encode() in rendered for secret in secrets), "the device really has secrets"
    for secret in secrets:
        assert secret.encode("utf-8") not in stored, secret
    for community in scenario.device(name).management.snmp_communities:
        assert marker(community.name, salt=SALT).encode() in stored


def test_a_wrong_password_is_a_col_101_finding_and_the_other_devices_go_on(
    fakenos_lab: SshLab, tmp_path: Path
) -> None:
    collector = SshCollector(salt=SALT, known_hosts=tmp_path / "known_hosts", max_workers=2)
    good = fakenos_lab.device("lg-rt1")
    bad = fakenos_lab.device("lg-edge-sw2")
    fakenos_lab.secrets["lg-edge-sw2/password"] = "not-the-password"
    try:
        result = collector.collect([bad, good], fakenos_lab.resolve)
    finally:
        fakenos_lab.secrets.pop("lg-edge-sw2/password")
    assert [(e.device, e.kind) for e in result.errors] == [("lg-edge-sw2", FailureKind.SSH_AUTH)]
    assert [check_id_for(e) for e in result.errors] == ["COL-101"]
    assert "not-the-password" not in repr(result.errors)
    assert set(result.snapshots) == {"lg-rt1"}


def test_a_configuration_command_is_refused_before_anything_is_sent(
    fakenos_lab: SshLab, tmp_path: Path
) -> None:
    device = fakenos_lab.device("lg-core-sw1")
    with pytest.raises(ReadOnlyViolation):
        check_read_only(device, ["show version", "configure terminal"])
    with pytest.raises(ReadOnlyViolation):
        check_read_only(device, ["show running-config | include username"])
    unreachable = device.model_copy(update={"address": "127.0.0.2"})
    collector = SshCollector(salt=SALT, known_hosts=tmp_path / "known_hosts")
    outcome = collector.collect_device(
        unreachable, fakenos_lab.resolve, commands=["show version", "write memory"]
    )
    assert [e.kind for e in outcome.errors] == [FailureKind.READ_ONLY]
    assert describe(outcome.errors[0])[0] == (
        "lg-core-sw1: the collector refused to send 'write memory', which is not an "
        "allow-listed read-only command; nothing was sent"
    )
    assert outcome.records == []  # nothing was sent, not even a connection attempt


def test_an_unreachable_device_is_a_col_102_finding(fakenos_lab: SshLab, tmp_path: Path) -> None:
    from tests.collect.ssh_lab import free_port

    device = fakenos_lab.device("lg-rt1", port=free_port(), timeout=2.0)
    result = SshCollector(salt=SALT, known_hosts=tmp_path / "kh").collect(
        [device], fakenos_lab.resolve
    )
    assert [e.kind for e in result.errors] == [FailureKind.SSH_UNREACHABLE]
    assert [check_id_for(e) for e in result.errors] == ["COL-102"]


def test_unknown_host_keys_are_refused_unless_trust_on_first_use_records_them(
    fakenos_lab: SshLab, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    collector = SshCollector(salt=SALT, known_hosts=known_hosts)
    strict = fakenos_lab.device("lg-rt1", host_key_policy="known_hosts")
    refused = collector.collect([strict], fakenos_lab.resolve)
    assert [e.kind for e in refused.errors] == [FailureKind.HOST_KEY]
    assert not known_hosts.exists()

    first = collector.collect([fakenos_lab.device("lg-rt1")], fakenos_lab.resolve)
    assert first.errors == []
    assert f"[127.0.0.1]:{fakenos_lab.ports['lg-rt1']}" in known_hosts.read_text()
    again = collector.collect([strict], fakenos_lab.resolve)
    assert again.errors == [] and "lg-rt1" in again.snapshots


def test_a_changed_host_key_is_refused_even_with_trust_on_first_use(
    fakenos_lab: SshLab, tmp_path: Path
) -> None:
    import paramiko

    known_hosts = tmp_path / "known_hosts"
    other = paramiko.RSAKey.generate(1024)
    known_hosts.write_text(
        f"[127.0.0.1]:{fakenos_lab.ports['lg-rt1']} {other.get_name()} {other.get_base64()}\n"
    )
    result = SshCollector(salt=SALT, known_hosts=known_hosts).collect(
        [fakenos_lab.device("lg-rt1")], fakenos_lab.resolve
    )
    assert [check_id_for(e) for e in result.errors] == ["COL-106"]
    assert "changed" in (result.errors[0].detail or "")


def test_dry_run_plans_exactly_the_allow_listed_commands(fakenos_lab: SshLab) -> None:
    devices = [fakenos_lab.device(name) for name in ONE_PER_PLATFORM]
    plan = plan_commands(devices)
    for device in devices:
        assert plan[device.name] == list(profiles()[device.platform].commands)
    text = format_plan(devices)
    assert "show running-config" in text and "[driver] terminal length 0" in text
    assert "configure" not in text


def test_debug_logs_of_a_collection_carry_no_password_with_the_redacting_filter(
    fakenos_lab: SshLab, tmp_path: Path
) -> None:
    import io
    import logging

    from auditor.redact import RedactingFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    redacting = RedactingFilter(salt=SALT)
    handler.addFilter(redacting)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        collector = SshCollector(salt=SALT, known_hosts=tmp_path / "kh", redacting_filter=redacting)
        result = collector.collect([fakenos_lab.device("lg-core-sw1")], fakenos_lab.resolve)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    assert result.errors == []
    logged = stream.getvalue()
    assert logged  # netmiko and paramiko did log at DEBUG
    device = fakenos_lab.scenario.device("lg-core-sw1")
    assert device.ssh is not None
    for secret in (device.ssh.password, device.ssh.enable_secret or "", "rei-lgcore-ro"):
        assert secret not in logged


@pytest.mark.lab
def test_a_command_the_device_rejects_is_col_104_and_the_rest_of_the_snapshot_is_kept(
    scenario: Scenario, tmp_path: Path
) -> None:
    changed = scenario.model_copy(deep=True)
    router = changed.device("lg-rt1")
    router.cli_extra = {"show version": "% Unknown command."}
    with ssh_lab(changed, ["lg-rt1"], tmp_path) as lab:
        collector = SshCollector(salt=SALT, known_hosts=tmp_path / "kh")
        result = collector.collect([lab.device("lg-rt1")], lab.resolve)
    assert [(e.kind, e.subject) for e in result.errors] == [
        (FailureKind.REJECTED, "command:show version")
    ]
    assert describe(result.errors[0]) == (
        "lg-rt1: the device rejected 'show version' (% Unknown command.)",
        "lg-rt1: 機器がコマンド 'show version' を受け付けませんでした(% Unknown command.)",
    )
    snapshot = result.snapshots["lg-rt1"]
    assert snapshot.absent_tables == ["show version"]
    assert snapshot.system.os_version is None  # show version's fact; the serial is show hardware's
    assert {i.name for i in snapshot.interfaces} == {p.name for p in router.ports}


def test_jump_host_specifications_are_read_as_user_host_and_port() -> None:
    from auditor.collect.ssh import parse_jump_host

    assert parse_jump_host("bastion.example.jp", "auditor") == ("auditor", "bastion.example.jp", 22)
    assert parse_jump_host("ops@10.99.0.5:2222", "auditor") == ("ops", "10.99.0.5", 2222)
    assert parse_jump_host("[2001:db8::5]:22", None) == (None, "2001:db8::5", 22)
