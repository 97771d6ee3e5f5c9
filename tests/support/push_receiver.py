"""A service owner's OnlineBatchReceiver for tests: the SOAP endpoint Altinn II pushed archived submissions to.

The emulator is the client of ``ReceiveOnlineBatchExternalAttachment``; tests run this server and look at what
arrived. Everything it knows about the operation comes from the real WSDL (``push/OnlineBatchReceiver.wsdl``):
the namespace, the request and response elements, each binding's soapAction, the URL path and the schema every
request body is validated against. The ``batch`` string is checked against the real ``genericbatch.2013.06.xsd``
and each receipt it answers with against the real ``OnlineBatchReceipt.xsd``. What is wrong with a request is
recorded in ``Received.problems``; the server thread never raises::

    with PushReceiver(expected_credentials=("user", "secret")) as receiver:
        receiver.script("FAILED", "OK")           # then the default, "OK"
        ...                                       # make the emulator push to receiver.url
        first, retry = receiver.wait_for(2)
        assert not retry.problems
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import re
import threading
import zipfile
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

from lxml import etree

from support.contracts import WSDL_NS, XSD_NS, build_schema, require_batch_schema, require_contract

WSDL_FILE = "push/OnlineBatchReceiver.wsdl"
BATCH_SCHEMA = "genericbatch.2013.06.xsd"
RECEIPT_SCHEMA = "OnlineBatchReceipt.xsd"

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
ENVELOPES = {"1.1": SOAP11_ENV, "1.2": SOAP12_ENV}
CONTENT_TYPES = {"1.1": "text/xml", "1.2": "application/soap+xml"}
# How a WSDL binding says which SOAP version it is.
BINDING_NAMESPACES = {"1.1": "http://schemas.xmlsoap.org/wsdl/soap/", "1.2": "http://schemas.xmlsoap.org/wsdl/soap12/"}

RESULT_CODES = ("OK", "FAILED", "FAILED_DO_NOT_RETRY")
REPLY_KINDS = (*RESULT_CODES, "fault", "drop", "http503")
# The request's parts the receiver gives a meaning to; load() refuses a WSDL that does not declare them.
REQUEST_FIELDS = ("username", "passwd", "receiversReference", "sequenceNumber", "batch", "attachments")

_CHUNK = 1 << 20
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def safe_parser() -> etree.XMLParser:
    """No entity expansion, no DTD, no network; ``huge_tree`` because a pushed ZIP is one text node of many MB."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=True)


