"""The notification engine shared by standalone notifications, correspondence and prefill.

``prepare`` validates one request, resolves its recipients and renders every
message (first notices and reminders) without touching state, so a caller
can check a whole batch before it stores anything: bad input loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import CatalogRepository, LANGUAGES, NotificationTemplate, Service, ServiceOwner
from ..clock import Clock, as_aware, days_later
from ..contact import MobileProblem, check_mobile_number, is_valid_email
from ..errors import AltinnError, ErrorCode
from ..registry import Person, RegistryRepository, Reportee, reportee_number, resolve_reportee
from ..values import BLANK
from .model import (Channel, EndPointRequest, NotificationOutcome, NotificationRequest, OutboxMessage, Recipient,
                    TransportType)
from .receivers import ReceiverResolver, no_address_error
from .texts import MacroContext, expand_macros, substitute_tokens

_ADDRESSLESS = {TransportType.BOTH, TransportType.SMS_PREFERRED, TransportType.EMAIL_PREFERRED,
                TransportType.PRIORITY_EMAIL_SMS_REMINDER}


@dataclass(frozen=True)
class NotificationSettings:
    sms_max_length: int = 700  # current Altinn docs; the 2017 guide said 140 with truncation
    default_email_sender: str = "noreply@altinn.no"
    default_sms_sender: str = "Altinn"


@dataclass(frozen=True)
class Rules:
    """How a caller's contract version treats notifications."""

    allow_priority_transport: bool = False  # PriorityEmailSMSReminder exists from standalone V4 / insert V3
    strict_both: bool = True  # Both needs e-mail and SMS (standalone) or means "where possible"


class NotificationEngine:
    def __init__(self, registry: RegistryRepository, catalog: CatalogRepository, clock: Clock,
                 settings: NotificationSettings = NotificationSettings()):
        self._registry = registry
        self._catalog = catalog
        self._clock = clock
        self.settings = settings
        self._receivers = ReceiverResolver(registry.get_organisation)

    def prepare(self, owner: ServiceOwner, request: NotificationRequest, *, rules: Rules, origin: str = "",
                linked_service: Service | None = None) -> NotificationOutcome:
        """Validate, resolve and render one notification; raises AltinnError with the documented code.

        Its messages are not numbered yet (notification id 0): the caller numbers them as it stores them, when
        the whole request has been checked."""
        notification_type = self._check_fields(request)
        language = _language(request.language)
        tokens = list(request.text_tokens or [])
        reportee = resolve_reportee(self._registry, request.reportee_number)
        service = self._check_service(owner, request)
        template = self._template(owner, notification_type, language)
        endpoints = self._check_endpoints(request.endpoints, rules)
        number = reportee_number(reportee)

        if request.is_reservable and isinstance(reportee, Person) and reportee.reserved:
            return NotificationOutcome(number, notification_type, (), reserved=True, messages=())

        now = self._clock.now()
        # A shipment time in the past means "now": a notice is never scheduled before it was asked for.
        shipment = max(as_aware(request.shipment_time), now) if request.shipment_time else now
        render = _Renderer(self, owner, request, template, language, tokens, reportee, number, origin,
                           linked_service or service, now)

        first = self._receivers.resolve(reportee, endpoints, service=request.service, strict_both=rules.strict_both)
        messages = render.messages(first, shipment, is_reminder=False)
        if not messages:
            # Every resolved receiver is on a channel the template has no text for.
            channel = first[0].channel if first else Channel.EMAIL
            raise AltinnError(no_address_error(reportee, channel).error_id,
                              f"Notification template '{template.name}' has no {channel.value} text in language "
                              f"{language}, so no receiver is left.")
        delivered = {(m.channel, m.address) for m in messages}
        recipients = tuple(r for r in first if (r.channel, r.address) in delivered)

        if template.reminder_days is not None:
            later = self._receivers.resolve(reportee, endpoints, service=request.service,
                                            strict_both=rules.strict_both, reminder=True)
            messages += render.messages(later, days_later(shipment, template.reminder_days), is_reminder=True)
        return NotificationOutcome(number, notification_type, recipients, reserved=False, messages=tuple(messages))

    # -- validation, in the order Altinn reports problems ------------------------------------------

    def _check_fields(self, request: NotificationRequest) -> str:
        if not request.notification_type:
            raise AltinnError(ErrorCode.NULL_OBJECT_REFERENCE, "NotificationType has no data.")
        if request.from_address is not None:
            if request.from_address == "":
                raise AltinnError(ErrorCode.NULL_OBJECT_REFERENCE, "FromAddress cannot be empty if defined.")
            if not is_valid_email(request.from_address):
                raise AltinnError(ErrorCode.INVALID_FROM_ADDRESS,
                                  f"FromAddress '{request.from_address}' must be a valid e-mail address.")
        if request.shipment_time is BLANK:
            raise AltinnError(ErrorCode.NULL_OBJECT_REFERENCE, "ShipmentDateTime cannot be empty if defined.")
        if _language(request.language) is None:
            raise AltinnError(ErrorCode.INVALID_LANGUAGE_CODE,
                              f"Invalid language code '{request.language}'. Use 1033, 1044 or 2068.")
        if request.text_tokens and any(token is None for token in request.text_tokens):
            raise AltinnError(ErrorCode.NULL_OBJECT_REFERENCE, "One or more TextTokens have an undefined TokenValue.")
        return request.notification_type

    def _check_service(self, owner: ServiceOwner, request: NotificationRequest) -> Service | None:
        if request.service is None:
            return None
        found = self._catalog.get_service(request.service.code, request.service.edition)
        if found is None:
            raise AltinnError(ErrorCode.NOT_A_VALID_SERVICE,
                              f"Service {request.service.code} edition {request.service.edition} does not exist.")
        if found.owner != owner.code:
            raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                              f"Service {found.code} edition {found.edition} is not owned by {owner.code}.")
        return found

    def _template(self, owner: ServiceOwner, name: str, language: int) -> NotificationTemplate:
        template = self._catalog.get_template(name)
        if template is None or not template.available_to(owner.code):
            raise AltinnError(ErrorCode.GENERAL_ERROR, f"Notification template '{name}' does not exist.")
        if language not in template.texts:
            raise AltinnError(ErrorCode.GENERAL_ERROR,
                              f"Notification template '{name}' has no text in language {language}.")
        return template

    def _check_endpoints(self, endpoints: list[EndPointRequest] | None, rules: Rules) -> list[EndPointRequest]:
        if not endpoints:
            raise AltinnError(ErrorCode.NULL_OBJECT_REFERENCE, "ReceiverEndPoints has no data.")
        for endpoint in endpoints:
            transport = _transport(endpoint.transport, rules)
            address = endpoint.address
            if not address:
                continue
            if transport in _ADDRESSLESS:
                raise AltinnError(ErrorCode.RECEIVER_ADDRESS_NOT_ALLOWED,
                                  f"ReceiverAddress must be empty when TransportType is {transport.value}.")
            if transport is TransportType.EMAIL:
                require_valid_email(address)
            if transport is TransportType.SMS:
                require_valid_mobile(address)
        return endpoints


