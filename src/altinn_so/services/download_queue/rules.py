"""The download queue: how a service owner fetches the form tasks its reportees submitted
(docs/behaviour/download-queue.md).

Every form task submitted on a service with ``download_queue`` is queued when it is archived (``queue``, called
inside the submission's transaction). The owner lists its unpurged items (at most ``max_items``, oldest first),
downloads each archived form task (forms, attachments, approvers) or a PDF of its form set, and purges the item,
which is the only way an item leaves the queue. Each download is logged as a shipment status of the archived
task. On an encrypted service the forms and attachments are sealed with a fresh AES key, which goes with the
download encrypted to the owner's encryption certificate.

Plain Python: the form XML transformation, the PDF writer and the cipher are given (``DownloadTools``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from altinn_so.domain.archive import SENT, ArchivedFormTask, ArchiveRepository, ShipmentStatusEntry
from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository
from altinn_so.domain.clock import Clock, local_time
from altinn_so.domain.elements import ReporteeElementRepository
from altinn_so.domain.errors import AltinnError, ErrorCode

MAX_ITEMS = 500  # GetDownloadQueueItems returns at most this many, oldest first
MAX_INLINE_ATTACHMENT_BYTES = 30 * 1024 * 1024  # larger attachments come without their data (D57)
PURGED = "OK"  # PurgeItemResult
TASK_DOWNLOAD, PDF_DOWNLOAD = "task", "pdf"
# ShipmentDescription "<definition>|<sequence>" of a GetArchivedFormTask…DQ and of a GetFormSetPdf (D58)
SHIPMENT_DEFINITIONS = {TASK_DOWNLOAD: "DownloadQueue", PDF_DOWNLOAD: "DownloadQueuePdf"}
# FileNotExist: no archived form task of that reference is in the download queue (D55)
UNKNOWN_ITEM = ErrorCode.FILE_NOT_EXIST


@dataclass(frozen=True)
class DownloadQueueSettings:
    max_items: int = MAX_ITEMS
    max_inline_attachment_bytes: int = MAX_INLINE_ATTACHMENT_BYTES


@dataclass(frozen=True)
class DownloadQueueItem:
    """An archived form task waiting in its owner's download queue (DownloadQueueItemBE)."""

    archive_reference: str
    owner: str
    service_code: str
    service_edition: int
    reportee: str
    reportee_type: str
    archived_at: datetime
    shipment_metadata: tuple[tuple[str, str], ...] = ()
    has_metadata: bool = False  # the service defines metadata keys: the list is given (else NULL on the wire)
    purged_at: datetime | None = None
    id: int = 0

    def to_dict(self) -> dict:
        return {"id": self.id, "archive_reference": self.archive_reference, "owner": self.owner,
                "service_code": self.service_code, "service_edition": self.service_edition,
                "reportee": self.reportee, "reportee_type": self.reportee_type,
                "archived_at": self.archived_at.isoformat(),
                "shipment_metadata": [list(m) for m in self.shipment_metadata], "has_metadata": self.has_metadata,
                "purged_at": self.purged_at.isoformat() if self.purged_at else None}

    @classmethod
    def from_dict(cls, data: dict) -> "DownloadQueueItem":
        return cls(archive_reference=data["archive_reference"], owner=data["owner"],
                   service_code=data["service_code"], service_edition=int(data["service_edition"]),
                   reportee=data["reportee"], reportee_type=data["reportee_type"],
                   archived_at=datetime.fromisoformat(data["archived_at"]),
                   shipment_metadata=tuple((k, v) for k, v in data.get("shipment_metadata") or ()),
                   has_metadata=bool(data.get("has_metadata")),
                   purged_at=datetime.fromisoformat(data["purged_at"]) if data.get("purged_at") else None,
                   id=int(data.get("id") or 0))


class DownloadQueueRepository(Protocol):
    def add_item(self, item: DownloadQueueItem) -> DownloadQueueItem: ...
    def get_item(self, archive_reference: str) -> DownloadQueueItem | None: ...
    # The owner's unpurged items, oldest first (archived_at, then queue order), at most ``limit``.
    def waiting(self, owner: str, service_code: str | None, limit: int) -> list[DownloadQueueItem]: ...
    def mark_purged(self, archive_reference: str, at: datetime) -> bool: ...  # False: purged already
    # One more download of that kind (TASK_DOWNLOAD, PDF_DOWNLOAD) of the item: how many there have been.
    def count_download(self, archive_reference: str, kind: str) -> int: ...
    def list_items(self, newest: int | None = None) -> list[DownloadQueueItem]: ...


@dataclass(frozen=True)
class SealedKey:
    """A fresh symmetric key, encrypted to a certificate (SOEncryptedSymmetricKey), and the sealing function."""

    encrypted_key: bytes
    certificate_thumbprint: str
    seal: Callable[[bytes], bytes]


