"""The push end to end (docs/behaviour/push.md): the emulator calls a receiver the test runs.

The receiver (``support.push_receiver``) is built from the REAL OnlineBatchReceiver WSDL: it validates every
request against the WSDL's schema, the batch against genericbatch.2013.06.xsd and each attachment against its
checksum, and records a problem for anything amiss. The agency's own calls go through zeep clients built from the
real Basic WSDLs, and their responses are validated against the real schemas.

These tests run on the frozen test clock with no scheduler: a round is pushed when a test asks for one (the admin
API) or moves the clock. The last test uses the pytest plugin's server, whose scheduler pushes by itself.
"""

from __future__ import annotations

import base64
from datetime import timedelta

import lxml.html
import pytest
import requests

from support.archived import OLA, archived_task, attachment
from support.contracts import assert_valid_response, real_service
from support.push_receiver import PushReceiver
from support.pushing import PUSHED_FORM as PUSHED
from support.pushing import pushing_service, pushing_services

pytestmark = pytest.mark.conformance

CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}
FORM_XML = "<Skjema><Navn>Ola Nordmann</Navn><Belop>1200</Belop></Skjema>"
PREFILLED = b"Vedlegg fra etaten\n"
FROM_OLA = b"%PDF-1.4 bytes the owner must get back unchanged"
FORTY_MB = bytes(range(256)) * (40 * 1024 * 1024 // 256)
PREFILL = ("basic/PreFillBasic.wsdl", "/ServiceEngineExternal/PrefillBasic.svc")
ARCHIVE = ("basic/ServiceOwnerArchiveExternalBasic.wsdl", "/ArchiveExternal/ServiceOwnerArchiveExternalBasic.svc")
RECEIPTS = ("basic/ReceiptAgencyExternalBasic.wsdl", "/IntermediaryExternal/ReceiptAgencyExternalBasic.svc")
CORRESPONDENCE = ("basic/CorrespondenceAgencyExternalBasic.wsdl",
                  "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc")
STREAMED = ("ec2/ServiceOwnerArchiveExternalStreamedEC2.wsdl",
            "/ArchiveExternal/ServiceOwnerArchiveExternalStreamedEC2.svc")


def pushing_seed(url: str, **push) -> str:
    """TTD's form service 5800/1 with metadata Saksnummer, pushing to ``url`` with the receiver's credentials."""
    return pushing_services(pushing_service(url, metadata=("Saksnummer",), username="Altinn", password="hemmelig",
                                            **push))


@pytest.fixture
def receiver():
    with PushReceiver(expected_credentials=("Altinn", "hemmelig")) as running:
        yield running


def push_round(base_url: str) -> list[dict]:
    response = requests.post(base_url + "/_admin/push/round", timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["attempts"]


def admin(base_url: str, method: str, path: str, expect: int = 200, **kwargs) -> dict:
    response = requests.request(method, base_url + "/_admin" + path, timeout=30, **kwargs)
    assert response.status_code == expect, response.text
    return response.json()


def advance(emulator, **delta) -> None:
    """Move the clock as PUT /_admin/clock does: the due work (the push) runs before it returns."""
    emulator.change_clock(lambda clock: clock.advance(timedelta(**delta)))


def statuses(base_url: str, archive_reference: str) -> list[str]:
    """The shipment status log of one archived task, as GetArchiveShipmentStatusExternalBasicV2 gives it."""
    client, archive = real_service(ARCHIVE[0], base_url + ARCHIVE[1])
    status = archive.GetArchiveShipmentStatusExternalBasicV2(**CREDENTIALS, searchArchiveShipmentStatus={
        "ArchiveReference": archive_reference})
    assert_valid_response(client, ARCHIVE[0], "GetArchiveShipmentStatusExternalBasicV2", soap12=False)
    [task] = status.ArchiveShipmentStatusList.ArchiveShipmentStatusExternalV2
    return [entry.ShipmentStatus for entry in task.ShipmentStatusLog.ShipmentStatusLogEntry]


def no_problems(received) -> None:
    assert all(not call.problems for call in received), [call.summary() for call in received]


# -- prefill, submit as the end user, pushed, receipt updated, archive read, correlated ---------------------------


def test_prefilled_submitted_and_pushed_with_its_attachments_then_receipt_archive_and_correlation(
        base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url))
    # 1. The agency prefills the form for Ola, with an attachment, and has it instantiated.
    _, prefill = real_service(PREFILL[0], base_url + PREFILL[1])
    now = emulator.clock.now()
    receipt = prefill.SubmitAndInstantiatePrefilledFormTaskBasic(
        **CREDENTIALS, externalBatchId="batch-push", doSaveFormTask=True, doinstantiateFormTask=True,
        preFillFormTask={
            "ExternalServiceCode": "5800", "ExternalServiceEditionCode": 1, "ExternalShipmentReference": "ship-push",
            "PreFillForms": {"PrefillForm": [{"DataFormatID": "5703", "DataFormatVersion": 34301,
                                              "FormDataXML": FORM_XML, "SendersReference": "form-1"}]},
            "PreFillAttachments": {"PrefillFormTaskAttachment": [{
                "AttachmentData": PREFILLED, "AttachmentName": "Vedtak", "AttachmentType": "text_plain",
                "FileName": "vedtak.txt", "SendersReference": "attachment-1"}]},
            "Reportee": OLA, "SendersReference": "sender-push", "ServiceOwnerCode": "TTD_PREFILL",
            "ValidFromDate": now, "ValidToDate": now + timedelta(days=30)})
    assert receipt.ReceiptStatusCode == "OK"

    # 2. Ola attaches a file, signs at level 3 and submits.
    [element] = admin(base_url, "GET", f"/worklist/{OLA}")["elements"]
    admin(base_url, "POST", f"/elements/{element['id']}/attachments", 201, json={
        "name": "Kvittering", "file_name": "kvittering.pdf", "attachment_type": "application/pdf",
        "data": base64.b64encode(FROM_OLA).decode()})
    admin(base_url, "POST", f"/elements/{element['id']}/sign", json={"signer": OLA, "security_level": 3})
    archived = admin(base_url, "POST", f"/elements/{element['id']}/submit", json={"metadata": {"Saksnummer": "2026/9"}})
    reference = archived["archive_reference"]

    # 3. A round pushes it; the receiver found nothing amiss.
    attempts = push_round(base_url)
    assert [(a["outcome"], a["sequence_number"]) for a in attempts] == [("OK", 1)]
    [call] = receiver.received
    no_problems([call])
    assert (call.soap_version, call.username, call.passwd, call.sequence_number) == ("1.1", "Altinn", "hemmelig", 1)
    [push] = admin(base_url, "GET", "/state/pushes")["pushes"]  # sent in clear, shown masked
    [shown] = admin(base_url, "GET", f"/pushes/{push['id']}")["attempts"]
    assert "<passwd>********</passwd>" in shown["request"] and "hemmelig" not in shown["request"]
    assert "hemmelig" not in requests.get(base_url + "/_admin/push", timeout=10).text
    batch = call.batch
    unit = batch.find("DataUnits/DataUnit")
    assert (unit.get("reportee"), unit.get("archiveReference")) == (OLA, reference)
    assert batch.get("receiverReference") == call.receivers_reference
    assert [(m.get("name"), m.get("content")) for m in unit.iterfind("MetadataList/Metadata")] == [
        ("Saksnummer", "2026/9")]
    assert [(a.get("approverId"), a.get("securityLevel")) for a in unit.iterfind("Approvers/Approver")] == [
        (OLA, "sensitive")]
    assert unit.findtext("FormTask/ServiceCode") == "5800"
    assert unit.findtext("FormTask/Form/FormData") == FORM_XML
    listed = {a.get("fileName"): a.get("internalFileName") for a in batch.iterfind("Attachments/Attachment")}
    assert set(listed) == {"vedtak.txt", "kvittering.pdf"}
    assert call.attachments == {listed["vedtak.txt"]: PREFILLED, listed["kvittering.pdf"]: FROM_OLA}

    # 4. The agency marks the Outbound receipt received (by archive reference: the newest receipt with it).
    receipts_client, receipts = real_service(RECEIPTS[0], base_url + RECEIPTS[1])
    updated = receipts.UpdateReceiptBasic(**CREDENTIALS, receipt={
        "ArchiveReference": reference, "ReceiptStatus": "OK", "ReceiptText": "Mottatt i saksbehandlingssystemet",
        "References": {"Reference": [{"ReferenceType": "ReceiversReference", "ReferenceValue": "SAK-2026-9"}]}})
    assert_valid_response(receipts_client, RECEIPTS[0], "UpdateReceiptBasic", soap12=False)
    assert (updated.ReceiptType, updated.ReceiptStatus) == ("Outbound", "OK")
    assert updated.ReceiptText.startswith("Mottatt i saksbehandlingssystemet")
    references = {(r.ReferenceType, r.ReferenceValue) for r in updated.References.Reference}
    assert {("ArchiveReference", reference), ("OutboundShipmentReference", call.receivers_reference),
            ("ReceiversReference", "SAK-2026-9")} <= references

    # 5. An answer to Ola carries the archive reference: Correlated. The archive shows the submission, and the
    #    shipment status log the push and the correlation.
    advance(emulator, minutes=5)
    _, correspondence = real_service(CORRESPONDENCE[0], base_url + CORRESPONDENCE[1])
    answer = correspondence.InsertCorrespondenceBasicV2(
        **CREDENTIALS, SystemUserCode="TTD_SAK", ExternalShipmentReference="svar-" + reference, Correspondence={
            "ServiceCode": "5678", "ServiceEdition": "1", "Reportee": OLA, "ArchiveReference": reference,
            "Content": {"LanguageCode": "1044", "MessageTitle": "Vedtak", "MessageSummary": "Om søknaden",
                        "MessageBody": "Søknaden er innvilget."}})
    assert answer.ReceiptStatusCode == "OK"
    archive_client, archive = real_service(ARCHIVE[0], base_url + ARCHIVE[1])
    task = archive.GetArchivedFormTaskBasicV2(**CREDENTIALS, reporteeElementID=element["id"], languageID=1044)
    assert_valid_response(archive_client, ARCHIVE[0], "GetArchivedFormTaskBasicV2", soap12=False)
    assert sorted(a.AttachmentName for a in task.ArchivedAttachmentList.ArchivedAttachmentBEV2) == [
        "Kvittering", "Vedtak"]
    assert statuses(base_url, reference) == ["NotSent", "Sent", "Correlated"]


# -- large, and the other SOAP and attachment modes ------------------------------------------------------------


@pytest.mark.slow
def test_a_40_mb_attachment_is_pushed_in_the_zip_and_fetched_streamed(base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url))
    task = archived_task(emulator, form=PUSHED, attachments=[attachment(FORTY_MB, "stor.pdf")], submitter=OLA)
    assert [a["outcome"] for a in push_round(base_url)] == ["OK"]
    [call] = receiver.received
    no_problems([call])
    assert list(call.attachments.values()) == [FORTY_MB]
    assert statuses(base_url, task.archive_reference) == ["NotSent", "Sent"]
    client, streamed = real_service(STREAMED[0], base_url + STREAMED[1])
    client.settings.xml_huge_tree = True  # (zeep's parser stops at 10 MB of text otherwise)
    assert streamed.GetAttachmentDataStreamedEC(**CREDENTIALS, attachmentId=task.attachments[0].id) == FORTY_MB


