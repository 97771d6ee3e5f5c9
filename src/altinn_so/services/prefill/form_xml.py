"""The XML checks of a prefilled form (docs/behaviour/prefill.md), with lxml: kept apart from the rules, which
are plain Python and get this as their ``FormXmlCheck``."""

from __future__ import annotations

from lxml import etree

ETATID = "etatid"

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def form_xml_problem(xml: str, schema: str | None) -> str | None:
    """What is wrong with a form's XML, or None: not well-formed, an ``etatid`` attribute anywhere, or not valid
    against ``schema`` (an XML Schema's text) when one is given."""
    try:
        document = etree.fromstring(xml.encode("utf-8"), _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        return f"is not well-formed XML: {exc}"
    if any(ETATID in element.attrib for element in document.iter() if isinstance(element.tag, str)):
        return f"must not set the attribute '{ETATID}'"
    if schema:
        # compiled for each call: an lxml validator is not to be shared between threads
        validator = etree.XMLSchema(etree.fromstring(schema.encode("utf-8"), _SAFE_PARSER))
        if not validator.validate(document):
            error = validator.error_log.last_error
            return f"is not valid against its schema: line {error.line}: {error.message}"
    return None
