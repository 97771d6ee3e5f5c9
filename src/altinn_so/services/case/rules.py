"""Collaboration cases: instantiating them, listing them, moving them on by their service's state machine, and
the notices a service owner sets on them (docs/behaviour/cases.md).

A case is one reportee's instance of a collaboration service. Elements (form tasks, correspondences) join it by
its id; what the end user does to them raises Altinn's events on the case (``element_event``), and the service
owner raises its own (``notify``). A case leaves the running ones when it is archived or deleted (the admin API);
it is never written to the owner's archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository, Service
from altinn_so.domain.clock import Clock, as_aware
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.registry import RegistryRepository, reportee_number, resolve_reportee
from altinn_so.domain.state_machine import StateMachine
from altinn_so.domain.values import digits_number, evolve

from .model import ARCHIVED, DELETED, RUNNING, Case, CaseEvent, CaseRepository

OWNER_SOURCE = "owner"
_ARCHIVE_PREFIX = "AR"


class CaseNotFound(ValueError):
    """The admin API's: no case of that id (a 404)."""


@dataclass(frozen=True)
class ElementRef:
    """What SetNotice needs of an element some other part of the emulator keeps."""

    kind: str  # "form task" or "correspondence"
    id: int
    owner: str
    case_id: int | None
    archived: bool = False  # a form task submitted: it is named by its archive reference from then on


# element id -> the element, or None; archive reference -> the archived element, or None
FindElement = Callable[[int], "ElementRef | None"]
FindArchived = Callable[[str], "ElementRef | None"]


@dataclass(frozen=True)
class EventResult:
    """What one case made of an event (a StateMachineNotificationResultBE)."""

    case: Case
    changed: bool
    condition: str | None
    condition_result: bool


@dataclass(frozen=True)
class CaseQuery:
    case_id: int | None = None
    service_code: str | None = None
    service_edition: int | None = None
    reportee: str | None = None


