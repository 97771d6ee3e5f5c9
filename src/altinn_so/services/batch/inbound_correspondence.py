"""The correspondence batch (``Correspondences``, namespace …/intermediary/correspondence/2009/10; the 2016.02,
2022.08 and 2022.11 revisions): each ``Correspondence`` through exactly InsertCorrespondence's rules
(docs/behaviour/batch.md).

The batch is read as the agency system that delivered it, and its ``SystemUserCode`` must be one of that system's
(as InsertCorrespondence's). Each correspondence becomes the same request InsertCorrespondence V3 makes of its
arguments (PriorityEmailSMSReminder allowed, as 2022.11 documents): the batch's own spellings (``FromAdress``,
``RecieverEndPoints``, ``ReceiverAdress``, ``Url``/``LinkUrl``, ``XmlAttachments``) are read as the schema spells
them. Its ``SendersReference`` is the correspondence's SendersReference (ExternalShipmentReference on the web
service); the batch's ``ShipmentReference`` is the batch's, and its ShipmentId where it is a number.
"""

from __future__ import annotations

import base64
from functools import partial

from lxml import etree

from altinn_so.domain.notifications.model import EndPointRequest, NotificationRequest
from altinn_so.domain.ownership import checked_system_user_code
from altinn_so.domain.errors import AltinnError
from altinn_so.services.correspondence import (BinaryAttachment, CorrespondenceRequest, ReplyOption, SdpNotice,
                                               SdpRequest, XmlAttachment)

from . import inbound
from .inbound import boolean, date_time, local, whole
from .inbound_shapes import CORRESPONDENCE_NS, CORRESPONDENCES, schema_of

ROOT = f"{{{CORRESPONDENCE_NS}}}Correspondences"
KIND = "Correspondence"
_NS = {"c": CORRESPONDENCE_NS}
_HEADER = frozenset({("SystemUserCode",), ("ShipmentReference",), ("SequenceNo",)})
_ENTITY = frozenset({("Correspondence",)})


def read_correspondences(emulator, reading, file) -> None:
    header = inbound.survey(reading, file, schema_of(CORRESPONDENCES, CORRESPONDENCE_NS),
                            "correspondence batch", _HEADER)
    shipment = header.get(("ShipmentReference",))
    reading.describe(kind=KIND, shipment_id=inbound.shipment_id(shipment))
    caller = inbound.caller_of(emulator, reading)
    try:
        system_user_code = checked_system_user_code(caller, header.get(("SystemUserCode",)))
    except AltinnError as error:
        inbound.refuse(reading, error.error_id, error.message)
    reading.describe(system_user_code=system_user_code)
    inbound.checked_sequence(emulator, reading, header.get(("SequenceNo",)), system_user_code, KIND)

    for position, (_, element) in enumerate(inbound.entities(file, _ENTITY), start=1):
        line = element.sourceline or 0
        try:  # read before the item's copy of the XML leaves long attachment data out
            request = correspondence_request(element, system_user_code)
            action = partial(_insert, emulator, caller, request)
        except Exception as error:  # noqa: BLE001 (reported as the item's issue)
            action = inbound.failing(error)
        item = reading.item(line, position, inbound.item_xml(element), _text(element, "c:ServiceCode"),
                            whole(_text(element, "c:ServiceEdition")) if _edition_is_number(element) else None)
        inbound.run_item(reading, item, action)


def _insert(emulator, caller, request: CorrespondenceRequest) -> str:
    receipt = emulator.correspondence.insert(caller, request, allow_priority_transport=True)
    return f"receipt {receipt.id}: {receipt.status.value} {receipt.text}"


def _edition_is_number(element) -> bool:
    return (_text(element, "c:ServiceEdition") or "").strip().lstrip("-").isdigit()


def _text(element, path: str) -> str | None:
    found = element.find(path, _NS)
    return None if found is None else (found.text or "")


def _all(element, path: str) -> list:
    return element.findall(path, _NS)


def _inner_xml(element) -> str | None:
    """An element of any content (MessageBody): its text and child elements as they were written."""
    if element is None:
        return None
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _notification(element) -> NotificationRequest:
    tokens = element.find("c:TextTokens", _NS)
    return NotificationRequest(
        reportee_number=None, notification_type=_text(element, "c:NotificationType"),
        language=_text(element, "c:LanguageCode"),
        endpoints=[EndPointRequest(_text(e, "c:TransportType"), _text(e, "c:ReceiverAdress"))
                   for e in _all(element, "c:RecieverEndPoints/c:ReceiverEndPoint")],
        text_tokens=None if tokens is None else [_text(t, "c:TokenValue") for t in _all(tokens, "c:TextToken")],
        from_address=_text(element, "c:FromAdress"), shipment_time=date_time(_text(element, "c:ShipmentDateTime")))


