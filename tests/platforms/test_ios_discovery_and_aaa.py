"""The IOS-like interpreter: CDP/LLDP per port with the global defaults, and central AAA."""

from __future__ import annotations

from auditor.platforms.ios_config import Dialect, interpret

SALT = b"discovery"


def ports(config: str, dialect: Dialect = "cisco_ios") -> dict[str, tuple[bool | None, ...]]:
    facts = interpret(config, dialect=dialect, salt=SALT)
    return {
        name: (interface.cdp_enabled, interface.lldp_transmit)
        for name, interface in facts.interfaces.items()
    }


INTERFACES = """\
interface GigabitEthernet1/0/1
 switchport mode access
 no cdp enable
 no lldp transmit
!
interface GigabitEthernet1/0/2
 switchport mode access
!
interface GigabitEthernet1/0/3
 cdp enable
 lldp transmit
!
interface Vlan30
 ip address 10.30.0.1 255.255.255.0
!
"""


def test_without_global_lines_only_the_ports_own_lines_are_known() -> None:
    assert ports(INTERFACES) == {
        "GigabitEthernet1/0/1": (False, False),
        "GigabitEthernet1/0/2": (None, None),
        "GigabitEthernet1/0/3": (True, True),
        "Vlan30": (None, None),
    }


def test_global_run_turns_the_default_on_for_physical_ports_but_not_for_svis() -> None:
    assert ports("cdp run\nlldp run\n" + INTERFACES) == {
        "GigabitEthernet1/0/1": (False, False),
        "GigabitEthernet1/0/2": (True, True),
        "GigabitEthernet1/0/3": (True, True),
        "Vlan30": (None, None),
    }


def test_global_no_run_turns_the_protocol_off_everywhere_whatever_the_port_says() -> None:
    assert ports("no cdp run\nno lldp run\n" + INTERFACES) == {
        "GigabitEthernet1/0/1": (False, False),
        "GigabitEthernet1/0/2": (False, False),
        "GigabitEthernet1/0/3": (False, False),
        "Vlan30": (False, False),
    }


def test_global_run_lines_are_understood_not_left_unparsed() -> None:
    facts = interpret("no cdp run\nlldp run\n", dialect="cisco_ios", salt=SALT)
    assert facts.unparsed == []


def test_awplus_and_alaxala_global_lldp_lines_decide_their_ports_too() -> None:
    """Issue 14 item 16: the global LLDP switch is read on AW+ and AX, not only on Cisco."""
    aw_ports = "interface port1.0.1\n switchport mode access\n!\n"
    assert ports("lldp run\n" + aw_ports, "allied_telesis_awplus") == {"port1.0.1": (None, True)}
    assert ports("no lldp run\n" + aw_ports, "allied_telesis_awplus") == {
        "port1.0.1": (None, False)
    }
    assert ports(aw_ports, "allied_telesis_awplus") == {"port1.0.1": (None, None)}
    ax_ports = "interface gigabitethernet 0/1\n  switchport mode access\n!\n"
    assert ports("no lldp run\n" + ax_ports, "alaxala_ax") == {"gigabitethernet 0/1": (None, False)}
    facts = interpret("lldp run\nno lldp run\n", dialect="alaxala_ax", salt=SALT)
    assert facts.unparsed == []


def aaa(config: str) -> bool | None:
    return interpret(config, dialect="cisco_ios", salt=SALT).management.aaa_enabled


def test_aaa_counts_only_when_login_authentication_asks_a_server_group() -> None:
    assert aaa("aaa new-model\naaa authentication login default group tacacs+ local\n") is True
    assert aaa("aaa new-model\naaa authentication login VTY group RADIUS-SERVERS\n") is True


def test_aaa_new_model_with_local_login_only_is_not_central_authentication() -> None:
    assert aaa("aaa new-model\n") is False
    assert aaa("aaa new-model\naaa authentication login default local\n") is False
    assert aaa("hostname sw1\n") is False
