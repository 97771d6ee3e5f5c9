"""The BrokerService and the streamed broker against the real Altinn contracts (docs/behaviour/broker.md).

Clients are built by zeep from the REAL WSDLs (read from ``../shared``, never copied here) with the address
pointed at the emulator; every response body is validated against the real WSDL's schemas. The streamed upload
is a message contract (headers FileName, Reference, Reportee and the credentials); on EC2 it is also sent as
WCF writes it, in MTOM, with the file as a binary part. Our own WSDLs are compared with the real ones.
The rights register is the test's own (``support.broker.Rights``), as the SRR service would answer.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

import pytest
from zeep.wsse.username import UsernameToken

from support.broker import ETT_ORGNO, TTD_ORGNO, a_zip, sender_and_recipient
from support.contracts import assert_valid_response as valid_response
from support.contracts import RealSchema, expect_altinn_fault, real_client, real_service
from support.rawhttp import send_half_and_hang_up, send_whole, status_of
from support.wsdl_match import (assert_actions_match, assert_names_match, assert_signature_matches, signature_cases,
                                views)
from support.zeepview import diff_views, operation_view
from wire.test_mtom import XOP, app_of, fault_of, post, soap_body, wcf

pytestmark = pytest.mark.conformance

NS = "http://www.altinn.no/services/ServiceEngine/Broker/2015/06"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
FILE = a_zip("Hei fra Testdepartementet", "brev.txt")
BIG_FILE = a_zip(os.urandom(2 * 1024 * 1024).hex(), "stor.txt")  # over the spool threshold: a part, not inline


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str
    path: str
    suffix: str
    credentials: tuple[str, str]  # the body credentials' names
    header_credentials: tuple[str, str]
    operations: frozenset[str]

    def op(self, base: str) -> str:
        return base + self.suffix

    @property
    def soap12(self) -> bool:
        return self.key.startswith("ec")

    def login(self, user: str = "ttd-system") -> dict:
        return {self.credentials[0]: user, self.credentials[1]: user.replace("system", "password")}

    def header_login(self, user: str = "ttd-system") -> dict:
        return {self.header_credentials[0]: user, self.header_credentials[1]: user.replace("system", "password")}


_BROKER_OPS = ("InitiateBrokerService", "GetAvailableFiles", "CheckIfAvailableFiles", "ConfirmDownloaded")
_STREAMED_OPS = ("UploadFileStreamed", "DownloadFileStreamed")
_BASIC_CREDS, _EC_CREDS = ("systemUserName", "systemPassword"), ("userName", "password")


def _flavour(key, contract, path, suffix, credentials, headers, ops) -> Flavour:
    return Flavour(key, contract, path, suffix, credentials, headers,
                   frozenset({"Test"} | {op + suffix for op in ops}))


BASIC = _flavour("basic", "basic/BrokerServiceExternalBasic.wsdl",
                 "/ServiceEngineExternal/BrokerServiceExternalBasic.svc", "Basic", _BASIC_CREDS, (), _BROKER_OPS)
EC2 = _flavour("ec2", "ec2/BrokerServiceExternalEC2/BrokerServiceExternalEC2SF1.wsdl",
               "/ServiceEngineExternal/BrokerServiceExternalEC2.svc", "EC", _EC_CREDS, (), _BROKER_OPS)
BASIC_STREAMED = _flavour("basic-streamed", "basic/BrokerServiceExternalBasicStreamed.wsdl",
                          "/ServiceEngineExternal/BrokerServiceExternalBasicStreamed.svc", "Basic", _BASIC_CREDS,
                          ("SystemUserName", "SystemPassword"), _STREAMED_OPS)
EC2_STREAMED = _flavour("ec2-streamed", "ec2/BrokerServiceExternalEC2Streamed.wsdl",
                        "/ServiceEngineExternal/BrokerServiceExternalEC2Streamed.svc", "EC", _EC_CREDS,
                        ("UserName", "Password"), _STREAMED_OPS)
EC_STREAMED = _flavour("ec-streamed", "ec/BrokerServiceExternalECStreamed.wsdl",
                       "/ServiceEngineExternal/BrokerServiceExternalECStreamed.svc", "EC", _EC_CREDS,
                       ("UserName", "Password"), _STREAMED_OPS)
EC = Flavour("ec", "ec/BrokerServiceExternalEC.wsdl", "/ServiceEngineExternal/BrokerServiceExternalEC.svc", "EC",
             _EC_CREDS, (), frozenset({"Test", "InitiateBrokerServiceEC", "GetAvailableFilesEC"}))
WS = Flavour("ws", "ws/BrokerServiceExternal.wsdl", "/ServiceEngineExternal/BrokerServiceExternal.svc", "", (), (),
             frozenset({"Test", "InitiateBrokerService", "GetAvailableFiles", "ConfirmDownloaded"}))
# "NAV-edited": a copy NAV's team changed by hand; names, actions and messages are Altinn's
WS_STREAMED = _flavour("ws-streamed", "ws/BrokerServiceExternalStreamed.NAV-edited.wsdl",
                       "/ServiceEngineExternal/BrokerServiceExternalStreamed.svc", "", (), (), _STREAMED_OPS)
ALL = (BASIC, WS, EC, EC2, BASIC_STREAMED, WS_STREAMED, EC_STREAMED, EC2_STREAMED)


@pytest.fixture
def rights(emulator):
    return sender_and_recipient(emulator)


@pytest.fixture
def real(base_url):
    return lambda flavour: real_service(flavour.contract, base_url + flavour.path)


def initiation(*recipients: str, code: str = "5690", reportee: str = TTD_ORGNO) -> dict:
    return {"Manifest": {"ExternalServiceCode": code, "ExternalServiceEditionCode": 1,
                         "SendersReference": "forsendelse-1", "Reportee": reportee,
                         "FileList": {"File": [{"FileName": "brev.zip", "CheckSum": None}]}},
            "RecipientList": {"Recipient": [{"PartyNumber": r} for r in recipients or (ETT_ORGNO,)]}}


def initiate(service, flavour: Flavour = BASIC, **kwargs) -> str:
    return getattr(service, flavour.op("InitiateBrokerService"))(
        **flavour.login(), brokerServiceInitiation=initiation(**kwargs) if kwargs else initiation())


def upload(service, reference: str, data: bytes = FILE, flavour: Flavour = BASIC_STREAMED,
           reportee: str = TTD_ORGNO, user: str = "ttd-system"):
    return getattr(service, flavour.op("UploadFileStreamed"))(DataStream=data, _soapheaders={
        "FileName": "brev.zip", "Reference": reference, "Reportee": reportee, **flavour.header_login(user)})


# -- the real WSDLs are what we think they are, and ours match them ----------------------------------------

@pytest.mark.parametrize("flavour", [pytest.param(f, id=f.key) for f in ALL])
def test_real_wsdl_has_the_expected_operations(flavour):
    assert set(operation_view(real_client(flavour.contract))) == flavour.operations


@pytest.mark.parametrize("flavour", [pytest.param(f, id=f.key) for f in ALL])
def test_our_wsdl_names_and_actions_match(base_url, flavour):
    assert_names_match(base_url, flavour)
    assert_actions_match(base_url, flavour)


_SUPERSET = {("ec2", "CheckIfAvailableFilesEC")}  # EC2's poll parameters lack Basic's optional service code


@pytest.mark.parametrize("flavour, operation", [
    case for case in signature_cases((BASIC, WS, EC2, BASIC_STREAMED, WS_STREAMED, EC2_STREAMED))
    if (case.values[0].key, case.values[1]) not in _SUPERSET])
def test_our_signatures_match_the_real_ones(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, flavour, operation)


def test_ec2_poll_parameters_are_basics_superset(base_url):
    """Every binding takes Basic's poll parameters (D73): on EC2 the two optional members are all that differ."""
    real_view, our_view = views(base_url, EC2, EC2)
    diffs = diff_views(real_view["CheckIfAvailableFilesEC"], our_view["CheckIfAvailableFilesEC"],
                       "CheckIfAvailableFilesEC")
    assert len(diffs) == 1 and "only in ours" in diffs[0]
    assert diffs[0].endswith("Broker/2020/01}ExternalServiceCode, "
                             "{http://schemas.altinn.no/services/ServiceEngine/Broker/2020/01}ExternalServiceEditionCode")