def test_soap_12_with_the_attachments_inline(base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url, soap_version='"1.2"', attachments="inline"))
    archived_task(emulator, form=PUSHED, attachments=[attachment(b"first", "a.txt", "text_plain"),
                                                      attachment(FROM_OLA, "b.pdf")], submitter=OLA)
    push_round(base_url)
    [call] = receiver.received
    no_problems([call])
    assert call.soap_version == "1.2"
    inline = {a.get("fileName"): a.text for a in call.batch.iterfind("Attachments/Attachment")}
    assert {name: base64.b64decode(text) for name, text in inline.items()} == {"a.txt": b"first", "b.pdf": FROM_OLA}


# -- what the receiver answers ------------------------------------------------------------------------------------


def test_failed_twice_then_ok_is_three_attempts_and_one_delivery(base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url, retry_seconds=60))
    receiver.script("FAILED", "FAILED")
    task = archived_task(emulator, form=PUSHED, submitter=OLA)
    push_round(base_url)
    advance(emulator, seconds=60)
    advance(emulator, seconds=60)
    assert [call.reply for call in receiver.received] == ["FAILED", "FAILED", "OK"]
    assert [call.sequence_number for call in receiver.received] == [1, 1, 1]
    assert len(receiver.accepted()) == 1
    no_problems(receiver.received)
    assert statuses(base_url, task.archive_reference) == ["NotSent", "Sent"]
    [push] = admin(base_url, "GET", "/state/pushes")["pushes"]
    assert (push["state"], push["attempts"]) == ("sent", 3)


