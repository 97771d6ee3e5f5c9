"""PreFill, declared once for Basic, WS, EC and EC2 (docs/behaviour/prefill.md).

Names follow the real contracts: on Basic the interface is ``IPreFillExternalBasic`` (namespace
``…/ServiceEngine/PreFill/2009/10``, service ``PreFillExternalBasicSF``) and the operations end in ``Basic``; on EC
and EC2 ``IPreFillAgencyExternalEC``/``…EC2`` (namespace ``…/PreFill/2010/10``) with operations ending in ``EC``.
WS has no real WSDL: ours is inferred from Basic (interface ``IPreFillExternal``, the operations' base names).
Endpoints: ``PrefillBasic.svc`` (the real WSDL's address says ``PreFillBasic.svc``: paths match
case-insensitively, so both are served), ``Prefill.svc``, ``PreFillAgencyExternalEC.svc`` and
``PreFillAgencyExternalEC2.svc``. Every binding takes the superset (EC2's ``instantitedOnBehalfOf`` too).
"""

from __future__ import annotations

from spyne import Boolean, DateTime, Integer32, Unicode

from altinn_so.domain.notifications.model import NotificationRequest
from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract
from altinn_so.soap.notifications import endpoints_of, shipment_time_of, tokens_of
from altinn_so.soap.receipts import receipt_external

from . import wire_types as types
from .rules import InstantiateOptions, PrefillAttachmentRequest, PrefillFormRequest, PrefillTaskRequest

NAMESPACES = {
    "basic": "http://www.altinn.no/services/ServiceEngine/PreFill/2009/10",
    "ec": "http://www.altinn.no/services/ServiceEngine/PreFill/2010/10",
}
_value = codec.value
_time = codec.optional_time  # .NET's DateTime.MinValue is "not set"
_REQUIRED = {"min_occurs": 1, "nillable": False}


def _items(data: dict | None, list_key: str, item_key: str) -> list[dict]:
    return [item for item in ((data or {}).get(list_key) or {}).get(item_key) or () if item is not None]


def _notification(item: dict) -> NotificationRequest:
    """A PrefillNotification; its reportee and reservability are the task's (NotificationID, NotifyType,
    ReporteeElementID and ReporteeId are Altinn's own and ignored)."""
    return NotificationRequest(
        reportee_number=None, notification_type=item.get("NotificationType"), language=item.get("LanguageCode"),
        endpoints=endpoints_of(item), text_tokens=tokens_of(item), from_address=item.get("FromAddress"),
        shipment_time=shipment_time_of(item))


def task_request(data: dict | None) -> PrefillTaskRequest:
    """A decoded PrefillFormTask as a domain request."""
    data = data or {}
    return PrefillTaskRequest(
        service_code=data.get("ExternalServiceCode"), service_edition=_value(data, "ExternalServiceEditionCode"),
        shipment_reference=data.get("ExternalShipmentReference"), reportee=data.get("Reportee"),
        system_user_code=data.get("ServiceOwnerCode"), valid_from=_time(data, "ValidFromDate"),
        valid_to=_time(data, "ValidToDate"), senders_reference=data.get("SendersReference"),
        forms=[PrefillFormRequest(
            data_format_id=f.get("DataFormatID"), data_format_version=_value(f, "DataFormatVersion"),
            form_data_xml=f.get("FormDataXML"), senders_reference=f.get("SendersReference"),
            signed_by_default=_value(f, "SignedByDefault"), signing_locked=_value(f, "SigningLocked"))
            for f in _items(data, "PreFillForms", "PrefillForm")],
        attachments=[PrefillAttachmentRequest(
            data=_value(a, "AttachmentData") or b"", name=a.get("AttachmentName"),
            attachment_type=_value(a, "AttachmentType"), file_name=a.get("FileName"),
            senders_reference=a.get("SendersReference"), signed_by_default=_value(a, "SignedByDefault"),
            signing_locked=_value(a, "SigningLocked"))
            for a in _items(data, "PreFillAttachments", "PrefillFormTaskAttachment")],
        identity_fields=[(f.get("Index") or "", f.get("FieldValue") or "")
                         for f in _items(data, "PreFillIdentityFields", "PreFillIdentityFieldBE")],
        notifications=[_notification(n) for n in _items(data, "PrefillNotifications", "Notification")],
        is_reservable=bool(_value(data, "IsReservable")),
        validate_notifications_only=bool(_value(data, "ValidateButDoNotSendNotification")),
    )


def submit_and_instantiate(call, args) -> dict:
    options = InstantiateOptions(
        save=bool(_value(args, "doSaveFormTask")), instantiate=bool(_value(args, "doinstantiateFormTask")),
        case_id=_value(args, "caseId"), due_at=_time(args, "dueDate"),
        on_behalf_of=_value(args, "instantitedOnBehalfOf"))
    receipt = call.emulator.prefill.submit(call.caller, args.get("externalBatchId"),
                                           task_request(args.get("preFillFormTask")), options)
    return receipt_external(receipt)


def submit_tasks(call, args) -> dict:
    details = args.get("preFillFormTasksDetails") or {}
    tasks = [task_request(t) for t in _items(details, "PreFillFormTasklist", "PrefillFormTask")]
    receipt = call.emulator.prefill.submit_batch(call.caller, args.get("externalBatchId"),
                                                 details.get("SystemUserCode"), tasks)
    return receipt_external(receipt)



_BASIC = frozenset({"basic", "ws"})
_EC = frozenset({"ec", "ec2"})


def _operations(bindings: frozenset[str], required: dict) -> tuple[Operation, ...]:
    """Basic (and WS, inferred from it) declare every parameter minOccurs=0 and nillable, credentials too; EC and
    EC2 require them: the same operations, declared once for each (required fields are checked in the rules)."""
    optional = not required
    return (
        Operation("SubmitAndInstantiatePrefilledFormTask", submit_and_instantiate, bindings=bindings,
                  optional_credentials=optional,
                  params=(("externalBatchId", Unicode(**required)),
                          ("preFillFormTask", types.PrefillFormTask.customize(**required)),
                          ("doSaveFormTask", Boolean(min_occurs=int(not optional), nillable=False)),
                          ("doinstantiateFormTask", Boolean(min_occurs=int(not optional), nillable=False)),
                          ("caseId", Integer32), ("dueDate", DateTime), ("instantitedOnBehalfOf", Unicode)),
                  returns=types.ReceiptExternal),
        Operation("SubmitPrefilledFormTasks", submit_tasks, bindings=bindings, optional_credentials=optional,
                  params=(("externalBatchId", Unicode(**required)),
                          ("preFillFormTasksDetails", types.PrefillFormTaskDetails.customize(**required))),
                  returns=types.ReceiptExternal),
    )


PREFILL = ServiceContract(
    name="PreFillExternal",
    area="ServiceEngineExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces=NAMESPACES,
    interfaces={"ec": "IPreFillAgencyExternal"},
    service_names={"ec": "PreFillAgencyExternalEC", "ec2": "PreFillAgencyExternalEC2"},
    endpoint_names={"basic": "PrefillBasic", "ws": "Prefill", "ec": "PreFillAgencyExternalEC",
                    "ec2": "PreFillAgencyExternalEC2"},
    operations=_operations(_BASIC, {}) + _operations(_EC, _REQUIRED),
)
