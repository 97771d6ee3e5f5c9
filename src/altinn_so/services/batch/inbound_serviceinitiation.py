"""The prefill and subscription batch (``ServiceOwner``, namespace …/intermediary/serviceinitiation/2009/10):
each ``Reportee``'s ``FormTask`` through the PreFill or the Subscription service's rules (docs/behaviour/batch.md).

* The entity is one form task of one reportee (``Prefill/Reportee/FormTask``, ``Subscription/Reportee/FormTask``):
  one DataItem each, Position its ordinal among the file's entities.
* A prefilled form task is saved and instantiated in the reportee's worklist (SubmitAndInstantiatePrefilledFormTask
  with doSaveFormTask and doinstantiateFormTask); a subscription is stored as SubmitSubscription stores one, its
  form tasks made by the clock.
* ``ServiceOwnerName`` must be the delivering owner's code or name. The system user code of the rules is the
  agency system's own prefix (the file names none).
* SequenceNo sits on ``Prefill`` and on ``Subscription``: the batch's DataBatchType is ``PreFill`` when the file
  has a ``Prefill`` element, else ``Subscription``, and the SequenceNo checked is that element's, counted per
  agency system and DataBatchType. A file with both whose two SequenceNo differ is refused: one file, one number.
* ``Field`` (Altinn I's loose prefill fields) has no counterpart in PreFill: each is reported as a Warning of the
  batch and otherwise ignored.
"""

from __future__ import annotations

import base64
from functools import partial

from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.receipts import ReceiptStatus
from altinn_so.services.prefill import (InstantiateOptions, PrefillAttachmentRequest, PrefillFormRequest,
                                        PrefillTaskRequest)
from altinn_so.services.subscription import SUBSCRIPTION_REFERENCE, SubscriptionRequest

from . import inbound
from .inbound import boolean, day, whole
from .inbound_shapes import SERVICE_INITIATION_NS, SERVICE_OWNER, schema_of
from .rules import BATCH_SEQUENCE_ERROR, WARNING

ROOT = f"{{{SERVICE_INITIATION_NS}}}ServiceOwner"
PREFILL, SUBSCRIPTION = "PreFill", "Subscription"
_NS = {"s": SERVICE_INITIATION_NS}
_PREFILL_TASK, _SUBSCRIPTION_TASK = ("Prefill", "Reportee", "FormTask"), ("Subscription", "Reportee", "FormTask")
_REPORTEE_IDS = (("Prefill", "Reportee", "Id"), ("Subscription", "Reportee", "Id"))
_FIELD = ("Prefill", "Reportee", "Field")
_HEADER = frozenset({("ServiceOwnerName",), ("Prefill", "SequenceNo"), ("Prefill", "ExternalShipmentReference"),
                     ("Subscription", "SequenceNo"), ("Subscription", "ExternalShipmentReference"),
                     ("Prefill", "Reportee", "Id"), ("Subscription", "Reportee", "Id")})
_ERROR_ID = "ErrorID "


def read_service_owner(emulator, reading, file) -> None:
    header = inbound.survey(reading, file, schema_of(SERVICE_OWNER, SERVICE_INITIATION_NS),
                            "prefill and subscription batch", _HEADER)
    has_prefill = ("Prefill", "Reportee", "Id") in header or ("Prefill", "SequenceNo") in header \
        or ("Prefill", "ExternalShipmentReference") in header
    kind = PREFILL if has_prefill else SUBSCRIPTION
    block = "Prefill" if has_prefill else "Subscription"
    references = {name: header.get((name, "ExternalShipmentReference")) for name in ("Prefill", "Subscription")}
    reading.describe(kind=kind, system_user_code=reading.batch.system,
                     shipment_id=inbound.shipment_id(references[block]))
    caller = inbound.caller_of(emulator, reading)
    named = (header.get(("ServiceOwnerName",)) or "").strip()
    if named.upper() not in (caller.owner.code.upper(), caller.owner.name.upper()):
        inbound.refuse(reading, ErrorCode.NOT_AUTHORIZED,
                       f"ServiceOwnerName '{named}' is not the service owner {caller.owner.code} that delivered it.")
    sequences = {header.get((name, "SequenceNo")) for name in ("Prefill", "Subscription")} - {None, ""}
    if len(sequences) > 1:
        inbound.refuse(reading, BATCH_SEQUENCE_ERROR,
                       "Prefill and Subscription carry different SequenceNo: one file has one sequence number.")
    inbound.checked_sequence(emulator, reading, header.get((block, "SequenceNo")), reading.batch.system, kind)
    system_user_code = caller.system.system_user_code_prefix or caller.owner.code

    reportee = None
    position = 0
    fields = 0
    for path, element in inbound.entities(file, frozenset({_PREFILL_TASK, _SUBSCRIPTION_TASK}),
                                          frozenset({*_REPORTEE_IDS, _FIELD})):
        if path in _REPORTEE_IDS:
            reportee = (element.text or "").strip()
            continue
        if path == _FIELD:
            fields += 1
            continue
        position += 1
        code, edition = _text(element, "s:ExternalServiceCode"), _text(element, "s:ExternalServiceEditionCode")
        try:  # read before the item's copy of the XML leaves long attachment data out
            if path == _PREFILL_TASK:
                task = _prefill_task(element, reportee, references["Prefill"], system_user_code)
                action = partial(_prefill, emulator, caller, task)
            else:
                entry = _subscription(element, reportee)
                action = partial(_subscribe, emulator, caller, references["Subscription"], system_user_code, entry)
        except Exception as error:  # noqa: BLE001 (reported as the item's issue)
            action = inbound.failing(error)
        item = reading.item(element.sourceline or 0, position, inbound.item_xml(element), code,
                            whole(edition) if (edition or "").strip().isdigit() else None)
        inbound.run_item(reading, item, action)
    if fields:
        reading.issue(None, 0, f"{fields} Field element(s) ignored: the emulator's PreFill has no loose prefill "
                               "fields (Altinn I); prefill a form instead.", WARNING)


