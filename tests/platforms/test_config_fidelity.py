"""Regression tests for the configuration defects of issue 14 (fixtures written for these tests)."""

from __future__ import annotations

from auditor.platforms import alaxala_ax, nec_ix, yamaha_rtx
from auditor.platforms.ios_config import interpret

SALT = b"fidelity"


def test_awplus_one_line_banner_does_not_swallow_the_following_lines() -> None:
    config = (
        "banner exec Welcome, operators only\n"
        "banner motd Authorised use only\n"
        "username admin privilege 15 password 8 $1$abcd$efghijklmnopqrstuvwxyz\n"
        "hostname aw-fid\n"
    )
    facts = interpret(config, dialect="allied_telesis_awplus", salt=SALT)
    assert facts.hostname == "aw-fid"
    users = facts.management.local_users or []
    assert [(u.name, u.privilege, u.password_storage) for u in users] == [("admin", 15, "hash")]
    assert facts.management.banner == "Authorised use only"
    assert facts.unparsed == []


def test_ios_banner_without_closing_delimiter_does_not_swallow_the_configuration() -> None:
    facts = interpret("banner motd #never closed\nhostname r1\n", dialect="cisco_ios", salt=SALT)
    assert facts.hostname == "r1"


def test_awplus_interface_ranges_become_one_interface_per_port() -> None:
    config = (
        "interface port1.0.5-1.0.8\n switchport\n switchport mode access\n"
        " switchport access vlan 30\n"
        "interface port1.0.2-1.0.3,port1.0.10\n switchport mode access\n"
        "interface po7-8\n switchport mode trunk\n switchport trunk allowed vlan add 40\n"
    )
    facts = interpret(config, dialect="allied_telesis_awplus", salt=SALT)
    ports = facts.interfaces
    assert sorted(ports) == sorted(
        [f"port1.0.{n}" for n in (5, 6, 7, 8, 2, 3, 10)] + ["po7", "po8"]
    )
    assert all(ports[f"port1.0.{n}"].access_vlan == 30 for n in (5, 6, 7, 8))
    assert ports["port1.0.10"].access_vlan == 1  # AW+ default VLAN
    assert ports["po7"].allowed_vlans == [40]
    assert facts.unparsed == []  # a bare ``switchport`` is understood


def test_awplus_trunk_without_allowed_list_carries_only_its_native_vlan() -> None:
    facts = interpret(
        "interface port1.0.1\n switchport mode trunk\n", dialect="allied_telesis_awplus", salt=SALT
    )
    port = facts.interfaces["port1.0.1"]
    assert (port.allowed_vlans, port.native_vlan) == ([], 1)
    ios = interpret("interface Gi1/0/1\n switchport mode trunk\n", dialect="cisco_ios", salt=SALT)
    assert ios.interfaces["Gi1/0/1"].allowed_vlans == list(range(1, 4095))


def test_one_invalid_line_is_reported_and_every_other_line_still_counts() -> None:
    config = (
        "hostname r2\n"
        "interface GigabitEthernet0/1\n"
        " ip address 111.111.111.111 111.111.111.111\n"
        " description uplink\n"
        "interface GigabitEthernet0/2\n"
        " ip address 10.0.0.1 255.255.255.0\n"
        "ntp server 10.9.9.9\n"
    )
    facts = interpret(config, dialect="cisco_ios", salt=SALT)
    assert facts.hostname == "r2"
    assert facts.interfaces["GigabitEthernet0/1"].alias == "uplink"
    assert facts.interfaces["GigabitEthernet0/2"].addresses == ["10.0.0.1/24"]
    assert facts.management.ntp_servers == ["10.9.9.9"]
    assert len(facts.unparsed) == 1
    assert "111.111.111.111" in facts.unparsed[0] and "unreadable" in facts.unparsed[0]


def test_ios_username_without_privilege_is_level_one() -> None:
    facts = interpret("username ops secret 9 $9$abc$def\n", dialect="cisco_ios", salt=SALT)
    users = facts.management.local_users or []
    assert [(u.privilege, u.password_storage) for u in users] == [(1, "type9")]


