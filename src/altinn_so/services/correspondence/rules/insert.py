"""InsertCorrespondence: validate, store, notify and give a receipt (docs/behaviour/correspondence.md).

Everything is checked and every notification rendered before anything is
stored; a fault leaves no trace. Validation reports the codes Altinn documents
(40001-40019), 5 for a service of another owner, and the
notification codes of docs/behaviour/notifications.md. A reservable message to a person reserved in KRR
is stored as Reserved and notifies nobody. Digital post to citizens (SDP/DPI)
is validated and recorded with a plausible status (see ``_plan_sdp``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from altinn_so.domain.ownership import checked_system_user_code
from altinn_so.domain.archive import CORRELATED, ArchiveRepository, ShipmentStatusEntry
from altinn_so.domain.auth import Caller
from altinn_so.domain.case_links import CaseLinks
from altinn_so.domain.catalog import CatalogRepository, LANGUAGES, Service
from altinn_so.domain.clock import Clock, as_aware
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.ids import is_organisation_number
from altinn_so.domain.notifications.engine import NotificationEngine, Rules, require_valid_email, require_valid_mobile
from altinn_so.domain.notifications.model import Channel, NotificationOutcome, OutboxRepository
from altinn_so.domain.notifications.receivers import no_address_error
from altinn_so.domain.receipts import OWNER_PARTY, Receipt, ReceiptService, ReceiptStatus, Reference
from altinn_so.domain.registry import Organisation, Person, RegistryRepository, reportee_number, resolve_reportee
from altinn_so.domain.values import INT32_MAX, INT32_MIN, evolve
from .access import owned_correspondence_service
from .model import (Correspondence, CorrespondenceRepository, CorrespondenceRequest, CorrespondenceSettings,
                    CorrespondenceStatus, SdpEvent, SdpRequest, SdpShipment, SdpStatus, StatusChange)

SAVED = "Correspondence Saved Successfully"


class Inserter:
    def __init__(self, store: CorrespondenceRepository, receipts: ReceiptService, engine: NotificationEngine,
                 outbox: OutboxRepository, registry: RegistryRepository, catalog: CatalogRepository, clock: Clock,
                 transaction, settings: CorrespondenceSettings = CorrespondenceSettings(),
                 archive: ArchiveRepository | None = None, cases: CaseLinks = CaseLinks()):
        self.store = store
        self.cases = cases
        self.archive = archive  # the core's archive: a correspondence may correlate an archived form task
        self.receipts = receipts
        self.engine = engine
        self.outbox = outbox
        self.registry = registry
        self.catalog = catalog
        self.clock = clock
        self._transaction = transaction
        self.settings = settings

    # -- InsertCorrespondence ----------------------------------------------------------------------------

    def insert(self, caller: Caller, request: CorrespondenceRequest, *, allow_priority_transport: bool = False,
               system_user_code_required: bool = True) -> Receipt:
        """Validate and store a correspondence, render its notifications and return its receipt.

        Everything is checked and rendered before anything is stored; a fault leaves no trace.
        """
        owner = caller.owner
        system_user_code = checked_system_user_code(caller, request.system_user_code,
                                                    required=system_user_code_required)
        if not request.senders_reference:
            raise AltinnError(ErrorCode.EXTERNAL_REFERENCE_CANNOT_BE_NULL, "ExternalShipmentReference cannot be null.")
        service = self._service(caller, request.service_code, request.service_edition)
        if not request.reportee:
            raise AltinnError(ErrorCode.REPORTEE_CANNOT_BE_NULL, "Reportee cannot be null.")
        reportee = resolve_reportee(self.registry, request.reportee)
        if not isinstance(reportee, (Person, Organisation)):
            raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER,
                              f"{request.reportee} is neither a national identity number nor an organisation number.")
        if isinstance(reportee, Person) and reportee.confidential_address:
            raise AltinnError(ErrorCode.PERSON_HAS_STRICTLY_CONFIDENTIAL_ADDRESS,
                              "The person has a strictly confidential address.")
        self._check_content(request)
        on_behalf_of = self._on_behalf_of(request.on_behalf_of)
        if request.case_id is not None:  # the correspondence joins the reportee's collaboration case
            self.cases.check(owner.code, request.case_id, reportee_number(reportee))
        now = self.clock.now()
        sdp_plan = self._plan_sdp(request, reportee, now) if request.sdp is not None else None
        creates_message = sdp_plan.creates_message if sdp_plan else True
        reserved = bool(request.is_reservable) and isinstance(reportee, Person) and reportee.reserved

        # Notifications are checked and rendered before the transaction (which holds the store's write lock:
        # the less it does, the more calls run side by side); only their ids and origin are filled in there.
        # Without an Altinn message they are never sent, but they are still checked.
        notifications = self._prepare_notifications(caller, request, service, allow_priority_transport)

        with self._transaction():
            # The receipt first: the correspondence is then written once, knowing its receipt.
            status, text = (ReceiptStatus.OK, SAVED) if creates_message else sdp_plan.receipt
            receipt = self.receipts.create("Correspondence", status, text, [
                Reference("ExternalShipmentReference", request.senders_reference),
                Reference(OWNER_PARTY, owner.orgno),
            ])
            correspondence = None
            if creates_message:
                correspondence = self.store.add_correspondence(Correspondence(
                    id=0, owner=owner.code, service_code=service.code, service_edition=service.edition,
                    reportee=request.reportee, senders_reference=request.senders_reference, created_at=now,
                    status_changes=(StatusChange(CorrespondenceStatus.CREATED, now),)
                    + ((StatusChange(CorrespondenceStatus.RESERVED, now),) if reserved else ()),
                    receipt_id=receipt.id, system=caller.system.username if caller.system else None,
                    system_user_code=system_user_code, language=str(request.language).strip(),
                    title=request.title, summary=request.summary, body=request.body,
                    custom_message_data=request.custom_message_data,
                    binary_attachments=tuple(request.binary_attachments),
                    xml_attachments=tuple(request.xml_attachments),
                    visible_at=as_aware(request.visible_at) if request.visible_at else now,
                    allow_system_delete_at=_aware(request.allow_system_delete_at), due_at=_aware(request.due_at),
                    archive_reference=request.archive_reference, reply_options=tuple(request.reply_options),
                    allow_forwarding=True if request.allow_forwarding is None else request.allow_forwarding,
                    message_sender=request.message_sender or (on_behalf_of.name if on_behalf_of else owner.name),
                    is_reservable=bool(request.is_reservable), on_behalf_of=request.on_behalf_of,
                    case_id=request.case_id,
                ))
                self._correlate(owner.code, request.archive_reference, now)
                # validated and rendered even when reserved; the engine then renders nothing to send
                ids = self.outbox.next_notification_ids(len(notifications))
                self.outbox.add_messages([evolve(message, notification_id=number, origin=correspondence.origin)
                                          for outcome, number in zip(notifications, ids)
                                          for message in outcome.messages])
            if sdp_plan is None:
                return receipt  # new: it has no sub-receipts
            self.store.add_sdp(sdp_plan.shipment(  # it names the correspondence (the one link between them)
                owner.code, service, request.reportee, request.senders_reference,
                correspondence.id if correspondence else None))
            # The letter's sub-receipt: lookups by the shipment reference keep finding the main receipt.
            letter = self.receipts.create("Correspondence", sdp_plan.letter_status, sdp_plan.letter_text,
                                          [Reference(OWNER_PARTY, owner.orgno)], parent_id=receipt.id)
            return replace(receipt, sub_receipts=(letter,))

    def _correlate(self, owner: str, archive_reference: str | None, now) -> None:
        """A correspondence naming one of the owner's archived form tasks marks it Correlated in the task's
        shipment status log, at the insert's time; any other reference is kept on the message only (D87)."""
        reference = (archive_reference or "").strip()
        if self.archive is None or not reference:
            return
        task = self.archive.get_archived(reference)
        if task is not None and task.owner == owner:
            self.archive.log_shipment(ShipmentStatusEntry(reference, now, CORRELATED, f"Correspondence|{reference}"))

    def _service(self, caller: Caller, code: str | None, edition: str | int | None) -> Service:
        if not code:
            raise AltinnError(ErrorCode.EXTERNAL_SERVICE_CODE_CANNOT_BE_NULL, "ServiceCode cannot be null.")
        try:
            edition_number = int(str(edition).strip())
            if not INT32_MIN <= edition_number <= INT32_MAX:
                raise ValueError
        except (TypeError, ValueError):
            raise AltinnError(ErrorCode.SERVICE_IS_NOT_VALID,
                              f"ServiceEdition '{edition}' is not a valid service edition.") from None
        return owned_correspondence_service(self.catalog, caller, code, edition_number)

    @staticmethod
    def _check_content(request: CorrespondenceRequest) -> None:
        try:
            language = int(str(request.language).strip())
        except (TypeError, ValueError):
            language = None
        if language not in LANGUAGES:
            raise AltinnError(ErrorCode.INVALID_LANGUAGE_CODE,
                              f"Invalid LanguageCode '{request.language}'. Use 1033, 1044 or 2068.")
        for value, code, name in ((request.title, ErrorCode.MESSAGE_TITLE_CANNOT_BE_NULL, "MessageTitle"),
                                  (request.summary, ErrorCode.MESSAGE_SUMMARY_CANNOT_BE_NULL, "MessageSummary"),
                                  (request.body, ErrorCode.MESSAGE_BODY_CANNOT_BE_NULL, "MessageBody")):
            if not value:
                raise AltinnError(code, f"{name} cannot be null.")

    def _on_behalf_of(self, orgno: str | None) -> Organisation | None:
        if orgno is None or orgno == "":
            return None
        if not is_organisation_number(orgno):
            raise AltinnError(ErrorCode.GENERAL_ERROR, f"OnBehalfOfOrgNr '{orgno}' is not a valid organisation number.")
        return self.registry.get_organisation(orgno)

    def _prepare_notifications(self, caller: Caller, request: CorrespondenceRequest, service: Service,
                               allow_priority_transport: bool) -> list[NotificationOutcome]:
        """Each notification validated and rendered (ids and origin are the stored correspondence's)."""
        rules = Rules(allow_priority_transport=allow_priority_transport, strict_both=False)
        return [self.engine.prepare(caller.owner, replace(notification, reportee_number=request.reportee,
                                                          is_reservable=bool(request.is_reservable)),
                                    rules=rules, linked_service=service)
                for notification in request.notifications]

    # -- SDP (digital post to citizens) ------------------------------------------------------------------

    def _plan_sdp(self, request: CorrespondenceRequest, reportee, now: datetime) -> "_SdpPlan":
        sdp = request.sdp
        if not isinstance(reportee, Person):
            raise AltinnError(ErrorCode.GENERAL_ERROR, "SdpOptions can only be used for correspondence to persons.")
        if sdp.setting not in ("CopyAltinn", "ForwardOnly"):
            raise AltinnError(ErrorCode.GENERAL_ERROR, "SdpOptions.SdpSetting must be CopyAltinn or ForwardOnly.")
        if not request.binary_attachments:
            raise AltinnError(ErrorCode.GENERAL_ERROR, "Digital post needs at least one binary attachment.")
        if not sdp.primary_document or sdp.primary_document not in {a.file_name for a in request.binary_attachments}:
            raise AltinnError(ErrorCode.GENERAL_ERROR,
                              f"PrimaryDocumentFileName '{sdp.primary_document}' must equal the FileName of one of "
                              "the binary attachments.")
        notices = []
        for channel, notice, limit in (("Email", sdp.email, 500), ("SMS", sdp.sms, 700)):
            if notice is None:
                continue
            if not notice.text or len(notice.text) > limit:
                raise AltinnError(ErrorCode.GENERAL_ERROR,
                                  f"The {channel} notification text of digital post must have 1 to {limit} characters.")
            if any(not 0 <= days <= 25 for days in notice.repetitions):
                raise AltinnError(ErrorCode.GENERAL_ERROR, "DaysDelayed must be between 0 and 25.")
            address = notice.address or (reportee.email if channel == "Email" else reportee.mobile)
            if not address:
                error = no_address_error(reportee, Channel.SMS if channel == "SMS" else Channel.EMAIL)
                raise AltinnError(error.error_id, f"No {channel} address for the digital post notification: "
                                                  "none given and none in KRR.")
            if channel == "Email":
                require_valid_email(address)
            else:
                require_valid_mobile(address)
            notices.append((channel, address, tuple(notice.repetitions)))

        # CopyAltinn always makes the Altinn message. ForwardOnly makes none when the letter goes out; when it
        # cannot (no mailbox, or reserved in KRR), BackupAltinn (default true) decides.
        copy = sdp.setting == "CopyAltinn"
        backup = True if sdp.backup_altinn is None else sdp.backup_altinn
        if reportee.reserved:
            events = (SdpEvent(SdpStatus.RESERVED, now),)
            letter = "No letter was sent: the reportee is reserved against digital communication (KRR)."
            creates_message = copy or backup
        elif reportee.digital_mailbox:
            events = (SdpEvent(SdpStatus.SENT, now),
                      SdpEvent(SdpStatus.DELIVERED, now + self.settings.sdp_delivery_delay))
            letter = f"Letter sent to the reportee's digital mailbox ({reportee.digital_mailbox})."
            creates_message = copy
        else:
            events = (SdpEvent(SdpStatus.NO_MAILBOX, now),)
            letter = "No letter was sent: the reportee has no digital mailbox."
            creates_message = copy or backup
        return _SdpPlan(sdp, now, events, letter, creates_message, tuple(notices))


