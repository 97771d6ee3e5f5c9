"""SubmitPrefilledFormTasks' batches while they wait to be processed (docs/behaviour/prefill.md, D35).

Altinn took an "online batch" of prefilled form tasks at once and processed it in the background; so does the
emulator. A batch waits as a ``PendingBatch``: the tasks exactly as the client sent them, who sent them and the
receipt the client was given, until the clock's due work processes it (``PrefillService.process_batches``). The
tasks are kept as plain data; ``task_to_dict`` and ``task_from_dict`` turn them into it and back.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from altinn_so.domain.notifications.model import EndPointRequest, NotificationRequest, ServiceRef
from altinn_so.domain.values import BLANK

from .requests import PrefillAttachmentRequest, PrefillFormRequest, PrefillTaskRequest


@dataclass(frozen=True)
class PendingBatch:
    id: int  # 0 until stored
    owner: str  # the caller's service owner
    system: str | None  # the agency system that logged in, if any
    external_batch_id: str
    receipt_id: int  # the batch's receipt: the outcome is written to it
    received_at: datetime
    tasks: tuple[PrefillTaskRequest, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "owner": self.owner, "system": self.system,
                "external_batch_id": self.external_batch_id, "receipt_id": self.receipt_id,
                "received_at": self.received_at.isoformat(), "tasks": [task_to_dict(t) for t in self.tasks]}

    @classmethod
    def from_dict(cls, data: dict) -> "PendingBatch":
        return cls(id=int(data.get("id") or 0), owner=data["owner"], system=data.get("system"),
                   external_batch_id=data["external_batch_id"], receipt_id=int(data["receipt_id"]),
                   received_at=datetime.fromisoformat(data["received_at"]),
                   tasks=tuple(task_from_dict(t) for t in data["tasks"]))


def _time(value):
    """A time as given: absent (None), blank (BLANK) or a datetime, naive or not."""
    if value is None:
        return None
    if value is BLANK:
        return {"blank": True}
    return value.isoformat()


def _time_from(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return BLANK
    return datetime.fromisoformat(value)


def _notification_to_dict(n: NotificationRequest) -> dict:
    return {
        "reportee_number": n.reportee_number, "notification_type": n.notification_type, "language": n.language,
        "endpoints": None if n.endpoints is None else [[e.transport, e.address] for e in n.endpoints],
        "text_tokens": n.text_tokens, "from_address": n.from_address, "shipment_time": _time(n.shipment_time),
        "is_reservable": n.is_reservable,
        "service": None if n.service is None else [n.service.code, n.service.edition],
        "roles": list(n.roles), "use_owner_short_name_for_sms": n.use_owner_short_name_for_sms,
    }


def _notification_from_dict(d: dict) -> NotificationRequest:
    return NotificationRequest(
        reportee_number=d["reportee_number"], notification_type=d["notification_type"], language=d["language"],
        endpoints=None if d["endpoints"] is None else [EndPointRequest(t, a) for t, a in d["endpoints"]],
        text_tokens=d["text_tokens"], from_address=d["from_address"], shipment_time=_time_from(d["shipment_time"]),
        is_reservable=d["is_reservable"], service=None if d["service"] is None else ServiceRef(*d["service"]),
        roles=list(d["roles"]), use_owner_short_name_for_sms=d["use_owner_short_name_for_sms"])


def task_to_dict(task: PrefillTaskRequest) -> dict:
    return {
        "service_code": task.service_code, "service_edition": task.service_edition,
        "shipment_reference": task.shipment_reference, "reportee": task.reportee,
        "system_user_code": task.system_user_code, "valid_from": _time(task.valid_from),
        "valid_to": _time(task.valid_to), "senders_reference": task.senders_reference,
        "forms": [[f.data_format_id, f.data_format_version, f.form_data_xml, f.senders_reference,
                   f.signed_by_default, f.signing_locked] for f in task.forms],
        "attachments": [[base64.b64encode(a.data or b"").decode("ascii"), a.name, a.attachment_type, a.file_name,
                         a.senders_reference, a.signed_by_default, a.signing_locked] for a in task.attachments],
        "identity_fields": [list(f) for f in task.identity_fields],
        "notifications": [_notification_to_dict(n) for n in task.notifications],
        "is_reservable": task.is_reservable, "validate_notifications_only": task.validate_notifications_only,
    }


def task_from_dict(d: dict) -> PrefillTaskRequest:
    return PrefillTaskRequest(
        service_code=d["service_code"], service_edition=d["service_edition"],
        shipment_reference=d["shipment_reference"], reportee=d["reportee"], system_user_code=d["system_user_code"],
        valid_from=_time_from(d["valid_from"]), valid_to=_time_from(d["valid_to"]),
        senders_reference=d["senders_reference"],
        forms=[PrefillFormRequest(*f) for f in d["forms"]],
        attachments=[PrefillAttachmentRequest(base64.b64decode(a[0]), *a[1:]) for a in d["attachments"]],
        identity_fields=[tuple(f) for f in d["identity_fields"]],
        notifications=[_notification_from_dict(n) for n in d["notifications"]],
        is_reservable=d["is_reservable"], validate_notifications_only=d["validate_notifications_only"],
    )