class _Renderer:
    """Renders the messages of one notification for a list of recipients."""

    def __init__(self, engine: NotificationEngine, owner: ServiceOwner, request: NotificationRequest,
                 template: NotificationTemplate, language: int, tokens: list[str], reportee: Reportee,
                 number: str, origin: str, linked_service: Service | None, now):
        self.settings = engine.settings
        self.owner = owner
        self.request = request
        self.template = template
        self.text = template.texts[language]
        self.language = language
        self.tokens = tokens
        self.number = number
        self.origin = origin
        self.now = now
        self.macros = MacroContext(reportee, language, linked_service, engine._catalog.get_service)

    def _render(self, text: str, missing: set[int]) -> str:
        substituted, gaps = substitute_tokens(text, self.tokens)
        missing |= gaps
        return expand_macros(substituted, self.macros)

    def messages(self, recipients: list[Recipient], scheduled, *, is_reminder: bool) -> list[OutboxMessage]:
        out = []
        for recipient in recipients:
            missing: set[int] = set()
            truncated = False
            if recipient.channel is Channel.SMS:
                if self.text.sms is None:
                    continue  # no SMS text in this template: this receiver is dropped
                subject = None
                body = self._render(self.text.sms, missing)
                if len(body) > self.settings.sms_max_length:
                    body, truncated = body[: self.settings.sms_max_length], True
                sender = (self.owner.sms_sender_name if self.request.use_owner_short_name_for_sms else None) \
                    or self.settings.default_sms_sender
            else:
                if not self.text.has_email:
                    continue
                subject = self._render(self.text.email_subject or "", missing)
                body = self._render(self.text.email_body or "", missing)
                sender = self.request.from_address or self.template.email_sender or self.settings.default_email_sender
            out.append(OutboxMessage(
                notification_id=0, origin=self.origin, service_owner=self.owner.code,
                reportee=self.number, recipient_name=recipient.name, channel=recipient.channel,
                address=recipient.address, sender=sender, subject=subject, body=body,
                template=self.template.name, language=self.language, created_at=self.now, scheduled_at=scheduled,
                is_reminder=is_reminder, from_profile=recipient.from_profile, truncated=truncated,
                missing_tokens=tuple(sorted(missing)),
            ))
        return out


def require_valid_email(address: str) -> None:
    if not is_valid_email(address):
        raise AltinnError(ErrorCode.INVALID_EMAIL_ADDRESS, f"Invalid e-mail address '{address}'.")


def require_valid_mobile(address: str) -> None:
    problem = check_mobile_number(address)
    if problem is MobileProblem.UNKNOWN_COUNTRY_CODE:
        raise AltinnError(ErrorCode.INVALID_COUNTRY_CODE, f"Invalid country code in mobile number '{address}'.")
    if problem is MobileProblem.INVALID_NORWEGIAN_NUMBER:
        raise AltinnError(ErrorCode.INVALID_NORWEGIAN_MOBILE, f"Invalid Norwegian mobile number '{address}'.")


def _language(value) -> int | None:
    try:
        language = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return language if language in LANGUAGES else None


def _transport(value: str | None, rules: Rules) -> TransportType:
    try:
        transport = TransportType(value)
    except ValueError:
        transport = None
    if transport is None or transport is TransportType.IM or (
            transport is TransportType.PRIORITY_EMAIL_SMS_REMINDER and not rules.allow_priority_transport):
        raise AltinnError(ErrorCode.INVALID_FORMAT_SMS_AND_EMAIL,
                          f"Invalid TransportType '{value}'. TransportType must be SMS or Email, "
                          "or one of Both, SMSPreferred, EmailPreferred"
                          + (", PriorityEmailSMSReminder." if rules.allow_priority_transport else "."))
    return transport