# -- the whole flow -----------------------------------------------------------------------------------------

def test_end_to_end_on_basic(real, base_url, emulator, rights):
    client, service = real(BASIC)
    streamed_client, streamed = real(BASIC_STREAMED)
    reference = initiate(service)
    valid_response(client, BASIC.contract, "InitiateBrokerServiceBasic", soap12=False)
    receipt = upload(streamed, reference)
    valid_response(streamed_client, BASIC_STREAMED.contract, "UploadFileStreamedBasic", soap12=False,
                   wrapper="ReceiptExternalStreamedBE")
    assert receipt.ReceiptText == "Upload of file brev.zip was successful. Recipients can now download the file."
    assert (receipt.ReceiptTypeName, receipt.ReceiptStatusCode, receipt.ParentReceiptId) == ("BrokerService", "OK", 0)

    ett = BASIC.login("ett-system")
    assert service.CheckIfAvailableFilesBasic(**ett, pollParameters={"Recipients": {"string": [ETT_ORGNO]}})
    valid_response(client, BASIC.contract, "CheckIfAvailableFilesBasic", soap12=False)
    listed = service.GetAvailableFilesBasic(**ett, searchParameters={"Reportee": ETT_ORGNO, "FileStatus": "Uploaded"})
    valid_response(client, BASIC.contract, "GetAvailableFilesBasic", soap12=False)
    [available] = listed  # zeep unwraps the list's one member
    assert (available.FileReference, available.FileName, available.FileSize, available.Reportee,
            available.SendersReference) == (reference, "brev.zip", len(FILE), TTD_ORGNO, "forsendelse-1")
    downloaded = streamed.DownloadFileStreamedBasic(**ett, fileReference=reference, reportee=ETT_ORGNO)
    valid_response(streamed_client, BASIC_STREAMED.contract, "DownloadFileStreamedBasic", soap12=False)
    assert downloaded == FILE
    service.ConfirmDownloadedBasic(**ett, fileReference=reference, reportee=ETT_ORGNO)
    valid_response(client, BASIC.contract, "ConfirmDownloadedBasic", soap12=False)
    assert not service.CheckIfAvailableFilesBasic(**ett, pollParameters={"Recipients": {"string": [ETT_ORGNO]}})

    # the sender sees its main receipt and the recipient's sub-receipt, downloaded
    _, receipts = real_service("basic/ReceiptAgencyExternalBasic.wsdl",
                               base_url + "/IntermediaryExternal/ReceiptAgencyExternalBasic.svc")
    main = receipts.GetReceiptBasic(systemUserName="ttd-system", systemPassword="ttd-password",
                                    receipt={"ReceiptId": receipt.ReceiptId})
    [sub] = main.SubReceipts.ReceiptExternal
    assert sub.ReceiptId == available.ReceiptID and "downloaded" in sub.ReceiptText

    # rights removed: the same flow fails at once with the documented codes
    rights.remove(TTD_ORGNO)
    rights.remove(ETT_ORGNO)
    assert expect_altinn_fault(client, BASIC.contract, "InitiateBrokerServiceBasic", lambda: initiate(service),
                               soap12=False).ErrorID == 40201
    assert expect_altinn_fault(
        streamed_client, BASIC_STREAMED.contract, "DownloadFileStreamedBasic",
        lambda: streamed.DownloadFileStreamedBasic(**ett, fileReference=reference, reportee=ETT_ORGNO),
        soap12=False).ErrorID == 40215
    assert service.GetAvailableFilesBasic(
        **ett, searchParameters={"Reportee": ETT_ORGNO, "FileStatus": "Downloaded"}) is None  # silently hidden


