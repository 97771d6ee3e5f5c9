"""The response writer: text that any XML parser reads back as what we meant, in WCF's shape."""

from __future__ import annotations

import sys
import threading
from datetime import datetime, timezone

import pytest
from lxml import etree

from altinn_so.soap import compat  # noqa: F401  (must precede spyne imports)
from altinn_so.soap import codec, writer
from altinn_so.soap.namespaces import SOAP11_ENV, SOAP12_ENV, WSA, XSI
from altinn_so.services.correspondence import wire_types as correspondence
from altinn_so.services.receipt import wire_types as receipt
from spyne import ComplexModel, Unicode

NS = "urn:altinn-so:test:writer"
RECEIPT = receipt.NS_RECEIPT_2009_10


def holder(model, name: str = "Result", nillable: bool = True):
    """A response element with one result member of ``model`` (as an operation's Response wraps its Result)."""
    return type("Holder", (ComplexModel,), {"__namespace__": NS, "_type_info": [
        (name, model.customize(nillable=nillable))]})


def written(model, value, **options) -> tuple[str, etree._Element]:
    body: list[str] = []
    writer.response_writer(holder(model, **options), f"{{{NS}}}Response").write({"Result": value}, body)
    text = "".join(body)
    return text, etree.fromstring(text)


def read_back(model, value, **options):
    _, element = written(model, value, **options)
    (result,) = element
    return codec.decode(model, result)


def test_nested_receipts_come_back_to_any_depth():
    inner = {"ReceiptId": 3, "ReceiptStatusCode": "OK", "ReceiptTypeName": "Correspondence"}
    middle = {"ReceiptId": 2, "ReceiptStatusCode": "OK", "ReceiptTypeName": "Correspondence",
              "SubReceipts": {"ReceiptExternal": [inner]}}
    outer = {"ReceiptId": 1, "ReceiptStatusCode": "OK", "ReceiptTypeName": "Correspondence",
             "SubReceipts": {"ReceiptExternal": [middle, inner]}}
    back = read_back(receipt.ReceiptExternal, outer)
    first, second = back["SubReceipts"]["ReceiptExternal"]
    assert first["SubReceipts"]["ReceiptExternal"][0]["ReceiptId"] == 3
    assert second["ReceiptId"] == 3 and back["ReceiptId"] == 1


def test_the_result_declares_its_prefixes_as_wcf_does():
    text, _ = written(receipt.ReceiptExternal, {"ReceiptId": 1, "ReceiptStatusCode": "OK",
                                                "ReceiptTypeName": "Correspondence"})
    assert text.startswith(f'<Response xmlns="{NS}"><Result xmlns:i="{XSI}" xmlns:a="{RECEIPT}">'
                           "<a:ReceiptHistory i:nil=\"true\"/><a:ReceiptId>1</a:ReceiptId>")


def test_nil_and_absent():
    text, element = written(receipt.ReceiptExternal, {"ReceiptId": 1, "ReceiptStatusCode": "OK",
                                                      "ReceiptTypeName": "Correspondence"})
    history = element.find(f"Result/{{{RECEIPT}}}ReceiptHistory".replace("Result", f"{{{NS}}}Result"))
    assert history.get(f"{{{XSI}}}nil") == "true"  # nillable and None: written as nil
    assert "LastChanged" not in text  # not nillable and None: left out


def test_an_empty_complex_value_is_an_empty_element():
    text, _ = written(receipt.ReceiptExternal, {"ReceiptId": 1, "ReceiptStatusCode": "OK",
                                                "ReceiptTypeName": "Correspondence", "SubReceipts": {}})
    assert "<a:SubReceipts/>" in text


@pytest.mark.parametrize("value", ["a & b", "<p>tag</p>", "x > y", "line\r\nbreak", "æøå ÆØÅ", "\"quoted\" 'text'",
                                   "]]> cdata end", "tab\tand\nnewline"])
def test_text_comes_back_unchanged(value):
    assert read_back(receipt.ReceiptExternal, {"ReceiptText": value})["ReceiptText"] == value


def test_values_of_every_kind_are_written_as_the_codec_reads_them():
    value = {"ReceiptId": 7, "ParentReceiptId": 0, "ReceiptStatusCode": "Rejected",
             "ReceiptTypeName": "Correspondence", "References": {"Reference": [
                 {"ReferenceTypeName": "ExternalShipmentReference", "ReferenceValue": "ref & 1"}]}}
    moment = datetime(2026, 3, 2, 9, 0, 0, 250000, tzinfo=timezone.utc)
    back = read_back(receipt.ReceiptExternal, {**value, "LastChanged": moment})
    # nillable members without a value come back nil; times are written as Norwegian wall-clock time
    assert back == {**value, "ReceiptHistory": None, "ReceiptText": None, "SubReceipts": None,
                    "LastChanged": datetime(2026, 3, 2, 10, 0, 0, 250000)}


