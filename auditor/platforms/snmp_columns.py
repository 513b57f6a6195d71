"""Which SNMP columns the auditor walks (MIB knowledge shared by the collector and normalizer).

Only the columns the normalizer reads are walked: a whole-table or subtree walk of IF-MIB or
Q-BRIDGE-MIB returns counters and timestamps nobody reads and multiplies the polling cost.
"""

from __future__ import annotations

# SNMPv2-MIB system group scalars (fetched with one GET, stored as column → [((0,), value)]).
SYS_DESCR = "1.3.6.1.2.1.1.1"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2"
SYS_UPTIME = "1.3.6.1.2.1.1.3"
SYS_CONTACT = "1.3.6.1.2.1.1.4"
SYS_NAME = "1.3.6.1.2.1.1.5"
SYS_LOCATION = "1.3.6.1.2.1.1.6"
IF_NUMBER = "1.3.6.1.2.1.2.1"
SYSTEM_SCALARS = (
    SYS_DESCR,
    SYS_OBJECT_ID,
    SYS_UPTIME,
    SYS_CONTACT,
    SYS_NAME,
    SYS_LOCATION,
    IF_NUMBER,
)
"""Fetched with one GET; ifNumber sizes the GETBULKs of ifTable/ifXTable."""

# HOST-RESOURCES-MIB hrSystemDate (DateAndTime): the device clock, for the skew against the
# collector (MON-009). Fetched in a GET of its own: an SNMPv1 agent without HOST-RESOURCES-MIB
# answers noSuchName for the whole request, which must not cost the system group.
HR_SYSTEM_DATE = "1.3.6.1.2.1.25.1.2"
OPTIONAL_SCALARS = (HR_SYSTEM_DATE,)

# IF-MIB ifTable
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_TYPE = "1.3.6.1.2.1.2.2.1.3"
IF_SPEED = "1.3.6.1.2.1.2.2.1.5"
IF_PHYS_ADDRESS = "1.3.6.1.2.1.2.2.1.6"
IF_ADMIN_STATUS = "1.3.6.1.2.1.2.2.1.7"
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"
IF_LAST_CHANGE = "1.3.6.1.2.1.2.2.1.9"
# IF-MIB ifXTable
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"
IF_ALIAS = "1.3.6.1.2.1.31.1.1.1.18"

# BRIDGE-MIB
DOT1D_BASE_PORT_IFINDEX = "1.3.6.1.2.1.17.1.4.1.2"
DOT1D_TP_FDB_PORT = "1.3.6.1.2.1.17.4.3.1.2"

# Q-BRIDGE-MIB
DOT1Q_TP_FDB_PORT = "1.3.6.1.2.1.17.7.1.2.2.1.2"
DOT1Q_VLAN_FDB_ID = "1.3.6.1.2.1.17.7.1.4.2.1.3"
DOT1Q_VLAN_CURRENT_EGRESS = "1.3.6.1.2.1.17.7.1.4.2.1.4"
DOT1Q_VLAN_CURRENT_UNTAGGED = "1.3.6.1.2.1.17.7.1.4.2.1.5"
DOT1Q_VLAN_STATIC_NAME = "1.3.6.1.2.1.17.7.1.4.3.1.1"
DOT1Q_VLAN_STATIC_EGRESS = "1.3.6.1.2.1.17.7.1.4.3.1.2"
DOT1Q_VLAN_STATIC_UNTAGGED = "1.3.6.1.2.1.17.7.1.4.3.1.4"
DOT1Q_PVID = "1.3.6.1.2.1.17.7.1.4.5.1.1"

