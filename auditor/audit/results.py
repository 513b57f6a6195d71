"""Every result of a run, not only its failures: the cells of the control matrix.

An auditor signs off on what was checked and passed, so a run records for each check it was asked
for and each target (a device, or ``network`` for checks that judge the whole network) one of:
pass (evaluated, no failure), fail, not applicable (the check said so, with its reason) or not
evaluated (with the coverage gap: device not collected, check crashed, offline, disabled…).
Nothing here is ever a pass unless the check ran to completion over a collected device.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor.model.collection import INFORMATIONAL_KINDS, CollectionFailure
from auditor.model.findings import Finding, Outcome
from auditor.policy.models import Policy
from auditor.rules import Registry
from auditor.store.records import NETWORK_TARGET, CheckResult, ResultOutcome

PER_DEVICE_SCOPES = frozenset({"device", "history", "collection"})
"""Scopes whose checks judge each device; the others judge the network (or ledger, policy)."""
REASON_LIMIT = 300


@dataclass(frozen=True)
class Gap:
    """Why a whole check was not evaluated in this run (ja/en)."""

    en: str
    ja: str


DISABLED = Gap("disabled in the policy", "ポリシーで無効化されています")
CRASHED = Gap("the check crashed; its result is unknown", "チェックが異常終了しました(結果不明)")
OFFLINE = Gap("offline: no live state", "オフライン: 稼働状態の情報がありません")
NO_TRAFFIC = Gap("no traffic capture in this run", "この実行にはトラフィックの取得がありません")
PARTIAL = Gap(
    "partial run: network-wide checks are not concluded",
    "部分実行のため、ネットワーク全体のチェックは判定していません",
)
NOT_RUN = Gap("not evaluated in this run", "この実行では評価していません")


def selected_checks(
    registry: Registry, scopes: Iterable[str] | None, only_checks: Iterable[str] | None
) -> list[str]:
    """The checks a run was asked for (before policy, offline or capture made it skip some)."""
    wanted_scopes = set(scopes) if scopes is not None else None
    wanted = {c.upper() for c in only_checks} if only_checks is not None else None
    return [
        check.id
        for check in registry
        if (wanted_scopes is None or check.scope in wanted_scopes)
        and (wanted is None or check.id in wanted)
    ]


def _clip(text: str) -> str:
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"


def _cell(check_id: str, target: str, found: Sequence[Finding]) -> CheckResult:
    """Fail over error over not-applicable over pass, from what the check said about ``target``."""
    failed = [f for f in found if f.outcome == Outcome.FAIL]
    if failed:
        subjects = ", ".join(sorted({f.subject for f in failed}))
        return CheckResult(
            check_id,
            target,
            ResultOutcome.FAIL,
            _clip(f"{len(failed)} finding(s): {subjects}"),
            _clip(f"指摘 {len(failed)} 件: {subjects}"),
        )
    errors = [f for f in found if f.outcome == Outcome.ERROR]
    if errors:
        return CheckResult(
            check_id,
            target,
            ResultOutcome.NOT_EVALUATED,
            _clip(errors[0].message_en),
            _clip(errors[0].message_ja),
        )
    skipped = [f for f in found if f.outcome == Outcome.NOT_APPLICABLE]
    if skipped:
        return CheckResult(
            check_id,
            target,
            ResultOutcome.NOT_APPLICABLE,
            _clip(skipped[0].message_en),
            _clip(skipped[0].message_ja),
        )
    return CheckResult(check_id, target, ResultOutcome.PASS)


def run_results(
    registry: Registry,
    policy: Policy,
    *,
    selected: Sequence[str],
    evaluated: set[str],
    crashed: set[str],
    offline_skipped: Iterable[str],
    partial: bool,
    has_traffic: bool,
    devices: Iterable[str],
    covered: set[str],
    failures: Sequence[CollectionFailure],
    findings: Sequence[Finding],
) -> list[CheckResult]:
    """One result per (selected check, target) of one run."""
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        by_cell[(finding.check_id, finding.device or NETWORK_TARGET)].append(finding)
    gaps = _device_gaps(failures)
    device_targets = sorted(set(devices) | covered)
    skipped = set(offline_skipped)
    results: list[CheckResult] = []
    for check_id in selected:
        check = registry.get(check_id)
        if check is None:
            continue
        per_device = check.scope in PER_DEVICE_SCOPES
        targets = set(device_targets) if per_device else {NETWORK_TARGET}
        targets.update(target for (cid, target) in by_cell if cid == check_id)
        gap = _check_gap(
            check_id,
            check.scope,
            policy=policy,
            evaluated=evaluated,
            crashed=crashed,
            skipped=skipped,
            partial=partial,
            has_traffic=has_traffic,
        )
        for target in sorted(targets):
            found = by_cell.get((check_id, target), [])
            if gap is not None:
                results.append(
                    CheckResult(check_id, target, ResultOutcome.NOT_EVALUATED, gap.en, gap.ja)
                )
            elif target != NETWORK_TARGET and target not in covered and not found:
                reason = gaps.get(target, Gap("device not collected", "機器を収集できていません"))
                results.append(
                    CheckResult(check_id, target, ResultOutcome.NOT_EVALUATED, reason.en, reason.ja)
                )
            else:
                results.append(_cell(check_id, target, found))
    return results


def _check_gap(
    check_id: str,
    scope: str,
    *,
    policy: Policy,
    evaluated: set[str],
    crashed: set[str],
    skipped: set[str],
    partial: bool,
    has_traffic: bool,
) -> Gap | None:
    if check_id in evaluated:
        return None
    if not policy.rule(check_id).enabled:
        return DISABLED
    if check_id in crashed:
        return CRASHED
    if check_id in skipped:
        return OFFLINE
    if scope == "traffic" and not has_traffic:
        return NO_TRAFFIC
    if partial and scope == "network":
        return PARTIAL
    return NOT_RUN


def _device_gaps(failures: Sequence[CollectionFailure]) -> Mapping[str, Gap]:
    """Per device, the first collection failure that kept it out of the run."""
    gaps: dict[str, Gap] = {}
    for failure in failures:
        if failure.kind in INFORMATIONAL_KINDS or failure.device in gaps:
            continue
        gaps[failure.device] = Gap(
            f"device not collected ({failure.kind.value}: {failure.subject})",
            f"機器を収集できていません ({failure.kind.value}: {failure.subject})",
        )
    return gaps
