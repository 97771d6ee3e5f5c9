"""Passwords are masked in what the journal keeps (its stored bodies, so its API and page too), unless
``journal_keep_secrets`` (``serve --journal-keep-secrets``): a journal can be pasted into a bug report."""

from __future__ import annotations

import io
import re

import lxml.html
import pytest
import zeep
from lxml import etree

import mtom_service
from altinn_so.emulator import Emulator, Settings
from altinn_so.journal import JournalFilter
from altinn_so.secrets import MASK, mask_secrets
from altinn_so.seeding import default_seed
from altinn_so.services import SERVICES
from altinn_so.soap.namespaces import SOAP11_ENV
from altinn_so.soap.wsgi import SoapApplication, WireSettings
from support.contracts import CONTRACTS_DIR, require_contract

from .helpers import KARI, notification

SEED = default_seed()
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SECRETS = ("ttd-password", "wrong-password")


@pytest.fixture(params=["in memory", "in a SQLite file"])
def emulator(request, clock, tmp_path):
    """Both journals: in memory (``MemoryJournal``) and in the store (``SqlJournal``)."""
    settings = Settings() if request.param == "in memory" else Settings(database=str(tmp_path / "altinn.db"))
    emu = Emulator(settings, clock=clock, seed=SEED)
    yield emu
    emu.close()


def _texts(document: str, local_name: str) -> list[str]:
    root = etree.fromstring(document.encode())
    return [element.text for element in root.iter() if etree.QName(element).localname == local_name]


def _assert_no_secret(entry: dict) -> None:
    for secret in SECRETS:
        assert secret not in entry["request"] and secret not in entry["response"], entry["request"]


# -- the masking itself --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sent,kept", [
    (b"<a:systemPassword>ttd-password</a:systemPassword>", b"<a:systemPassword>********</a:systemPassword>"),
    (b"<SystemPassword>x</SystemPassword>", b"<SystemPassword>********</SystemPassword>"),
    (b'<agencyPassword xmlns="urn:x">a&amp;b</agencyPassword>',
     b'<agencyPassword xmlns="urn:x">********</agencyPassword>'),
    (b"<userPassword>u</userPassword><password>p</password><passwd>q</passwd>",
     b"<userPassword>********</userPassword><password>********</password><passwd>********</passwd>"),
    (b'<o:Password Type="urn:x#PasswordText">s&gt;e</o:Password>',
     b'<o:Password Type="urn:x#PasswordText">********</o:Password>'),
    (b'<password note="a > b">p</password>', b'<password note="a > b">********</password>'),
    (b"<password><![CDATA[a<b]]></password>", b"<password>********</password>"),
    (b"<password/><password></password>", b"<password/><password></password>"),  # nothing to hide
    (b"<password\n>p</password\n>", b"<password\n>********</password\n>"),
])
def test_each_password_element_keeps_its_tags_and_loses_its_text(sent, kept):
    assert mask_secrets(sent) == kept
    etree.fromstring(b"<r xmlns:a='urn:a' xmlns:o='urn:o'>" + kept + b"</r>")  # still well formed


@pytest.mark.parametrize("body", [
    b"<Title>my password is here</Title>", b"<PasswordEncryptedSymmetricKey>k</PasswordEncryptedSymmetricKey>",
    b"<passwordHint>h</passwordHint>", b"<x>passwd</x>", b"<Body>nothing</Body>"])
def test_other_elements_are_kept(body):
    assert mask_secrets(body) is body or mask_secrets(body) == body


def test_every_credential_element_of_the_contracts_is_masked():
    """The oracle: each element the real contracts name as a password (a local name ending in "password", or
    "passwd"), masked; the archive's PasswordEncryptedSymmetricKey is a key the service returns, not a login."""
    require_contract("basic/CorrespondenceAgencyExternalBasic.wsdl")
    names = set()
    for path in CONTRACTS_DIR.rglob("*.wsdl"):
        names |= set(re.findall(r'name="(\w*(?:[Pp]assword|passwd))"', path.read_text(errors="replace")))
    assert {"systemPassword", "agencyPassword", "userPassword", "passwd", "password"} <= names
    for name in names:
        sent = f"<{name}>secret</{name}>".encode()
        assert mask_secrets(sent) == f"<{name}>********</{name}>".encode(), name


# -- what the journal keeps ----------------------------------------------------------------------------------

def test_soap11_body_credentials_are_masked_in_the_journal_api(admin, soap):
    soap.notify(notification(KARI, transport="Email"))
    (entry,) = admin.journal()
    assert _texts(entry["request"], "systemPassword") == ["********"]
    assert _texts(entry["request"], "systemUserName") == ["ttd-system"]  # the user name stays
    _assert_no_secret(entry)


def test_a_wrong_password_is_masked_too(admin, soap):
    with pytest.raises(zeep.exceptions.Fault):
        soap.notify(notification(KARI, transport="Email"), password="wrong-password")
    (entry,) = admin.journal()
    assert (entry["error_id"], _texts(entry["request"], "systemPassword")) == (989, ["********"])
    _assert_no_secret(entry)


def test_the_soap12_username_token_password_is_masked(admin, soap):
    soap.insert("S-WS", binding="ws")
    (entry,) = admin.journal()
    assert entry["binding"] == "ws" and _texts(entry["request"], "Password") == ["********"]
    assert _texts(entry["request"], "Username") == ["ttd-system"]
    _assert_no_secret(entry)