@dataclass(frozen=True)
class DownloadTools:
    """What the rules are given (``altinn_so.formxml``, ``altinn_so.formpdf``, ``altinn_so.encryption``)."""

    strip_namespaces: Callable[[str], str]  # a form's XML without the my/altinn namespaces (D56)
    leaf_values: Callable[[str], list]  # [(field name, text)] of a form's leaf elements, in document order
    render_pdf: Callable[["FormSetDocument"], bytes]
    # (a certificate's PEM) -> a fresh key: (it encrypted to the certificate, the thumbprint, its sealing function)
    sealed_key: Callable[[str], tuple]
    encode_text: Callable[[bytes], str]  # sealed form data as text (base64): FormData is a string


@dataclass(frozen=True)
class DownloadedForm:
    data_format_id: str
    data_format_version: int
    form_data: str
    reference: int
    parent_reference: int | None


@dataclass(frozen=True)
class DownloadedAttachment:
    attachment_id: int
    archive_reference: str
    file_name: str
    attachment_type: str
    type_name: str | None
    data: bytes | None  # None: larger than the inline limit
    encrypted: bool


@dataclass(frozen=True)
class DownloadedFormTask:
    """An archived form task as GetArchivedFormTask…DQ hands it over (ArchivedFormTaskDQBE)."""

    task: ArchivedFormTask
    forms: tuple[DownloadedForm, ...]
    attachments: tuple[DownloadedAttachment, ...]
    encrypted_key: bytes | None = None
    certificate_thumbprint: str | None = None

    @property
    def attachments_in_response(self) -> int:
        return sum(1 for a in self.attachments if a.data is not None)


@dataclass(frozen=True)
class FormSetDocument:
    """What a form set's PDF shows: a title, facts about the task, and each form's fields."""

    title: str
    facts: tuple[tuple[str, str], ...]
    forms: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (heading, ((field, value), ...))


_LABELS = {  # the PDF's words, per language (Norwegian Bokmål unless English is asked for)
    1044: {"service": "Tjeneste", "reference": "Arkivreferanse", "reportee": "Avgiver", "archived": "Arkivert",
           "form": "Skjema"},
    1033: {"service": "Service", "reference": "Archive reference", "reportee": "Reportee", "archived": "Archived",
           "form": "Form"},
}


