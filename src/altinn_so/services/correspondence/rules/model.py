"""Correspondence data: what a client sends, what is stored, what status queries return."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from altinn_so.domain.notifications.model import NotificationRequest


class CorrespondenceStatus(str, Enum):
    NOT_SET = "NotSet"
    CREATED = "Created"
    READ = "Read"
    CONFIRMED = "Confirmed"
    RESERVED = "Reserved"


class SdpStatus(str, Enum):
    UNKNOWN = "Unknown"
    SENT = "Sent_Meldingsformidler"
    DELIVERED = "Delivered_EndUser"
    DELIVERY_FAILED = "Delivery_EndUser_Failed"
    RESERVED = "Reserved"
    NO_MAILBOX = "NoMailBox"


class CorrespondenceStateError(ValueError):
    """An end-user step that cannot happen in the correspondence's state (e.g. reading a reserved message)."""


# -- what the client sends ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BinaryAttachment:
    file_name: str | None
    name: str | None
    data: bytes
    function_type: str = "Unspecified"
    destination_type: str = "Default"
    encrypted: bool = False
    senders_reference: str | None = None


@dataclass(frozen=True)
class XmlAttachment:
    form_data_xml: str | None
    senders_reference: str | None = None
    data_format_id: str | None = None
    data_format_version: int | None = None
    logical_form_in_form_set_id: int | None = None


@dataclass(frozen=True)
class ReplyOption:
    service_code: str | None = None
    service_edition: str | None = None
    archive_reference: str | None = None
    link_text: str | None = None
    link_url: str | None = None


@dataclass(frozen=True)
class SdpNotice:
    text: str | None
    address: str | None  # e-mail address or mobile number; None: from KRR
    repetitions: tuple[int, ...] = ()  # days after the letter is available


@dataclass(frozen=True)
class SdpRequest:
    setting: str | None  # CopyAltinn | ForwardOnly
    primary_document: str | None
    backup_altinn: bool | None = None  # default true
    email: SdpNotice | None = None
    sms: SdpNotice | None = None
    title: str | None = None
    not_sensitive_title: str | None = None
    visible_at: datetime | None = None


@dataclass
class CorrespondenceRequest:
    """An InsertCorrespondence request as the client sent it (None = left out)."""

    service_code: str | None
    service_edition: str | None
    reportee: str | None
    senders_reference: str | None  # ExternalShipmentReference
    system_user_code: str | None = None
    language: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    custom_message_data: str | None = None
    binary_attachments: list[BinaryAttachment] = field(default_factory=list)
    xml_attachments: list[XmlAttachment] = field(default_factory=list)
    visible_at: datetime | None = None
    allow_system_delete_at: datetime | None = None
    due_at: datetime | None = None
    archive_reference: str | None = None
    reply_options: list[ReplyOption] = field(default_factory=list)
    notifications: list[NotificationRequest] = field(default_factory=list)  # their reportee is the correspondence's
    allow_forwarding: bool | None = None
    case_id: int | None = None
    message_sender: str | None = None
    is_reservable: bool | None = None
    sdp: SdpRequest | None = None
    on_behalf_of: str | None = None


# -- what is stored -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusChange:
    status: CorrespondenceStatus
    at: datetime


@dataclass(frozen=True)
class Correspondence:
    id: int
    owner: str  # service owner code
    service_code: str
    service_edition: int
    reportee: str
    senders_reference: str
    created_at: datetime
    status_changes: tuple[StatusChange, ...]
    receipt_id: int
    system: str | None = None
    system_user_code: str | None = None
    language: str = "1044"
    title: str = ""
    summary: str = ""
    body: str = ""
    custom_message_data: str | None = None
    binary_attachments: tuple[BinaryAttachment, ...] = ()
    xml_attachments: tuple[XmlAttachment, ...] = ()
    visible_at: datetime | None = None
    allow_system_delete_at: datetime | None = None
    due_at: datetime | None = None
    archive_reference: str | None = None
    reply_options: tuple[ReplyOption, ...] = ()
    allow_forwarding: bool = True
    case_id: int | None = None
    message_sender: str = ""
    is_reservable: bool = False
    on_behalf_of: str | None = None

    @property
    def status(self) -> CorrespondenceStatus:
        return self.status_changes[-1].status

    @property
    def origin(self) -> str:
        """How its notifications are marked in the outbox."""
        return origin_of(self.id)

    def to_dict(self) -> dict:
        out = _plain(self)
        out["status_changes"] = [[c.status.value, c.at.isoformat()] for c in self.status_changes]
        out["binary_attachments"] = [{**_plain(a), "data": base64.b64encode(a.data).decode()}
                                     for a in self.binary_attachments]
        out["xml_attachments"] = [_plain(a) for a in self.xml_attachments]
        out["reply_options"] = [_plain(r) for r in self.reply_options]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Correspondence":
        data = dict(data)
        data.pop("sdp_id", None)  # stored by earlier versions; the shipment names its correspondence instead
        for key in ("created_at", "visible_at", "allow_system_delete_at", "due_at"):
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        data["status_changes"] = tuple(StatusChange(CorrespondenceStatus(s), datetime.fromisoformat(at))
                                       for s, at in data["status_changes"])
        data["binary_attachments"] = tuple(BinaryAttachment(**{**a, "data": base64.b64decode(a["data"])})
                                           for a in data.get("binary_attachments") or ())
        data["xml_attachments"] = tuple(XmlAttachment(**a) for a in data.get("xml_attachments") or ())
        data["reply_options"] = tuple(ReplyOption(**r) for r in data.get("reply_options") or ())
        return cls(**data)


