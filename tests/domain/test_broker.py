"""The broker (docs/behaviour/broker.md; decisions D70-D79): initiation, upload, polling, listing, download and
confirmation, every ErrorID, the SRR rules and their conditions, receipts, and retention by the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.domain.errors import AltinnError
from altinn_so.services.broker.rules import Initiation, Search, upload_receipt_text
from altinn_so.services.srr import RightRule
from altinn_so.services.srr.rules import RightRequest

from support.broker import ETT_ORGNO, TTD_ORGNO, Rights, a_zip, sender_and_recipient

from .factories import ORG, system_caller


@pytest.fixture
def rights(emulator) -> Rights:
    return sender_and_recipient(emulator)


@pytest.fixture
def ttd(emulator):
    return system_caller(emulator)


@pytest.fixture
def ett(emulator):
    return system_caller(emulator, "ett-system")


def initiation(*recipients, code="5690", edition=1, reportee=TTD_ORGNO) -> Initiation:
    return Initiation(service_code=code, service_edition=edition, senders_reference="send-1", reportee=reportee,
                      recipients=recipients or (ETT_ORGNO,), files=(("data.zip", None),))


def fails(call, *args) -> int:
    with pytest.raises(AltinnError) as caught:
        call(*args)
    return caught.value.error_id


def sent(emulator, ttd, data=None, *recipients):
    shipment = emulator.broker.initiate(ttd, initiation(*recipients))
    emulator.broker.upload(ttd, shipment.reference, TTD_ORGNO, "data.zip", [a_zip() if data is None else data])
    return emulator.broker_store.get(shipment.reference)


# -- InitiateBrokerService --------------------------------------------------------------------------------

def test_initiate_keeps_the_manifest_and_returns_a_guid_reference(emulator, rights, ttd):
    shipment = emulator.broker.initiate(ttd, initiation())
    stored = emulator.broker_store.get(shipment.reference)
    assert len(shipment.reference) == 36 and shipment.reference.count("-") == 4
    assert stored.sender == TTD_ORGNO and [r.party for r in stored.recipients] == [ETT_ORGNO]
    assert stored.state == "Initiated" and stored.manifest_files == (("data.zip", None),)


@pytest.mark.parametrize("code, edition", [("4255", 10), ("9999", 1), (None, 1), ("5690", 0)])
def test_initiate_needs_a_broker_service(emulator, rights, ttd, code, edition):
    assert fails(emulator.broker.initiate, ttd, initiation(code=code, edition=edition)) == 40210


def test_initiate_for_another_reportee_is_not_authorized(emulator, rights, ttd):
    assert fails(emulator.broker.initiate, ttd, initiation(reportee=ETT_ORGNO)) == 40211


def test_a_sender_without_write_is_refused(emulator, rights, ttd):
    rights.remove(TTD_ORGNO)
    rights.add(TTD_ORGNO, "Read")
    assert fails(emulator.broker.initiate, ttd, initiation()) == 40201


def test_an_expired_right_is_no_right(emulator, rights, ttd):
    rights.remove(TTD_ORGNO)
    rights.add(TTD_ORGNO, "Write", valid_to=emulator.clock.now() - timedelta(seconds=1))
    assert fails(emulator.broker.initiate, ttd, initiation()) == 40201


def test_a_recipient_without_read_or_none_at_all_is_refused(emulator, rights, ttd):
    assert fails(emulator.broker.initiate, ttd, initiation(ORG)) == 40202
    assert fails(emulator.broker.initiate, ttd, initiation("")) == 40202


def test_write_on_condition_recipient_reaches_only_read_on_condition_sender(emulator, rights, ttd):
    rights.remove(TTD_ORGNO)
    rights.add(TTD_ORGNO, "Write", "recipient")
    assert fails(emulator.broker.initiate, ttd, initiation(ETT_ORGNO)) == 40202  # plain Read
    rights.add(ORG, "Read", "sender")
    assert emulator.broker.initiate(ttd, initiation(ORG)).reference


def test_unconditioned_write_reaches_read_on_condition_sender(emulator, rights, ttd):
    rights.add(ORG, "Read", "sender")
    assert emulator.broker.initiate(ttd, initiation(ORG, ETT_ORGNO)).reference


# -- UploadFileStreamed -----------------------------------------------------------------------------------

def test_upload_keeps_the_zip_and_writes_main_and_sub_receipts(emulator, rights, ttd, ett):
    shipment = emulator.broker.initiate(ttd, initiation())
    main = emulator.broker.upload(ttd, shipment.reference, TTD_ORGNO, "data.zip", [a_zip()])
    assert main.type == "BrokerService" and main.status.value == "OK" and main.parent_id == 0
    assert main.text == upload_receipt_text("data.zip")
    assert main.text == "Upload of file data.zip was successful. Recipients can now download the file."
    stored = emulator.broker_store.get(shipment.reference)
    assert stored.state == "Uploaded" and stored.file.size == len(a_zip())
    assert stored.expires_at == stored.uploaded_at + timedelta(days=14)  # the seed's retention_days
    with emulator.files.open(stored.file.sha256) as handle:
        assert handle.read() == a_zip()
    seen_by_sender = emulator.receipts.get(ttd, main.id, [])
    assert [s.id for s in seen_by_sender.sub_receipts] == [stored.recipients[0].receipt_id]
    sub = emulator.receipts.get(ett, stored.recipients[0].receipt_id, [])  # the recipient sees its sub-receipt
    assert sub.parent_id == main.id


def _initiated(emulator, ttd):
    return emulator.broker.initiate(ttd, initiation()).reference


@pytest.mark.parametrize("data, error", [
    (b"", 40205),
    (b"not a zip at all", 40206),
    (a_zip()[:-30], 40206),  # a truncated body: no central directory
])
def test_upload_of_bad_data_is_refused_and_leaves_no_file(emulator, rights, ttd, data, error):
    reference = _initiated(emulator, ttd)
    before = set(emulator.files.hashes())
    assert fails(emulator.broker.upload, ttd, reference, TTD_ORGNO, "x.zip", [data]) == error
    assert set(emulator.files.hashes()) == before
    assert emulator.broker_store.get(reference).state == "Initiated"
    emulator.broker.upload(ttd, reference, TTD_ORGNO, "x.zip", [a_zip()])  # the reference stays usable


def test_upload_larger_than_the_limit_is_refused(emulator, rights, ttd):
    reference = _initiated(emulator, ttd)
    emulator.broker.max_file_bytes = 10
    before = set(emulator.files.hashes())  # (a PostgreSQL store's files outlive a test: compare)
    assert fails(emulator.broker.upload, ttd, reference, TTD_ORGNO, "x.zip", [a_zip("too large")]) == 40204
    assert set(emulator.files.hashes()) == before


def test_upload_checks_reference_reportee_and_rights_before_reading_the_body(emulator, rights, ttd, ett):
    reference = _initiated(emulator, ttd)

    def body():
        raise AssertionError("the body was read")
        yield b""

    assert fails(emulator.broker.upload, ttd, "no-such-reference", TTD_ORGNO, "x.zip", body()) == 40212
    assert fails(emulator.broker.upload, ttd, reference, ETT_ORGNO, "x.zip", body()) == 40211
    assert fails(emulator.broker.upload, ett, reference, ETT_ORGNO, "x.zip", body()) == 40213
    rights.remove(TTD_ORGNO)
    assert fails(emulator.broker.upload, ttd, reference, TTD_ORGNO, "x.zip", body()) == 40201


def test_a_reference_takes_one_upload(emulator, rights, ttd):
    shipment = sent(emulator, ttd)
    before = set(emulator.files.hashes())
    assert fails(emulator.broker.upload, ttd, shipment.reference, TTD_ORGNO, "x.zip", [a_zip("again")]) == 40208
    assert set(emulator.files.hashes()) == before and shipment.file.sha256 in before


def test_an_infected_upload_is_refused_once(emulator, rights, ttd):
    reference = _initiated(emulator, ttd)
    emulator.broker.mark_infected(reference)
    before = set(emulator.files.hashes())
    assert fails(emulator.broker.upload, ttd, reference, TTD_ORGNO, "x.zip", [a_zip("infected")]) == 40209
    assert set(emulator.files.hashes()) == before
    emulator.broker.upload(ttd, reference, TTD_ORGNO, "x.zip", [a_zip("infected")])


# -- polling, listing, download, confirmation -------------------------------------------------------------

def test_the_recipient_polls_lists_downloads_and_confirms(emulator, rights, ttd, ett):
    assert emulator.broker.check_available(ett, [ETT_ORGNO]) is False
    shipment = sent(emulator, ttd)
    assert emulator.broker.check_available(ett, [ETT_ORGNO]) is True
    assert emulator.broker.check_available(ett, [ETT_ORGNO], "5690", 1) is True
    listed = emulator.broker.available_files(ett, Search(ETT_ORGNO, "Uploaded"))
    assert [f.shipment.reference for f in listed] == [shipment.reference]
    assert listed[0].recipient.receipt_id == shipment.recipients[0].receipt_id
    assert emulator.broker.download(ett, shipment.reference, ETT_ORGNO).file == shipment.file
    emulator.broker.confirm_downloaded(ett, shipment.reference, ETT_ORGNO)
    assert emulator.broker.available_files(ett, Search(ETT_ORGNO, "Uploaded")) == []
    assert [f.shipment.reference for f in emulator.broker.available_files(ett, Search(ETT_ORGNO, "Downloaded"))] \
        == [shipment.reference]
    assert emulator.broker.check_available(ett, [ETT_ORGNO]) is False
    sub = emulator.receipts.get(ttd, shipment.receipt_id, []).sub_receipts[0]  # the sender sees the download
    assert "downloaded" in sub.text


def test_listing_filters_by_service_and_sent_time(emulator, rights, ttd, ett):
    shipment = sent(emulator, ttd)
    later = shipment.uploaded_at + timedelta(seconds=1)
    assert emulator.broker.available_files(ett, Search(ETT_ORGNO, "Uploaded", min_sent=later)) == []
    assert len(emulator.broker.available_files(ett, Search(ETT_ORGNO, "Uploaded", max_sent=later))) == 1
    assert fails(emulator.broker.available_files, ett, Search(ETT_ORGNO, "Uploaded", "4255", 10)) == 40210


@pytest.mark.parametrize("reportee, error", [("12ab", 40214), (None, 40214), (TTD_ORGNO, 40211)])
def test_listing_for_a_bad_or_foreign_reportee(emulator, rights, ett, reportee, error):
    assert fails(emulator.broker.available_files, ett, Search(reportee, "Uploaded")) == error


def test_polling_for_another_party_is_not_authorized(emulator, rights, ett):
    assert fails(emulator.broker.check_available, ett, [f"{ETT_ORGNO},{TTD_ORGNO}"]) == 40211
    assert fails(emulator.broker.check_available, ett, []) == 40214


def test_a_lost_read_right_hides_the_file_and_refuses_the_download(emulator, rights, ttd, ett):
    shipment = sent(emulator, ttd)
    rights.remove(ETT_ORGNO)
    assert emulator.broker.available_files(ett, Search(ETT_ORGNO, "Uploaded")) == []  # silently hidden
    assert emulator.broker.check_available(ett, [ETT_ORGNO]) is False
    assert fails(emulator.broker.download, ett, shipment.reference, ETT_ORGNO) == 40215
    assert fails(emulator.broker.confirm_downloaded, ett, shipment.reference, ETT_ORGNO) == 40215


def test_download_checks(emulator, rights, ttd, ett):
    reference = _initiated(emulator, ttd)
    assert fails(emulator.broker.download, ett, reference, ETT_ORGNO) == 40207  # nothing uploaded yet
    assert fails(emulator.broker.download, ett, "no-such-reference", ETT_ORGNO) == 40212
    assert fails(emulator.broker.download, ett, reference, TTD_ORGNO) == 40211
    assert fails(emulator.broker.download, ttd, reference, TTD_ORGNO) == 40213  # the sender is no recipient
    assert fails(emulator.broker.confirm_downloaded, ett, reference, ETT_ORGNO) == 40212
    assert fails(emulator.broker.confirm_downloaded, ttd, reference, TTD_ORGNO) == 40213


# -- retention --------------------------------------------------------------------------------------------

def test_retention_removes_the_file_downloaded_or_not(emulator, rights, ttd, ett):
    shipment = sent(emulator, ttd)
    emulator.clock.advance(timedelta(days=13))
    assert emulator.run_due_work() == 0
    emulator.clock.advance(timedelta(days=1, seconds=1))
    assert emulator.run_due_work() == 1
    gone = emulator.broker_store.get(shipment.reference)
    assert gone.state == "Deleted" and gone.file is None
    assert not emulator.files.exists(shipment.file.sha256)
    assert emulator.broker.available_files(ett, Search(ETT_ORGNO, "Uploaded")) == []
    assert fails(emulator.broker.download, ett, shipment.reference, ETT_ORGNO) == 40207


def test_retention_keeps_content_another_shipment_still_has(emulator, rights, ttd):
    first = sent(emulator, ttd)
    emulator.clock.advance(timedelta(days=10))
    second = sent(emulator, ttd)  # the same bytes: one file in the store
    assert first.file.sha256 == second.file.sha256
    emulator.clock.advance(timedelta(days=5))
    assert emulator.run_due_work() == 1
    assert emulator.files.exists(first.file.sha256)
    emulator.clock.advance(timedelta(days=10))
    assert emulator.run_due_work() == 1
    assert not emulator.files.exists(first.file.sha256)


# -- the emulator's own rights register -------------------------------------------------------------------

def test_the_rights_register_gates_the_broker_and_a_removal_takes_effect_at_once(emulator, ttd, ett):
    """Without a test register: the rules the SRR service keeps (its seed section's shape), read on every call."""
    for reportee, right in ((TTD_ORGNO, "Write"), (ETT_ORGNO, "Read")):
        emulator.srr_store.put(RightRule.from_seed({"service": "5690:1", "reportee": reportee, "right": right,
                                                    "valid_to": "2030-01-01T00:00:00Z"}))
    shipment = sent(emulator, ttd)
    assert emulator.broker.check_available(ett, [ETT_ORGNO]) is True
    emulator.srr.delete_rights(ttd, "5690", 1, [RightRequest(reportee=ETT_ORGNO, right="Read", condition=None)])
    assert emulator.broker.check_available(ett, [ETT_ORGNO]) is False
    assert fails(emulator.broker.download, ett, shipment.reference, ETT_ORGNO) == 40215
