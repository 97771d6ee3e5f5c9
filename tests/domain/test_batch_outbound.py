"""Files the emulator writes to a service owner's outbound folder (docs/behaviour/batch.md): read and confirmation
receipts of correspondences as correspondence.confirmations.2010.10 files, checked against the real schema."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from support.contracts import require_batch_schema

from support.batchfiles import correspondence, correspondences, deliver

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


# -- archived submissions as genericbatch files ---------------------------------------------------------------


def _delivering(emulator, *, pdf: bool = False, on: bool = True):
    service = emulator.catalog.get_service("5679", 1)
    emulator.catalog.put_service(replace(service, batch_delivery=on, batch_pdf=pdf))


def test_a_submission_of_a_batch_delivery_service_is_a_genericbatch_file_that_validates(emulator):
    import base64
    import hashlib

    from support.archived import archived_task, attachment

    schema = etree.XMLSchema(etree.parse(str(require_batch_schema("genericbatch.2013.06.xsd"))))
    _delivering(emulator, pdf=True)
    first = archived_task(emulator, attachments=[attachment(b"%PDF-1.4 vedlegg", "vedlegg.pdf")])
    second = archived_task(emulator)
    files = emulator.batch_store.outbound_of("TTD")
    assert [(f.name, f.kind) for f in files] == [("TTD_5679_1_000001.xml", "genericbatch"),
                                                 ("TTD_5679_1_000002.xml", "genericbatch")]
    documents = [etree.fromstring(_content(emulator, f)) for f in files]
    for document in documents:
        schema.assertValid(document)
    one, two = documents
    assert [d.find("DataUnits/DataUnit").get("archiveReference") for d in documents] == [
        first.archive_reference, second.archive_reference]
    assert (one.get("batchReference"), one.get("previousReference")) == ("1", "0")
    assert (two.get("batchReference"), two.get("previousReference")) == ("2", "1")
    attachments = one.findall("Attachments/Attachment")
    assert [a.get("attachmentType") for a in attachments] == ["application_pdf", "formtask_pdf"]
    for element in attachments:
        data = base64.b64decode(element.text)
        assert hashlib.sha256(data).hexdigest() == element.get("checksum")
        assert data.startswith(b"%PDF")
    assert base64.b64decode(attachments[0].text) == b"%PDF-1.4 vedlegg"


def test_no_genericbatch_file_for_a_service_that_does_not_deliver_by_batch(emulator):
    from support.archived import archived_task

    _delivering(emulator, on=False)
    archived_task(emulator)
    assert emulator.batch_store.outbound_of("TTD") == []


def test_a_pdf_only_when_the_service_asks_for_one(emulator):
    from support.archived import archived_task

    _delivering(emulator, pdf=False)
    archived_task(emulator)
    [file] = emulator.batch_store.outbound_of("TTD")
    assert etree.fromstring(_content(emulator, file)).find("Attachments") is None
