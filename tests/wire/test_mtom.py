"""MTOM/XOP requests and replies, and large bodies.

The requests are built byte for byte as the two client stacks that Altinn's MTOM contracts were used from
write them, so that nothing here depends on our own writer:

* **WCF** (.NET Framework's MtomMessageEncoder and XmlMtomWriter): the example messages in Microsoft's
  "Messaging Protocols" page for WCF (dotnet/docs, docs/framework/wcf/feature-details/messaging-protocols.md,
  "WCF SOAP 1.1 message encoded using MTOM" and "... secure SOAP 1.2 message ..."), checked against the
  writer in dotnet/wcf (MtomMessageEncoder.FormatContentType) and dotnet/runtime (XmlMtomWriter): HTTP
  Content-Type ``multipart/related; type="application/xop+xml";start="<http://tempuri.org/0>";
  boundary="uuid:<guid>+id=<n>";start-info="text/xml"`` (SOAP 1.2: ``start-info="application/soap+xml"``
  and ``action="..."`` after it), the body opening with the delimiter, each part's headers in the order
  Content-ID, Content-Transfer-Encoding, Content-Type; the root part ``<http://tempuri.org/0>`` in ``8bit``
  as ``application/xop+xml;charset=utf-8;type="text/xml"``; binary parts ``<http://tempuri.org/N/<ticks>>``,
  ``binary``, ``application/octet-stream``, referenced as ``cid:http%3A%2F%2Ftempuri.org%2F1%2F<ticks>``
  (.NET Framework percent-encodes the cid URL; the .NET Core writer in dotnet/wcf writes it as it is).
* **Apache CXF** (core/.../attachment/AttachmentSerializer.java and AttachmentUtil.java): HTTP Content-Type
  ``multipart/related; type="application/xop+xml"; boundary="uuid:<uuid>"; start="<root.message@cxf.apache.org>";
  start-info="text/xml"`` (SOAP 1.2: ``start-info="application/soap+xml; action=\\"...\\""``, the action
  escaped inside start-info and in the root part's ``type``), the body opening with CRLF before the first
  delimiter, part headers in the order Content-Type, Content-Transfer-Encoding (``binary`` unless
  configured to ``base64``), Content-ID; attachment ids ``<uuid>-<n>@<host of the namespace>``
  (``createContentID``). CXF before 2.2.7 percent-encoded the default suffix in the cid URL only
  (``cid:...@http%3A%2F%2Fcxf.apache.org%2F`` against ``Content-ID: <...@http://cxf.apache.org/>``: CXF-2669).
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import io
import uuid
from urllib.parse import unquote

import pytest
import requests
from lxml import etree

import mtom_service
from altinn_so.app import EmulatorApp
from altinn_so.emulator import Emulator
from altinn_so.journal import JournalFilter
from altinn_so.services import SERVICES
from altinn_so.soap import bodies
from altinn_so.soap.namespaces import ALTINN_FAULT, SOAP11_ENV, SOAP12_ENV, WSA
from altinn_so.soap.wsgi import SoapApplication, WireSettings

NS = mtom_service.NAMESPACE
XOP = "http://www.w3.org/2004/08/xop/include"
BASIC = "/ServiceEngineExternal/FileAgencyExternalBasic.svc"
WS = "/ServiceEngineExternal/FileAgencyExternal.svc"
PLAIN = "/ServiceEngineExternal/PlainFileAgencyExternalBasic.svc"
NOTIFICATION = "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc"
WITH_FILES = SERVICES + (mtom_service.SERVICE,)
TICKS = "639012345678901234"


def action(wire: str, interface: str = "IFileAgencyExternalBasic") -> str:
    return f"{NS}/{interface}/{wire}"


@pytest.fixture
def files_emulator(clock):
    emulator = Emulator(clock=clock, services=WITH_FILES)
    yield emulator
    emulator.close()


def app_of(emulator, **settings) -> SoapApplication:
    return SoapApplication(emulator, settings=WireSettings(**settings))


class Answer:
    def __init__(self, status: str, headers: list, chunks):
        self.status = int(status.split()[0])
        self.headers = {key.lower(): value for key, value in headers}
        self.iterable = chunks
        self.body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()

    @property
    def content_type(self) -> str:
        return self.headers["content-type"]


def post(app, path: str, body: bytes, content_type: str, soap_action: str | None = None) -> Answer:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_TYPE": content_type,
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "SERVER_NAME": "localhost",
               "SERVER_PORT": "8080", "wsgi.url_scheme": "http"}
    if soap_action is not None:
        environ["HTTP_SOAPACTION"] = f'"{soap_action}"'
    seen = []
    chunks = app(environ, lambda status, headers: seen.append((status, headers)))
    return Answer(seen[0][0], seen[0][1], chunks)


# -- the two clients' requests, byte for byte ----------------------------------------------------------

def envelope11(operation: str, inner: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body><{operation} xmlns="{NS}">{inner}</{operation}>'
            "</s:Body></s:Envelope>").encode()


def envelope12(operation: str, inner: str, wsa_action: str | None = None) -> bytes:
    header = (f'<s:Header><a:Action s:mustUnderstand="1">{wsa_action}</a:Action></s:Header>' if wsa_action else "")
    return (f'<s:Envelope xmlns:s="{SOAP12_ENV}" xmlns:a="{WSA}">{header}<s:Body><{operation} xmlns="{NS}">'
            f"{inner}</{operation}></s:Body></s:Envelope>").encode()


def upload_inner(href: str) -> str:
    return f'<name>report.pdf</name><data><xop:Include href="{href}" xmlns:xop="{XOP}"/></data>'


def wcf(envelope: bytes, attachments: list[tuple[str, bytes]], soap_version: int = 11,
        soap12_action: str | None = None) -> tuple[bytes, str]:
    """A request as WCF's MtomMessageEncoder writes it (see the module docstring): (body, Content-Type)."""
    boundary = "uuid:0ca0e16e-feb1-426c-97d8-c4508ada5e82+id=1"
    media = "text/xml" if soap_version == 11 else "application/soap+xml"
    content_type = (f'multipart/related; type="application/xop+xml";start="<http://tempuri.org/0>";'
                    f'boundary="{boundary}";start-info="{media}"')
    if soap12_action:
        content_type += f';action="{soap12_action}"'
    out = [f"--{boundary}\r\nContent-ID: <http://tempuri.org/0>\r\nContent-Transfer-Encoding: 8bit\r\n"
           f'Content-Type: application/xop+xml;charset=utf-8;type="{media}"\r\n\r\n'.encode(), envelope]
    for cid, data in attachments:
        out += [f"\r\n--{boundary}\r\nContent-ID: <{cid}>\r\nContent-Transfer-Encoding: binary\r\n"
                "Content-Type: application/octet-stream\r\n\r\n".encode(), data]
    out.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(out), content_type


