"""SQLite persistence of correspondences, digital post and receipts: round trips, filters, ordering,
chunked reference lookups, state across a restart, reset()."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.services.correspondence.rules.model import (BinaryAttachment, Correspondence, CorrespondenceStatus,
                                                           ReplyOption, SdpEvent, SdpRequest, SdpShipment, SdpStatus,
                                                           StatusChange, XmlAttachment)
from altinn_so.domain.receipts import Receipt, ReceiptStatus, Reference
from altinn_so.emulator import Emulator, Settings
from altinn_so.seeding import default_seed
from altinn_so.services.correspondence.store import SqlCorrespondences
from altinn_so.store.repositories import SqlReceipts

from .factories import KARI, NOW, OLA, ORG, correspondence, pdf, request, system_caller

SEED = default_seed()


@pytest.fixture
def store(db) -> SqlCorrespondences:
    return SqlCorrespondences(db)


@pytest.fixture
def receipt_store(db) -> SqlReceipts:
    return SqlReceipts(db)


def message(**fields) -> Correspondence:
    base = Correspondence(id=0, owner="TTD", service_code="5678", service_edition=1, reportee=OLA,
                          senders_reference="ref", created_at=NOW,
                          status_changes=(StatusChange(CorrespondenceStatus.CREATED, NOW),), receipt_id=0)
    return replace(base, **fields)


def shipment(**fields) -> SdpShipment:
    base = SdpShipment(id=0, owner="TTD", service_code="5678", service_edition=1, reportee=OLA, reference="ref",
                       created_at=NOW, events=(SdpEvent(SdpStatus.SENT, NOW),), setting="CopyAltinn",
                       primary_document="brev.pdf")
    return replace(base, **fields)


OWNED = Reference("OwnerPartyReference", "310001007")


def receipt(*references: Reference, receipt_type="Outbound", at=NOW, parent_id=0, text="t") -> Receipt:
    return Receipt(id=0, type=receipt_type, status=ReceiptStatus.OK, text=text, last_changed=at,
                   history=f"line {text}", parent_id=parent_id, references=tuple(references))


# -- correspondences -------------------------------------------------------------------------------------

class TestCorrespondences:
    def test_ids_are_assigned(self, store):
        assert [store.add_correspondence(message()).id for _ in range(3)] == [1, 2, 3]

    def test_full_round_trip(self, store):
        oslo = timezone(timedelta(hours=1))
        original = message(
            system="ttd-system", system_user_code="TTD_X", language="2068", title="T", summary="S", body="B æøå",
            custom_message_data="<add/>",
            binary_attachments=(BinaryAttachment("a.pdf", "A", b"\x00\xffdata", "Invoice", "PortalOnly", True, "s1"),
                                BinaryAttachment(None, None, b"")),
            xml_attachments=(XmlAttachment("<x/>", "s", "5703", 1, 2), XmlAttachment(None)),
            visible_at=datetime(2026, 3, 3, 10, 0, tzinfo=oslo), allow_system_delete_at=NOW + timedelta(days=365),
            due_at=NOW + timedelta(days=30), archive_reference="AR", reply_options=(
                ReplyOption("5679", "1"), ReplyOption(archive_reference="AR2"), ReplyOption(link_text="L",
                                                                                             link_url="https://x")),
            allow_forwarding=False, case_id=None, message_sender="Avsender", is_reservable=True, on_behalf_of=ORG,
            receipt_id=9,
            status_changes=(StatusChange(CorrespondenceStatus.CREATED, NOW),
                            StatusChange(CorrespondenceStatus.READ, NOW + timedelta(minutes=1))))
        stored = store.add_correspondence(original)
        assert stored == replace(original, id=1)
        assert store.get_correspondence(1) == stored
        # a document an earlier version stored, with the SDP shipment's id it no longer keeps, still loads
        assert Correspondence.from_dict({**stored.to_dict(), "sdp_id": 4}) == stored
        assert Correspondence.from_dict(stored.to_dict()) == stored
        assert store.list_correspondences() == [stored]

    def test_unknown(self, store):
        assert store.get_correspondence(1) is None

    def test_save_changes_the_status_column_too(self, store):
        stored = store.add_correspondence(message())
        read = replace(stored, status_changes=stored.status_changes
                       + (StatusChange(CorrespondenceStatus.READ, NOW + timedelta(hours=1)),), receipt_id=5)
        store.save_correspondence(read)
        assert store.get_correspondence(stored.id) == read
        assert [c.id for c in store.find_correspondences("TTD", status="Read")] == [1]
        assert store.find_correspondences("TTD", status="Created") == []

    def test_filters(self, store):
        rows = [
            message(),                                                             # 1
            message(owner="ETT", service_code="9100"),                             # 2
            message(service_code="4255", service_edition=10),                      # 3
            message(service_edition=2),                                            # 4
            message(reportee=KARI, created_at=NOW + timedelta(hours=1)),           # 5
            message(senders_reference="other", created_at=NOW + timedelta(hours=2)),  # 6
            message(status_changes=(StatusChange(CorrespondenceStatus.RESERVED, NOW),)),  # 7
        ]
        for row in rows:
            store.add_correspondence(row)

        def found(**where):
            return [c.id for c in store.find_correspondences(where.pop("owner", "TTD"), **where)]

        assert found() == [1, 3, 4, 7, 5, 6]  # in order of creation, ties by id
        assert found(owner="ETT") == [2]
        assert found(owner="NOPE") == []
        assert found(service=("5678", 1)) == [1, 7, 5, 6]
        assert found(service=("5678", 2)) == [4]
        assert found(service=("4255", 10)) == [3]
        assert found(created_after=NOW) == [5, 6]
        assert found(created_before=NOW + timedelta(hours=2)) == [1, 3, 4, 7, 5]
        assert found(created_after=NOW, created_before=NOW + timedelta(hours=2)) == [5]
        assert found(reportee=KARI) == [5]
        assert found(senders_references=["other"]) == [6]
        assert found(senders_references=[]) == []
        assert found(senders_references=["ref", "other"], service=("5678", 1)) == [1, 7, 5, 6]
        assert found(senders_references=["other", "ref"], reportee=OLA, service=("5678", 1)) == [1, 7, 6]
        assert found(status="Reserved") == [7]

        assert found(status="Created", reportee=OLA, service=("5678", 1)) == [1, 6]

    def test_pages_in_order_of_creation(self, store):
        """A clock moved back makes a later id the earlier correspondence; pages follow creation time."""
        for hours in (2, 0, 1, 1):
            store.add_correspondence(message(created_at=NOW + timedelta(hours=hours)))

        def page(after=None, limit=2):
            return [c.id for c in store.find_correspondences("TTD", after=after, limit=limit)]

        assert page(limit=None) == [2, 3, 4, 1]
        assert page() == [2, 3]
        assert page(after=(NOW + timedelta(hours=1), 3)) == [4, 1]
        assert page(after=(NOW + timedelta(hours=2), 1)) == []
        assert [c.id for c in store.find_correspondences("TTD", senders_references=["ref"], limit=3)] == [2, 3, 4]

    def test_time_filters_compare_instants_across_zones(self, store):
        store.add_correspondence(message(created_at=datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))))
        assert store.find_correspondences("TTD", created_after=NOW - timedelta(microseconds=1)) != []
        assert store.find_correspondences("TTD", created_after=NOW) == []
        assert store.find_correspondences("TTD", created_before=NOW + timedelta(microseconds=1)) != []

    def test_more_than_500_references_are_looked_up_in_chunks(self, store):
        for n in range(1, 1201):
            store.add_correspondence(message(senders_reference=f"r{n}"))
        wanted = [f"r{n}" for n in range(1200, 0, -1)] + ["unknown"] * 5 + ["r7"]  # reversed, with duplicates
        result = store.find_correspondences("TTD", senders_references=wanted)
        assert [c.id for c in result] == list(range(1, 1201))
        some = [f"r{n}" for n in (1199, 3, 600, 501, 500, 1001)]
        assert [c.senders_reference for c in store.find_correspondences("TTD", senders_references=some)] == \
            ["r3", "r500", "r501", "r600", "r1001", "r1199"]
        assert store.find_correspondences("ETT", senders_references=wanted) == []

    def test_shared_references_in_different_chunks(self, store):
        for n in range(1, 1002):
            store.add_correspondence(message(senders_reference="shared" if n in (1, 1001) else f"r{n}"))
        refs = ["shared"] + [f"r{n}" for n in range(2, 700)]
        assert [c.id for c in store.find_correspondences("TTD", senders_references=refs)][:2] == [1, 2]
        assert [c.id for c in store.find_correspondences("TTD", senders_references=["shared"])] == [1, 1001]


class TestSdp:
    def test_round_trip(self, store):
        original = shipment(correspondence_id=3, title="Vedtak",
                            events=(SdpEvent(SdpStatus.SENT, NOW), SdpEvent(SdpStatus.DELIVERED,
                                                                            NOW + timedelta(minutes=1))),
                            notices=(("Email", "a@b.no", (0, 7)), ("SMS", "+4791234567", ())))
        stored = store.add_sdp(original)
        assert stored == replace(original, id=1)
        assert store.find_sdp("TTD") == [stored]
        assert SdpShipment.from_dict(stored.to_dict()) == stored

    def test_save(self, store):
        stored = store.add_sdp(shipment())
        failed = replace(stored, events=stored.events + (SdpEvent(SdpStatus.DELIVERY_FAILED, NOW),))
        store.save_sdp(failed)
        assert store.find_sdp("TTD") == [failed]

    def test_filters(self, store):
        for row in (shipment(), shipment(owner="ETT"), shipment(service_edition=2),
                    shipment(reportee=KARI, created_at=NOW + timedelta(hours=1)),
                    shipment(reference="other", created_at=NOW + timedelta(hours=2))):
            store.add_sdp(row)

        def found(owner="TTD", **where):
            return [s.id for s in store.find_sdp(owner, **where)]

        assert found() == [1, 3, 4, 5]
        assert found("ETT") == [2]
        assert found(service=("5678", 1)) == [1, 4, 5]
        assert found(created_after=NOW) == [4, 5]
        assert found(created_before=NOW + timedelta(hours=2)) == [1, 3, 4]
        assert found(reportee=KARI) == [4]
        assert found(references=["other", "nope"]) == [5]
        assert found(references=[]) == []

    def test_references_in_chunks(self, store):
        for n in range(1, 1102):
            store.add_sdp(shipment(reference=f"s{n}"))
        assert [s.id for s in store.find_sdp("TTD", references=[f"s{n}" for n in range(1101, 0, -1)])] == \
            list(range(1, 1102))


# -- receipts ----------------------------------------------------------------------------------------------

class TestReceipts:
    def test_round_trip(self, receipt_store):
        original = replace(receipt(Reference("OwnerPartyReference", "310001007"), Reference("BatchReference", "B")),
                           template="T", status=ReceiptStatus.VALIDATION_FAILED)
        stored = receipt_store.add_receipt(original)
        assert stored == replace(original, id=1)
        assert receipt_store.get_receipt(1) == stored
        assert Receipt.from_dict(stored.to_dict()) == stored
        assert receipt_store.get_receipt(2) is None

    def test_children_in_id_order(self, receipt_store):
        parent = receipt_store.add_receipt(receipt())
        receipt_store.add_receipt(receipt())
        first = receipt_store.add_receipt(receipt(parent_id=parent.id))
        second = receipt_store.add_receipt(receipt(parent_id=parent.id))
        assert receipt_store.children_of(parent.id) == [first, second]
        assert receipt_store.children_of(first.id) == []
        assert [r.id for r in receipt_store.children_of(0)] == [1, 2]  # the top-level receipts

    def test_find_by_reference_newest_first(self, receipt_store):
        for value in ("A", "B", "A", "A"):
            receipt_store.add_receipt(receipt(Reference("ArchiveReference", value)))
        assert [r.id for r in receipt_store.find_by_reference("ArchiveReference", "A")] == [4, 3, 1]
        assert receipt_store.find_by_reference("BatchReference", "A") == []
        assert receipt_store.find_by_reference("ArchiveReference", "a") == []

    def test_save_rewrites_references_and_last_changed(self, receipt_store):
        stored = receipt_store.add_receipt(receipt(OWNED, Reference("BatchReference", "old")))
        changed = replace(stored, references=(OWNED, Reference("BatchReference", "new")), text="ny",
                          last_changed=NOW + timedelta(hours=3))
        receipt_store.save_receipt(changed)
        assert receipt_store.get_receipt(stored.id) == changed
        assert receipt_store.find_by_reference("BatchReference", "old") == []
        assert receipt_store.find_by_reference("BatchReference", "new") == [changed]
        assert receipt_store.list_changed("Outbound", NOW + timedelta(hours=3), None, OWNED.value) == [changed]
        assert receipt_store.list_changed("Outbound", None, NOW + timedelta(hours=2), OWNED.value) == []

    def test_list_changed(self, receipt_store):
        for hours, receipt_type in ((2, "Outbound"), (0, "Outbound"), (1, "Outbound"), (1, "Correspondence")):
            receipt_store.add_receipt(receipt(OWNED, receipt_type=receipt_type, at=NOW + timedelta(hours=hours)))

        def found(since=None, until=None, receipt_type="Outbound"):
            return [r.id for r in receipt_store.list_changed(receipt_type, since, until, OWNED.value)]

        assert found() == [1, 2, 3]  # id order, not time order
        assert found(NOW + timedelta(hours=1)) == [1, 3]
        assert found(None, NOW + timedelta(hours=1)) == [2, 3]
        assert found(NOW + timedelta(hours=1), NOW + timedelta(hours=1)) == [3]
        assert found(receipt_type="Correspondence") == [4]
        assert found(receipt_type="PreFill") == []
        other_zone = datetime(2026, 3, 2, 5, 0, tzinfo=timezone(-timedelta(hours=5)))  # = NOW + 1h
        assert found(other_zone, other_zone) == [3]

    def test_list_changed_finds_the_party_s_top_level_receipts_only(self, receipt_store):
        mine = receipt_store.add_receipt(receipt(OWNED))
        receipt_store.add_receipt(receipt(Reference("OwnerPartyReference", "310002003")))  # another owner's
        shared = receipt_store.add_receipt(receipt(Reference("OwnerPartyReference", "310002003"),
                                                   Reference("PartyReference", OWNED.value)))
        receipt_store.add_receipt(receipt(OWNED, parent_id=mine.id))  # a sub-receipt
        receipt_store.add_receipt(receipt(Reference("ArchiveReference", OWNED.value)))  # the value, not a party
        both = receipt_store.add_receipt(receipt(OWNED, Reference("PartyReference", OWNED.value)))
        assert [r.id for r in receipt_store.list_changed("Outbound", None, None, OWNED.value)] == \
            [mine.id, shared.id, both.id]  # each once
        assert receipt_store.list_changed("Outbound", None, None, "310003018") == []

    def test_children_of_each_in_one_read(self, receipt_store):
        first, second, lonely = (receipt_store.add_receipt(receipt()) for _ in range(3))
        a = receipt_store.add_receipt(receipt(parent_id=second.id))
        b = receipt_store.add_receipt(receipt(parent_id=first.id))
        c = receipt_store.add_receipt(receipt(parent_id=second.id))
        assert receipt_store.children_of_each([second.id, first.id, lonely.id]) == {
            second.id: [a, c], first.id: [b], lonely.id: []}
        assert receipt_store.children_of_each([]) == {}
        many = [first.id] + list(range(1000, 1700))  # more ids than one statement takes
        assert receipt_store.children_of_each(many)[first.id] == [b]

    def test_list_receipts(self, receipt_store):
        for _ in range(3):
            receipt_store.add_receipt(receipt())
        assert [r.id for r in receipt_store.list_receipts()] == [1, 2, 3]
        assert [r.id for r in receipt_store.list_receipts(newest=2)] == [2, 3]  # the newest, still in id order
        assert [r.id for r in receipt_store.list_receipts(newest=9)] == [1, 2, 3]


def test_the_newest_of_each_kind_and_the_counts(db, store):
    for n in range(3):
        store.add_correspondence(message(senders_reference=f"r{n}"))
    assert [c.senders_reference for c in store.list_correspondences(newest=2)] == ["r1", "r2"]
    assert store.list_sdp(newest=5) == []
    assert db.count_rows(("correspondences", "receipts", "sdp_shipments")) == \
        {"correspondences": 3, "receipts": 0, "sdp_shipments": 0}


# -- a whole emulator: restart and reset ---------------------------------------------------------------------

def fill(emulator):
    caller = system_caller(emulator)
    emulator.correspondence.insert(caller, correspondence(OLA, reference="A", notifications=[
        request(None, "Email", template="TokenTextOnly", tokens=["a", "b"])]))
    emulator.correspondence.insert(caller, correspondence(OLA, reference="L", binary_attachments=[pdf()],
                                                          sdp=SdpRequest("CopyAltinn", "brev.pdf")))
    emulator.correspondence.read(1)
    return emulator.correspondence.create_simple_service(caller, "2000", 1)


class TestRestartAndReset:
    def test_a_store_of_a_release_before_service_tables_keeps_its_correspondences(self, persistent_url, clock):
        """Until schema 7 the correspondence tables were core tables, and no service kept a version of its own:
        such a store has the tables and their rows, and no ``schema_version:correspondence``. Opening it keeps
        every row, and its numbering goes on."""
        first = Emulator(Settings(database=persistent_url), clock=clock, seed=SEED)
        try:
            fill(first)
            before = first.correspondence_store.list_correspondences()
            with first.db.transaction():
                first.db.execute("DELETE FROM meta WHERE key = 'schema_version:correspondence'")
        finally:
            first.close()
        second = Emulator(Settings(database=persistent_url), clock=clock, seed=SEED)
        try:
            assert second.db.get_meta("schema_version:correspondence") == "1"
            assert second.correspondence_store.list_correspondences() == before
            second.correspondence.insert(system_caller(second), correspondence(reference="C"))
            assert second.correspondence_store.list_correspondences()[-1].id == len(before) + 1
        finally:
            second.close()

    def test_state_survives_a_restart(self, persistent_url, clock):
        path = persistent_url
        first = Emulator(Settings(database=path), clock=clock, seed=SEED)
        try:
            fill(first)
            before = (first.correspondence_store.list_correspondences(), first.receipt_store.list_receipts(),
                      first.correspondence_store.find_sdp("TTD"), first.outbox.list_messages())
        finally:
            first.close()
        second = Emulator(Settings(database=path), clock=clock, seed=SEED)
        try:
            after = (second.correspondence_store.list_correspondences(), second.receipt_store.list_receipts(),
                     second.correspondence_store.find_sdp("TTD"), second.outbox.list_messages())
            assert after == before
            assert after[0][0].status is CorrespondenceStatus.READ
            assert len(after[1]) == 3 and len(after[2]) == 1
            receipt = second.correspondence.insert(system_caller(second), correspondence(reference="C"))
            assert receipt.id == 4
            assert second.correspondence_store.list_correspondences()[-1].id == 3
            history = second.correspondence.status_history(system_caller(second), ["A", "L", "C"])
            assert [v.correspondence.id for v in history.correspondences] == [1, 2, 3]
        finally:
            second.close()

    def test_reset_clears_correspondences_and_receipts_and_restarts_ids(self, emulator):
        fill(emulator)
        emulator.reset()
        assert emulator.correspondence_store.list_correspondences() == []
        assert emulator.receipt_store.list_receipts() == []
        assert emulator.correspondence_store.find_sdp("TTD") == []
        assert emulator.outbox.list_messages() == []
        assert emulator.catalog.get_service("100001", 1) is None
        assert emulator.catalog.get_service("5678", 1) is not None  # the seed is back
        service = fill(emulator)
        assert service.code == "100001"
        assert [c.id for c in emulator.correspondence_store.list_correspondences()] == [1, 2]
        assert [r.id for r in emulator.receipt_store.list_receipts()] == [1, 2, 3]
        assert [s.id for s in emulator.correspondence_store.find_sdp("TTD")] == [1]
        assert [m.notification_id for m in emulator.outbox.list_messages()] == [1]
