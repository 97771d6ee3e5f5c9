"""The test suite's OnlineBatchReceiver (support.push_receiver) against Altinn's own push requests and against
requests that are wrong in each way it checks, so that the emulator's push tests can trust what it records."""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import os
import socket
import urllib.error
import urllib.request
import zipfile

import pytest
import zeep.exceptions
from lxml import etree

from support.contracts import RealSchema, real_client, require_batch_sample, require_batch_schema
from support.push_receiver import ENVELOPES, SOAP11_ENV, SOAP12_ENV, PushReceiver, safe_parser

WSDL = "push/OnlineBatchReceiver.wsdl"
BOM = b"\xef\xbb\xbf"


# -- building and sending requests -------------------------------------------------------------------

def post(receiver: PushReceiver, body: bytes, *, version: str = "1.1", action: str | None = "wsdl",
         quoted: bool = True, url: str | None = None) -> tuple[int, bytes]:
    """POST ``body``; ``action="wsdl"`` sends the WSDL's soapAction, None sends none. (status, body)."""
    if action == "wsdl":
        action = receiver.contract.soap_actions[version]
    headers = {}
    if version == "1.1":
        headers["Content-Type"] = "text/xml; charset=utf-8"
        if action is not None:
            headers["SOAPAction"] = f'"{action}"' if quoted else action
    else:
        headers["Content-Type"] = "application/soap+xml; charset=utf-8" + (f'; action="{action}"' if action else "")
    request = urllib.request.Request(url or receiver.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def envelope(operation: bytes | etree._Element, version: str = "1.1") -> bytes:
    env = ENVELOPES[version]
    if isinstance(operation, bytes):
        operation = etree.fromstring(operation, safe_parser())
    root = etree.Element(f"{{{env}}}Envelope", nsmap={"soapenv": env})
    etree.SubElement(root, f"{{{env}}}Body").append(operation)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def request(receiver: PushReceiver, batch: str, *, sequence: int = 0, zipped: bytes | None = None,
            username: str = "altinn", passwd: str = "secret", version: str = "1.1") -> bytes:
    """A request envelope as the emulator would send it, named by the contract the receiver read."""
    contract = receiver.contract
    operation = etree.Element(contract.request.text, nsmap={"tns": contract.namespace})
    values = {"username": username, "passwd": passwd, "receiversReference": "ref-1",
              "sequenceNumber": str(sequence), "batch": batch,
              "attachments": base64.b64encode(zipped).decode() if zipped else ""}
    for name, value in values.items():
        etree.SubElement(operation, contract.fields[name].text).text = value
    return envelope(operation, version)


def make_batch(files: dict[str, bytes], *, checksums: dict[str, str] | None = None, inline: bool = False) -> str:
    """A DataBatch (genericbatch.2013.06) with one DataUnit and an Attachment per file."""
    batch = etree.Element("DataBatch", schemaVersion="1.0", batchReference="7", previousReference="6",
                          receiverReference="ref-1", timeStamp="2026-03-02T10:00:00", formTasksInBatch="1")
    units = etree.SubElement(batch, "DataUnits")
    etree.SubElement(units, "DataUnit", reportee="910000001", archiveReference="AR1",
                     archiveTimeStamp="2026-03-02T09:59:00")
    if files:
        attachments = etree.SubElement(batch, "Attachments")
        for name, data in files.items():
            checksum = (checksums or {}).get(name, hashlib.sha256(data).hexdigest())
            attachment = etree.SubElement(attachments, "Attachment", archiveReference="AR1", fileName=f"Vedlegg {name}",
                                          internalFileName=name, checksum=checksum)
            if inline:
                attachment.text = base64.b64encode(data).decode()
    return etree.tostring(batch, encoding="unicode")


def zip_of(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sample_envelope(name: str) -> bytes:
    """Inn*.xml are bare body elements: wrapped in a SOAP 1.1 envelope. The soapui file holds its envelope."""
    root = etree.parse(str(require_batch_sample(name)), safe_parser()).getroot()
    if name.startswith("Inn"):
        return envelope(root)
    found = next(root.iter(f"{{{SOAP11_ENV}}}Envelope"))
    return etree.tostring(found, xml_declaration=True, encoding="utf-8")


def result_receipt(reply: bytes, receiver: PushReceiver, version: str = "1.1") -> etree._Element:
    """The OnlineBatchReceipt document inside a result reply (its response element checked by the real WSDL)."""
    body = etree.fromstring(reply, safe_parser()).find(f"{{{ENVELOPES[version]}}}Body")
    response = body[0]
    RealSchema(WSDL).assert_valid(response)
    assert response.tag == receiver.contract.response.text
    return etree.fromstring(response[0].text.encode(), safe_parser())


def result_code(reply: bytes, receiver: PushReceiver) -> str:
    return result_receipt(reply, receiver).find("Result").get("resultCode")


FILES = {"1_a.pdf": b"%PDF-1.4 first", "1_b.xml": b"<b>second</b>"}


# -- Altinn's own requests ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Inn1.xml", "Inn3.xml", "Inn4.xml", "OnlineBatchV2-soapui-project.xml"])
def test_altinn_simulator_requests_are_recorded_without_problems(name):
    with PushReceiver(require_checksums=False) as receiver:
        status, reply = post(receiver, sample_envelope(name))
        [call] = receiver.wait_for(1)
    assert call.problems == []
    assert (status, call.reply, result_code(reply, receiver)) == (200, "OK", "OK")
    assert (call.soap_version, call.soap_action) == ("1.1", receiver.contract.soap_actions["1.1"])
    assert (call.username, call.passwd, call.sequence_number) == ("Altinn", "1234567", 0)
    assert call.batch is not None and call.batch.tag == "DataBatch"
    assert call.receivers_reference  # Inn3's differs from its batch's receiverReference: not the receiver's business
    declared = {attachment.get("internalFileName") for attachment in call.batch.iter("Attachment")}
    assert set(call.attachments) == declared
    assert all(call.attachments.values())


def test_inn4_zip_entries_are_matched_to_the_batch_attachments():
    with PushReceiver(require_checksums=False) as receiver:
        post(receiver, sample_envelope("Inn4.xml"))
        [call] = receiver.wait_for(1)
    assert sorted(call.attachments) == ["98673_2a571df9-64c6-4049-a928-9513a2e38030.ppt",
                                        "98673_6931e8d6-9bed-47a3-86f0-9e11f414cc58.xlsx"]
    assert call.attachments["98673_6931e8d6-9bed-47a3-86f0-9e11f414cc58.xlsx"].startswith(b"PK")  # an OOXML file


def test_inn3_inline_attachments_are_decoded():
    with PushReceiver(require_checksums=False) as receiver:
        post(receiver, sample_envelope("Inn3.xml"))
        [call] = receiver.wait_for(1)
    assert call.attachments["98462_3e5747cb-c277-4674-b78e-53a401d3a7e8.pdf"].startswith(b"%PDF")


def test_real_samples_without_checksums_are_a_problem_by_default():
    with PushReceiver() as receiver:
        post(receiver, sample_envelope("Inn4.xml"))
        [call] = receiver.wait_for(1)
    assert sorted(call.problems) == [
        "Attachment '98673_2a571df9-64c6-4049-a928-9513a2e38030.ppt' has no checksum",
        "Attachment '98673_6931e8d6-9bed-47a3-86f0-9e11f414cc58.xlsx' has no checksum"]


def test_inn2_invalid_batch_is_a_schema_problem():
    with PushReceiver(require_checksums=False) as receiver:
        post(receiver, sample_envelope("Inn2.xml"))
        [call] = receiver.wait_for(1)
    assert call.batch is not None
    assert any(problem.startswith("batch does not validate against genericbatch.2013.06.xsd")
               and "base64Binary" in problem for problem in call.problems), call.problems


# -- attachments and checksums -----------------------------------------------------------------------

def test_zip_with_matching_checksums_has_no_problems():
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch(FILES), zipped=zip_of(FILES)))
        [call] = receiver.wait_for(1)
    assert call.problems == []
    assert call.attachments == FILES


