"""Calling a service owner's OnlineBatchReceiver: the emulator's one outbound SOAP client (docs/behaviour/push.md).

``ReceiveOnlineBatchExternalAttachment`` in the receiver WSDL's namespace, as SOAP 1.1 or 1.2, with the
credentials in the body. The request is written to a temporary file first and sent from it, so that a push with a
large attachment holds its bytes once (the batch's), not again as base64 and again as an envelope. The reply is
read as the receiver WSDL says: a string holding an ``OnlineBatchReceipt`` document. A SOAP fault, an HTTP status
that is no reply, or a connection that fails is the receiver being down; a reply whose receipt cannot be read is
taken for ``FAILED``, which is retried a limited number of times.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import tempfile
import zipfile
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from lxml import etree

from altinn_so.domain.catalog import PushReceiver

from .batch import BatchAttachment
from .rules import FAILED, FAILED_DO_NOT_RETRY, FAULT, OK, UNREACHABLE, Outgoing, Reply

NAMESPACE = "http://AltInn.no/webservices/"
OPERATION = "ReceiveOnlineBatchExternalAttachment"
SOAP_ACTION = NAMESPACE + OPERATION
_ENVELOPES = {"1.1": "http://schemas.xmlsoap.org/soap/envelope/", "1.2": "http://www.w3.org/2003/05/soap-envelope"}
_RESULT_CODES = (OK, FAILED, FAILED_DO_NOT_RETRY)
_BASE64_CHUNK = 3 * 256 * 1024  # a multiple of 3: each chunk's base64 joins the next without padding
_KEPT_REQUEST = 256 * 1024  # what an attempt keeps of the request (its base64 left out) and of the reply
_KEPT_REPLY = 64 * 1024
_MAX_REPLY = 16 * 1024 * 1024  # a reply longer than this is not read whole: no receipt is that long
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def call_receiver(receiver: PushReceiver, outgoing: Outgoing) -> Reply:
    """Send ``outgoing`` to ``receiver`` and say what came of it; never raises for what the receiver does."""
    with tempfile.TemporaryFile() as body:
        kept = _write_request(body, receiver, outgoing)
        length = body.tell()
        body.seek(0)
        try:
            status, content_type, reply = _post(receiver, body, length)
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            return Reply(UNREACHABLE, _describe(exc), request=kept)
    return _read_reply(status, content_type, reply, kept)


# -- the request ---------------------------------------------------------------------------------------------


def _write_request(out, receiver: PushReceiver, outgoing: Outgoing) -> str:
    """Write the envelope to ``out``; return it as the admin page shows it, with each run of base64 described."""
    kept: list[str] = []

    def write(text: str, shown: str | None = None) -> None:
        out.write(text.encode("utf-8"))
        kept.append(text if shown is None else shown)

    envelope = _ENVELOPES[receiver.soap_version]
    write(f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{envelope}"><soap:Body>'
          f'<{OPERATION} xmlns="{NAMESPACE}"><username>{escape(receiver.username)}</username>')
    # The admin page shows the attempt; the receiver's password is masked there, as in the request journal.
    write(f"<passwd>{escape(receiver.password)}</passwd>", shown="<passwd>********</passwd>")
    write(f'<receiversReference>{escape(outgoing.receivers_reference)}</receiversReference>'
          f'<sequenceNumber>{outgoing.sequence_number}</sequenceNumber><batch>')
    for part in outgoing.batch.parts():
        if isinstance(part, BatchAttachment):
            _write_base64(out, part.data)
            kept.append(f"[{len(part.data):,} bytes of {part.internal_file_name}, in base64]")
        else:
            write(escape(part))
    write("</batch><attachments>")
    attachments = outgoing.batch.attachments
    if attachments and not outgoing.batch.inline:
        with tempfile.TemporaryFile() as archive:
            _write_zip(archive, attachments)
            size = archive.tell()
            archive.seek(0)
            _write_base64_file(out, archive)
        kept.append(f"[a ZIP of {size:,} bytes holding {len(attachments)} attachment(s), in base64]")
    write(f"</attachments></{OPERATION}></soap:Body></soap:Envelope>")
    shown = "".join(kept)
    return shown if len(shown) <= _KEPT_REQUEST else shown[:_KEPT_REQUEST] + "\n[… the rest left out]"


def _write_zip(out, attachments: tuple[BatchAttachment, ...]) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for attachment in attachments:
            archive.writestr(attachment.internal_file_name, attachment.data)
    out.seek(0, 2)


def _write_base64(out, data: bytes) -> None:
    view = memoryview(data)
    for start in range(0, len(view), _BASE64_CHUNK):
        out.write(base64.b64encode(view[start:start + _BASE64_CHUNK]))


def _write_base64_file(out, source) -> None:
    while chunk := source.read(_BASE64_CHUNK):
        out.write(base64.b64encode(chunk))


# -- the call ------------------------------------------------------------------------------------------------


def _post(receiver: PushReceiver, body, length: int) -> tuple[int, str, bytes]:
    url = urlsplit(receiver.url)
    if url.scheme == "https":
        connection = http.client.HTTPSConnection(url.hostname, url.port, timeout=receiver.timeout_seconds,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=receiver.timeout_seconds)
    if receiver.soap_version == "1.1":
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{SOAP_ACTION}"'}
    else:
        headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{SOAP_ACTION}"'}
    headers["Content-Length"] = str(length)
    try:
        connection.request("POST", (url.path or "/") + (f"?{url.query}" if url.query else ""), body=body,
                           headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read(_MAX_REPLY)
    finally:
        connection.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer within the receiver's timeout"
    return f"could not reach the receiver: {type(exc).__name__}: {exc}"


# -- the reply -----------------------------------------------------------------------------------------------


def _read_reply(status: int, content_type: str, data: bytes, request: str) -> Reply:
    shown = data[:_KEPT_REPLY].decode("utf-8", "replace")

    def reply(outcome: str, text: str) -> Reply:
        return Reply(outcome, text, status, request, shown)

    root = _parsed(data)
    fault = root.find(".//{*}Body/{*}Fault") if root is not None else None
    if fault is not None:
        return reply(FAULT, "the receiver answered with a SOAP fault: " + _fault_text(fault))
    if status != 200:
        return reply(UNREACHABLE, f"the receiver answered HTTP {status} ({content_type or 'no content type'}) "
                                  "and no SOAP reply")
    if root is None:
        return reply(FAILED, "the reply is not XML")
    result = root.find(f".//{{{NAMESPACE}}}{OPERATION}Result")
    if result is None or not (result.text or "").strip():
        return reply(FAILED, f"the reply has no {OPERATION}Result")
    receipt = _parsed(result.text.strip().encode("utf-8"))
    if receipt is None:
        return reply(FAILED, "the result is not an OnlineBatchReceipt document (not XML, or with a DTD)")
    answer = receipt.find("Result") if receipt.tag == "OnlineBatchReceipt" else None
    code = answer.get("resultCode") if answer is not None else None
    if code not in _RESULT_CODES:
        return reply(FAILED, f"the result is not an OnlineBatchReceipt with a resultCode of {', '.join(_RESULT_CODES)}")
    return reply(code, (answer.text or "").strip())


def _parsed(data: bytes):
    """The root of ``data``, or None when it is no XML or declares a DTD: a reply has no use for one, and its
    entities would be expanded into attribute values whatever the parser is told."""
    if not data.strip():
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None
    return None if root.getroottree().docinfo.doctype else root


def _fault_text(fault) -> str:
    for path in ("faultstring", "{*}Reason/{*}Text"):
        found = fault.find(path)
        if found is not None and (found.text or "").strip():
            return found.text.strip()
    return "(no text)"