def test_objects_are_read_by_attribute():
    class Reference:
        ReferenceTypeName = "ArchiveReference"
        ReferenceValue = "AR1"

    back = read_back(receipt.ReceiptExternal, {"References": {"Reference": [Reference()]}})
    assert back["References"]["Reference"] == [{"ReferenceTypeName": "ArchiveReference", "ReferenceValue": "AR1"}]


def test_members_are_written_base_first_in_declared_order():
    value = {"PrimaryDocumentFileName": "brev.pdf", "SdpSetting": "CopyAltinn", "SdpNotifications": {
        "EmailNotification": {"EmailAddress": "ola@example.no", "Repetitions": {"DaysDelayed": [3, 7]},
                              "NotificationText": "Du har fått post"}}}
    _, element = written(correspondence.SdpOptions, value)
    sdp = correspondence.NS_CORRESPONDENCE_2016_02
    email = element.find(f"{{{NS}}}Result/{{{sdp}}}SdpNotifications/{{{sdp}}}EmailNotification")
    assert [etree.QName(child).localname for child in email] == ["NotificationText", "Repetitions", "EmailAddress"]


def test_a_plain_envelope():
    document = writer.envelope(11, ["<Body/>"])
    assert document == f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body><Body/></s:Body></s:Envelope>'.encode()


def test_an_addressed_envelope_escapes_what_the_client_sent():
    document = writer.envelope(12, ["<Body/>"], reply_action="urn:action", relates_to="urn:uuid:1&<2>",
                               addressing=True)
    envelope = etree.fromstring(document)
    assert envelope.findtext(f"{{{SOAP12_ENV}}}Header/{{{WSA}}}RelatesTo") == "urn:uuid:1&<2>"
    assert envelope.findtext(f"{{{SOAP12_ENV}}}Header/{{{WSA}}}Action") == "urn:action"


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1f", "\ufffe"])
def test_characters_xml_cannot_carry_are_refused(bad):
    body: list[str] = []
    writer.response_writer(holder(receipt.ReceiptExternal), f"{{{NS}}}Response").write(
        {"Result": {"ReceiptText": f"bad{bad}text"}}, body)
    with pytest.raises(ValueError, match="XML cannot carry"):
        writer.envelope(11, body)


def test_a_response_without_members_is_an_empty_element():
    empty = type("Empty", (ComplexModel,), {"__namespace__": NS, "_type_info": []})
    body: list[str] = []
    writer.response_writer(empty, f"{{{NS}}}SendResponse").write({}, body)
    assert body == [f'<SendResponse xmlns="{NS}"/>']


def test_a_primitive_result():
    body: list[str] = []
    writer.response_writer(holder(Unicode), f"{{{NS}}}Response").write({"Result": "Varsel er sendt"}, body)
    assert "".join(body) == f'<Response xmlns="{NS}"><Result>Varsel er sendt</Result></Response>'


def _all_at_once(work, threads: int) -> None:
    """Run ``work`` in ``threads`` threads (it waits on a barrier to start together), switching between them as
    often as Python can: to catch one thread using what another is still compiling."""
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        running = [threading.Thread(target=work) for _ in range(threads)]
        for thread in running:
            thread.start()
        for thread in running:
            thread.join()
    finally:
        sys.setswitchinterval(switching)


@pytest.mark.parametrize("trial", range(5))
def test_threads_compiling_the_same_response_at_once_all_write_it_whole(trial):
    """Server threads compile a response on its first use; none may write with a half-compiled one."""
    inner = type(f"Wide{trial}", (ComplexModel,), {"__namespace__": NS, "_type_info": [
        (f"M{i}", Unicode) for i in range(200)]})
    model = holder(inner)
    value = {"Result": {f"M{i}": "v" for i in range(200)}}
    start, outputs = threading.Barrier(8), []

    def write_once():
        start.wait()
        body: list[str] = []
        writer.response_writer(model, f"{{{NS}}}Response").write(value, body)
        outputs.append("".join(body))

    _all_at_once(write_once, 8)
    assert len(outputs) == 8
    assert all(len(etree.fromstring(text)[0]) == 200 for text in outputs)


@pytest.mark.parametrize("trial", range(5))
def test_threads_decoding_a_new_contract_at_once_all_read_it_whole(trial):
    inner = type(f"Deep{trial}", (ComplexModel,), {"__namespace__": NS, "_type_info": [
        (f"M{i}", Unicode) for i in range(200)]})
    element = etree.fromstring(f'<R xmlns="{NS}">' + "".join(f"<M{i}>v</M{i}>" for i in range(200)) + "</R>")
    start, decoded = threading.Barrier(8), []

    def decode_once():
        start.wait()
        decoded.append(codec.decode(inner, element))

    _all_at_once(decode_once, 8)
    assert len(decoded) == 8
    assert all(len([v for v in result.values() if v == "v"]) == 200 for result in decoded)
