"""CorrespondenceAgencyExternal (the message service), declared once for Basic, WS, EC, EC2, AEC and AEC2.

Operation names follow each binding's real contract (docs/behaviour/correspondence.md; decision D1):

* InsertCorrespondence V1 (``InsertCorrespondenceBasic``; WS ``InsertCorrespondence``) on Basic and WS;
* V2: ``InsertCorrespondenceBasicV2``, WS ``InsertCorrespondenceV2``, EC/EC2 ``InsertCorrespondenceEC`` (the
  real WSDL's name) and ``InsertCorrespondenceECV2`` (the docs' name for the same), ``InsertCorrespondenceAECV2``;
* V3 (22.11, allows PriorityEmailSMSReminder): ``…BasicV3``, ``InsertCorrespondenceV3``, ``…ECV3``, ``…AECV3``
  — no real contract exists; ours takes the inferred ``InsertCorrespondenceV3`` type (wire_types.py);
* GetCorrespondenceStatusDetails V1 and V2 (not on AEC), V3 everywhere;
* GetCorrespondenceStatusHistory, a message contract with the credentials as SOAP headers on Basic and EC;
* CreateSimpleCorrespondenceService on Basic and WS.
"""

from __future__ import annotations

from spyne import Integer32, Unicode

from altinn_so.domain.notifications.model import NotificationRequest
from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract
from altinn_so.soap.notifications import endpoints_of, shipment_time_of, tokens_of
from altinn_so.soap.receipts import receipt_external

from . import wire_types as types
from .rules.model import (BinaryAttachment, CorrespondenceRequest, CorrespondenceStatus, NotificationView, ReplyOption,
                          SdpNotice, SdpRequest, StatusFilter, StatusResult, XmlAttachment)

NAMESPACES = {
    "basic": "http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10",
    "ec": "http://www.altinn.no/services/ServiceEngine/Correspondence/2010/10",
    "aec": "http://www.altinn.no/services/ServiceEngine/Correspondence/2017/02",
}
_value = codec.value
_time = codec.optional_time  # .NET's DateTime.MinValue is "not set"
_REQUIRED = {"min_occurs": 1, "nillable": False}


# -- wire -> domain -------------------------------------------------------------------------------------

def _items(data: dict | None, list_key: str, item_key: str) -> list[dict]:
    return [item for item in ((data or {}).get(list_key) or {}).get(item_key) or () if item is not None]


def notification(item: dict) -> NotificationRequest:
    """A correspondence Notification; its reportee and reservability are the correspondence's."""
    return NotificationRequest(
        reportee_number=None, notification_type=item.get("NotificationType"), language=item.get("LanguageCode"),
        endpoints=endpoints_of(item), text_tokens=tokens_of(item), from_address=item.get("FromAddress"),
        shipment_time=shipment_time_of(item))


def _sdp(data: dict | None) -> SdpRequest | None:
    if data is None:
        return None
    notices = data.get("SdpNotifications") or {}

    def notice(key: str, address_key: str) -> SdpNotice | None:
        item = notices.get(key)
        if item is None:
            return None
        days = [d for d in (item.get("Repetitions") or {}).get("DaysDelayed") or () if isinstance(d, int)]
        return SdpNotice(item.get("NotificationText"), item.get(address_key), tuple(days))

    return SdpRequest(
        setting=_value(data, "SdpSetting"), primary_document=data.get("PrimaryDocumentFileName"),
        backup_altinn=_value(data, "BackupAltinn"), email=notice("EmailNotification", "EmailAddress"),
        sms=notice("SmsNotification", "MobileNumber"), title=data.get("Title"),
        not_sensitive_title=data.get("NotSensitiveTitle"), visible_at=_time(data, "VisibleDateTime"))


