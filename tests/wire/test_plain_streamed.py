"""A plain (non-MTOM) streamed upload: its base64 text decoded to a temporary file as the body is parsed, never
built into the tree, and handed to the operation as a file-backed Blob, as an MTOM part is
(docs/behaviour/decisions.md, D80)."""

from __future__ import annotations

import base64
import gc
import hashlib
import os
import tracemalloc

import pytest

import mtom_service
from altinn_so.app import EmulatorApp
from altinn_so.emulator import Emulator, Settings
from altinn_so.soap import plainstream, wsgi
from altinn_so.soap.bodies import SPOOL_BYTES, Blob, SpooledBody
from altinn_so.soap.codec import XOP_PART
from altinn_so.soap.faults import SoapFault
from altinn_so.soap.wsgi import WireSettings

from support.rawhttp import send_half_and_hang_up, send_whole, status_of
from wire.test_mtom import PLAIN, WITH_FILES, action, app_of, envelope11, fault_of, post, result_text

SIZE = 2 * 1024 * 1024 + 7  # its base64 is over the spool threshold; the body is under StoreFile's 4 MiB
DATA = mtom_service.pattern(SIZE)
SHA = hashlib.sha256(DATA).hexdigest()
STORE = action("StoreFileBasic", "IPlainFileAgencyExternalBasic")
TEXT_XML = "text/xml; charset=utf-8"


@pytest.fixture
def emulator(clock, tmp_path):
    emulator = Emulator(Settings(files_dir=str(tmp_path / "files")), clock=clock, services=WITH_FILES)
    yield emulator
    emulator.close()


@pytest.fixture
def spill_files(monkeypatch):
    """Every temporary file the decoder writes, to see that each is closed (and so removed) by the end."""
    made = []
    original = plainstream._disk_file

    def recorded():
        made.append(original())
        return made[-1]

    monkeypatch.setattr(plainstream, "_disk_file", recorded)
    return made


def store_request(text: str) -> bytes:
    return envelope11("StoreFileBasic", f"<name>report.pdf</name><data>{text}</data>")


def lines(data: bytes, width: int, newline: str) -> str:
    text = base64.b64encode(data).decode()
    return newline.join(text[i:i + width] for i in range(0, len(text), width))


@pytest.mark.parametrize("text", [
    pytest.param(base64.b64encode(DATA).decode(), id="one-line"),
    pytest.param(lines(DATA, 76, "\r\n"), id="crlf-every-76"),
    pytest.param(lines(DATA, 1001, "\n  "), id="odd-lines-indented"),
    pytest.param("\n" + lines(DATA, 64, "\n") + "\n", id="leading-trailing-newlines"),
])
def test_a_plain_upload_lands_in_the_file_store_byte_for_byte(emulator, spill_files, text):
    answer = post(app_of(emulator), PLAIN, store_request(text), TEXT_XML, STORE)
    assert answer.status == 200, answer.body[:800]
    assert result_text(answer, "StoreFileBasic") == f"{SHA}:{SIZE}"
    with open(os.path.join(emulator.files.directory, SHA), "rb") as stored:
        assert stored.read() == DATA
    assert len(spill_files) == 1 and spill_files[0].closed  # decoded to a file, removed with the request


def test_an_operation_with_a_limit_of_its_own_gets_a_blob_and_any_other_bytes():
    values = plainstream.SpilledValues(SpooledBody())
    decoder = values.decoder("{urn:x}data")
    decoder.write(base64.b64encode(DATA).decode())
    decoder.finish()
    marker = values.add(decoder)
    values.large = True
    value = values.value(marker)
    assert isinstance(value, Blob) and len(value) == SIZE and value.read() == DATA
    values.large = False
    assert values.value(marker) == DATA


@pytest.mark.parametrize("piece", [1, 3, 5, 7, 4095])
def test_base64_split_anywhere_decodes_the_same(piece, tmp_path):
    data = os.urandom(10_000)
    text = lines(data, 76, "\r\n")
    with open(tmp_path / "out", "w+b") as file:
        decoder = plainstream._Base64ToFile(file, "{urn:x}data")
        for at in range(0, len(text), piece):
            decoder.write(text[at:at + piece])
        decoder.finish()
        file.seek(decoder.start)
        assert file.read(decoder.length) == data


def parse(request: bytes, threshold: int = 1024):
    body = SpooledBody(threshold)
    body._write(request)
    return body, plainstream.parse_spilling(body, 11, threshold)


def test_small_text_stays_in_the_tree_and_large_text_leaves_a_marker():
    data = os.urandom(5000)
    body, (request, values) = parse(store_request(base64.b64encode(data).decode()))
    name, stored = list(request.body_element)
    assert name.text == "report.pdf" and name.get(XOP_PART) is None
    assert stored.text is None and values.value(stored.get(XOP_PART)) == data
    body.close()


