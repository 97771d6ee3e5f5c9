"""The clock every time-dependent rule reads, and Altinn's local time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from altinn_so.domain.clock import ALTINN_TZ, Clock, as_aware

from .factories import NOW


def test_frozen_clock_stands_still():
    clock = Clock(frozen_at=NOW)
    assert clock.frozen
    assert clock.now() == NOW == clock.now()


def test_naive_instants_are_oslo_time():
    assert as_aware(datetime(2026, 1, 15, 12, 0)) == datetime(2026, 1, 15, 11, 0, tzinfo=timezone.utc)
    assert as_aware(datetime(2026, 7, 15, 12, 0)) == datetime(2026, 7, 15, 10, 0, tzinfo=timezone.utc)
    assert Clock(frozen_at=datetime(2026, 3, 2, 10, 0)).now() == NOW


def test_aware_instants_are_kept():
    aware = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    assert as_aware(aware) is aware
    assert ALTINN_TZ.key == "Europe/Oslo"


def test_advance_and_set_a_frozen_clock():
    clock = Clock(frozen_at=NOW)
    clock.advance(timedelta(minutes=15))
    assert clock.now() == NOW + timedelta(minutes=15)
    clock.set(datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert clock.now() == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert clock.frozen


def test_running_clock_follows_the_wall_clock():
    clock = Clock()
    assert not clock.frozen
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_running_clock_can_be_set_and_advanced():
    clock = Clock()
    clock.set(datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert abs(clock.now() - datetime(2020, 1, 1, tzinfo=timezone.utc)) < timedelta(seconds=5)
    clock.advance(timedelta(days=1))
    assert abs(clock.now() - datetime(2020, 1, 2, tzinfo=timezone.utc)) < timedelta(seconds=5)
    assert not clock.frozen


def test_freeze_and_resume():
    clock = Clock()
    clock.set(datetime(2020, 1, 1, tzinfo=timezone.utc))
    clock.freeze()
    frozen_at = clock.now()
    assert clock.frozen and clock.now() == frozen_at
    clock.resume()
    assert not clock.frozen
    assert timedelta(0) <= clock.now() - frozen_at < timedelta(seconds=5)
