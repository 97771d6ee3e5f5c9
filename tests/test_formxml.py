"""The form XML transformations the download queue is given (docs/behaviour/download-queue.md, D56)."""

from __future__ import annotations

import pytest
from lxml import etree

from altinn_so.formxml import leaf_values, strip_namespaces

MY = "http://schemas.microsoft.com/office/infopath/2003/myXSD/2011-01-01T00:00:00"


def test_the_my_prefix_leaves_elements_and_attributes_and_its_declaration_goes():
    xml = f'<my:Skjema xmlns:my="{MY}" my:versjon="2" id="x"><my:Navn>Ola</my:Navn></my:Skjema>'
    assert strip_namespaces(xml) == '<Skjema versjon="2" id="x"><Navn>Ola</Navn></Skjema>'


def test_the_altinn_prefix_too_wherever_it_is_declared():
    xml = '<Skjema><altinn:Felt xmlns:altinn="urn:altinn:felt"><altinn:Verdi>1</altinn:Verdi></altinn:Felt></Skjema>'
    assert strip_namespaces(xml) == "<Skjema><Felt><Verdi>1</Verdi></Felt></Skjema>"


def test_other_namespaces_and_their_declarations_stay():
    xml = (f'<my:Skjema xmlns:my="{MY}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xmlns:dfs="urn:dfs"><my:Dato xsi:nil="true"/><dfs:Annet>a</dfs:Annet></my:Skjema>')
    assert strip_namespaces(xml) == (
        '<Skjema xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:dfs="urn:dfs">'
        '<Dato xsi:nil="true"/><dfs:Annet>a</dfs:Annet></Skjema>')


def test_elements_of_the_stripped_namespace_under_another_prefix_leave_it_too():
    """The namespace is what is stripped: the same URI under a default declaration is the same namespace."""
    xml = f'<my:Skjema xmlns:my="{MY}"><Navn xmlns="{MY}">Ola</Navn></my:Skjema>'
    assert strip_namespaces(xml) == "<Skjema><Navn>Ola</Navn></Skjema>"


def test_a_form_without_the_prefixes_comes_back_as_it_was():
    xml = '<?xml version="1.0"?>\n<Skjema xmlns="urn:skjema"  a = "1"><Navn>Ola</Navn></Skjema>'
    assert strip_namespaces(xml) is xml


def test_a_default_namespace_around_a_stripped_element_is_undeclared_for_it():
    xml = (f'<Skjema xmlns="urn:skjema" xmlns:my="{MY}"><my:Navn a="1">Ola<Del>x</Del></my:Navn>'
           '<Annet>y</Annet></Skjema>')
    stripped = strip_namespaces(xml)
    document = etree.fromstring(stripped)
    assert [element.tag for element in document.iter()] == [
        "{urn:skjema}Skjema", "Navn", "{urn:skjema}Del", "{urn:skjema}Annet"]
    assert stripped.startswith('<Skjema xmlns="urn:skjema"><Navn xmlns="" a="1">Ola<')
    assert document[0].text == "Ola" and document[0][0].text == "x" and document[1].text == "y"


@pytest.mark.parametrize(("xml", "expected"), [
    (f'<my:S xmlns:my="{MY}"><my:A>1</my:A><my:B><my:C> to </my:C><my:D/></my:B></my:S>',
     [("A", "1"), ("C", "to"), ("D", "")]),
    ("<S>tekst</S>", [("S", "tekst")]),
    ("<S><!-- c --><A>æøå</A></S>", [("A", "æøå")]),
])
def test_leaf_values(xml, expected):
    assert leaf_values(xml) == expected
