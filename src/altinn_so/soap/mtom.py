"""MTOM/XOP: reading ``multipart/related; type="application/xop+xml"`` requests, and writing MTOM replies.

Requests. The body has been spooled (``bodies.SpooledBody``) before anything here reads it, so the parts
are found by scanning the spooled bytes for the boundary and are kept as (offset, length) windows onto
them: no part is copied unless it is small or a caller asks for its bytes. The root part is the one the
``start`` parameter names (with or without angle brackets), else the first; it holds the envelope, whose
``xop:Include`` elements are resolved by their ``cid:`` URLs (percent-decoded, as RFC 2392 says, and
compared with the parts' Content-IDs without their angle brackets). Content-Transfer-Encoding ``binary``,
``8bit`` and ``7bit`` are taken as they are, ``base64`` is decoded; the SOAP version comes from the root
part's ``type`` parameter (or ``start-info``), and a SOAP 1.2 action from the outer ``action`` parameter (as
WCF sends it) or from inside ``start-info``/``type`` (as CXF does). Anything malformed is a ``SoapFault``
(Client, HTTP 400) that names the problem. An ``xop:Include`` is only ever resolved against the message's
own parts: nothing is fetched.

How a handler gets a binary value. The resolved element keeps a marker (``XOP_PART``) instead of its
content, and ``codec`` asks ``Parts`` for the value of a ByteArray member that carries one. An operation
with no size limit of its own gets ``bytes``, as today's handlers expect (its whole body is bounded by
``--max-body-bytes`` anyway); an operation that declares one (``Operation.max_body_bytes``: the streamed
broker and archive operations, up to 1 GiB) gets ``bodies.Blob`` for a part larger than the spool
threshold, a window onto the spooled file that it reads as a stream, so that such a part is never held in
memory. A Blob lives as long as the request: a handler that keeps the data copies it.

Replies. An endpoint whose real contract declares MTOM (``ServiceContract.mtom``) answers an MTOM request
in MTOM, in the shape WCF's MtomMessageEncoder writes (``--uuid:<guid>+id=1`` boundaries, the root part
``<http://tempuri.org/0>`` in 8bit, each binary value over 1024 bytes a ``binary`` part
``<http://tempuri.org/N/<ticks>>`` referenced by its percent-encoded cid URL); everything else is answered
in plain XML.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
import uuid
from dataclasses import dataclass
from typing import BinaryIO, Iterator
from urllib.parse import quote, unquote

from lxml import etree

from .bodies import CHUNK, Blob, SpooledBody, placeholder
from .codec import XOP_PART
from .envelope import CONTENT_TYPE
from .faults import SoapFault

XOP = "http://www.w3.org/2004/08/xop/include"
XOP_INCLUDE = f"{{{XOP}}}Include"
MULTIPART = "multipart/related"
XOP_MEDIA = "application/xop+xml"
SOAP_MEDIA = {"text/xml": 11, "application/soap+xml": 12}
_MAX_HEADER_BYTES = 16 * 1024
_TOKEN = re.compile(r'\s*([^\s=;"]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;]*))?\s*(?:;|$)')


def malformed(message: str) -> SoapFault:
    return SoapFault.protocol(f"The MTOM message is malformed: {message}", status=400)


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """``type/subtype`` in lower case and its parameters (names in lower case; quoted values unescaped)."""
    media, _, rest = value.partition(";")
    params: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = _TOKEN.match(rest, position)
        if match is None or match.end() == position:
            break
        name, raw = match.group(1).lower(), (match.group(2) or "").strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params.setdefault(name, raw)
        position = match.end()
    return media.strip().lower(), params


def content_id(value: str) -> str:
    """A Content-ID (or ``start``) without its angle brackets."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value


@dataclass(frozen=True)
class Part:
    content_id: str | None
    content_type: str
    offset: int
    length: int


class Parts:
    """The binary parts an envelope's ``xop:Include`` elements referred to, by the index their marker holds."""

    def __init__(self, body: SpooledBody, spool_bytes: int):
        self._body = body
        self._spool_bytes = spool_bytes
        self._parts: list[Part] = []
        self.large = False  # set per operation: may its handler get Blobs?

    def add(self, part: Part) -> str:
        self._parts.append(part)
        return str(len(self._parts) - 1)

    def value(self, marker: str):
        part = self._parts[int(marker)]
        if self.large and part.length > self._spool_bytes:
            return self._body.blob(part.offset, part.length)
        return self._body.slice(part.offset, part.length)


