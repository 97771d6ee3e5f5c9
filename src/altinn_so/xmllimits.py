"""Structural limits on XML from a client, checked on the raw bytes before any tree is built.

A tree costs far more memory than the bytes it came from: an element of a million attributes, or a million
empty siblings, fits in 9 MB and becomes hundreds of megabytes of nodes (and libxml2 collects every attribute
of a start tag before any callback could count them). So the bytes are looked at first, in two steps:

* Counting. Every element starts with ``<`` and every attribute or namespace declaration has an ``=``, so
  ``bytes.count`` (and one regular expression for the ``=`` of each tag, ``MarkupBounds``) gives upper bounds
  at memory speed. A body whose bounds are under the limits, as almost every real one is, needs nothing more.
* Scanning, only when a bound is over: a small lexer walks the markup (comments, CDATA and processing
  instructions skipped, attribute values read as quoted strings) and counts elements, attributes and namespace
  declarations exactly, stopping at the first limit passed. It keeps no more than an unfinished tag between
  chunks, so a body on disk is scanned with bounded memory.

Text node size and nesting depth are libxml2's own limits (10,000,000 characters and 256 levels without
``huge_tree``), which every parser of client input here keeps. This module knows nothing of SOAP: the wire
layer turns ``XmlLimitExceeded`` into its Client fault.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 256 * 1024


@dataclass(frozen=True)
class XmlLimits:
    """Each far above any real Altinn message (a correspondence with 200 attachments has about 2,000 elements
    and a few hundred attributes), and low enough that four bodies at the limits fit in about 150 MB."""

    elements: int = 100_000  # per document
    attributes_per_element: int = 256  # namespace declarations not included
    namespaces_per_element: int = 256  # xmlns and xmlns:prefix declarations on one element
    attributes: int = 50_000  # per document, namespace declarations included (each costs a tree twice an element)
    text_chars: int = 10_000_000  # one text node or attribute value (libxml2's limit without huge_tree)
    depth: int = 256  # elements nested in each other (libxml2's limit without huge_tree)


DEFAULT_LIMITS = XmlLimits()


class XmlLimitExceeded(ValueError):
    """A document over one of the limits; ``limit`` is its name, the message says which and how far."""

    def __init__(self, limit: str, message: str):
        super().__init__(message)
        self.limit = limit


_NAME_END = re.compile(rb"[\s/>]")
_ATTRIBUTE = re.compile(rb"""\s*([^\s=/>]+)\s*=\s*(?:"[^"]*"|'[^']*')""")
_TAG_END = re.compile(rb"\s*/?>")
# What is left of a start tag the chunk cut short: part of a name, of an '=', or of a quoted value ('>' and all).
_UNFINISHED = re.compile(rb"""\s*(?:[^\s=/>]+\s*(?:=\s*(?:"[^"]*|'[^']*)?)?)?/?""")
_SKIPPED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_LONGEST_OPENING = 9  # len(b"<![CDATA[")


class StructureScan:
    """Exact counts over a document fed in chunks; ``XmlLimitExceeded`` as soon as one passes its limit."""

    def __init__(self, limits: XmlLimits = DEFAULT_LIMITS):
        self.limits = limits
        self.elements = 0
        self.attributes = 0
        self._tail = b""  # an unfinished piece of markup, kept for the next chunk
        self._until: bytes | None = None  # the end of a comment, CDATA section or PI being skipped

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self._tail + chunk if self._tail else chunk
        self._tail = b""
        position, size = 0, len(data)
        while position < size:
            if self._until is not None:
                end = data.find(self._until, position)
                if end < 0:  # (keep what could be the start of the terminator)
                    self._tail = data[max(position, size - len(self._until) + 1):]
                    return
                position, self._until = end + len(self._until), None
                continue
            start = data.find(b"<", position)
            if start < 0:
                return
            if size - start < _LONGEST_OPENING and not final:
                self._tail = data[start:]
                return
            opening = next(((begin, end) for begin, end in _SKIPPED if data.startswith(begin, start)), None)
            if opening is not None:
                position, self._until = start + len(opening[0]), opening[1]
            elif data.startswith(b"</", start) or data.startswith(b"<!", start):  # an end tag, or a DTD
                end = data.find(b">", start)
                if end < 0:
                    self._tail = data[start:]
                    return
                position = end + 1
            else:
                after = self._start_tag(data, start, final)
                if after is None:  # unfinished: counted again, whole, with the next chunk
                    self._tail = data[start:]
                    return
                position = after

    def close(self) -> None:
        if self._tail:
            self.feed(b"", final=True)

    def _start_tag(self, data: bytes, start: int, final: bool) -> int | None:
        """The position after the start tag at ``start``, counting it; None when the tag is not all there."""
        name_end = _NAME_END.search(data, start + 1)
        if name_end is None:
            return None if not final else len(data)
        position = name_end.start()
        attributes = namespaces = 0
        limits = self.limits
        while True:
            match = _ATTRIBUTE.match(data, position)
            if match is None:
                break
            name = match.group(1)
            if name == b"xmlns" or name.startswith(b"xmlns:"):
                namespaces += 1
                if namespaces > limits.namespaces_per_element:
                    raise _over("namespaces_per_element", f"more than {limits.namespaces_per_element} "
                                "namespace declarations on one element")
            else:
                attributes += 1
                if attributes > limits.attributes_per_element:
                    raise _over("attributes_per_element", f"more than {limits.attributes_per_element} "
                                "attributes on one element")
            position = match.end()
        end = _TAG_END.match(data, position)
        if end is None:
            if not final and _UNFINISHED.fullmatch(data, position):
                return None
            end_position = position + 1  # not well-formed: the parser will say so; count what was read
        else:
            end_position = end.end()
        self.elements += 1
        self.attributes += attributes + namespaces
        if self.elements > limits.elements:
            raise _over("elements", f"more than {limits.elements} elements")
        if self.attributes > limits.attributes:
            raise _over("attributes", f"more than {limits.attributes} attributes and namespace declarations")
        return end_position