def cxf(envelope: bytes, attachments: list[tuple[str, bytes]], soap_version: int = 11,
        soap12_action: str | None = None, transfer_encoding: str = "binary") -> tuple[bytes, str]:
    """A request as CXF's AttachmentSerializer writes it (see the module docstring): (body, Content-Type)."""
    boundary = "uuid:7e5b3a4c-2f1d-4a6b-9c8d-0e1f2a3b4c5d"
    body_type = "text/xml" if soap_version == 11 else "application/soap+xml"
    escaped = f'; action=\\"{soap12_action}\\"' if soap12_action else ""
    content_type = (f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
                    f'start="<root.message@cxf.apache.org>"; start-info="{body_type}{escaped}"')
    out = [f'\r\n--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="{body_type}{escaped}"\r\n'
           f"Content-Transfer-Encoding: {transfer_encoding}\r\nContent-ID: <root.message@cxf.apache.org>\r\n\r\n"
           .encode(), envelope if transfer_encoding != "base64" else base64.encodebytes(envelope)]
    for cid, data in attachments:
        encoded = data if transfer_encoding != "base64" else base64.encodebytes(data)
        out += [f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                f"Content-Transfer-Encoding: {transfer_encoding}\r\nContent-ID: <{cid}>\r\n\r\n".encode(), encoded]
    out.append(f"\r\n--{boundary}--".encode())
    return b"".join(out), content_type


def described(data: bytes, kind: str = "bytes") -> str:
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()}:{kind}"