def test_a_fault_puts_the_receiver_in_queue_mode_and_all_arrive_in_order_when_it_recovers(
        base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url, queue_retry_seconds=300))
    receiver.script("fault")
    first = archived_task(emulator, form=PUSHED, submitter=OLA)
    push_round(base_url)
    later = [archived_task(emulator, form=PUSHED, submitter=OLA) for _ in range(2)]
    assert push_round(base_url) == []  # the two wait behind the head, which is not due yet
    assert len(receiver.received) == 1
    pushes = admin(base_url, "GET", "/state/pushes")["pushes"]
    assert [(p["state"], p["mode"]) for p in pushes] == [("waiting", "queue"), ("waiting", "online"),
                                                          ("waiting", "online")]
    page = requests.get(base_url + "/_admin/push", timeout=10).text
    assert "queue mode" in page and "3 waiting" in page
    advance(emulator, seconds=300)  # the receiver is back: the head, then those behind it
    accepted = receiver.accepted()
    assert [call.sequence_number for call in accepted] == [1, 2, 3]
    assert [call.batch.find("DataUnits/DataUnit").get("archiveReference") for call in accepted] == [
        task.archive_reference for task in (first, *later)]
    no_problems(receiver.received)
    assert [statuses(base_url, t.archive_reference) for t in (first, *later)] == [["NotSent", "Sent"]] * 3