SRR_CONTRACT = "basic/RegisterSRRAgencyExternalBasic.wsdl"
SRR_PATH = "/RegisterExternal/RegisterSRRAgencyExternalBasic.svc"
NEXT_YEAR = datetime(2027, 3, 2, 9, 0, tzinfo=timezone.utc)
RIGHTS = [{"Condition": None, "Reportee": TTD_ORGNO, "Right": "Write", "ValidTo": NEXT_YEAR},
          {"Condition": None, "Reportee": ETT_ORGNO, "Right": "Read", "ValidTo": NEXT_YEAR}]


def test_a_large_plain_upload_lands_byte_for_byte_in_the_file_store(real, emulator, rights, monkeypatch):
    """A 24 MB ZIP sent as zeep sends it from the real Basic streamed WSDL: plain SOAP, the file as base64 text.
    Its text is decoded to a file as the body is parsed (never built into the tree: D80), and the stored file
    is the very bytes sent."""
    from altinn_so.soap import plainstream
    decoded = []
    original = plainstream._Base64ToFile.finish
    monkeypatch.setattr(plainstream._Base64ToFile, "finish", lambda self: (decoded.append(self.length),
                                                                          original(self))[1])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("stor.bin", os.urandom(24 * 1024 * 1024))
    data = buffer.getvalue()
    _, service = real(BASIC)
    _, streamed = real(BASIC_STREAMED)
    reference = initiate(service)
    receipt = upload(streamed, reference, data)
    assert receipt.ReceiptStatusCode == "OK"
    assert decoded == [len(data)]  # the upload went through the spilling parser
    sha = hashlib.sha256(data).hexdigest()
    with open(os.path.join(emulator.files.directory, sha), "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == sha
    # (zeep cannot read the download back: its parser refuses a text node over 10 MB; the bench reads it)


def test_end_to_end_with_the_rights_register(base_url, emulator):
    """The rights come from the emulator's own register, given and taken away through SRR's real Basic WSDL:
    AddRights for the sender and the recipient, the whole flow, then DeleteRights and the documented faults."""
    _, srr = real_service(SRR_CONTRACT, base_url + SRR_PATH)
    owner = {"systemUserName": "ttd-system", "systemPassword": "ttd-password", "serviceCode": "5690",
             "serviceEditionCode": 1}
    added = srr.AddRightsBasic(**owner, insertRightList={"AddRightRequest": RIGHTS})
    assert [r.OperationResult for r in added] == ["Ok", "Ok"]

    client, service = real_service(BASIC.contract, base_url + BASIC.path)
    streamed_client, streamed = real_service(BASIC_STREAMED.contract, base_url + BASIC_STREAMED.path)
    reference = initiate(service)
    upload(streamed, reference)
    ett = BASIC.login("ett-system")
    assert service.CheckIfAvailableFilesBasic(**ett, pollParameters={"Recipients": {"string": [ETT_ORGNO]}})
    [available] = service.GetAvailableFilesBasic(**ett, searchParameters={"Reportee": ETT_ORGNO,
                                                                          "FileStatus": "Uploaded"})
    assert streamed.DownloadFileStreamedBasic(**ett, fileReference=reference, reportee=ETT_ORGNO) == FILE
    service.ConfirmDownloadedBasic(**ett, fileReference=reference, reportee=ETT_ORGNO)
    _, receipts = real_service("basic/ReceiptAgencyExternalBasic.wsdl",
                               base_url + "/IntermediaryExternal/ReceiptAgencyExternalBasic.svc")
    main = receipts.GetReceiptBasic(systemUserName="ttd-system", systemPassword="ttd-password",
                                    receipt={"References": {"Reference": [
                                        {"ReferenceTypeName": "ExternalShipmentReference",
                                         "ReferenceValue": reference}]}})
    [sub] = main.SubReceipts.ReceiptExternal
    assert sub.ReceiptId == available.ReceiptID and "downloaded" in sub.ReceiptText

    deleted = srr.DeleteRightsBasic(**owner, deleteRightList={"DeleteRightRequest": [
        {k: v for k, v in r.items() if k != "ValidTo"} for r in RIGHTS]})
    assert [r.OperationResult for r in deleted] == ["Ok", "Ok"]
    assert expect_altinn_fault(client, BASIC.contract, "InitiateBrokerServiceBasic", lambda: initiate(service),
                               soap12=False).ErrorID == 40201
    assert expect_altinn_fault(
        streamed_client, BASIC_STREAMED.contract, "DownloadFileStreamedBasic",
        lambda: streamed.DownloadFileStreamedBasic(**ett, fileReference=reference, reportee=ETT_ORGNO),
        soap12=False).ErrorID == 40215
    assert not service.CheckIfAvailableFilesBasic(**ett, pollParameters={"Recipients": {"string": [ETT_ORGNO]}})


def test_ws_flow_with_username_tokens(base_url, emulator, rights):
    """WS: the credentials in the WS-Security UsernameToken, the upload's message headers without them."""
    def ws(flavour, user="ttd-system"):
        return real_service(flavour.contract, base_url + flavour.path,
                            wsse=UsernameToken(user, user.replace("system", "password")))

    client, service = ws(WS)
    reference = service.InitiateBrokerService(brokerServiceInitiation=initiation())
    valid_response(client, WS.contract, "InitiateBrokerService", soap12=True)
    streamed_client, streamed = ws(WS_STREAMED)
    receipt = streamed.UploadFileStreamed(DataStream=FILE, _soapheaders={
        "FileName": "brev.zip", "Reference": reference, "Reportee": TTD_ORGNO})
    valid_response(streamed_client, WS_STREAMED.contract, "UploadFileStreamed", soap12=True,
                   wrapper="ReceiptExternalStreamedBE")
    assert receipt.ReceiptStatusCode == "OK"
    client, service = ws(WS, "ett-system")
    [available] = service.GetAvailableFiles(searchParameters={"Reportee": ETT_ORGNO, "FileStatus": "Uploaded"})
    valid_response(client, WS.contract, "GetAvailableFiles", soap12=True)
    streamed_client, streamed = ws(WS_STREAMED, "ett-system")
    assert streamed.DownloadFileStreamed(fileReference=available.FileReference, reportee=ETT_ORGNO) == FILE
    valid_response(streamed_client, WS_STREAMED.contract, "DownloadFileStreamed", soap12=True)
    service.ConfirmDownloaded(fileReference=reference, reportee=ETT_ORGNO)
    valid_response(client, WS.contract, "ConfirmDownloaded", soap12=True)
    assert [r.status for r in emulator.broker_store.get(reference).recipients] == ["Downloaded"]


def test_retention_removes_the_file(real, emulator, rights):
    _, service = real(BASIC)
    streamed_client, streamed = real(BASIC_STREAMED)
    reference = initiate(service)
    upload(streamed, reference)
    emulator.clock.advance(timedelta(days=14, seconds=1))
    emulator.run_due_work()
    assert expect_altinn_fault(
        streamed_client, BASIC_STREAMED.contract, "DownloadFileStreamedBasic",
        lambda: streamed.DownloadFileStreamedBasic(**BASIC.login("ett-system"), fileReference=reference,
                                                   reportee=ETT_ORGNO), soap12=False).ErrorID == 40207
    assert list(emulator.files.hashes()) == []


def test_ec2_end_to_end_with_an_mtom_upload(real, emulator, rights):
    client, service = real(EC2)
    reference = initiate(service, EC2)
    valid_response(client, EC2.contract, "InitiateBrokerServiceEC", soap12=True)
    answer = _mtom_upload(emulator, reference, FILE)
    assert answer.status == 200, answer.body[:800]
    root, _ = soap_body(answer)
    receipt = root.find(f".//{{{NS}}}ReceiptExternalStreamedBE")
    RealSchema(EC2_STREAMED.contract).assert_valid(receipt)
    assert receipt.findtext(f"{{{NS}}}ReceiptText").startswith("Upload of file brev.zip was successful")

    streamed_client, streamed = real(EC2_STREAMED)
    ett = EC2.login("ett-system")
    assert service.CheckIfAvailableFilesEC(**ett, pollParameters={"Recipients": {"string": [ETT_ORGNO]}})
    valid_response(client, EC2.contract, "CheckIfAvailableFilesEC", soap12=True)
    listed = service.GetAvailableFilesEC(**ett, searchParameters={"Reportee": ETT_ORGNO, "FileStatus": "Uploaded"})
    valid_response(client, EC2.contract, "GetAvailableFilesEC", soap12=True)
    assert [f.FileReference for f in listed] == [reference]
    assert streamed.DownloadFileStreamedEC(**ett, fileReference=reference, reportee=ETT_ORGNO) == FILE
    valid_response(streamed_client, EC2_STREAMED.contract, "DownloadFileStreamedEC", soap12=True)
    service.ConfirmDownloadedEC(**ett, fileReference=reference, reportee=ETT_ORGNO)
    valid_response(client, EC2.contract, "ConfirmDownloadedEC", soap12=True)
    [shipment] = emulator.broker_store.list()
    assert [r.status for r in shipment.recipients] == ["Downloaded"]


def test_an_mtom_download_streams_the_file_in_a_part(emulator, rights):
    reference = _uploaded(emulator, BIG_FILE)
    envelope = _envelope12("DownloadFileStreamedEC", "",
                           f"<userName>ett-system</userName><password>ett-password</password>"
                           f"<fileReference>{reference}</fileReference><reportee>{ETT_ORGNO}</reportee>")
    body, content_type = wcf(envelope, [], soap_version=12, soap12_action=_action("DownloadFileStreamedEC"))
    answer = post(app_of(emulator), EC2_STREAMED.path, body, content_type)
    assert answer.status == 200, answer.body[:500]
    root, parts = soap_body(answer)
    result = root.find(f".//{{{NS}}}DownloadFileStreamedECResult")
    include = result.find(f"{{{XOP}}}Include")
    assert include is not None  # not inline: an MTOM part
    assert parts[unquote(include.get("href")[4:])] == BIG_FILE


def _action(operation: str) -> str:
    return f"{NS}/IBrokerServiceExternalECStreamed/{operation}"


def _envelope12(operation: str, headers: str, inner: str, element: str | None = None) -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP12}" xmlns:a="{WSA}"><s:Header>'
            f'<a:Action s:mustUnderstand="1">{_action(operation)}</a:Action>{headers}</s:Header>'
            f'<s:Body><{element or operation} xmlns="{NS}">{inner}</{element or operation}></s:Body>'
            "</s:Envelope>").encode()