def soap_body(answer: Answer) -> tuple[etree._Element, dict[str, bytes]]:
    """The envelope of a reply, plain or MTOM, and an MTOM reply's parts by Content-ID (parsed with the
    standard library's MIME parser, not with ours)."""
    if not answer.content_type.startswith("multipart/related"):
        return etree.fromstring(answer.body), {}
    message = email.message_from_bytes(f"Content-Type: {answer.content_type}\r\n\r\n".encode() + answer.body,
                                       policy=email.policy.HTTP)
    parts = list(message.iter_parts())
    by_id = {part["Content-ID"].strip("<>"): part.get_payload(decode=True) for part in parts}
    return etree.fromstring(by_id["http://tempuri.org/0"]), by_id


def result_text(answer: Answer, operation: str) -> str:
    root, _ = soap_body(answer)
    return root.findtext(f".//{{{NS}}}{operation}Result")


def fault_of(answer: Answer, soap_version: int = 11) -> dict:
    env = SOAP11_ENV if soap_version == 11 else SOAP12_ENV
    root = etree.fromstring(answer.body)
    fault = root.find(f"{{{env}}}Body/{{{env}}}Fault")
    assert fault is not None, answer.body[:500]
    detail = fault.find("detail" if soap_version == 11 else f"{{{env}}}Detail")
    altinn = detail.find(f"{{{ALTINN_FAULT}}}AltinnFault")
    fields = {etree.QName(child).localname: child.text for child in altinn}
    fields["code"] = fault.findtext("faultcode") if soap_version == 11 else \
        fault.findtext(f"{{{env}}}Code/{{{env}}}Value")
    return fields


# -- accepted shapes ---------------------------------------------------------------------------------

DATA = bytes(range(256)) * 20 + b"\r\n--not-a-boundary\r\n" + bytes(range(256))  # CR, LF and dashes inside


def test_a_wcf_soap11_mtom_request_is_read_and_answered_in_mtom(files_emulator):
    """WCF (.NET Framework), SOAP 1.1: the "WCF SOAP 1.1 message encoded using MTOM" shape."""
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:http%3A%2F%2Ftempuri.org%2F1%2F" + TICKS)),
                             [(cid, DATA)])
    answer = post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic"))
    assert answer.status == 200, answer.body[:800]
    assert answer.content_type.startswith('multipart/related; type="application/xop+xml"')
    assert 'start-info="text/xml"' in answer.content_type
    assert result_text(answer, "UploadBasic") == described(DATA)


def test_a_wcf_soap12_mtom_request_routes_on_the_action_parameter(files_emulator):
    """WCF, SOAP 1.2: the "WCF secure SOAP 1.2 message encoded using MTOM" shape (the action in an ``action``
    parameter after start-info), without the message security that example adds."""
    cid = f"http://tempuri.org/1/{TICKS}"
    wire_action = action("Upload", "IFileAgencyExternal")
    body, content_type = wcf(envelope12("Upload", upload_inner("cid:" + cid.replace(":", "%3A").replace("/", "%2F")),
                                        wsa_action=wire_action), [(cid, DATA)], 12, soap12_action=wire_action)
    answer = post(app_of(files_emulator), WS, body, content_type)
    assert answer.status == 200, answer.body[:800]
    assert 'start-info="application/soap+xml"' in answer.content_type
    root, _ = soap_body(answer)
    assert root.tag == f"{{{SOAP12_ENV}}}Envelope"
    assert result_text(answer, "Upload") == described(DATA)


def test_the_dotnet_core_writer_cid_url_as_it_is(files_emulator):
    """dotnet/wcf's XmlMtomWriter writes ``cid:`` + the Content-ID without percent-encoding it."""
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA)])
    answer = post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic"))
    assert result_text(answer, "UploadBasic") == described(DATA)


def test_a_cxf_soap11_mtom_request(files_emulator):
    """CXF, SOAP 1.1: AttachmentSerializer's shape, with createContentID's ``<uuid>-<n>@<namespace host>``."""
    cid = "3f2c7c1e-5b7a-4d8e-9a0b-1c2d3e4f5a6b-1@www.altinn.no"
    body, content_type = cxf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA)])
    answer = post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic"))
    assert answer.status == 200, answer.body[:800]
    assert result_text(answer, "UploadBasic") == described(DATA)