def test_tampered_zip_entry_is_a_checksum_problem():
    tampered = {**FILES, "1_b.xml": b"<b>changed</b>"}
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch(FILES), zipped=zip_of(tampered)))
        [call] = receiver.wait_for(1)
    assert len(call.problems) == 1
    assert call.problems[0].startswith("Attachment '1_b.xml': checksum")
    assert hashlib.sha256(b"<b>changed</b>").hexdigest() in call.problems[0]


def test_uppercase_checksum_is_a_problem():
    upper = {"1_a.pdf": hashlib.sha256(FILES["1_a.pdf"]).hexdigest().upper()}
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch(FILES, checksums=upper), zipped=zip_of(FILES)))
        [call] = receiver.wait_for(1)
    assert [problem.split(":")[0] for problem in call.problems] == ["Attachment '1_a.pdf'"]


def test_zip_entry_without_attachment_and_attachment_without_entry_are_problems():
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch(FILES),
                               zipped=zip_of({"1_a.pdf": FILES["1_a.pdf"], "stray.txt": b"x"})))
        [call] = receiver.wait_for(1)
    assert sorted(call.problems) == ["Attachment '1_b.xml' of the batch has no entry in the ZIP",
                                     "ZIP entry 'stray.txt' matches no Attachment internalFileName of the batch"]