# -- what the WSDL says ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PushContract:
    """The facts of the real OnlineBatchReceiver WSDL that the receiver works from."""

    namespace: str
    operation: str
    request: etree.QName
    response: etree.QName
    result: etree.QName
    fields: dict[str, etree.QName]
    soap_actions: dict[str, str]
    path: str
    schema: etree.XMLSchema
    wsdl: bytes

    @classmethod
    def load(cls, path: Path) -> "PushContract":
        wsdl = path.read_bytes()
        root = etree.fromstring(wsdl, safe_parser())
        namespace = root.get("targetNamespace")
        operations = root.findall(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")
        assert len(operations) == 1, f"{path.name}: expected one operation, found {len(operations)}"
        operation = operations[0]
        request = _message_element(root, operation.find(f"{{{WSDL_NS}}}input"))
        response = _message_element(root, operation.find(f"{{{WSDL_NS}}}output"))
        request_children = _sequence_of(root, request)
        missing = [name for name in REQUEST_FIELDS if name not in request_children]
        assert not missing, f"{path.name}: {request.localname} declares no {missing}"
        response_children = _sequence_of(root, response)
        assert len(response_children) == 1, f"{path.name}: {response.localname} should hold one result element"
        return cls(namespace=namespace, operation=operation.get("name"), request=request, response=response,
                   result=next(iter(response_children.values())),
                   fields={name: request_children[name] for name in REQUEST_FIELDS},
                   soap_actions=_soap_actions(root, operation.get("name")), path=_address_path(root),
                   schema=build_schema(root, label=path.name), wsdl=wsdl)


def _qname(node: etree._Element, value: str) -> etree.QName:
    prefix, _, local = value.rpartition(":")
    return etree.QName(node.nsmap.get(prefix or None), local)


def _message_element(root: etree._Element, io_node: etree._Element) -> etree.QName:
    message_name = _qname(io_node, io_node.get("message")).localname
    part = root.find(f"{{{WSDL_NS}}}message[@name='{message_name}']/{{{WSDL_NS}}}part")
    return _qname(part, part.get("element"))


def _sequence_of(root: etree._Element, element: etree.QName) -> dict[str, etree.QName]:
    """The children an inline schema declares for the global ``element``: local name -> qualified name."""
    for schema in root.iterfind(f"{{{WSDL_NS}}}types/{{{XSD_NS}}}schema"):
        if schema.get("targetNamespace") != element.namespace:
            continue
        declared = schema.find(f"{{{XSD_NS}}}element[@name='{element.localname}']")
        if declared is None:
            continue
        child_namespace = element.namespace if schema.get("elementFormDefault") == "qualified" else None
        return {child.get("name"): etree.QName(child_namespace, child.get("name"))
                for child in declared.iterfind(f".//{{{XSD_NS}}}sequence/{{{XSD_NS}}}element")}
    raise AssertionError(f"no inline schema declares {element}")


def _soap_actions(root: etree._Element, operation: str) -> dict[str, str]:
    actions = {}
    for binding in root.iterfind(f"{{{WSDL_NS}}}binding"):
        for version, namespace in BINDING_NAMESPACES.items():
            if binding.find(f"{{{namespace}}}binding") is None:
                continue
            found = binding.find(f"{{{WSDL_NS}}}operation[@name='{operation}']/{{{namespace}}}operation")
            actions[version] = found.get("soapAction")
    assert set(actions) == set(BINDING_NAMESPACES), f"expected a SOAP 1.1 and a SOAP 1.2 binding, found {actions}"
    return actions


def _address_path(root: etree._Element) -> str:
    paths = {urlparse(address.get("location")).path
             for namespace in BINDING_NAMESPACES.values()
             for address in root.iterfind(f"{{{WSDL_NS}}}service/{{{WSDL_NS}}}port/{{{namespace}}}address")}
    assert len(paths) == 1, f"expected every port at one path, found {paths}"
    return paths.pop()


@functools.cache
def _contract(path: str) -> PushContract:
    return PushContract.load(Path(path))


@functools.cache
def _xsd(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path, safe_parser()))


# A schema keeps the errors of its last validation on itself: handler threads must not interleave.
_VALIDATING = threading.Lock()


def _errors(schema: etree.XMLSchema, element: etree._Element) -> list[str]:
    with _VALIDATING:
        if schema.validate(element):
            return []
        return [f"line {error.line}: {error.message}" for error in schema.error_log]


# -- what arrived ------------------------------------------------------------------------------------

@dataclass
class Received:
    """One request as the receiver saw it, what it found wrong with it, and what it answered."""

    soap_version: str | None = None
    soap_action: str | None = None
    username: str | None = None
    passwd: str | None = None
    receivers_reference: str | None = None
    sequence_number: int | None = None
    batch_text: str = ""
    batch: etree._Element | None = None
    attachments: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    reply: str | None = None  # a REPLY_KINDS entry, or "http<status>" when the request never reached the script
    reply_body: bytes | None = None
    http_path: str = ""

    def summary(self) -> str:
        return (f"SOAP {self.soap_version} seq={self.sequence_number} reply={self.reply} "
                f"attachments={sorted(self.attachments)} problems={self.problems}")


def _content_type(header: str) -> tuple[str, dict[str, str]]:
    media, *params = header.split(";")
    parsed = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), parsed


