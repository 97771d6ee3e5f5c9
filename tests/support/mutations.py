"""Requests changed one value or element at a time: what tests/wire/test_hostile_values.py sends, and what
fuzz/run.py sends for every operation the suite calls."""

from __future__ import annotations

from lxml import etree

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

# Values a client might send by mistake or on purpose, for any field whatever its type.
VALUES = [
    "", " ", "0", "-1", "2147483648", "99999999999999999999999", "1.5", "abc", "true", "NaN", "x" * 5000,
    "æøå😀", "-0", "+47", "00000000000", "1e308", "P1D", "\t\n", "2026-13-45T25:61:00", "2026-02-29T10:00:00",
    "9999-12-31T24:00:00", "2026-03-02T10:00:00+24:00",
    # .NET's DateTime.MinValue and MaxValue: they overflowed Python's calendar once converted to UTC
    "0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59.9999999", "9999-12-31T23:59:59-14:00",
]


def variants(body: bytes, *, skip: frozenset[str] = frozenset()):
    """(what was changed, the changed request), one change at a time: each leaf's text swapped for each of
    ``VALUES`` or made nil; each element but the envelope left out, repeated, or given an unknown child.
    Elements named in ``skip`` (by local name) are left as they are."""
    root = etree.fromstring(body)
    elements = [element for element in root.iter() if isinstance(element.tag, str)]
    for index, element in enumerate(elements):
        name = etree.QName(element).localname
        if name in skip:
            continue
        if len(element) == 0:
            for value in VALUES:
                yield f"{name}={value[:30]!r}", _changed(root, index, lambda e, v=value: setattr(e, "text", v))
            yield f"{name} nil", _changed(root, index, _nil)
        if element.getparent() is not None:
            yield f"{name} left out", _changed(root, index, lambda e: e.getparent().remove(e))
            yield f"{name} twice", _changed(root, index, lambda e: e.addnext(etree.fromstring(etree.tostring(e))))
        yield f"{name} with an unknown child", _changed(root, index, _surprise)


def _changed(root, index: int, change) -> bytes:
    copy = etree.fromstring(etree.tostring(root))
    change([element for element in copy.iter() if isinstance(element.tag, str)][index])
    return etree.tostring(copy)


def _nil(element) -> None:
    element.text = None
    element.set(XSI_NIL, "true")


def _surprise(element) -> None:
    etree.SubElement(element, "{urn:fuzz}Surprise").text = "1"
