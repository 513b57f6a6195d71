"""Vendor SNMP quirks and value decoding shared by the SNMP normalizer.

Kept apart from the normalizer so each vendor's oddity is named in one place:
- Cisco IOS without Q-BRIDGE-MIB: VLANs in CISCO-VTP-MIB, access VLAN in
  CISCO-VLAN-MEMBERSHIP-MIB, trunks in vlanTrunkPortTable, and one BRIDGE-MIB instance per VLAN
  (``community@vlan`` / v3 context ``vlan-<id>``) for the MAC table.
- Japanese text in DisplayStrings written by whatever tool the integrator used: UTF-8, Shift_JIS
  (cp932) or EUC-JP.
"""

from __future__ import annotations

import ipaddress

from auditor.model.snmp_walk import RawColumn, RawValue

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


def decode_text(value: RawValue | None) -> tuple[str | None, str | None]:
    """Decode a DisplayString: UTF-8 strict, then cp932, then EUC-JP; return (text, codec).

    cp932 maps the bytes 0xA1-0xDF to half-width katakana, so EUC-JP text also "decodes" as cp932
    into half-width katakana noise. When the cp932 reading has half-width katakana and the bytes
    are valid EUC-JP without them, EUC-JP is the honest reading and wins.
    """
    if value is None:
        return None, None
    if isinstance(value, str):
        return value, "ascii"
    if isinstance(value, int):
        return str(value), "ascii"
    raw = value.rstrip(b"\x00")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return text, ("ascii" if text.isascii() else "utf-8")
    cp932_text: str | None
    try:
        cp932_text = raw.decode("cp932")
    except UnicodeDecodeError:
        cp932_text = None
    try:
        euc_text: str | None = raw.decode("euc_jp")
    except UnicodeDecodeError:
        euc_text = None
    if cp932_text is not None and not (
        euc_text is not None
        and _has_halfwidth_kana(cp932_text)
        and not _has_halfwidth_kana(euc_text)
    ):
        return cp932_text, "cp932"
    if euc_text is not None:
        return euc_text, "euc-jp"
    return raw.decode("utf-8", errors="replace"), "utf-8-replace"


def _has_halfwidth_kana(text: str) -> bool:
    return any("\uff61" <= char <= "\uff9f" for char in text)


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