@pytest.mark.parametrize("binding", ["ec", "ec2"])
def test_enterprise_certificate_binding_credentials_are_masked(admin, soap, binding):
    soap.insert(f"S-{binding}", binding=binding)
    (entry,) = admin.journal()
    assert (entry["binding"], entry["outcome"]) == (binding, "ok")
    assert _texts(entry["request"], "systemPassword") == ["********"]
    _assert_no_secret(entry)


def test_the_page_shows_the_masked_body(admin, soap):
    soap.notify(notification(KARI, transport="Email"))
    page = admin.call("GET", "/", expect=200).text
    request = lxml.html.fromstring(page).xpath('//pre[@class="request"]')[0].text_content()
    assert "systemPassword>********</" in request
    assert "ttd-password" not in page


def test_keep_secrets_keeps_the_bytes_as_sent(clock, serve, soap):
    keeping = Emulator(Settings(journal_keep_secrets=True), clock=clock, seed=SEED)
    try:
        serve(keeping)
        soap.notify(notification(KARI, transport="Email"))
        (entry,) = keeping.journal.list_entries(JournalFilter())
        assert _texts(entry.request, "systemPassword") == ["ttd-password"]
    finally:
        keeping.close()


def _mtom_upload(envelope: bytes, data: bytes) -> tuple[bytes, str]:
    boundary = "uuid:5b0c1a52-secret-test+id=1"
    content_type = (f'multipart/related; type="application/xop+xml";start="<http://tempuri.org/0>";'
                    f'boundary="{boundary}";start-info="text/xml"')
    body = (f"--{boundary}\r\nContent-ID: <http://tempuri.org/0>\r\nContent-Transfer-Encoding: 8bit\r\n"
            f'Content-Type: application/xop+xml;charset=utf-8;type="text/xml"\r\n\r\n').encode() + envelope + (
        f"\r\n--{boundary}\r\nContent-ID: <http://tempuri.org/1>\r\nContent-Transfer-Encoding: binary\r\n"
        "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, content_type


@pytest.mark.parametrize("keep,spool_bytes", [(False, None), (True, None), (False, 1024)])
def test_an_mtom_request_is_journaled_with_its_password_masked(clock, keep, spool_bytes):
    """In memory the journal keeps the whole multipart body, masked; a body spooled to disk (large) is kept as a
    placeholder with its size and hash only, so it has no password to mask."""
    emulator = Emulator(Settings(journal_keep_secrets=keep), clock=clock, services=SERVICES + (mtom_service.SERVICE,))
    wire = WireSettings() if spool_bytes is None else WireSettings(spool_bytes=spool_bytes)
    try:
        namespace = mtom_service.NAMESPACE
        envelope = (f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Header><o:Security xmlns:o="{WSSE}"><o:UsernameToken>'
                    f"<o:Username>ttd-system</o:Username><o:Password>ttd-password</o:Password></o:UsernameToken>"
                    f'</o:Security></s:Header><s:Body><UploadBasic xmlns="{namespace}"><name>report.pdf</name>'
                    f'<data><xop:Include href="cid:http%3A%2F%2Ftempuri.org%2F1" '
                    f'xmlns:xop="http://www.w3.org/2004/08/xop/include"/></data></UploadBasic></s:Body>'
                    "</s:Envelope>").encode()
        data = b"%PDF-1.4 binary \x00\xff part" + (b"" if spool_bytes is None else b"." * 4096)
        body, content_type = _mtom_upload(envelope, data)
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/ServiceEngineExternal/FileAgencyExternalBasic.svc",
                   "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                   "SERVER_NAME": "localhost", "SERVER_PORT": "8080", "wsgi.url_scheme": "http",
                   "HTTP_SOAPACTION": f'"{namespace}/IFileAgencyExternalBasic/UploadBasic"'}
        seen = []
        b"".join(SoapApplication(emulator, settings=wire)(environ, lambda status, headers: seen.append(status)))
        assert seen[0].startswith("200"), seen
        (entry,) = emulator.journal.list_entries(JournalFilter())
        if spool_bytes is not None:
            assert entry.request.startswith(f"[request body of {len(body)} bytes, SHA-256 ")
            return
        assert ("ttd-password" in entry.request) is keep
        assert ("<o:Password>********</o:Password>" in entry.request) is not keep
        assert "<o:Username>ttd-system</o:Username>" in entry.request
        assert entry.request.endswith("\r\n\r\n%PDF-1.4 binary \x00\ufffd part\r\n--uuid:5b0c1a52-secret-test+id=1--\r\n")
    finally:
        emulator.close()


def test_a_body_without_a_password_is_not_copied():
    body = b"<Envelope><Body><Test/></Body></Envelope>" * 100
    assert mask_secrets(body) is body
    assert MASK == b"********"


def test_no_password_reaches_the_stores_disk(clock, tmp_path, serve, soap):
    """The store's journal masks what it writes: its file (beside the store's, which holds the seeded systems'
    passwords) never holds one; with journal_keep_secrets it does, so the test would see one."""
    for keep in (False, True):
        directory = tmp_path / str(keep)
        directory.mkdir()
        emulator = Emulator(Settings(database=str(directory / "altinn.db"), journal_keep_secrets=keep), clock=clock,
                            seed=SEED)
        try:
            serve(emulator)
            soap.notify(notification(KARI, transport="Email"))
            soap.insert("S-DISK", binding="ws")
        finally:
            emulator.close()
        stored = b"".join(path.read_bytes() for path in directory.glob("altinn.journal.db*"))
        assert stored.startswith(b"SQLite format 3")
        assert (b"ttd-password" in stored) is keep
        assert (b">********</" in stored) is not keep