def test_attachments_that_are_not_a_zip_are_a_problem():
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch(FILES), zipped=b"not a zip at all"))
        [call] = receiver.wait_for(1)
    assert [problem.split(":")[0] for problem in call.problems] == ["attachments is not a readable ZIP"]


def test_inline_attachments_are_checked_against_their_checksums():
    wrong = {"1_b.xml": hashlib.sha256(b"other").hexdigest()}
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch(FILES, inline=True)))
        post(receiver, request(receiver, make_batch(FILES, inline=True, checksums=wrong), sequence=1))
        good, bad = receiver.wait_for(2)
    assert good.problems == [] and good.attachments == FILES
    assert [problem.split(":")[0] for problem in bad.problems] == ["Attachment '1_b.xml'"]


def test_attachment_without_bytes_anywhere_is_a_problem():
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch(FILES)))  # no ZIP, no inline base64
        [call] = receiver.wait_for(1)
    assert sorted(problem.split(" has no bytes")[0] for problem in call.problems) == [
        "Attachment '1_a.pdf'", "Attachment '1_b.xml'"]


# -- SOAP ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("quoted", [True, False])
def test_soap11_action_is_accepted_quoted_or_not(quoted):
    with PushReceiver() as receiver:
        status, _ = post(receiver, request(receiver, make_batch({})), quoted=quoted)
        [call] = receiver.wait_for(1)
    assert (status, call.problems) == (200, [])


def test_wrong_or_missing_soap_action_is_a_problem():
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch({})), action="http://AltInn.no/webservices/Other")
        post(receiver, request(receiver, make_batch({})), action=None)
        wrong, missing = receiver.wait_for(2)
    assert len(wrong.problems) == 1 and "'http://AltInn.no/webservices/Other'" in wrong.problems[0]
    assert missing.problems == ["SOAP 1.1 request without a SOAPAction header"]


