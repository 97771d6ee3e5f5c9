"""Reading the XACML 2.0 context Request text and writing the Response text (docs/behaviour/decision-point.md).

The text is parsed as a SOAP body is: no DTD (a document with one is refused), no entity resolved, nothing fetched,
no huge trees; and it is bounded (``MAX_REQUEST_CHARS``). What is read is handed to ``request.access_request`` as
plain attributes; every fault is an AltinnFault (D134).
"""

from __future__ import annotations

import threading
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from altinn_so.domain.errors import AltinnError, ErrorCode

from .request import AccessRequest, access_request, invalid
from .rules import INDETERMINATE, PERMIT, Decision

CONTEXT_NS = "urn:oasis:names:tc:xacml:2.0:context:schema:os"
POLICY_NS = "urn:oasis:names:tc:xacml:2.0:policy:schema:os"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
STATUS_OK = "urn:oasis:names:tc:xacml:2.0:response:urn:altinn:ok"
AUTHENTICATION_LEVEL = "urn:oasis:names:tc:xacml:2.0:obligation:urn:altinn:authenticationlevel"
_SCHEMA_LOCATION = CONTEXT_NS + " http://docs.oasis-open.org/xacml/2.0/access_control-xacml-2.0-context-schema-os.xsd"
MAX_REQUEST_CHARS = 65_536  # an Altinn request is well under 2 KB (D134)

_NO_DTD = "for security reasons DTD is prohibited in this XML document"
_CATEGORIES = ("Subject", "Resource", "Action", "Environment")
_local = threading.local()


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                 dtd_validation=False, huge_tree=False, collect_ids=False,
                                                 remove_comments=True, remove_pis=True)
    return parser


def _tag(name: str) -> str:
    return f"{{{CONTEXT_NS}}}{name}"


def parse_request(text: str | None) -> AccessRequest:
    """The request in ``text``; an AltinnFault (30004 when there is none, else 0) when it is not one."""
    if text is None or not text.strip():
        raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "XACMLRequest is required.")
    if len(text) > MAX_REQUEST_CHARS:
        raise invalid(f"the request is {len(text)} characters, more than {MAX_REQUEST_CHARS}")
    if "<!DOCTYPE" in text:  # before parsing: libxml2 would try to fetch an external DTD and fail otherwise
        raise invalid(_NO_DTD)
    try:
        root = etree.fromstring(text.strip().encode("utf-8"), _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise invalid(f"not well-formed XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise invalid(_NO_DTD)
    if root.tag != _tag("Request"):
        raise invalid(f"the root element is {root.tag}, not {{{CONTEXT_NS}}}Request")
    return access_request(_categories(root))


def _categories(root: etree._Element) -> dict[str, dict[str, list[str]]]:
    categories: dict[str, dict[str, list[str]]] = {}
    counts = dict.fromkeys(_CATEGORIES, 0)
    for child in root:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname if child.tag.startswith(f"{{{CONTEXT_NS}}}") else None
        if name not in counts:
            raise invalid(f"the Request has an element {child.tag} XACML's context Request does not")
        counts[name] += 1
        attributes = categories.setdefault(name, {})
        for attribute_id, value in _attributes(child):
            attributes.setdefault(attribute_id, []).append(value)
    for name, count in counts.items():
        if count != 1:
            raise invalid(f"the Request has {count} {name} elements; it must have exactly one")
    return categories


def _attributes(category: etree._Element):
    for attribute in category:
        if not isinstance(attribute.tag, str):
            continue
        if attribute.tag != _tag("Attribute"):
            raise invalid(f"{etree.QName(category).localname} holds {attribute.tag}, not Attribute elements")
        attribute_id = (attribute.get("AttributeId") or "").strip()
        if not attribute_id:
            raise invalid("an Attribute without an AttributeId")
        data_type = attribute.get("DataType")
        if data_type != XSD_STRING:
            raise invalid(f"the Attribute {attribute_id} has DataType {data_type!r}, not {XSD_STRING}")
        values = [v for v in attribute if isinstance(v.tag, str)]
        if len(values) != 1 or values[0].tag != _tag("AttributeValue") or len(values[0]):
            raise invalid(f"the Attribute {attribute_id} must hold one AttributeValue of text")
        value = (values[0].text or "").strip()
        if not value:
            raise invalid(f"the Attribute {attribute_id} has an empty AttributeValue")
        yield attribute_id, value


def response_text(decision: Decision) -> str:
    """The Response in the shape Altinn documented: one Result, its Decision, the Status, and with a Permit the
    authentication-level obligation. An Indeterminate's StatusMessage says why (D136)."""
    message = escape(decision.reason) if decision.result == INDETERMINATE else ""
    obligations = ""
    if decision.result == PERMIT:
        obligations = (
            '<tns:Obligations><tns:Obligation FulfillOn="Permit" ObligationId="">'
            f'<tns:AttributeAssignment AttributeId="{AUTHENTICATION_LEVEL}" DataType="{XSD_STRING}">'
            f'<tns:AttributeValue DataType="{XSD_INTEGER}">{int(decision.authentication_level or 0)}'
            '</tns:AttributeValue></tns:AttributeAssignment></tns:Obligation></tns:Obligations>')
    return (f'<xacml:Response xmlns:tns="{POLICY_NS}" xmlns:xacml="{CONTEXT_NS}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation={quoteattr(_SCHEMA_LOCATION)}>'
            '<xacml:Result ResourceId="">'
            f'<xacml:Decision>{decision.result}</xacml:Decision>'
            f'<xacml:Status><xacml:StatusCode Value="{STATUS_OK}"/>'
            f'<xacml:StatusMessage>{message}</xacml:StatusMessage></xacml:Status>'
            f'{obligations}</xacml:Result></xacml:Response>')
