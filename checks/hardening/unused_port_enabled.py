"""HRD-011: an access port unused for N days is not shut down."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    is_access_port,
    not_applicable,
    primary_zone,
    snapshots_in_order,
)

DAY = 86_400


class UnusedPortEnabled(Check):
    """An access port has had no link for ``days`` days but is still administratively up.

    What it checks:
        Every access port that is admin up and oper down. How long it has been down is the
        interface's ``last_change_seconds``: the SNMP normalizer stores there the time since the
        last status change, ``sysUpTime − ifLastChange`` (a port down since boot has been down
        for the whole uptime). Down for at least ``days`` days (default 30) is a finding
        (subject ``port:<name>``). Ports named in ``ignore_ports`` (hot desks) are skipped.
        Without uptime or last-change the check reports not applicable.

    Why is this bad?:
        An enabled empty socket lets anyone plug a laptop, a wireless router or a mobile hotspot
        into the tier behind it. The guideline asks that unused ports be closed
        (使用されていないポートの閉鎖).

    Example:
        A port ``oper down`` whose ``ifLastChange`` is 100 s on a switch up for 40 days (time
        since the change: 39.99 days) yields ``port:GigabitEthernet1/0/20``.

    Remediation:
        Cisco IOS / AlaxalA AX: ``interface Gi1/0/20`` / ``shutdown``. AW+: ``interface
        port1.0.20`` / ``shutdown``. Yamaha (SWX / RTX LAN ports): ``lan shutdown lan1 <port>``.
        FortiGate: ``config system interface`` / ``edit <port>`` / ``set status down``. NEC IX:
        ``interface …`` / ``shutdown``.

    Parameters:
        ``days`` (int, default 30); ``ignore_ports`` (list of ``device:port``, default empty).
    """

    id = "HRD-011"
    slug = "unused-port-enabled"
    severity = Severity.MEDIUM
    title_ja = "未使用ポートが閉鎖されていない"
    title_en = "Unused access port not shut down"
    scope = "device"
    needs = frozenset({"live"})

    class Params(CheckParams):
        days: float = Field(
            30, gt=0, description="Days without link after which a port counts as unused"
        )
        ignore_ports: list[str] = Field(
            default_factory=list, description="device:port entries to skip (hot desks)"
        )

    references = (
        Reference(kind="guideline", key="不正アクセス対策"),
        Reference(kind="plan", key="4-1-6"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        threshold = params.days * DAY
        ignored = set(params.ignore_ports)
        for name, snapshot in snapshots_in_order(context):
            uptime = snapshot.system.uptime_seconds
            for interface in snapshot.interfaces:
                if not is_access_port(interface) or f"{name}:{interface.name}" in ignored:
                    continue
                if interface.admin_up is False or interface.shutdown is True:
                    continue
                if interface.oper_up is not False:
                    continue
                if interface.last_change_seconds is None:
                    yield not_applicable(
                        self,
                        context,
                        device=name,
                        fact=f"port:{interface.name}",
                        zone=primary_zone(context, name),
                        reason_en=f"port {interface.name} is down but the time of its last "
                        "change is unknown",
                        reason_ja=f"ポート {interface.name} はリンクダウンですが最終変化からの"
                        "経過時間が不明です",
                    )
                    continue
                down_for = interface.last_change_seconds
                if down_for < threshold:
                    continue
                days = int(down_for // DAY)
                yield self.finding(
                    context,
                    device=name,
                    subject=f"port:{interface.name}",
                    zone=primary_zone(context, name),
                    message_en=f"{name} port {interface.name} has had no link for {days} days "
                    "but is not shut down.",
                    message_ja=f"{name} のポート {interface.name} は {days} 日間リンクダウンですが"
                    " shutdown されていません。",
                    evidence=[
                        EvidenceRef(
                            source="snmp",
                            detail=f"ifOperStatus/ifLastChange {interface.name}: down for "
                            f"{down_for:.0f}s (sysUpTime {uptime if uptime is not None else '?'})",
                        )
                    ],
                )