class DownloadQueueService:
    def __init__(self, store: DownloadQueueRepository, archive: ArchiveRepository,
                 elements: ReporteeElementRepository, catalog: CatalogRepository, clock: Clock, transaction,
                 tools: DownloadTools, settings: DownloadQueueSettings = DownloadQueueSettings()):
        self.store = store
        self.archive = archive
        self.elements = elements
        self.catalog = catalog
        self.clock = clock
        self._transaction = transaction
        self._tools = tools
        self.settings = settings

    # -- queueing (inside the end user's submission) -------------------------------------------------------

    def queue(self, task: ArchivedFormTask) -> DownloadQueueItem | None:
        """Queue ``task`` if its service uses the download queue."""
        service = self.catalog.get_service(task.service_code, task.service_edition)
        if service is None or not service.download_queue:
            return None
        return self.store.add_item(DownloadQueueItem(
            archive_reference=task.archive_reference, owner=task.owner, service_code=task.service_code,
            service_edition=task.service_edition, reportee=task.reportee, reportee_type=task.reportee_type,
            archived_at=task.archived_at, shipment_metadata=task.shipment_metadata,
            has_metadata=bool(service.shipment_metadata)))

    # -- the operations ----------------------------------------------------------------------------------

    def items(self, caller: Caller, service_code: str | None = None) -> list[DownloadQueueItem]:
        """The caller's owner's unpurged items, oldest first, at most ``max_items``; only ``service_code``'s
        when given (an empty code filters nothing)."""
        return self.store.waiting(caller.owner.code, service_code or None, self.settings.max_items)

    def purge(self, caller: Caller, archive_reference: str | None) -> str:
        item = self._item(caller, archive_reference)
        with self._transaction():
            if not self.store.mark_purged(item.archive_reference, self.clock.now()):
                raise AltinnError(ErrorCode.GENERAL_ERROR,
                                  f"The download queue item {item.archive_reference} was purged already.")
        return PURGED

    def archived_form_task(self, caller: Caller, archive_reference: str | None, language: int | None = None,
                           include_xml_namespace: bool = False) -> DownloadedFormTask:
        item = self._item(caller, archive_reference)
        task = self._task(item)
        key = self._sealed_key(task) if task.encrypted else None
        forms = tuple(self._form(form, include_xml_namespace, key) for form in task.forms)
        attachments = tuple(self._attachment(task, attachment, key) for attachment in task.attachments)
        self._log(task, TASK_DOWNLOAD)
        return DownloadedFormTask(task, forms, attachments, key.encrypted_key if key else None,
                                  key.certificate_thumbprint if key else None)

    def form_set_pdf(self, caller: Caller, archive_reference: str | None, language: int | None = None,
                     data_format_id: str | None = None, data_format_version: int | None = None) -> bytes:
        """A PDF of the task's form set: the forms of ``data_format_id`` (and ``data_format_version``) only,
        when given."""
        item = self._item(caller, archive_reference)
        task = self._task(item)
        if task.encrypted:
            raise AltinnError(ErrorCode.GENERAL_ERROR, f"{task.archive_reference} belongs to an encrypted service: "
                              "its forms are only handed over encrypted (GetArchivedFormTask…DQ), not as a PDF.")
        forms = [f for f in task.forms if (not data_format_id or f.data_format_id == data_format_id)
                 and (data_format_version is None or f.data_format_version == data_format_version)]
        if not forms:
            raise AltinnError(ErrorCode.FORM_DATA_IS_NOT_VALID,
                              f"{task.archive_reference} has no form {data_format_id}"
                              + (f" version {data_format_version}" if data_format_version is not None else "") + ".")
        service = self.catalog.get_service(task.service_code, task.service_edition)
        labels = _LABELS.get(language or 1044, _LABELS[1044])
        service_name = service.name_in(language) if service else task.service_code
        document = FormSetDocument(
            title=service_name,
            facts=((labels["service"], f"{task.service_code}/{task.service_edition} {service_name}"),
                   (labels["reference"], task.archive_reference), (labels["reportee"], task.reportee),
                   (labels["archived"], f"{local_time(task.archived_at):%Y-%m-%d %H:%M:%S}")),
            forms=tuple((f"{labels['form']} {f.data_format_id}/{f.data_format_version}"
                         + (f" {f.name}" if f.name else ""), tuple(self._tools.leaf_values(f.form_data_xml)))
                        for f in forms))
        pdf = self._tools.render_pdf(document)
        self._log(task, PDF_DOWNLOAD)
        return pdf

    # -- helpers -----------------------------------------------------------------------------------------

    def _item(self, caller: Caller, archive_reference: str | None) -> DownloadQueueItem:
        """The queued item of ``archive_reference``, purged or not: it must be given (30004), have been queued
        (30007) and be the caller's owner's (5) (D55)."""
        reference = (archive_reference or "").strip()
        if not reference:
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "archiveReference cannot be null.")
        item = self.store.get_item(reference)
        if item is None:
            raise AltinnError(UNKNOWN_ITEM, f"No archived form task {archive_reference} is in the download queue.")
        if item.owner != caller.owner.code:
            raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                              f"The archived form task {archive_reference} is not {caller.owner.code}'s.")
        return item

    def _task(self, item: DownloadQueueItem) -> ArchivedFormTask:
        task = self.archive.get_archived(item.archive_reference)
        if task is None:  # the queue and the archive are written in one transaction: only a broken store
            raise AltinnError(UNKNOWN_ITEM, f"The archive has no form task {item.archive_reference}.")
        return task

    def _sealed_key(self, task: ArchivedFormTask) -> SealedKey:
        owner = self.catalog.get_owner(task.owner)
        certificate = owner.encryption_certificate if owner else None
        if not certificate:  # a seed refuses this (D60); an owner replaced through the store could still lack one
            raise AltinnError(ErrorCode.GENERAL_ERROR, f"Service owner {task.owner} has no encryption certificate "
                              f"for the encrypted service {task.service_code}.")
        return SealedKey(*self._tools.sealed_key(certificate))

    def _form(self, form, include_xml_namespace: bool, key: SealedKey | None) -> DownloadedForm:
        xml = form.form_data_xml if include_xml_namespace else self._tools.strip_namespaces(form.form_data_xml)
        if key is not None:
            xml = self._tools.encode_text(key.seal(xml.encode("utf-8")))
        return DownloadedForm(form.data_format_id, form.data_format_version, xml, form.reference,
                              form.parent_reference)

    def _attachment(self, task: ArchivedFormTask, attachment, key: SealedKey | None) -> DownloadedAttachment:
        data = None
        if attachment.size <= self.settings.max_inline_attachment_bytes:
            data = self.elements.attachment_data(attachment.id) or b""
            if key is not None:
                data = key.seal(data)
        return DownloadedAttachment(attachment.id, task.archive_reference, attachment.file_name,
                                    attachment.attachment_type, attachment.type_name, data, key is not None)

    def _log(self, task: ArchivedFormTask, kind: str) -> None:
        with self._transaction():
            sequence = self.store.count_download(task.archive_reference, kind)
            self.archive.log_shipment(ShipmentStatusEntry(task.archive_reference, self.clock.now(), SENT,
                                                          f"{SHIPMENT_DEFINITIONS[kind]}|{sequence}"))
