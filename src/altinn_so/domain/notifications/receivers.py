"""Who receives a notification: receiver end points resolved against the register (docs/behaviour/notifications.md).

An explicit ``ReceiverAddress`` is used as given, with no lookup. Without one:
a person gets the KRR contact data, a self-registered user their profile data,
an organisation its official notification addresses (a sub-unit without any
falls back to its main unit) plus, only when a ``Service`` is named, the
persons who registered contact data for the organisation and follow that service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..contact import canonical_mobile
from ..errors import AltinnError, ErrorCode
from ..registry import Organisation, Reportee
from .model import Channel, EndPointRequest, Recipient, ServiceRef, TransportType


@dataclass(frozen=True)
class ContactPoints:
    emails: tuple[tuple[str, str], ...]  # (name, address)
    mobiles: tuple[tuple[str, str], ...]


def contact_points(reportee: Reportee, service: ServiceRef | None,
                   find_organisation: Callable[[str], Organisation | None]) -> ContactPoints:
    if isinstance(reportee, Organisation):
        official = reportee
        if not reportee.emails and not reportee.mobiles and reportee.parent:
            official = find_organisation(reportee.parent) or reportee
        emails = [(official.name, e) for e in official.emails]
        mobiles = [(official.name, m) for m in official.mobiles]
        if service is not None:
            for contact in reportee.contacts:
                if contact.follows(service.code, service.edition):
                    if contact.email:
                        emails.append((contact.name, contact.email))
                    if contact.mobile:
                        mobiles.append((contact.name, contact.mobile))
        return ContactPoints(tuple(emails), tuple(mobiles))
    name = reportee.name
    return ContactPoints(
        emails=((name, reportee.email),) if reportee.email else (),
        mobiles=((name, reportee.mobile),) if reportee.mobile else (),
    )


def no_address_error(reportee: Reportee, channel: Channel) -> AltinnError:
    """The documented code for "nothing to send to on this channel"."""
    if isinstance(reportee, Organisation):
        return AltinnError(ErrorCode.ORGANISATION_HAS_NO_ADDRESS,
                           f"Organisation {reportee.orgno} has no notification address for {channel.value}.")
    if channel is Channel.SMS:
        return AltinnError(ErrorCode.NO_MOBILE_NUMBER,
                           "No mobile number was found for the reportee.")
    return AltinnError(ErrorCode.REPORTEE_HAS_NO_ADDRESS,
                       f"The reportee has no notification address for {channel.value}.")


# Transports that use one channel, the other when the first has no address: (SMS first?, ErrorID, name).
_ONE_OF = {
    TransportType.SMS_PREFERRED: (True, ErrorCode.SMS_PREFERRED_NO_ENDPOINT, "SMSPreferred"),
    TransportType.EMAIL_PREFERRED: (False, ErrorCode.EMAIL_PREFERRED_NO_ENDPOINT, "EmailPreferred"),
    TransportType.PRIORITY_EMAIL_SMS_REMINDER: (False, ErrorCode.PRIORITY_EMAIL_SMS_NO_ENDPOINT,
                                                "PriorityEmailSMSReminder"),
}


class ReceiverResolver:
    def __init__(self, find_organisation: Callable[[str], Organisation | None]):
        self._find_organisation = find_organisation

    def resolve(self, reportee: Reportee, endpoints: list[EndPointRequest], *, service: ServiceRef | None,
                strict_both: bool, reminder: bool = False) -> list[Recipient]:
        """Recipients for validated end points, without duplicates, in request order.

        ``strict_both``: Both needs an e-mail address *and* a mobile number
        (standalone notifications); otherwise Both means "where possible"
        (correspondence and prefill). ``reminder`` selects the second phase of
        PriorityEmailSMSReminder.
        """
        recipients: list[Recipient] = []
        seen: set[tuple[Channel, str]] = set()
        points: ContactPoints | None = None
        for endpoint in endpoints:
            transport = TransportType(endpoint.transport)
            if endpoint.address:
                channel = Channel.SMS if transport is TransportType.SMS else Channel.EMAIL
                found = [Recipient(channel, endpoint.address, reportee.name, from_profile=False)]
            else:
                if points is None:
                    points = contact_points(reportee, service, self._find_organisation)
                found = self._lookup(reportee, transport, points, strict_both, reminder)
            for recipient in found:
                identity = _identity(recipient)
                if identity not in seen:
                    seen.add(identity)
                    recipients.append(recipient)
        return recipients

    def _lookup(self, reportee: Reportee, transport: TransportType, points: ContactPoints, strict_both: bool,
                reminder: bool) -> list[Recipient]:
        emails = [Recipient(Channel.EMAIL, addr, name, True) for name, addr in points.emails]
        mobiles = [Recipient(Channel.SMS, addr, name, True) for name, addr in points.mobiles]

        if transport is TransportType.SMS:
            if not mobiles:
                raise no_address_error(reportee, Channel.SMS)
            return mobiles
        if transport is TransportType.EMAIL:
            if not emails:
                raise no_address_error(reportee, Channel.EMAIL)
            return emails
        if transport is TransportType.BOTH:
            if (strict_both and not (emails and mobiles)) or not (emails or mobiles):
                raise AltinnError(ErrorCode.BOTH_REQUIRES_EMAIL_AND_SMS,
                                  "TransportType Both requires both an e-mail address and a mobile number "
                                  "for the reportee.")
            return emails + mobiles
        if transport in _ONE_OF:
            sms_first, code, name = _ONE_OF[transport]
            if transport is TransportType.PRIORITY_EMAIL_SMS_REMINDER:
                sms_first = reminder  # the first notice as EmailPreferred, the reminder as SMSPreferred
            preferred, fallback = (mobiles, emails) if sms_first else (emails, mobiles)
            if not (preferred or fallback):
                raise AltinnError(code, f"{name}: neither an e-mail nor an SMS end point could be generated "
                                        "for the reportee.")
            return preferred or fallback
        raise AssertionError(f"unvalidated transport {transport}")  # IM is rejected before resolution


def _identity(recipient: Recipient) -> tuple[Channel, str]:
    """The same phone or mailbox however it is written gets one message."""
    if recipient.channel is Channel.SMS:
        return recipient.channel, canonical_mobile(recipient.address)
    return recipient.channel, recipient.address.strip().lower()