def _aware(value: datetime | None) -> datetime | None:
    return as_aware(value) if value is not None else None


@dataclass(frozen=True)
class _SdpPlan:
    request: SdpRequest
    now: datetime
    events: tuple[SdpEvent, ...]
    letter_text: str
    creates_message: bool
    notices: tuple

    @property
    def letter_status(self) -> ReceiptStatus:
        return ReceiptStatus.OK if self.events[0].status is SdpStatus.SENT else ReceiptStatus.REJECTED

    @property
    def receipt(self) -> tuple[ReceiptStatus, str]:
        """The main receipt when no Altinn message is created."""
        if self.creates_message or self.events[0].status is SdpStatus.SENT:
            return ReceiptStatus.OK, "Correspondence forwarded as digital post; no Altinn message was created."
        return ReceiptStatus.REJECTED, ("Correspondence Rejected: the reportee cannot receive digital post and "
                                        "BackupAltinn is false.")

    def shipment(self, owner: str, service: Service, reportee: str, reference: str,
                 correspondence_id: int | None) -> SdpShipment:
        return SdpShipment(id=0, owner=owner, service_code=service.code, service_edition=service.edition,
                           reportee=reportee, reference=reference, created_at=self.now, events=self.events,
                           setting=self.request.setting, primary_document=self.request.primary_document,
                           correspondence_id=correspondence_id, title=self.request.title, notices=self.notices)