class _Inspector:
    """Turns one request body into a ``Received`` (everything except the sequence check and the reply)."""

    def __init__(self, contract: PushContract, batch_schema: etree.XMLSchema, *,
                 expected_credentials: tuple[str, str] | None, require_checksums: bool):
        self.contract = contract
        self.batch_schema = batch_schema
        self.expected_credentials = expected_credentials
        self.require_checksums = require_checksums

    def inspect(self, body: bytes, content_type: str, soap_action_header: str | None) -> Received:
        received = Received()
        problems = received.problems
        media, params = _content_type(content_type)
        versions = {media_type: version for version, media_type in CONTENT_TYPES.items()}
        received.soap_version = versions.get(media)
        if received.soap_version is None:
            problems.append(f"Content-Type {content_type!r} is neither {' nor '.join(CONTENT_TYPES.values())}")
        self._check_action(received, params, soap_action_header)

        try:
            envelope = etree.fromstring(body, safe_parser())
        except etree.XMLSyntaxError as error:
            problems.append(f"request is not XML: {error}")
            return received
        if envelope.getroottree().docinfo.doctype:
            problems.append("request carries a DOCTYPE, which SOAP forbids")
            return received
        operation = self._operation_element(received, envelope)
        if operation is None:
            return received
        # SOAP allows encodingStyle on any element of the body; the WSDL's schema does not declare it
        # (Altinn's simulator sends it), so it is taken off before validating.
        for element in operation.iter():
            for namespace in ENVELOPES.values():
                element.attrib.pop(f"{{{namespace}}}encodingStyle", None)
        problems.extend(f"request body: {error}" for error in _errors(self.contract.schema, operation))
        self._read_fields(received, operation)
        return received

    def _check_action(self, received: Received, params: dict[str, str], header: str | None) -> None:
        if received.soap_version == "1.1":
            if header is None:
                received.problems.append("SOAP 1.1 request without a SOAPAction header")
                return
            received.soap_action = header.strip().strip('"')
        elif received.soap_version == "1.2":
            received.soap_action = params.get("action")
            if received.soap_action is None:
                return
        else:
            return
        expected = self.contract.soap_actions[received.soap_version]
        if received.soap_action != expected:
            received.problems.append(f"SOAP {received.soap_version} action {received.soap_action!r}, "
                                     f"the WSDL says {expected!r}")

    def _operation_element(self, received: Received, envelope: etree._Element) -> etree._Element | None:
        problems = received.problems
        by_namespace = {namespace: version for version, namespace in ENVELOPES.items()}
        version = by_namespace.get(etree.QName(envelope).namespace)
        if etree.QName(envelope).localname != "Envelope" or version is None:
            problems.append(f"the document element is {envelope.tag}, not a SOAP Envelope")
            return None
        if received.soap_version is None:
            received.soap_version = version
        elif received.soap_version != version:
            problems.append(f"a SOAP {version} envelope sent as SOAP {received.soap_version} "
                            f"({CONTENT_TYPES[received.soap_version]})")
        body = envelope.find(f"{{{ENVELOPES[version]}}}Body")
        children = [] if body is None else [child for child in body if isinstance(child.tag, str)]
        if len(children) != 1:
            problems.append(f"expected one element in the SOAP Body, found {[child.tag for child in children]}")
            return None
        if children[0].tag != self.contract.request.text:
            problems.append(f"the SOAP Body holds {children[0].tag}, not {self.contract.request.text}")
            return None
        return children[0]

    def _read_fields(self, received: Received, operation: etree._Element) -> None:
        def text(name: str) -> str | None:
            found = operation.find(self.contract.fields[name].text)
            return None if found is None else (found.text or "")

        received.username = text("username")
        received.passwd = text("passwd")
        received.receivers_reference = text("receiversReference")
        sequence = text("sequenceNumber")
        try:
            received.sequence_number = int(sequence.strip())
        except (AttributeError, ValueError):
            received.problems.append(f"sequenceNumber {sequence!r} is not a number")
        if self.expected_credentials is not None and (received.username, received.passwd) != \
                tuple(self.expected_credentials):
            received.problems.append(f"credentials {received.username!r}/{received.passwd!r} are not the "
                                     f"expected {self.expected_credentials[0]!r}/{self.expected_credentials[1]!r}")
        received.batch_text = text("batch") or ""
        self._read_batch(received)
        zipped = "".join((text("attachments") or "").split())
        if zipped:
            self._read_zip(received, zipped)
        else:
            self._read_inline(received)

    def _read_batch(self, received: Received) -> None:
        if not received.batch_text.strip():
            received.problems.append("the request has no batch")
            return
        # The batch is a string: a declaration naming its original encoding would not describe these bytes.
        text = _XML_DECLARATION.sub("", received.batch_text, count=1)
        try:
            received.batch = etree.fromstring(text.encode("utf-8"), safe_parser())
        except etree.XMLSyntaxError as error:
            received.problems.append(f"batch is not XML: {error}")
            return
        if received.batch.getroottree().docinfo.doctype:
            received.problems.append("batch carries a DOCTYPE")
        received.problems.extend(f"batch does not validate against {BATCH_SCHEMA}: {error}"
                                 for error in _errors(self.batch_schema, received.batch))

    def _batch_attachments(self, received: Received) -> dict[str, etree._Element]:
        if received.batch is None:
            return {}
        declared: dict[str, etree._Element] = {}
        for attachment in received.batch.iter("Attachment"):
            name = attachment.get("internalFileName")
            if name in declared:
                received.problems.append(f"two Attachments of the batch are named {name!r}")
            declared[name] = attachment
        return declared

    def _read_zip(self, received: Received, zipped: str) -> None:
        try:
            archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(zipped, validate=True)))
            entries = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
        except (binascii.Error, ValueError) as error:
            received.problems.append(f"attachments is not base64: {error}")
            return
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
            received.problems.append(f"attachments is not a readable ZIP: {error}")
            return
        received.attachments = entries
        declared = self._batch_attachments(received)
        for name in sorted(set(entries) - set(declared)):
            received.problems.append(f"ZIP entry {name!r} matches no Attachment internalFileName of the batch")
        for name, attachment in declared.items():
            if name not in entries:
                received.problems.append(f"Attachment {name!r} of the batch has no entry in the ZIP")
            else:
                self._check_checksum(received, attachment, entries[name])

    def _read_inline(self, received: Received) -> None:
        for name, attachment in self._batch_attachments(received).items():
            inline = "".join((attachment.text or "").split())
            if not inline:
                received.problems.append(f"Attachment {name!r} has no bytes: attachments is empty and the "
                                         f"Attachment carries no base64 text")
                continue
            try:
                data = base64.b64decode(inline, validate=True)
            except (binascii.Error, ValueError) as error:
                received.problems.append(f"Attachment {name!r}: its text is not base64 ({error})")
                continue
            received.attachments[name] = data
            self._check_checksum(received, attachment, data)

    def _check_checksum(self, received: Received, attachment: etree._Element, data: bytes) -> None:
        name = attachment.get("internalFileName")
        checksum = attachment.get("checksum")
        if checksum is None:
            if self.require_checksums:
                received.problems.append(f"Attachment {name!r} has no checksum")
            return
        digest = hashlib.sha256(data).hexdigest()
        if checksum != digest:
            received.problems.append(f"Attachment {name!r}: checksum {checksum!r}, but the SHA-256 of its "
                                     f"{len(data)} bytes is {digest!r}")


