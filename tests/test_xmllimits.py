"""The structural limits on client XML (xmllimits): counted on the bytes, exactly, before any tree is built."""

from __future__ import annotations

import io
import re

import pytest

from altinn_so import xmllimits
from altinn_so.formxml import form_xml_problem
from altinn_so.xmllimits import XmlLimitExceeded, XmlLimits, StructureScan, check_bytes, check_file, markup_bounds
from support.bombs import BOMBS
from support.contracts import require_batch_sample

SMALL = XmlLimits(elements=10, attributes_per_element=3, namespaces_per_element=3, attributes=6)


def _limit_of(data: bytes, limits: XmlLimits = SMALL) -> str | None:
    try:
        check_bytes(data, limits)
    except XmlLimitExceeded as exc:
        assert exc.limit in str(exc)
        return exc.limit
    return None


@pytest.mark.parametrize("data, limit", [
    (b"<r a='1' b='2' c='3' d='4'/>", "attributes_per_element"),
    (b'<r xmlns="u" xmlns:a="u" xmlns:b="u" xmlns:c="u"/>', "namespaces_per_element"),
    (b"<r>" + b"<e/>" * 10 + b"</r>", "elements"),
    (b"<r>" + b"<e a='1' b='2'/>" * 3 + b"<e a='1'/></r>", "attributes"),
    (b'<r xmlns:a="u" xmlns:b="u"><e xmlns:c="u" xmlns:d="u"/><e a="1" b="2" xmlns="3"/></r>', "attributes"),
])
def test_a_document_over_a_limit_is_refused_naming_it(data, limit):
    assert _limit_of(data) == limit


@pytest.mark.parametrize("data", [
    b"<r a='1' b='2' c='3'/>",
    b'<r xmlns="u" xmlns:a="u" a="1" b="2" c="3"/>',
    b"<r>" + b"<e/>" * 9 + b"</r>",
    b"<r>" + b"<e a='1' b='2'/>" * 3 + b"</r>",
])
def test_a_document_at_the_limits_passes(data):
    assert _limit_of(data) is None


def test_markup_in_comments_cdata_instructions_and_values_is_not_counted():
    lookalike = b"<e a='1' b='2' c='3' d='4'/>" * 20
    data = (b"<?xml version='1.0'?><r a='<x=1 y=2 z=3 w=4>' b=\"=== '' >>>\">"
            b"<!-- " + lookalike + b" --><![CDATA[" + lookalike + b"]]><?pi " + lookalike + b"?>"
            b"text = &lt;e a='1' b='2' c='3' d='4'/&gt;</r>")
    assert data.count(b"<") > SMALL.elements and data.count(b"=") > SMALL.attributes
    assert _limit_of(data) is None


def test_a_document_fed_in_small_chunks_counts_as_whole():
    data = (b"<r xmlns='u'><!-- <c a='1'/> --><e a='1' b='2'/><![CDATA[<d/>]]><?p <z/> ?>"
            b"<e c=\"x>y\"/>text</r>") * 3
    whole = StructureScan(XmlLimits())
    whole.feed(data, final=True)
    for size in (1, 2, 3, 5, 8, 13):
        scan = StructureScan(XmlLimits())
        for start in range(0, len(data), size):
            scan.feed(data[start:start + size])
        scan.close()
        assert (scan.elements, scan.attributes) == (whole.elements, whole.attributes) == (9, 12), size


def test_an_element_with_too_many_attributes_is_caught_across_chunks():
    scan = StructureScan(SMALL)
    scan.feed(b"<r><e a='1' b='2' ")
    with pytest.raises(XmlLimitExceeded, match="attributes_per_element"):
        scan.feed(b"c='3' d='4'/></r>")


def test_a_file_is_checked_in_chunks(monkeypatch):
    monkeypatch.setattr(xmllimits, "CHUNK", 7)
    assert check_file(io.BytesIO(b"<r>" + b"<e/>" * 9 + b"</r>"), SMALL) is None
    with pytest.raises(XmlLimitExceeded, match="elements"):
        check_file(io.BytesIO(b"<r>" + b"<e/>" * 10 + b"</r>"), SMALL)


def test_a_file_with_counted_bounds_under_the_limits_is_not_read_again():
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read")

    bounds = markup_bounds(SMALL)
    bounds.add(b"<r>" + b"<e a='1'/>" * 6 + b"</r>")
    check_file(Unreadable(b""), SMALL, bounds=bounds)
    bounds.add(b"<e/><e/><e/>")
    with pytest.raises(AssertionError):
        check_file(Unreadable(b""), SMALL, bounds=bounds)


@pytest.mark.parametrize("chunks, crowded", [
    ([b"<r a='1' b='2' c='3'/><e d='4' f='5' g='6'/>"], False),
    ([b"<r a='1' b='2' c='3' d='4'/>"], True),
    ([b"<r a='1' b='2'", b" c='3'", b" d='4'/>"], True),  # a tag across three chunks
    ([b"<r a='1' b='2' c='3'/><e a='1'", b" b='2' c='3' d='4'/>"], True),
    ([b"<r a='1'/><e a='1' b='2'", b" c='3'/><f a='1'/>"], False),
    ([b"<r>x=1 y=2 z=3 w=4"], True),  # an upper bound: text after a tag counts with it (then scanned exactly)
])
def test_the_bound_on_attributes_per_tag_holds_across_chunks(chunks, crowded):
    bounds = markup_bounds(SMALL)
    for chunk in chunks:
        bounds.add(chunk)
    assert bounds.fit(SMALL) is not crowded


def test_a_document_whose_bounds_fit_is_not_scanned(monkeypatch):
    def scan(*args):
        raise AssertionError("scanned")

    monkeypatch.setattr(xmllimits, "StructureScan", scan)
    check_bytes(b"<r a='1' b='2' c='3'>" + b"<e a='1' b='2' c='3'/>" + b"<e/>" * 7 + b"</r>", SMALL)
    with pytest.raises(AssertionError, match="scanned"):
        check_bytes(b"<r>" + b"<e/>" * 10 + b"</r>", SMALL)


@pytest.mark.parametrize("kind, limit", [("attributes", "attributes_per_element"), ("elements", "elements"),
                                         ("namespaces", "namespaces_per_element"), ("text", None)])
def test_each_bomb_meets_its_default_limit(kind, limit):
    assert _limit_of(b"<r>" + BOMBS[kind](2_000_000) + b"</r>", XmlLimits()) == limit


@pytest.mark.parametrize("name", ["AltUtConfirmationBatchExample.xml", "CorrespondenceConfirmation_NVE.xml",
                                  "CorrespondenceConfirmationsEksempel.xml", "Inn1.xml", "Inn2.xml", "Inn3.xml",
                                  "Inn4.xml", "data_batch_im.xml"])
def test_the_real_batch_samples_pass(name):
    with open(require_batch_sample(name), "rb") as sample:
        check_file(sample)


def test_the_real_soap_request_of_the_batch_soapui_project_passes():
    project = require_batch_sample("OnlineBatchV2-soapui-project.xml").read_bytes()
    check_bytes(project)
    envelopes = re.findall(rb"<(\w+):Envelope\b.*?</\1:Envelope>", project, re.S)
    assert envelopes
    for envelope in envelopes:
        check_bytes(envelope)


def test_a_form_over_a_limit_is_a_problem_of_the_form():
    problem = form_xml_problem("<skjema " + " ".join(f"a{i}=''" for i in range(300)) + "/>", None)
    assert problem is not None and "attributes_per_element" in problem
    assert form_xml_problem("<skjema a='1'/>", None) is None
