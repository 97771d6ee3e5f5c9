"""Reading request envelopes safely (responses are written by ``writer``).

The parser resolves no entities, loads no DTD and refuses any document that
has one (as WCF does: "DTD is prohibited"), so entity tricks neither expand
nor reach the network.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from lxml import etree

from ..xmllimits import MarkupBounds, XmlLimitExceeded, check_bytes, check_file, parser_limit
from .faults import SoapFault
from .namespaces import SOAP11_ENV, SOAP12_ENV, WSA, WSSE, WSSE_PASSWORD_TEXT

ENVELOPE_NS = {11: SOAP11_ENV, 12: SOAP12_ENV}
CONTENT_TYPE = {11: "text/xml; charset=utf-8", 12: "application/soap+xml; charset=utf-8"}

_parsers = threading.local()


def _parser() -> etree.XMLParser:
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                                 huge_tree=False, collect_ids=False, remove_comments=True, remove_pis=True)
        _parsers.parser = parser
    return parser


@dataclass
class UsernameToken:
    username: str | None
    password: str | None
    password_type: str | None


@dataclass(frozen=True)
class ReplyHeaders:
    """The mandatory SOAP 1.2 headers a reply carries, in kind with the request: WS-Addressing (``a:Action``,
    ``a:RelatesTo``) for a client that sent WS-Addressing headers, a WS-Security timestamp for one that sent a
    WS-Security header. WCF sends both and gets both, as from Altinn; a plain SOAP 1.2 client (an ASMX proxy)
    sends neither and gets no ``mustUnderstand`` header it would have to reject (docs/behaviour/decisions.md, D28)."""

    addressing: bool
    security: bool


ALL_HEADERS = ReplyHeaders(addressing=True, security=True)
NO_HEADERS = ReplyHeaders(addressing=False, security=False)


@dataclass
class RequestEnvelope:
    soap_version: int
    envelope: etree._Element
    header: etree._Element | None
    body_element: etree._Element
    wsa_action: str | None
    message_id: str | None
    username_token: UsernameToken | None
    reply_headers: ReplyHeaders = NO_HEADERS

    def header_text(self, tag: str) -> str | None:
        """The text of a SOAP header element (message-contract headers such as SystemUserName)."""
        element = self.header.find(tag) if self.header is not None else None
        return None if element is None else (element.text or "")


_ENVELOPE_TAGS = {f"{{{SOAP11_ENV}}}Envelope": 11, f"{{{SOAP12_ENV}}}Envelope": 12}
_HEADER_TAGS = {11: f"{{{SOAP11_ENV}}}Header", 12: f"{{{SOAP12_ENV}}}Header"}
_BODY_TAGS = {11: f"{{{SOAP11_ENV}}}Body", 12: f"{{{SOAP12_ENV}}}Body"}
_WSA_ACTION, _WSA_MESSAGE_ID = f"{{{WSA}}}Action", f"{{{WSA}}}MessageID"
_USERNAME_TOKEN = f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken"
_SECURITY = f"{{{WSSE}}}Security"
_WSA_PREFIX = f"{{{WSA}}}"


def parse_envelope(data: bytes | BinaryIO, expected_version: int,
                   bounds: MarkupBounds | None = None) -> RequestEnvelope:
    """The envelope in ``data``: bytes, or a file (a body spooled to disk is parsed as it is read). Its structure
    is checked against ``xmllimits`` first (a file's ``bounds`` when they were counted as it was written): a
    body over a limit is never built into a tree."""
    try:
        if isinstance(data, bytes):
            check_bytes(data)
            root = etree.fromstring(data, _parser())
        else:
            check_file(data, bounds=bounds)
            data.seek(0)
            root = etree.parse(data, _parser()).getroot()
    except XmlLimitExceeded as exc:
        raise over_limit(exc) from None
    except etree.XMLSyntaxError as exc:
        raise not_well_formed(exc) from None
    docinfo = root.getroottree().docinfo
    check_document(docinfo.doctype or docinfo.internalDTD is not None, docinfo.xml_version)
    return envelope_of(root, expected_version)


def not_well_formed(exc: etree.XMLSyntaxError) -> SoapFault:
    limit = parser_limit(exc.msg or "")
    if limit is not None:  # one of the limits libxml2 keeps itself (text node size, depth): named like ours
        return over_limit(limit)
    return SoapFault.protocol(f"The request is not well-formed XML: {exc.msg}", status=400)


def over_limit(exc: XmlLimitExceeded) -> SoapFault:
    """The Client fault for a body over a structural limit: it names the limit, as WCF names a reader quota."""
    return SoapFault.protocol(f"The request is over a structural limit. {exc}", status=400)


def check_document(has_dtd: bool | None, xml_version: str) -> None:
    """A fault for a document with a DTD, or of an XML version other than 1.0."""
    if has_dtd:
        raise SoapFault.protocol("For security reasons DTD is prohibited in this XML document.", status=400)
    if xml_version != "1.0":  # as .NET's reader: "Version number '1.1' is invalid"
        raise SoapFault.protocol(f"The request is not well-formed XML: version {xml_version} is not "
                                 "supported.", status=400)


def envelope_of(root: etree._Element, expected_version: int) -> RequestEnvelope:
    """The parts of a parsed envelope; a fault if it is none, or of the wrong SOAP version."""
    version = _ENVELOPE_TAGS.get(root.tag)
    if version is None:
        raise SoapFault.protocol("The request is not a SOAP envelope.", code="VersionMismatch")
    if version != expected_version:
        raise SoapFault.protocol(
            f"The envelope is SOAP {version / 10:.1f}, but this endpoint speaks SOAP {expected_version / 10:.1f}.",
            code="VersionMismatch", reply_version=version)

    header_tag, body_tag = _HEADER_TAGS[version], _BODY_TAGS[version]
    header = body = None
    for child in root:
        if child.tag == header_tag:
            header = child
        elif child.tag == body_tag:
            body = child
    if body is None:
        raise SoapFault.protocol("The SOAP envelope has no Body.")
    elements = [child for child in body if isinstance(child.tag, str)]
    if len(elements) != 1:
        raise SoapFault.protocol(f"The SOAP Body must hold exactly one element; it holds {len(elements)}.")

    wsa_action = message_id = None
    token = None
    reply_headers = NO_HEADERS
    if header is not None:
        reply_headers = ReplyHeaders(
            addressing=any(isinstance(child.tag, str) and child.tag.startswith(_WSA_PREFIX) for child in header),
            security=header.find(_SECURITY) is not None)
        action = header.find(_WSA_ACTION)
        wsa_action = action.text.strip() if action is not None and action.text else None
        mid = header.find(_WSA_MESSAGE_ID)
        message_id = mid.text.strip() if mid is not None and mid.text else None
        token_element = header.find(_USERNAME_TOKEN)
        if token_element is not None:
            user = token_element.find(f"{{{WSSE}}}Username")
            password = token_element.find(f"{{{WSSE}}}Password")
            token = UsernameToken(
                username=(user.text or "").strip() if user is not None else None,
                password=(password.text or "") if password is not None else None,
                password_type=password.get("Type") if password is not None else None,
            )
    return RequestEnvelope(version, root, header, elements[0], wsa_action, message_id, token, reply_headers)


def is_password_text(token: UsernameToken) -> bool:
    return token.password_type in (None, "", WSSE_PASSWORD_TEXT)


def utc_timestamp(moment: datetime) -> str:
    """A WS-Security timestamp: UTC, milliseconds, Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