def test_nec_ix_pppoe_ipsec_and_device_blocks() -> None:
    config = (
        "hostname ix-fid\n"
        "syslog ip enable\n"
        "syslog ip host 192.0.2.10\n"
        "ike policy pol1 peer 192.0.2.1 key IxPsk123 p1\n"
        "proxy-dns ip enable\n"
        "http-server username admin secret-password Xyz\n"
        "device GigaEthernet2\n  shutdown\n"
        "interface GigaEthernet0.1\n  encapsulation pppoe\n  ip address ipcp\n  no shutdown\n"
        "interface GigaEthernet2.0\n  ip address 192.168.1.1/24\n  no shutdown\n"
    )
    parts = nec_ix.parse({"show running-config": config}, salt=SALT)
    by_name = {i.name: i for i in parts.interfaces}
    assert by_name["GigaEthernet0.1"].mode == "routed"
    assert by_name["GigaEthernet2.0"].shutdown is True  # its physical port is shut down
    assert parts.management.syslog_hosts == ["192.0.2.10"]
    assert parts.unparsed_config_lines == []


def test_alaxala_users_have_unknown_password_storage_and_bare_ip_ssh_starts_ssh() -> None:
    config = "username ops view-class allcommand\nip ssh\n"
    parts = alaxala_ax.parse({"show running-config": config}, salt=SALT)
    assert [u.password_storage for u in parts.management.local_users or []] == ["unknown"]
    assert parts.management.ssh_enabled is True
    assert parts.unparsed_config_lines == []


def test_alaxala_serial_on_the_line_after_main_board() -> None:
    version = (
        "Date 2024/01/01 00:00:00 JST\n"
        "Model: AX3660S-24T4X\n"
        "S/W: OS-L3M Ver. 12.1.H \n"
        "H/W: Main board\n"
        "       AX-3660-24T4X [FZSERIAL01:SL-L3A-001:000000:0:000:00A000]\n"
        "     Power slot 1 PS-M(AC)\n"
        "       AX-F2430-PSA06 [PSUSERIAL9]\n"
    )
    system = alaxala_ax.parse_version(version)
    assert system.serial == "FZSERIAL01:SL-L3A-001:000000:0:000:00A000"
    assert system.os_version == "12.1.H"


def test_yamaha_gateways_are_typed_and_masks_become_prefix_lengths() -> None:
    config = (
        "ip route default gateway dhcp lan2\n"
        "ip route 192.0.2.0/24 gateway null\n"
        "ip route 10.0.0.0/255.0.0.0 gateway 10.5.0.254 gateway 10.5.0.253\n"
        "ip route 172.16.0.0/12 gateway pp 1\n"
    )
    routes = yamaha_rtx.interpret_config(config, salt=SALT).routes
    assert [(r.prefix, r.next_hop_kind, r.next_hop, r.interface) for r in routes] == [
        ("0.0.0.0/0", "dhcp", None, "lan2"),
        ("192.0.2.0/24", "null", None, "null"),
        ("10.0.0.0/8", "ip", "10.5.0.254", None),
        ("10.0.0.0/8", "ip", "10.5.0.253", None),
        ("172.16.0.0/12", "interface", None, "pp1"),
    ]


def test_yamaha_newer_administrator_values_and_wrapped_header() -> None:
    config = (
        "# RTX1220 Rev.15.04.00 (Mon Jan  1 00:00:00 2024)\n"
        "# MAC Address : 00:a0:de:00:00:01, 00:a0:de:00:00:02,\n"
        "   00:a0:de:00:00:03\n"
        "login user boss BossPw1\n"
        "user attribute boss administrator=2\n"
        "login user clerk ClerkPw1\n"
        "user attribute clerk administrator=off\n"
        "login user admin *\n"
    )
    config_facts = yamaha_rtx.interpret_config(config, salt=SALT)
    users = config_facts.management.local_users or []
    assert [(u.name, u.privilege, u.password_storage) for u in users] == [
        ("boss", 15, "plain"),
        ("clerk", 1, "plain"),
        ("admin", None, "unknown"),
    ]
    assert config_facts.unparsed == []
