"""ServiceOwnerArchiveExternalStreamed, GetAttachmentDataStreamed (docs/behaviour/archive.md).

EC and EC2 are called by zeep clients built from the REAL WSDLs and their responses validated against them; the
real Basic streamed WSDL does not inline its types (zeep cannot read it), so Basic is called through our WSDL,
whose types come from the EC2 streamed contract. A 40 MB attachment is fetched in MTOM, as WCF asks for it.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from zeep.wsse.username import UsernameToken

from support.archived import OLA, archived_task, attachment
from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_service
from support.wsdl_match import assert_actions_match, assert_names_match, assert_signature_matches
from wire.test_mtom import XOP, app_of, post, soap_body, wcf

pytestmark = pytest.mark.conformance

NS = "http://www.altinn.no/services/Archive/ServiceOwnerArchive/2013/06"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}
OPERATION = "GetAttachmentDataStreamedEC"


class Flavour:
    def __init__(self, key: str, contract: str, path: str):
        self.key, self.contract, self.path = key, contract, path
        self.operations = {"Test", OPERATION}


EC = Flavour("ec", "ec/ServiceOwnerArchiveExternalStreamedEC.wsdl",
             "/ArchiveExternal/ServiceOwnerArchiveExternalStreamedEC.svc")
EC2 = Flavour("ec2", "ec2/ServiceOwnerArchiveExternalStreamedEC2.wsdl",
              "/ArchiveExternal/ServiceOwnerArchiveExternalStreamedEC2.svc")
FLAVOURS = [pytest.param(f, id=f.key) for f in (EC, EC2)]
BASIC_PATH = "/ArchiveExternal/ServiceOwnerArchiveExternalStreamedBasic.svc"
WS_PATH = "/ArchiveExternal/ServiceOwnerArchiveExternalStreamed.svc"
FORTY_MB = bytes(range(256)) * (40 * 1024 * 1024 // 256)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_attachment_data(base_url, emulator, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    data = b"%PDF-1.4 " + bytes(range(256))
    task = archived_task(emulator, attachments=[attachment(data)], submitter=OLA)
    assert getattr(service, OPERATION)(**CREDENTIALS, attachmentId=task.attachments[0].id) == data
    valid_response(client, flavour.contract, OPERATION, soap12=True)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_unknown_and_another_owners_attachment(base_url, emulator, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    task = archived_task(emulator, attachments=[attachment(b"x")], submitter=OLA)
    for credentials, attachment_id in (
            ({"systemUserName": "ett-system", "systemPassword": "ett-password"}, task.attachments[0].id),
            (CREDENTIALS, task.attachments[0].id + 1000)):
        fault = expect_altinn_fault(
            client, flavour.contract, OPERATION,
            lambda: getattr(service, OPERATION)(**credentials, attachmentId=attachment_id), soap12=True)
        assert fault.ErrorID == 30007


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_names_actions_and_signature_match(base_url, flavour):
    assert_names_match(base_url, flavour)
    assert_actions_match(base_url, flavour)
    assert_signature_matches(base_url, flavour, flavour, OPERATION)


def test_basic_and_ws_through_our_wsdls(base_url, emulator):
    data = b"vedlegg"
    task = archived_task(emulator, attachments=[attachment(data)], submitter=OLA)
    _, basic = our_service(base_url + BASIC_PATH + "?wsdl")
    assert basic.GetAttachmentDataStreamedBasic(**CREDENTIALS, attachmentId=task.attachments[0].id) == data
    _, ws = our_service(base_url + WS_PATH + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
    assert ws.GetAttachmentDataStreamed(attachmentId=task.attachments[0].id) == data


def test_a_40_mb_attachment_comes_as_an_mtom_part(emulator):
    task = archived_task(emulator, attachments=[attachment(FORTY_MB, "stor.pdf")], submitter=OLA)
    action = f"{NS}/IServiceOwnerArchiveExternalStreamedEC/{OPERATION}"
    envelope = (f'<s:Envelope xmlns:s="{SOAP12}" xmlns:a="{WSA}"><s:Header>'
                f'<a:Action s:mustUnderstand="1">{action}</a:Action></s:Header>'
                f'<s:Body><{OPERATION} xmlns="{NS}"><systemUserName>ttd-system</systemUserName>'
                f'<systemPassword>ttd-password</systemPassword><attachmentId>{task.attachments[0].id}</attachmentId>'
                f'</{OPERATION}></s:Body></s:Envelope>').encode()
    body, content_type = wcf(envelope, [], soap_version=12, soap12_action=action)
    answer = post(app_of(emulator), EC2.path, body, content_type)
    assert answer.status == 200, answer.body[:500]
    root, parts = soap_body(answer)
    include = root.find(f".//{{{NS}}}{OPERATION}Result").find(f"{{{XOP}}}Include")
    assert include is not None  # not inline: an MTOM part
    assert parts[unquote(include.get("href")[4:])] == FORTY_MB
