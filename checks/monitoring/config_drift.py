"""MON-002: the running configuration drifted from the approved baseline of the device or role."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import primary_zone, snapshots_in_order

_MARKER = re.compile(r"<redacted(?::sha256:[0-9a-f]{12})?>")
_VOLATILE = (
    "!",
    "#",
    "Building configuration",
    "Current configuration",
    "ntp clock-period",
    "end",
)


def normalized_lines(text: str, ignore_prefixes: tuple[str, ...] = _VOLATILE) -> list[str]:
    """Configuration lines without blanks, comments and volatile lines; secrets as ``<redacted>``.

    Indented lines carry their section (``interface Gi0/1 / shutdown``) so the same sub-command
    under two interfaces stays two lines.
    """
    lines: list[str] = []
    section = ""
    for raw in text.splitlines():
        line = _MARKER.sub("<redacted>", raw.rstrip())
        stripped = line.strip()
        if not stripped or stripped.startswith(ignore_prefixes):
            continue
        if line[:1] in {" ", "\t"} and section:
            lines.append(f"{section} / {stripped}")
        else:
            section = stripped
            lines.append(stripped)
    return lines


def baseline_for(
    baselines: Mapping[str, Any], device: str, role: str | None
) -> tuple[str, str] | None:
    """(key, text) of the baseline for a device: its own name first, then ``role:<role>``."""
    for key in (device, f"role:{role}" if role else None):
        if key and isinstance(baselines.get(key), str):
            return key, str(baselines[key])
    return None


class ConfigurationDrift(Check):
    """The running configuration differs from the approved baseline.

    What it checks:
        Devices with a baseline in the policy (``rules.MON-002.parameters.baselines``: a key per
        device name or ``role:<role>`` holding the approved configuration text, secrets written
        as ``<redacted>``) or loaded by the engine into ``history.extra["config_baselines"]``.
        Lines of the baseline missing from the redacted running configuration and lines present
        that the baseline does not have are listed. Comments, blank and volatile lines are
        ignored; a secret matches any secret.

    Why is this bad?:
        A baseline is what the city approved. Missing lines are usually removed protections
        (an ACL, ``transport input ssh``), extra lines unapproved additions (a new VLAN on a
        trunk, ``ip http server``).

    Example:
        The role ``edge`` baseline has ``ip dhcp snooping``; ``lg-edge-sw1`` lacks it: one finding
        listing ``- ip dhcp snooping``.

    Remediation:
        Restore the missing lines or remove the extra ones, or update the approved baseline
        through change control.

    Parameters:
        baselines: mapping of device name or ``role:<role>`` to the approved configuration text.
        compare_extra: also report lines the baseline does not have (default true).
    """

    id = "MON-002"
    slug = "config-drift"
    severity = Severity.MEDIUM
    title_ja = "承認済みベースラインからの設定の逸脱"
    title_en = "Configuration drifted from the approved baseline"
    scope = "device"

    class Params(CheckParams):
        baselines: dict[str, str] = Field(
            default_factory=dict,
            description="Device name or role:<role> → approved configuration text",
        )
        compare_extra: bool = Field(
            True, description="Also report lines the baseline does not have"
        )

    references = (
        Reference(kind="guideline", key="機器構成の変更の制限"),
        Reference(kind="plan", key="4-2-2"),
        Reference(kind="plan", key="4-2-3"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        baselines: dict[str, Any] = dict(context.history.extra.get("config_baselines") or {})
        baselines.update(params.baselines)
        compare_extra = params.compare_extra
        for name, snapshot in snapshots_in_order(context):
            if snapshot.config_redacted is None:
                continue
            device = context.device(name)
            found = baseline_for(baselines, name, device.role if device else None)
            if found is None:
                continue
            key, baseline = found
            expected = normalized_lines(baseline)
            actual = normalized_lines(snapshot.config_redacted)
            actual_set, expected_set = set(actual), set(expected)
            missing = [line for line in expected if line not in actual_set]
            extra = [line for line in actual if line not in expected_set] if compare_extra else []
            if not missing and not extra:
                continue
            detail = "\n".join(
                [*(f"- {line}" for line in missing), *(f"+ {line}" for line in extra)]
            )
            yield self.finding(
                context,
                device=name,
                subject=f"baseline:{key}",
                zone=primary_zone(context, name),
                message_en=f"{name}: the configuration differs from baseline {key} "
                f"({len(missing)} missing, {len(extra)} extra lines)",
                message_ja=f"{name}: 設定がベースライン {key} と異なります"
                f"(不足 {len(missing)} 行、余分 {len(extra)} 行)",
                evidence=[EvidenceRef(source="ssh", detail=detail)],
            )
