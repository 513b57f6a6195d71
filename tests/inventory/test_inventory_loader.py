"""Inventory loading: groups fill what devices leave out, inline secrets are refused."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from auditor.inventory.loader import InventoryError, load_inventory, validate_against_policy
from auditor.policy.models import Policy, Zone, ZoneKind

DEVICES = """\
devices:
  - name: honcho-core-sw1
    address: 10.99.0.1
    platform: cisco_ios
    zones: [lgwan, management]
    groups: [cisco, honcho]
    ssh:
      username: special
  - name: shisho-sw1
    address: 10.99.0.2
    platform: yamaha_rtx
    groups: [honcho]
    snmp:
      version: v2c
      community: {env: SHISHO_COMMUNITY}
"""
GROUPS = """\
cisco:
  platform: alaxala_ax
  ssh:
    username: auditor
    password: {file: secrets/ssh-password}
    port: 2222
honcho:
  site: honcho
  groups: [base]
base:
  role: access
  snmp:
    version: v3
    user: kyojin-ro
    auth_key: {systemd: snmp-auth}
    priv_key: {systemd: snmp-priv}
"""


def make_inventory(tmp_path: Path, devices: str = DEVICES, groups: str = GROUPS) -> Path:
    folder = tmp_path / "inventory"
    folder.mkdir(exist_ok=True)
    (folder / "devices.yaml").write_text(textwrap.dedent(devices), encoding="utf-8")
    if groups:
        (folder / "groups.yaml").write_text(textwrap.dedent(groups), encoding="utf-8")
    return folder


def test_groups_fill_fields_the_device_does_not_set_and_merge_ssh_key_by_key(tmp_path):
    folder = make_inventory(tmp_path)

    inventory = load_inventory(folder)

    core = inventory.device("honcho-core-sw1")
    assert core is not None and core.ssh is not None and core.snmp is not None
    assert core.platform == "cisco_ios"  # the device's own value wins
    assert (core.site, core.role) == ("honcho", "access")  # from honcho and its parent base
    assert core.ssh.username == "special"
    assert core.ssh.port == 2222
    assert core.ssh.password is not None
    # A relative credential file is made absolute against the folder it was written in.
    assert core.ssh.password.file == str((folder / "secrets/ssh-password").resolve())
    assert core.snmp.auth_key is not None and core.snmp.auth_key.systemd == "snmp-auth"
    assert core.groups == ["cisco", "honcho"]


def test_the_device_snmp_settings_merge_over_the_groups(tmp_path):
    inventory = load_inventory(make_inventory(tmp_path))

    branch = inventory.device("shisho-sw1")
    assert branch is not None and branch.snmp is not None
    assert branch.snmp.version == "v2c"
    assert branch.snmp.community is not None and branch.snmp.community.env == "SHISHO_COMMUNITY"
    assert branch.snmp.user == "kyojin-ro"


def test_an_inline_password_is_rejected_with_the_credential_reference_hint(tmp_path):
    devices = DEVICES.replace("      username: special\n", "      password: hunter2\n")
    folder = make_inventory(tmp_path, devices)

    with pytest.raises(InventoryError) as caught:
        load_inventory(folder)

    issues = caught.value.issues
    assert [str(i) for i in issues] == [
        f"{folder / 'devices.yaml'}:8: devices[0].ssh.password: inline secrets are not allowed; "
        "use a credential reference: {env: NAME}, {file: PATH} or {systemd: NAME}"
    ]
    assert "hunter2" not in str(caught.value)


def test_an_inline_community_in_a_group_is_reported_in_the_groups_file(tmp_path):
    groups = GROUPS.replace("    user: kyojin-ro\n", "    community: public\n")
    folder = make_inventory(tmp_path, groups=groups)

    with pytest.raises(InventoryError) as caught:
        load_inventory(folder)

    (issue,) = caught.value.issues
    assert (Path(issue.file).name, issue.line, issue.field) == (
        "groups.yaml",
        14,
        "groups.base.snmp.community",
    )
    assert "public" not in str(caught.value)


def test_validation_errors_name_the_device_as_the_file_does(tmp_path):
    devices = """\
    devices:
      core-sw1:
        address: 10.99.0.1
        platform: junos
      edge-sw1:
        address: 10.99.0.2
        platform: cisco_ios
        groups: [nosuch]
    """
    folder = make_inventory(tmp_path, devices, groups="")

    with pytest.raises(InventoryError) as caught:
        load_inventory(folder)

    assert [(i.line, i.field) for i in caught.value.issues] == [
        (8, "devices.edge-sw1.groups[0]"),
        (4, "devices.core-sw1.platform"),
    ]


def test_duplicate_device_names_are_an_error(tmp_path):
    devices = """\
    devices:
      - {name: sw1, address: 10.0.0.1, platform: generic}
      - {name: sw1, address: 10.0.0.2, platform: generic}
    """
    with pytest.raises(InventoryError) as caught:
        load_inventory(make_inventory(tmp_path, devices, groups=""))

    (issue,) = caught.value.issues
    assert (issue.line, issue.field) == (3, "devices[1].name")


def test_a_single_file_with_devices_and_groups_loads(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "groups:\n  g: {site: honcho}\n"
        "devices:\n  - {name: sw1, address: 10.0.0.1, platform: generic, groups: [g]}\n",
        encoding="utf-8",
    )

    inventory = load_inventory(path)

    assert inventory.devices[0].site == "honcho"


def test_devices_must_serve_zones_the_policy_knows(tmp_path):
    folder = make_inventory(tmp_path)
    policy = Policy(
        zones=[Zone(id="lgwan", kind=ZoneKind.LGWAN, name_ja="LGWAN接続系", name_en="LGWAN")]
    )

    issues = validate_against_policy(load_inventory(folder), policy)

    assert [str(i) for i in issues] == [
        f"{folder / 'devices.yaml'}:5: devices[0].zones[1]: unknown zone 'management'"
    ]


def test_a_duplicated_secret_key_is_reported_without_quoting_the_values(tmp_path):
    devices = DEVICES.replace(
        "      username: special\n", "      password: hunter2\n      password: hunter3\n"
    )
    folder = make_inventory(tmp_path, devices)

    with pytest.raises(InventoryError) as caught:
        load_inventory(folder)

    assert (
        str(caught.value)
        == f'{folder / "devices.yaml"}:9: YAML syntax error: duplicate key "password"'
    )


def test_groups_may_live_in_devices_yaml_but_not_in_both_files(tmp_path):
    inline = "groups:\n  g: {site: honcho}\n" + DEVICES.replace("[cisco, honcho]", "[g]").replace(
        "groups: [honcho]", "groups: [g]"
    )
    folder = make_inventory(tmp_path, inline, groups="")
    assert {d.site for d in load_inventory(folder).devices} == {"honcho"}

    (folder / "groups.yaml").write_text(GROUPS, encoding="utf-8")
    with pytest.raises(InventoryError, match="groups are also defined in"):
        load_inventory(folder)