def _upload_request(reference: str, data: bytes, reportee: str = TTD_ORGNO) -> tuple[bytes, str]:
    headers = "".join(f'<{name} xmlns="{NS}">{value}</{name}>' for name, value in (
        ("FileName", "brev.zip"), ("Password", "ttd-password"), ("Reference", reference), ("Reportee", reportee),
        ("UserName", "ttd-system")))
    cid = "http://tempuri.org/1/639012345678901234"
    envelope = _envelope12("UploadFileStreamedEC", headers,
                           f'<DataStream><xop:Include href="cid:{cid}" xmlns:xop="{XOP}"/></DataStream>',
                           element="StreamedPayloadECBE")
    return wcf(envelope, [(cid, data)], soap_version=12, soap12_action=_action("UploadFileStreamedEC"))


def _mtom_upload(emulator, reference: str, data: bytes, reportee: str = TTD_ORGNO):
    body, content_type = _upload_request(reference, data, reportee)
    return post(app_of(emulator), EC2_STREAMED.path, body, content_type)


# -- every ErrorID on the wire ------------------------------------------------------------------------------

INITIATE_FAULTS = {
    "not-a-broker-service": (dict(code="4255"), 40210),
    "another-reportee": (dict(reportee=ETT_ORGNO), 40211),
    "recipient-without-read": ({"recipients": ("310003018",)}, 40202),
}


