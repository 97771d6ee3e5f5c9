"""The ten subscription period types and the calendar arithmetic of their schedules (docs/behaviour/subscription.md,
decisions D47-D48).

Every date of a subscription's n-th activation is worked out from the date first given, n periods on, never from
the previous activation's date: a monthly schedule that starts on 31 January falls on 28 (or 29) February, then
31 March again. Months and days are counted on Norwegian wall clocks, so that a daily schedule at 08:00 stays at
08:00 across the change to and from summer time.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import datetime, timedelta

from altinn_so.domain.clock import local_time

# PeriodType -> (months, days) per period. Quarterly and Tertiary go by their names (four and three times a year),
# Fortnightly by its (every 14 days), D47. Once has no next period.
PERIODS: dict[str, tuple[int, int]] = {
    "Annual": (12, 0),
    "Semiannual": (6, 0),
    "Quarterly": (3, 0),
    "Tertiary": (4, 0),
    "Bimonthly": (2, 0),
    "Monthly": (1, 0),
    "Fortnightly": (0, 14),
    "Weekly": (0, 7),
    "Daily": (0, 1),
    "Once": (0, 0),
}
ONCE = "Once"


def nth_date(first: datetime, period_type: str, n: int) -> datetime | None:
    """``first`` moved on by ``n`` periods of ``period_type``; None when there is no such date (``Once`` after its
    first, or past the calendar's end). Months keep ``first``'s day of the month, or the month's last day when it
    has fewer days (D48)."""
    if n == 0:
        return first
    if period_type == ONCE:
        return None
    months, days = PERIODS[period_type]
    local = local_time(first)
    try:
        if months:
            index = local.month - 1 + months * n
            year, month = local.year + index // 12, index % 12 + 1
            return local.replace(year=year, month=month, day=min(local.day, monthrange(year, month)[1]))
        # Aware datetimes of one zone add as wall-clock times: the zone's offset is worked out again after.
        return local + timedelta(days=days * n)
    except (OverflowError, ValueError):  # past year 9999
        return None
