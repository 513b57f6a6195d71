"""Builders for hardening, monitoring, ledger and Wi-Fi check tests: snapshots, inventory, context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auditor.inventory.models import AssetLedger, Device, Inventory, LedgerRow
from auditor.model.findings import Finding, Outcome
from auditor.model.snapshot import DeviceSnapshot, Interface, ManagementPlane, SystemInfo
from auditor.policy.models import Policy
from auditor.rules import AuditContext, Check, History
from tests import builders

AUDIT_TIME = builders.AUDIT_TIME

EXTRA_ZONES: list[dict[str, Any]] = [
    {
        "id": "management",
        "kind": "management",
        "name_ja": "管理系",
        "name_en": "Management",
        "vlans": [99],
        "subnets": ["10.99.0.0/24"],
    },
    {
        "id": "public-wifi",
        "kind": "public_wifi",
        "name_ja": "公衆無線LAN",
        "name_en": "Public Wi-Fi",
        "vlans": [900],
        "subnets": ["172.16.0.0/20"],
        "ssids": ["00000JAPAN"],
    },
]


def policy(**overrides: Any) -> Policy:
    """The builders' three tiers plus management and public Wi-Fi; My Number needs port auth."""
    base = builders.policy()
    zones = [zone.model_dump(mode="json") for zone in base.zones]
    for zone in zones:
        if zone["id"] == "mynumber":
            zone["requires_port_auth"] = True
    zones += EXTRA_ZONES
    data: dict[str, Any] = {"zones": zones}
    data.update(overrides)
    return Policy.model_validate(data)


def good_management(**overrides: Any) -> ManagementPlane:
    data: dict[str, Any] = {
        "telnet_enabled": False,
        "ssh_enabled": True,
        "ssh_version": 2,
        "http_server": False,
        "https_server": True,
        "snmp_versions": ["v3"],
        "snmp_communities": [],
        "snmp_v3_users": ["kyojin"],
        "aaa_enabled": True,
        "local_users": [{"name": "admin", "privilege": 15, "password_storage": "type9"}],
        "enable_secret_storage": "type9",
        "ntp_servers": ["10.99.0.10"],
        "syslog_hosts": ["10.99.0.10"],
        "banner": "許可された職員以外の利用を禁止します",
        "exec_timeout_seconds": 300,
        "vty_access_class": "MGMT-ONLY",
        "snmp_access_class": "MGMT-ONLY",
        "dhcp_snooping": True,
        "arp_inspection": True,
        "dns_servers": ["10.10.0.53"],
    }
    data.update(overrides)
    return ManagementPlane.model_validate(data)


def snapshot(
    name: str = "sw1",
    *,
    management: ManagementPlane | None = None,
    interfaces: list[dict[str, Any]] | None = None,
    collected_at: datetime = AUDIT_TIME,
    config: str | None = "! running-config",
    **fields: Any,
) -> DeviceSnapshot:
    system = fields.pop("system", None)
    return DeviceSnapshot(
        device=name,
        collected_at=collected_at,
        sources=fields.pop("sources", ["snmp", "ssh"]),
        system=SystemInfo.model_validate(system or {"uptime_seconds": 3_456_000.0}),
        interfaces=[Interface.model_validate(i) for i in interfaces or []],
        management=management if management is not None else good_management(),
        config_redacted=config,
        **fields,
    )


def device(name: str = "sw1", zones: list[str] | None = None, **fields: Any) -> Device:
    data: dict[str, Any] = {
        "name": name,
        "address": "10.99.0.11",
        "platform": "cisco_ios",
        "zones": zones if zones is not None else ["lgwan", "management"],
    }
    data.update(fields)
    return Device.model_validate(data)


def context(
    snapshots: list[DeviceSnapshot] = (),  # type: ignore[assignment]
    *,
    devices: list[Device] | None = None,
    policy_obj: Policy | None = None,
    history: History | None = None,
    ledger_rows: list[LedgerRow] | None = None,
    now: datetime = AUDIT_TIME,
    **extra: Any,
) -> AuditContext:
    if devices is None:
        devices = [device(s.device) for s in snapshots]
    return AuditContext(
        policy=policy_obj or policy(),
        inventory=Inventory(devices=devices),
        now=now,
        snapshots={s.device: s for s in snapshots},
        ledger=AssetLedger(source="ledger.csv", rows=ledger_rows or []),
        history=history or History(),
        **extra,
    )


def run(check: Check, ctx: AuditContext) -> list[Finding]:
    return list(check.evaluate(ctx))


def failures(check: Check, ctx: AuditContext) -> list[Finding]:
    return [f for f in run(check, ctx) if f.outcome is Outcome.FAIL]


def subjects(check: Check, ctx: AuditContext) -> list[str]:
    return [f.subject for f in failures(check, ctx)]


def not_applicable(check: Check, ctx: AuditContext) -> list[Finding]:
    return [f for f in run(check, ctx) if f.outcome is Outcome.NOT_APPLICABLE]
