"""Notification requests, resolved recipients and outbox messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Protocol

from ..values import _Blank


class TransportType(str, Enum):
    SMS = "SMS"
    EMAIL = "Email"
    IM = "IM"  # legacy, never delivered
    BOTH = "Both"
    SMS_PREFERRED = "SMSPreferred"
    EMAIL_PREFERRED = "EmailPreferred"
    PRIORITY_EMAIL_SMS_REMINDER = "PriorityEmailSMSReminder"  # from InsertCorrespondenceV3 / standalone V4


class Channel(str, Enum):
    """A concrete delivery channel; the wire calls these TransportType SMS and Email."""

    SMS = "SMS"
    EMAIL = "Email"


@dataclass(frozen=True)
class EndPointRequest:
    transport: str | None
    address: str | None = None


@dataclass(frozen=True)
class ServiceRef:
    code: str
    edition: int


@dataclass
class NotificationRequest:
    """One notification as a client asked for it, before any validation.

    ``None`` means the client left a field out; ``BLANK`` means it sent the
    element without a value. Standalone and correspondence notifications both
    arrive in this shape.
    """

    reportee_number: str | None
    notification_type: str | None
    language: int | str | None
    endpoints: list[EndPointRequest] | None
    text_tokens: list[str | None] | None = None
    from_address: str | None = None
    shipment_time: datetime | _Blank | None = None
    is_reservable: bool | None = None
    service: ServiceRef | None = None
    roles: list[str] = field(default_factory=list)  # accepted and ignored, as Altinn did
    use_owner_short_name_for_sms: bool | None = None


@dataclass(frozen=True)
class Recipient:
    """One actual receiver of a notification."""

    channel: Channel
    address: str
    name: str
    from_profile: bool  # the address was looked up, not given by the caller


@dataclass(frozen=True)
class OutboxMessage:
    """A notification message that Altinn would send, fully rendered."""

    notification_id: int
    origin: str  # "standalone", "correspondence:<id>", ...
    service_owner: str
    reportee: str
    recipient_name: str
    channel: Channel
    address: str
    sender: str
    subject: str | None
    body: str
    template: str
    language: int
    created_at: datetime
    scheduled_at: datetime
    is_reminder: bool = False
    from_profile: bool = False
    truncated: bool = False  # the SMS text was cut at the length limit
    missing_tokens: tuple[int, ...] = ()  # template placeholders no TextToken filled
    sent_at: datetime | None = None  # set when really delivered (SMTP or SMS webhook configured)
    delivery_error: str | None = None  # why the last delivery attempt failed
    id: int | None = None  # assigned by the outbox

    def sent_time(self, now: datetime) -> datetime | None:
        """When it was sent: on delivery, or once its scheduled time has passed; None while pending."""
        if self.sent_at is not None:
            return self.sent_at
        return self.scheduled_at if self.scheduled_at <= now else None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "notification_id": self.notification_id,
            "origin": self.origin,
            "service_owner": self.service_owner,
            "reportee": self.reportee,
            "recipient_name": self.recipient_name,
            "channel": self.channel.value,
            "address": self.address,
            "sender": self.sender,
            "subject": self.subject,
            "body": self.body,
            "template": self.template,
            "language": self.language,
            "created_at": self.created_at.isoformat(),
            "scheduled_at": self.scheduled_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "delivery_error": self.delivery_error,
            "is_reminder": self.is_reminder,
            "from_profile": self.from_profile,
            "truncated": self.truncated,
            "missing_tokens": list(self.missing_tokens),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "OutboxMessage":
        parse = datetime.fromisoformat
        return cls(
            id=data.get("id"),
            notification_id=int(data["notification_id"]),
            origin=data["origin"],
            service_owner=data["service_owner"],
            reportee=data["reportee"],
            recipient_name=data["recipient_name"],
            channel=Channel(data["channel"]),
            address=data["address"],
            sender=data["sender"],
            subject=data.get("subject"),
            body=data["body"],
            template=data["template"],
            language=int(data["language"]),
            created_at=parse(data["created_at"]),
            scheduled_at=parse(data["scheduled_at"]),
            sent_at=parse(data["sent_at"]) if data.get("sent_at") else None,
            delivery_error=data.get("delivery_error"),
            is_reminder=bool(data.get("is_reminder")),
            from_profile=bool(data.get("from_profile")),
            truncated=bool(data.get("truncated")),
            missing_tokens=tuple(data.get("missing_tokens") or ()),
        )


@dataclass(frozen=True)
class NotificationOutcome:
    """What became of one requested notification."""

    reportee_number: str
    notification_type: str
    recipients: tuple[Recipient, ...]  # first notices only; reminders are in ``messages``
    reserved: bool  # the person is reserved in KRR and the notification was reservable
    messages: tuple[OutboxMessage, ...]


@dataclass(frozen=True)
class OutboxFilter:
    reportee: str | None = None
    channel: Channel | None = None
    origin: str | None = None
    service_owner: str | None = None
    template: str | None = None


class OutboxRepository(Protocol):
    def add_messages(self, messages: list[OutboxMessage]) -> list[OutboxMessage]: ...
    def claim_due(self, now: datetime, channels: set[Channel], limit: int = 100) -> list[OutboxMessage]: ...
    def finish_delivery(self, message: OutboxMessage, *, sent_at: datetime | None, error: str | None) -> None: ...
    def list_messages(self, where: OutboxFilter = OutboxFilter()) -> list[OutboxMessage]: ...
    def messages_of(self, origins: list[str]) -> dict[str, list[OutboxMessage]]:
        """The messages of each origin, in id order (one query, not one per origin)."""
    def clear_messages(self) -> int: ...
    def next_notification_ids(self, count: int) -> list[int]: ...