# -- what it answers ---------------------------------------------------------------------------------

class _Replies:
    """The bytes of each reply, built once per receiver; the receipts are checked against the real schema."""

    RESULT_TEXT = {"OK": "Batch received", "FAILED": "Batch not received (scripted FAILED), try again",
                   "FAILED_DO_NOT_RETRY": "Batch refused (scripted FAILED_DO_NOT_RETRY), do not retry"}

    def __init__(self, contract: PushContract, receipt_schema: etree.XMLSchema):
        self.contract = contract
        self.receipts = {}
        for code, text in self.RESULT_TEXT.items():
            receipt = etree.Element("OnlineBatchReceipt")
            etree.SubElement(receipt, "Result", resultCode=code).text = text
            errors = _errors(receipt_schema, receipt)
            assert not errors, f"the {code} receipt does not validate against {RECEIPT_SCHEMA}: {errors}"
            self.receipts[code] = etree.tostring(receipt, encoding="unicode")

    def result(self, code: str, version: str) -> bytes:
        response = etree.Element(self.contract.response.text, nsmap={"tns": self.contract.namespace})
        etree.SubElement(response, self.contract.result.text).text = self.receipts[code]
        errors = _errors(self.contract.schema, response)
        assert not errors, f"the {code} response does not validate against the WSDL's schema: {errors}"
        return self._envelope(response, version)

    def fault(self, version: str) -> bytes:
        env = ENVELOPES[version]
        fault = etree.Element(f"{{{env}}}Fault", nsmap={"soap": env})
        reason = "scripted fault from the test OnlineBatchReceiver"
        if version == "1.1":
            etree.SubElement(fault, "faultcode").text = "soap:Server"
            etree.SubElement(fault, "faultstring").text = reason
        else:
            code = etree.SubElement(fault, f"{{{env}}}Code")
            etree.SubElement(code, f"{{{env}}}Value").text = "soap:Receiver"
            text = etree.SubElement(etree.SubElement(fault, f"{{{env}}}Reason"), f"{{{env}}}Text")
            text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
            text.text = reason
        return self._envelope(fault, version)

    @staticmethod
    def _envelope(content: etree._Element, version: str) -> bytes:
        env = ENVELOPES[version]
        envelope = etree.Element(f"{{{env}}}Envelope", nsmap={"soap": env})
        etree.SubElement(envelope, f"{{{env}}}Body").append(content)
        return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