# libxml2's words when it stops at one of its own limits (the ones ``XmlLimits`` names text_chars and depth).
_PARSER_LIMITS = (("Text node too long", "text_chars", "a text node of more than {} characters"),
                  ("Buffer size limit exceeded", "text_chars", "a value of more than {} characters"),
                  ("Excessive depth", "depth", "elements nested more than {} deep"))


def parser_limit(message: str, limits: XmlLimits = DEFAULT_LIMITS) -> XmlLimitExceeded | None:
    """The limit a parser error ``message`` says the document passed, or None for any other error."""
    for words, limit, what in _PARSER_LIMITS:
        if words in message:
            return _over(limit, what.format(getattr(limits, limit)))
    return None


def _over(limit: str, what: str) -> XmlLimitExceeded:
    return XmlLimitExceeded(limit, f"The XML holds {what}: over the emulator's limit ({limit}).")


class MarkupBounds:
    """Upper bounds on a document's structure, counted over its bytes in chunks at memory speed: ``elements``
    (its ``<``), ``attributes`` (its ``=``), and whether some start tag may hold more than ``per_element``
    attributes or namespace declarations. A '<' cannot occur in an attribute value, so all of a start tag's
    ``=`` lie between its ``<`` and the next one: ``crowded`` is true when some such stretch holds more than
    ``per_element`` of them (found by a regular expression, without a loop in Python)."""

    def __init__(self, per_element: int):
        self.per_element = per_element
        self._crowded_pattern = _crowded_pattern(per_element)
        self.elements = self.attributes = 0
        self.crowded = False
        self._run = 0  # '=' since the last '<', in chunks before this one

    def add(self, chunk: bytes) -> None:
        equals = chunk.count(b"=")
        self.elements += chunk.count(b"<")
        self.attributes += equals
        first = chunk.find(b"<")
        if first < 0:
            self._run += equals
            return
        last = chunk.rfind(b"<")
        if self._run + equals > self.per_element and not self.crowded:  # (else no stretch can hold too many)
            if self._run + chunk.count(b"=", 0, first) > self.per_element or (
                    last > first and self._crowded_pattern.search(chunk, first, last)):
                self.crowded = True
        self._run = chunk.count(b"=", last)

    def fit(self, limits: XmlLimits) -> bool:
        """True when the bounds show the document within ``limits`` without an exact scan."""
        crowded = self.crowded or self._run > self.per_element
        return (not crowded and self.per_element <= min(limits.attributes_per_element, limits.namespaces_per_element)
                and self.elements <= limits.elements and self.attributes <= limits.attributes)


@functools.lru_cache(maxsize=8)
def _crowded_pattern(per_element: int) -> re.Pattern:
    return re.compile(rb"<(?:[^<=]*+=){%d}" % (per_element + 1))


def markup_bounds(limits: XmlLimits = DEFAULT_LIMITS) -> MarkupBounds:
    """Bounds to count a document's chunks into, for ``limits``."""
    return MarkupBounds(min(limits.attributes_per_element, limits.namespaces_per_element))


def check_bytes(data: bytes, limits: XmlLimits = DEFAULT_LIMITS) -> None:
    """``XmlLimitExceeded`` if the document in ``data`` passes a limit."""
    bounds = markup_bounds(limits)
    bounds.add(data)
    if bounds.fit(limits):
        return
    scan = StructureScan(limits)
    scan.feed(data, final=True)


def check_file(handle: BinaryIO, limits: XmlLimits = DEFAULT_LIMITS, bounds: MarkupBounds | None = None) -> None:
    """As ``check_bytes``, for a seekable file read in chunks from its start (left anywhere: seek after);
    ``bounds``, when the caller counted them as the file was written (``markup_bounds``), spare one reading."""
    if bounds is None:
        handle.seek(0)
        bounds = markup_bounds(limits)
        while chunk := handle.read(CHUNK):
            bounds.add(chunk)
    if bounds.fit(limits):
        return
    handle.seek(0)
    scan = StructureScan(limits)
    while chunk := handle.read(CHUNK):
        scan.feed(chunk)
    scan.close()