def test_soap12_request_with_and_without_action_parameter():
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch({}), version="1.2"), version="1.2")
        post(receiver, request(receiver, make_batch({}), version="1.2"), version="1.2", action=None)
        post(receiver, request(receiver, make_batch({}), version="1.2"), version="1.2", action="urn:wrong")
        with_action, without, wrong = receiver.wait_for(3)
    assert (with_action.soap_version, with_action.soap_action, with_action.problems) == \
        ("1.2", receiver.contract.soap_actions["1.2"], [])
    assert (without.soap_version, without.soap_action, without.problems) == ("1.2", None, [])
    assert len(wrong.problems) == 1 and "'urn:wrong'" in wrong.problems[0]


def test_soap_version_of_envelope_must_match_content_type():
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch({}), version="1.2"), version="1.1")
        [call] = receiver.wait_for(1)
    assert call.problems == ["a SOAP 1.2 envelope sent as SOAP 1.1 (text/xml)"]


@pytest.mark.parametrize("binding,version", [("OnlineBatchReceiverSoap", "1.1"), ("OnlineBatchReceiverSoap12", "1.2")])
def test_zeep_client_of_the_real_wsdl_is_answered(binding, version):
    client = real_client(WSDL)
    with PushReceiver(expected_credentials=("altinn", "secret")) as receiver:
        service = client.create_service(f"{{{receiver.contract.namespace}}}{binding}", receiver.url)
        result = service.ReceiveOnlineBatchExternalAttachment(
            username="altinn", passwd="secret", receiversReference="ref-1", sequenceNumber=1,
            batch=make_batch(FILES), attachments=zip_of(FILES))
        [call] = receiver.wait_for(1)
    assert (call.soap_version, call.problems, call.attachments) == (version, [], FILES)
    assert etree.fromstring(result.encode()).find("Result").get("resultCode") == "OK"


def test_utf8_bom_is_accepted():
    with PushReceiver() as receiver:
        status, _ = post(receiver, BOM + request(receiver, make_batch(FILES), zipped=zip_of(FILES)))
        [call] = receiver.wait_for(1)
    assert (status, call.problems, call.attachments) == (200, [], FILES)


def test_entities_are_not_expanded_and_a_doctype_is_a_problem():
    body = (b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x "expanded">]>'
            b'<e:Envelope xmlns:e="' + SOAP11_ENV.encode() + b'"><e:Body>&x;</e:Body></e:Envelope>')
    with PushReceiver() as receiver:
        post(receiver, body)
        [call] = receiver.wait_for(1)
    assert call.problems == ["request carries a DOCTYPE, which SOAP forbids"]


def test_body_that_is_not_the_operation_is_a_problem():
    with PushReceiver() as receiver:
        post(receiver, envelope(etree.Element("{urn:other}Thing")))
        post(receiver, b"this is not xml")
        other, garbage = receiver.wait_for(2)
    assert other.problems == ["the SOAP Body holds {urn:other}Thing, not "
                              f"{receiver.contract.request.text}"]
    assert [problem.split(":")[0] for problem in garbage.problems] == ["request is not XML"]


def test_body_invalid_against_the_wsdl_schema_is_a_problem():
    with PushReceiver() as receiver:
        body = request(receiver, make_batch({}), sequence=0).replace(b">0<", b">zero<")
        post(receiver, body)
        [call] = receiver.wait_for(1)
    assert any(problem.startswith("request body:") and "sequenceNumber" in problem for problem in call.problems)
    assert "sequenceNumber 'zero' is not a number" in call.problems


def test_post_to_another_path_is_answered_404_and_recorded():
    with PushReceiver() as receiver:
        status, _ = post(receiver, request(receiver, make_batch({})), url=receiver.url.replace(".asmx", ".svc"))
        [call] = receiver.wait_for(1)
    assert (status, call.reply) == (404, "http404")
    assert call.problems == [f"POST to /OnlineBatchReceiver/OnlineBatchReceiver.svc, the receiver is at "
                             f"{receiver.contract.path}"]


# -- sequence numbers and credentials ----------------------------------------------------------------