def correspondence_request(args: dict, *, reference_key: str) -> CorrespondenceRequest:
    """InsertCorrespondence V1, V2 or V3 arguments as one domain request."""
    data = args.get("Correspondence") or {}
    content = data.get("Content") or {}
    attachments = content.get("Attachments") or {}
    binaries = _items(attachments, "BinaryAttachments", "BinaryAttachmentV2") or \
        _items(attachments, "BinaryAttachments", "BinaryAttachment")
    xml = _items(attachments, "XmlAttachmentList", "XmlAttachmentV2")
    if attachments.get("XmlAttachment"):  # V1: a single XmlAttachment
        xml.append(attachments["XmlAttachment"])
    replies = []
    for option in _items(data, "ReplyOptions", "ReplyOption"):
        service, archive = option.get("Service") or {}, option.get("ArchiveReference") or {}
        url = option.get("URL") or {}
        replies.append(ReplyOption(service.get("ServiceCode"), service.get("ServiceEdition"), archive.get("ArchiveRef"),
                                   url.get("LinkText"), url.get("LinkURL")))
    return CorrespondenceRequest(
        service_code=data.get("ServiceCode"), service_edition=data.get("ServiceEdition"),
        reportee=data.get("Reportee"), senders_reference=args.get(reference_key),
        system_user_code=args.get("SystemUserCode"),
        language=content.get("LanguageCode"), title=content.get("MessageTitle"), summary=content.get("MessageSummary"),
        body=content.get("MessageBody"), custom_message_data=content.get("CustomMessageData"),
        binary_attachments=[BinaryAttachment(
            file_name=b.get("FileName"), name=b.get("Name"), data=_value(b, "Data") or b"",
            function_type=_value(b, "FunctionType") or "Unspecified",
            destination_type=_value(b, "DestinationType") or "Default", encrypted=bool(_value(b, "Encrypted")),
            senders_reference=b.get("SendersReference")) for b in binaries],
        xml_attachments=[XmlAttachment(
            form_data_xml=x.get("FormDataXml"), senders_reference=x.get("SendersReference"),
            data_format_id=x.get("DataFormatId"), data_format_version=_value(x, "DataFormatVersion"),
            logical_form_in_form_set_id=_value(x, "LogicalFormInFormSetID")) for x in xml],
        visible_at=_time(data, "VisibleDateTime"), allow_system_delete_at=_time(data, "AllowSystemDeleteDateTime"),
        due_at=_time(data, "DueDateTime"), archive_reference=data.get("ArchiveReference"), reply_options=replies,
        notifications=[notification(n) for n in _items(data, "Notifications", "Notification")],
        allow_forwarding=_value(data, "AllowForwarding"), case_id=_value(data, "CaseID"),
        message_sender=data.get("MessageSender"), is_reservable=_value(data, "IsReservable"),
        sdp=_sdp(data.get("SdpOptions")), on_behalf_of=data.get("OnBehalfOfOrgNr"),
    )


def status_filter(data: dict | None, *, sdp: bool = False) -> StatusFilter:
    data = data or {}
    options = data.get("SdpSearchOptions") if sdp else None
    return StatusFilter(
        service_code=data.get("ServiceCode"), service_edition=_value(data, "ServiceEditionCode"),
        created_after=_value(data, "CreatedAfterDate"), created_before=_value(data, "CreatedBeforeDate"),
        current_status=_value(data, "CurrentStatus"), notification_sent=_value(data, "NotificationSent"),
        reportee=data.get("Reportee"), senders_reference=data.get("SendersReference"),
        sdp=None if options is None else bool(_value(options, "IncludeCorrespondence")))


# -- domain -> wire -------------------------------------------------------------------------------------

_V1_STATUSES = {CorrespondenceStatus.CREATED, CorrespondenceStatus.READ, CorrespondenceStatus.CONFIRMED}


def _notifications(views: tuple[NotificationView, ...]) -> dict:
    return {"Notification": [{"Recipient": n.recipient, "SentDate": n.sent_at, "TransportType": n.channel}
                             for n in views]}


def _status(view, *, version: int) -> dict:
    correspondence = view.correspondence
    changes = [c for c in correspondence.status_changes if version > 1 or c.status in _V1_STATUSES]
    change_key = "StatusChange" if version == 1 else "StatusChangeV2"
    return {
        "CorrespondenceID": correspondence.id,
        "CreatedDate": correspondence.created_at,
        "Notifications": _notifications(view.notifications),
        "Reportee": correspondence.reportee,
        "SendersReference": correspondence.senders_reference,
        "StatusChanges": {change_key: [{"StatusDate": c.at, "StatusType": c.status.value} for c in changes]},
    }


def _status_information(result: StatusResult) -> dict | None:
    if result.correspondences is None:
        return None
    return {"CorrespondenceStatusDetailsList": {"StatusV2": [_status(v, version=2) for v in result.correspondences]},
            "LimitReached": result.limit_reached}


def _sdp_information(result: StatusResult) -> dict | None:
    if result.sdp is None:
        return None
    return {"LimitReached": result.sdp_limit_reached, "SdpStatusDetailsList": {"SdpStatusDetails": [
        {"CorrespondenceId": shipment.correspondence_id, "CreatedDateTime": shipment.created_at,
         "LastChangedDateTime": history[-1].at if history else shipment.created_at,
         "Reference": shipment.reference, "Reportee": shipment.reportee, "SdpId": shipment.id,
         "StatusHistory": {"SdpStatusChange": [{"Status": e.status.value, "StatusDateTime": e.at} for e in history]}}
        for shipment, history in result.sdp]}}


# -- handlers ------------------------------------------------------------------------------------------

def _insert(reference_key: str, *, priority: bool = False):
    def insert(call, args):
        request = correspondence_request(args, reference_key=reference_key)
        receipt = call.emulator.correspondence.insert(
            call.caller, request, allow_priority_transport=priority,
            system_user_code_required=call.caller.system is not None)
        return receipt_external(receipt)
    return insert