def test_a_cxf_soap12_request_routes_on_the_action_inside_start_info(files_emulator):
    """CXF, SOAP 1.2: no wsa:Action and no outer action parameter; the action is escaped inside start-info
    and inside the root part's type, as AttachmentSerializer.writeProlog writes it."""
    cid = "3f2c7c1e-5b7a-4d8e-9a0b-1c2d3e4f5a6b-1@www.altinn.no"
    body, content_type = cxf(envelope12("Upload", upload_inner("cid:" + cid)), [(cid, DATA)], 12,
                             soap12_action=action("Upload", "IFileAgencyExternal"))
    answer = post(app_of(files_emulator), WS, body, content_type)
    assert answer.status == 200, answer.body[:800]
    assert result_text(answer, "Upload") == described(DATA)


def test_a_percent_encoded_cid_url_matches_the_decoded_content_id(files_emulator):
    """CXF before 2.2.7 (CXF-2669): the cid URL percent-encoded, the Content-ID not (RFC 2392 says to decode)."""
    body, content_type = cxf(
        envelope11("UploadBasic", upload_inner("cid:5726d366-df25-4945-9f3b-3003a2ae8a70-4@http%3A%2F%2Fcxf.apache.org%2F")),
        [("5726d366-df25-4945-9f3b-3003a2ae8a70-4@http://cxf.apache.org/", DATA)])
    answer = post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic"))
    assert result_text(answer, "UploadBasic") == described(DATA)


def test_content_ids_and_start_without_angle_brackets(files_emulator):
    """Some writers leave the brackets off Content-ID and start; WCF's protocol notes (R4144) ask a reader
    to be relaxed about the form of a Content-ID."""
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:blob-1@example.org")),
                             [("blob-1@example.org", DATA)])
    body = body.replace(b"Content-ID: <http://tempuri.org/0>", b"Content-ID: root@example.org")
    body = body.replace(b"Content-ID: <blob-1@example.org>", b"Content-ID: blob-1@example.org")
    content_type = content_type.replace('start="<http://tempuri.org/0>"', 'start="root@example.org"')
    answer = post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic"))
    assert result_text(answer, "UploadBasic") == described(DATA)


def test_without_a_start_parameter_the_first_part_is_the_root(files_emulator):
    cid = "3f2c7c1e-1@www.altinn.no"
    body, content_type = cxf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA)])
    content_type = content_type.replace(' start="<root.message@cxf.apache.org>";', "")
    answer = post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic"))
    assert result_text(answer, "UploadBasic") == described(DATA)


def test_base64_parts_are_decoded(files_emulator):
    """CXF with ``setContentTransferEncoding("base64")``: every part base64-encoded, in lines."""
    cid = "3f2c7c1e-1@www.altinn.no"
    body, content_type = cxf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA)],
                             transfer_encoding="base64")
    answer = post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic"))
    assert answer.status == 200, answer.body[:800]
    assert result_text(answer, "UploadBasic") == described(DATA)


def test_an_mtom_download_puts_large_binary_content_in_a_part_and_small_inline(files_emulator):
    """The reply in WCF's shape: binary values over 1024 bytes as parts referenced by a percent-encoded cid URL
    (checked with the standard library's MIME parser), smaller ones inline in base64."""
    app = app_of(files_emulator)
    for size, as_part in ((5000, True), (100, False)):
        body, content_type = wcf(envelope11("DownloadBasic", f"<size>{size}</size>"), [])
        answer = post(app, BASIC, body, content_type, action("DownloadBasic"))
        assert answer.status == 200, answer.body[:800]
        assert answer.headers["mime-version"] == "1.0"
        assert int(answer.headers["content-length"]) == len(answer.body)
        root, parts = soap_body(answer)
        result = root.find(f".//{{{NS}}}DownloadBasicResult")
        include = result.find(f"{{{XOP}}}Include")
        if as_part:
            href = include.get("href")
            assert href.startswith("cid:http%3A%2F%2Ftempuri.org%2F1%2F")
            assert parts[unquote(href[4:])] == mtom_service.pattern(size)
        else:
            assert include is None and base64.b64decode(result.text) == mtom_service.pattern(size)


