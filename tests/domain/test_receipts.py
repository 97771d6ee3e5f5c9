"""Receipts (docs/behaviour/receipts.md; decisions D3, D4): creation, lookup, visibility, lists, updates.

Every test runs against SQLite and PostgreSQL (conftest), so the rules are the
ReceiptService's, not one store's.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.domain.auth import Caller
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.receipts import (RECEIPT_TYPES, RECEIPT_TYPES_2009, SEARCHABLE_REFERENCES, Receipt,
                                       ReceiptSave, ReceiptService, ReceiptStatus, Reference, history_line)
from altinn_so.store.repositories import SqlReceipts

from .factories import ETT, NOW, TTD, org_number

OTHER_PARTY = org_number("31005500")  # a party that is neither owner nor named

TTD_CALLER = Caller(owner=TTD)
ETT_CALLER = Caller(owner=ETT)
UNSEARCHABLE = ("NotSet", "ParentReference", "WorkFlowReference", "ReceiversReference", "Altinn1Reference",
                "OwnerPartyReference", "PartyReference")


@pytest.fixture
def receipts(db, clock):
    return ReceiptService(SqlReceipts(db), clock, db.transaction)


def test_forcing_the_status_of_a_receipt_that_does_not_exist_is_a_programming_error(receipts):
    with pytest.raises(ValueError, match="receipt 99 does not exist"):
        receipts.force_status(99, "ValidationFailed")


def owned(owner=TTD, *more: Reference) -> list[Reference]:
    return [Reference("OwnerPartyReference", owner.orgno), *more]


def make(receipts, *more: Reference, owner=TTD, receipt_type="Outbound", text="Sent", parent_id=0,
         status=ReceiptStatus.OK) -> Receipt:
    return receipts.create(receipt_type, status, text, owned(owner, *more), parent_id=parent_id)


def save(receipt_id=None, archive=None, status="OK", text="Mottatt", references=(), subs=()) -> ReceiptSave:
    return ReceiptSave(receipt_id=receipt_id, archive_reference=archive, status=status, text=text,
                       references=tuple(references), sub_receipts=tuple(subs))


def fails(call, *args, **kwargs) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        call(*args, **kwargs)
    return caught.value


# -- ReceiptHistory lines -----------------------------------------------------------------------------

class TestHistoryLine:
    @pytest.mark.parametrize("at, expected", [
        # 10:00 in Oslo in winter (UTC+1); the day is padded with a space, as SQL Server's style 100 did
        (datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc), "Mar  2 2026 10:00AM"),
        # summer time (UTC+2); a one-digit hour is padded with a space too
        (datetime(2018, 4, 19, 7, 1, tzinfo=timezone.utc), "Apr 19 2018  9:01AM"),
        (datetime(2026, 7, 1, 10, 5, tzinfo=timezone.utc), "Jul  1 2026 12:05PM"),
        (datetime(2026, 12, 31, 13, 30, tzinfo=timezone.utc), "Dec 31 2026  2:30PM"),
        # midnight is 12AM, and it is the Norwegian date that counts
        (datetime(2026, 3, 1, 23, 0, tzinfo=timezone.utc), "Mar  2 2026 12:00AM"),
        (datetime(2026, 3, 2, 22, 59, tzinfo=timezone.utc), "Mar  2 2026 11:59PM"),
    ])
    def test_format_in_norwegian_local_time(self, at, expected):
        assert history_line(at, ReceiptStatus.OK, "tekst") == f"{expected} - OK - tekst"

    def test_the_calendar_s_last_instant_in_utc_is_its_last_in_oslo_too(self):
        line = history_line(datetime.max.replace(tzinfo=timezone.utc), ReceiptStatus.OK, "x")
        assert line == "Dec 31 9999 11:59PM - OK - x"

    def test_status_is_written_by_its_wire_name(self):
        line = history_line(NOW, ReceiptStatus.UNEXPECTED_ERROR, "feil")
        assert line == "Mar  2 2026 10:00AM - UnExpectedError - feil"


# -- created by Altinn ----------------------------------------------------------------------------------

class TestCreate:
    def test_fields(self, receipts):
        receipt = receipts.create("Correspondence", ReceiptStatus.OK, "Correspondence Saved Successfully",
                                  owned(TTD, Reference("ExternalShipmentReference", "x")))
        assert receipt.id == 1
        assert receipt.type == "Correspondence"
        assert receipt.status is ReceiptStatus.OK
        assert receipt.text == "Correspondence Saved Successfully"
        assert receipt.last_changed == NOW
        assert receipt.history == "Mar  2 2026 10:00AM - OK - Correspondence Saved Successfully"
        assert receipt.parent_id == 0
        assert receipt.references == (Reference("OwnerPartyReference", TTD.orgno),
                                      Reference("ExternalShipmentReference", "x"))
        assert receipt.owner_party == TTD.orgno
        assert receipt.template is None

    def test_ids_are_consecutive(self, receipts):
        assert [make(receipts).id for _ in range(3)] == [1, 2, 3]

    def test_uses_the_clock(self, receipts, clock):
        clock.advance(timedelta(hours=5, minutes=7))
        receipt = make(receipts, status=ReceiptStatus.REJECTED, text="Avvist")
        assert receipt.last_changed == NOW + timedelta(hours=5, minutes=7)
        assert receipt.history == "Mar  2 2026  3:07PM - Rejected - Avvist"

    @pytest.mark.parametrize("receipt_type", [t for t in RECEIPT_TYPES if t != "NotSet"])
    def test_every_real_type_including_broker_service(self, receipts, receipt_type):
        assert make(receipts, receipt_type=receipt_type).type == receipt_type

    def test_broker_service_is_the_2015_addition(self):
        assert "BrokerService" not in RECEIPT_TYPES_2009
        assert RECEIPT_TYPES == RECEIPT_TYPES_2009 + ("BrokerService",)

    @pytest.mark.parametrize("receipt_type", ["NotSet", "Broker", "correspondence", ""])
    def test_not_a_type(self, receipts, receipt_type):
        with pytest.raises(ValueError):
            make(receipts, receipt_type=receipt_type)

    def test_sub_receipt(self, receipts):
        parent = make(receipts)
        child = make(receipts, parent_id=parent.id, text="Del")
        assert child.parent_id == parent.id
        found = receipts.get(TTD_CALLER, parent.id, [])
        assert found.sub_receipts == (child,)
        assert receipts.get(TTD_CALLER, child.id, []).sub_receipts == ()


# -- GetReceipt -----------------------------------------------------------------------------------------

class TestGet:
    def test_by_id(self, receipts):
        make(receipts)
        second = make(receipts, text="Andre")
        found = receipts.get(TTD_CALLER, second.id, [])
        assert found == second

    def test_id_wins_over_references(self, receipts):
        first = make(receipts, Reference("ArchiveReference", "AR1"))
        second = make(receipts, Reference("ArchiveReference", "AR2"))
        assert receipts.get(TTD_CALLER, first.id, [Reference("ArchiveReference", "AR2")]).id == first.id
        assert receipts.get(TTD_CALLER, 0, [Reference("ArchiveReference", "AR2")]).id == second.id

    @pytest.mark.parametrize("reference_type", SEARCHABLE_REFERENCES)
    def test_by_each_searchable_reference(self, receipts, reference_type):
        make(receipts)
        wanted = make(receipts, Reference(reference_type, "REF-1"))
        make(receipts, Reference(reference_type, "REF-2"))
        assert receipts.get(TTD_CALLER, None, [Reference(reference_type, "REF-1")]).id == wanted.id

    def test_the_searchable_types(self):
        assert set(SEARCHABLE_REFERENCES) == {"ArchiveReference", "OutboundShipmentReference", "BatchReference",
                                              "EndUserSystemReference", "ExternalShipmentReference",
                                              "SendersReference"}

    @pytest.mark.parametrize("reference_type", UNSEARCHABLE)
    def test_unsearchable_reference_types(self, receipts, reference_type):
        make(receipts, Reference(reference_type, "REF-1"))
        value = TTD.orgno if reference_type == "OwnerPartyReference" else "REF-1"
        assert fails(receipts.get, TTD_CALLER, None, [Reference(reference_type, value)]).error_id == 30008

    def test_unsearchable_references_are_skipped_for_a_later_searchable_one(self, receipts):
        wanted = make(receipts, Reference("BatchReference", "B"), Reference("WorkFlowReference", "W"))
        found = receipts.get(TTD_CALLER, None, [Reference("WorkFlowReference", "W"), Reference("BatchReference", "B")])
        assert found.id == wanted.id

    def test_empty_values_are_skipped(self, receipts):
        wanted = make(receipts, Reference("BatchReference", "B"))
        found = receipts.get(TTD_CALLER, None, [Reference("ArchiveReference", ""), Reference("BatchReference", "B")])
        assert found.id == wanted.id

    def test_only_the_first_usable_reference_counts(self, receipts):
        make(receipts, Reference("BatchReference", "B"))
        error = fails(receipts.get, TTD_CALLER, None,
                      [Reference("ArchiveReference", "nothing"), Reference("BatchReference", "B")])
        assert error.error_id == ErrorCode.NO_RECEIPT

    def test_newest_first_when_a_reference_is_shared(self, receipts):
        make(receipts, Reference("ExternalShipmentReference", "SHARED"))
        newest = make(receipts, Reference("ExternalShipmentReference", "SHARED"), text="Nyeste")
        make(receipts, Reference("ExternalShipmentReference", "OTHER"))
        assert receipts.get(TTD_CALLER, None, [Reference("ExternalShipmentReference", "SHARED")]).id == newest.id

    def test_the_newest_the_caller_may_see(self, receipts):
        mine = make(receipts, Reference("ExternalShipmentReference", "SHARED"))
        make(receipts, Reference("ExternalShipmentReference", "SHARED"), owner=ETT)
        assert receipts.get(TTD_CALLER, None, [Reference("ExternalShipmentReference", "SHARED")]).id == mine.id

    @pytest.mark.parametrize("receipt_id, refs", [
        (99, []), (None, []), (0, []), (None, [Reference("ArchiveReference", "missing")]),
    ])
    def test_nothing_found(self, receipts, receipt_id, refs):
        make(receipts, Reference("ArchiveReference", "AR"))
        assert fails(receipts.get, TTD_CALLER, receipt_id, refs).error_id == ErrorCode.NO_RECEIPT == 30008

    def test_the_owner_sees_it(self, receipts):
        receipt = make(receipts, owner=ETT)
        assert receipts.get(ETT_CALLER, receipt.id, []).id == receipt.id

    def test_a_party_reference_sees_it(self, receipts):
        receipt = make(receipts, Reference("PartyReference", ETT.orgno), Reference("BatchReference", "B"))
        assert receipts.get(ETT_CALLER, receipt.id, []).id == receipt.id
        assert receipts.get(ETT_CALLER, None, [Reference("BatchReference", "B")]).id == receipt.id

    def test_others_get_30008_as_if_it_did_not_exist(self, receipts):
        receipt = make(receipts, Reference("PartyReference", OTHER_PARTY), Reference("BatchReference", "B"),
                       Reference("SendersReference", ETT.orgno))  # a party's orgno under another type is no access
        assert fails(receipts.get, ETT_CALLER, receipt.id, []).error_id == 30008
        assert fails(receipts.get, ETT_CALLER, None, [Reference("BatchReference", "B")]).error_id == 30008

    def test_visibility_helpers(self):
        receipt = Receipt(id=1, type="Outbound", status=ReceiptStatus.OK, text="", last_changed=NOW,
                          references=(Reference("PartyReference", ETT.orgno),))
        assert receipt.owner_party is None
        assert receipt.visible_to(ETT.orgno) and not receipt.visible_to(TTD.orgno)


# -- GetReceiptList -------------------------------------------------------------------------------------

class TestList:
    @pytest.fixture
    def three(self, receipts, clock):
        """Outbound receipts changed at NOW, NOW+1h, NOW+2h."""
        out = []
        for _ in range(3):
            out.append(make(receipts))
            clock.advance(timedelta(hours=1))
        return out

    @pytest.mark.parametrize("receipt_type", [None, "", "NotSet"])
    def test_type_is_required(self, receipts, receipt_type):
        error = fails(receipts.list, TTD_CALLER, receipt_type, None, None)
        assert error.error_id == ErrorCode.RECEIPT_TYPE_NOT_SET == 30101

    def test_from_after_to(self, receipts):
        error = fails(receipts.list, TTD_CALLER, "Outbound", NOW + timedelta(seconds=1), NOW)
        assert error.error_id == ErrorCode.RECEIPT_DATE_ORDER == 30102

    def test_type_is_checked_before_the_dates(self, receipts):
        assert fails(receipts.list, TTD_CALLER, "NotSet", NOW + timedelta(1), NOW).error_id == 30101

    def test_all_of_a_type_without_a_window(self, receipts, three):
        make(receipts, receipt_type="Correspondence")
        assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", None, None)] == [1, 2, 3]
        assert [r.id for r in receipts.list(TTD_CALLER, "Correspondence", None, None)] == [4]
        assert receipts.list(TTD_CALLER, "PreFill", None, None) == []

    def test_bounds_are_inclusive(self, receipts, three):
        window = receipts.list(TTD_CALLER, "Outbound", NOW + timedelta(hours=1), NOW + timedelta(hours=2))
        assert [r.id for r in window] == [2, 3]
        assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", NOW, NOW)] == [1]

    def test_open_ended_windows(self, receipts, three):
        assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", NOW + timedelta(minutes=1), None)] == [2, 3]
        assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", None, NOW + timedelta(minutes=59))] == [1]

    @pytest.mark.parametrize("start, end", [
        (datetime.min, datetime.max),  # .NET's DateTime.MinValue and MaxValue: Oslo time, a day from the ends
        (datetime.min.replace(tzinfo=timezone(timedelta(hours=14))),
         datetime.max.replace(tzinfo=timezone(timedelta(hours=-14)))),  # in UTC, off the calendar
    ])
    def test_a_window_to_the_ends_of_the_calendar(self, receipts, three, start, end):
        assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", start, end)] == [1, 2, 3]
        assert receipts.list(TTD_CALLER, "Outbound", start, datetime(2026, 1, 1, tzinfo=timezone.utc)) == []
        assert receipts.list(TTD_CALLER, "Outbound", datetime(2027, 1, 1, tzinfo=timezone.utc), end) == []

    def test_window_in_another_zone(self, receipts, three):
        oslo = timezone(timedelta(hours=1))
        start = datetime(2026, 3, 2, 11, 0, tzinfo=oslo)  # = NOW + 1h
        assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", start, start)] == [2]

    def test_only_receipts_the_caller_may_see(self, receipts):
        make(receipts)
        make(receipts, owner=ETT)
        make(receipts, Reference("PartyReference", TTD.orgno), owner=ETT)
        assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", None, None)] == [1, 3]
        assert [r.id for r in receipts.list(ETT_CALLER, "Outbound", None, None)] == [2, 3]

    def test_with_sub_receipts(self, receipts):
        parent = make(receipts)
        child = make(receipts, parent_id=parent.id)
        listed = {r.id: r for r in receipts.list(TTD_CALLER, "Outbound", None, None)}
        assert listed[parent.id].sub_receipts == (child,)

    def test_an_update_moves_last_changed(self, receipts, three, clock):
        receipts.update(TTD_CALLER, save(1))  # at NOW + 3h
        later = receipts.list(TTD_CALLER, "Outbound", NOW + timedelta(hours=3), None)
        assert [r.id for r in later] == [1]
        assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", NOW, NOW)] == []

    def test_naive_window_is_norwegian_local_time(self, receipts, three, monkeypatch):
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
        try:
            local = datetime(2026, 3, 2, 11, 0)  # 11:00 in Oslo = NOW + 1h
            assert [r.id for r in receipts.list(TTD_CALLER, "Outbound", local, local)] == [2]
        finally:
            monkeypatch.undo()
            time.tzset()

    def test_mixed_naive_and_aware_window(self, receipts):
        error = fails(receipts.list, TTD_CALLER, "Outbound", datetime(2026, 3, 2, 11, 0),  # 10:00 UTC
                      datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))
        assert error.error_id == 30102


# -- UpdateReceipt / SaveReceipt --------------------------------------------------------------------------

class TestUpdate:
    def test_status_text_and_last_changed(self, receipts, clock):
        receipt = make(receipts, Reference("BatchReference", "B"))
        clock.advance(timedelta(minutes=30))
        updated = receipts.update(TTD_CALLER, save(receipt.id, status="Rejected", text="Avvist av mottaker"))
        assert updated.status is ReceiptStatus.REJECTED
        assert updated.text == "Avvist av mottaker"
        assert updated.last_changed == NOW + timedelta(minutes=30)
        assert updated.type == receipt.type and updated.references == receipt.references
        assert receipts.get(TTD_CALLER, receipt.id, []) == updated

    def test_history_grows_newest_first_and_says_who_updated(self, receipts, clock):
        receipt = make(receipts, text="Sent")
        clock.advance(timedelta(hours=1))
        receipts.update(TTD_CALLER, save(receipt.id, status="ValidationFailed", text="Feil i fil"))
        clock.advance(timedelta(hours=1))
        updated = receipts.update(TTD_CALLER, save(receipt.id, status="OK", text="Mottatt"))
        assert updated.history.split("\n") == [
            "Mar  2 2026 12:00PM - OK - Mottatt (Receipt updated by AgencySystem: TTD)",
            "Mar  2 2026 11:00AM - ValidationFailed - Feil i fil (Receipt updated by AgencySystem: TTD)",
            "Mar  2 2026 10:00AM - OK - Sent",
        ]

    def test_the_updating_owner_is_named(self, receipts):
        receipt = make(receipts, Reference("PartyReference", ETT.orgno))
        updated = receipts.update(ETT_CALLER, save(receipt.id, status="UnExpectedError", text="Krasj"))
        assert updated.history.startswith(
            "Mar  2 2026 10:00AM - UnExpectedError - Krasj (Receipt updated by AgencySystem: ETT)\n")

    @pytest.mark.parametrize("status", ["OK", "UnExpectedError", "ValidationFailed", "Rejected"])
    def test_every_real_status(self, receipts, status):
        receipt = make(receipts)
        assert receipts.update(TTD_CALLER, save(receipt.id, status=status)).status.value == status

    def test_by_archive_reference_picks_the_newest(self, receipts):
        older = make(receipts, Reference("ArchiveReference", "AR"))
        newest = make(receipts, Reference("ArchiveReference", "AR"))
        updated = receipts.update(TTD_CALLER, save(archive="AR", text="Ny"))
        assert updated.id == newest.id and updated.text == "Ny"
        assert receipts.get(TTD_CALLER, older.id, []).text == "Sent"

    def test_by_archive_reference_unknown(self, receipts):
        make(receipts, Reference("ArchiveReference", "AR"))
        assert fails(receipts.update, TTD_CALLER, save(archive="nope")).error_id == 30008

    def test_archive_reference_means_that_type_only(self, receipts):
        make(receipts, Reference("BatchReference", "AR"))
        assert fails(receipts.update, TTD_CALLER, save(archive="AR")).error_id == 30008

    def test_both_id_and_archive_reference_is_error_0(self, receipts):
        receipt = make(receipts, Reference("ArchiveReference", "AR"))
        assert fails(receipts.update, TTD_CALLER, save(receipt.id, archive="AR")).error_id == 0
        assert receipts.get(TTD_CALLER, receipt.id, []) == receipt

    @pytest.mark.parametrize("receipt_id, archive", [(None, None), (0, None), (None, ""), (0, "")])
    def test_neither_is_error_0(self, receipts, receipt_id, archive):
        make(receipts)
        assert fails(receipts.update, TTD_CALLER, save(receipt_id, archive=archive)).error_id == 0

    def test_unknown_receipt(self, receipts):
        make(receipts)
        assert fails(receipts.update, TTD_CALLER, save(42)).error_id == ErrorCode.NO_RECEIPT

    def test_unknown_receipt_is_reported_before_bad_input(self, receipts):
        assert fails(receipts.update, TTD_CALLER, save(42, status=None, text=None)).error_id == 30008

    def test_no_access_is_error_0(self, receipts):
        receipt = make(receipts, Reference("PartyReference", OTHER_PARTY))
        error = fails(receipts.update, ETT_CALLER, save(receipt.id))
        assert error.error_id == ErrorCode.GENERAL_ERROR == 0
        assert receipts.get(TTD_CALLER, receipt.id, []) == receipt

    def test_no_access_by_archive_reference(self, receipts):
        make(receipts, Reference("ArchiveReference", "AR"))
        assert fails(receipts.update, ETT_CALLER, save(archive="AR")).error_id == 0

    def test_a_party_reference_may_update(self, receipts):
        receipt = make(receipts, Reference("PartyReference", ETT.orgno))
        assert receipts.update(ETT_CALLER, save(receipt.id, text="Lest")).text == "Lest"

    @pytest.mark.parametrize("status", [None, "", "NotSet", "Bogus", "ok"])
    def test_status_must_be_a_real_one(self, receipts, status):
        receipt = make(receipts)
        assert fails(receipts.update, TTD_CALLER, save(receipt.id, status=status)).error_id == 0
        assert receipts.get(TTD_CALLER, receipt.id, []) == receipt

    @pytest.mark.parametrize("text", [None, ""])
    def test_text_is_required(self, receipts, text):
        receipt = make(receipts)
        assert fails(receipts.update, TTD_CALLER, save(receipt.id, text=text)).error_id == 0
        assert receipts.get(TTD_CALLER, receipt.id, []) == receipt

    @pytest.mark.parametrize("reference_type", ["NotSet", "OwnerPartyReference"])
    def test_references_that_cannot_be_added(self, receipts, reference_type):
        receipt = make(receipts)
        update = save(receipt.id, references=[Reference("BatchReference", "B"), Reference(reference_type, "x")])
        assert fails(receipts.update, TTD_CALLER, update).error_id == 0
        assert receipts.get(TTD_CALLER, receipt.id, []) == receipt

    def test_references_are_added_without_duplicates(self, receipts):
        receipt = make(receipts, Reference("BatchReference", "B1"))
        updated = receipts.update(TTD_CALLER, save(receipt.id, references=[
            Reference("BatchReference", "B1"), Reference("ReceiversReference", "R1"),
            Reference("BatchReference", "B2")]))
        assert updated.references == receipt.references + (Reference("ReceiversReference", "R1"),
                                                           Reference("BatchReference", "B2"))
        again = receipts.update(TTD_CALLER, save(receipt.id, references=[Reference("ReceiversReference", "R1")]))
        assert again.references == updated.references
        assert receipts.get(TTD_CALLER, None, [Reference("BatchReference", "B2")]).id == receipt.id

    def test_a_reference_repeated_in_one_update_is_added_once(self, receipts):
        receipt = make(receipts)
        updated = receipts.update(TTD_CALLER, save(receipt.id, references=[Reference("BatchReference", "B")] * 2))
        assert updated.references == receipt.references + (Reference("BatchReference", "B"),)

    def test_an_added_party_reference_gives_access(self, receipts):
        receipt = make(receipts)
        receipts.update(TTD_CALLER, save(receipt.id, references=[Reference("PartyReference", ETT.orgno)]))
        assert receipts.get(ETT_CALLER, receipt.id, []).id == receipt.id

    def test_returns_the_receipt_with_its_sub_receipts(self, receipts):
        parent = make(receipts)
        child = make(receipts, parent_id=parent.id)
        assert receipts.update(TTD_CALLER, save(parent.id)).sub_receipts == (child,)


class TestSubReceipts:
    @pytest.fixture
    def family(self, receipts):
        parent = make(receipts, Reference("ArchiveReference", "AR"), text="Hoved")
        first = make(receipts, parent_id=parent.id, text="Del 1")
        second = make(receipts, parent_id=parent.id, text="Del 2")
        stranger = make(receipts, text="Fremmed")
        return parent, first, second, stranger

    def test_sub_receipts_are_updated(self, receipts, family, clock):
        parent, first, second, _ = family
        clock.advance(timedelta(minutes=5))
        updated = receipts.update(TTD_CALLER, save(parent.id, text="Hoved lest", subs=[
            save(second.id, status="Rejected", text="Del 2 avvist")]))
        assert updated.text == "Hoved lest"
        by_id = {r.id: r for r in updated.sub_receipts}
        assert by_id[first.id] == first
        changed = by_id[second.id]
        assert (changed.status, changed.text, changed.last_changed) == (ReceiptStatus.REJECTED, "Del 2 avvist",
                                                                       NOW + timedelta(minutes=5))
        assert changed.history.split("\n")[0] == \
            "Mar  2 2026 10:05AM - Rejected - Del 2 avvist (Receipt updated by AgencySystem: TTD)"
        assert receipts.get(TTD_CALLER, second.id, []) == changed

    def test_by_archive_reference_with_sub_receipts(self, receipts, family):
        parent, first, _, _ = family
        updated = receipts.update(TTD_CALLER, save(archive="AR", subs=[save(first.id, text="Ok del 1")]))
        assert updated.id == parent.id
        assert updated.sub_receipts[0].text == "Ok del 1"

    def test_sub_receipt_references_are_added(self, receipts, family):
        parent, first, _, _ = family
        receipts.update(TTD_CALLER, save(parent.id, subs=[
            save(first.id, references=[Reference("ReceiversReference", "RR")])]))
        assert Reference("ReceiversReference", "RR") in receipts.get(TTD_CALLER, first.id, []).references

    @pytest.mark.parametrize("which", ["none", "zero", "unknown", "stranger", "self"])
    def test_sub_receipts_are_never_created(self, receipts, family, which):
        parent, first, _, stranger = family
        sub_id = {"none": None, "zero": 0, "unknown": 99, "stranger": stranger.id, "self": parent.id}[which]
        error = fails(receipts.update, TTD_CALLER, save(parent.id, subs=[save(first.id), save(sub_id)]))
        assert error.error_id == ErrorCode.NO_RECEIPT
        assert len(receipts.get(TTD_CALLER, parent.id, []).sub_receipts) == 2

    def test_a_sub_receipt_listed_twice_is_refused_and_changes_nothing(self, receipts, family, clock):
        parent, first, second, _ = family
        clock.advance(timedelta(minutes=1))
        error = fails(receipts.update, TTD_CALLER, save(parent.id, text="Hoved ny", subs=[
            save(first.id, text="A"), save(first.id, text="B")]))
        assert (error.error_id, error.message) == (0, "A sub-receipt is listed more than once.")
        assert receipts.get(TTD_CALLER, parent.id, []) == replace(parent, sub_receipts=(first, second))

    def test_a_sub_receipt_has_no_sub_receipts_to_update(self, receipts, family):
        _, first, second, _ = family
        assert fails(receipts.update, TTD_CALLER, save(first.id, subs=[save(second.id)])).error_id == 30008

    @pytest.mark.parametrize("bad_sub, code", [
        (dict(receipt_id=99), 30008), (dict(status="NotSet"), 0), (dict(text=""), 0),
        (dict(references=(Reference("OwnerPartyReference", "x"),)), 0),
    ])
    def test_a_failing_sub_receipt_leaves_everything_unchanged(self, receipts, family, clock, bad_sub, code):
        parent, first, second, _ = family
        clock.advance(timedelta(minutes=1))
        bad = replace(save(second.id, text="Del 2 ny"), **bad_sub)
        error = fails(receipts.update, TTD_CALLER, save(parent.id, text="Hoved ny", subs=[
            save(first.id, text="Del 1 ny"), bad]))
        assert error.error_id == code
        assert receipts.get(TTD_CALLER, parent.id, []) == replace(parent, sub_receipts=(first, second))

    def test_children_are_read_in_id_order(self, receipts, family):
        parent, first, second, _ = family
        assert [r.id for r in receipts.get(TTD_CALLER, parent.id, []).sub_receipts] == [first.id, second.id]


def test_an_update_runs_in_one_transaction(db, clock):
    """The read-check-write of an update is one unit of work: no lost updates."""
    entered = []

    class Recording:
        def __enter__(self):
            entered.append("enter")

        def __exit__(self, *exc):
            entered.append("exit")
            return False

    service = ReceiptService(SqlReceipts(db), clock, Recording)
    receipt = service.create("Outbound", ReceiptStatus.OK, "x", owned())
    assert entered == []
    service.update(TTD_CALLER, save(receipt.id))
    assert entered == ["enter", "exit"]