def test_sequence_numbers_count_up_from_the_last_accepted_call_and_retries_repeat():
    with PushReceiver() as receiver:
        receiver.script("OK", "FAILED", "drop", "OK", "OK")
        for sequence in (0, 1, 1, 1, 2):
            try:
                post(receiver, request(receiver, make_batch({}).replace('"7"', f'"{sequence}"'), sequence=sequence))
            except ConnectionError:
                pass  # the scripted drop
        calls = receiver.wait_for(5)
    assert [call.problems for call in calls] == [[]] * 5
    assert [call.sequence_number for call in receiver.accepted()] == [0, 1, 2]


def test_skipped_sequence_number_is_a_problem():
    with PushReceiver() as receiver:
        for sequence in (4, 5, 7):
            post(receiver, request(receiver, make_batch({}), sequence=sequence))
        calls = receiver.wait_for(3)
    assert [call.problems for call in calls[:2]] == [[], []]
    assert calls[2].problems == ["sequenceNumber 7: the next after the last accepted call is 6, and a retry "
                                 "repeats the previous call's 5"]


def test_next_number_after_a_failed_call_is_a_problem_and_a_changed_retry_too():
    with PushReceiver(default="FAILED") as receiver:
        post(receiver, request(receiver, make_batch({}), sequence=0))
        post(receiver, request(receiver, make_batch(FILES, inline=True), sequence=0))
        post(receiver, request(receiver, make_batch(FILES, inline=True), sequence=1))
        first, changed, skipped = receiver.wait_for(3)
    assert first.problems == []
    assert changed.problems == ["sequenceNumber 0 repeated with a different batch (a retry must resend the same "
                                "batch)"]
    assert skipped.problems == ["sequenceNumber 1: no call was accepted yet, and a retry repeats the previous "
                                "call's 0"]


def test_wrong_credentials_are_a_problem():
    with PushReceiver(expected_credentials=("altinn", "secret")) as receiver:
        post(receiver, request(receiver, make_batch({}), sequence=0))
        post(receiver, request(receiver, make_batch({}), sequence=1, passwd="guess"))
        right, wrong = receiver.wait_for(2)
    assert right.problems == []
    assert wrong.problems == ["credentials 'altinn'/'guess' are not the expected 'altinn'/'secret'"]


# -- scripted replies ---------------------------------------------------------------------------------

def test_scripted_replies_come_in_order_then_the_default():
    with PushReceiver(default="FAILED_DO_NOT_RETRY") as receiver:
        receiver.script("FAILED", "OK", "FAILED")
        codes = [result_code(post(receiver, request(receiver, make_batch({}), sequence=n))[1], receiver)
                 for n in (0, 0, 1, 1, 1)]
        calls = receiver.wait_for(5)
    assert codes == ["FAILED", "OK", "FAILED", "FAILED_DO_NOT_RETRY", "FAILED_DO_NOT_RETRY"]
    assert [call.reply for call in calls] == codes
    assert [call.sequence_number for call in receiver.accepted()] == [0]


def test_ok_reply_is_a_receipt_valid_against_the_real_schema():
    receipt_schema = etree.XMLSchema(etree.parse(str(require_batch_schema("OnlineBatchReceipt.xsd"))))
    with PushReceiver() as receiver:
        for version in ("1.1", "1.2"):
            status, reply = post(receiver, request(receiver, make_batch({}), version=version), version=version)
            receipt = result_receipt(reply, receiver, version)
            assert status == 200
            receipt_schema.assertValid(receipt)
            assert receipt.find("Result").get("resultCode") == "OK"


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_fault_reply_is_a_soap_fault_of_the_request_version(version):
    with PushReceiver() as receiver:
        receiver.script("fault")
        status, reply = post(receiver, request(receiver, make_batch({}), version=version), version=version)
        [call] = receiver.wait_for(1)
    assert (status, call.reply) == (500, "fault")
    fault = etree.fromstring(reply, safe_parser()).find(f"{{{ENVELOPES[version]}}}Body/{{{ENVELOPES[version]}}}Fault")
    assert fault is not None
    if version == "1.1":
        assert fault.findtext("faultcode") == "soap:Server" and fault.findtext("faultstring")
    else:
        assert fault.findtext(f"{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Value") == "soap:Receiver"


