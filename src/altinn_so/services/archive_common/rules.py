"""ArchiveCommon's search: what a service owner's reportees have in the archive, the worklist and their
correspondences, one list (docs/behaviour/archive-common.md). No SOAP and no store: the correspondences come
through ``correspondences_of``, a function the package's ``sources`` module gives."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable, Iterable

from altinn_so.domain.archive import ArchiveRepository
from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository
from altinn_so.domain.elements import ACTIVE as ELEMENT_ACTIVE
from altinn_so.domain.elements import ReporteeElementRepository
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.registry import RegistryRepository, resolve_reportee

# Element types (ElementTypeV2); LookUp and Collaboration are never returned, ArchiveCorrespondence neither (D90)
ARCHIVE, ACTIVE, CORRESPONDENCE = "Archive", "Active", "Correspondence"
_NEVER_LISTED = frozenset({"collaboration", "lookup"})  # service kinds


@dataclass(frozen=True)
class ArchiveSearch:
    """ExternalSOASearchBE: every field optional, but not all of them missing (D89)."""
    reportee: str | None = None  # SSNOrOrgNumber
    reference: str | None = None  # ReferenceId (D88)
    subject: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    case_id: int | None = None
    user_name: str | None = None


@dataclass(frozen=True)
class CorrespondenceEntry:
    """What the search needs of a correspondence (the correspondence service's own model stays its own)."""
    id: int
    service_code: str
    service_edition: int
    reportee: str
    title: str
    senders_reference: str
    last_changed: datetime
    archive_reference: str | None = None
    case_id: int | None = None


@dataclass(frozen=True)
class FoundElement:
    """ServiceOwnerArchiveReporteeElementBEV2."""
    element_type: str
    element_id: int
    subject: str
    is_subject_message_title: bool
    last_changed: datetime
    reportee: str
    reportee_name: str | None
    archive_reference: str | None
    send_complete: bool | None


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


class ArchiveCommonService:
    def __init__(self, archive: ArchiveRepository, elements: ReporteeElementRepository,
                 correspondences_of: Callable[[str, str | None], Iterable[CorrespondenceEntry]],
                 registry: RegistryRepository, catalog: CatalogRepository):
        self._archive = archive
        self._elements = elements
        self._correspondences_of = correspondences_of
        self._registry = registry
        self._catalog = catalog

    def search(self, caller: Caller, where: ArchiveSearch) -> list[FoundElement]:
        """The caller's archived form tasks, active form tasks and correspondences matching every field given,
        oldest change first (ties by element id)."""
        where = _cleaned(where)
        if where == ArchiveSearch():
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION,
                              "searchServiceOwnerArchive: give at least one search field.")
        if where.reportee is not None:
            resolve_reportee(self._registry, where.reportee)  # 40016 or 60012 for nobody (D89)
        owner = caller.owner.code
        found = self._archived(owner, where) + self._active(owner, where) + self._correspondences(owner, where)
        matching = [candidate[0] for candidate in found if self._matches(candidate, where)]
        # the register is asked once per reportee, and only for the results
        names = {number: self._name_of(number) for number in {f.reportee for f in matching}}
        named = [replace(f, reportee_name=names[f.reportee]) for f in matching]
        return sorted(named, key=lambda f: (f.last_changed, f.element_id))

    # --- the three sources --------------------------------------------------------------------------------

    def _listed_service(self, owner: str, code: str, edition: int):
        service = self._catalog.get_service(code, edition)
        if service is None or service.owner != owner or service.kind in _NEVER_LISTED:
            return None
        return service

    def _archived(self, owner: str, where: ArchiveSearch) -> list[tuple[FoundElement, int | None, tuple]]:
        out = []
        for task in self._archive.list_archived():
            service = self._listed_service(owner, task.service_code, task.service_edition)
            if service is None or (where.reportee and task.reportee != where.reportee):
                continue
            out.append((self._found(ARCHIVE, task.element_id, service.name, False, task.archived_at, task.reportee,
                                    task.archive_reference, True),
                        task.case_id, (task.archive_reference, str(task.element_id))))
        return out

    def _active(self, owner: str, where: ArchiveSearch) -> list[tuple[FoundElement, int | None, tuple]]:
        elements = (self._elements.elements_of(where.reportee) if where.reportee
                    else self._elements.list_elements())
        out = []
        for element in elements:
            # a submitted element is listed once, from the archive
            if element.status != ELEMENT_ACTIVE:
                continue
            service = self._listed_service(owner, element.service_code, element.service_edition)
            if service is None:
                continue
            out.append((self._found(ACTIVE, element.id, service.name, False,
                                    element.changed_at or element.created_at, element.reportee, None, False),
                        element.case_id, (str(element.id),)))
        return out

    def _correspondences(self, owner: str, where: ArchiveSearch) -> list[tuple[FoundElement, int | None, tuple]]:
        out = []
        for entry in self._correspondences_of(owner, where.reportee):
            if self._listed_service(owner, entry.service_code, entry.service_edition) is None:
                continue
            references = (str(entry.id), entry.senders_reference) + ((entry.archive_reference,)
                                                                     if entry.archive_reference else ())
            out.append((self._found(CORRESPONDENCE, entry.id, entry.title, True, entry.last_changed,
                                    entry.reportee, entry.archive_reference, None),
                        entry.case_id, references))
        return out

    def _found(self, element_type, element_id, subject, is_title, last_changed, reportee, archive_reference,
               send_complete) -> FoundElement:
        return FoundElement(element_type=element_type, element_id=element_id, subject=subject or "",
                            is_subject_message_title=is_title, last_changed=_aware(last_changed),
                            reportee=reportee, reportee_name=None,
                            archive_reference=archive_reference, send_complete=send_complete)

    def _name_of(self, number: str) -> str | None:
        try:
            return resolve_reportee(self._registry, number).name
        except AltinnError:
            return None  # a reportee since removed from the register: listed without a name

    # --- the search fields --------------------------------------------------------------------------------

    @staticmethod
    def _matches(candidate: tuple[FoundElement, int | None, tuple], where: ArchiveSearch) -> bool:
        found, case_id, references = candidate
        if where.reportee is not None and found.reportee != where.reportee:
            return False
        if where.user_name is not None and found.reportee.casefold() != where.user_name.casefold():
            return False
        if where.reference is not None and where.reference.casefold() not in {
                r.casefold() for r in references if r}:
            return False
        if where.subject is not None and where.subject.casefold() not in found.subject.casefold():
            return False
        if where.date_from is not None and found.last_changed < where.date_from:
            return False
        if where.date_to is not None and found.last_changed > where.date_to:
            return False
        return where.case_id is None or case_id == where.case_id


def _cleaned(where: ArchiveSearch) -> ArchiveSearch:
    """Blank strings are fields not given; dates without a zone are UTC."""
    def text(value: str | None) -> str | None:
        return value.strip() if value and value.strip() else None
    return ArchiveSearch(reportee=text(where.reportee), reference=text(where.reference), subject=text(where.subject),
                         date_from=_aware(where.date_from), date_to=_aware(where.date_to), case_id=where.case_id,
                         user_name=text(where.user_name))
