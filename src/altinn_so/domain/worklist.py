"""The end user's side of a form task: Altinn's portal, which no client called but tests drive.
(docs/behaviour/forms.md)

A reportee's worklist holds the form tasks instantiated for it (by PreFill or a subscription). Through the admin
API, the admin page and the pytest plugin a test acts as the end user: it opens a form task, changes its forms,
adds attachments, signs and submits it. Submitting archives the task under a new archive reference (``AR`` and a
number) with its approvers, writes a FormTask receipt the service owner can read, and hands the archived task to
every ``ArchiveListener`` (the download queue queues it), all in one transaction.

Mistakes are ``WorklistError``s (the admin API answers them 400, ``UnknownElement`` 404, ``NotActive`` 409): this
is a test harness's door, not a SOAP operation, so none of them is an Altinn fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from .archive import ORGANISATION, PERSON, SELF_REGISTERED_USER, ArchivedForm, ArchivedFormTask, ArchiveListener, \
    ArchiveRepository
from .catalog import CatalogRepository, Service
from .clock import Clock
from .errors import AltinnError
from .elements import ACTIVE, ARCHIVED, SECURITY_LEVELS, ElementAttachment, ElementForm, ReporteeElement, \
    ReporteeElementRepository, Signature
from .receipts import ARCHIVE_REFERENCE, OWNER_PARTY, ReceiptService, ReceiptStatus, Reference
from .registry import Organisation, Person, RegistryRepository, SelfRegisteredUser, resolve_reportee
from .values import evolve

FORM_TASK_RECEIPT = "FormTask"
WORKFLOW_REFERENCE = "WorkFlowReference"
ARCHIVED_TEXT = "Form task {0} archived"
DEFAULT_SECURITY_LEVEL = 2  # what logging in with MinID gave: "lessSensitive"
SELF_IDENTIFIED_LEVEL = 0  # a self-registered user logs in with a username and password only
DEFAULT_ATTACHMENT_TYPE = "application/octet-stream"
_MIME_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+\"-]+)*", re.ASCII)


class WorklistError(ValueError):
    """The end user asked for something the portal would not do."""


class UnknownElement(WorklistError):
    pass


class UnknownAttachment(UnknownElement):
    pass


class NotActive(WorklistError):
    """The form task is archived already, or not visible yet."""


@dataclass(frozen=True)
class FormXml:
    """What the worklist needs of a form's XML (``altinn_so.formxml`` gives them)."""

    problem: Callable[[str, "str | None"], "str | None"]  # (xml, schema) -> what is wrong, or None
    field_values: Callable[[str, tuple], dict]  # (xml, local names) -> {name: text} for the names found
    # (xml, {path: text}) -> the changed xml; a ValueError says which path names no single leaf element
    set_fields: Callable[[str, dict], str]


def _reportee_type(reportee) -> str:
    if isinstance(reportee, Person):
        return PERSON
    if isinstance(reportee, Organisation):
        return ORGANISATION
    return SELF_REGISTERED_USER


