"""The shapes of the inbound batch formats, declared here in our own terms and turned into an XML Schema at run time
(docs/behaviour/batch.md, decision D103).

The emulator ships no Altinn schema file: Altinn's XSDs are third-party text. What a reader must know of a format
(each element's name, order, how often it may occur, and the type of its text) is declared below as ``Shape``
values; ``schema_of`` writes them as a small XSD that lxml validates in C while the file streams by. The tests
check that this validation agrees with Altinn's own schemas on valid and invalid files.

The correspondence shape is the superset of the 2016.02, 2022.08 and 2022.11 revisions (one namespace; the later
ones only add optional elements), so a file of any of them is read. Documentation and the editor annotations of
Altinn's files carry no rule and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import quoteattr

CORRESPONDENCE_NS = "http://schemas.altinn.no/services/intermediary/correspondence/2009/10"
SERVICE_INITIATION_NS = "http://schemas.altinn.no/services/intermediary/serviceinitiation/2009/10"

UNBOUNDED = None


@dataclass(frozen=True)
class Shape:
    """One element: its text's type (an XSD built-in name) or its children, in order.

    ``choice``: exactly one of the children. ``attributes``: optional string attributes (an element with them
    has no children and no text). ``any``: any content at all (a message body of HTML or text).
    """

    name: str
    type: str = "string"
    children: tuple["Shape", ...] = ()
    min: int = 1
    max: int | None = 1
    min_length: int | None = None
    max_length: int | None = None
    max_value: int | None = None
    values: tuple[str, ...] = ()  # an enumeration
    nillable: bool = False
    choice: bool = False
    attributes: tuple[str, ...] = ()
    any: bool = False


def _leaf(name: str, type_: str = "string", **kw) -> Shape:
    return Shape(name, type_, **kw)


def _group(name: str, *children: Shape, **kw) -> Shape:
    return Shape(name, "", tuple(children), **kw)


# -- Correspondences (correspondence batch, namespace 2009/10) -------------------------------------------------

def _sdp_notice(name: str, address: str, limit: int) -> Shape:
    return _group(name, _leaf("NotificationText", min_length=1, max_length=limit), _leaf(address, min=0),
                  _group("Repetitions", _leaf("DaysDelayed", "unsignedInt", max=10, max_value=25)), min=0)


_BINARY_ATTACHMENT = _group(
    "BinaryAttachment", _leaf("FileName"), _leaf("Name"), _leaf("Encrypted", "boolean"), _leaf("Data", "base64Binary"),
    _leaf("SendersReference", min=0), _leaf("FunctionType", min=0), _leaf("AttachmentType", min=0),
    _leaf("DestinationType", min=0), max=UNBOUNDED)
_XML_ATTACHMENT = _group(
    "XmlAttachment", _leaf("SendersReference"), _leaf("DataFormatID"), _leaf("DataFormatVersion", "int"),
    _leaf("FormDataXml"), max=UNBOUNDED)
_CONTENT = _group(
    "Content", _leaf("LanguageCode"), _leaf("MessageTitle"), _leaf("MessageSummary", min=0, max_length=512),
    Shape("MessageBody", min=0, any=True),
    _group("CustomMessageData", Shape("Add", attributes=("key", "value"), max=UNBOUNDED), min=0),
    _group("Attachments", _group("BinaryAttachments", _BINARY_ATTACHMENT, min=0),
           _group("XmlAttachments", _XML_ATTACHMENT, min=0), min=0))
_REPLY_OPTION = _group(
    "ReplyOption", _group("Service", _leaf("ServiceCode"), _leaf("ServiceEdition", min=0)), _leaf("ArchiveReference"),
    _group("Url", _leaf("LinkText"), _leaf("LinkUrl")), choice=True, max=UNBOUNDED)
_NOTIFICATION = _group(
    "Notification", _leaf("FromAdress", min=0), _leaf("ShipmentDateTime", "dateTime"), _leaf("LanguageCode"),
    _leaf("NotificationType"),
    _group("TextTokens", _group("TextToken", _leaf("TokenNum", "int"), _leaf("TokenValue"), max=UNBOUNDED), min=0),
    _group("RecieverEndPoints", _group("ReceiverEndPoint", _leaf("TransportType"), _leaf("ReceiverAdress", min=0),
                                       max=UNBOUNDED), min=0),
    _leaf("UseServiceOwnerShortNameAsSenderOfSms", "boolean", min=0), max=UNBOUNDED)
_SDP = _group(
    "SdpOptions", _leaf("SdpSetting", values=("ForwardOnly", "CopyAltinn")), _leaf("BackupAltinn", "boolean", min=0),
    _leaf("Title", min=0), _leaf("NotSensitiveTitle", min=0), _leaf("VisibleDateTime", "dateTime", min=0),
    _leaf("PrimaryDocumentFileName"),
    _group("SdpNotifications", _sdp_notice("EmailNotification", "EmailAddress", 500),
           _sdp_notice("SmsNotification", "MobileNumber", 160), min=0), min=0)

CORRESPONDENCE = _group(
    "Correspondence", _leaf("ServiceCode", max_length=7), _leaf("ServiceEdition", min=0), _leaf("SendersReference"),
    _leaf("Reportee"), _CONTENT, _leaf("VisibleDateTime", "dateTime", min=0),
    _leaf("AllowSystemDeleteDateTime", "dateTime", min=0), _leaf("DueDateTime", "dateTime", min=0),
    _leaf("ArchiveReference", min=0), _group("ReplyOptions", _REPLY_OPTION, min=0),
    _group("Notifications", _NOTIFICATION, min=0), _leaf("AllowForwarding", "boolean", min=0),
    _leaf("CaseId", "int", min=0), _leaf("IsReservable", "boolean", min=0), _SDP,
    _leaf("OnBehalfOfOrgNr", min=0, min_length=9, max_length=9, nillable=True), min=0, max=UNBOUNDED)

CORRESPONDENCES = _group(
    "Correspondences", _leaf("SystemUserCode", max_length=50), _leaf("ShipmentReference"),
    _leaf("SequenceNo", min=0), CORRESPONDENCE)


# -- ServiceOwner (prefill and subscription batch, serviceinitiation 2009/10) ------------------------------------

_IDENTIFYING_FIELDS = _group("IdentifyingFields", _leaf("IdentifyingField", max=UNBOUNDED), min=0)
_SUBSCRIPTION_TASK = _group(
    "FormTask", _leaf("ExternalServiceCode", max_length=7), _leaf("ExternalServiceEditionCode", min=0),
    _leaf("StartDate", "date"), _leaf("ExpirationDate", "date", min=0, nillable=True),
    _leaf("NextScheduledDate", "date"), _leaf("NextDueDate", "date"), _leaf("VisibleDate", "date", min=0),
    _leaf("PeriodType"), _leaf("CaseId", "int", min=0),
    _IDENTIFYING_FIELDS, max=UNBOUNDED)
_PREFILL_ATTACHMENT = _group(
    "Attachment", _leaf("AttachmentName"), _leaf("FileName", min_length=1, max_length=255),
    _leaf("AttachmentData", "base64Binary"), _leaf("SendersReference"), _leaf("Encrypted", "boolean"),
    _leaf("AttachmentType", min_length=1, max_length=255), _leaf("SigningLocked", "boolean", min=0),
    _leaf("SignedByDefault", "boolean", min=0), max=UNBOUNDED)
_PREFILL_FORM = _group(
    "Form", _leaf("DataFormatId"), _leaf("DataFormatVersion"), _leaf("SendersReference"),
    _leaf("ParentReference", min=0), _leaf("FormData"), _leaf("SigningLocked", "boolean", min=0),
    _leaf("SignedByDefault", "boolean", min=0), max=UNBOUNDED)
_PREFILL_TASK = _group(
    "FormTask", _leaf("ExternalServiceCode", max_length=7), _leaf("ExternalServiceEditionCode"),
    _leaf("ValidFrom", "date"), _leaf("ValidTo", "date"), _leaf("IdentityFieldHashCode", min=0),
    _leaf("SendersReference"), _leaf("ReceiversReference", min=0), _IDENTIFYING_FIELDS,
    _group("Attachments", _PREFILL_ATTACHMENT, min=0), _PREFILL_FORM, min=0, max=UNBOUNDED)
_FIELD = _group("Field", _leaf("Id"), _leaf("ValidFrom", "date"), _leaf("ValidTo", "date"),
                _leaf("Index", "int", min=0), _leaf("Value"), min=0, max=UNBOUNDED)

SERVICE_OWNER = _group(
    "ServiceOwner", _leaf("ServiceOwnerName"),
    _group("Subscription", _leaf("SequenceNo", min=0), _leaf("ExternalShipmentReference"),
           _group("Reportee", _leaf("Id"), _SUBSCRIPTION_TASK, max=UNBOUNDED), min=0),
    _group("Prefill", _leaf("SequenceNo", min=0), _leaf("ExternalShipmentReference"),
           _group("Reportee", _leaf("Id"), _PREFILL_TASK, _FIELD, max=UNBOUNDED), min=0))


# -- the XSD ---------------------------------------------------------------------------------------------------

def _occurs(shape: Shape) -> str:
    top = "unbounded" if shape.max is UNBOUNDED else str(shape.max)
    return f' minOccurs="{shape.min}" maxOccurs="{top}"'


def _element(shape: Shape, top: bool = False) -> str:
    occurs = "" if top else _occurs(shape)
    nillable = ' nillable="true"' if shape.nillable else ""
    head = f"<xs:element name={quoteattr(shape.name)}{occurs}{nillable}"
    if shape.any:
        return head + ' type="xs:anyType"/>'
    if shape.attributes:
        attributes = "".join(f'<xs:attribute name={quoteattr(a)} type="xs:string"/>' for a in shape.attributes)
        return f"{head}><xs:complexType>{attributes}</xs:complexType></xs:element>"
    if shape.children:
        group = "xs:choice" if shape.choice else "xs:sequence"
        inner = "".join(_element(child) for child in shape.children)
        return f"{head}><xs:complexType><{group}>{inner}</{group}></xs:complexType></xs:element>"
    facets = []
    if shape.min_length is not None:
        facets.append(f'<xs:minLength value="{shape.min_length}"/>')
    if shape.max_length is not None:
        facets.append(f'<xs:maxLength value="{shape.max_length}"/>')
    if shape.max_value is not None:
        facets.append(f'<xs:maxInclusive value="{shape.max_value}"/>')
    facets.extend(f"<xs:enumeration value={quoteattr(v)}/>" for v in shape.values)
    if not facets:
        return f'{head} type="xs:{shape.type}"/>'
    return (f'{head}><xs:simpleType><xs:restriction base="xs:{shape.type}">{"".join(facets)}'
            "</xs:restriction></xs:simpleType></xs:element>")


def schema_text(root: Shape, namespace: str) -> str:
    """``root`` as an XML Schema document of ``namespace`` (elements qualified)."""
    return ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified" '
            f"targetNamespace={quoteattr(namespace)}>{_element(root, top=True)}</xs:schema>")


@lru_cache(maxsize=None)
def schema_of(root: Shape, namespace: str):
    """The compiled schema (lxml) of ``root``, built once."""
    from lxml import etree

    return etree.XMLSchema(etree.fromstring(schema_text(root, namespace).encode()))
