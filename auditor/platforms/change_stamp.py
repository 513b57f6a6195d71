"""The device's own record of its last configuration change, read from the configuration header.

Only headers a source documents are read (vendor-formats.md §1.3, §2.3 and the IOS header):

- Cisco IOS: ``! Last configuration change at 10:15:32 JST Tue Nov 24 2026 by admin``
- NEC IX 10.11: ``! Last updated Mar 28-Sat-2026 08:41:58 JST`` (no user)
- ALAXALA AX: ``#Last modified by admin at Thu Jan 20 23:22:16 2000 with version 11.14.S``;
  the time carries no zone, so only the user is kept: a time in an unknown zone would put the
  change hours away from when it happened.

A time whose zone abbreviation is not known gives ``None`` rather than a guess.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ZONE_OFFSETS = {"UTC": 0, "GMT": 0, "JST": 9}
_IOS = re.compile(
    r"^! ?Last configuration change at (\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)? (\S+) \w{3} (\w{3}) "
    r"+(\d{1,2}) (\d{4})(?: by (\S+))?",
    re.IGNORECASE | re.MULTILINE,
)
_NEC_IX = re.compile(
    r"^! ?Last updated (\w{3}) (\d{1,2})-\w{3}-(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (\S+)",
    re.IGNORECASE | re.MULTILINE,
)
_AX = re.compile(r"^#Last modified by (\S+) at ", re.IGNORECASE | re.MULTILINE)


def change_stamp(text: str) -> tuple[datetime | None, str | None]:
    """(when, by whom) of the last change as the header states them; each ``None`` if unknown."""
    if match := _IOS.search(text):
        hour, minute, second, zone, month, day, year, user = match.groups()
        return _utc(year, month, day, hour, minute, second, zone), user
    if match := _NEC_IX.search(text):
        month, day, year, hour, minute, second, zone = match.groups()
        return _utc(year, month, day, hour, minute, second, zone), None
    if match := _AX.search(text):
        return None, match.group(1)
    return None, None


def _utc(
    year: str, month: str, day: str, hour: str, minute: str, second: str, zone: str
) -> datetime | None:
    offset = ZONE_OFFSETS.get(zone.upper())
    if offset is None or month.lower() not in MONTHS:
        return None
    try:
        local = datetime(
            int(year),
            MONTHS.index(month.lower()) + 1,
            int(day),
            int(hour),
            int(minute),
            int(second),
        )
    except ValueError:
        return None
    return (local - timedelta(hours=offset)).replace(tzinfo=UTC)
