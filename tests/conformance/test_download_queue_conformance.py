"""DownloadQueue against the real Altinn contracts (Basic, EC, EC2, and WS by inference;
docs/behaviour/download-queue.md).

Clients are built by zeep from the REAL WSDLs (read from ``../shared``, never copied here) with the address
pointed at the emulator; every response body is validated against the real WSDL's schemas. Archived form tasks
are made in the in-process emulator the server runs (a prefill, then the end user's submission). Our own WSDLs
are compared with the real ones operation by operation.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from pypdf import PdfReader
from zeep.wsse.username import UsernameToken

from altinn_so.certs import generate_certificates
from altinn_so.domain.archive import SENT
from altinn_so.domain.catalog import Service, ServiceOwner
from altinn_so.domain.values import evolve
from altinn_so.encryption import unseal
from altinn_so.domain.clock import local_time
from support.archived import INFOPATH_XML, archived_task, attachment
from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_client, real_service, received_body_element
from support.wsdl_match import assert_actions_match, assert_names_match, assert_signature_matches, signature_cases, views
from support.zeepview import binding_names, diff_views, operation_view, replace_strings, without_children, \
    ws_view_from_basic

pytestmark = pytest.mark.conformance

OLA = "23917710120"
REPORT_XML = ('<Skjema skjemanummer="5704"><Rapportor><Organisasjonsnummer>310003018</Organisasjonsnummer>'
              '<Navn>Eksempel AS</Navn></Rapportor><Periode>2026-02</Periode>'
              '<AntallDeltakere>12</AntallDeltakere></Skjema>')


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str
    path: str
    task_operation: str
    pdf_operation: str
    pdf_credentials: tuple[str, str]

    @property
    def operations(self) -> set[str]:
        return {"Test", "GetDownloadQueueItems", "PurgeItem", self.task_operation, self.pdf_operation}

    @property
    def soap12(self) -> bool:
        return self.key != "basic"

    def op(self, base: str) -> str:
        return base

    def pdf(self, service, archive_reference: str, **extra):
        user, password = self.pdf_credentials
        return getattr(service, self.pdf_operation)(**{user: "ttd-system", password: "ttd-password"},
                                                   archiveReference=archive_reference, languageId=1044, **extra)


BASIC = Flavour("basic", "basic/DownloadQueueExternalBasic.wsdl", "/ArchiveExternal/DownloadQueueExternalBasic.svc",
                "GetArchivedFormTaskBasicDQ", "GetFormSetPdfBasic", ("systemName", "systemPassword"))
EC = Flavour("ec", "ec/DownloadQueueExternalEC.wsdl", "/ArchiveExternal/DownloadQueueExternalEC.svc",
             "GetArchivedFormTaskECDQ", "GetFormSetPdfEc", ("userName", "userPassword"))
EC2 = Flavour("ec2", "ec2/DownloadQueueExternalEC2.wsdl", "/ArchiveExternal/DownloadQueueExternalEC2.svc",
              "GetArchivedFormTaskECDQ", "GetFormSetPdfEc", ("userName", "userPassword"))
FLAVOURS = [pytest.param(f, id=f.key) for f in (BASIC, EC, EC2)]
WITH_METADATA = [pytest.param(f, id=f.key) for f in (BASIC, EC2)]  # the EC contract predates shipment metadata
WS_PATH = "/ArchiveExternal/DownloadQueueExternal.svc"
ITEM_NS = "http://schemas.altinn.no/services/Archive/DownloadQueue/2012/08"
TASK_NS = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2012/08"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}


@pytest.fixture
def real(base_url):
    return lambda flavour: real_service(flavour.contract, base_url + flavour.path)


def items(service, **extra):
    return service.GetDownloadQueueItems(**CREDENTIALS, **extra)


def references(result) -> list[str]:
    return [i.ArchiveReference for i in result or []]  # zeep unwraps the list


# -- the real WSDLs are what we think they are ---------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_real_wsdl_has_the_expected_operations(flavour):
    assert set(operation_view(real_client(flavour.contract))) == flavour.operations


# -- every operation, from the real WSDLs ---------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_items_then_purge(real, emulator, flavour):
    client, service = real(flavour)
    first, second = archived_task(emulator), archived_task(emulator)
    result = items(service)
    valid_response(client, flavour.contract, "GetDownloadQueueItems", soap12=flavour.soap12)
    assert references(result) == [first.archive_reference, second.archive_reference]
    item = result[0]
    assert (item.ReporteeID, item.ReporteeType, item.ServiceCode, item.ServiceEditionCode) == (
        OLA, "Person", "5679", 1)
    assert item.ArchivedDate == local_time(first.archived_at).replace(tzinfo=None)  # as WCF writes it
    assert service.PurgeItem(**CREDENTIALS, archiveReference=first.archive_reference) == "OK"
    valid_response(client, flavour.contract, "PurgeItem", soap12=flavour.soap12)
    assert references(items(service, serviceCode="5679")) == [second.archive_reference]
    assert references(items(service, serviceCode="5680")) == []


@pytest.mark.parametrize("flavour", WITH_METADATA)
def test_shipment_metadata_is_a_list_or_nil(real, emulator, flavour):
    client, service = real(flavour)
    archived_task(emulator, form=("5680", 1, "5704", 34302), xml=REPORT_XML, metadata={"Saksnummer": "2026/17"})
    archived_task(emulator)
    with_keys, without = items(service)
    valid_response(client, flavour.contract, "GetDownloadQueueItems", soap12=flavour.soap12)
    assert [(m.Key, m.Value) for m in with_keys.ShipmentMetadataList.ArchivedShipmentMetadata] == [
        ("Saksnummer", "2026/17"), ("Periode", "2026-02")]
    # zeep reads a nil list as an empty one: the wire says nil
    lists = received_body_element(client).iter(f"{{{ITEM_NS}}}ShipmentMetadataList")
    assert [element.get(XSI_NIL) for element in lists] == [None, "true"]
    assert not without.ShipmentMetadataList.ArchivedShipmentMetadata


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_archived_form_task(real, emulator, flavour):
    client, service = real(flavour)
    data = bytes(range(256)) * 8
    task = archived_task(emulator, xml=INFOPATH_XML, attachments=[attachment(data)], submitter=OLA, security_level=4)
    got = getattr(service, flavour.task_operation)(**CREDENTIALS, archiveReference=task.archive_reference,
                                                   languageID=1044)
    valid_response(client, flavour.contract, flavour.task_operation, soap12=flavour.soap12)
    assert (got.ArchiveReference, got.Reportee, got.ServiceCode, got.ServiceEditionCode) == (
        task.archive_reference, OLA, "5679", "1")
    assert (got.FormsInResponse, got.AttachmentsInResponse) == (1, 1)
    [key] = received_body_element(client).iter(f"{{{TASK_NS}}}SOEncryptedSymmetricKey")
    assert key.get(XSI_NIL) == "true"  # not an encrypted service
    [form] = got.Forms.ArchivedFormDQBE
    assert form.FormData.startswith("<Skjema ") and "my:" not in form.FormData
    assert (form.DataFormatID, form.DataFormatVersionID, form.Reference) == ("5703", 34301,
                                                                            str(task.forms[0].reference))
    [attached] = got.Attachments.ArchivedAttachmentDQBE
    assert (attached.AttachmentData, attached.FileName, attached.IsEncrypted) == (data, "vedlegg.pdf", False)
    [approver] = got.Approvers.ApproverDQBE
    assert (approver.ApproverID, approver.SecurityLevel) == (OLA, "verySensitive")
    assert [(e.status, e.description) for e in emulator.archive.shipment_log(task.archive_reference)] == [
        (SENT, "DownloadQueue|1")]


@pytest.mark.parametrize("flavour", WITH_METADATA)  # the EC contract has no includeXmlNamespace
def test_include_xml_namespace(real, emulator, flavour):
    _, service = real(flavour)
    task = archived_task(emulator, xml=INFOPATH_XML)
    got = getattr(service, flavour.task_operation)(**CREDENTIALS, archiveReference=task.archive_reference,
                                                   languageID=1044, includeXmlNamespace=True)
    assert got.Forms.ArchivedFormDQBE[0].FormData == INFOPATH_XML


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_form_set_pdf(real, emulator, flavour):
    client, service = real(flavour)
    task = archived_task(emulator, xml=INFOPATH_XML)
    pdf = flavour.pdf(service, task.archive_reference)
    valid_response(client, flavour.contract, flavour.pdf_operation, soap12=flavour.soap12)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert task.archive_reference in text and "Tromsø" in text and "Poststed" in text


# -- faults ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_unknown_foreign_and_twice_purged(real, emulator, flavour):
    client, service = real(flavour)
    task = archived_task(emulator)

    def purge(reference, system="ttd-system"):
        return lambda: service.PurgeItem(systemUserName=system, systemPassword=system.replace("system", "password"),
                                         archiveReference=reference)

    fault = expect_altinn_fault(client, flavour.contract, "PurgeItem", purge("AR404"), soap12=flavour.soap12)
    assert fault.ErrorID == 30007
    fault = expect_altinn_fault(client, flavour.contract, "PurgeItem", purge(task.archive_reference, "ett-system"),
                                soap12=flavour.soap12)
    assert fault.ErrorID == 5
    purge(task.archive_reference)()
    fault = expect_altinn_fault(client, flavour.contract, "PurgeItem", purge(task.archive_reference),
                                soap12=flavour.soap12)
    assert fault.ErrorID == 0
    fault = expect_altinn_fault(
        client, flavour.contract, flavour.task_operation,
        lambda: getattr(service, flavour.task_operation)(**CREDENTIALS, archiveReference="AR404", languageID=1044),
        soap12=flavour.soap12)
    assert fault.ErrorID == 30007
    fault = expect_altinn_fault(client, flavour.contract, flavour.pdf_operation,
                                lambda: flavour.pdf(service, "AR404"), soap12=flavour.soap12)
    assert fault.ErrorID == 30007


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_wrong_password(real, emulator, flavour):
    client, service = real(flavour)
    fault = expect_altinn_fault(client, flavour.contract, "GetDownloadQueueItems",
                                lambda: service.GetDownloadQueueItems(systemUserName="ttd-system",
                                                                      systemPassword="wrong"),
                                soap12=flavour.soap12)
    assert fault.ErrorID == 989


# -- our WSDLs against the real ones ----------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_binding_port_type_and_service_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_input_output_and_fault_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


@pytest.mark.parametrize(("flavour", "operation"), signature_cases((BASIC, EC2)))
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, flavour, operation)


# Our EC takes EC2's requests (includeXmlNamespace, the PDF filters) and answers with EC's own queue item.
EC_REQUEST_EXTRAS = {"GetArchivedFormTaskECDQ": {"includeXmlNamespace"},
                     "GetFormSetPdfEc": {"dataFormatId", "dataFormatVersion"}}


@pytest.mark.parametrize("operation", sorted(EC.operations))
def test_our_ec_is_the_real_ec_with_ec2s_request_parameters(base_url, operation):
    real_view, our_view = views(base_url, EC, EC)
    ours = our_view[operation]
    extras = EC_REQUEST_EXTRAS.get(operation)
    if extras:
        ours = {**ours, "input": {**ours["input"], "body": without_children(ours["input"]["body"], extras)}}
    diffs = diff_views(real_view[operation], ours, operation)
    assert not diffs, "\n  ".join(diffs)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_we_offer_exactly_the_real_operations(base_url, flavour):
    real_view, our_view = views(base_url, flavour, flavour)
    assert set(our_view) == set(real_view)


# No real WS WSDL exists: WS is Basic with "Basic" left out of the names (GetArchivedFormTaskExternalDQ and
# GetFormSetPdf), SOAP 1.2, and the credentials in wsse:UsernameToken, not the body.
WS_OPERATIONS = {"Test": "Test", "GetDownloadQueueItems": "GetDownloadQueueItems", "PurgeItem": "PurgeItem",
                 "GetArchivedFormTaskBasicDQ": "GetArchivedFormTaskExternalDQ", "GetFormSetPdfBasic": "GetFormSetPdf"}


def test_ws_names_follow_the_basic_ones(base_url):
    our_client, _ = our_service(base_url + WS_PATH + "?wsdl")
    expected = replace_strings(binding_names(real_client(BASIC.contract)), {
        "BasicHttpBinding_": "CustomBinding_", "DownloadQueueExternalBasic": "DownloadQueueExternal"})
    assert binding_names(our_client) == expected


@pytest.mark.parametrize(("basic_operation", "ws_operation"), [
    pytest.param(basic, ws, id=ws) for basic, ws in WS_OPERATIONS.items()])
def test_ws_signature_is_basic_without_body_credentials(base_url, basic_operation, ws_operation):
    our_client, _ = our_service(base_url + WS_PATH + "?wsdl")
    basic_view, our_view = operation_view(real_client(BASIC.contract)), operation_view(our_client)
    assert set(our_view) == set(WS_OPERATIONS.values())
    expected = ws_view_from_basic(basic_view[basic_operation], interface="DownloadQueueExternal",
                                  basic_operation=basic_operation, ws_operation=ws_operation)
    if basic_operation == "GetFormSetPdfBasic":  # its credentials are named systemName/systemPassword
        expected["input"] = {**expected["input"],
                             "body": without_children(expected["input"]["body"], {"systemName", "systemPassword"})}
    diffs = diff_views(expected, our_view[ws_operation], ws_operation, labels=("expected", "ours"))
    assert not diffs, "\n  ".join(diffs)


def test_ws_round_trip_with_a_username_token(base_url, emulator):
    task = archived_task(emulator)
    _, service = our_service(base_url + WS_PATH + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
    assert [i.ArchiveReference for i in service.GetDownloadQueueItems()] == [
        task.archive_reference]
    got = service.GetArchivedFormTaskExternalDQ(archiveReference=task.archive_reference, languageID=1044)
    assert got.ArchiveReference == task.archive_reference
    assert service.GetFormSetPdf(archiveReference=task.archive_reference, languageId=1044).startswith(b"%PDF-")
    assert service.PurgeItem(archiveReference=task.archive_reference) == "OK"


@pytest.fixture(scope="module")
def ttd_certificates(tmp_path_factory):
    owner = ServiceOwner(code="TTD", orgno="310001007", name="Testdepartementet")
    return generate_certificates(tmp_path_factory.mktemp("certs"), [owner]).owner("TTD")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_encrypted_services_task_carries_the_key_and_decrypts(real, emulator, flavour, ttd_certificates):
    emulator.catalog.put_owner(evolve(emulator.catalog.get_owner("TTD"),
                                      encryption_certificate=ttd_certificates.encryption_certificate.read_text()))
    emulator.catalog.put_service(Service.from_dict({
        "code": "5695", "edition": 1, "owner": "TTD", "name": "Kryptert skjema", "kind": "form",
        "forms": [{"data_format_id": "5703", "data_format_version": 34301, "name": "Skjema"}],
        "download_queue": True, "encrypted": True}))
    data = b"hemmelig vedlegg"
    task = archived_task(emulator, form=("5695", 1, "5703", 34301), xml=INFOPATH_XML, attachments=[attachment(data)])
    client, service = real(flavour)
    got = getattr(service, flavour.task_operation)(**CREDENTIALS, archiveReference=task.archive_reference,
                                                   languageID=1044)
    valid_response(client, flavour.contract, flavour.task_operation, soap12=flavour.soap12)
    private_key = serialization.load_pem_private_key(ttd_certificates.encryption_key.read_bytes(), None)
    key = private_key.decrypt(got.SOEncryptedSymmetricKey.EncryptedKey, padding.OAEP(
        mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
    assert len(got.SOEncryptedSymmetricKey.CertificateThumbprint) == 40
    form = unseal(key, base64.b64decode(got.Forms.ArchivedFormDQBE[0].FormData)).decode()
    assert form.startswith("<Skjema ") and "Tromsø" in form
    [attached] = got.Attachments.ArchivedAttachmentDQBE
    assert attached.IsEncrypted and unseal(key, attached.AttachmentData) == data
