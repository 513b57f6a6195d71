"""COL-004: a table walk looped or ran past its row cap and was stopped."""

from __future__ import annotations

from ._base import CollectionErrorCheck


class SnmpWalkRunaway(CollectionErrorCheck):
    """A table walk on a device returned non-increasing OIDs or more rows than the cap.

    What it checks:
        Every GETBULK walk checks that each returned OID is greater than the previous one in its
        column and that a table does not exceed the configured row cap per column (default
        100,000; ``PollOptions.max_rows_per_table``). When either happens the walk of that table
        is stopped and reported with subject ``table:<name>``; the other tables are kept.

    Why is this bad?:
        An agent that loops would keep the auditor busy forever and starve the other devices;
        a table that is truncated would silently hide MAC addresses or ports from the checks.

    Example:
        An agent whose dot1qTpFdbTable answers the same OID twice: ``COL-004`` for
        ``table:dot1qTpFdbTable``, "OID did not increase in dot1qTpFdbTable: … after …".

    Remediation:
        Upgrade the agent's firmware (non-increasing OIDs are agent bugs); for a genuinely huge
        table raise the cap for that run.

    Parameters:
        None in the policy; the cap is a collector option.
    """

    id = "COL-004"
    slug = "snmp-walk-runaway"
    title_ja = "SNMP テーブル取得の打ち切り(ループ・行数上限超過)"
    title_en = "SNMP walk looped or exceeded its row cap"