@pytest.mark.parametrize("case", sorted(INITIATE_FAULTS))
def test_initiate_faults(real, emulator, rights, case):
    overrides, error_id = INITIATE_FAULTS[case]
    recipients = overrides.pop("recipients", ()) if "recipients" in overrides else ()
    client, service = real(BASIC)
    call = lambda: service.InitiateBrokerServiceBasic(  # noqa: E731
        **BASIC.login(), brokerServiceInitiation=initiation(*recipients, **overrides))
    assert expect_altinn_fault(client, BASIC.contract, "InitiateBrokerServiceBasic", call, soap12=False).ErrorID \
        == error_id
    assert emulator.broker_store.list() == []


def test_a_sender_without_write_gets_40201(real, emulator, rights):
    rights.remove(TTD_ORGNO)
    client, service = real(EC2)
    assert expect_altinn_fault(client, EC2.contract, "InitiateBrokerServiceEC", lambda: initiate(service, EC2),
                               soap12=True).ErrorID == 40201


def test_upload_faults(real, emulator, rights):
    _, service = real(BASIC)
    client, streamed = real(BASIC_STREAMED)
    reference = initiate(service)

    def fault(**kwargs) -> int:
        return expect_altinn_fault(client, BASIC_STREAMED.contract, "UploadFileStreamedBasic",
                                   lambda: upload(streamed, **kwargs), soap12=False).ErrorID

    assert fault(reference="00000000-0000-0000-0000-000000000000") == 40212  # a wrong reference
    assert fault(reference=reference, reportee=ETT_ORGNO) == 40211
    assert fault(reference=reference, reportee=ETT_ORGNO, user="ett-system") == 40213  # reportee mismatch
    assert fault(reference=reference, data=b"") == 40205
    assert fault(reference=reference, data=b"PK\x03\x04 not really a zip") == 40206
    assert fault(reference=reference, data=FILE[:-40]) == 40206  # a truncated body
    assert list(emulator.files.hashes()) == [] and emulator.broker_store.get(reference).state == "Initiated"
    upload(streamed, reference)
    assert fault(reference=reference) == 40208  # a reference used twice
    assert len(list(emulator.files.hashes())) == 1


