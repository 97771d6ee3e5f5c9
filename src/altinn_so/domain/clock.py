"""The one source of "now" for every time-dependent rule.

Tests (and later the admin API) freeze, set or advance it; production runs on
the wall clock. Times are timezone-aware; naive datetimes coming from clients
are interpreted in Altinn's own zone, Europe/Oslo.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

ALTINN_TZ = ZoneInfo("Europe/Oslo")


# The clock is set and advanced only to instants before this: rules schedule up to ten years after "now"
# (a template's reminder_days, at most catalog.MAX_REMINDER_DAYS), and every such instant must stay within the
# calendar.
LATEST_NOW = datetime(9990, 1, 1, tzinfo=timezone.utc)


def as_aware(value: datetime) -> datetime:
    """A naive datetime is Altinn local time (Europe/Oslo), as Altinn's servers read it."""
    return value if value.tzinfo is not None else value.replace(tzinfo=ALTINN_TZ)


def local_time(moment: datetime) -> datetime:
    """``moment`` on Norwegian wall clocks. Clients send .NET's DateTime.MinValue and MaxValue, which a time
    zone can move a few hours off the calendar: such a time stops at the calendar's first or last instant."""
    return _in_zone(moment, ALTINN_TZ)


def utc_time(moment: datetime) -> datetime:
    """``moment`` in UTC, stopping at the calendar's ends as ``local_time`` does."""
    return _in_zone(moment, timezone.utc)


def _in_zone(moment: datetime, zone) -> datetime:
    try:  # (as_aware, inlined: this runs for every timestamp stored or written)
        return (moment if moment.tzinfo is not None else moment.replace(tzinfo=ALTINN_TZ)).astimezone(zone)
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=zone)


def days_later(moment: datetime, days: int) -> datetime:
    """``days`` calendar days after ``moment`` on Norwegian wall clocks, whatever zone it was written in; past
    the calendar's end, its last instant (or ``moment`` itself, if that is later still)."""
    try:
        return local_time(moment) + timedelta(days=days)
    except OverflowError:
        return max(as_aware(moment), datetime.max.replace(tzinfo=ALTINN_TZ))


class Clock:
    """Wall clock with an adjustable offset, or a frozen instant.

    ``on_change`` (if set) hears of every change, so that an emulator can share the clock with its other
    workers; ``load`` takes a state shared so without calling it back.
    """

    def __init__(self, frozen_at: datetime | None = None):
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen: datetime | None = as_aware(frozen_at) if frozen_at else None
        self.on_change: Callable[[dict], None] | None = None

    def state(self) -> dict:
        """Everything the clock is, as plain data: the wall clock's offset, or the frozen instant."""
        with self._lock:
            return {"offset_us": self._offset // timedelta(microseconds=1),
                    "frozen": self._frozen.isoformat() if self._frozen else None}

    def load(self, state: dict) -> None:
        with self._lock:
            self._offset = timedelta(microseconds=int(state["offset_us"]))
            self._frozen = datetime.fromisoformat(state["frozen"]) if state.get("frozen") else None

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.state())

    def now(self) -> datetime:
        frozen = self._frozen
        if frozen is not None:
            return frozen
        return datetime.now(timezone.utc) + self._offset

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``; a frozen clock stays frozen there, a running one keeps running from it."""
        instant = as_aware(instant)
        with self._lock:
            if self._frozen is not None:
                self._frozen = instant
            else:
                self._offset = instant - datetime.now(timezone.utc)
        self._changed()

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            if self._frozen is not None:
                self._frozen = self._frozen + delta
            else:
                self._offset += delta
        self._changed()

    def freeze(self) -> None:
        with self._lock:
            self._frozen = self.now()
        self._changed()

    def resume(self) -> None:
        """Run again from the instant the clock shows now."""
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - datetime.now(timezone.utc)
                self._frozen = None
        self._changed()

    @property
    def frozen(self) -> bool:
        return self._frozen is not None
