"""Network vendors by IANA Private Enterprise Number (the ``1.3.6.1.4.1.<PEN>`` of sysObjectID).

Only numbers we are sure of are listed (checked against the IANA enterprise-numbers registry as
we know it); a device whose PEN is missing keeps ``vendor = None`` ("unknown"), which is better
than a wrong name. The names are the ones reports show; existing spellings (``YAMAHA``,
``ALAXALA``, ``HPE``) are kept so stored snapshots compare equal.
"""

from __future__ import annotations

ENTERPRISE_PREFIX = "1.3.6.1.4.1."

VENDORS_BY_PEN: dict[int, str] = {
    9: "Cisco",
    11: "HPE",  # Hewlett-Packard (ProCurve, Comware-on-HP keeps 25506)
    43: "3Com",
    116: "Hitachi",
    119: "NEC",
    171: "D-Link",
    207: "Allied Telesis",
    211: "Fujitsu",
    259: "Edgecore",  # Accton Technology, Edgecore's parent
    674: "Dell",
    1182: "YAMAHA",
    1916: "Extreme Networks",
    1991: "Brocade",  # Foundry Networks (Brocade/Ruckus ICX)
    2011: "Huawei",
    2620: "Check Point",
    2636: "Juniper",
    3375: "F5",
    3902: "ZTE",
    4526: "NETGEAR",
    4881: "Ruijie",
    5227: "BUFFALO",
    8072: "net-snmp",
    8741: "SonicWall",
    12356: "Fortinet",
    14823: "Aruba",
    14988: "MikroTik",
    21839: "ALAXALA",
    25461: "Palo Alto Networks",
    25506: "H3C",
    30065: "Arista",
    41112: "Ubiquiti",
}


def enterprise_number(object_id: str | None) -> int | None:
    """The PEN of a sysObjectID such as ``1.3.6.1.4.1.25506.1.2``, else ``None``."""
    if not object_id or not object_id.startswith(ENTERPRISE_PREFIX):
        return None
    head = object_id[len(ENTERPRISE_PREFIX) :].split(".", 1)[0]
    return int(head) if head.isdigit() else None


def vendor_for_object_id(object_id: str | None) -> str | None:
    """The vendor named by a sysObjectID's enterprise number, or ``None`` when not listed."""
    pen = enterprise_number(object_id)
    return VENDORS_BY_PEN.get(pen) if pen is not None else None
