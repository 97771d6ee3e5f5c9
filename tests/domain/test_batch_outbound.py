"""Files the emulator writes to a service owner's outbound folder (docs/behaviour/batch.md): read and confirmation
receipts of correspondences as correspondence.confirmations.2010.10 files, checked against the real schema."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from support.contracts import require_batch_schema

from .batchfiles import correspondence, correspondences, deliver

NS = {"c": "http://schemas.altinn.no/services/intermediary/correspondence/confirmations/2010/10"}


def _confirming(emulator, *, on: bool = True):
    service = emulator.catalog.get_service("5678", 1)
    emulator.catalog.put_service(replace(service, confirmation_batches=on))


def _one_correspondence(emulator):
    deliver(emulator, correspondences(correspondence(1)))
    (stored,) = emulator.correspondence_store.list_correspondences()
    return stored


def _content(emulator, outbound) -> bytes:
    with emulator.files.open(outbound.file) as file:
        return file.read()


def test_a_read_and_a_confirmation_each_write_a_confirmations_file_that_validates(emulator):
    schema = etree.XMLSchema(etree.parse(str(require_batch_schema("correspondence.confirmations.2010.10.xsd"))))
    _confirming(emulator)
    stored = _one_correspondence(emulator)

    emulator.correspondence.read(stored.id)
    emulator.correspondence.read(stored.id)  # reading again changes nothing, and writes nothing
    emulator.correspondence.confirm(stored.id)

    files = emulator.batch_store.outbound_of("TTD")
    assert [f.name for f in files] == ["TTD_confirmations_000001.xml", "TTD_confirmations_000002.xml"]
    assert all(f.kind == "confirmations" for f in files)
    documents = [etree.fromstring(_content(emulator, f)) for f in files]
    for document in documents:
        schema.assert_(document)
    read, confirmed = documents
    assert read.findtext("c:SequenceNo", namespaces=NS) == "1"
    assert confirmed.findtext("c:PreviousSequenceNo", namespaces=NS) == "1"
    assert read.findtext("c:Confirmation/c:CorrespondenceReference", namespaces=NS) == "ref-1"
    assert read.find("c:Confirmation/c:Confirmed", NS) is None
    assert confirmed.find("c:Confirmation/c:Confirmed", NS) is not None
    assert read.findtext("c:SystemUserCode", namespaces=NS) == "TTD_BATCH"


def test_no_file_for_a_service_that_does_not_ask_for_them(emulator):
    _confirming(emulator, on=False)
    stored = _one_correspondence(emulator)
    emulator.correspondence.confirm(stored.id)
    assert emulator.batch_store.outbound_of("TTD") == []