def _details(version: int):
    def details(call, args):
        where = status_filter(args.get("filterCriteria"), sdp=version == 3)
        result = call.emulator.correspondence.status_details(call.caller, where)
        if version == 3:
            return {"CorrespondenceStatusInformation": _status_information(result),
                    "SdpStatusInformation": _sdp_information(result),
                    "ServiceCode": where.service_code, "ServiceEditionCode": where.service_edition}
        key, item = ("Status", 1) if version == 1 else ("StatusV2", 2)
        return {"LimitReached": result.limit_reached, "ServiceCode": where.service_code,
                "ServiceEditionCode": where.service_edition,
                "StatusList": {key: [_status(v, version=item) for v in result.correspondences]}}
    return details


def status_history(call, args):
    references = [r for r in (args.get("CorrespondenceSendersReferences") or {}).get("string") or () if r]
    result = call.emulator.correspondence.status_history(call.caller, references)
    return {"CorrespondenceStatusInformation": _status_information(result),
            "SdpStatusInformation": _sdp_information(result)}


def create_simple_service(call, args):
    service = call.emulator.correspondence.create_simple_service(
        call.caller, args.get("templateServiceCode"), _value(args, "templateServiceEditionCode"))
    return {"ExternalServiceCode": service.code, "ExternalServiceEditionCode": service.edition}


_SYSTEM_USER_CODE = ("SystemUserCode", Unicode(**_REQUIRED))
_SHIPMENT_REFERENCE = ("ExternalShipmentReference", Unicode(**_REQUIRED))
_V2 = ("Correspondence", types.InsertCorrespondenceV2.customize(**_REQUIRED))
_V3 = ("Correspondence", types.InsertCorrespondenceV3.customize(**_REQUIRED))
_WITH_PASSWORD = frozenset({"basic", "ws", "ec", "ec2"})

CORRESPONDENCE_AGENCY_EXTERNAL = ServiceContract(
    name="CorrespondenceAgencyExternal",
    area="ServiceEngineExternal",
    bindings=("basic", "ws", "ec", "ec2", "aec", "aec2"),
    namespaces=NAMESPACES,
    operations=(
        Operation("InsertCorrespondence", _insert("ExternalReference"), bindings=frozenset({"basic", "ws"}),
                  optional_credentials=True,
                  params=(("SystemUserCode", Unicode), ("ExternalReference", Unicode),
                          ("Correspondence", types.InsertCorrespondence)),
                  returns=types.ReceiptExternal),
        Operation("InsertCorrespondence", _insert("ExternalShipmentReference"), version=2,
                  wire_names={"ec": "InsertCorrespondenceEC", "ec2": "InsertCorrespondenceEC"},
                  caller_params=(_SYSTEM_USER_CODE,), params=(_SHIPMENT_REFERENCE, _V2),
                  returns=types.ReceiptExternal),
        # The endpoint list's name for EC's V2, next to the real WSDL's InsertCorrespondenceEC.
        Operation("InsertCorrespondence", _insert("ExternalShipmentReference"), version=2,
                  bindings=frozenset({"ec", "ec2"}),
                  caller_params=(_SYSTEM_USER_CODE,), params=(_SHIPMENT_REFERENCE, _V2),
                  returns=types.ReceiptExternal),
        Operation("InsertCorrespondence", _insert("ExternalShipmentReference", priority=True), version=3,
                  caller_params=(_SYSTEM_USER_CODE,), params=(_SHIPMENT_REFERENCE, _V3),
                  returns=types.ReceiptExternal),
        Operation("CreateSimpleCorrespondenceService", create_simple_service, bindings=frozenset({"basic", "ws"}),
                  params=(("templateServiceCode", Unicode(**_REQUIRED)),
                          ("templateServiceEditionCode", Integer32(**_REQUIRED))),
                  returns=types.CorrespondenceServiceInfo),
        Operation("GetCorrespondenceStatusDetails", _details(1), bindings=_WITH_PASSWORD,
                  params=(("filterCriteria", types.CorrespondenceStatusFilter.customize(**_REQUIRED)),),
                  returns=types.CorrespondenceStatusResult),
        Operation("GetCorrespondenceStatusDetails", _details(2), version=2, bindings=_WITH_PASSWORD,
                  params=(("filterCriteria", types.CorrespondenceStatusFilterV2.customize(**_REQUIRED)),),
                  returns=types.CorrespondenceStatusResultV2),
        Operation("GetCorrespondenceStatusDetails", _details(3), version=3,
                  params=(("filterCriteria", types.CorrespondenceStatusFilterV3.customize(**_REQUIRED)),),
                  returns=types.CorrespondenceStatusResultV3),
        Operation("GetCorrespondenceStatusHistory", status_history,
                  request_element="CorrespondenceStatusHistoryRequest",
                  response_element="CorrespondenceStatusHistoryResult",
                  header_credentials=("SystemUserName", "SystemPassword"),
                  params=(("CorrespondenceSendersReferences", types.ArrayOfstring),),
                  results=(("CorrespondenceStatusInformation", types.CorrespondenceStatusInformation),
                           ("SdpStatusInformation", types.SdpStatusInformation))),
    ),
)
