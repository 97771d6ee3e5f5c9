"""Forms intake end to end, on every binding (docs/behaviour/prefill.md, forms.md, download-queue.md).

What an agency's system and a citizen do together, in order: the agency prefills a form set with a notification
and has it instantiated; the notification is in the outbox, rendered; the citizen (a test acting as the end user
through the admin API) fills in a field, adds an attachment, signs and submits; the agency finds the submission in
its download queue, fetches the archived form task with both attachments and the PDF of the form set, purges the
item, and lists the receipts of it all with GetReceiptListV2.

The agency's clients are built by zeep from the REAL WSDLs in ../shared (Basic, EC, EC2) and every response is
validated against the real schema; WS has no real WSDL, so its clients come from ours, with a UsernameToken.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
import requests
from pypdf import PdfReader
from zeep.wsse.username import UsernameToken

from support.contracts import assert_valid_response, our_service, real_service

pytestmark = pytest.mark.conformance

OLA = "23917710120"  # a person with e-mail and mobile in KRR
OLA_EMAIL = "ola.nordmann@example.no"
TTD_ORGNO = "310001007"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # the tests' frozen clock
REPORT_XML = ('<Skjema skjemanummer="5704"><Rapportor><Organisasjonsnummer>310003018</Organisasjonsnummer>'
              '<Navn>Eksempel AS</Navn></Rapportor><Periode>2026-02</Periode>'
              '<AntallDeltakere>12</AntallDeltakere></Skjema>')
PREFILLED_ATTACHMENT = b"Deltakerliste fra etaten\n"
END_USER_ATTACHMENT = b"%PDF-1.4 not really a pdf, but bytes the owner must get back unchanged"


@dataclass(frozen=True)
class Client:
    """One service's client on one binding: from the real WSDL, or (WS) from ours with a UsernameToken."""

    contract: str | None  # the real WSDL under ../shared, None on WS
    path: str
    suffix: str = ""  # the binding's operation suffix
    body_credentials: tuple[str, str] | None = ("systemUserName", "systemPassword")

    def connect(self, base_url: str):
        if self.contract is None:
            return our_service(base_url + self.path + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
        return real_service(self.contract, base_url + self.path)

    def call(self, service, operation: str, *, credentials: tuple[str, str] | None = None, **params):
        names = credentials or self.body_credentials
        if names and self.contract is not None:
            params = {names[0]: "ttd-system", names[1]: "ttd-password", **params}
        return getattr(service, operation)(**params)


@dataclass(frozen=True)
class Binding:
    key: str
    prefill: Client
    queue: Client
    receipts: Client
    archived_operation: str  # GetArchivedFormTask…DQ
    pdf_operation: str  # GetFormSetPdf…
    pdf_credentials: tuple[str, str] | None
    receipt_list: str  # GetReceiptList…V2

    @property
    def soap12(self) -> bool:
        return self.key != "basic"


BINDINGS = [
    Binding("basic",
            Client("basic/PreFillBasic.wsdl", "/ServiceEngineExternal/PrefillBasic.svc", "Basic"),
            Client("basic/DownloadQueueExternalBasic.wsdl", "/ArchiveExternal/DownloadQueueExternalBasic.svc"),
            Client("basic/ReceiptAgencyExternalBasic.wsdl", "/IntermediaryExternal/ReceiptAgencyExternalBasic.svc"),
            "GetArchivedFormTaskBasicDQ", "GetFormSetPdfBasic", ("systemName", "systemPassword"),
            "GetReceiptListBasicV2"),
    Binding("ws",
            Client(None, "/ServiceEngineExternal/Prefill.svc"),
            Client(None, "/ArchiveExternal/DownloadQueueExternal.svc"),
            Client(None, "/IntermediaryExternal/ReceiptAgencyExternal.svc"),
            "GetArchivedFormTaskExternalDQ", "GetFormSetPdf", None, "GetReceiptListV2"),
    Binding("ec",
            Client("ec/PreFillAgencyExternalEC.wsdl", "/ServiceEngineExternal/PreFillAgencyExternalEC.svc", "EC"),
            Client("ec/DownloadQueueExternalEC.wsdl", "/ArchiveExternal/DownloadQueueExternalEC.svc"),
            # Our EC receipt endpoint serves the EC2 contract (README, Fidelity): its client is built from that.
            Client("ec2/ReceiptAgencyExternalEC2.wsdl", "/IntermediaryExternal/ReceiptAgencyExternalEC.svc"),
            "GetArchivedFormTaskECDQ", "GetFormSetPdfEc", ("userName", "userPassword"), "GetReceiptListECV2"),
    Binding("ec2",
            Client("ec2/PreFillAgencyExternalEC2.wsdl", "/ServiceEngineExternal/PreFillAgencyExternalEC2.svc",
                   "EC"),
            Client("ec2/DownloadQueueExternalEC2.wsdl", "/ArchiveExternal/DownloadQueueExternalEC2.svc"),
            Client("ec2/ReceiptAgencyExternalEC2.wsdl", "/IntermediaryExternal/ReceiptAgencyExternalEC2.svc"),
            "GetArchivedFormTaskECDQ", "GetFormSetPdfEc", ("userName", "userPassword"), "GetReceiptListECV2"),
]


def prefilled_report() -> dict:
    """TTD's activity report (5680/1: a main form with a schema, a sub-form, metadata Saksnummer and Periode) for
    Ola, with a prefilled attachment and an e-mail notification from a template with reportee macros."""
    return {
        "ExternalServiceCode": "5680", "ExternalServiceEditionCode": 1, "ExternalShipmentReference": "ship-e2e",
        "PreFillForms": {"PrefillForm": [
            {"DataFormatID": "5704", "DataFormatVersion": 34302, "FormDataXML": REPORT_XML,
             "SendersReference": "report-1"},
            {"DataFormatID": "5705", "DataFormatVersion": 34303, "FormDataXML": "<Vedlegg><Antall>0</Antall></Vedlegg>",
             "SendersReference": "annex-1"}]},
        "PreFillAttachments": {"PrefillFormTaskAttachment": [{
            "AttachmentData": PREFILLED_ATTACHMENT, "AttachmentName": "Deltakerliste", "AttachmentType": "text_plain",
            "FileName": "deltakere.txt", "SendersReference": "attachment-1"}]},
        "PrefillNotifications": {"Notification": [{
            "LanguageCode": "1044", "NotificationType": "TTDPersonligVarsel",
            "TextTokens": {"TextToken": [{"TokenValue": "Du har fått et skjema å fylle ut."}]},
            "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "Email"}]}}]},
        "Reportee": OLA, "SendersReference": "sender-e2e", "ServiceOwnerCode": "TTD_PREFILL",
        "ValidFromDate": NOW, "ValidToDate": NOW + timedelta(days=30),
    }


class EndUser:
    """Ola in Altinn's portal: the admin API's end-user routes over HTTP."""

    def __init__(self, base_url: str):
        self.admin = base_url + "/_admin"

    def _json(self, method: str, path: str, expect: int = 200, **kwargs) -> dict:
        response = requests.request(method, self.admin + path, timeout=10, **kwargs)
        assert response.status_code == expect, response.text
        return response.json()

    def worklist(self) -> list[dict]:
        return self._json("GET", f"/worklist/{OLA}")["elements"]

    def fill_in(self, element_id: int, form: str, fields: dict) -> dict:
        return self._json("PATCH", f"/elements/{element_id}/forms/{form}", json={"fields": fields})

    def attach(self, element_id: int, name: str, file_name: str, data: bytes, mime: str) -> dict:
        return self._json("POST", f"/elements/{element_id}/attachments", expect=201, json={
            "name": name, "file_name": file_name, "attachment_type": mime, "data": base64.b64encode(data).decode()})

    def sign(self, element_id: int, level: int) -> dict:
        return self._json("POST", f"/elements/{element_id}/sign", json={"signer": OLA, "security_level": level})

    def submit(self, element_id: int, **body) -> dict:
        return self._json("POST", f"/elements/{element_id}/submit", json=body)

    def outbox(self) -> list[dict]:
        return self._json("GET", "/outbox")["messages"]


def receipt_reference(receipt, kind: str = "WorkFlowReference") -> str:
    return next(r.ReferenceValue for r in receipt.References.Reference if r.ReferenceTypeName == kind)


def as_list(value) -> list:
    """zeep unwraps a list type that holds one repeated element: a list, or None for none."""
    return list(value or [])


@pytest.mark.parametrize("binding", [pytest.param(b, id=b.key) for b in BINDINGS])
def test_prefill_submit_download_purge_and_receipts(base_url, emulator, binding):
    # 1. The agency prefills the report for Ola and has it instantiated, with a notification.
    prefill_client, prefill = binding.prefill.connect(base_url)
    receipt = binding.prefill.call(
        prefill, "SubmitAndInstantiatePrefilledFormTask" + binding.prefill.suffix, externalBatchId="batch-e2e",
        preFillFormTask=prefilled_report(), doSaveFormTask=True, doinstantiateFormTask=True)
    if binding.prefill.contract:
        assert_valid_response(prefill_client, binding.prefill.contract,
                              "SubmitAndInstantiatePrefilledFormTask" + binding.prefill.suffix,
                              soap12=binding.soap12)
    assert (receipt.ReceiptTypeName, receipt.ReceiptStatusCode) == ("PreFill", "OK")

    # 2. The notification is in the outbox, its macros filled in from the registry.
    ola = EndUser(base_url)
    [email] = [m for m in ola.outbox() if m["reportee"] == OLA]
    assert (email["address"], email["origin"]) == (OLA_EMAIL, f"reportee-element:{receipt_reference(receipt)}")
    # the template's macros: $reporteeName$, $servicename|SC:5678|SEC:1$, $reporteeFirstName$, the birthday...
    assert email["subject"] == "Melding til Ola Testmann Nordmann om Melding fra Testdepartementet"
    assert email["body"] == ("Hei Ola (født 23.11.1977). Du har fått et skjema å fylle ut. "
                             "Adresse: Storgata 1, 0155 OSLO.")

    # 3. Ola fills in, attaches, signs and submits.
    [element] = ola.worklist()
    assert str(element["id"]) == receipt_reference(receipt)
    assert [a["file_name"] for a in element["attachments"]] == ["deltakere.txt"]
    ola.fill_in(element["id"], "5704", {"Skjema/AntallDeltakere": "14"})
    ola.attach(element["id"], "Bilder fra aktiviteten", "bilder.pdf", END_USER_ATTACHMENT, "application/pdf")
    ola.sign(element["id"], 3)
    archived = ola.submit(element["id"], metadata={"Saksnummer": "2026/77"})
    reference = archived["archive_reference"]
    assert reference.startswith("AR") and ola.worklist() == []

    # 4. The agency finds it in its download queue, with its shipment metadata where the contract has them.
    queue_client, queue = binding.queue.connect(base_url)
    items = as_list(binding.queue.call(queue, "GetDownloadQueueItems", serviceCode="5680"))
    if binding.queue.contract:
        assert_valid_response(queue_client, binding.queue.contract, "GetDownloadQueueItems", soap12=binding.soap12)
    [item] = [i for i in items if i.ArchiveReference == reference]
    assert (item.ServiceCode, item.ServiceEditionCode, item.ReporteeID, item.ReporteeType) == (
        "5680", 1, OLA, "Person")
    if binding.key != "ec":  # the 2017 EC contract predates shipment metadata
        assert {m.Key: m.Value for m in item.ShipmentMetadataList.ArchivedShipmentMetadata} == {
            "Saksnummer": "2026/77", "Periode": "2026-02"}

    # 5. The archived form task: the forms as submitted, both attachments, Ola as approver at level 3.
    task = binding.queue.call(queue, binding.archived_operation, archiveReference=reference, languageID=1044)
    if binding.queue.contract:
        assert_valid_response(queue_client, binding.queue.contract, binding.archived_operation,
                              soap12=binding.soap12)
    forms = {f.DataFormatID: f for f in task.Forms.ArchivedFormDQBE}
    assert "<AntallDeltakere>14</AntallDeltakere>" in forms["5704"].FormData
    assert forms["5705"].ParentReference == forms["5704"].Reference
    attachments = {a.FileName: a for a in task.Attachments.ArchivedAttachmentDQBE}
    assert attachments["deltakere.txt"].AttachmentData == PREFILLED_ATTACHMENT
    assert attachments["bilder.pdf"].AttachmentData == END_USER_ATTACHMENT
    assert attachments["bilder.pdf"].AttachmentType == "application/pdf"
    [approver] = task.Approvers.ApproverDQBE
    assert (approver.ApproverID, approver.SecurityLevel) == (OLA, "sensitive")

    # 6. The PDF of the form set holds the values Ola submitted.
    pdf = binding.queue.call(queue, binding.pdf_operation, credentials=binding.pdf_credentials,
                             archiveReference=reference, languageId=1044)
    if binding.queue.contract:
        assert_valid_response(queue_client, binding.queue.contract, binding.pdf_operation, soap12=binding.soap12)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert reference in text and "AntallDeltakere" in text and "14" in text and "Eksempel AS" in text

    # 7. Purged, it is gone from the queue (and both downloads are in the shipment status log).
    assert binding.queue.call(queue, "PurgeItem", archiveReference=reference) == "OK"
    items = as_list(binding.queue.call(queue, "GetDownloadQueueItems", serviceCode="5680"))
    assert reference not in [i.ArchiveReference for i in items]
    assert [entry.status for entry in emulator.archive.shipment_log(reference)] == ["Sent", "Sent"]

    # 8. GetReceiptListV2 lists the prefill's receipt and the submission's.
    receipts_client, receipts = binding.receipts.connect(base_url)
    day = (datetime(2026, 3, 2), datetime(2026, 3, 3))
    listed = {}
    for receipt_type in ("PreFill", "FormTask"):
        listed[receipt_type] = as_list(binding.receipts.call(receipts, binding.receipt_list,
                                                             receiptTypeName=receipt_type, dateFrom=day[0],
                                                             dateTo=day[1]))
        if binding.receipts.contract:
            assert_valid_response(receipts_client, binding.receipts.contract, binding.receipt_list,
                                  soap12=binding.soap12)
    [prefill_receipt] = listed["PreFill"]
    assert prefill_receipt.ReceiptId == receipt.ReceiptId
    [form_task_receipt] = listed["FormTask"]
    references = {r.ReferenceType: r.ReferenceValue for r in form_task_receipt.References.Reference}
    assert references["ArchiveReference"] == reference
    assert references["WorkFlowReference"] == str(element["id"])