def _sdp(element) -> SdpRequest | None:
    if element is None:
        return None

    def notice(name: str, address: str) -> SdpNotice | None:
        found = element.find(f"c:SdpNotifications/c:{name}", _NS)
        if found is None:
            return None
        return SdpNotice(_text(found, "c:NotificationText"), _text(found, f"c:{address}"),
                         tuple(int(d.text) for d in _all(found, "c:Repetitions/c:DaysDelayed")))

    return SdpRequest(
        setting=_text(element, "c:SdpSetting"), primary_document=_text(element, "c:PrimaryDocumentFileName"),
        backup_altinn=boolean(_text(element, "c:BackupAltinn")), email=notice("EmailNotification", "EmailAddress"),
        sms=notice("SmsNotification", "MobileNumber"), title=_text(element, "c:Title"),
        not_sensitive_title=_text(element, "c:NotSensitiveTitle"),
        visible_at=date_time(_text(element, "c:VisibleDateTime")))


def _reply(option) -> ReplyOption:
    chosen = option[0]
    name = local(chosen.tag)
    if name == "Service":
        return ReplyOption(service_code=_text(chosen, "c:ServiceCode"),
                           service_edition=_text(chosen, "c:ServiceEdition"))
    if name == "ArchiveReference":
        return ReplyOption(archive_reference=chosen.text or "")
    return ReplyOption(link_text=_text(chosen, "c:LinkText"), link_url=_text(chosen, "c:LinkUrl"))


def _custom_data(element) -> str | None:
    """CustomMessageData's ``Add`` pairs, kept as the XML they came in (the web service takes a string)."""
    if element is None:
        return None
    return "".join(etree.tostring(add, encoding="unicode", with_tail=False) for add in element)


def correspondence_request(element, system_user_code: str) -> CorrespondenceRequest:
    """One ``Correspondence`` of the batch as InsertCorrespondence's request."""
    content = element.find("c:Content", _NS)
    return CorrespondenceRequest(
        service_code=_text(element, "c:ServiceCode"), service_edition=_text(element, "c:ServiceEdition"),
        reportee=_text(element, "c:Reportee"), senders_reference=_text(element, "c:SendersReference"),
        system_user_code=system_user_code, language=_text(content, "c:LanguageCode"),
        title=_text(content, "c:MessageTitle"), summary=_text(content, "c:MessageSummary"),
        body=_inner_xml(content.find("c:MessageBody", _NS)),
        custom_message_data=_custom_data(content.find("c:CustomMessageData", _NS)),
        binary_attachments=[BinaryAttachment(
            file_name=_text(b, "c:FileName"), name=_text(b, "c:Name"),
            data=base64.b64decode(_text(b, "c:Data") or ""),
            function_type=_text(b, "c:FunctionType") or "Unspecified",
            destination_type=_text(b, "c:DestinationType") or "Default",
            encrypted=bool(boolean(_text(b, "c:Encrypted"))), senders_reference=_text(b, "c:SendersReference"))
            for b in _all(content, "c:Attachments/c:BinaryAttachments/c:BinaryAttachment")],
        xml_attachments=[XmlAttachment(
            form_data_xml=_text(x, "c:FormDataXml"), senders_reference=_text(x, "c:SendersReference"),
            data_format_id=_text(x, "c:DataFormatID"), data_format_version=whole(_text(x, "c:DataFormatVersion")))
            for x in _all(content, "c:Attachments/c:XmlAttachments/c:XmlAttachment")],
        visible_at=date_time(_text(element, "c:VisibleDateTime")),
        allow_system_delete_at=date_time(_text(element, "c:AllowSystemDeleteDateTime")),
        due_at=date_time(_text(element, "c:DueDateTime")), archive_reference=_text(element, "c:ArchiveReference"),
        reply_options=[_reply(o) for o in _all(element, "c:ReplyOptions/c:ReplyOption")],
        notifications=[_notification(n) for n in _all(element, "c:Notifications/c:Notification")],
        allow_forwarding=boolean(_text(element, "c:AllowForwarding")), case_id=whole(_text(element, "c:CaseId")),
        is_reservable=boolean(_text(element, "c:IsReservable")), sdp=_sdp(element.find("c:SdpOptions", _NS)),
        on_behalf_of=_text(element, "c:OnBehalfOfOrgNr") or None)
