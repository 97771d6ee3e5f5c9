"""PreFill: prefilled form sets and the form tasks they instantiate (docs/behaviour/prefill.md).

``submit`` is SubmitAndInstantiatePrefilledFormTask: one prefilled form task, checked whole before anything is
stored (a fault leaves no trace), then stored as a prefilled set (``doSaveFormTask``), made a form task in the
reportee's worklist (``doinstantiateFormTask``, a core reportee element) and notified (only then). ``submit_batch``
is SubmitPrefilledFormTasks: the batch is received at once and processed in the background (``process_batches``,
the clock's due work), each entry checked and stored on its own with its sub-receipt. Altinn documents no ErrorIDs
for prefill; the ones used here are chosen from its global list (decisions D31-D36).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, Protocol

from altinn_so.domain.ownership import checked_system_user_code, owned_service
from altinn_so.domain.auth import Caller
from altinn_so.domain.case_links import CaseLinks
from altinn_so.domain.catalog import CatalogRepository, FormDefinition, Service
from altinn_so.domain.clock import Clock, as_aware
from altinn_so.domain.elements import ACTIVE, FORM_TASK, ElementAttachment, ElementForm, ReporteeElement, \
    ReporteeElementRepository
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.notifications.engine import NotificationEngine, Rules
from altinn_so.domain.notifications.model import NotificationOutcome, OutboxRepository
from altinn_so.domain.receipts import OWNER_PARTY, Receipt, ReceiptService, ReceiptStatus, Reference
from altinn_so.domain.registry import Person, RegistryRepository, reportee_number, resolve_reportee
from altinn_so.domain.values import evolve

from .batches import PendingBatch
from .requests import InstantiateOptions, PrefillAttachmentRequest, PrefillFormRequest, PrefillTaskRequest

RECEIPT_TYPE = "PreFill"
SAVED = "PreFill saved successfully"
VALIDATED = "PreFill validated successfully; nothing was stored (doSaveFormTask and doinstantiateFormTask false)"
RESERVED = ("The reportee {0} is reserved against digital communication in KRR and the form task is reservable: "
            "nothing was stored.")
RECEIVED = ("Received {0} prefilled form tasks: each is checked and stored in the background, and this receipt "
            "gives the outcome of each when that is done.")
BATCHES_PER_RUN = 20  # batches processed by one run of the clock's due work; the next run takes the rest
BATCH_REFERENCE = "BatchReference"  # the externalBatchId
WORKFLOW_REFERENCE = "WorkFlowReference"  # the ReporteeElementID of the instantiated form task

# (FormDataXML, the form's XML Schema or None) -> what is wrong with the XML, or None (``form_xml``)
FormXmlCheck = Callable[[str, "str | None"], "str | None"]
# Rules of prefill notifications: as correspondence's (TransportType Both means "where possible"); the 2009/10
# contract PreFill uses has no PriorityEmailSMSReminder.
_NOTIFICATION_RULES = Rules(allow_priority_transport=False, strict_both=False)


# -- state ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrefilledSet:
    """A stored prefilled form set: one per service, reportee and identity fields (a new one replaces it)."""

    id: int
    owner: str
    service_code: str
    service_edition: int
    reportee: str
    identity_key: str  # the identity fields, "index=value" joined by "&" in index order; "" when none
    created_at: datetime
    external_batch_id: str
    shipment_reference: str
    senders_reference: str | None
    system_user_code: str
    valid_from: datetime
    valid_to: datetime
    forms: tuple[ElementForm, ...]
    attachments: tuple[dict, ...] = ()  # name, file_name, attachment_type, senders_reference, size
    identity_fields: tuple[tuple[str, str], ...] = ()
    is_reservable: bool = False
    notifications: int = 0  # how many notifications it asked for
    receipt_id: int = 0
    element_id: int | None = None  # the worklist element instantiated from it, if any

    def to_dict(self) -> dict:
        return {
            "id": self.id, "owner": self.owner, "service_code": self.service_code,
            "service_edition": self.service_edition, "reportee": self.reportee, "identity_key": self.identity_key,
            "created_at": self.created_at.isoformat(), "external_batch_id": self.external_batch_id,
            "shipment_reference": self.shipment_reference, "senders_reference": self.senders_reference,
            "system_user_code": self.system_user_code, "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(), "forms": [f.to_dict() for f in self.forms],
            "attachments": list(self.attachments), "identity_fields": [list(f) for f in self.identity_fields],
            "is_reservable": self.is_reservable, "notifications": self.notifications,
            "receipt_id": self.receipt_id, "element_id": self.element_id,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "PrefilledSet":
        return cls(
            id=int(data.get("id") or 0), owner=data["owner"], service_code=data["service_code"],
            service_edition=int(data["service_edition"]), reportee=data["reportee"],
            identity_key=data["identity_key"], created_at=datetime.fromisoformat(data["created_at"]),
            external_batch_id=data["external_batch_id"], shipment_reference=data["shipment_reference"],
            senders_reference=data.get("senders_reference"), system_user_code=data["system_user_code"],
            valid_from=datetime.fromisoformat(data["valid_from"]), valid_to=datetime.fromisoformat(data["valid_to"]),
            forms=tuple(ElementForm.from_dict(f) for f in data.get("forms") or ()),
            attachments=tuple(data.get("attachments") or ()),
            identity_fields=tuple((i, v) for i, v in data.get("identity_fields") or ()),
            is_reservable=bool(data.get("is_reservable")), notifications=int(data.get("notifications") or 0),
            receipt_id=int(data.get("receipt_id") or 0), element_id=data.get("element_id"),
        )


class PrefillRepository(Protocol):
    def put_set(self, prefilled: PrefilledSet) -> PrefilledSet: ...  # replaces the set with the same key
    def find_set(self, service_code: str, service_edition: int, reportee: str,
                 identity_key: str) -> PrefilledSet | None: ...
    def sets_of(self, service_code: str, service_edition: int, reportee: str) -> list[PrefilledSet]: ...
    def list_sets(self, newest: int | None = None) -> list[PrefilledSet]: ...
    # SubmitPrefilledFormTasks' batches waiting to be processed, oldest first; ``take_batch`` removes one and
    # says whether it was still there (two workers never process one batch).
    def add_batch(self, batch: PendingBatch) -> PendingBatch: ...
    def pending_batches(self, limit: int) -> list[PendingBatch]: ...
    def take_batch(self, batch_id: int) -> bool: ...


@dataclass(frozen=True)
class _Checked:
    """A task that passed every check: what storing it needs."""

    service: Service
    reportee: str
    reserved: bool
    request: PrefillTaskRequest
    notifications: tuple[NotificationOutcome, ...]


def identity_key(fields: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    return "&".join(f"{index}={value}" for index, value in sorted(fields, key=lambda f: (f[0] or "", f[1] or "")))


class PrefillService:
    def __init__(self, store: PrefillRepository, elements: ReporteeElementRepository, receipts: ReceiptService,
                 engine: NotificationEngine, outbox: OutboxRepository, registry: RegistryRepository,
                 catalog: CatalogRepository, clock: Clock, transaction, form_xml_check: FormXmlCheck,
                 cases: CaseLinks = CaseLinks()):
        self.store = store
        self.elements = elements
        self.receipts = receipts
        self.engine = engine
        self.outbox = outbox
        self.registry = registry
        self.catalog = catalog
        self.clock = clock
        self._transaction = transaction
        self._form_xml_check = form_xml_check
        self.cases = cases

    # -- SubmitAndInstantiatePrefilledFormTask -------------------------------------------------------------

    def submit(self, caller: Caller, external_batch_id: str | None, task: PrefillTaskRequest,
               options: InstantiateOptions = InstantiateOptions()) -> Receipt:
        """Check one prefilled form task whole, then store and instantiate it as asked; its PreFill receipt."""
        batch_id = self._batch_id(external_batch_id)
        checked = self._check(caller, task)
        if options.case_id is not None:  # the form task joins the reportee's collaboration case
            self.cases.check(caller.owner.code, options.case_id, checked.reportee)
        with self._transaction():
            return self._store(caller, batch_id, checked, options)

    # -- SubmitPrefilledFormTasks ----------------------------------------------------------------------------

    def submit_batch(self, caller: Caller, external_batch_id: str | None, system_user_code: str | None,
                     tasks: list[PrefillTaskRequest]) -> Receipt:
        """Take the batch, as Altinn did, for processing in the background (``process_batches``): its PreFill
        receipt, found by its BatchReference, says it was received; its outcome comes later, on that receipt."""
        batch_id = self._batch_id(external_batch_id)
        checked_system_user_code(caller, system_user_code, name="SystemUserCode")
        with self._transaction():
            receipt = self.receipts.create(RECEIPT_TYPE, ReceiptStatus.OK, RECEIVED.format(len(tasks)), [
                Reference(BATCH_REFERENCE, batch_id), Reference(OWNER_PARTY, caller.owner.orgno)])
            self.store.add_batch(PendingBatch(
                id=0, owner=caller.owner.code, system=caller.system.username if caller.system else None,
                external_batch_id=batch_id, receipt_id=receipt.id, received_at=self.clock.now(),
                tasks=tuple(tasks)))
        return receipt

    def process_batches(self, limit: int = BATCHES_PER_RUN) -> int:
        """Process the batches waiting, oldest first (the clock's due work): each task checked and stored (never
        instantiated, never notified) on its own with its sub-receipt in order, and the batch's receipt given
        the outcome. Each batch is one transaction, taken by one worker only. How many were processed."""
        done = 0
        for pending in self.store.pending_batches(limit):
            with self._transaction():
                if not self.store.take_batch(pending.id):  # another worker took it first
                    continue
                self._process(pending)
                done += 1
        return done

    def _process(self, pending: PendingBatch) -> None:
        owner = self.catalog.get_owner(pending.owner)
        if owner is None:  # the seed changed under the batch: nobody to process it for
            self.receipts.force_status(pending.receipt_id, ReceiptStatus.UNEXPECTED_ERROR.value,
                                       f"Service owner {pending.owner} no longer exists: nothing was processed.")
            return
        system = self.catalog.get_system(pending.system) if pending.system else None
        caller = Caller(owner, system)
        outcomes: list[_Checked | AltinnError] = []
        for task in pending.tasks:
            try:
                outcomes.append(self._check(caller, task))
            except AltinnError as error:
                outcomes.append(error)
        for task, outcome in zip(pending.tasks, outcomes):
            if isinstance(outcome, AltinnError):
                self.receipts.create(RECEIPT_TYPE, ReceiptStatus.VALIDATION_FAILED,
                                     f"ErrorID {outcome.error_id}: {outcome.message}",
                                     _task_references(task, caller), parent_id=pending.receipt_id)
            else:
                self._store(caller, pending.external_batch_id, outcome, InstantiateOptions(save=True),
                            parent_id=pending.receipt_id)
        failed = sum(isinstance(o, AltinnError) for o in outcomes)
        self.receipts.force_status(
            pending.receipt_id, (ReceiptStatus.VALIDATION_FAILED if failed else ReceiptStatus.OK).value,
            f"{len(outcomes) - failed} of {len(outcomes)} prefilled form tasks accepted")

    # -- checks, in the order they are reported -------------------------------------------------------------

    @staticmethod
    def _batch_id(external_batch_id: str | None) -> str:
        if not external_batch_id:
            raise AltinnError(ErrorCode.EXTERNAL_REFERENCE_CANNOT_BE_NULL, "externalBatchId cannot be null.")
        return external_batch_id

    def _check(self, caller: Caller, task: PrefillTaskRequest) -> _Checked:
        checked_system_user_code(caller, task.system_user_code, name="ServiceOwnerCode")
        if not task.shipment_reference:
            raise AltinnError(ErrorCode.EXTERNAL_REFERENCE_CANNOT_BE_NULL, "ExternalShipmentReference cannot be null.")
        service = self._service(caller, task.service_code, task.service_edition)
        if not task.reportee:
            raise AltinnError(ErrorCode.REPORTEE_CANNOT_BE_NULL, "Reportee cannot be null.")
        reportee = resolve_reportee(self.registry, task.reportee)
        for value, name in ((task.valid_from, "ValidFromDate"), (task.valid_to, "ValidToDate")):
            if value is None:
                raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, f"{name} cannot be null.")
        if as_aware(task.valid_to) <= as_aware(task.valid_from):
            raise AltinnError(ErrorCode.GENERAL_ERROR, "ValidToDate must be later than ValidFromDate.")
        if not task.forms:
            raise AltinnError(ErrorCode.FORM_DATA_IS_NOT_VALID, "PreFillForms must hold at least one form.")
        for form in task.forms:
            check_form(service, form, self._form_xml_check)
        reserved = bool(task.is_reservable) and isinstance(reportee, Person) and reportee.reserved
        number = reportee_number(reportee)
        # Checked and rendered now; sent only when the task is instantiated (see _store).
        notifications = tuple(
            self.engine.prepare(caller.owner, replace(n, reportee_number=number,
                                                      is_reservable=bool(task.is_reservable)),
                                rules=_NOTIFICATION_RULES, linked_service=service)
            for n in task.notifications)
        return _Checked(service, number, reserved, task, notifications)

    def _service(self, caller: Caller, code: str | None, edition: int | None) -> Service:
        if not code:
            raise AltinnError(ErrorCode.EXTERNAL_SERVICE_CODE_CANNOT_BE_NULL, "ExternalServiceCode cannot be null.")
        if edition is None:
            raise AltinnError(ErrorCode.NOT_A_VALID_SERVICE, f"Service {code} edition {edition} does not exist.")
        return owned_service(self.catalog, caller, code, edition, kind="form", unknown=ErrorCode.NOT_A_VALID_SERVICE)

    # -- storing ---------------------------------------------------------------------------------------------

    def _store(self, caller: Caller, batch_id: str, checked: _Checked, options: InstantiateOptions, *,
               parent_id: int = 0) -> Receipt:
        task, service = checked.request, checked.service
        references = _task_references(task, caller)
        if not parent_id:  # a batch's sub-receipt leaves the BatchReference to its parent, which it finds
            references.append(Reference(BATCH_REFERENCE, batch_id))
        if checked.reserved:
            return self.receipts.create(RECEIPT_TYPE, ReceiptStatus.REJECTED, RESERVED.format(checked.reportee),
                                        references, parent_id=parent_id)
        now = self.clock.now()
        forms = tuple(ElementForm(f.data_format_id, int(f.data_format_version), f.form_data_xml, f.senders_reference)
                      for f in task.forms)
        element = None
        if options.instantiate:
            element = self.elements.add_element(ReporteeElement(
                id=0, owner=service.owner, service_code=service.code, service_edition=service.edition,
                reportee=checked.reportee, kind=FORM_TASK, status=ACTIVE, created_at=now,
                visible_at=max(now, as_aware(task.valid_from)),
                due_at=as_aware(options.due_at) if options.due_at else None, case_id=options.case_id,
                forms=forms, on_behalf_of=options.on_behalf_of or None))
            if task.attachments:
                element = self._with_attachments(element, task.attachments, now)
            references.append(Reference(WORKFLOW_REFERENCE, str(element.id)))
            if not task.validate_notifications_only:
                ids = self.outbox.next_notification_ids(len(checked.notifications))
                self.outbox.add_messages([evolve(message, notification_id=number, origin=element_origin(element.id))
                                          for outcome, number in zip(checked.notifications, ids)
                                          for message in outcome.messages])
        text = SAVED if options.save or options.instantiate else VALIDATED
        receipt = self.receipts.create(RECEIPT_TYPE, ReceiptStatus.OK, text, references, parent_id=parent_id)
        if options.save:
            self.store.put_set(PrefilledSet(
                id=0, owner=service.owner, service_code=service.code, service_edition=service.edition,
                reportee=checked.reportee, identity_key=identity_key(task.identity_fields), created_at=now,
                external_batch_id=batch_id, shipment_reference=task.shipment_reference,
                senders_reference=task.senders_reference, system_user_code=task.system_user_code,
                valid_from=as_aware(task.valid_from), valid_to=as_aware(task.valid_to), forms=forms,
                attachments=tuple({"name": a.name, "file_name": a.file_name, "attachment_type": a.attachment_type,
                                   "senders_reference": a.senders_reference, "size": len(a.data or b"")}
                                  for a in task.attachments),
                identity_fields=tuple(task.identity_fields), is_reservable=bool(task.is_reservable),
                notifications=len(task.notifications), receipt_id=receipt.id,
                element_id=element.id if element else None))
        return receipt

    def _with_attachments(self, element: ReporteeElement, attachments: list[PrefillAttachmentRequest],
                          now: datetime) -> ReporteeElement:
        """The prefilled attachments become the form task's, as the end user finds them (their bytes kept apart)."""
        added = tuple(ElementAttachment(
            id=self.elements.add_attachment_data(element.id, a.data or b""), name=a.name or a.file_name or "",
            file_name=a.file_name or a.name or "", attachment_type=mime_type(a.attachment_type),
            size=len(a.data or b""), added_at=now, added_by="prefill", senders_reference=a.senders_reference)
            for a in attachments)
        element = evolve(element, attachments=added)
        self.elements.put_element(element)
        return element