class WorklistService:
    def __init__(self, elements: ReporteeElementRepository, archive: ArchiveRepository, receipts: ReceiptService,
                 registry: RegistryRepository, catalog: CatalogRepository, clock: Clock, transaction,
                 form_xml: FormXml, listeners: Callable[[], Iterable[ArchiveListener]] = tuple):
        self.elements = elements
        self.archive = archive
        self.receipts = receipts
        self.registry = registry
        self.catalog = catalog
        self.clock = clock
        self._transaction = transaction
        self._form_xml = form_xml
        self._listeners = listeners

    # -- reading ---------------------------------------------------------------------------------------------

    def element(self, element_id: int) -> ReporteeElement:
        element = self.elements.get_element(element_id)
        if element is None:
            raise UnknownElement(f"no worklist element {element_id}")
        return element

    def worklist(self, reportee: str) -> list[ReporteeElement]:
        """The reportee's active form tasks that are visible now, oldest first."""
        now = self.clock.now()
        return [e for e in self.elements.elements_of(reportee) if e.status == ACTIVE and e.visible_at <= now]

    # -- the end user's changes (docs/behaviour/forms.md, "The end user's actions") ----------------------------

    def set_form_xml(self, element_id: int, data_format_id: str, xml: str) -> ReporteeElement:
        """Replace a form's XML. Checked now: well-formed, no ``etatid`` (D37); its schema is checked when the
        task is signed or submitted, as the portal let a person save a form half filled in."""
        if not isinstance(xml, str):
            raise WorklistError("the form's XML must be text")
        with self._transaction():
            element = self._active(element_id)
            form = self._form(element, data_format_id)
            problem = self._form_xml.problem(xml, None)
            if problem:
                raise WorklistError(f"form {data_format_id} {problem}")
            return self._changed(element, forms=_replaced(element.forms, form, xml))

    def set_fields(self, element_id: int, data_format_id: str, fields: dict[str, str]) -> ReporteeElement:
        """Change the text of elements of a form's XML, each named by a path (``formxml.set_field_texts``, D38):
        all of them, or none when one path names no single element without children."""
        if not isinstance(fields, dict) or not fields:
            raise WorklistError("give the fields to change: {path: text}")
        texts = {}
        for path, value in fields.items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not isinstance(path, str):
                raise WorklistError(f"field {path!r}: a path's new text must be a string or a number")
            texts[path] = str(value)
        with self._transaction():
            element = self._active(element_id)
            form = self._form(element, data_format_id)
            try:
                xml = self._form_xml.set_fields(form.form_data_xml, texts)
            except ValueError as exc:
                raise WorklistError(f"form {data_format_id}: {exc}") from None
            return self._changed(element, forms=_replaced(element.forms, form, xml))

    def add_attachment(self, element_id: int, name: str, file_name: str, data: bytes,
                       attachment_type: str | None = None) -> ElementAttachment:
        """Attach a file (its bytes are kept apart, by the new AttachmentId) and return the attachment."""
        for label, value in (("name", name), ("file_name", file_name)):
            if not isinstance(value, str) or not value.strip():
                raise WorklistError(f"an attachment needs a {label}")
        if not isinstance(data, bytes) or not data:
            raise WorklistError("an attachment needs its content: an empty file is not attached")
        if attachment_type and not _MIME_TYPE.fullmatch(attachment_type.strip()):
            raise WorklistError(f"attachment_type {attachment_type!r} is not a MIME type such as application/pdf")
        with self._transaction():
            element = self._active(element_id)
            attachment = ElementAttachment(
                id=self.elements.add_attachment_data(element.id, data), name=name.strip(),
                file_name=file_name.strip(), attachment_type=(attachment_type or "").strip() or DEFAULT_ATTACHMENT_TYPE,
                size=len(data), added_at=self.clock.now())
            self._changed(element, attachments=element.attachments + (attachment,))
        return attachment

    def remove_attachment(self, element_id: int, attachment_id: int) -> ReporteeElement:
        with self._transaction():
            element = self._active(element_id)
            self._attachment(element, attachment_id)
            return self._changed(element, attachments=tuple(a for a in element.attachments if a.id != attachment_id))

    def attachment_data(self, element_id: int, attachment_id: int) -> tuple[ElementAttachment, bytes]:
        """An attachment of the element (active or archived) and its bytes."""
        attachment = self._attachment(self.element(element_id), attachment_id)
        data = self.elements.attachment_data(attachment_id)
        if data is None:
            raise UnknownAttachment(f"the content of attachment {attachment_id} is not stored")
        return attachment, data

    def sign(self, element_id: int, signer: str, security_level: int | None = None) -> ReporteeElement:
        """A person (or self-registered user) of the registry signs the task, at the security level of their
        login (D39). The forms must be fit to submit; a change to a form or attachment after that drops the
        signatures (D40)."""
        with self._transaction():
            element = self._active(element_id)
            signature = self._signature(element, signer, security_level)
            if signature is None:
                raise WorklistError(f"{signer} has signed worklist element {element_id} already")
            self._check_forms(element, self._service(element))
            return self._changed(element, signatures=element.signatures + (signature,))

    def _form(self, element: ReporteeElement, data_format_id: str) -> ElementForm:
        form = element.form(str(data_format_id))
        if form is None:
            raise WorklistError(f"worklist element {element.id} has no form {data_format_id}; its forms are "
                                f"{[f.data_format_id for f in element.forms]}")
        return form

    def _attachment(self, element: ReporteeElement, attachment_id: int) -> ElementAttachment:
        found = next((a for a in element.attachments if a.id == attachment_id), None)
        if found is None:
            raise UnknownAttachment(f"worklist element {element.id} has no attachment {attachment_id}")
        return found

    def _changed(self, element: ReporteeElement, **changes) -> ReporteeElement:
        """The element with the end user's change stored; a change of content drops the signatures given to
        the content as it was (D40)."""
        if "signatures" not in changes and element.signatures:
            changes["signatures"] = ()
        changed = evolve(element, changed_at=self.clock.now(), **changes)
        self.elements.put_element(changed)
        return changed

    # -- submitting -----------------------------------------------------------------------------------------

    def submit(self, element_id: int, *, submitter: str | None = None, security_level: int | None = None,
               metadata: dict[str, str] | None = None) -> ArchivedFormTask:
        """Archive an active form task as it stands. ``submitter`` signs it (at ``security_level``) if given; a
        task nobody has signed is signed by its reportee when that is a person, and otherwise needs a submitter.
        The service's shipment metadata comes from ``metadata``, else from the main form's element of that name."""
        with self._transaction():
            element = self._active(element_id)
            service = self._service(element)
            self._check_forms(element, service)
            approvers = self._approvers(element, submitter, security_level)
            now = self.clock.now()
            reference = self.archive.next_archive_reference()
            owner = self.catalog.get_owner(element.owner)
            receipt = self.receipts.create(FORM_TASK_RECEIPT, ReceiptStatus.OK, ARCHIVED_TEXT.format(reference), [
                Reference(ARCHIVE_REFERENCE, reference), Reference(WORKFLOW_REFERENCE, str(element.id)),
                Reference(OWNER_PARTY, owner.orgno if owner else "")])
            task = ArchivedFormTask(
                archive_reference=reference, element_id=element.id, owner=element.owner,
                service_code=element.service_code, service_edition=element.service_edition,
                reportee=element.reportee,
                reportee_type=_reportee_type(resolve_reportee(self.registry, element.reportee)),
                archived_at=now, forms=self._archived_forms(element, service), attachments=element.attachments,
                approvers=approvers, case_id=element.case_id,
                shipment_metadata=self._metadata(element, service, metadata or {}), receipt_id=receipt.id,
                encrypted=service.encrypted)
            self.archive.add_archived(task)
            self.elements.put_element(evolve(element, status=ARCHIVED, signatures=approvers,
                                             archive_reference=reference, archived_at=now))
            for listener in self._listeners():
                listener(task)
        return task

    def _active(self, element_id: int) -> ReporteeElement:
        element = self.element(element_id)
        if element.status != ACTIVE:
            raise NotActive(f"worklist element {element_id} is {element.status}"
                            + (f" as {element.archive_reference}" if element.archive_reference else ""))
        if element.visible_at > self.clock.now():
            raise NotActive(f"worklist element {element_id} is not visible before {element.visible_at.isoformat()}")
        return element

    def _service(self, element: ReporteeElement) -> Service:
        service = self.catalog.get_service(element.service_code, element.service_edition)
        if service is None:
            raise WorklistError(f"service {element.service_code} edition {element.service_edition} of worklist "
                                f"element {element.id} no longer exists")
        return service

    def _check_forms(self, element: ReporteeElement, service: Service) -> None:
        for form in element.forms:
            definition = service.form(form.data_format_id, form.data_format_version)
            problem = self._form_xml.problem(form.form_data_xml, definition.schema if definition else None)
            if problem:
                raise WorklistError(f"form {form.data_format_id} {problem}")

    def _approvers(self, element: ReporteeElement, submitter: str | None,
                   security_level: int | None) -> tuple[Signature, ...]:
        signatures = element.signatures
        if submitter:
            signature = self._signature(element, submitter, security_level)
            signatures += (signature,) if signature else ()  # one who signed already does not sign again
        if not signatures:
            if len(element.reportee) != 11:  # an organisation or a self-registered user
                raise WorklistError(f"worklist element {element.id} belongs to {element.reportee}: say which "
                                    "person submits it (submitter), or sign it first")
            signatures = (self._signature(element, element.reportee, security_level),)
        return signatures

    def _signature(self, element: ReporteeElement, signer: str, security_level: int | None) -> Signature | None:
        """``signer``'s signature at their login's level, or None when they have signed the element already. A
        person logs in at 1 to 4 (2 when not said); a self-registered user at 0 (D39)."""
        if not isinstance(signer, str) or not signer.strip():
            raise WorklistError("say who signs: a person's national identity number or a self-registered "
                                "user's username")
        signer = signer.strip()
        if security_level is not None and (isinstance(security_level, bool) or not isinstance(security_level, int)):
            raise WorklistError(f"security_level must be a whole number, not {security_level!r}")
        try:
            who = resolve_reportee(self.registry, signer)
        except AltinnError:
            who = None
        if isinstance(who, Person):
            level = DEFAULT_SECURITY_LEVEL if security_level is None else security_level
            if not 1 <= level < len(SECURITY_LEVELS):
                raise WorklistError(f"a person logs in at security level 1 to {len(SECURITY_LEVELS) - 1}, "
                                    f"not {level}")
        elif isinstance(who, SelfRegisteredUser):
            level = SELF_IDENTIFIED_LEVEL if security_level is None else security_level
            if level != SELF_IDENTIFIED_LEVEL:
                raise WorklistError(f"a self-registered user logs in at security level {SELF_IDENTIFIED_LEVEL} "
                                    f"only, not {level}")
        else:
            raise WorklistError(f"{signer} is no person or self-registered user of the registry: only they sign")
        if any(s.signer == signer for s in element.signatures):
            return None
        return Signature(signer, self.clock.now(), level)

    def _archived_forms(self, element: ReporteeElement, service: Service) -> tuple[ArchivedForm, ...]:
        references = self.archive.next_form_references(len(element.forms))
        main_reference = None
        archived = []
        for form, reference in zip(element.forms, references):
            definition = service.form(form.data_format_id, form.data_format_version)
            is_main = definition.main if definition else main_reference is None
            if is_main and main_reference is None:
                main_reference = reference
            archived.append(ArchivedForm(reference, form.data_format_id, form.data_format_version,
                                         definition.name if definition else "", form.form_data_xml,
                                         None if is_main else main_reference))
        return tuple(archived)

    def _metadata(self, element: ReporteeElement, service: Service,
                  given: dict[str, str]) -> tuple[tuple[str, str], ...]:
        if not service.shipment_metadata:
            return ()
        unknown = set(given) - set(service.shipment_metadata)
        if unknown:
            raise WorklistError(f"service {service.code} has no shipment metadata {sorted(unknown)}; its keys are "
                                f"{list(service.shipment_metadata)}")
        main = next((f for f in element.forms if (d := service.form(f.data_format_id, f.data_format_version))
                     and d.main), element.forms[0] if element.forms else None)
        found = self._form_xml.field_values(main.form_data_xml, service.shipment_metadata) if main else {}
        return tuple((key, str(given[key]) if key in given else found.get(key, ""))
                     for key in service.shipment_metadata)


def _replaced(forms: tuple[ElementForm, ...], form: ElementForm, xml: str) -> tuple[ElementForm, ...]:
    return tuple(evolve(f, form_data_xml=xml) if f is form else f for f in forms)