def test_failed_do_not_retry_is_never_retried_and_the_status_is_error(base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url))
    receiver.script("FAILED_DO_NOT_RETRY")
    task = archived_task(emulator, form=PUSHED, submitter=OLA)
    push_round(base_url)
    advance(emulator, days=2)
    assert [call.reply for call in receiver.received] == ["FAILED_DO_NOT_RETRY"]
    assert statuses(base_url, task.archive_reference) == ["NotSent", "Error"]
    [push] = admin(base_url, "GET", "/state/pushes")["pushes"]
    receipt = emulator.receipt_store.get_receipt(push["receipt_id"])
    assert (receipt.type, receipt.status.value) == ("Outbound", "Rejected")


def test_a_dropped_connection_is_queue_mode_and_the_pages_retry_button_sends_it_now(base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url, queue_retry_seconds=3600))
    receiver.script("drop")
    archived_task(emulator, form=PUSHED, submitter=OLA)
    [attempt] = push_round(base_url)
    assert attempt["outcome"] == "unreachable" and attempt["http_status"] is None
    page = lxml.html.fromstring(requests.get(base_url + "/_admin/push", timeout=10).text)
    [form] = page.xpath("//form[button[normalize-space()='Retry now']]")
    fields = {field.get("name"): field.get("value") for field in form.xpath(".//input")}
    response = requests.post(base_url + form.get("action"), data=fields, allow_redirects=False, timeout=30)
    assert (response.status_code, response.headers["Location"]) == (303, "/_admin/push")
    assert [call.reply for call in receiver.received] == ["drop", "OK"]
    [push] = admin(base_url, "GET", "/state/pushes")["pushes"]
    shown = admin(base_url, "GET", f"/pushes/{push['id']}")
    assert [a["outcome"] for a in shown["attempts"]] == ["unreachable", "OK"]
    assert "ReceiveOnlineBatchExternalAttachment" in shown["attempts"][1]["request"]
    assert "OnlineBatchReceipt" in shown["attempts"][1]["reply"]
    page = requests.get(base_url + "/_admin/push", timeout=10).text
    assert "Retry now" not in page  # nothing waits


