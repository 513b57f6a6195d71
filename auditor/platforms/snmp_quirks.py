"""Vendor SNMP quirks and value decoding shared by the SNMP normalizer.

Kept apart from the normalizer so each vendor's oddity is named in one place:
- Cisco IOS without Q-BRIDGE-MIB: VLANs in CISCO-VTP-MIB, access VLAN in
  CISCO-VLAN-MEMBERSHIP-MIB, trunks in vlanTrunkPortTable, and one BRIDGE-MIB instance per VLAN
  (``community@vlan`` / v3 context ``vlan-<id>``) for the MAC table.
- Japanese text in DisplayStrings written by whatever tool the integrator used: UTF-8, Shift_JIS
  (cp932) or EUC-JP; anything else (a GBK ``sysLocation`` on a Chinese-made switch) is a marked
  guess (:mod:`auditor.platforms.text_decode`).
"""

from __future__ import annotations

import ipaddress

from auditor.model.snmp_walk import RawColumn, RawValue
from auditor.platforms.text_decode import DecodedText, decode_unlabelled

CISCO_RESERVED_VLANS = frozenset({1002, 1003, 1004, 1005})
VTP_OPERATIONAL = 1


def per_vlan_fdb_vlans(vtp_state: RawColumn) -> list[int]:
    """Operational VTP VLANs (index managementDomain.vlan) whose bridge instance to walk."""
    vlans = {
        index[-1]
        for index, state in vtp_state
        if index and state == VTP_OPERATIONAL and index[-1] not in CISCO_RESERVED_VLANS
    }
    return sorted(vlans)


def decode_display_string(value: RawValue | None) -> DecodedText | None:
    """A DisplayString as text (see :func:`~auditor.platforms.text_decode.decode_unlabelled`)."""
    if value is None:
        return None
    if isinstance(value, str):
        return DecodedText(value, "ascii")
    if isinstance(value, int):
        return DecodedText(str(value), "ascii")
    return decode_unlabelled(value)


def decode_text(value: RawValue | None) -> tuple[str | None, str | None]:
    """Decode a DisplayString: UTF-8 strict, then plausible cp932, then plausible EUC-JP, then a
    detector's guess; return (text, codec)."""
    decoded = decode_display_string(value)
    if decoded is None:
        return None, None
    return decoded.text, decoded.encoding


def text(value: RawValue | None) -> str | None:
    return decode_text(value)[0]


def format_mac(value: RawValue | None) -> str | None:
    """Six raw octets (or a 6-int index) → ``aa:bb:cc:dd:ee:ff``; anything else → None."""
    if isinstance(value, bytes) and len(value) == 6:
        return ":".join(f"{octet:02x}" for octet in value)
    return None


def mac_from_index(index: tuple[int, ...]) -> str | None:
    if len(index) != 6 or any(not 0 <= part <= 255 for part in index):
        return None
    return ":".join(f"{part:02x}" for part in index)


def inet_address(address_type: int, octets: tuple[int, ...] | bytes) -> str | None:
    """InetAddressType (1 ipv4, 2 ipv6, 3/4 with zone) + octets → text, or None."""
    raw = bytes(octets)
    try:
        if address_type in (1, 3) and len(raw) >= 4:
            return str(ipaddress.IPv4Address(raw[:4]))
        if address_type in (2, 4) and len(raw) >= 16:
            return str(ipaddress.IPv6Address(raw[:16]))
    except ValueError:
        return None
    return None


def port_list_members(bitmap: RawValue | None) -> set[int]:
    """PortList octets → bridge port numbers (octet 0, MSB = port 1)."""
    if not isinstance(bitmap, bytes):
        return set()
    members: set[int] = set()
    for octet_index, octet in enumerate(bitmap):
        if not octet:
            continue
        for bit in range(8):
            if octet & (0x80 >> bit):
                members.add(octet_index * 8 + bit + 1)
    return members


def cisco_trunk_vlans(bitmaps: list[RawValue | None]) -> list[int]:
    """vlanTrunkPortVlansEnabled (+2k/3k/4k): each a 128-octet bitmap of 1024 VLANs, MSB first."""
    vlans: list[int] = []
    for block, bitmap in enumerate(bitmaps):
        if not isinstance(bitmap, bytes):
            continue
        for member in sorted(port_list_members(bitmap)):
            vlan = block * 1024 + member - 1
            if 1 <= vlan <= 4094:
                vlans.append(vlan)
    return vlans