@dataclass
class MtomRequest:
    root: bytes
    soap_version: int | None  # from the root part's type or start-info; None if neither says
    action: str | None  # a SOAP 1.2 action carried in the content types
    parts: dict[str, Part]

    def resolve(self, envelope: etree._Element, body: SpooledBody, spool_bytes: int) -> Parts:
        """Replace every ``xop:Include`` under ``envelope`` by a marker of its part (a fault if it has none)."""
        parts = Parts(body, spool_bytes)
        for include in list(envelope.iter(XOP_INCLUDE)):
            href = (include.get("href") or "").strip()
            if not href.lower().startswith("cid:"):
                raise malformed(f"xop:Include href '{href}' is not a cid: URL; only the message's own parts "
                                "can be included.")
            target = unquote(href[4:])
            part = self.parts.get(target) or self.parts.get(href[4:])
            if part is None:
                raise malformed(f"xop:Include refers to '{href}', but no part has the Content-ID <{target}>.")
            parent = include.getparent()
            if parent is None:
                raise malformed("xop:Include cannot be the document element.")
            parent.remove(include)
            parent.set(XOP_PART, parts.add(part))
        return parts


def read_request(body: SpooledBody, content_type: str) -> MtomRequest:
    """The parts of an MTOM request body; a fault naming what is wrong with it."""
    _, params = parse_media_type(content_type)
    boundary = params.get("boundary")
    if not boundary:
        raise malformed(f"the Content-Type '{content_type}' has no boundary parameter.")
    outer_type = params.get("type", "").lower()
    if outer_type and outer_type != XOP_MEDIA:
        raise malformed(f"the multipart type is '{params['type']}', but MTOM needs '{XOP_MEDIA}'.")
    raw_parts = list(_split(body, boundary.encode("latin-1", "replace")))
    if not raw_parts:
        raise malformed(f"the body holds no part delimited by the boundary '{boundary}'.")

    parts: dict[str, Part] = {}
    ordered: list[Part] = []
    for headers, offset, length in raw_parts:
        cid = content_id(headers["content-id"]) if "content-id" in headers else None
        encoding = headers.get("content-transfer-encoding", "binary").strip().lower()
        if encoding == "base64":
            offset, length = _decode_base64(body, offset, length, cid)
        elif encoding not in ("binary", "8bit", "7bit"):
            raise malformed(f"the part <{cid}> has Content-Transfer-Encoding '{encoding}'; binary, 8bit, 7bit "
                            "and base64 are understood.")
        part = Part(cid, headers.get("content-type", ""), offset, length)
        if cid is not None:
            if cid in parts:
                raise malformed(f"two parts have the Content-ID <{cid}>.")
            parts[cid] = part
        ordered.append(part)

    start = params.get("start")
    if start:
        root = parts.get(content_id(start))
        if root is None:
            raise malformed(f"no part has the Content-ID {start} that the start parameter names as the root.")
    else:
        root = ordered[0]
    media, root_params = parse_media_type(root.content_type)
    soap_media, soap_params = parse_media_type(root_params.get("type", "")) if media == XOP_MEDIA \
        else (media, {})
    info_media, info_params = parse_media_type(params.get("start-info", ""))
    if media not in (XOP_MEDIA, *SOAP_MEDIA):
        raise malformed(f"the root part is '{root.content_type or 'untyped'}', not an envelope "
                        f"({XOP_MEDIA}).")
    version = SOAP_MEDIA.get(soap_media) or SOAP_MEDIA.get(info_media)
    action = params.get("action") or soap_params.get("action") or info_params.get("action") or None
    return MtomRequest(body.slice(root.offset, root.length), version, action, parts)


def _split(body: SpooledBody, boundary: bytes) -> Iterator[tuple[dict[str, str], int, int]]:
    """(headers, offset, length) of every part between ``--boundary`` delimiters, scanning the spooled file."""
    delimiter = b"--" + boundary
    starts = list(_find_all(body, b"\r\n" + delimiter))
    handle = body.file
    handle.seek(0)
    if handle.read(len(delimiter)) == delimiter:
        starts.insert(0, -2)  # a body that opens with the delimiter (WCF) has no CRLF before the first one
    closed = False
    for index, at in enumerate(starts):
        after = at + 2 + len(delimiter)
        handle.seek(after)
        tail = handle.read(2)
        if tail == b"--":
            closed = True
            break
        header_start = after + _line_end(handle, after)
        handle.seek(header_start)
        block = handle.read(_MAX_HEADER_BYTES)
        end = block.find(b"\r\n\r\n")
        if block.startswith(b"\r\n"):
            end, header_text = -2, b""
        elif end < 0:
            raise malformed(f"part {index + 1} ends inside its MIME headers (truncated).")
        else:
            header_text = block[:end]
        content_start = header_start + end + 4
        if index + 1 >= len(starts):
            raise malformed(f"part {index + 1} is not closed by '--{boundary.decode('latin-1')}--': the body is "
                            "truncated.")
        yield _headers(header_text), content_start, starts[index + 1] - content_start
    if not closed and starts:
        raise malformed(f"the closing delimiter '--{boundary.decode('latin-1')}--' is missing: the body is "
                        "truncated.")