def test_an_infected_upload_injected_through_the_admin_api_is_40209(real, base_url, emulator, rights):
    import urllib.request

    _, service = real(BASIC)
    client, streamed = real(BASIC_STREAMED)
    reference = initiate(service)
    request = urllib.request.Request(f"{base_url}/_admin/broker/shipments/{reference}/infected", method="POST",
                                     data=b"")
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
    assert expect_altinn_fault(client, BASIC_STREAMED.contract, "UploadFileStreamedBasic",
                               lambda: upload(streamed, reference), soap12=False).ErrorID == 40209
    assert list(emulator.files.hashes()) == []
    upload(streamed, reference)
    with urllib.request.urlopen(f"{base_url}/_admin/broker/shipments/{reference}/file") as answer:
        assert answer.read() == FILE  # the admin API hands out the stored file
    with urllib.request.urlopen(f"{base_url}/_admin/state/broker-shipments") as answer:
        assert reference.encode() in answer.read()


def test_40216_comes_only_from_a_fault_rule(real, emulator, rights):
    """No caller's security level is too low here (D71); a fault rule answers with 40216 as Altinn would have."""
    _, service = real(BASIC)
    client, streamed = real(BASIC_STREAMED)
    reference = initiate(service)
    upload(streamed, reference)  # no rule: the level is never a reason
    emulator.faults.add({"match": {"operation": "DownloadFileStreamed"},
                         "action": {"type": "altinn_fault", "error_id": 40216,
                                    "message": "The security level of the user is too low."}})
    assert expect_altinn_fault(
        client, BASIC_STREAMED.contract, "DownloadFileStreamedBasic",
        lambda: streamed.DownloadFileStreamedBasic(**BASIC.login("ett-system"), fileReference=reference,
                                                   reportee=ETT_ORGNO), soap12=False).ErrorID == 40216


