"""Collection through a real OpenSSH jump host (bastion) in front of a lab device."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.collect.ssh import SshCollector
from auditor.inventory.models import CredentialRef
from auditor.model.collection import FailureKind
from auditor_checks.collection.kinds import check_id_for, describe
from tests.builders import example_city
from tests.collect.openssh import OpenSsh, new_key, openssh_server
from tests.collect.ssh_lab import SshLab, ssh_lab
from tests.collect.test_ssh_collector import SALT

pytestmark = pytest.mark.lab

DEVICES = ("lg-rt1", "lg-core-sw1")
VOLATILE: dict[str, object] = {"collected_at": True, "system": {"clock_skew_seconds"}}  # measured


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshLab]:
    with ssh_lab(example_city(), DEVICES, tmp_path_factory.mktemp("jump-lab")) as running:
        yield running


@pytest.fixture(scope="module")
def bastion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenSsh]:
    with openssh_server(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def through(lab: SshLab, bastion: OpenSsh, name: str, key: str) -> object:
    lab.secrets["jump-key"] = key
    return lab.device(name, jump_host=bastion.spec, private_key=CredentialRef(env="jump-key"))


@pytest.mark.parametrize("name", DEVICES)
def test_a_device_behind_a_real_openssh_jump_host_gives_the_same_snapshot(
    lab: SshLab, bastion: OpenSsh, tmp_path: Path, name: str
) -> None:
    collector = SshCollector(salt=SALT, known_hosts=tmp_path / "known_hosts")
    direct = collector.collect([lab.device(name)], lab.resolve)
    jumped = collector.collect([through(lab, bastion, name, bastion.client_key)], lab.resolve)  # type: ignore[list-item]
    assert direct.errors == [] and jumped.errors == []
    assert jumped.snapshots[name].model_dump(exclude=VOLATILE) == direct.snapshots[name].model_dump(
        exclude=VOLATILE
    )
    # The jump host's key was checked and recorded like a device's (trust on first use).
    assert f"[127.0.0.1]:{bastion.port}" in (tmp_path / "known_hosts").read_text()


def test_a_wrong_jump_host_credential_is_a_col_101_finding_naming_the_jump_host(
    lab: SshLab, bastion: OpenSsh, tmp_path: Path
) -> None:
    wrong = new_key(tmp_path / "not-authorised")
    collector = SshCollector(salt=SALT, known_hosts=tmp_path / "known_hosts")
    result = collector.collect([through(lab, bastion, "lg-rt1", wrong)], lab.resolve)  # type: ignore[list-item]
    assert [(e.kind, e.subject) for e in result.errors] == [(FailureKind.SSH_AUTH, "ssh-jump")]
    assert check_id_for(result.errors[0]) == "COL-101"
    assert result.errors[0].fact("where") == f"127.0.0.1:{bastion.port}"
    english, japanese = describe(result.errors[0])
    assert english == (
        f"lg-rt1: the jump host {bastion.spec} refused the SSH login; the device was not reached"
    )
    assert "踏み台" in japanese
    assert result.snapshots == {}
    assert "PRIVATE KEY" not in repr(result.errors)


def test_an_unknown_jump_host_key_is_refused_before_any_credential_is_sent(
    lab: SshLab, bastion: OpenSsh, tmp_path: Path
) -> None:
    device = through(lab, bastion, "lg-rt1", bastion.client_key)
    strict = device.model_copy(  # type: ignore[attr-defined]
        update={"ssh": device.ssh.model_copy(update={"host_key_policy": "known_hosts"})}  # type: ignore[attr-defined]
    )
    result = SshCollector(salt=SALT, known_hosts=tmp_path / "kh").collect([strict], lab.resolve)
    assert [(e.kind, e.subject) for e in result.errors] == [(FailureKind.HOST_KEY, "ssh-jump")]
    assert "jump host" in describe(result.errors[0])[0]