def _line_end(handle: BinaryIO, after: int) -> int:
    """How many bytes after a delimiter end its line (transport padding, then CRLF)."""
    handle.seek(after)
    line = handle.read(256)
    end = line.find(b"\r\n")
    if end < 0 or line[:end].strip(b" \t"):
        raise malformed("a boundary delimiter is not followed by the end of its line.")
    return end + 2


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    name = None
    for line in block.decode("latin-1").split("\r\n"):
        if line[:1] in (" ", "\t") and name:  # a folded header continues
            headers[name] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise malformed(f"the MIME header line '{line[:80]}' has no colon.")
        name = key.strip().lower()
        headers[name] = value.strip()
    return headers


def _find_all(body: SpooledBody, needle: bytes) -> Iterator[int]:
    handle = body.file
    position = 0
    carry = b""
    while True:
        handle.seek(position)
        chunk = handle.read(CHUNK * 4)
        if not chunk:
            return
        window = carry + chunk
        base = position - len(carry)
        found = window.find(needle)
        while found >= 0:
            yield base + found
            found = window.find(needle, found + 1)
        position += len(chunk)
        carry = window[-(len(needle) - 1):]  # (too short to hold a whole occurrence: none is found twice)


def _decode_base64(body: SpooledBody, offset: int, length: int, cid) -> tuple[int, int]:
    """Decode a base64 part onto the end of the spooled body (parts are windows onto it): its new window."""
    target = body.file
    target.seek(0, 2)
    start = target.tell()
    reader = Blob(body.file, offset, length)
    pending = b""
    written = 0
    for chunk in reader.chunks():
        pending += b"".join(chunk.split())
        usable = len(pending) - len(pending) % 4
        try:
            data = base64.b64decode(pending[:usable], validate=True)
        except (binascii.Error, ValueError):
            raise malformed(f"the base64 part <{cid}> is not valid base64.") from None
        pending = pending[usable:]
        target.seek(0, 2)
        target.write(data)
        written += len(data)
    if pending:
        raise malformed(f"the base64 part <{cid}> is not valid base64 (it ends mid-quantum).")
    return start, written


# -- replies --------------------------------------------------------------------------------------------

class Reply:
    """An MTOM reply: its Content-Type, its length, and its bytes as chunks (binary parts read as sent)."""

    def __init__(self, soap_version: int, envelope: bytes, parts: list[tuple[str, object]]):
        media = CONTENT_TYPE[soap_version].partition(";")[0]
        boundary = f"uuid:{uuid.uuid4()}+id=1"
        start = "http://tempuri.org/0"
        self.content_type = (f'{MULTIPART}; type="{XOP_MEDIA}";start="<{start}>";boundary="{boundary}";'
                             f'start-info="{media}"')
        self._pieces: list[object] = [
            (f"--{boundary}\r\nContent-ID: <{start}>\r\nContent-Transfer-Encoding: 8bit\r\n"
             f'Content-Type: {XOP_MEDIA};charset=utf-8;type="{media}"\r\n\r\n').encode() + envelope]
        for cid, value in parts:
            self._pieces.append(f"\r\n--{boundary}\r\nContent-ID: <{cid}>\r\nContent-Transfer-Encoding: binary\r\n"
                                "Content-Type: application/octet-stream\r\n\r\n".encode())
            self._pieces.append(value)
        self._pieces.append(f"\r\n--{boundary}--\r\n".encode())
        self.size = sum(len(piece) for piece in self._pieces)
        self.files = [piece.file for piece in self._pieces if isinstance(piece, Blob)]  # closed once sent

    def chunks(self) -> Iterator[bytes]:
        for piece in self._pieces:
            if isinstance(piece, Blob):
                yield from piece.chunks()
            else:
                yield piece

    def bytes(self) -> bytes:
        return b"".join(self.chunks())

    def journal_text(self) -> bytes:
        if any(isinstance(piece, Blob) for piece in self._pieces):  # (hashing it would read the files twice)
            return b"".join(
                f"[{len(piece)} bytes streamed from a file: not kept in the journal]".encode()
                if isinstance(piece, Blob) else piece for piece in self._pieces)
        import hashlib
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return placeholder("response", self.size, digest.hexdigest())


class PartCollector:
    """Collects the binary values a reply writes as parts (see ``writer``): each gets a WCF-style Content-ID."""

    def __init__(self):
        self.parts: list[tuple[str, object]] = []
        self._ticks = int(time.time() * 10_000_000) + 621_355_968_000_000_000  # .NET DateTime.Now.Ticks, in UTC

    def include(self, value) -> str:
        cid = f"http://tempuri.org/{len(self.parts) + 1}/{self._ticks}"
        self.parts.append((cid, value))
        return f'<xop:Include href="cid:{quote(cid, safe="")}" xmlns:xop="{XOP}"/>'
