"""Hostile request bodies (issue 19): small in bytes, huge as a tree. Each builder returns the body of a real
request with one bomb put first inside its operation element, grown to about ``size`` bytes. Shared by the tests,
fuzz/run.py and bench/hostile_bodies.py."""

from __future__ import annotations

import re

_BODY_START = re.compile(rb"<(?:[\w.-]+:)?Body(?:\s[^>]*)?>")
_START_TAG = re.compile(rb"<[^/!?][^>]*>")


def attribute_bomb(size: int) -> bytes:
    """One element with as many attributes as fit: ``<x a0='' a1='' ...>``."""
    count = size // 10
    return b"<x " + b" ".join(b"a%x=''" % i for i in range(count)) + b"/>"


def element_bomb(size: int) -> bytes:
    """Millions of empty siblings."""
    return b"<x>" + b"<y/>" * (size // 4) + b"</x>"


def text_bomb(size: int) -> bytes:
    """One text node of ``size`` characters."""
    return b"<x>" + b"a" * size + b"</x>"


def namespace_bomb(size: int) -> bytes:
    """Thousands (or more) of namespace declarations on one element."""
    count = size // 16
    return b"<x " + b" ".join(b'xmlns:p%x="u"' % i for i in range(count)) + b"/>"


BOMBS = {"attributes": attribute_bomb, "elements": element_bomb, "text": text_bomb, "namespaces": namespace_bomb}


def planted(envelope: bytes, bomb: bytes) -> bytes:
    """``envelope`` with ``bomb`` first inside its operation element (the element in the SOAP Body), as an
    unknown child the operation's reader skips."""
    body = _BODY_START.search(envelope)
    operation = _START_TAG.search(envelope, body.end()) if body is not None else None
    if operation is None or operation.group(0).endswith(b"/>"):
        raise ValueError("no SOAP Body with an operation element that has content")
    return envelope[:operation.end()] + bomb + envelope[operation.end():]