# LLDP-MIB
LLDP_LOC_PORT_ID = "1.0.8802.1.1.2.1.3.7.1.3"
LLDP_LOC_PORT_DESC = "1.0.8802.1.1.2.1.3.7.1.4"
LLDP_REM_CHASSIS_ID_SUBTYPE = "1.0.8802.1.1.2.1.4.1.1.4"
LLDP_REM_CHASSIS_ID = "1.0.8802.1.1.2.1.4.1.1.5"
LLDP_REM_PORT_ID_SUBTYPE = "1.0.8802.1.1.2.1.4.1.1.6"
LLDP_REM_PORT_ID = "1.0.8802.1.1.2.1.4.1.1.7"
LLDP_REM_PORT_DESC = "1.0.8802.1.1.2.1.4.1.1.8"
LLDP_REM_SYS_NAME = "1.0.8802.1.1.2.1.4.1.1.9"
LLDP_REM_MAN_ADDR_IF_SUBTYPE = "1.0.8802.1.1.2.1.4.2.1.3"

# CISCO-CDP-MIB cdpCacheTable (index cdpCacheIfIndex.cdpCacheDeviceIndex)
CDP_CACHE_ADDRESS_TYPE = "1.3.6.1.4.1.9.9.23.1.2.1.1.3"
CDP_CACHE_ADDRESS = "1.3.6.1.4.1.9.9.23.1.2.1.1.4"
CDP_CACHE_DEVICE_ID = "1.3.6.1.4.1.9.9.23.1.2.1.1.6"
CDP_CACHE_DEVICE_PORT = "1.3.6.1.4.1.9.9.23.1.2.1.1.7"
CDP_CACHE_PLATFORM = "1.3.6.1.4.1.9.9.23.1.2.1.1.8"

# ENTITY-MIB
ENT_PHYSICAL_CLASS = "1.3.6.1.2.1.47.1.1.1.1.5"
ENT_PHYSICAL_SOFTWARE_REV = "1.3.6.1.2.1.47.1.1.1.1.10"
ENT_PHYSICAL_SERIAL = "1.3.6.1.2.1.47.1.1.1.1.11"
ENT_PHYSICAL_MODEL = "1.3.6.1.2.1.47.1.1.1.1.13"

# IP-MIB
IP_NET_TO_PHYSICAL_PHYS = "1.3.6.1.2.1.4.35.1.4"
IP_NET_TO_MEDIA_PHYS = "1.3.6.1.2.1.4.22.1.2"
IP_AD_ENT_IFINDEX = "1.3.6.1.2.1.4.20.1.2"
IP_AD_ENT_NETMASK = "1.3.6.1.2.1.4.20.1.3"

# Cisco private MIBs (walked only for Cisco devices without Q-BRIDGE-MIB)
CISCO_VTP_VLAN_STATE = "1.3.6.1.4.1.9.9.46.1.3.1.1.2"
CISCO_VTP_VLAN_NAME = "1.3.6.1.4.1.9.9.46.1.3.1.1.4"
CISCO_VM_VLAN = "1.3.6.1.4.1.9.9.68.1.2.2.1.2"
CISCO_TRUNK_VLANS_ENABLED = "1.3.6.1.4.1.9.9.46.1.6.1.1.4"
CISCO_TRUNK_NATIVE_VLAN = "1.3.6.1.4.1.9.9.46.1.6.1.1.5"
CISCO_TRUNK_VLANS_ENABLED_2K = "1.3.6.1.4.1.9.9.46.1.6.1.1.17"
CISCO_TRUNK_VLANS_ENABLED_3K = "1.3.6.1.4.1.9.9.46.1.6.1.1.18"
CISCO_TRUNK_VLANS_ENABLED_4K = "1.3.6.1.4.1.9.9.46.1.6.1.1.19"
CISCO_TRUNK_DYNAMIC_STATUS = "1.3.6.1.4.1.9.9.46.1.6.1.1.14"

