"""HRD-017: a My Number tier device resolves names through an Internet DNS server."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.policy.models import ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    config_known,
    device_zones,
    management_evidence,
    not_applicable,
    snapshots_in_order,
)


class MynumberInternetDns(Check):
    """A device of the My Number tier uses a DNS server on the Internet side.

    What it checks:
        Devices whose inventory zones include a ``mynumber``-kind zone: each address in
        ``management.dns_servers`` (name servers / DNS forwarders) is judged by the zone whose
        declared networks hold it (``Policy.classify_address``), not by "not ours". A finding
        (subject ``dns:<address>``) when that zone's kind is in ``internet_zone_kinds`` (default
        internet, public Wi-Fi, the security cloud, and unknown external: space the policy does
        not list). Resolvers in the tier, in the LGWAN tier or on the LGWAN WAN (J-LIS provides
        DNS there; zone kind ``lgwan_wan``) pass. Unknown DNS settings are not applicable.

    Why is this bad?:
        DNS queries are a channel out: a resolver on the Internet side means the My Number tier
        has a working path to the Internet (and DNS tunnelling can carry data). The tier's names
        must resolve inside the tier or through the approved LGWAN resolvers only.

    Example:
        ``ip name-server 8.8.8.8`` on the My Number core switch yields ``dns:8.8.8.8``.

    Remediation:
        Point the device to the tier's own resolver: Cisco / AlaxalA ``no ip name-server
        8.8.8.8`` / ``ip name-server 10.10.0.53``; AW+ ``ip name-server``; Yamaha ``dns server
        10.10.0.53`` and ``dns service off`` toward other tiers; NEC IX ``no proxy-dns server``;
        FortiGate ``config system dns``.

    Parameters:
        ``internet_zone_kinds`` (list, default ``[internet, public_wifi]``).
    """

    id = "HRD-017"
    slug = "mynumber-internet-dns"
    severity = Severity.HIGH
    title_ja = "マイナンバー利用事務系機器がインターネット側 DNS を参照"
    title_en = "My Number tier device uses an Internet DNS server"
    scope = "device"

    class Params(CheckParams):
        internet_zone_kinds: list[str] = Field(
            default_factory=lambda: ["internet", "public_wifi", "security_cloud", "external"],
            description="Zone kinds counted as Internet (external: addresses the policy does "
            "not list)",
        )

    references = (
        Reference(kind="guideline", key="情報システム全体の強靭性の向上"),
        Reference(kind="plan", key="4-1-4"),
        Reference(kind="plan", key="4-2-1"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        kinds = set(self.params(context).internet_zone_kinds)
        for name, snapshot in snapshots_in_order(context):
            zones = [z for z in device_zones(context, name) if z.kind is ZoneKind.MYNUMBER]
            if not zones:
                continue
            servers = snapshot.management.dns_servers
            if servers is None and config_known(snapshot):
                servers = []  # read the configuration: no name server configured
            if servers is None:
                yield not_applicable(
                    self,
                    context,
                    device=name,
                    fact="management.dns_servers",
                    zone=zones[0].id,
                    reason_en="its DNS servers were not reported",
                    reason_ja="DNS サーバー設定が収集されていません",
                )
                continue
            for server in servers:
                judged = context.policy.classify_address(server)
                if judged is None or judged.kind.value not in kinds:
                    continue
                zone = judged.zone if judged.listed else None
                where_en = zone.name_en if zone else "outside every declared network"
                where_ja = zone.name_ja if zone else "どの宣言済みネットワークにも属さないアドレス"
                yield self.finding(
                    context,
                    device=name,
                    subject=f"dns:{server}",
                    zone=zones[0].id,
                    message_en=f"{name} ({zones[0].name_en}) uses DNS server {server} "
                    f"({where_en}).",
                    message_ja=f"{name} ({zones[0].name_ja}) が DNS サーバー {server} ({where_ja}) を"
                    "参照しています。",
                    evidence=[management_evidence(snapshot, "dns_servers")],
                )