def test_parsing_a_30_mb_plain_body_holds_little_of_it_in_memory():
    data = os.urandom(30 * 1024 * 1024)
    body = SpooledBody()
    head, tail = store_request("@").split(b"@")
    body._write(head)
    encoded = base64.encodebytes(data)  # with line breaks, as .NET and zeep write none but others do
    for at in range(0, len(encoded), 1024 * 1024):
        body._write(encoded[at:at + 1024 * 1024])
    body._write(tail)
    del encoded
    gc.collect()
    tracemalloc.start()
    try:
        request, values = plainstream.parse_spilling(body, 11, SPOOL_BYTES)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024, f"the parse held {peak} bytes at its peak"
    values.large = True
    blob = values.value(request.body_element[1].get(XOP_PART))
    assert blob.sha256() == hashlib.sha256(data).hexdigest()
    body.close()


@pytest.mark.parametrize("text,why", [
    ("QUFB" * 400_000 + "QQ==QUFB", "padding inside it"),
    ("QUFB" * 400_000 + "QU*B", "a character base64 does not use"),
    ("QUFB" * 400_000 + "QUF", "ends 3 character(s) into a 4-character group"),
    ("QUFB" * 400_000 + "QUFBæøå=", "outside ASCII"),
    ("QUFB" * 400_000 + "QQ==\n" + "QUFB" * 100_000, "padding"),
])
def test_invalid_base64_is_a_client_fault_naming_the_element(emulator, spill_files, text, why):
    answer = post(app_of(emulator), PLAIN, store_request(text), TEXT_XML, STORE)
    assert answer.status == 400
    fault = fault_of(answer)
    assert fault["code"] == "s:Client"
    assert "'data'" in fault["AltinnErrorMessage"] and "not valid base64" in fault["AltinnErrorMessage"]
    assert why in fault["AltinnErrorMessage"]
    assert os.listdir(emulator.files.directory) == []
    assert spill_files and all(file.closed for file in spill_files)


def test_an_element_after_the_large_text_is_a_fault():
    with pytest.raises(SoapFault, match="an element follows it"):
        parse(store_request("QUFB" * 1000 + "<x/>"))


def test_large_text_where_no_binary_goes_is_a_deserialization_fault(emulator):
    request = envelope11("StoreFileBasic", f"<name>{'QUFB' * 400_000}</name><data>QUFB</data>")
    answer = post(app_of(emulator), PLAIN, request, TEXT_XML, STORE)
    assert answer.status == 500
    fault = fault_of(answer)
    assert fault["code"] == "a:DeserializationFailed"  # as any value the contract's type does not allow
    assert "binary content where the contract has no binary value" in fault["AltinnErrorMessage"]


@pytest.mark.parametrize("cut", [100, SIZE, SIZE * 4 // 3])
def test_a_truncated_body_is_the_not_well_formed_fault(emulator, spill_files, cut):
    request = store_request(base64.b64encode(DATA).decode())[:cut + 120]
    answer = post(app_of(emulator), PLAIN, request, TEXT_XML, STORE)
    assert answer.status == 400
    assert fault_of(answer)["AltinnErrorMessage"].startswith("The request is not well-formed XML:")
    assert os.listdir(emulator.files.directory) == []
    assert all(file.closed for file in spill_files)


def test_a_dtd_is_refused_as_on_the_fast_path():
    request = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>' + store_request("QUFB" * 1000)
    with pytest.raises(SoapFault, match="DTD is prohibited"):
        parse(request)


def test_xml_1_1_is_refused_as_on_the_fast_path():
    request = b'<?xml version="1.1"?>' + store_request("QUFB" * 1000)
    with pytest.raises(SoapFault, match="version 1.1 is not supported"):
        parse(request)


def test_an_endpoint_without_streamed_operations_keeps_the_one_call_parse(emulator, monkeypatch):
    called = []
    monkeypatch.setattr(wsgi, "parse_spilling", lambda *args: called.append(args))
    big = envelope11("Test", "<x>" + "QUFB" * 500_000 + "</x>")  # on disk, but no operation here streams
    answer = post(app_of(emulator), "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc", big, TEXT_XML,
                  "http://www.altinn.no/services/ServiceEngine/Notification/2009/10/"
                  "INotificationAgencyExternalBasic/Test")
    assert called == [] and answer.status in (200, 500)
    answer = post(app_of(emulator), PLAIN, store_request("QUFB" * 500_000), TEXT_XML, STORE)
    assert len(called) == 1  # (and the streamed endpoint does read this way)


def test_a_client_gone_mid_plain_upload_leaves_no_file(_server, emulator, spill_files):
    served, url = _server
    served.app = EmulatorApp(emulator, wire=WireSettings())
    body = store_request(lines(DATA, 76, "\r\n"))
    assert send_half_and_hang_up(url, emulator, PLAIN, body, TEXT_XML, STORE) == [400]
    assert os.listdir(emulator.files.directory) == []
    assert all(file.closed for file in spill_files)
    assert status_of(send_whole(url, PLAIN, body, TEXT_XML, STORE)) == 200
    assert os.listdir(emulator.files.directory) == [SHA]
    assert spill_files and all(file.closed for file in spill_files)