def test_a_file_over_the_limit_is_40204(real, emulator, rights):
    emulator.broker.max_file_bytes = 16
    _, service = real(BASIC)
    client, streamed = real(BASIC_STREAMED)
    reference = initiate(service)
    assert expect_altinn_fault(client, BASIC_STREAMED.contract, "UploadFileStreamedBasic",
                               lambda: upload(streamed, reference), soap12=False).ErrorID == 40204


def test_download_list_and_confirm_faults(real, emulator, rights):
    client, service = real(BASIC)
    streamed_client, streamed = real(BASIC_STREAMED)
    reference = initiate(service)
    ett = BASIC.login("ett-system")

    def download_fault(**kwargs) -> int:
        args = {"fileReference": reference, "reportee": ETT_ORGNO, **ett, **kwargs}
        return expect_altinn_fault(streamed_client, BASIC_STREAMED.contract, "DownloadFileStreamedBasic",
                                   lambda: streamed.DownloadFileStreamedBasic(**args), soap12=False).ErrorID

    def basic_fault(operation: str, **args) -> int:
        return expect_altinn_fault(client, BASIC.contract, operation,
                                   lambda: getattr(service, operation)(**ett, **args), soap12=False).ErrorID

    assert download_fault() == 40207  # nothing uploaded yet
    assert download_fault(fileReference="nope") == 40212
    assert download_fault(reportee=TTD_ORGNO) == 40211
    assert download_fault(reportee=TTD_ORGNO, **BASIC.login()) == 40213  # the sender is not a recipient
    assert basic_fault("GetAvailableFilesBasic",
                       searchParameters={"Reportee": "not-a-number", "FileStatus": "Uploaded"}) == 40214
    assert basic_fault("GetAvailableFilesBasic", searchParameters={
        "Reportee": ETT_ORGNO, "FileStatus": "Uploaded", "ExternalServiceCode": "4255",
        "ExternalServiceEditionCode": 10}) == 40210
    assert basic_fault("CheckIfAvailableFilesBasic", pollParameters={"Recipients": {"string": [TTD_ORGNO]}}) == 40211
    assert basic_fault("ConfirmDownloadedBasic", fileReference=reference, reportee=ETT_ORGNO) == 40212
    upload(streamed, reference)
    emulator.broker.rights.remove(ETT_ORGNO)
    assert basic_fault("ConfirmDownloadedBasic", fileReference=reference, reportee=ETT_ORGNO) == 40215


