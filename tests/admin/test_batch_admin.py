"""The batch interface in the admin API, through the pytest plugin's client (docs/behaviour/batch-logging.md,
"Admin API"): a batch uploaded without SFTP, a round of reading now, a batch with its items and issues, and the
outbound folders. The batch formats' readers are another piece's: a small reader of a test format stands in."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from lxml import etree

from altinn_so.pytest_plugin import AdminClient, AdminError
from altinn_so.services.batch import READERS
from altinn_so.services.batch.rules import BatchRefused, OutboundFile

TEST_ROOT = "{urn:altinn-so:test-batch}Batch"
GOOD = b'<Batch xmlns="urn:altinn-so:test-batch">\n  <Entity ok="yes"/>\n  <Entity ok="no"/>\n</Batch>'


def read_test_batch(emulator, reading, file) -> None:
    """Each Entity is an item; one with ok="no" gets an error; a Batch with refuse="yes" is refused whole."""
    root = etree.parse(file).getroot()
    reading.describe(kind="Correspondence", system_user_code="TTD_SAK", sequence=3)
    if root.get("refuse") == "yes":
        reading.refuse(2, "refused whole")
        raise BatchRefused()
    for entity in root:
        item = reading.item(entity.sourceline, 3, etree.tostring(entity).decode())
        if entity.get("ok") == "no":
            reading.issue(item, 40012, "FormDataIsNotValid")
        else:
            reading.done(item, "correspondence 1")


@pytest.fixture
def admin(base_url, monkeypatch) -> AdminClient:
    monkeypatch.setitem(READERS, TEST_ROOT, read_test_batch)
    return AdminClient(base_url)


def test_an_uploaded_batch_waits_then_a_round_reads_it(admin, emulator):
    batch = admin.upload_batch("TTD", "ttd-system", "letters.xml", GOOD)
    assert (batch["state"], batch["owner"], batch["system"], batch["file_name"], batch["size"]) == (
        "Received", "TTD", "ttd-system", "letters.xml", len(GOOD))
    assert batch["file"] == hashlib.sha256(GOOD).hexdigest()
    with emulator.files.open(batch["file"]) as stored:
        assert stored.read() == GOOD

    [read] = admin.process_batches()
    assert (read["id"], read["state"], read["number_of_items"], read["number_of_issues"], read["sequence"]) == (batch["id"], "Processed",
                                                                                           2, 1, 3)
    assert admin.process_batches() == []  # nothing waits any more

    shown = admin.batch(batch["id"])
    assert [(i["line"], i["state"], i["result"]) for i in shown["data_items"]] == [
        (2, "OK", "correspondence 1"), (3, "Failed", None)]
    assert [(i["item_id"], i["code"], i["level"]) for i in shown["issues"]] == [
        (shown["data_items"][1]["id"], 40012, "Error")]
    assert [b["id"] for b in admin.state("data-batches")] == [batch["id"]]
    assert [i["description"] for i in admin.state("batch-issues")] == ["FormDataIsNotValid"]


def test_a_round_reads_every_batch_that_waits(admin):
    uploaded = [admin.upload_batch("TTD", "ttd-system", f"b{n}.xml", GOOD)["id"] for n in range(25)]
    uploaded.append(admin.upload_batch("TTD", "ttd-system", "refused.xml",
                                       b'<Batch xmlns="urn:altinn-so:test-batch" refuse="yes"/>')["id"])
    uploaded.append(admin.upload_batch("TTD", "ttd-system", "notes.txt", b"not XML at all")["id"])
    read = admin.process_batches()  # more than one of the clock's rounds (20 a round)
    assert [b["id"] for b in read] == uploaded
    assert [b["state"] for b in read[-2:]] == ["Refused", "Refused"]
    assert [(i["item_id"], i["code"], i["level"]) for i in admin.batch(uploaded[-1])["issues"]] == [
        (None, 1, "Critical")]


@pytest.mark.parametrize(("query", "message"), [
    ({"owner": "NOPE", "system": "ttd-system", "file_name": "a.xml"}, "no service owner"),
    ({"owner": "TTD", "system": "ett-system", "file_name": "a.xml"}, "no agency system of TTD"),
    ({"owner": "TTD", "system": "ttd-system", "file_name": "../a.xml"}, "without folders"),
    ({"owner": "TTD", "system": "ttd-system", "file_name": ""}, "without folders"),
    ({"owner": "TTD", "system": "ttd-system"}, "without folders"),
])
def test_an_upload_names_an_owner_its_system_and_a_plain_file_name(admin, query, message):
    with pytest.raises(AdminError) as caught:
        admin.request("POST", "/batches", GOOD, **query)
    assert caught.value.status == 400 and message in str(caught.value)
    assert admin.state("data-batches") == []


def test_an_empty_upload_is_400(admin):
    with pytest.raises(AdminError) as caught:
        admin.upload_batch("TTD", "ttd-system", "empty.xml", b"")
    assert caught.value.status == 400 and admin.state("data-batches") == []


def test_an_unknown_batch_is_404(admin):
    with pytest.raises(AdminError) as caught:
        admin.batch(404)
    assert caught.value.status == 404


def put_outbound(emulator, owner: str, name: str, data: bytes) -> OutboundFile:
    stored = emulator.files.put([data])
    return emulator.batch_store.add_outbound(OutboundFile(0, owner, name, stored.sha256, stored.size,
                                                          emulator.clock.now(), "genericbatch"))


def test_outbound_files_of_an_owner_and_their_bytes(admin, emulator):
    first = put_outbound(emulator, "TTD", "genericbatch.1.xml", b"<DataBatch>1</DataBatch>")
    put_outbound(emulator, "TTD", "genericbatch.2.xml", b"<DataBatch>2</DataBatch>")
    put_outbound(emulator, "ETT", "confirmations.1.xml", b"<Confirmations/>")
    fetched = put_outbound(emulator, "TTD", "genericbatch.0.xml", b"<DataBatch>0</DataBatch>")
    emulator.batch_store.save_outbound(replace(fetched, removed_at=emulator.clock.now()))

    files = admin.outbound_files("TTD")
    assert [(f["name"], f["kind"], f["size"]) for f in files] == [
        ("genericbatch.1.xml", "genericbatch", 24), ("genericbatch.2.xml", "genericbatch", 24)]
    assert files[0]["id"] == first.id
    assert admin.outbound_file("TTD", "genericbatch.2.xml") == b"<DataBatch>2</DataBatch>"
    assert [f["name"] for f in admin.outbound_files("ETT")] == ["confirmations.1.xml"]
    assert len(admin.state("outbound-files")) == 4  # the listing keeps the fetched one, with when


@pytest.mark.parametrize(("owner", "name"), [("TTD", "genericbatch.0.xml"), ("ETT", "genericbatch.1.xml"),
                                             ("TTD", "nothing.xml")])
def test_a_fetched_unknown_or_other_owners_outbound_file_is_404(admin, emulator, owner, name):
    put_outbound(emulator, "TTD", "genericbatch.1.xml", b"<DataBatch/>")
    fetched = put_outbound(emulator, "TTD", "genericbatch.0.xml", b"<DataBatch/>")
    emulator.batch_store.save_outbound(replace(fetched, removed_at=emulator.clock.now()))
    with pytest.raises(AdminError) as caught:
        admin.outbound_file(owner, name)
    assert caught.value.status == 404
