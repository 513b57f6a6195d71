"""TRF-003: a host seen in traffic that neither the ledger nor any switch knows."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Outcome, Severity
from auditor.model.snapshot import mac_or_none
from auditor.rules import AuditContext, Check, CheckParams

from ._common import REFERENCES, evidence, when


class UnknownHost(Check):
    """A MAC address sends traffic but is in neither the asset ledger nor any switch's FDB.

    What it checks:
        Every unicast source MAC of the capture against the MACs of the asset ledger
        (情報資産管理台帳) and the FDB and ARP tables of the run's snapshots. A MAC known to none
        of them is one finding with its IP addresses, VLANs, first/last packet time and count.
        Without any ledger MAC and any FDB entry nothing can be compared, which is reported once
        as not applicable instead of as a pass.

    Why is this bad?:
        An unregistered device that talks on the network is either an asset nobody manages (no
        patching, no owner) or an intruder's device. The guideline's monitoring clause asks that
        such devices be noticed.

    Example:
        ``02:00:5e:10:00:99`` with ``10.20.9.9`` sends 40 packets and is in no ledger row and no
        FDB: ``host:02:00:5e:10:00:99``.

    Remediation:
        Identify the port (``show mac address-table address <mac>``), register the device in the
        asset ledger or remove it, and consider port authentication (802.1X) on access ports.

    Parameters:
        ``ignore_macs`` (list, default []): MACs known to be harmless (e.g. a capture appliance).
    """

    id = "TRF-003"
    slug = "traffic-unknown-host"
    severity = Severity.MEDIUM
    title_ja = "台帳にもスイッチにも記録のない端末の通信"
    title_en = "Host in traffic unknown to the ledger and the FDB"
    scope = "traffic"

    class Params(CheckParams):
        ignore_macs: list[str] = Field(default_factory=list, description="MACs never reported")

    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        known: set[str] = set()
        for row in context.ledger.rows:
            mac = mac_or_none(row.mac)
            if mac:
                known.add(mac)
        for snapshot in context.snapshots.values():
            known.update(m for m in (mac_or_none(e.mac) for e in snapshot.fdb) if m)
            known.update(m for m in (mac_or_none(e.mac) for e in snapshot.arp) if m)
            # The devices' own interface MACs (a router's) are infrastructure, not unknown hosts.
            known.update(m for m in (mac_or_none(i.mac) for i in snapshot.interfaces) if m)
        if not known:
            yield self.finding(
                context,
                subject="hosts",
                outcome=Outcome.NOT_APPLICABLE,
                severity=Severity.INFO,
                message_en="No ledger MAC and no FDB entry to compare the traffic's hosts with.",
                message_ja="通信中の端末と照合する台帳の MAC アドレスも FDB もありません。",
            )
            return
        ignored = {m for m in (mac_or_none(v) for v in self.params(context).ignore_macs) if m}
        for host in summary.hosts:
            mac = mac_or_none(host.mac)
            if mac is None or mac in known or mac in ignored:
                continue
            span_en, span_ja = when(host.first_seen, host.last_seen, host.packets)
            addresses = ", ".join(host.ips) or "no IP"
            vlans = ", ".join(str(v) for v in host.vlans) or "-"
            yield self.finding(
                context,
                subject=f"host:{mac}",
                message_en=(
                    f"Host {mac} ({addresses}, VLAN {vlans}) is in neither the asset ledger nor "
                    f"any FDB: {span_en}."
                ),
                message_ja=(
                    f"端末 {mac} ({addresses}、VLAN {vlans}) は資産台帳にも FDB にもありません: "
                    f"{span_ja}。"
                ),
                evidence=evidence(summary, f"hosts[{mac}]"),
            )
