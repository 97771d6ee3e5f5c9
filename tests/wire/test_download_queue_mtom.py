"""The download queue's contracts declare MTOM: an archived form task with a 5 MB attachment, asked for in an MTOM
request as Apache CXF writes one, comes back as multipart/related with the attachment as a binary part
(docs/behaviour/download-queue.md). The reply is parsed with the standard library's MIME parser, not ours."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import os
import tracemalloc
from urllib.parse import unquote

import pytest
from lxml import etree

from altinn_so.soap.namespaces import SOAP11_ENV, SOAP12_ENV
from altinn_so.soap.wsgi import SoapApplication, WireSettings
from support.archived import archived_task, attachment

NS = "http://www.altinn.no/services/Archive/DownloadQueue/2012/08"
TASK_NS = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2012/08"
XOP = "http://www.w3.org/2004/08/xop/include"
BASIC = "/ArchiveExternal/DownloadQueueExternalBasic.svc"
EC2 = "/ArchiveExternal/DownloadQueueExternalEC2.svc"
SIZE = 5 * 1024 * 1024


def cxf_request(envelope: bytes, soap_version: int, action: str) -> tuple[bytes, str]:
    """An MTOM request without binary parts, as CXF's AttachmentSerializer writes it (see tests/wire/test_mtom.py)."""
    boundary = "uuid:1b7f0c3e-9d2a-4c55-8e61-2f0a9b3c4d5e"
    body_type = "text/xml" if soap_version == 11 else f'application/soap+xml; action=\\"{action}\\"'
    content_type = (f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
                    f'start="<root.message@cxf.apache.org>"; start-info="{body_type}"')
    body = (f'\r\n--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="{body_type}"\r\n'
            f"Content-Transfer-Encoding: binary\r\nContent-ID: <root.message@cxf.apache.org>\r\n\r\n").encode() \
        + envelope + f"\r\n--{boundary}--".encode()
    return body, content_type


def envelope(soap_version: int, operation: str, archive_reference: str) -> bytes:
    env = SOAP11_ENV if soap_version == 11 else SOAP12_ENV
    return (f'<s:Envelope xmlns:s="{env}"><s:Body><{operation} xmlns="{NS}">'
            "<systemUserName>ttd-system</systemUserName><systemPassword>ttd-password</systemPassword>"
            f"<archiveReference>{archive_reference}</archiveReference><languageID>1044</languageID>"
            f"</{operation}></s:Body></s:Envelope>").encode()


def post(app, path: str, body: bytes, content_type: str, soap_action: str | None):
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_TYPE": content_type,
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "SERVER_NAME": "localhost",
               "SERVER_PORT": "8080", "wsgi.url_scheme": "http"}
    if soap_action is not None:
        environ["HTTP_SOAPACTION"] = f'"{soap_action}"'
    seen = []
    chunks = app(environ, lambda status, headers: seen.append((status, headers)))
    reply = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    status, headers = seen[0]
    return int(status.split()[0]), dict((k.lower(), v) for k, v in headers), reply


def parts_of(content_type: str, reply: bytes) -> dict[str, bytes]:
    message = email.message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + reply,
                                       policy=email.policy.HTTP)
    return {part["Content-ID"].strip("<>"): part.get_payload(decode=True) for part in message.iter_parts()}


@pytest.mark.parametrize(("path", "soap_version", "operation", "interface"), [
    pytest.param(BASIC, 11, "GetArchivedFormTaskBasicDQ", "IDownloadQueueExternalBasic", id="basic"),
    pytest.param(EC2, 12, "GetArchivedFormTaskECDQ", "IDownloadQueueExternalEC", id="ec2"),
])
def test_a_5_mb_attachment_comes_back_as_a_binary_part(emulator, path, soap_version, operation, interface):
    data = os.urandom(SIZE)
    task = archived_task(emulator, attachments=[attachment(data, "stor.bin", "binary_octet_stream")])
    action = f"{NS}/{interface}/{operation}"
    body, content_type = cxf_request(envelope(soap_version, operation, task.archive_reference), soap_version, action)
    app = SoapApplication(emulator, settings=WireSettings())

    tracemalloc.start()
    try:
        status, headers, reply = post(app, path, body, content_type, action if soap_version == 11 else None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert status == 200, reply[:800]
    assert headers["content-type"].startswith('multipart/related; type="application/xop+xml"')
    assert SIZE < len(reply) < SIZE + 8192  # the bytes as they are, not base64 (which would be 4/3 of them)
    parts = parts_of(headers["content-type"], reply)
    root = etree.fromstring(parts.pop("http://tempuri.org/0"))
    data_element = root.find(f".//{{{TASK_NS}}}AttachmentData")
    include = data_element.find(f"{{{XOP}}}Include")
    assert include is not None and not (data_element.text or "").strip()
    cid = unquote(include.get("href").removeprefix("cid:"))
    assert parts[cid] == data
    assert root.findtext(f".//{{{TASK_NS}}}FileName") == "stor.bin"
    # the attachment is held twice at most: read from the store (and sent as the part as it is), and the test's
    # own join of the reply's chunks; never a base64 copy of it
    assert peak < 3 * SIZE, f"peak {peak / SIZE:.1f} times the attachment"


def test_a_plain_request_gets_the_attachment_inline(emulator):
    data = b"\x00\x01 vedlegg"
    task = archived_task(emulator, attachments=[attachment(data)])
    operation = "GetArchivedFormTaskBasicDQ"
    status, headers, reply = post(SoapApplication(emulator, settings=WireSettings()), BASIC,
                                  envelope(11, operation, task.archive_reference), "text/xml; charset=utf-8",
                                  f"{NS}/IDownloadQueueExternalBasic/{operation}")
    assert status == 200 and headers["content-type"].startswith("text/xml")
    assert etree.fromstring(reply).findtext(f".//{{{TASK_NS}}}AttachmentData") == base64.b64encode(data).decode()


def test_the_pdf_is_a_binary_part_too(emulator):
    task = archived_task(emulator)
    operation = "GetFormSetPdfBasic"
    inner = (f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body><{operation} xmlns="{NS}">'
             "<systemName>ttd-system</systemName><systemPassword>ttd-password</systemPassword>"
             f"<archiveReference>{task.archive_reference}</archiveReference><languageId>1044</languageId>"
             f"</{operation}></s:Body></s:Envelope>").encode()
    action = f"{NS}/IDownloadQueueExternalBasic/{operation}"
    body, content_type = cxf_request(inner, 11, action)
    status, headers, reply = post(SoapApplication(emulator, settings=WireSettings()), BASIC, body, content_type,
                                  action)
    assert status == 200, reply[:800]
    parts = parts_of(headers["content-type"], reply)
    root = etree.fromstring(parts.pop("http://tempuri.org/0"))
    include = root.find(f".//{{{NS}}}{operation}Result/{{{XOP}}}Include")
    assert include is not None
    [pdf] = parts.values()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