def test_a_plain_request_to_an_mtom_endpoint_is_answered_in_plain_xml(files_emulator):
    plain = envelope11("DownloadBasic", "<size>5000</size>")
    answer = post(app_of(files_emulator), BASIC, plain, "text/xml; charset=utf-8", action("DownloadBasic"))
    assert answer.status == 200
    assert answer.content_type == "text/xml; charset=utf-8"
    root = etree.fromstring(answer.body)
    assert base64.b64decode(root.findtext(f".//{{{NS}}}DownloadBasicResult")) == mtom_service.pattern(5000)


def test_an_mtom_request_to_an_endpoint_whose_contract_has_no_mtom_is_answered_in_plain_xml(files_emulator):
    app = app_of(files_emulator)
    body, content_type = wcf(envelope11("DownloadBasic", "<size>5000</size>"), [])
    answer = post(app, PLAIN, body, content_type, action("DownloadBasic", "IPlainFileAgencyExternalBasic"))
    assert answer.status == 200 and answer.content_type == "text/xml; charset=utf-8"
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA)])
    answer = post(app, PLAIN, body, content_type, action("UploadBasic", "IPlainFileAgencyExternalBasic"))
    assert answer.content_type == "text/xml; charset=utf-8"
    assert result_text(answer, "UploadBasic") == described(DATA)
    # ... and so does a real service's endpoint (its Test operation, as a WCF client configured for MTOM sends it)
    test = (f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body><Test xmlns="http://www.altinn.no/services/2009/10"/>'
            "</s:Body></s:Envelope>").encode()
    body, content_type = wcf(test, [])
    answer = post(app, NOTIFICATION, body, content_type, "http://www.altinn.no/services/2009/10/IAltinnContractBase/Test")
    assert answer.status == 200 and answer.content_type == "text/xml; charset=utf-8"


def test_an_mtom_request_over_http(_server, files_emulator):
    """Through the real server (cheroot), as a client sends it."""
    served, url = _server
    served.app = EmulatorApp(files_emulator, wire=WireSettings())
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA)])
    response = requests.post(url + BASIC, data=body, timeout=10,
                             headers={"Content-Type": content_type, "SOAPAction": f'"{action("UploadBasic")}"'})
    assert response.status_code == 200
    answer = Answer("200 OK", list(response.headers.items()), [response.content])
    assert result_text(answer, "UploadBasic") == described(DATA)


# -- malformed multiparts ------------------------------------------------------------------------------

def _upload_request():
    cid = f"http://tempuri.org/1/{TICKS}"
    return wcf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA)])


def _assert_client_fault(answer: Answer, *words: str):
    assert answer.status == 400, (answer.status, answer.body[:500])
    assert answer.content_type == "text/xml; charset=utf-8"
    fault = fault_of(answer)
    assert fault["code"] == "s:Client"
    for word in words:
        assert word in fault["AltinnErrorMessage"], fault["AltinnErrorMessage"]
    assert "Traceback" not in answer.body.decode("utf-8", "replace")


def test_no_boundary_is_a_fault_naming_it(files_emulator):
    body, content_type = _upload_request()
    content_type = content_type.replace('boundary="uuid:0ca0e16e-feb1-426c-97d8-c4508ada5e82+id=1";', "")
    _assert_client_fault(post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic")),
                         "no boundary parameter")


def test_no_root_part_is_a_fault_naming_it(files_emulator):
    body, content_type = _upload_request()
    content_type = content_type.replace("<http://tempuri.org/0>", "<http://tempuri.org/missing>")
    _assert_client_fault(post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic")),
                         "<http://tempuri.org/missing>", "root")


def test_no_part_at_all_is_a_fault(files_emulator):
    _, content_type = _upload_request()
    _assert_client_fault(post(app_of(files_emulator), BASIC, b"just some bytes", content_type,
                              action("UploadBasic")), "no part delimited by the boundary")


def test_an_include_of_a_missing_part_is_a_fault_naming_it(files_emulator):
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:nowhere@example.org")),
                             [(f"http://tempuri.org/1/{TICKS}", DATA)])
    _assert_client_fault(post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic")),
                         "cid:nowhere@example.org", "no part has the Content-ID")


def test_an_include_of_anything_but_a_part_is_refused(files_emulator):
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("http://example.org/secret")), [])
    _assert_client_fault(post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic")),
                         "not a cid: URL")


