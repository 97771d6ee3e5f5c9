"""ServiceOwnerArchiveExternal against the real Altinn contracts (Basic, EC, EC2; docs/behaviour/archive.md).

Clients are built by zeep from the REAL WSDLs (read from ``../shared``, never copied here) with the address
pointed at the emulator; every response body is validated against the real WSDL's schemas. Our own WSDLs are
compared with the real ones operation by operation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from zeep.wsse.username import UsernameToken

from support.archived import INFOPATH_XML, OLA, archived_task, attachment
from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_client, real_service
from support.wsdl_match import assert_actions_match, assert_names_match, assert_signature_matches, signature_cases, views
from support.zeepview import operation_view

pytestmark = pytest.mark.conformance

CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}
OTHER_OWNER = {"systemUserName": "ett-system", "systemPassword": "ett-password"}


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str
    path: str
    task_v2: str
    task_v1: str | None = None
    status: dict = field(default_factory=dict)  # version -> operation

    @property
    def operations(self) -> set[str]:
        return {"Test", self.task_v2, *([self.task_v1] if self.task_v1 else []), *self.status.values()}

    @property
    def soap12(self) -> bool:
        return self.key != "basic"


BASIC = Flavour("basic", "basic/ServiceOwnerArchiveExternalBasic.wsdl",
                "/ArchiveExternal/ServiceOwnerArchiveExternalBasic.svc", "GetArchivedFormTaskBasicV2",
                "GetArchivedFormTaskBasic", {1: "GetArchiveShipmentStatusExternalBasic",
                                             2: "GetArchiveShipmentStatusExternalBasicV2"})
EC = Flavour("ec", "ec/ServiceOwnerArchiveExternalEC.wsdl", "/ArchiveExternal/ServiceOwnerArchiveExternalEC.svc",
             "GetArchivedFormTaskEC")
EC2 = Flavour("ec2", "ec2/ServiceOwnerArchiveExternalEC2.wsdl", "/ArchiveExternal/ServiceOwnerArchiveExternalEC2.svc",
              "GetArchivedFormTaskEC", None, {1: "GetArchiveShipmentStatusExternalEC",
                                              2: "GetArchiveShipmentStatusExternalECV2"})
FLAVOURS = [pytest.param(f, id=f.key) for f in (BASIC, EC, EC2)]
WITH_STATUS = [pytest.param(f, id=f.key) for f in (BASIC, EC2)]


@pytest.fixture
def real(base_url):
    return lambda flavour: real_service(flavour.contract, base_url + flavour.path)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_real_wsdl_has_the_expected_operations(flavour):
    assert set(operation_view(real_client(flavour.contract))) == flavour.operations


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_archived_form_task_v2(real, emulator, flavour):
    client, service = real(flavour)
    data = b"%PDF-1.4 vedlegg"
    task = archived_task(emulator, xml=INFOPATH_XML, attachments=[attachment(data)], submitter=OLA, security_level=4)
    got = getattr(service, flavour.task_v2)(**CREDENTIALS, reporteeElementID=task.element_id, languageID=1044)
    valid_response(client, flavour.contract, flavour.task_v2, soap12=flavour.soap12)
    assert (got.ReporteeElementID, got.ExternalServiceCode, got.ExternalServiceEditionCode, got.ssnOrgNumber,
            got.ServiceOwner) == (task.element_id, "5679", 1, OLA, "TTD")
    [form] = got.ArchivedFormList.ArchivedFormBE
    assert (form.DataFormatId, form.DataFormatVersion, form.FormID, form.FormDataXML) == (
        "5703", 34301, task.forms[0].reference, INFOPATH_XML)
    [attached] = got.ArchivedAttachmentList.ArchivedAttachmentBEV2
    assert (attached.AttachmentID, attached.MimeTypeName, attached.IsEncrypted) == (
        task.attachments[0].id, "application_pdf", False)
    [step] = got.ArchivedFormTaskSigningStepList.ArchivedFormTaskSigningStepBEV2
    assert (step.SignedByUserSSN, step.AuthenticationLevelID) == (OLA, 4)
    assert step.SignedAttachmentList.int == [task.attachments[0].id]


def test_archived_form_task_v1(real, emulator):
    client, service = real(BASIC)
    task = archived_task(emulator, attachments=[attachment(b"x")], submitter=OLA)
    got = service.GetArchivedFormTaskBasic(**CREDENTIALS, reporteeElementID=task.element_id, languageID=1044)
    valid_response(client, BASIC.contract, "GetArchivedFormTaskBasic", soap12=False)
    assert got.ReporteeElementID == task.element_id
    assert [a.AttachmentID for a in got.ArchivedAttachmentList.ArchivedAttachmentBE] == [task.attachments[0].id]
    assert len(got.ArchivedFormTaskSigningStepList.ArchivedFormTaskSigningStepBE) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_another_owners_task_and_an_unknown_one_are_not_found(real, emulator, flavour):
    client, service = real(flavour)
    task = archived_task(emulator)
    for credentials, element_id in ((OTHER_OWNER, task.element_id), (CREDENTIALS, task.element_id + 1000)):
        fault = expect_altinn_fault(
            client, flavour.contract, flavour.task_v2,
            lambda: getattr(service, flavour.task_v2)(**credentials, reporteeElementID=element_id, languageID=1044),
            soap12=flavour.soap12)
        assert fault.ErrorID == 30007


@pytest.mark.parametrize("flavour", WITH_STATUS)
def test_shipment_status_v2_by_reference_and_by_service(real, emulator, flavour):
    client, service = real(flavour)
    operation = flavour.status[2]
    first, second = archived_task(emulator), archived_task(emulator)
    emulator.download_queue.archived_form_task(_caller(emulator), first.archive_reference)
    got = getattr(service, operation)(**CREDENTIALS, searchArchiveShipmentStatus={
        "ArchiveReference": first.archive_reference})
    valid_response(client, flavour.contract, operation, soap12=flavour.soap12)
    assert got.LimitReached is False
    [status] = got.ArchiveShipmentStatusList.ArchiveShipmentStatusExternalV2
    assert status.ArchiveReference == first.archive_reference
    assert [(e.ShipmentStatus, e.ShipmentDescription) for e in status.ShipmentStatusLog.ShipmentStatusLogEntry] == [
        ("Sent", "DownloadQueue|1")]
    got = getattr(service, operation)(**CREDENTIALS, searchArchiveShipmentStatus={
        "ServiceReference": {"ServiceCode": "5679", "ServiceEditionCode": 1}})
    valid_response(client, flavour.contract, operation, soap12=flavour.soap12)
    assert [s.ArchiveReference for s in got.ArchiveShipmentStatusList.ArchiveShipmentStatusExternalV2] == [
        first.archive_reference, second.archive_reference]


@pytest.mark.parametrize("flavour", WITH_STATUS)
def test_shipment_status_v1_has_a_row_per_entry_and_notset_for_none(real, emulator, flavour):
    client, service = real(flavour)
    operation = flavour.status[1]
    first, second = archived_task(emulator), archived_task(emulator)
    emulator.download_queue.archived_form_task(_caller(emulator), first.archive_reference)
    got = getattr(service, operation)(**CREDENTIALS, searchArchiveShipmentStatus={
        "ServiceReference": {"ServiceCode": "5679"}})
    valid_response(client, flavour.contract, operation, soap12=flavour.soap12)
    rows = got.ArchiveShipmentStatusList.ArchiveShipmentStatusExternal
    assert [(r.ArchiveReference, r.ShipmentStatus, r.ShipmentSequenceID) for r in rows] == [
        (first.archive_reference, "Sent", "DownloadQueue|1"), (second.archive_reference, "NotSet", None)]


@pytest.mark.parametrize("flavour", WITH_STATUS)
@pytest.mark.parametrize(("search", "error_id"), [
    pytest.param({}, 30004, id="neither"),
    pytest.param({"ArchiveReference": "AR1", "ServiceReference": {"ServiceCode": "5679"}}, 30004, id="both"),
    pytest.param({"ArchiveReference": "AR404404"}, 30007, id="unknown")])
def test_shipment_status_faults(real, emulator, flavour, search, error_id):
    client, service = real(flavour)
    operation = flavour.status[2]
    fault = expect_altinn_fault(
        client, flavour.contract, operation,
        lambda: getattr(service, operation)(**CREDENTIALS, searchArchiveShipmentStatus=search),
        soap12=flavour.soap12)
    assert fault.ErrorID == error_id


@pytest.mark.parametrize("flavour", WITH_STATUS)
def test_another_owners_archive_reference_is_not_found(real, emulator, flavour):
    client, service = real(flavour)
    task = archived_task(emulator)
    operation = flavour.status[2]
    fault = expect_altinn_fault(
        client, flavour.contract, operation,
        lambda: getattr(service, operation)(**OTHER_OWNER, searchArchiveShipmentStatus={
            "ArchiveReference": task.archive_reference}), soap12=flavour.soap12)
    assert fault.ErrorID == 30007


# -- our WSDLs against the real ones ----------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_binding_port_type_and_service_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_input_output_and_fault_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


@pytest.mark.parametrize(("flavour", "operation"), signature_cases((BASIC, EC, EC2)))
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, flavour, operation)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_we_offer_exactly_the_real_operations(base_url, flavour):
    real_view, our_view = views(base_url, flavour, flavour)
    assert set(our_view) == set(real_view)


def _caller(emulator):
    from altinn_so.domain.auth import AuthMode
    return emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)


# -- end to end: one submission, downloaded (Sent) and answered with a correspondence (Correlated) -----------

LETTER = {"ServiceCode": "5678", "ServiceEdition": "1", "Reportee": OLA,
          "Content": {"LanguageCode": "1044", "MessageTitle": "Vedtak", "MessageSummary": "Om søknaden",
                      "MessageBody": "Søknaden er innvilget."}}


def test_one_submission_sent_then_correlated(real, emulator, base_url):
    client, service = real(BASIC)
    task = archived_task(emulator, attachments=[attachment(b"%PDF-1.4")], submitter=OLA)
    other = archived_task(emulator)
    emulator.download_queue.archived_form_task(_caller(emulator), task.archive_reference)
    emulator.clock.advance(timedelta(minutes=5))
    _, correspondence = real_service("basic/CorrespondenceAgencyExternalBasic.wsdl",
                                     base_url + "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc")
    for reference in (task.archive_reference, "AR-not-archived"):
        receipt = correspondence.InsertCorrespondenceBasicV2(
            **CREDENTIALS, SystemUserCode="TTD_SAK", ExternalShipmentReference="SAK-" + reference,
            Correspondence={**LETTER, "ArchiveReference": reference})
        assert receipt.ReceiptStatusCode == "OK"
    got = service.GetArchivedFormTaskBasicV2(**CREDENTIALS, reporteeElementID=task.element_id, languageID=1044)
    assert got.ArchivedAttachmentList.ArchivedAttachmentBEV2[0].AttachmentID == task.attachments[0].id
    status = service.GetArchiveShipmentStatusExternalBasicV2(**CREDENTIALS, searchArchiveShipmentStatus={
        "ServiceReference": {"ServiceCode": "5679"}})
    valid_response(client, BASIC.contract, "GetArchiveShipmentStatusExternalBasicV2", soap12=False)
    by_reference = {s.ArchiveReference: s for s in status.ArchiveShipmentStatusList.ArchiveShipmentStatusExternalV2}
    log = by_reference[task.archive_reference].ShipmentStatusLog.ShipmentStatusLogEntry
    assert [e.ShipmentStatus for e in log] == ["Sent", "Correlated"]
    assert log[1].ShipmentStatusDateTime > log[0].ShipmentStatusDateTime
    empty = by_reference[other.archive_reference].ShipmentStatusLog  # never handed over: no entries
    assert empty is None or not empty.ShipmentStatusLogEntry
    v1 = service.GetArchiveShipmentStatusExternalBasic(**CREDENTIALS, searchArchiveShipmentStatus={
        "ArchiveReference": task.archive_reference})
    valid_response(client, BASIC.contract, "GetArchiveShipmentStatusExternalBasic", soap12=False)
    rows = v1.ArchiveShipmentStatusList.ArchiveShipmentStatusExternal
    assert [r.ShipmentStatus for r in rows] == ["Sent", "Correlated"]
    assert all(r.CorrespondenceCorrelatedDateTime == log[1].ShipmentStatusDateTime for r in rows)


# -- WS: no real WSDL; ours, Basic's names without "Basic" (D85), credentials in a UsernameToken ----------

WS_PATH = "/ArchiveExternal/ServiceOwnerArchiveExternal.svc"
WS_OPERATIONS = {"Test", "GetArchivedFormTask", "GetArchivedFormTaskV2", "GetArchiveShipmentStatusExternal",
                 "GetArchiveShipmentStatusExternalV2"}


def test_ws_round_trip_with_a_username_token(base_url, emulator):
    client, service = our_service(base_url + WS_PATH + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
    assert set(operation_view(client)) == WS_OPERATIONS
    task = archived_task(emulator)
    got = service.GetArchivedFormTaskV2(reporteeElementID=task.element_id)
    assert got.ReporteeElementID == task.element_id
    status = service.GetArchiveShipmentStatusExternalV2(searchArchiveShipmentStatus={
        "ArchiveReference": task.archive_reference})
    assert [s.ArchiveReference for s in status.ArchiveShipmentStatusList.ArchiveShipmentStatusExternalV2] == [
        task.archive_reference]