# -- the server --------------------------------------------------------------------------------------

class PushReceiver:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port) that answers ``ReceiveOnlineBatchExternalAttachment``.

    ``default``: the reply when no scripted one is queued. ``expected_credentials``: (username, passwd) every
    request must carry. ``require_checksums``: an Attachment without a ``checksum`` attribute is a problem.
    Skips the test when the real WSDL or schemas are absent.
    """

    def __init__(self, *, default: str = "OK", expected_credentials: tuple[str, str] | None = None,
                 require_checksums: bool = True):
        _check_kinds((default,))
        self.contract = _contract(str(require_contract(WSDL_FILE)))
        batch_schema = _xsd(str(require_batch_schema(BATCH_SCHEMA)))
        self._replies = _Replies(self.contract, _xsd(str(require_batch_schema(RECEIPT_SCHEMA))))
        self._inspector = _Inspector(self.contract, batch_schema, expected_credentials=expected_credentials,
                                     require_checksums=require_checksums)
        self.default = default
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._script: deque[str] = deque()
        self._received: list[Received] = []
        self._previous: Received | None = None  # the last call that carried a sequence number
        self._last_accepted: int | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> "PushReceiver":
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.receiver = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="push-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def __enter__(self) -> "PushReceiver":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "the receiver is not running (use it as a context manager)"
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.contract.path}"

    # -- for tests

    def script(self, *replies: str) -> None:
        """Queue replies, one per call, in order; ``default`` answers once they are used up."""
        _check_kinds(replies)
        with self._lock:
            self._script.extend(replies)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def accepted(self) -> list[Received]:
        """The calls answered OK."""
        return [call for call in self.received if call.reply == "OK"]

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """Block until at least ``count`` requests arrived; all of them. AssertionError on timeout."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._received) >= count, timeout):
                arrived = "\n  ".join(call.summary() for call in self._received) or "(none)"
                raise AssertionError(f"expected {count} push requests within {timeout} s, "
                                     f"{len(self._received)} arrived:\n  {arrived}")
            return list(self._received)

    # -- called by the handler thread

    def _record(self, received: Received, *, scripted: bool) -> str:
        """Check the sequence number, take the reply and record the call, all under the lock."""
        with self._arrived:
            if scripted:
                self._check_sequence(received)
                received.reply = self._script.popleft() if self._script else self.default
                if received.reply == "OK" and received.sequence_number is not None:
                    self._last_accepted = received.sequence_number
            self._received.append(received)
            self._arrived.notify_all()
            return received.reply

    def _check_sequence(self, received: Received) -> None:
        number, previous = received.sequence_number, self._previous
        if number is None:
            return
        self._previous = received
        if previous is None:
            return
        if number == previous.sequence_number:
            if received.batch_text != previous.batch_text:
                received.problems.append(f"sequenceNumber {number} repeated with a different batch "
                                         f"(a retry must resend the same batch)")
            return
        if self._last_accepted is not None and number == self._last_accepted + 1:
            return
        after = "no call was accepted yet" if self._last_accepted is None else \
            f"the next after the last accepted call is {self._last_accepted + 1}"
        received.problems.append(f"sequenceNumber {number}: {after}, and a retry repeats the previous call's "
                                 f"{previous.sequence_number}")

    def _answer(self, handler: "_Handler", body: bytes) -> None:
        try:
            received = self._inspector.inspect(body, handler.headers.get("Content-Type", ""),
                                               handler.headers.get("SOAPAction"))
        except Exception as error:  # a bug here must show in the test, not kill the handler thread
            received = Received(problems=[f"receiver error: {type(error).__name__}: {error}"])
        received.http_path = handler.path
        if urlparse(handler.path).path != self.contract.path:
            received.problems.append(f"POST to {handler.path}, the receiver is at {self.contract.path}")
            received.reply_body = b"not found"
            received.reply = "http404"
            self._record(received, scripted=False)
            handler.send_bytes(404, "text/plain", received.reply_body)
            return
        reply = self._record(received, scripted=True)
        version = received.soap_version or "1.1"
        content_type = f"{CONTENT_TYPES[version]}; charset=utf-8"
        if reply == "drop":
            handler.close_connection = True
        elif reply == "http503":
            received.reply_body = b"Service Unavailable"
            handler.send_bytes(503, "text/plain", received.reply_body)
        elif reply == "fault":
            received.reply_body = self._replies.fault(version)
            handler.send_bytes(500, content_type, received.reply_body)
        else:
            received.reply_body = self._replies.result(reply, version)
            handler.send_bytes(200, content_type, received.reply_body)


