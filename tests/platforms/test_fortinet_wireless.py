"""FortiGate ``config wireless-controller vap`` → typed wireless networks, and the lab round trip."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.lab.cli_render import fortigate
from auditor.model.snapshot import WirelessNetwork
from auditor.platforms import fortinet
from tests.builders import example_city

SALT = b"wireless"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

CONFIG = """\
#config-version=FG100F-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=admin
config system interface
    edit "wifi-tun"
        set vdom "root"
        set ip 10.20.40.1 255.255.255.0
        set type vap-switch
    next
end
config wireless-controller vap
    edit "staff"
        set ssid "Staff"
        set broadcast-ssid enable
        set security wpa2-only-enterprise
        set encrypt AES
        set auth radius
        set radius-server "nps1"
        set intra-vap-privacy disable
        set local-bridging enable
        set vlanid 24
    next
    edit "guest"
        set ssid "Guest"
        set security captive-portal
        set intra-vap-privacy enable
        set local-bridging enable
        set vlanid 900
    next
    edit "kaigi"
        set ssid "Kaigi"
        set security wpa-personal+captive-portal
        set encrypt TKIP-AES
        set passphrase ENC c2VjcmV0
        set broadcast-ssid disable
        set local-bridging enable
        set vlanid 25
    next
    edit "wifi-tun"
        set ssid "Tunnel"
        set security wpa3-enterprise
        set auth usergroup
        set encrypt AES
    next
    edit "odd"
        set ssid "Odd"
        set security osen
    next
end
config wireless-controller wtp-profile
    edit "FAP-office"
        config radio-1
            set vap-all manual
            set vaps "staff" "kaigi"
        end
        config radio-2
            set vap-all tunnel
        end
    next
end
"""


def _networks() -> dict[str, WirelessNetwork]:
    parts, _ = fortinet.interpret_config(CONFIG, salt=SALT)
    assert parts.wireless is not None
    assert "config wireless-controller vap" not in parts.unparsed_config_lines
    return {network.ssid: network for network in parts.wireless}


def test_vap_security_auth_vlan_and_isolation_are_typed() -> None:
    networks = _networks()
    staff = networks["Staff"]
    assert (staff.security, staff.tkip_allowed, staff.auth_server) == (
        "wpa2-enterprise",
        False,
        "radius",
    )
    assert staff.radius_servers == ["nps1"] and staff.vlan == 24 and staff.interface is None
    assert staff.enterprise and staff.client_isolation is False and staff.eap_methods is None
    guest = networks["Guest"]
    assert (guest.security, guest.captive_portal, guest.client_isolation) == ("open", True, True)
    kaigi = networks["Kaigi"]
    assert (kaigi.security, kaigi.tkip_allowed, kaigi.broadcast) == ("wpa-personal", True, False)
    assert kaigi.auth_server is None and kaigi.radius_servers is None
    assert "passphrase" not in kaigi.line and "c2VjcmV0" not in kaigi.line


def test_a_tunnelled_vap_arrives_on_its_own_interface() -> None:
    tunnel = _networks()["Tunnel"]
    assert (tunnel.vlan, tunnel.interface, tunnel.security) == (None, "wifi-tun", "wpa3-enterprise")
    assert (tunnel.auth_server, tunnel.radius_servers) == ("local", [])


def test_unmapped_modes_are_unknown_and_unset_isolation_is_not_known() -> None:
    odd = _networks()["Odd"]
    assert odd.security == "unknown" and odd.client_isolation is None and not odd.enterprise


def test_the_fortiap_profile_decides_which_vaps_are_on_air() -> None:
    networks = _networks()
    # radio-1 lists staff and kaigi; radio-2 offers every tunnelled VAP (no local bridging).
    assert {ssid for ssid, n in networks.items() if n.enabled} == {
        "Staff",
        "Kaigi",
        "Tunnel",
        "Odd",
    }
    assert networks["Guest"].enabled is False


def test_without_a_profile_being_offered_is_unknown_and_without_the_block_wireless_is() -> None:
    no_profile = CONFIG.split("config wireless-controller wtp-profile")[0]
    parts, _ = fortinet.interpret_config(no_profile, salt=SALT)
    assert parts.wireless is not None and {n.enabled for n in parts.wireless} == {None}
    plain, _ = fortinet.interpret_config("config system global\nend\n", salt=SALT)
    assert plain.wireless is None


def test_the_lab_controller_round_trips_through_its_rendered_configuration() -> None:
    scenario = example_city()
    device = scenario.device("wlc-fw1")
    outputs = {k: v for k, v in fortigate.render(device, scenario).items() if isinstance(v, str)}
    parts = fortinet.parse(outputs, salt=SALT)
    assert device.wireless is not None and parts.wireless is not None
    strip = {"line", "source"}
    assert [n.model_dump(exclude=strip) for n in parts.wireless] == [
        n.model_dump(exclude=strip) for n in device.wireless
    ]
    snapshot = parts.to_snapshot("wlc-fw1", NOW)
    assert snapshot.wireless is not None and {n.source for n in snapshot.wireless} == {"ssh"}
