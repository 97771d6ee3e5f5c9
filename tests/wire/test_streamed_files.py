"""Files through the wire: an upload moved into the file store, a stored file streamed back from disk (in an
MTOM part, or as base64 in a plain reply), and a client gone mid-upload leaving nothing behind."""

from __future__ import annotations

import base64
import hashlib
import os
from urllib.parse import unquote

import pytest
from lxml import etree

import mtom_service
from altinn_so.app import EmulatorApp
from altinn_so.emulator import Emulator, Settings
from altinn_so.journal import JournalFilter
from altinn_so.soap.wsgi import WireSettings

from support.rawhttp import send_half_and_hang_up, send_whole, status_of
from wire.test_mtom import (BASIC, NS, PLAIN, TICKS, WITH_FILES, XOP, action, app_of, envelope11, fault_of, post,
                            result_text, soap_body, upload_inner, wcf)

SIZE = 3 * 1024 * 1024 + 7  # over the spool threshold, under StoreFile's own limit, not a multiple of 3
DATA = mtom_service.pattern(SIZE)
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def emulator(clock, tmp_path):
    emulator = Emulator(Settings(files_dir=str(tmp_path / "files")), clock=clock, services=WITH_FILES)
    yield emulator
    emulator.close()


def store(app) -> str:
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("StoreFileBasic", upload_inner("cid:" + cid)), [(cid, DATA)])
    answer = post(app, BASIC, body, content_type, action("StoreFileBasic"))
    assert answer.status == 200, answer.body[:800]
    return result_text(answer, "StoreFileBasic")


def test_an_upload_goes_into_the_file_store_by_its_hash(emulator):
    assert store(app_of(emulator)) == f"{SHA}:{SIZE}"
    assert sorted(os.listdir(emulator.files.directory)) == [SHA]


def test_a_stored_file_is_streamed_back_in_an_mtom_part(emulator):
    app = app_of(emulator)
    store(app)
    body, content_type = wcf(envelope11("FetchFileBasic", f"<sha256>{SHA}</sha256>"), [])
    answer = post(app, BASIC, body, content_type, action("FetchFileBasic"))
    assert answer.status == 200
    assert not isinstance(answer.iterable, list)  # sent in chunks read from the file
    assert int(answer.headers["content-length"]) == len(answer.body)
    root, parts = soap_body(answer)
    href = root.find(f".//{{{NS}}}FetchFileBasicResult/{{{XOP}}}Include").get("href")
    assert parts[unquote(href[4:])] == DATA
    entry = emulator.journal.list_entries(JournalFilter())[-1]
    assert f"[{SIZE} bytes streamed from a file: not kept in the journal]" in entry.response
    assert "FetchFileBasicResult" in entry.response and len(entry.response) < 4096


@pytest.mark.parametrize("path,interface", [(BASIC, "IFileAgencyExternalBasic"),
                                            (PLAIN, "IPlainFileAgencyExternalBasic")])
def test_a_stored_file_is_streamed_back_as_base64_in_a_plain_reply(emulator, path, interface):
    app = app_of(emulator)
    store(app)
    request = envelope11("FetchFileBasic", f"<sha256>{SHA}</sha256>")
    answer = post(app, path, request, "text/xml; charset=utf-8", action("FetchFileBasic", interface))
    assert answer.status == 200 and answer.content_type == "text/xml; charset=utf-8"
    assert not isinstance(answer.iterable, list)
    assert int(answer.headers["content-length"]) == len(answer.body)
    root = etree.fromstring(answer.body)
    assert base64.b64decode(root.findtext(f".//{{{NS}}}FetchFileBasicResult")) == DATA
    entry = emulator.journal.list_entries(JournalFilter())[-1]
    journalled = etree.fromstring(entry.response.encode())
    assert journalled.findtext(f".//{{{NS}}}FetchFileBasicResult") == \
        f"[{SIZE} bytes streamed from a file: not kept in the journal]"


@pytest.mark.parametrize("size", [0, 1, 2, 3, 1025])
def test_small_stored_files_are_answered_whole(emulator, size):
    data = mtom_service.pattern(size)
    ref = emulator.files.put([data])
    request = envelope11("FetchFileBasic", f"<sha256>{ref.sha256}</sha256>")
    answer = post(app_of(emulator), PLAIN, request, "text/xml; charset=utf-8",
                  action("FetchFileBasic", "IPlainFileAgencyExternalBasic"))
    assert answer.status == 200 and int(answer.headers["content-length"]) == len(answer.body)
    text = etree.fromstring(answer.body).findtext(f".//{{{NS}}}FetchFileBasicResult")
    assert base64.b64decode(text or "") == data


def test_an_unknown_hash_is_a_fault(emulator):
    request = envelope11("FetchFileBasic", f"<sha256>{'0' * 64}</sha256>")
    answer = post(app_of(emulator), PLAIN, request, "text/xml; charset=utf-8",
                  action("FetchFileBasic", "IPlainFileAgencyExternalBasic"))
    assert answer.status == 500
    assert fault_of(answer)["ErrorID"] == "30007"


def test_a_client_gone_mid_upload_leaves_no_file(_server, emulator):
    """Through the real server: half the body, then the connection closes. Nothing reaches the store; the
    same upload whole then does (so that the first half's absence is not an accident of the test)."""
    served, url = _server
    served.app = EmulatorApp(emulator, wire=WireSettings())
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("StoreFileBasic", upload_inner("cid:" + cid)), [(cid, DATA)])
    # What came is answered as a truncated message (a fault), never stored as an upload.
    assert send_half_and_hang_up(url, emulator, BASIC, body, content_type, action("StoreFileBasic")) == [400]
    assert os.listdir(emulator.files.directory) == []
    assert status_of(send_whole(url, BASIC, body, content_type, action("StoreFileBasic"))) == 200
    assert os.listdir(emulator.files.directory) == [SHA]
