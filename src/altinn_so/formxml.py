"""Reading and checking the XML of a form (docs/behaviour/forms.md), with lxml: kept apart from the rules, which
are plain Python and are given these functions (PreFill's ``FormXmlCheck``, the worklist's ``FormXml``)."""

from __future__ import annotations

import threading

from lxml import etree

ETATID = "etatid"

# lxml's parsers and schema validators are not to be shared between threads: each thread keeps its own parser,
# and its own compiled validator of each schema (compiling one costs more than the rest of the call).
_local = threading.local()
_MAX_VALIDATORS = 64  # per thread: a seed has a handful of schemas


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                 huge_tree=False)
    return parser


def _validator(schema: str) -> etree.XMLSchema:
    validators = getattr(_local, "validators", None)
    if validators is None:
        validators = _local.validators = {}
    validator = validators.get(schema)
    if validator is None:
        if len(validators) >= _MAX_VALIDATORS:
            validators.clear()
        validator = validators[schema] = etree.XMLSchema(etree.fromstring(schema.encode("utf-8"), _parser()))
    return validator


def form_xml_problem(xml: str, schema: str | None) -> str | None:
    """What is wrong with a form's XML, or None: not well-formed, an ``etatid`` attribute anywhere, or not valid
    against ``schema`` (an XML Schema's text) when one is given."""
    try:
        document = etree.fromstring(xml.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        return f"is not well-formed XML: {exc}"
    if any(ETATID in element.attrib for element in document.iter() if isinstance(element.tag, str)):
        return f"must not set the attribute '{ETATID}'"
    if schema:
        validator = _validator(schema)
        if not validator.validate(document):
            error = validator.error_log.last_error
            return f"is not valid against its schema: line {error.line}: {error.message}"
    return None


def field_values(xml: str, names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The text of the first element named each of ``names`` (a local name, any namespace) in the form, for the
    names it has: a service's shipment metadata comes from its main form this way."""
    document = etree.fromstring(xml.encode("utf-8"), _parser())
    wanted, found = set(names), {}
    for element in document.iter():
        if isinstance(element.tag, str):
            name = etree.QName(element).localname
            if name in wanted and name not in found:
                found[name] = (element.text or "").strip()
    return found
