"""What kind of interface a vendor name (and, over SNMP, an ifType) denotes.

Vendor interface spellings stop here: a switch virtual interface is ``Vlan10`` on IOS,
``VLAN0010`` on AlaxalA, ``vlan10`` on AW+ and Yamaha, ``Vlanif10`` or ``Vlan-interface10``
elsewhere; parsers and the SNMP normalizer store the typed ``Interface.kind`` / ``svi_vlan``
so analysis never matches names.
"""

from __future__ import annotations

import re

from auditor.model.snapshot import Interface, InterfaceKind

_SVI = re.compile(r"^(?:vlan|vl|vlan-interface|vlanif|irb\.|bvi)[\s._-]*(\d{1,4})$", re.I)
_BY_NAME: tuple[tuple[re.Pattern[str], InterfaceKind], ...] = (
    (re.compile(r"^(?:loopback|lo)[\s._-]*\d*$", re.I), "loopback"),
    (re.compile(r"^(?:tunnel|tu|pp|gre|ipsec)[\s._-]*\d+$", re.I), "tunnel"),
    (
        re.compile(r"^(?:port-channel|po|channel-group|sa|ae|bond|lag)[\s._-]*\d+$", re.I),
        "port_channel",
    ),
    (re.compile(r"^(?:mgmt|management|fastethernet0$|me)[\s._/-]*\d*$", re.I), "management"),
    (re.compile(r"^port\d+\.\d+\.\d+$", re.I), "physical"),  # AW+ port1.0.1
    (re.compile(r"^\S*\d\.\d+$"), "subinterface"),
    (
        re.compile(
            r"^(?:gigabitethernet|gi|fastethernet|fa|tengigabitethernet|te|twentyfivegige|"
            r"fortygigabitethernet|hundredgige|ethernet|eth|port|gigaethernet|lan|wan|"
            r"internal|dmz)[\s._/-]*\d[\d/.:]*$",
            re.I,
        ),
        "physical",
    ),
)
# IANA ifType numbers (IANAifType-MIB) that say the kind without looking at the name.
_IF_TYPES: dict[int, InterfaceKind] = {
    6: "physical",  # ethernetCsmacd
    62: "physical",  # fastEther
    117: "physical",  # gigabitEthernet
    24: "loopback",  # softwareLoopback
    131: "tunnel",  # tunnel
    161: "port_channel",  # ieee8023adLag
    136: "svi",  # l3ipvlan
}
_PROP_VIRTUAL = 53  # propVirtual: many vendors' VLAN interfaces, recognised by name


def classify(name: str, if_type: int | None = None) -> tuple[InterfaceKind, int | None]:
    """(kind, SVI VLAN) of an interface; ``other`` when neither name nor ifType tells."""
    svi = _SVI.match(name.strip())
    if svi is not None and (if_type in (None, 136, _PROP_VIRTUAL) or if_type not in _IF_TYPES):
        return "svi", int(svi.group(1))
    if if_type is not None and if_type in _IF_TYPES:
        return _IF_TYPES[if_type], None
    for pattern, kind in _BY_NAME:
        if pattern.match(name.strip()):
            return kind, None
    return "other", None


def with_kind(interface: Interface) -> Interface:
    """The interface with ``kind``/``svi_vlan`` set, unless the parser already set them."""
    if interface.kind is not None:
        return interface
    kind, vlan = classify(interface.name, interface.if_type)
    return interface.model_copy(update={"kind": kind, "svi_vlan": vlan})