@pytest.mark.parametrize("cut", [40, 200])  # inside the closing delimiter / inside the binary part
def test_a_truncated_body_is_a_fault_naming_it(files_emulator, cut):
    body, content_type = _upload_request()
    _assert_client_fault(post(app_of(files_emulator), BASIC, body[:-cut], content_type, action("UploadBasic")),
                         "truncated")


def test_truncated_part_headers_are_a_fault(files_emulator):
    body, content_type = _upload_request()
    body = body[:body.index(b"Content-Type: application/octet-stream")]
    _assert_client_fault(post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic")),
                         "truncated")


def test_two_parts_with_one_content_id_are_a_fault(files_emulator):
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA), (cid, b"x")])
    _assert_client_fault(post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic")),
                         "two parts have the Content-ID", cid)


def test_an_unknown_transfer_encoding_is_a_fault(files_emulator):
    body, content_type = _upload_request()
    body = body.replace(b"Content-Transfer-Encoding: binary", b"Content-Transfer-Encoding: x-gzip")
    _assert_client_fault(post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic")),
                         "x-gzip")


def test_the_other_soap_versions_root_is_a_415(files_emulator):
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope12("UploadBasic", upload_inner("cid:" + cid)), [(cid, DATA)], 12)
    answer = post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic"))
    assert answer.status == 415
    assert fault_of(answer, 12)["code"] == "s:Sender"


# -- large bodies ----------------------------------------------------------------------------------------

@pytest.fixture
def disk_files(monkeypatch):
    """Every temporary file a body is spooled to."""
    made = []
    original = bodies._disk_file

    def watched():
        handle = original()
        made.append(handle)
        return handle

    monkeypatch.setattr(bodies, "_disk_file", watched)
    return made


def test_a_body_above_the_threshold_is_spooled_to_a_file_and_its_large_part_stays_there(files_emulator, disk_files):
    data = mtom_service.pattern(300 * 1024)
    cid = f"http://tempuri.org/1/{TICKS}"
    app = app_of(files_emulator, spool_bytes=64 * 1024)
    body, content_type = wcf(envelope11("UploadStreamedBasic", upload_inner("cid:" + cid)), [(cid, data)])
    answer = post(app, BASIC, body, content_type, action("UploadStreamedBasic"))
    assert answer.status == 200, answer.body[:800]
    assert len(disk_files) == 1 and disk_files[0].closed  # spooled, and removed after the call
    # an operation with a limit of its own gets the large part as a file-backed Blob, not as bytes
    assert result_text(answer, "UploadStreamedBasic") == described(data, "blob")
    # one without gets bytes, as today's handlers expect (its body is bounded by --max-body-bytes)
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, data)])
    answer = post(app, BASIC, body, content_type, action("UploadBasic"))
    assert result_text(answer, "UploadBasic") == described(data, "bytes")
    assert len(disk_files) == 2


def test_a_body_below_the_threshold_stays_in_memory(files_emulator, disk_files):
    body, content_type = _upload_request()
    assert post(app_of(files_emulator), BASIC, body, content_type, action("UploadBasic")).status == 200
    assert disk_files == []


def test_a_large_plain_body_is_parsed_from_its_file(files_emulator, disk_files):
    data = mtom_service.pattern(200 * 1024)
    plain = envelope11("UploadBasic", f"<name>x</name><data>{base64.b64encode(data).decode()}</data>")
    answer = post(app_of(files_emulator, spool_bytes=64 * 1024), BASIC, plain, "text/xml; charset=utf-8",
                  action("UploadBasic"))
    assert result_text(answer, "UploadBasic") == described(data)
    assert len(disk_files) == 1