# AttachmentType values whose MIME type the general rule (``mime_type``) would not give.
_MIME_TYPES = {"application_vnd_ms_excel": "application/vnd.ms-excel",
               "application_vnd_ms_powerpoint": "application/vnd.ms-powerpoint",
               "binary_octet_stream": "application/octet-stream", "formtask_pdf": "application/pdf"}
_NO_MIME_TYPE = {"application_None", "not_Applicable", "MTOM", "BASE64"}


def mime_type(attachment_type: str | None) -> str:
    """The MIME type an AttachmentType names: ``text_plain`` is text/plain, ``application_vnd_oasis_opendocument_text``
    application/vnd.oasis.opendocument.text; the ones that name none are application/octet-stream."""
    if not attachment_type or attachment_type in _NO_MIME_TYPE:
        return "application/octet-stream"
    if attachment_type in _MIME_TYPES:
        return _MIME_TYPES[attachment_type]
    kind, _, subtype = attachment_type.partition("_")
    return f"{kind}/{subtype.replace('_', '.')}"


def element_origin(element_id: int) -> str:
    """How the notifications of a worklist element are marked in the outbox."""
    return f"reportee-element:{element_id}"


def _task_references(task: PrefillTaskRequest, caller: Caller) -> list[Reference]:
    references = [Reference("ExternalShipmentReference", task.shipment_reference or "")]
    if task.senders_reference:
        references.append(Reference("SendersReference", task.senders_reference))
    return references + [Reference(OWNER_PARTY, caller.owner.orgno)]


def check_form(service: Service, form: PrefillFormRequest, xml_check: FormXmlCheck) -> FormDefinition:
    """A prefilled form is one of the service's forms, well-formed XML, without the ``etatid`` attribute and valid
    against the form's schema when the seed has one (ErrorID 40012 for each)."""
    definition = (service.form(form.data_format_id or "", form.data_format_version)
                  if form.data_format_version is not None else None)
    if definition is None:
        raise AltinnError(ErrorCode.FORM_DATA_IS_NOT_VALID,
                          f"DataFormatID {form.data_format_id} version {form.data_format_version} is not a form of "
                          f"service {service.code} edition {service.edition}.")
    if not form.form_data_xml:
        raise AltinnError(ErrorCode.FORM_DATA_IS_NOT_VALID, "FormDataXML cannot be empty.")
    problem = xml_check(form.form_data_xml, definition.schema)
    if problem:
        raise AltinnError(ErrorCode.FORM_DATA_IS_NOT_VALID,
                          f"FormDataXML of form {definition.data_format_id} {problem}")
    return definition
