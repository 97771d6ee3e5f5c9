"""CaseAgencySystem, collaboration cases (docs/behaviour/cases.md).

``model`` holds a case, ``rules`` the cases' rules and their state machine's steps (no SOAP), ``store`` their table,
``contract`` the wire contract and its handlers, ``wire_types`` the generated wire types, ``admin`` what the admin
API and page show. The state machine itself is the service's, from the seed (``altinn_so.domain.state_machine``).

Elements join a case through the core's ``case_links`` (PreFill, Subscription, Correspondence ask it); the end
user's submission (``on_archived``) and a correspondence's read and confirmation (its ``status_listeners``) raise
Altinn's events on the case.
"""

from altinn_so.domain.elements import ARCHIVED as ELEMENT_ARCHIVED
from altinn_so.domain.state_machine import ARCHIVED, CONFIRMED, OPENED, SUBMITTED
from altinn_so.service import AltinnService

from . import admin
from .contract import CASE_AGENCY_SYSTEM
from .rules import Case, CaseService, ElementRef, machine_of
from .store import CASE_ID_BASE, TABLES, SqlCases

_CORRESPONDENCE_EVENTS = {"Read": OPENED, "Confirmed": CONFIRMED}


def _element_finders(emulator):
    """SetNotice's view of the elements other parts of the emulator keep: form tasks, then correspondences."""
    correspondences = getattr(emulator, "correspondence_store", None)

    def find_element(element_id: int) -> ElementRef | None:
        element = emulator.reportee_elements.get_element(element_id)
        if element is not None:
            return ElementRef("form task", element.id, element.owner, element.case_id,
                              archived=element.status == ELEMENT_ARCHIVED)
        found = correspondences.get_correspondence(element_id) if correspondences is not None else None
        if found is not None:
            return ElementRef("correspondence", found.id, found.owner, found.case_id)
        return None

    def find_archived(reference: str) -> ElementRef | None:
        task = emulator.archive.get_archived(reference)
        if task is None:
            return None
        return ElementRef("archived form task", task.element_id, task.owner, task.case_id, archived=True)

    return find_element, find_archived


def _build(emulator, settings) -> dict:
    store = SqlCases(emulator.db)
    find_element, find_archived = _element_finders(emulator)
    service = CaseService(store, emulator.catalog, emulator.registry, emulator.clock, emulator.db.transaction,
                          find_element, find_archived)
    emulator.case_links.connect(service.check_join)
    correspondence = getattr(emulator, "correspondence", None)
    if correspondence is not None:  # a correspondence of a case read or confirmed: Opened, Confirmed
        correspondence.status_listeners.append(lambda changed, status: service.element_event(
            changed.case_id, _CORRESPONDENCE_EVENTS[status.value], f"correspondence {changed.id}")
            if status.value in _CORRESPONDENCE_EVENTS else None)
    return {"case_store": store, "case": service}


def _on_archived(emulator, task) -> None:
    """A form task of a case submitted: it is Submitted, then Archived (as the portal archives it at once)."""
    for event in (SUBMITTED, ARCHIVED):
        emulator.case.element_event(task.case_id, event, f"form task {task.element_id}")


SERVICE = AltinnService(
    key="case",
    contracts=(CASE_AGENCY_SYSTEM,),
    tables=TABLES,
    build=_build,
    listings=admin.LISTINGS,
    admin_routes=admin.ADMIN_ROUTES,
    on_archived=_on_archived,
)

__all__ = ["SERVICE", "CASE_ID_BASE", "Case", "CaseService", "machine_of"]
