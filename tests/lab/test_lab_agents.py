"""The running lab answers real clients: net-snmp's snmpbulkwalk and netmiko over SSH."""

from __future__ import annotations

import itertools
import json
import os
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from auditor.inventory.loader import load_inventory
from auditor.lab.runner import LabState
from auditor.lab.scenario import Scenario
from auditor.lab.ssh_devices import device_outputs, netmiko_device_type, wire_encoding

pytestmark = pytest.mark.lab

_NET_SNMP_AUTH = {"sha": "SHA", "sha256": "SHA-256"}


def _walk(
    lab: LabState, scenario: Scenario, name: str, root: str = "1.3.6.1.2.1"
) -> list[tuple[int, ...]]:
    device = scenario.device(name)
    access = lab.devices[name]
    assert device.snmp is not None and access.snmp_port is not None
    if device.snmp.version == "v2c":
        auth = ["-v2c", "-c", str(device.snmp.community)]
    else:
        auth = [
            "-v3", "-l", "authPriv", "-u", str(device.snmp.user),
            "-a", _NET_SNMP_AUTH[device.snmp.auth_protocol], "-A", str(device.snmp.auth_key),
            "-x", "AES", "-X", str(device.snmp.priv_key),
        ]  # fmt: skip
    result = subprocess.run(
        ["snmpbulkwalk", *auth, "-On", "-Cc", "-t", "3", f"127.0.0.1:{access.snmp_port}", root],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    oids = []
    for line in result.stdout.splitlines():
        if line.startswith(".") and " = " in line:
            oids.append(tuple(int(part) for part in line.split(" = ", 1)[0][1:].split(".")))
    return oids


@pytest.mark.parametrize("name", ["lg-edge-sw2", "shisho-rt1", "inet-core-sw1", "hinanjo-ap1"])
def test_snmpbulkwalk_walks_a_v2c_device_in_strictly_increasing_oid_order(
    running_lab: LabState, example_city: Scenario, name: str
) -> None:
    oids = _walk(running_lab, example_city, name)
    assert len(oids) > 50
    assert all(left < right for left, right in itertools.pairwise(oids))


@pytest.mark.parametrize("name", ["myn-core-sw1", "myn-edge-sw1", "mumeika-relay"])
def test_a_v3_device_answers_snmpbulkwalk_with_auth_priv(
    running_lab: LabState, example_city: Scenario, name: str
) -> None:
    oids = _walk(running_lab, example_city, name, "1.3.6.1.2.1.1")
    assert (1, 3, 6, 1, 2, 1, 1, 5, 0) in oids


def test_the_cisco_quirk_device_serves_its_fdb_per_vlan_community(
    running_lab: LabState, example_city: Scenario
) -> None:
    access = running_lab.devices["lg-core-sw1"]
    result = subprocess.run(
        ["snmpbulkwalk", "-v2c", "-c", "rei-lgcore-ro@20", "-On", f"127.0.0.1:{access.snmp_port}",
         "1.3.6.1.2.1.17.4.3.1.2"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert ".1.3.6.1.2.1.17.4.3.1.2.0.0.94.32.200.10 = INTEGER: 5" in result.stdout


VERSION_COMMANDS = ("show version", "get system status", "show environment", "show system")


def _version_command(scenario: Scenario, name: str) -> str:
    outputs = device_outputs(scenario.device(name), scenario)
    return next(command for command in VERSION_COMMANDS if command in outputs)


def _show_version(lab: LabState, scenario: Scenario, name: str) -> tuple[str, str]:
    # The SSH clients are imported by these (lab) tests, not at collection.
    from netmiko import ConnectHandler

    device = scenario.device(name)
    assert device.ssh is not None
    connection = ConnectHandler(
        device_type=netmiko_device_type(device),
        host="127.0.0.1",
        port=lab.devices[name].ssh_port,
        username=device.ssh.username,
        password=device.ssh.password,
        secret=device.ssh.enable_secret or "",
        encoding=wire_encoding(device),
        fast_cli=True,
        timeout=30,
    )
    try:
        if device.ssh.enable_secret:
            connection.enable()
        output = connection.send_command(_version_command(scenario, name), strip_prompt=True)
        return output, connection.find_prompt()
    finally:
        connection.disconnect()


def test_netmiko_reaches_every_ssh_device_and_its_version_command_prints_the_rendered_text(
    running_lab: LabState, example_city: Scenario
) -> None:
    names = [name for name, device in running_lab.devices.items() if device.ssh_port]
    assert len(names) >= 15
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = dict(
            zip(
                names,
                pool.map(lambda n: _show_version(running_lab, example_city, n), names),
                strict=True,
            )
        )
    for name, (output, prompt) in results.items():
        outputs = device_outputs(example_city.device(name), example_city)
        expected = outputs[_version_command(example_city, name)]
        assert output.strip().splitlines() == expected.strip().splitlines(), name
        assert name in prompt


def test_a_wrong_password_is_refused(running_lab: LabState, example_city: Scenario) -> None:
    from netmiko import ConnectHandler
    from netmiko.exceptions import NetmikoAuthenticationException

    device = example_city.device("lg-edge-sw1")
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(
            device_type="cisco_ios",
            host="127.0.0.1",
            port=running_lab.devices["lg-edge-sw1"].ssh_port,
            username=device.ssh.username if device.ssh else "auditor",
            password="not-the-password",
            timeout=10,
        )


def test_the_yamaha_cli_sends_shift_jis_bytes(
    running_lab: LabState, example_city: Scenario
) -> None:
    import paramiko

    device = example_city.device("shisho-rt1")
    assert device.ssh is not None
    outputs = device_outputs(device, example_city)
    command, text = next((c, o) for c, o in outputs.items() if any(ord(ch) > 127 for ch in o))
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        "127.0.0.1",
        port=running_lab.devices["shisho-rt1"].ssh_port,
        username=device.ssh.username,
        password=device.ssh.password,
        look_for_keys=False,
        allow_agent=False,
        timeout=10,
    )
    try:
        shell = client.invoke_shell()
        shell.settimeout(10)
        shell.send(f"{command}\n".encode())
        received = b""
        wanted = next(line for line in text.splitlines() if any(ord(ch) > 127 for ch in line))
        while wanted.encode("cp932") not in received:
            chunk = shell.recv(65535)
            assert chunk, "channel closed before the Japanese line arrived"
            received += chunk
    finally:
        client.close()
    assert wanted.encode("utf-8") not in received


def _strings(value: object) -> set[str]:
    if isinstance(value, dict):
        return (
            set().union(*(_strings(v) | _strings(k) for k, v in value.items())) if value else set()
        )
    if isinstance(value, list):
        return set().union(*(_strings(item) for item in value)) if value else set()
    return {value} if isinstance(value, str) else set()


def test_the_written_inventory_loads_and_keeps_secrets_in_private_files(
    running_lab: LabState,
) -> None:
    from ruamel.yaml import YAML

    inventory = load_inventory(Path(running_lab.inventory_file))
    assert {device.name for device in inventory.devices} == set(running_lab.devices)
    lab_json = json.loads((Path(running_lab.state_dir) / "lab.json").read_text(encoding="utf-8"))
    raw_inventory = YAML(typ="safe").load(
        Path(running_lab.inventory_file).read_text(encoding="utf-8")
    )
    written_values = _strings(lab_json) | _strings(raw_inventory)
    checked = 0
    for device in inventory.devices:
        references = []
        if device.snmp:
            references += [device.snmp.community, device.snmp.auth_key, device.snmp.priv_key]
        if device.ssh:
            references += [device.ssh.password, device.ssh.enable_secret]
        for reference in references:
            if reference is None:
                continue
            assert reference.file is not None
            path = Path(reference.file)
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            assert path.read_text(encoding="utf-8").strip() not in written_values
            checked += 1
    assert checked > 30
    assert lab_json["processes"]


def test_each_device_answers_only_its_own_community_on_its_own_port(running_lab: LabState) -> None:
    from auditor.lab.snmp_agent import udp_answers

    port = {name: device.snmp_port for name, device in running_lab.devices.items()}
    assert len({p for p in port.values() if p}) == len(port)  # one UDP port per device
    assert udp_answers("127.0.0.1", port["hinanjo-ap1"], "public")  # planted default community
    assert not udp_answers("127.0.0.1", port["lg-edge-sw2"], "public", timeout=0.5)
    assert not udp_answers("127.0.0.1", port["hinanjo-ap1"], "rei-lgedge2-ro", timeout=0.5)
    assert not udp_answers("127.0.0.1", port["myn-core-sw1"], "public", timeout=0.5)