def test_an_operation_may_take_more_than_the_servers_limit_and_no_other_does(files_emulator):
    app = app_of(files_emulator, max_body_bytes=64 * 1024, spool_bytes=32 * 1024)
    data = mtom_service.pattern(100 * 1024)
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("UploadStreamedBasic", upload_inner("cid:" + cid)), [(cid, data)])
    assert post(app, BASIC, body, content_type, action("UploadStreamedBasic")).status == 200
    # the same size to an operation without a limit of its own: the server's, named in the fault
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:" + cid)), [(cid, data)])
    answer = post(app, BASIC, body, content_type, action("UploadBasic"))
    assert answer.status == 413
    assert "maximum message size of 65536 bytes" in fault_of(answer)["AltinnErrorMessage"]
    # more than the largest limit of the endpoint: refused before it is read
    body, content_type = wcf(envelope11("UploadStreamedBasic", upload_inner("cid:" + cid)),
                             [(cid, mtom_service.pattern(mtom_service.LARGE_LIMIT))])
    answer = post(app, BASIC, body, content_type, action("UploadStreamedBasic"))
    assert answer.status == 413
    assert f"maximum message size of {mtom_service.LARGE_LIMIT} bytes" in fault_of(answer)["AltinnErrorMessage"]
    # an endpoint whose operations have no limit of their own keeps the server's (a plain body, as today)
    plain = envelope11("SendStandaloneNotificationBasicV2", "x" * 70 * 1024)
    assert post(app, NOTIFICATION, plain, "text/xml; charset=utf-8").status == 413


def test_the_journal_records_a_large_body_by_size_and_sha256(files_emulator):
    app = app_of(files_emulator, spool_bytes=64 * 1024)
    data = mtom_service.pattern(300 * 1024)
    cid = f"http://tempuri.org/1/{TICKS}"
    body, content_type = wcf(envelope11("UploadStreamedBasic", upload_inner("cid:" + cid)), [(cid, data)])
    assert post(app, BASIC, body, content_type, action("UploadStreamedBasic")).status == 200
    small, small_type = _upload_request()
    assert post(app, BASIC, small, small_type, action("UploadBasic")).status == 200
    large_entry, small_entry = files_emulator.journal.list_entries(JournalFilter())
    assert large_entry.request == (f"[request body of {len(body)} bytes, SHA-256 {hashlib.sha256(body).hexdigest()}: "
                                   "too large to keep in the journal]")
    assert small_entry.request == small.decode("utf-8", "replace")  # a small one is kept as it came


def test_a_large_mtom_reply_is_streamed_and_journalled_by_size_and_sha256(files_emulator, disk_files):
    app = app_of(files_emulator, spool_bytes=64 * 1024)
    body, content_type = wcf(envelope11("DownloadBasic", f"<size>{300 * 1024}</size>"), [])
    answer = post(app, BASIC, body, content_type, action("DownloadBasic"))
    assert answer.status == 200
    assert not isinstance(answer.iterable, list)  # sent in chunks, not as one bytes object
    assert int(answer.headers["content-length"]) == len(answer.body)
    _, parts = soap_body(answer)
    assert mtom_service.pattern(300 * 1024) in parts.values()
    entry = files_emulator.journal.list_entries(JournalFilter())[-1]
    assert entry.response == (f"[response body of {len(answer.body)} bytes, SHA-256 "
                              f"{hashlib.sha256(answer.body).hexdigest()}: too large to keep in the journal]")


def test_a_chunked_body_over_the_limit_is_refused_while_it_is_read(files_emulator):
    app = app_of(files_emulator, max_body_bytes=64 * 1024)
    body, content_type = wcf(envelope11("UploadBasic", upload_inner("cid:x")), [("x", b"y" * (5 * 1024 * 1024))])
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": BASIC, "CONTENT_TYPE": content_type,
               "wsgi.input": io.BytesIO(body), "HTTP_SOAPACTION": f'"{action("UploadBasic")}"'}
    seen = []
    out = b"".join(app(environ, lambda status, headers: seen.append(status)))
    assert seen[0].startswith("413")
    assert f"maximum message size of {mtom_service.LARGE_LIMIT} bytes" in out.decode()
    assert environ["wsgi.input"].tell() <= mtom_service.LARGE_LIMIT + 1024 * 1024  # it stopped reading


def test_uuid_boundaries_differ_per_reply(files_emulator):
    app = app_of(files_emulator)
    body, content_type = wcf(envelope11("DownloadBasic", "<size>2000</size>"), [])
    first = post(app, BASIC, body, content_type, action("DownloadBasic")).content_type
    second = post(app, BASIC, body, content_type, action("DownloadBasic")).content_type
    assert first != second and 'boundary="uuid:' in first and "+id=1" in first
    uuid.UUID(first.split('boundary="uuid:')[1].split("+")[0])