class CaseService:
    def __init__(self, store: CaseRepository, catalog: CatalogRepository, registry: RegistryRepository,
                 clock: Clock, transaction, find_element: FindElement = lambda _id: None,
                 find_archived: FindArchived = lambda _reference: None):
        self.store = store
        self.catalog = catalog
        self.registry = registry
        self.clock = clock
        self._transaction = transaction
        self._find_element = find_element
        self._find_archived = find_archived

    # -- InstantiateCollaborationAgencySystem ----------------------------------------------------------------

    def instantiate(self, caller: Caller, service_code: str | None, service_edition: int | None,
                    reportee: str | None, visible_at: datetime | None = None,
                    due_at: datetime | None = None) -> Case:
        service = self._service(caller, service_code, service_edition)
        number = self._reportee(reportee)
        machine = machine_of(service)
        now = self.clock.now()
        with self._transaction():
            return self.store.add(Case(
                id=0, owner=service.owner, service_code=service.code, service_edition=service.edition,
                reportee=number, state=machine.initial, created_at=now,
                visible_at=as_aware(visible_at) if visible_at else now, due_at=as_aware(due_at) if due_at else None))

    # -- GetCaseListAgencySystem -----------------------------------------------------------------------------

    def case_list(self, caller: Caller, query: CaseQuery) -> list[Case]:
        """Mode 3: one case by its id (of the reportee, when one is given). Mode 1: a reportee's running cases of a
        service. Mode 2: every running case of a service."""
        if query.case_id:
            case = self._case(caller, query.case_id)
            if query.reportee and case.reportee != self._reportee(query.reportee):
                raise AltinnError(ErrorCode.INVALID_CASE_ID,
                                  f"Case {query.case_id} is not a case of reportee {query.reportee}.")
            return [case]
        service = self._service(caller, query.service_code, query.service_edition)
        reportee = self._reportee(query.reportee) if query.reportee else None
        return [c for c in self.store.of_service(service.code, service.edition, reportee) if c.running]

    # -- NotifyEventAgencySystem -----------------------------------------------------------------------------

    def notify(self, caller: Caller, event: str | None, case_id: int | None = None, service_code: str | None = None,
               service_edition: int | None = None) -> list[EventResult]:
        """Tell one case (``case_id``) or every running case of a service of ``event``: one result per case."""
        if not case_id and not service_code:
            raise AltinnError(ErrorCode.INVALID_EVENT_IDENTIFIER,
                              "Give the case (CaseID) or the service (ExternalServiceCode and edition) to notify.")
        event = (event or "").strip()
        if not event:
            raise AltinnError(ErrorCode.INVALID_EVENT_NAME, "The event is missing.")
        with self._transaction():
            if case_id:
                cases = [self._case(caller, case_id)]
                service = self._service_of(cases[0])
            else:
                service = self._service(caller, service_code, service_edition)
                cases = [c for c in self.store.of_service(service.code, service.edition) if c.running]
            machine = machine_of(service)
            if event not in machine.events:
                raise AltinnError(ErrorCode.UNAVAILABLE_STATE_MACHINE_EVENTS,
                                  f"Event {event} is not an event of service {service.code} edition "
                                  f"{service.edition}.")
            return [self._apply(case, machine, event, OWNER_SOURCE) for case in cases]

    def element_event(self, case_id: int | None, event: str, source: str) -> None:
        """An event the end user's action on an element of the case raises (Submitted, Archived, Opened,
        Confirmed), inside that action's transaction. A case that is gone or ended ignores it."""
        if case_id is None:
            return
        case = self.store.get(case_id)
        if case is None or not case.running:
            return
        service = self._service_of(case)
        self._apply(case, machine_of(service), event, source)

    def _apply(self, case: Case, machine: StateMachine, event: str, source: str) -> EventResult:
        state = machine.state(case.state)
        transition = state.transition(event) if state else None
        condition = transition.condition if transition else None
        holds = True
        if condition is not None:
            holds = machine.conditions[condition].holds(case.notice_template, case.tokens)
        to_state = transition.to if transition and holds else case.state
        record = CaseEvent(event, self.clock.now(), source, case.state, to_state, condition, holds)
        changed = evolve(case, state=to_state, events=case.events + (record,))
        self.store.put(changed)
        return EventResult(changed, record.changed, condition, holds)

    # -- SetNoticeAgencySystem -------------------------------------------------------------------------------

    def set_notice(self, caller: Caller, element_id: str | None, template_id: str | None,
                   tokens: list[tuple[str | None, str | None]]) -> Case:
        """Set a notice on the case ``element_id`` names: the case itself, an active element of it, or ``AR`` and
        the archive reference of a submitted one."""
        with self._transaction():
            case = self._case_of_element(caller, (element_id or "").strip())
            machine = machine_of(self._service_of(case))
            template = machine.notice(template_id or "")
            if template is None:
                raise AltinnError(ErrorCode.INVALID_NOTICE_TEMPLATE_ID,
                                  f"{template_id!r} is not a notice template of service {case.service_code}.")
            given: dict[str, str] = {}
            for key, value in tokens:
                if not key or key not in template.tokens:
                    raise AltinnError(ErrorCode.INVALID_NOTICE_TOKEN_ID,
                                      f"{key!r} is not a token of notice template {template.id}.")
                if value is None or not str(value).strip():
                    raise AltinnError(ErrorCode.INVALID_NOTICE_TOKEN_VALUE, f"Token {key} has no value.")
                given[key] = str(value)
            missing = [key for key in template.tokens if key not in given]
            if missing:
                raise AltinnError(ErrorCode.MISSING_NOTICE_TOKENS,
                                  f"Notice template {template.id} needs the tokens {', '.join(missing)}.")
            changed = evolve(case, notice_template=template.id,
                             notice_tokens=tuple((key, given[key]) for key in template.tokens),
                             notice_set_at=self.clock.now())
            self.store.put(changed)
            return changed

    def _case_of_element(self, caller: Caller, element_id: str) -> Case:
        if element_id[:2].upper() == _ARCHIVE_PREFIX and digits_number(element_id[2:]) is not None:
            element = self._find_archived(element_id.upper())
            if element is None:
                raise AltinnError(ErrorCode.INVALID_ELEMENT, f"No archived element {element_id}.")
            return self._case_joined(caller, element)
        if not (element_id.isascii() and element_id.isdigit()):
            raise AltinnError(ErrorCode.INVALID_REPORTEE_ELEMENT,
                              f"{element_id!r} is neither a case id, an element id nor AR and an archive reference.")
        number = digits_number(element_id)
        if number is None:  # a number beyond any Int32 id: no case or element has it
            raise AltinnError(ErrorCode.INVALID_ELEMENT, f"Element {element_id} does not exist.")
        case = self.store.get(number)
        if case is not None:
            return self._running(caller, case)
        element = self._find_element(number)
        if element is None:
            raise AltinnError(ErrorCode.INVALID_ELEMENT, f"Element {number} does not exist.")
        if element.archived:
            raise AltinnError(ErrorCode.ARCHIVED_ELEMENT,
                              f"Element {number} is archived: name it by its archive reference (AR...).")
        return self._case_joined(caller, element)

    def _case_joined(self, caller: Caller, element: ElementRef) -> Case:
        if element.owner != caller.owner.code:
            raise AltinnError(ErrorCode.UNAUTHORIZED_SERVICE_OWNER,
                              f"The {element.kind} {element.id} is not an element of {caller.owner.code}.")
        case = self.store.get(element.case_id) if element.case_id is not None else None
        if case is None:
            raise AltinnError(ErrorCode.UNASSOCIATED_ELEMENT, f"The {element.kind} {element.id} is in no case.")
        if case.status == DELETED:  # the case went with its elements
            raise AltinnError(ErrorCode.DELETED_ELEMENT, f"The {element.kind} {element.id} is deleted.")
        return self._running(caller, case)

    # -- joining (PreFill, Subscription, Correspondence) -----------------------------------------------------

    def check_join(self, owner: str, case_id: int, reportee: str) -> None:
        """An element of ``reportee`` may join case ``case_id`` of ``owner``: it is running and the reportee's."""
        case = self.store.get(case_id)
        if case is None or case.owner != owner or case.reportee != reportee or not case.running:
            why = ("does not exist" if case is None or case.owner != owner else
                   f"is not a case of reportee {reportee}" if case.reportee != reportee else f"is {case.status}")
            raise AltinnError(ErrorCode.INVALID_CASE_ID, f"Case {case_id} {why}.")

    # -- the admin API's -------------------------------------------------------------------------------------

    def archive(self, case_id: int) -> Case:
        return self._end(case_id, ARCHIVED)

    def delete(self, case_id: int) -> Case:
        return self._end(case_id, DELETED)

    def _end(self, case_id: int, status: str) -> Case:
        with self._transaction():
            case = self.store.get(case_id)
            if case is None:
                raise CaseNotFound(f"no case {case_id}")
            if case.status == status or case.status == DELETED:
                return case  # archiving twice, or anything after deleting, changes nothing
            ended = evolve(case, status=status, ended_at=self.clock.now())
            self.store.put(ended)
            return ended

    # -- helpers ---------------------------------------------------------------------------------------------

    def _service(self, caller: Caller, code: str | None, edition: int | None) -> Service:
        if not code or not edition:
            raise AltinnError(ErrorCode.INVALID_CASE_IDENTIFIER,
                              "ExternalServiceCode and ExternalServiceEditionCode are required.")
        service = self.catalog.get_service(code, edition)
        if service is None or service.kind != "collaboration":
            raise AltinnError(ErrorCode.INVALID_CASE_IDENTIFIER,
                              f"Service {code} edition {edition} is not a collaboration service.")
        if service.owner != caller.owner.code:
            raise AltinnError(ErrorCode.UNAUTHORIZED_SERVICE_OWNER,
                              f"Service {code} edition {edition} is not owned by {caller.owner.code}.")
        return service

    def _service_of(self, case: Case) -> Service:
        service = self.catalog.get_service(case.service_code, case.service_edition)
        if service is None:  # the seed changed under the case: it has no machine to follow any more
            raise AltinnError(ErrorCode.INVALID_CASE_IDENTIFIER,
                              f"Service {case.service_code} edition {case.service_edition} no longer exists.")
        return service

    def _reportee(self, reportee: str | None) -> str:
        try:
            return reportee_number(resolve_reportee(self.registry, reportee))
        except AltinnError as error:  # an invalid national id is an invalid reportee here too
            raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER, error.message) from None

    def _case(self, caller: Caller, case_id: int) -> Case:
        case = self.store.get(case_id)
        if case is None or case.owner != caller.owner.code:
            raise AltinnError(ErrorCode.INVALID_CASE_ID, f"Case {case_id} does not exist.")
        return self._running(caller, case)

    @staticmethod
    def _running(caller: Caller, case: Case) -> Case:
        if case.owner != caller.owner.code:
            raise AltinnError(ErrorCode.UNAUTHORIZED_SERVICE_OWNER,
                              f"Case {case.id} is not a case of {caller.owner.code}.")
        if case.status == ARCHIVED:
            raise AltinnError(ErrorCode.ARCHIVED_CASE_ID, f"Case {case.id} is archived.")
        if case.status == DELETED:
            raise AltinnError(ErrorCode.DELETED_CASE_ID, f"Case {case.id} is deleted.")
        return case


def machine_of(service: Service) -> StateMachine:
    return service.state_machine or StateMachine.single_state()


__all__ = ["RUNNING", "ARCHIVED", "DELETED", "Case", "CaseEvent", "CaseQuery", "CaseService", "ElementRef",
           "EventResult", "CaseNotFound"]
