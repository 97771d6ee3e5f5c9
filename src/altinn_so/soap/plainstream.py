"""Reading a large plain (non-MTOM) envelope without holding its base64 text in memory.

A streamed upload sent without MTOM carries its file as one base64 text node. Parsed whole, that node would
be built into the tree (4/3 of the file), and decoded into bytes besides. Here the spooled body is fed to the
parser in chunks, through a target that builds the tree as usual except for a text node that grows past the
spool threshold in an element with no children: its pieces are decoded as they come, into a temporary file,
and the element keeps the marker an MTOM ``xop:Include`` leaves (``codec.XOP_PART``). The codec then hands
the handler a file-backed ``Blob``, exactly as for an MTOM part (docs/behaviour/decisions.md, D80).

Only a body on disk, to an endpoint with an operation that declares its own size limit, is read this way
(``wsgi``); every other request keeps the one-call parse of ``envelope``. The parser has the same security
settings, and answers malformed XML with the same fault.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import BinaryIO

from lxml import etree

from ..xmllimits import DEFAULT_LIMITS, XmlLimitExceeded, check_file, parser_limit
from .bodies import CHUNK, Blob, SpooledBody, _disk_file
from .codec import XOP_PART
from .envelope import RequestEnvelope, check_document, envelope_of, not_well_formed, over_limit
from .faults import SoapFault

_WHITESPACE = b" \t\r\n"  # XML's; a line-wrapped value (MIME's 76 columns) holds CR LF
_XML_VERSION = re.compile(rb"""^\s*<\?xml\s+version\s*=\s*["']([^"']*)["']""")


def _not_base64(tag: str, why: str) -> SoapFault:
    name = etree.QName(tag).localname
    return SoapFault.protocol(f"The element '{name}' holds text too large to be anything but binary content, "
                              f"and it is not valid base64: {why}.", status=400)


class _Base64ToFile:
    """Base64 text, in pieces split anywhere (whitespace and line breaks included), decoded into ``file``."""

    def __init__(self, file: BinaryIO, tag: str):
        self.file, self.tag = file, tag
        self.start = file.seek(0, 2)
        self.length = 0
        self._pending = b""
        self._padded = False  # a quantum with '=' ends the value: nothing may follow it

    def write(self, text: str) -> None:
        try:
            raw = text.encode("ascii")
        except UnicodeEncodeError:
            raise _not_base64(self.tag, "it holds a character outside ASCII") from None
        self._pending += raw.translate(None, _WHITESPACE)
        usable = len(self._pending) - len(self._pending) % 4
        if usable:
            self._decode(self._pending[:usable])
            self._pending = self._pending[usable:]

    def _decode(self, quanta: bytes) -> None:
        if self._padded:
            raise _not_base64(self.tag, "text follows its padding")
        try:
            data = base64.b64decode(quanta, validate=True)
        except (binascii.Error, ValueError):
            raise _not_base64(self.tag, "it holds a character base64 does not use, or padding inside it") from None
        self._padded = quanta.endswith(b"=")
        self.file.seek(0, 2)
        self.file.write(data)
        self.length += len(data)

    def finish(self) -> None:
        if self._pending:
            raise _not_base64(self.tag, f"it ends {len(self._pending)} character(s) into a 4-character group")


class SpilledValues:
    """The decoded values the parser moved out of the tree, by the index their marker holds: as ``mtom.Parts``,
    a ``Blob`` for an operation with a limit of its own (``large``), bytes for any other."""

    def __init__(self, body: SpooledBody):
        self._body = body
        self._file: BinaryIO | None = None
        self._values: list[tuple[int, int]] = []
        self.large = False

    def decoder(self, tag: str) -> _Base64ToFile:
        if self._file is None:
            self._file = _disk_file()
            self._body.closing.append(self._file)  # removed with the request's body
        return _Base64ToFile(self._file, tag)

    def add(self, decoder: _Base64ToFile) -> str:
        self._values.append((decoder.start, decoder.length))
        return str(len(self._values) - 1)

    def value(self, marker: str):
        offset, length = self._values[int(marker)]
        blob = Blob(self._file, offset, length)
        return blob if self.large else blob.read()


class _SpillingTarget:
    """Parser events into an ``etree.TreeBuilder``, but a large leaf text into a ``_Base64ToFile``."""

    def __init__(self, values: SpilledValues, threshold: int):
        self._builder = etree.TreeBuilder()
        self._values, self._threshold = values, threshold
        self._open: list[tuple[etree._Element, bool]] = []  # (element, has a child yet)
        self._text: list[str] = []
        self._text_size = 0
        self._decoder: _Base64ToFile | None = None
        # The parser reports a target's exception as a syntax error ("missing end tags"): the fault is kept here.
        self.fault: SoapFault | None = None

    def _refuse(self, fault: SoapFault) -> SoapFault:
        self.fault = fault
        return fault

    def doctype(self, *_args) -> None:
        raise self._refuse(SoapFault.protocol("For security reasons DTD is prohibited in this XML document.",
                                              status=400))

    def start(self, tag, attrib, nsmap=None):
        if self._decoder is not None:  # mixed content after a large text: no binary value
            raise self._refuse(_not_base64(self._decoder.tag, "an element follows it"))
        self._flush()
        if self._open:
            self._open[-1] = (self._open[-1][0], True)
        if nsmap:  # (the parser names the default namespace '', the builder None)
            element = self._builder.start(tag, attrib, {prefix or None: uri for prefix, uri in nsmap.items()})
        else:
            element = self._builder.start(tag, attrib)
        self._open.append((element, False))
        return element

    def data(self, text: str) -> None:
        try:
            self._data(text)
        except SoapFault as fault:
            raise self._refuse(fault) from None

    def _data(self, text: str) -> None:
        if self._decoder is not None:
            self._decoder.write(text)
            return
        self._text.append(text)
        self._text_size += len(text)
        if self._text_size > self._threshold and self._open and not self._open[-1][1]:
            self._decoder = self._values.decoder(self._open[-1][0].tag)
            for piece in self._text:  # (piece by piece: never a second copy of the threshold's worth)
                self._decoder.write(piece)
            self._text, self._text_size = [], 0
        elif self._text_size > DEFAULT_LIMITS.text_chars:  # mixed content: libxml2's own limit does not apply here
            raise over_limit(parser_limit("Text node too long", DEFAULT_LIMITS))

    def end(self, tag):
        element, _ = self._open.pop()
        if self._decoder is not None:
            try:
                self._decoder.finish()
            except SoapFault as fault:
                raise self._refuse(fault) from None
            element.set(XOP_PART, self._values.add(self._decoder))
            self._decoder = None
        else:
            self._flush()
        return self._builder.end(tag)

    def _flush(self) -> None:
        if self._text:
            self._builder.data("".join(self._text))
            self._text, self._text_size = [], 0

    def close(self):
        return self._builder.close()


def parse_spilling(body: SpooledBody, expected_version: int,
                   threshold: int) -> tuple[RequestEnvelope, SpilledValues]:
    """The envelope of a plain body on disk, its large base64 leaves decoded to a file as they are read."""
    handle = body.file
    try:
        check_file(handle, bounds=body.markup_bounds)
    except XmlLimitExceeded as exc:
        raise over_limit(exc) from None
    handle.seek(0)
    version = _XML_VERSION.match(handle.read(256))
    if version is not None and version.group(1) != b"1.0":
        check_document(None, version.group(1).decode("ascii", "replace"))
    values = SpilledValues(body)
    target = _SpillingTarget(values, threshold)
    parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True,
                             load_dtd=False, dtd_validation=False, huge_tree=False, collect_ids=False,
                             remove_comments=True, remove_pis=True)
    handle.seek(0)
    try:
        while chunk := handle.read(CHUNK):
            parser.feed(chunk)
        root = parser.close()
    except (etree.XMLSyntaxError, SoapFault) as exc:
        if target.fault is not None:
            raise target.fault from None
        if isinstance(exc, SoapFault):
            raise
        raise not_well_formed(exc) from None
    return envelope_of(root, expected_version), values