def _check_kinds(replies) -> None:
    unknown = [reply for reply in replies if reply not in REPLY_KINDS]
    if unknown:
        raise ValueError(f"unknown push replies {unknown}; use {REPLY_KINDS}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def do_POST(self) -> None:
        receiver: PushReceiver = self.server.receiver
        try:
            body = self._read_body()
        except (ValueError, OSError) as error:
            receiver._record(Received(problems=[f"unreadable request body: {error}"], http_path=self.path,
                                      reply="http400"), scripted=False)
            self.close_connection = True
            try:
                self.send_bytes(400, "text/plain", str(error).encode())
            except OSError:
                pass
            return
        receiver._answer(self, body)

    def do_GET(self) -> None:
        receiver: PushReceiver = self.server.receiver
        if urlparse(self.path).query.lower() == "wsdl":
            self.send_bytes(200, "text/xml; charset=utf-8", receiver.contract.wsdl)
        else:
            self.send_bytes(404, "text/plain", b"not found")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            raise ValueError("no Content-Length and not chunked")
        return self._read_exactly(int(length))

    def _read_exactly(self, length: int) -> bytes:
        body = bytearray()
        while len(body) < length:
            chunk = self.rfile.read(min(_CHUNK, length - len(body)))
            if not chunk:
                raise ValueError(f"the body ended after {len(body)} of {length} bytes")
            body += chunk
        return bytes(body)

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"x", 16)
            if size == 0:
                break
            body += self._read_exactly(size)
            self.rfile.readline(8)  # the CRLF after each chunk
        while self.rfile.readline(8192).strip():  # trailers, up to the blank line
            pass
        return bytes(body)

    def send_bytes(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # the test output is no place for an access log
        pass
