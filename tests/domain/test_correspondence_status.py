"""Correspondence status queries (docs/behaviour/correspondence.md; decisions D10, D12): GetCorrespondenceStatusDetails and
GetCorrespondenceStatusHistory, their filters, limits, notifications and digital-post details."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.services.correspondence.rules import CorrespondenceSettings
from altinn_so.services.correspondence.rules.model import (CorrespondenceStatus, NotificationView, SdpRequest,
                                                           SdpStatus, StatusFilter)
from altinn_so.domain.errors import AltinnError
from altinn_so.emulator import Emulator

from .factories import (ETT_MESSAGE, KARI, TTD_FORM, NOW, OLA, ORG, PER, TTD_DPV, TTD_MESSAGE, correspondence, pdf,
                        request, system_caller)



def make_emulator(emulator_with, **settings) -> Emulator:
    return emulator_with(service_settings={"correspondence": CorrespondenceSettings(**settings)})


def insert(emulator, *args, caller=None, **fields):
    return emulator.correspondence.insert(caller or system_caller(emulator), correspondence(*args, **fields))


def notice(*endpoints, template="TokenTextOnly", tokens=("Emne", "Tekst"), **fields):
    return request(None, *endpoints, template=template, tokens=tokens, **fields)


def where(service=TTD_MESSAGE, **fields) -> StatusFilter:
    return StatusFilter(service_code=service[0], service_edition=int(service[1]) if service[1] else None, **fields)


def details(emulator, *, caller=None, **fields):
    return emulator.correspondence.status_details(caller or system_caller(emulator), where(**fields))


def ids(result) -> list[int]:
    return [view.correspondence.id for view in result.correspondences]


def fails(call, *args) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        call(*args)
    return caught.value


def sdp_options(**fields) -> SdpRequest:
    return SdpRequest(**{"setting": "CopyAltinn", "primary_document": "brev.pdf", **fields})


# -- GetCorrespondenceStatusDetails: the service ------------------------------------------------------------

class TestService:
    @pytest.mark.parametrize("code", [None, ""])
    def test_service_code_is_required(self, emulator, code):
        error = fails(emulator.correspondence.status_details, system_caller(emulator),
                      StatusFilter(service_code=code, service_edition=1))
        assert error.error_id == 40006

    @pytest.mark.parametrize("code, edition", [("5678", 2), ("0000", 1), ("5678", None), ("5678", 0)])
    def test_unknown_service(self, emulator, code, edition):
        error = fails(emulator.correspondence.status_details, system_caller(emulator),
                      StatusFilter(service_code=code, service_edition=edition))
        assert error.error_id == 40013

    def test_a_service_that_is_not_a_correspondence_service(self, emulator):
        assert fails(emulator.correspondence.status_details, system_caller(emulator),
                     where(TTD_FORM)).error_id == 40019

    def test_another_owners_service(self, emulator):
        assert fails(emulator.correspondence.status_details, system_caller(emulator),
                     where(ETT_MESSAGE)).error_id == 5

    def test_only_that_service_edition(self, emulator):
        insert(emulator, service=TTD_MESSAGE)
        insert(emulator, service=TTD_DPV)
        insert(emulator, service=TTD_MESSAGE)
        assert ids(details(emulator)) == [1, 3]
        assert ids(details(emulator, service=TTD_DPV)) == [2]

    def test_empty(self, emulator):
        result = details(emulator)
        assert (result.correspondences, result.limit_reached, result.sdp) == ((), False, None)

    def test_a_view(self, emulator):
        insert(emulator, OLA, reference="R1", notifications=[notice("Email")])
        (view,) = details(emulator).correspondences
        assert view.correspondence == emulator.correspondence_store.get_correspondence(1)
        assert view.correspondence.senders_reference == "R1"
        assert view.notifications == (NotificationView("ola.nordmann@example.no", "Email", NOW),)


# -- filters -------------------------------------------------------------------------------------------------

class TestFilters:
    @pytest.fixture
    def three(self, emulator, clock):
        """Correspondences created at NOW, NOW+1h and NOW+2h."""
        for reportee, reference in ((OLA, "A"), (KARI, "B"), (ORG, "C")):
            insert(emulator, reportee, reference=reference)
            clock.advance(timedelta(hours=1))

    def test_created_after_is_exclusive(self, emulator, three):
        assert ids(details(emulator, created_after=NOW)) == [2, 3]
        assert ids(details(emulator, created_after=NOW - timedelta(microseconds=1))) == [1, 2, 3]

    def test_the_ends_of_the_calendar_select_everything(self, emulator, three):
        far_east, far_west = timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))
        assert ids(details(emulator, created_after=datetime.min, created_before=datetime.max)) == [1, 2, 3]
        assert ids(details(emulator, created_after=datetime.min.replace(tzinfo=far_east),
                           created_before=datetime.max.replace(tzinfo=far_west))) == [1, 2, 3]

    def test_created_before_is_exclusive(self, emulator, three):
        assert ids(details(emulator, created_before=NOW + timedelta(hours=2))) == [1, 2]
        assert ids(details(emulator, created_before=NOW + timedelta(hours=2, microseconds=1))) == [1, 2, 3]

    def test_created_window(self, emulator, three):
        assert ids(details(emulator, created_after=NOW, created_before=NOW + timedelta(hours=2))) == [2]
        assert ids(details(emulator, created_after=NOW + timedelta(hours=2), created_before=NOW)) == []

    def test_naive_dates_are_norwegian_local_time(self, emulator, three):
        oslo_now = datetime(2026, 3, 2, 10, 0)  # = NOW
        assert ids(details(emulator, created_after=oslo_now)) == [2, 3]
        assert ids(details(emulator, created_before=datetime(2026, 3, 2, 11, 0, 1))) == [1, 2]

    def test_dates_in_another_zone(self, emulator, three):
        assert ids(details(emulator, created_after=datetime(2026, 3, 2, 4, 0, tzinfo=timezone(-timedelta(hours=5))))
                   ) == [2, 3]

    def test_reportee(self, emulator, three):
        assert ids(details(emulator, reportee=KARI)) == [2]
        assert ids(details(emulator, reportee=PER)) == []
        assert ids(details(emulator, reportee="")) == [1, 2, 3]

    def test_senders_reference(self, emulator, three):
        insert(emulator, OLA, reference="C")
        assert ids(details(emulator, senders_reference="C")) == [3, 4]
        assert ids(details(emulator, senders_reference="nope")) == []
        assert ids(details(emulator, senders_reference="")) == [1, 2, 3, 4]

    def test_current_status(self, emulator, three):
        insert(emulator, PER, is_reservable=True)
        emulator.correspondence.read(1)
        emulator.correspondence.confirm(2)
        assert ids(details(emulator, current_status="Created")) == [3]
        assert ids(details(emulator, current_status="Read")) == [1]
        assert ids(details(emulator, current_status="Confirmed")) == [2]
        assert ids(details(emulator, current_status="Reserved")) == [4]
        assert ids(details(emulator, current_status="NotSet")) == [1, 2, 3, 4]
        assert ids(details(emulator, current_status=None)) == [1, 2, 3, 4]

    def test_filters_combine(self, emulator, three):
        assert ids(details(emulator, reportee=OLA, senders_reference="A", created_before=NOW + timedelta(1))) == [1]
        assert ids(details(emulator, reportee=OLA, senders_reference="B")) == []


class TestSentDateNeverBeforeCreation:
    """.NET proxies send DateTime.MinValue for every unset DateTime, and old systems send stale shipment times: a
    notice is never reported sent before its correspondence existed."""

    def test_a_shipment_time_in_the_past_is_sent_now(self, emulator):
        insert(emulator, OLA, notifications=[notice("Email", shipment_time=datetime(2020, 1, 1, 12, 0))])
        (view,) = details(emulator).correspondences
        assert [n.sent_at for n in view.notifications] == [NOW]
        assert view.correspondence.created_at == NOW

    def test_a_notice_stored_before_the_correspondence_reads_as_sent_at_its_creation(self, emulator):
        """A store written before past shipment times meant "now" may hold such a notice."""
        insert(emulator, OLA, notifications=[notice("Email")])
        with emulator.db.transaction():
            (row_id, data), = emulator.db.query("SELECT id, data FROM outbox")
            emulator.db.execute("UPDATE outbox SET data = ? WHERE id = ?",
                                (data.replace(NOW.isoformat(), "2020-01-01T11:00:00+00:00"), row_id))
        assert emulator.outbox.list_messages()[0].scheduled_at.year == 2020
        (view,) = details(emulator).correspondences
        assert [n.sent_at for n in view.notifications] == [NOW]


class TestNotificationSent:
    @pytest.fixture
    def mixed(self, emulator):
        insert(emulator, OLA, notifications=[notice("Email")])                                   # 1: sent now
        insert(emulator, OLA, notifications=[notice("Email", shipment_time=NOW + timedelta(days=1))])  # 2: later
        insert(emulator, OLA)                                                                     # 3: none

    def test_true_and_false(self, emulator, mixed):
        assert ids(details(emulator, notification_sent=True)) == [1]
        assert ids(details(emulator, notification_sent=False)) == [2, 3]
        assert ids(details(emulator, notification_sent=None)) == [1, 2, 3]

    def test_follows_the_clock(self, emulator, mixed, clock):
        clock.advance(timedelta(days=1))
        assert ids(details(emulator, notification_sent=True)) == [1, 2]
        assert ids(details(emulator, notification_sent=False)) == [3]

    def test_sent_date_is_none_until_the_scheduled_time(self, emulator, mixed, clock):
        view = details(emulator).correspondences[1]
        assert [n.sent_at for n in view.notifications] == [None]
        clock.advance(timedelta(hours=23, minutes=59))
        assert [n.sent_at for n in details(emulator).correspondences[1].notifications] == [None]
        clock.advance(timedelta(minutes=1))
        assert [n.sent_at for n in details(emulator).correspondences[1].notifications] == [NOW + timedelta(days=1)]

    def test_reminders_are_pending_until_they_are_due(self, emulator, clock):
        insert(emulator, ORG, notifications=[notice("Email", "SMS", template="VarselDPVMedRevarsel", tokens=["TTD"])])
        (view,) = details(emulator).correspondences
        assert [(n.recipient, n.channel, n.sent_at) for n in view.notifications] == [
            ("post@eksempel.example", "Email", NOW), ("+4790000001", "SMS", NOW),
            ("post@eksempel.example", "Email", None), ("+4790000001", "SMS", None),
        ]
        clock.advance(timedelta(days=7))
        assert all(n.sent_at for n in details(emulator).correspondences[0].notifications)

    def test_only_its_own_notifications(self, emulator):
        insert(emulator, OLA, notifications=[notice("Email")])
        insert(emulator, KARI, notifications=[notice("Email")])
        emulator.standalone_notifications.send(system_caller(emulator), [request(OLA, "SMS", template="TokenTextOnly",
                                                                                 tokens=["a", "b"])],
                                               allow_priority_transport=False)
        first, second = details(emulator).correspondences
        assert [n.recipient for n in first.notifications] == ["ola.nordmann@example.no"]
        assert [n.recipient for n in second.notifications] == ["kari.nordmann@example.no"]


# -- limits --------------------------------------------------------------------------------------------------

class TestLimits:
    def test_limit_reached(self, clock, emulator_with):
        emulator = make_emulator(emulator_with, status_limit=2)
        try:
            insert(emulator)
            insert(emulator)
            result = details(emulator)
            assert (ids(result), result.limit_reached) == ([1, 2], False)
            insert(emulator)
            result = details(emulator)
            assert (ids(result), result.limit_reached) == ([1, 2], True)
            result = details(emulator, created_after=NOW - timedelta(1), reportee=OLA, senders_reference="ref-1")
            assert result.limit_reached is True
        finally:
            emulator.close()

    def test_the_limit_applies_after_the_notification_filter(self, clock, emulator_with):
        emulator = make_emulator(emulator_with, status_limit=1)
        try:
            insert(emulator)
            insert(emulator, notifications=[notice("Email")])
            result = details(emulator, notification_sent=True)
            assert (ids(result), result.limit_reached) == ([2], False)
        finally:
            emulator.close()

    def test_the_notification_filter_reads_on_past_correspondences_it_drops(self, clock, emulator_with):
        """The store is read a page at a time (limit + 1 rows); a page the filter empties is not the end."""
        emulator = make_emulator(emulator_with, status_limit=2)
        try:
            for _ in range(3):
                insert(emulator)
            for _ in range(3):
                insert(emulator, notifications=[notice("Email")])
            result = details(emulator, notification_sent=True)
            assert (ids(result), result.limit_reached) == ([4, 5], True)
            result = details(emulator, notification_sent=False)
            assert (ids(result), result.limit_reached) == ([1, 2], True)
            result = details(emulator, notification_sent=True, current_status="Created")
            assert (ids(result), result.limit_reached) == ([4, 5], True)
        finally:
            emulator.close()

    def test_sdp_limit(self, clock, emulator_with):
        emulator = make_emulator(emulator_with, status_limit=1)
        try:
            for _ in range(2):
                insert(emulator, OLA, binary_attachments=[pdf()], sdp=sdp_options(setting="ForwardOnly"))
            result = details(emulator, sdp=False)
            assert (len(result.sdp), result.sdp_limit_reached, result.correspondences) == (1, True, None)
            history = emulator.correspondence.status_history(system_caller(emulator), ["ref-1"])
            assert (len(history.sdp), history.sdp_limit_reached) == (1, True)
        finally:
            emulator.close()


# -- digital post details ----------------------------------------------------------------------------------

class TestSdpDetails:
    @pytest.fixture
    def both(self, emulator):
        insert(emulator, OLA, reference="plain")
        insert(emulator, OLA, reference="letter", binary_attachments=[pdf()], sdp=sdp_options())

    def test_not_asked_for(self, emulator, both):
        result = details(emulator)
        assert ids(result) == [1, 2]
        assert result.sdp is None and result.sdp_limit_reached is False

    def test_with_correspondence(self, emulator, both):
        result = details(emulator, sdp=True)
        assert ids(result) == [1, 2]
        ((shipment, events),) = result.sdp
        assert (shipment.reference, shipment.correspondence_id) == ("letter", 2)
        assert [e.status for e in events] == [SdpStatus.SENT]

    def test_without_correspondence(self, emulator, both):
        result = details(emulator, sdp=False)
        assert result.correspondences is None and result.limit_reached is False
        assert [s.reference for s, _ in result.sdp] == ["letter"]

    def test_sdp_filters(self, emulator, both, clock):
        clock.advance(timedelta(hours=1))
        insert(emulator, KARI, reference="letter-2", binary_attachments=[pdf()], sdp=sdp_options(backup_altinn=True))
        assert [s.reference for s, _ in details(emulator, sdp=False, reportee=KARI).sdp] == ["letter-2"]
        assert [s.reference for s, _ in details(emulator, sdp=False, senders_reference="letter").sdp] == ["letter"]
        assert [s.reference for s, _ in details(emulator, sdp=False, created_after=NOW).sdp] == ["letter-2"]
        assert [s.reference for s, _ in details(emulator, sdp=False, created_before=NOW + timedelta(hours=1)).sdp
                ] == ["letter"]
        assert details(emulator, sdp=False, service=TTD_DPV).sdp == ()


# -- GetCorrespondenceStatusHistory ----------------------------------------------------------------------

class TestHistory:
    def history(self, emulator, references, caller=None):
        return emulator.correspondence.status_history(caller or system_caller(emulator), references)

    def test_by_references_across_services(self, emulator):
        insert(emulator, reference="A", service=TTD_MESSAGE)
        insert(emulator, reference="B", service=TTD_DPV)
        insert(emulator, reference="C")
        result = self.history(emulator, ["B", "A", "nope"])
        assert ids(result) == [1, 2]
        assert result.limit_reached is False
        assert result.sdp == ()

    def test_duplicates_and_empties(self, emulator):
        insert(emulator, reference="A")
        assert ids(self.history(emulator, ["A", "A", "", None])) == [1]

    def test_no_references(self, emulator):
        insert(emulator, reference="A")
        result = self.history(emulator, [])
        assert (result.correspondences, result.limit_reached, result.sdp, result.sdp_limit_reached) == \
            ((), False, (), False)
        assert self.history(emulator, ["", None]).correspondences == ()

    def test_with_digital_post(self, emulator):
        insert(emulator, OLA, reference="L", binary_attachments=[pdf()], sdp=sdp_options(setting="ForwardOnly"))
        result = self.history(emulator, ["L"])
        assert result.correspondences == ()
        assert [(s.reference, s.correspondence_id) for s, _ in result.sdp] == [("L", None)]

    def test_reference_limit(self, clock, emulator_with):
        emulator = make_emulator(emulator_with, history_reference_limit=3)
        try:
            insert(emulator, reference="A")
            assert ids(self.history(emulator, ["A", "B", "C", "", None])) == [1]  # empties do not count
            with pytest.raises(AltinnError) as caught:
                self.history(emulator, ["A", "B", "C", "D"])
            assert caught.value.error_id == 0
        finally:
            emulator.close()

    def test_default_reference_limit_is_ten_thousand(self):
        assert CorrespondenceSettings().history_reference_limit == 10_000

    def test_result_limit(self, clock, emulator_with):
        emulator = make_emulator(emulator_with, status_limit=1)
        try:
            insert(emulator, reference="A")
            insert(emulator, reference="B")
            result = self.history(emulator, ["A", "B"])
            assert (ids(result), result.limit_reached) == ([1], True)
        finally:
            emulator.close()

    def test_status_changes_and_notifications(self, emulator, clock):
        insert(emulator, OLA, reference="A", notifications=[notice("Email")])
        clock.advance(timedelta(hours=2))
        emulator.correspondence.read(1)
        (view,) = self.history(emulator, ["A"]).correspondences
        assert [(c.status, c.at) for c in view.correspondence.status_changes] == [
            (CorrespondenceStatus.CREATED, NOW), (CorrespondenceStatus.READ, NOW + timedelta(hours=2))]
        assert [n.sent_at for n in view.notifications] == [NOW]


class TestOwnerIsolation:
    def test_history_never_shows_another_owners(self, emulator):
        insert(emulator, OLA, reference="shared", binary_attachments=[pdf()], sdp=sdp_options())
        ett = system_caller(emulator, "ett-system")
        result = emulator.correspondence.status_history(ett, ["shared"])
        assert result.correspondences == () and result.sdp == ()
        emulator.correspondence.insert(ett, correspondence(service=ETT_MESSAGE, reference="shared",
                                                           system_user_code="ETT"))
        assert [v.correspondence.owner for v in emulator.correspondence.status_history(ett, ["shared"])
                .correspondences] == ["ETT"]
        assert [v.correspondence.owner for v in emulator.correspondence.status_history(system_caller(emulator),
                                                                                         ["shared"]).correspondences
                ] == ["TTD"]

    def test_details_never_show_another_owners(self, emulator):
        ett = system_caller(emulator, "ett-system")
        emulator.correspondence.insert(ett, correspondence(service=ETT_MESSAGE, system_user_code="ETT"))
        assert ids(details(emulator, caller=ett, service=ETT_MESSAGE)) == [1]
        assert fails(emulator.correspondence.status_details, system_caller(emulator), where(ETT_MESSAGE)
                     ).error_id == 5
