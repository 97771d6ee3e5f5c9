"""What end users do to a correspondence (docs/behaviour/correspondence.md, the life cycle): read, confirm."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.services.correspondence.rules.model import CorrespondenceStateError, CorrespondenceStatus, StatusChange

from .factories import NOW, OLA, PER, correspondence, system_caller

CREATED, READ, CONFIRMED, RESERVED = (CorrespondenceStatus.CREATED, CorrespondenceStatus.READ,
                                      CorrespondenceStatus.CONFIRMED, CorrespondenceStatus.RESERVED)


def insert(emulator, *args, **fields) -> int:
    emulator.correspondence.insert(system_caller(emulator), correspondence(*args, **fields))
    return emulator.correspondence_store.list_correspondences()[-1].id


def changes(correspondence) -> list[tuple[CorrespondenceStatus, object]]:
    return [(c.status, c.at) for c in correspondence.status_changes]


def stored(emulator, correspondence_id):
    return emulator.correspondence_store.get_correspondence(correspondence_id)


class TestRead:
    def test_created_to_read(self, emulator, clock):
        cid = insert(emulator)
        clock.advance(timedelta(hours=3))
        read = emulator.correspondence.read(cid)
        assert read.status is READ
        assert changes(read) == [(CREATED, NOW), (READ, NOW + timedelta(hours=3))]
        assert stored(emulator, cid) == read

    def test_reading_again_changes_nothing(self, emulator, clock):
        cid = insert(emulator)
        first = emulator.correspondence.read(cid)
        clock.advance(timedelta(days=1))
        assert emulator.correspondence.read(cid) == first
        assert stored(emulator, cid) == first

    def test_reading_a_confirmed_message_changes_nothing(self, emulator, clock):
        cid = insert(emulator)
        confirmed = emulator.correspondence.confirm(cid)
        clock.advance(timedelta(hours=1))
        assert emulator.correspondence.read(cid) == confirmed
        assert stored(emulator, cid).status is CONFIRMED

    def test_only_the_status_changes(self, emulator):
        cid = insert(emulator)
        before = stored(emulator, cid)
        after = emulator.correspondence.read(cid)
        assert after.status_changes[:-1] == before.status_changes
        assert (after.title, after.receipt_id, after.senders_reference) == (before.title, before.receipt_id,
                                                                            before.senders_reference)


class TestConfirm:
    def test_confirm_reads_first(self, emulator, clock):
        cid = insert(emulator)
        clock.advance(timedelta(minutes=10))
        confirmed = emulator.correspondence.confirm(cid)
        assert changes(confirmed) == [(CREATED, NOW), (READ, NOW + timedelta(minutes=10)),
                                      (CONFIRMED, NOW + timedelta(minutes=10))]
        assert stored(emulator, cid) == confirmed

    def test_confirm_after_read(self, emulator, clock):
        cid = insert(emulator)
        clock.advance(timedelta(minutes=10))
        emulator.correspondence.read(cid)
        clock.advance(timedelta(minutes=10))
        confirmed = emulator.correspondence.confirm(cid)
        assert changes(confirmed) == [(CREATED, NOW), (READ, NOW + timedelta(minutes=10)),
                                      (CONFIRMED, NOW + timedelta(minutes=20))]

    def test_confirming_again_changes_nothing(self, emulator, clock):
        cid = insert(emulator)
        first = emulator.correspondence.confirm(cid)
        clock.advance(timedelta(days=2))
        assert emulator.correspondence.confirm(cid) == first
        assert len(stored(emulator, cid).status_changes) == 3


class TestNotPossible:
    @pytest.mark.parametrize("action", ["read", "confirm"])
    def test_unknown(self, emulator, action):
        with pytest.raises(CorrespondenceStateError, match="does not exist"):
            getattr(emulator.correspondence, action)(1)

    @pytest.mark.parametrize("action", ["read", "confirm"])
    def test_reserved(self, emulator, action):
        cid = insert(emulator, PER, is_reservable=True)
        with pytest.raises(CorrespondenceStateError, match="reserved"):
            getattr(emulator.correspondence, action)(cid)
        assert stored(emulator, cid).status_changes == (StatusChange(CREATED, NOW), StatusChange(RESERVED, NOW))

    @pytest.mark.parametrize("action", ["read", "confirm"])
    def test_not_yet_visible(self, emulator, clock, action):
        cid = insert(emulator, OLA, visible_at=NOW + timedelta(days=1))
        with pytest.raises(CorrespondenceStateError, match="not visible before"):
            getattr(emulator.correspondence, action)(cid)
        clock.advance(timedelta(hours=23, minutes=59, seconds=59))
        with pytest.raises(CorrespondenceStateError):
            getattr(emulator.correspondence, action)(cid)
        assert stored(emulator, cid).status is CREATED
        clock.advance(timedelta(seconds=1))  # visible from VisibleDateTime on
        assert getattr(emulator.correspondence, action)(cid).status is not CREATED

    def test_a_past_visible_time_is_visible_at_once(self, emulator):
        cid = insert(emulator, OLA, visible_at=NOW - timedelta(days=3))
        assert emulator.correspondence.read(cid).status is READ

    def test_state_error_is_a_value_error(self):
        assert issubclass(CorrespondenceStateError, ValueError)