@dataclass(frozen=True)
class SdpEvent:
    status: SdpStatus
    at: datetime


@dataclass(frozen=True)
class SdpShipment:
    """A letter to a citizen's digital mailbox (DPI). Events may lie in the future: they happen as time passes."""

    id: int
    owner: str
    service_code: str
    service_edition: int
    reportee: str
    reference: str
    created_at: datetime
    events: tuple[SdpEvent, ...]
    setting: str
    primary_document: str
    correspondence_id: int | None = None
    title: str | None = None
    notices: tuple[tuple[str, str, tuple[int, ...]], ...] = ()  # (channel, address, repetitions)

    def history(self, now: datetime) -> list[SdpEvent]:
        return [event for event in self.events if event.at <= now]

    def to_dict(self) -> dict:
        out = _plain(self)
        out["created_at"] = self.created_at.isoformat()
        out["events"] = [[e.status.value, e.at.isoformat()] for e in self.events]
        out["notices"] = [[c, a, list(r)] for c, a, r in self.notices]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "SdpShipment":
        data = dict(data)
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        data["events"] = tuple(SdpEvent(SdpStatus(s), datetime.fromisoformat(at)) for s, at in data["events"])
        data["notices"] = tuple((c, a, tuple(r)) for c, a, r in data.get("notices") or ())
        return cls(**data)


def origin_of(correspondence_id: int) -> str:
    return f"correspondence:{correspondence_id}"


def _plain(obj) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in obj.__dict__.items()
            if not isinstance(v, (tuple, bytes))}


# -- queries ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusFilter:
    service_code: str | None
    service_edition: int | None
    created_after: datetime | None = None
    created_before: datetime | None = None
    current_status: str | None = None  # NotSet or None: any
    notification_sent: bool | None = None
    reportee: str | None = None
    senders_reference: str | None = None
    sdp: bool | None = None  # None: no SDP details; else whether correspondence details are included too


@dataclass(frozen=True)
class NotificationView:
    recipient: str
    channel: str  # SMS | Email
    sent_at: datetime | None  # None: scheduled, not sent yet


@dataclass(frozen=True)
class CorrespondenceView:
    correspondence: Correspondence
    notifications: tuple[NotificationView, ...]


@dataclass(frozen=True)
class StatusResult:
    correspondences: tuple[CorrespondenceView, ...] | None  # None: not asked for
    limit_reached: bool
    sdp: tuple[tuple[SdpShipment, tuple[SdpEvent, ...]], ...] | None = None
    sdp_limit_reached: bool = False


class CorrespondenceRepository(Protocol):
    def add_correspondence(self, correspondence: Correspondence) -> Correspondence: ...  # assigns the id
    def get_correspondence(self, correspondence_id: int) -> Correspondence | None: ...
    def save_correspondence(self, correspondence: Correspondence) -> None: ...
    def find_correspondences(self, owner: str, *, service: tuple[str, int] | None = None,
                             created_after: datetime | None = None, created_before: datetime | None = None,
                             reportee: str | None = None, senders_references: list[str] | None = None,
                             status: str | None = None, after: tuple[datetime, int] | None = None,
                             limit: int | None = None) -> list[Correspondence]:
        """In order of creation (ties by id); ``after`` (a row's creation time and id) and ``limit`` page
        through the matches."""
    def add_sdp(self, shipment: SdpShipment) -> SdpShipment: ...
    def save_sdp(self, shipment: SdpShipment) -> None: ...
    def find_sdp(self, owner: str, *, service: tuple[str, int] | None = None, created_after: datetime | None = None,
                 created_before: datetime | None = None, reportee: str | None = None,
                 references: list[str] | None = None, limit: int | None = None) -> list[SdpShipment]:
        """In order of creation (ties by id)."""


@dataclass(frozen=True)
class CorrespondenceSettings:
    status_limit: int = 1000  # results per status query before LimitReached (Altinn's was never published)
    history_reference_limit: int = 10_000  # GetCorrespondenceStatusHistory references per call
    sdp_delivery_delay: timedelta = timedelta(minutes=1)  # letter handed over -> delivered to the mailbox