def _text(element, path: str) -> str | None:
    found = element.find(path, _NS)
    return None if found is None else (found.text or "")


def _identity(element) -> list[str]:
    return [(f.text or "") for f in element.findall("s:IdentifyingFields/s:IdentifyingField", _NS)]


def _prefill_task(element, reportee: str | None, shipment: str | None, system_user_code: str) -> PrefillTaskRequest:
    return PrefillTaskRequest(
        service_code=_text(element, "s:ExternalServiceCode"),
        service_edition=whole(_text(element, "s:ExternalServiceEditionCode")) if
        (_text(element, "s:ExternalServiceEditionCode") or "").strip().isdigit() else None,
        shipment_reference=shipment, reportee=reportee, system_user_code=system_user_code,
        valid_from=day(_text(element, "s:ValidFrom")), valid_to=day(_text(element, "s:ValidTo")),
        senders_reference=_text(element, "s:SendersReference"),
        forms=[PrefillFormRequest(
            data_format_id=_text(f, "s:DataFormatId"),
            data_format_version=whole(v) if (v := _text(f, "s:DataFormatVersion") or "").strip().isdigit() else None,
            form_data_xml=_text(f, "s:FormData"), senders_reference=_text(f, "s:SendersReference"),
            signed_by_default=boolean(_text(f, "s:SignedByDefault")),
            signing_locked=boolean(_text(f, "s:SigningLocked")))
            for f in element.findall("s:Form", _NS)],
        attachments=[PrefillAttachmentRequest(
            data=base64.b64decode(_text(a, "s:AttachmentData") or ""), name=_text(a, "s:AttachmentName"),
            attachment_type=_text(a, "s:AttachmentType"), file_name=_text(a, "s:FileName"),
            senders_reference=_text(a, "s:SendersReference"), signed_by_default=boolean(_text(a, "s:SignedByDefault")),
            signing_locked=boolean(_text(a, "s:SigningLocked")))
            for a in element.findall("s:Attachments/s:Attachment", _NS)],
        identity_fields=[(str(index), value) for index, value in enumerate(_identity(element), start=1)])


def _prefill(emulator, caller, task: PrefillTaskRequest) -> str:
    receipt = emulator.prefill.submit(caller, task.shipment_reference, task,
                                      InstantiateOptions(save=True, instantiate=True))
    element = next((r.value for r in receipt.references if r.type == "WorkFlowReference"), None)
    made = f"form task {element}" if element else "no form task"
    return f"receipt {receipt.id}: {receipt.status.value} {receipt.text} ({made})"


def _subscription(element, reportee: str | None) -> SubscriptionRequest:
    edition = _text(element, "s:ExternalServiceEditionCode")
    return SubscriptionRequest(
        reportee=reportee, service_code=_text(element, "s:ExternalServiceCode"),
        service_edition=whole(edition) if (edition or "").strip().isdigit() else None,
        period_type=_text(element, "s:PeriodType"), start_at=day(_text(element, "s:StartDate")),
        schedule_at=day(_text(element, "s:NextScheduledDate")), due_at=day(_text(element, "s:NextDueDate")),
        visible_at=day(_text(element, "s:VisibleDate")), expires_at=day(_text(element, "s:ExpirationDate")),
        identity_values=tuple(_identity(element)), case_id=whole(_text(element, "s:CaseId")))


def _subscribe(emulator, caller, shipment: str | None, system_user_code: str, entry: SubscriptionRequest) -> str:
    """SubmitSubscription of this one subscription: its sub-receipt says whether the rules took it (they report a
    failure there, as ``ErrorID <n>: <text>``, rather than raise)."""
    receipt = emulator.subscription.submit(caller, shipment, system_user_code, [entry])
    sub = receipt.sub_receipts[0]
    if sub.status is not ReceiptStatus.OK:
        code, _, text = sub.text.removeprefix(_ERROR_ID).partition(": ")
        raise AltinnError(int(code) if code.isdigit() else 0, text or sub.text)
    stored = next((r.value for r in sub.references if r.type == SUBSCRIPTION_REFERENCE), None)
    return f"receipt {sub.id}: {sub.status.value} {sub.text} (subscription {stored})"