TABLES: dict[str, tuple[str, ...]] = {
    "ifTable": (
        IF_DESCR,
        IF_TYPE,
        IF_SPEED,
        IF_PHYS_ADDRESS,
        IF_ADMIN_STATUS,
        IF_OPER_STATUS,
        IF_LAST_CHANGE,
    ),
    "ifXTable": (IF_NAME, IF_HIGH_SPEED, IF_ALIAS),
    "dot1dBasePortTable": (DOT1D_BASE_PORT_IFINDEX,),
    "dot1dTpFdbTable": (DOT1D_TP_FDB_PORT,),
    "dot1qVlanStaticTable": (
        DOT1Q_VLAN_STATIC_NAME,
        DOT1Q_VLAN_STATIC_EGRESS,
        DOT1Q_VLAN_STATIC_UNTAGGED,
    ),
    "dot1qVlanCurrentTable": (
        DOT1Q_VLAN_FDB_ID,
        DOT1Q_VLAN_CURRENT_EGRESS,
        DOT1Q_VLAN_CURRENT_UNTAGGED,
    ),
    "dot1qPortVlanTable": (DOT1Q_PVID,),
    "dot1qTpFdbTable": (DOT1Q_TP_FDB_PORT,),
    "lldpLocPortTable": (LLDP_LOC_PORT_ID, LLDP_LOC_PORT_DESC),
    "lldpRemTable": (
        LLDP_REM_CHASSIS_ID_SUBTYPE,
        LLDP_REM_CHASSIS_ID,
        LLDP_REM_PORT_ID_SUBTYPE,
        LLDP_REM_PORT_ID,
        LLDP_REM_PORT_DESC,
        LLDP_REM_SYS_NAME,
    ),
    "lldpRemManAddrTable": (LLDP_REM_MAN_ADDR_IF_SUBTYPE,),
    # Walked on every device, not only on Cisco's sysObjectID: Cisco shops run CDP instead of
    # LLDP, other agents (NX-OS, some resellers' firmware) implement the table too, and an
    # absent table costs one object in the opening GETBULK.
    "cdpCacheTable": (
        CDP_CACHE_ADDRESS_TYPE,
        CDP_CACHE_ADDRESS,
        CDP_CACHE_DEVICE_ID,
        CDP_CACHE_DEVICE_PORT,
        CDP_CACHE_PLATFORM,
    ),
    "entPhysicalTable": (
        ENT_PHYSICAL_CLASS,
        ENT_PHYSICAL_SOFTWARE_REV,
        ENT_PHYSICAL_SERIAL,
        ENT_PHYSICAL_MODEL,
    ),
    "ipNetToPhysicalTable": (IP_NET_TO_PHYSICAL_PHYS,),
    "ipNetToMediaTable": (IP_NET_TO_MEDIA_PHYS,),
    "ipAddrTable": (IP_AD_ENT_IFINDEX, IP_AD_ENT_NETMASK),
}
"""Standard tables walked on every device, by MIB table name (the name used in absent_tables)."""

CISCO_TABLES: dict[str, tuple[str, ...]] = {
    "vtpVlanTable": (CISCO_VTP_VLAN_STATE, CISCO_VTP_VLAN_NAME),
    "vmMembershipTable": (CISCO_VM_VLAN,),
    "vlanTrunkPortTable": (
        CISCO_TRUNK_VLANS_ENABLED,
        CISCO_TRUNK_NATIVE_VLAN,
        CISCO_TRUNK_DYNAMIC_STATUS,
        CISCO_TRUNK_VLANS_ENABLED_2K,
        CISCO_TRUNK_VLANS_ENABLED_3K,
        CISCO_TRUNK_VLANS_ENABLED_4K,
    ),
}
"""Cisco tables that stand in for Q-BRIDGE-MIB on IOS switches that do not implement it."""

PER_VLAN_COLUMNS = (DOT1D_BASE_PORT_IFINDEX, DOT1D_TP_FDB_PORT)
"""Walked once per VLAN through ``community@vlan`` / context ``vlan-<id>`` (Cisco)."""


def all_columns() -> tuple[str, ...]:
    """Every standard column, in walk order (used by the benchmark's net-snmp reference)."""
    return tuple(column for columns in TABLES.values() for column in columns)
