"""HRD-019: administrators log in without central authentication (no RADIUS/TACACS+)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    device_zone_kinds,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)


class NoCentralAaa(Check):
    """Administrator logins are checked only against local accounts on the device.

    What it checks:
        ``management.aaa_enabled`` of every device: ``False`` (no login authentication through a
        RADIUS or TACACS+ server group) is a finding (subject ``aaa``); ``None`` (the collector
        could not tell, e.g. an SNMP-only device) is reported not applicable. ``aaa new-model``
        with only ``local`` login methods is not central authentication. With ``zone_kinds``
        set, only devices serving a zone of one of those kinds are judged.

    Why is this bad?:
        With local accounts only, every switch and router keeps its own copy of the
        administrator passwords: they are shared, rarely changed, not removed when staff leave,
        and logins are not recorded in one place. Central authentication gives individual
        administrator IDs, one place to lock an account and an audit trail of who logged in
        where. The guideline asks for control of privileged IDs (特権ID管理); central AAA is
        the recommended way, so this is a low-severity recommendation, not a violation.

    Example:
        A Cisco switch with ``username admin privilege 15 secret 9 …`` and no ``aaa
        authentication login … group …`` line yields ``aaa``.

    Remediation:
        Cisco IOS: ``aaa new-model`` / ``aaa authentication login default group tacacs+ local``
        (or ``group radius``) with ``tacacs server …`` / ``radius server …``; keep ``local`` as
        the fallback. AW+ / AlaxalA AX: ``aaa authentication login default group radius local``
        with ``radius-server host …`` (syntax per model). Yamaha RTX: ``radius use on``,
        ``radius server …``. FortiGate: ``config user radius`` (or ``tacacs+``) and remote
        administrators (``set remote-auth enable``). NEC IX: RADIUS login per the command
        reference of the firmware. Where a small site has no AAA server, record an exception.

    Parameters:
        ``zone_kinds`` (list, default ``[]`` = every device): judge only devices serving a zone
        of these kinds (for example ``[mynumber, lgwan]``).
    """

    id = "HRD-019"
    slug = "no-central-aaa"
    severity = Severity.LOW
    title_ja = "管理者認証が集中認証 (RADIUS/TACACS+) でない"
    title_en = "No central authentication (RADIUS/TACACS+) for administrators"
    scope = "device"

    class Params(CheckParams):
        zone_kinds: list[str] = Field(
            default_factory=list,
            description="Judge only devices serving a zone of these kinds (empty: all)",
        )

    references = (
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.1.1 Enable 'aaa new-model', "
            "1.1.2 Enable 'aaa authentication login'",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        kinds = set(self.params(context).zone_kinds)
        for name, snapshot in snapshots_in_order(context):
            if kinds and not kinds & device_zone_kinds(context, name):
                continue
            aaa = snapshot.management.aaa_enabled
            if aaa is None:
                yield unknown_fact(self, context, name, "management.aaa_enabled")
                continue
            if aaa:
                continue
            yield management_finding(
                self,
                context,
                name,
                snapshot,
                subject="aaa",
                fact="aaa_enabled",
                message_en=f"{name} authenticates administrators with local accounts only "
                "(no RADIUS/TACACS+).",
                message_ja=f"{name} の管理者認証がローカルアカウントのみです "
                "(RADIUS/TACACS+ による集中認証なし)。",
            )