def test_an_http_error_is_queue_mode_too(base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url, queue_retry_seconds=60))
    receiver.script("http503")
    archived_task(emulator, form=PUSHED, submitter=OLA)
    [attempt] = push_round(base_url)
    assert (attempt["outcome"], attempt["http_status"]) == ("unreachable", 503)
    advance(emulator, seconds=60)
    assert [call.reply for call in receiver.received] == ["http503", "OK"]


def test_an_unanswering_receiver_times_out_into_queue_mode(base_url, emulator):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        emulator.load_seed(pushing_seed(f"http://127.0.0.1:{listener.getsockname()[1]}/x.asmx", timeout_seconds=1))
        archived_task(emulator, form=PUSHED, submitter=OLA)
        [attempt] = push_round(base_url)
        assert attempt["outcome"] == "unreachable" and "timeout" in attempt["text"]
    finally:
        listener.close()


# -- the pytest plugin: the server's scheduler pushes by itself -------------------------------------------------


def test_the_plugins_server_pushes_in_the_background(altinn_so, receiver):
    altinn_so.admin.load_seed(pushing_seed(receiver.url))
    task = archived_task(altinn_so.emulator, form=PUSHED, submitter=OLA)
    [call] = receiver.wait_for(1)  # nobody asked for a round: the scheduler did it
    no_problems([call])
    assert call.batch.find("DataUnits/DataUnit").get("archiveReference") == task.archive_reference
    assert altinn_so.admin.push() == []  # (waits for the scheduler's round to end): nothing left to do
    [push] = altinn_so.admin.pushes()
    assert push["state"] == "sent"
    assert [a["outcome"] for a in altinn_so.admin.push_attempts(push["id"])] == ["OK"]


def test_the_zip_of_a_push_holds_exactly_the_listed_attachments(base_url, emulator, receiver):
    emulator.load_seed(pushing_seed(receiver.url))
    archived_task(emulator, form=PUSHED, attachments=[attachment(b"one", "same.txt", "text_plain"),
                                                      attachment(b"two", "same.txt", "text_plain")], submitter=OLA)
    push_round(base_url)
    [call] = receiver.received
    no_problems([call])
    assert sorted(call.attachments.values()) == [b"one", b"two"]  # two files of one name: two entries
    names = [a.get("internalFileName") for a in call.batch.iterfind("Attachments/Attachment")]
    assert len(set(names)) == 2


def test_nothing_is_pushed_for_a_service_without_a_receiver(base_url, emulator, receiver):
    archived_task(emulator, submitter=OLA)  # 5679/1: the download queue's
    assert push_round(base_url) == []
    assert receiver.received == []
    assert admin(base_url, "GET", "/state/pushes")["pushes"] == []

