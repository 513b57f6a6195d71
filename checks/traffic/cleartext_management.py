"""TRF-005: cleartext management protocols to a device's management address."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import REFERENCES, evidence, when

LABELS = {
    "telnet": "Telnet (tcp/23)",
    "http": "HTTP (tcp/80)",
    "tftp": "TFTP (udp/69)",
    "snmpv1": "SNMPv1 (udp/161)",
    "snmpv2c": "SNMPv2c (udp/161)",
}


class CleartextManagementTraffic(Check):
    """Telnet, SNMPv1/v2c, HTTP or TFTP traffic reached a device's management address.

    What it checks:
        Client-to-server packets to the management address of an inventory device on telnet
        (tcp/23), HTTP (tcp/80), TFTP (udp/69) and SNMP (udp/161, where the message's version
        field is decoded: v1 and v2c are cleartext, v3 is not reported). One finding per
        device, protocol and client, with first/last packet time and count.

    Why is this bad?:
        These protocols carry passwords, communities and configurations in clear text; HRD-002
        and HRD-004 show they are enabled, this check shows they are actually used, and by whom.

    Example:
        ``10.99.0.10 → 10.20.0.1 udp/161`` with an SNMP version byte of 1 to the management
        address of ``lgwan-core``: ``cleartext:lgwan-core:snmpv2c:10.99.0.10``.

    Remediation:
        Move the client to SSH / SNMPv3 authPriv / HTTPS / SCP, then disable the cleartext
        service on the device (Cisco IOS: ``transport input ssh``, ``no snmp-server community``,
        ``no ip http server``).

    Parameters:
        ``protocols`` (list, default all five): which of telnet, http, tftp, snmpv1, snmpv2c
        are reported.
    """

    id = "TRF-005"
    slug = "traffic-cleartext-management"
    severity = Severity.HIGH
    title_ja = "機器管理アドレスへの平文管理通信(Telnet・SNMPv1/v2c・HTTP・TFTP)"
    title_en = "Cleartext management traffic to a device management address"
    scope = "traffic"

    class Params(CheckParams):
        protocols: list[str] = Field(
            default_factory=lambda: list(LABELS), description="Protocols reported"
        )

    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        wanted = set(self.params(context).protocols)
        devices = {
            device.address.split("/")[0]: device.name for device in context.inventory.devices
        }
        for sighting in summary.cleartext:
            device = devices.get(sighting.server)
            if device is None or sighting.protocol not in wanted:
                continue
            label = LABELS.get(sighting.protocol, sighting.protocol)
            span_en, span_ja = when(sighting.first_seen, sighting.last_seen, sighting.packets)
            # No ``device=``: a traffic run collects no device, and only network-wide findings
            # can be resolved by the next traffic run that no longer sees them.
            subject = f"cleartext:{device}:{sighting.protocol}:{sighting.client}"
            yield self.finding(
                context,
                subject=subject,
                message_en=(
                    f"{label} from {sighting.client} to the management address {sighting.server} "
                    f"of {device}: {span_en}."
                ),
                message_ja=(
                    f"{sighting.client} から {device} の管理アドレス {sighting.server} への "
                    f"{label} 通信を観測しました: {span_ja}。"
                ),
                evidence=evidence(summary, f"{subject}->{sighting.server}"),
            )