def test_fault_reply_is_a_fault_for_zeep():
    client = real_client(WSDL)
    with PushReceiver(default="fault") as receiver:
        service = client.create_service(f"{{{receiver.contract.namespace}}}OnlineBatchReceiverSoap12", receiver.url)
        with pytest.raises(zeep.exceptions.Fault) as caught:
            service.ReceiveOnlineBatchExternalAttachment(sequenceNumber=0, batch=make_batch({}))
    assert "scripted fault" in caught.value.message


def test_drop_closes_the_connection_without_a_reply():
    with PushReceiver() as receiver:
        receiver.script("drop")
        with pytest.raises(ConnectionError):
            post(receiver, request(receiver, make_batch({})))
        [call] = receiver.wait_for(1)
    assert (call.reply, call.reply_body, receiver.accepted()) == ("drop", None, [])


def test_http503_is_a_plain_503():
    with PushReceiver() as receiver:
        receiver.script("http503")
        status, _ = post(receiver, request(receiver, make_batch({})))
    assert status == 503


def test_unknown_reply_kind_is_refused():
    with PushReceiver() as receiver:
        with pytest.raises(ValueError):
            receiver.script("OK", "maybe")
        assert receiver.received == []


def test_wait_for_reports_what_arrived():
    with PushReceiver() as receiver:
        post(receiver, request(receiver, make_batch({}), sequence=3))
        with pytest.raises(AssertionError, match=r"expected 2 push requests .* 1 arrived:\n  SOAP 1.1 seq=3"):
            receiver.wait_for(2, timeout=0.2)


# -- large and chunked bodies --------------------------------------------------------------------------

def _post_raw(receiver: PushReceiver, body, headers: dict[str, str], **kwargs) -> int:
    host, port = receiver.url.removeprefix("http://").split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        connection.request("POST", receiver.contract.path, body=body, headers={
            "Content-Type": "text/xml; charset=utf-8", "SOAPAction": receiver.contract.soap_actions["1.1"],
            **headers}, **kwargs)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_60_mb_request_is_read_whole():
    files = {"big.bin": os.urandom(45 * 1024 * 1024)}
    with PushReceiver() as receiver:
        body = request(receiver, make_batch(files), zipped=zip_of(files, zipfile.ZIP_STORED))
        assert len(body) > 60_000_000
        status = _post_raw(receiver, body, {"Content-Length": str(len(body))})
        [call] = receiver.wait_for(1)
    assert (status, call.problems) == (200, [])
    assert call.attachments["big.bin"] == files["big.bin"]


def test_a_chunked_request_is_read_whole():
    with PushReceiver() as receiver:
        body = request(receiver, make_batch(FILES), zipped=zip_of(FILES))
        pieces = (body[start:start + 1000] for start in range(0, len(body), 1000))
        status = _post_raw(receiver, pieces, {"Transfer-Encoding": "chunked"}, encode_chunked=True)
        [call] = receiver.wait_for(1)
    assert (status, call.problems, call.attachments) == (200, [], FILES)


def test_a_body_shorter_than_its_content_length_is_a_problem():
    with PushReceiver() as receiver:
        host, port = receiver.url.removeprefix("http://").split("/")[0].split(":")
        with socket.create_connection((host, int(port))) as client:
            client.sendall(f"POST {receiver.contract.path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                           f"Content-Length: 1000\r\n\r\n<half".encode())
            client.shutdown(socket.SHUT_WR)
            client.recv(1024)
        [call] = receiver.wait_for(1)
    assert (call.reply, call.problems) == ("http400", ["unreadable request body: the body ended after 5 of 1000 "
                                                       "bytes"])