def test_an_ec2_mtom_upload_for_another_reportee_is_refused(emulator, rights):
    reference = _initiated(emulator)
    answer = _mtom_upload(emulator, reference, FILE, reportee=ETT_ORGNO)
    assert answer.status == 500 and fault_of(answer, 12)["ErrorID"] == "40211"
    assert list(emulator.files.hashes()) == []


def test_a_client_gone_mid_upload_leaves_nothing_behind(_server, emulator, rights):
    """Through the real server: half an MTOM upload, then the connection closes. No file reaches the store and
    the shipment stays as initiated; the whole upload then succeeds."""
    from altinn_so.app import EmulatorApp
    from altinn_so.soap.wsgi import WireSettings

    served, url = _server
    served.app = EmulatorApp(emulator, wire=WireSettings())
    reference = _initiated(emulator)
    body, content_type = _upload_request(reference, a_zip(os.urandom(200_000).hex()))
    assert send_half_and_hang_up(url, emulator, EC2_STREAMED.path, body, content_type) == [400]
    assert list(emulator.files.hashes()) == []
    assert emulator.broker_store.get(reference).state == "Initiated"
    assert status_of(send_whole(url, EC2_STREAMED.path, body, content_type)) == 200
    assert emulator.broker_store.get(reference).state == "Uploaded"


def _initiated(emulator) -> str:
    from altinn_so.domain.auth import AuthMode
    from altinn_so.services.broker.rules import Initiation

    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    return emulator.broker.initiate(caller, Initiation("5690", 1, "forsendelse-1", TTD_ORGNO, (ETT_ORGNO,))).reference


def _uploaded(emulator, data: bytes = FILE) -> str:
    reference = _initiated(emulator)
    answer = _mtom_upload(emulator, reference, data)
    assert answer.status == 200, answer.body[:500]
    return reference

