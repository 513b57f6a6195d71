"""HRD-005: local accounts or the enable password are stored in clear text or reversibly."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    device_zone_kinds,
    escalate,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)

WEAK_STORAGE = {"none", "plain", "type0", "type7", "0", "7"}
STORAGE_LABEL = {
    "none": "no password",
    "plain": "clear text",
    "type0": "clear text (type 0)",
    "0": "clear text (type 0)",
    "type7": "reversible type 7",
    "7": "reversible type 7",
}


class WeakPasswordStorage(Check):
    """Local accounts or the enable password are stored in clear text or reversibly.

    What it checks:
        Every local user in ``management.local_users`` whose password storage is ``none``,
        ``plain`` (type 0) or ``type7`` (subject ``user:<name>``), and the enable password when
        stored that way (subject ``enable``). Whether central authentication (AAA: RADIUS/TACACS+)
        is enabled is stated in the message: with AAA the local account is the fallback, without
        it every administrator logs in with that password.

    Why is this bad?:
        Type 7 is an obfuscation any tool reverses in a second; type 0 and ``plain`` are the
        password itself. Configuration backups, support bundles and this auditor's own evidence
        then carry usable administrator credentials. The guideline requires authentication
        information to be protected (認証情報の管理).

    Example:
        ``username admin privilege 15 password 7 0822455D0A16`` yields ``user:admin``.

    Remediation:
        Cisco IOS: ``username admin privilege 15 algorithm-type scrypt secret …``;
        ``enable algorithm-type scrypt secret …``; ``aaa new-model`` with RADIUS/TACACS+.
        AlaxalA AX / AW+: ``username … secret`` / ``password-encryption``. Yamaha RTX:
        ``login user <name> encrypted <pw>``, ``administrator password encrypted``. NEC IX:
        ``username … password hash …`` instead of ``password plain``. FortiGate stores hashes.

    Parameters:
        ``weak_storage`` (list, default none/plain/type0/type7): storage kinds reported.
    """

    id = "HRD-005"
    slug = "weak-password-storage"
    severity = Severity.HIGH
    title_ja = "ローカルアカウントのパスワードが平文・可逆形式で保存"
    title_en = "Local account password stored in clear text or reversibly"
    scope = "device"

    class Params(CheckParams):
        weak_storage: list[str] = Field(
            default_factory=lambda: sorted(WEAK_STORAGE),
            description="Password storage kinds to report",
        )

    references = (
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="guideline", key="ID及びパスワード等の管理", note="title unverified"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.4 Password Rules",
            note="unverified item number",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        weak = {kind.lower() for kind in self.params(context).weak_storage}
        for name, snapshot in snapshots_in_order(context):
            management = snapshot.management
            if management.local_users is None:
                yield unknown_fact(self, context, name, "management.local_users")
                continue
            aaa_en = {True: "AAA is enabled", False: "no AAA", None: "AAA unknown"}[
                management.aaa_enabled
            ]
            aaa_ja = {True: "集中認証(AAA)あり", False: "集中認証(AAA)なし", None: "AAA 不明"}[
                management.aaa_enabled
            ]
            severity = escalate(self.effective_severity(context), device_zone_kinds(context, name))
            for user in management.local_users:
                if user.password_storage.lower() not in weak:
                    continue
                label = STORAGE_LABEL.get(user.password_storage, user.password_storage)
                yield management_finding(
                    self,
                    context,
                    name,
                    snapshot,
                    subject=f"user:{user.name}",
                    fact=f"local_users[{user.name}]",
                    severity=severity,
                    message_en=f"{name}: local user {user.name} has its password stored as "
                    f"{label} ({aaa_en}).",
                    message_ja=f"{name}: ローカルユーザー {user.name} のパスワードが {label} "
                    f"で保存されています ({aaa_ja})。",
                )
            enable = (management.enable_secret_storage or "").lower()
            if enable in weak:
                label = STORAGE_LABEL.get(enable, enable)
                yield management_finding(
                    self,
                    context,
                    name,
                    snapshot,
                    subject="enable",
                    fact="enable_secret_storage",
                    severity=severity,
                    message_en=f"{name}: the enable password is stored as {label} ({aaa_en}).",
                    message_ja=f"{name}: enable パスワードが {label} で保存されています ({aaa_ja})。",
                )
