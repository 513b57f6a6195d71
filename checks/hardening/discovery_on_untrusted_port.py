"""HRD-013: CDP or LLDP is sent on a port facing an untrusted zone."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import Interface
from auditor.policy.models import Policy
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    is_access_port,
    is_external_address,
    not_applicable,
    primary_zone,
    snapshots_in_order,
)


def faces_untrusted(policy: Policy, interface: Interface, kinds: set[str]) -> bool:
    """Routed port with an external address, or access port in an untrusted zone's VLAN."""
    if interface.addresses:
        return any(is_external_address(policy, a, kinds) for a in interface.addresses)
    if is_access_port(interface) and interface.access_vlan is not None:
        zone = policy.zone_of_vlan(interface.access_vlan)
        return zone is not None and zone.kind.value in kinds
    return False


class DiscoveryOnUntrustedPort(Check):
    """CDP or LLDP advertisements go out of a port that faces an untrusted zone.

    What it checks:
        Ports facing untrusted networks: a routed port whose address lies in a zone of a kind in
        ``untrusted_zone_kinds`` (default internet and public Wi-Fi) or outside every zone (a
        carrier or ISP line), and access ports in a VLAN of such a zone. If ``cdp_enabled`` or
        ``lldp_transmit`` is on, it is a finding (subject ``port:<name>``). When all such ports of a
        device have unknown CDP/LLDP state the device is reported not applicable.

    Why is this bad?:
        CDP/LLDP frames tell anyone on the link the device's model, software version, management
        address and VLANs: exactly what an attacker needs to pick an exploit. They should only be
        sent to the city's own equipment.

    Example:
        A Yamaha RTX ``lan2`` (203.0.113.2/30, the security-cloud line) with ``lldp agent`` on.

    Remediation:
        Cisco IOS: ``interface Gi0/1`` / ``no cdp enable`` / ``no lldp transmit`` (or
        ``no cdp run`` globally). AlaxalA AX: ``no lldp enable`` on the port. AW+:
        ``no lldp transmit`` on the port. Yamaha RTX: ``lldp agent`` off for the LAN port
        (``lan port lldp-agent …``, model dependent). FortiGate: ``set lldp-transmission
        disable`` on the interface.

    Parameters:
        ``untrusted_zone_kinds`` (list, default ``[internet, public_wifi]``).
    """

    id = "HRD-013"
    slug = "discovery-on-untrusted-port"
    severity = Severity.LOW
    title_ja = "非信頼ゾーン向けポートで CDP/LLDP が有効"
    title_en = "CDP or LLDP enabled on a port facing an untrusted zone"
    scope = "device"

    class Params(CheckParams):
        untrusted_zone_kinds: list[str] = Field(
            default_factory=lambda: ["internet", "public_wifi"],
            description="Zone kinds counted as untrusted",
        )

    references = (
        Reference(kind="guideline", key="不正アクセス対策"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 2.1.2 Set 'no cdp run'",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        kinds = set(self.params(context).untrusted_zone_kinds)
        for name, snapshot in snapshots_in_order(context):
            facing = [i for i in snapshot.interfaces if faces_untrusted(context.policy, i, kinds)]
            unknown = [i for i in facing if i.cdp_enabled is None and i.lldp_transmit is None]
            if facing and len(unknown) == len(facing):
                yield not_applicable(
                    self,
                    context,
                    device=name,
                    fact="discovery-protocols",
                    zone=primary_zone(context, name),
                    reason_en="CDP/LLDP state of its untrusted-facing ports "
                    f"({', '.join(i.name for i in facing)}) is unknown",
                    reason_ja="非信頼ゾーン向けポート "
                    f"({', '.join(i.name for i in facing)}) の CDP/LLDP 設定が不明です",
                )
                continue
            for interface in facing:
                protocols = [
                    label
                    for label, on in (
                        ("CDP", interface.cdp_enabled),
                        ("LLDP", interface.lldp_transmit),
                    )
                    if on
                ]
                if not protocols:
                    continue
                listed = "/".join(protocols)
                yield self.finding(
                    context,
                    device=name,
                    subject=f"port:{interface.name}",
                    zone=primary_zone(context, name),
                    message_en=f"{name} sends {listed} on {interface.name}, which faces an "
                    "untrusted network.",
                    message_ja=f"{name} の {interface.name} (非信頼ネットワーク向け) で {listed} "
                    "が送信されています。",
                    evidence=[
                        EvidenceRef(source="ssh", detail=f"interface {interface.name} cdp/lldp")
                    ],
                )
