"""HRD-015: firmware on the policy's deny list or older than the minimum."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    not_applicable,
    primary_zone,
    snapshots_in_order,
    version_key,
)


class FirmwareVersion(Check):
    """A device runs firmware the policy denies, or older than the platform minimum.

    What it checks:
        ``system.os_version`` of every device against two parameters keyed by inventory platform
        (``cisco_ios``, ``alaxala_ax``, ``allied_telesis_awplus``, ``yamaha_rtx``, ``fortinet``,
        ``nec_ix``, …): ``deny`` lists versions (exact, or a prefix ending in ``*``) and
        ``minimum`` gives the oldest acceptable version, compared number by number
        (``Rev.15.02.30`` → 15.2.30). Subject ``firmware``. Without any parameter the check has
        nothing to compare and says so once; a device whose version is unknown on a platform
        with rules is reported not applicable.

    Why is this bad?:
        Known-vulnerable firmware is the most common way into network equipment (FortiOS
        SSL-VPN, IOS XE web UI). The guideline asks that security information be collected and
        fixes applied (セキュリティ情報の収集); the deny list is where the city records what
        JVN/PSIRT advisories ruled out.

    Example:
        ``rules: {HRD-015: {parameters: {minimum: {allied_telesis_awplus: "5.5.2"}}}}`` and a
        switch reporting ``5.5.1-1.1`` yields ``firmware``.

    Remediation:
        Upgrade to a fixed release from the vendor (Cisco ``install add file … activate
        commit``; AlaxalA ``ppupdate``; AW+ ``boot system``; Yamaha ``revision-up``; FortiGate
        ``execute restore image``; NEC IX ``software-update``) in an approved change window.

    Parameters:
        ``deny`` (mapping platform → list of versions or ``prefix*``, default empty);
        ``minimum`` (mapping platform → version, default empty).
    """

    id = "HRD-015"
    slug = "firmware-version"
    severity = Severity.HIGH
    title_ja = "禁止・最低要件未満のファームウェア"
    title_en = "Firmware on the deny list or older than the minimum"
    scope = "device"

    class Params(CheckParams):
        deny: dict[str, list[str]] = Field(
            default_factory=dict, description="platform → versions (or prefix*) that must not run"
        )
        minimum: dict[str, str] = Field(
            default_factory=dict, description="platform → oldest acceptable version"
        )

    references = (
        Reference(kind="guideline", key="セキュリティ情報の収集"),
        Reference(kind="guideline", key="システム開発、導入、保守等"),
        Reference(kind="plan", key="4-1-6"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        deny = params.deny
        minimum = params.minimum
        if not deny and not minimum:
            yield not_applicable(
                self,
                context,
                device=None,
                fact="firmware-policy",
                reason_en="the policy declares no firmware deny list or minimum version",
                reason_ja="ポリシーにファームウェアの禁止版数・最低版数が定義されていません",
            )
            return
        for name, snapshot in snapshots_in_order(context):
            device = context.inventory.device(name)
            platform = device.platform if device is not None else "generic"
            if platform not in deny and platform not in minimum:
                continue
            version = snapshot.system.os_version
            if not version:
                yield not_applicable(
                    self,
                    context,
                    device=name,
                    fact="system.os_version",
                    zone=primary_zone(context, name),
                    reason_en="the firmware version was not reported",
                    reason_ja="ファームウェア版数が取得できていません",
                )
                continue
            reason_en = reason_ja = ""
            for denied in deny.get(platform, []):
                if (denied.endswith("*") and version.startswith(denied[:-1])) or version == denied:
                    reason_en = f"is on the deny list ({denied})"
                    reason_ja = f"禁止版数 ({denied}) に該当します"
                    break
            floor = minimum.get(platform)
            if not reason_en and floor and version_key(version) < version_key(floor):
                reason_en = f"is older than the minimum {floor}"
                reason_ja = f"最低版数 {floor} より古い版数です"
            if not reason_en:
                continue
            yield self.finding(
                context,
                device=name,
                subject="firmware",
                zone=primary_zone(context, name),
                message_en=f"{name} runs {platform} firmware {version}, which {reason_en}.",
                message_ja=f"{name} のファームウェア {version} ({platform}) は{reason_ja}。",
                evidence=[EvidenceRef(source="snmp", detail=f"system.os_version={version}")],
            )
