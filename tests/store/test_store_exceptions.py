"""Which policy exception applies to a finding, and until when."""

from __future__ import annotations

from datetime import UTC, date, datetime

from auditor.policy.models import PolicyException, Selector
from auditor.store.lifecycle import exception_active, exception_key, matching_exception


def _exception(**selector: str) -> PolicyException:
    return PolicyException(
        check="HRD-001",
        selector=Selector(**selector),
        reason="r",
        approver="a",
        approval_number="R8-0001",
        expires=date(2026, 3, 31),
    )


def test_an_exception_is_valid_through_its_last_day_in_japan_time() -> None:
    exception = _exception()
    assert exception_active(exception, datetime(2026, 3, 31, 14, 59, tzinfo=UTC))  # 23:59 JST
    assert not exception_active(exception, datetime(2026, 3, 31, 15, 0, tzinfo=UTC))  # 4/1 JST


def test_selectors_are_case_sensitive_globs_on_device_and_subject() -> None:
    exceptions = [_exception(device="edge-*", subject="Gi0/*")]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    match = matching_exception(
        exceptions, check_id="HRD-001", device="edge-rt1", subject="Gi0/3", now=now
    )
    assert match is exceptions[0]
    assert exception_key(match) == "R8-0001"
    for device, subject, check in [
        ("EDGE-rt1", "Gi0/3", "HRD-001"),
        ("edge-rt1", "Te1/1", "HRD-001"),
        ("edge-rt1", "Gi0/3", "HRD-002"),
        (None, "Gi0/3", "HRD-001"),
    ]:
        found = matching_exception(
            exceptions, check_id=check, device=device, subject=subject, now=now
        )
        assert found is None


def test_a_network_wide_finding_matches_a_wildcard_device() -> None:
    match = matching_exception(
        [_exception()],
        check_id="HRD-001",
        device=None,
        subject="mynumber→internet",
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert match is not None
