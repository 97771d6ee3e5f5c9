"""ServiceOwnerArchiveExternal: a service owner reads its archived form tasks and their shipment status log
(docs/behaviour/archive.md).

``archived_form_task`` finds a task by the ReporteeElementID it was submitted as; only the caller's owner's
tasks are found (D82). ``shipment_status`` searches by archive reference or by service (exactly one of the
two, D83), returns at most ``max_results`` tasks, oldest first, and says whether the limit cut the list (D84).
``attachment_data`` gives the bytes of one attachment of the owner's archived tasks (the streamed twin).
Plain Python: the archive and the attachments' bytes are the core's (``altinn_so.domain.archive``,
``altinn_so.domain.elements``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from altinn_so.domain.archive import ArchivedFormTask, ArchiveRepository, ShipmentStatusEntry
from altinn_so.domain.auth import Caller
from altinn_so.domain.elements import ReporteeElementRepository
from altinn_so.domain.errors import AltinnError, ErrorCode

MAX_RESULTS = 10_000  # GetArchiveShipmentStatus returns at most this many tasks, with LimitReached


@dataclass(frozen=True)
class ArchiveSettings:
    max_results: int = MAX_RESULTS


@dataclass(frozen=True)
class ServiceSearch:
    service_code: str
    service_edition: int | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


@dataclass(frozen=True)
class ShipmentStatus:
    task: ArchivedFormTask
    log: tuple[ShipmentStatusEntry, ...]  # oldest first


@dataclass(frozen=True)
class ShipmentStatusResult:
    statuses: tuple[ShipmentStatus, ...]
    limit_reached: bool


class ServiceOwnerArchive:
    def __init__(self, archive: ArchiveRepository, elements: ReporteeElementRepository | None = None,
                 settings: ArchiveSettings = ArchiveSettings()):
        self.archive = archive
        self.elements = elements
        self.settings = settings

    def attachment_data(self, caller: Caller, attachment_id: int | None) -> bytes:
        """The bytes of attachment ``attachment_id`` of one of the caller's owner's archived form tasks, of any size
        (30004 without an id; 30007 for one that is unknown or of another owner's task: D82)."""
        if attachment_id is None:
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "attachmentId cannot be null.")
        # The attachment's own element, then that element's archived task: not every task of the owner read.
        element_id = self.elements.element_of_attachment(attachment_id) if self.elements is not None else None
        task = self.archive.archived_of_element(element_id) if element_id is not None else None
        owned = (task is not None and task.owner == caller.owner.code
                 and any(a.id == attachment_id for a in task.attachments))
        data = self.elements.attachment_data(attachment_id) if owned else None
        if data is None:
            raise AltinnError(ErrorCode.FILE_NOT_EXIST, f"No attachment {attachment_id} of an archived form task "
                              f"of {caller.owner.code} exists.")
        return data

    def archived_form_task(self, caller: Caller, element_id: int | None) -> ArchivedFormTask:
        """The archived task submitted as ``element_id``: it must be given (30004), exist and be the caller's
        owner's; another owner's task is answered as unknown, so that its existence does not leak (D82)."""
        if element_id is None:
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "reporteeElementID cannot be null.")
        task = self.archive.archived_of_element(element_id)
        if task is None or task.owner != caller.owner.code:
            raise AltinnError(ErrorCode.FILE_NOT_EXIST, f"No archived form task {element_id} of "
                              f"{caller.owner.code} exists.")
        return task

    def shipment_status(self, caller: Caller, archive_reference: str | None,
                        service: ServiceSearch | None) -> ShipmentStatusResult:
        reference = (archive_reference or "").strip()
        by_service = service is not None and bool((service.service_code or "").strip())
        if bool(reference) == by_service:
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "Give either ArchiveReference or "
                              "ServiceReference (with its ServiceCode), not both and not neither.")
        if reference:
            task = self.archive.get_archived(reference)
            if task is None or task.owner != caller.owner.code:
                raise AltinnError(ErrorCode.FILE_NOT_EXIST, f"No archived form task {reference} of "
                                  f"{caller.owner.code} exists.")
            tasks = [task]
        else:
            # one more than the limit: whether the limit cut the list
            tasks = self.archive.archived_of_owner(caller.owner.code, service.service_code.strip(),
                                                   service.service_edition, service.date_from, service.date_to,
                                                   limit=self.settings.max_results + 1)
        kept = tasks[:self.settings.max_results]
        return ShipmentStatusResult(
            tuple(ShipmentStatus(t, tuple(self.archive.shipment_log(t.archive_reference))) for t in kept),
            len(tasks) > len(kept))

