"""What a PreFill client asks for, as the contract decodes it (docs/behaviour/prefill.md): plain data, checked by
the rules (``rules``) and kept as it is while a batch waits (``batches``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from altinn_so.domain.notifications.model import NotificationRequest


@dataclass(frozen=True)
class PrefillFormRequest:
    data_format_id: str | None
    data_format_version: int | None
    form_data_xml: str | None
    senders_reference: str | None = None
    signed_by_default: bool | None = None
    signing_locked: bool | None = None


@dataclass(frozen=True)
class PrefillAttachmentRequest:
    data: bytes
    name: str | None
    attachment_type: str | None
    file_name: str | None
    senders_reference: str | None = None
    signed_by_default: bool | None = None
    signing_locked: bool | None = None


@dataclass
class PrefillTaskRequest:
    """A PrefillFormTask as a client sent it (``None``: left out)."""

    service_code: str | None
    service_edition: int | None
    shipment_reference: str | None
    reportee: str | None
    system_user_code: str | None  # ServiceOwnerCode: really the system user code
    valid_from: datetime | None
    valid_to: datetime | None
    senders_reference: str | None = None
    forms: list[PrefillFormRequest] = field(default_factory=list)
    attachments: list[PrefillAttachmentRequest] = field(default_factory=list)
    identity_fields: list[tuple[str, str]] = field(default_factory=list)  # (Index, FieldValue)
    notifications: list[NotificationRequest] = field(default_factory=list)
    is_reservable: bool = False
    validate_notifications_only: bool = False  # ValidateButDoNotSendNotification


@dataclass(frozen=True)
class InstantiateOptions:
    save: bool = True  # doSaveFormTask
    instantiate: bool = False  # doinstantiateFormTask
    case_id: int | None = None
    due_at: datetime | None = None
    on_behalf_of: str | None = None  # instantitedOnBehalfOf
