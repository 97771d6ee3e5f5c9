"""ContextHandlerExternal: what a reportee element is, for an owner's portal that asks who may do what with it
(docs/behaviour/context-handler.md).

Altinn numbered every reportee element in one series; the emulator counts form tasks, correspondences, broker
shipments and (from 100001) collaboration cases each on their own. An id is looked up in that order and the first
found answers (D121).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository
from altinn_so.domain.elements import ACTIVE, ReporteeElementRepository
from altinn_so.domain.errors import AltinnError, ErrorCode

# ServiceType values of the real contract
REPORTING, CORRESPONDENCE, COLLABORATION, BROKER = "Reporting", "Correspondence", "Collaboration", "Broker"

# A form task's process step (D122): filling in, signing (someone has signed), submitted.
FILL_IN_STEP, SIGNING_STEP, SUBMITTED_STEP = 1, 2, 3


@dataclass(frozen=True)
class ElementContext:
    owner: str
    reportee: str
    service_code: str
    service_edition: int
    service_type: str
    process_step: int | None = None


# element id -> its context, or None: one per kind of element other services keep
ContextSource = Callable[[int], "ElementContext | None"]


def form_task_context(elements: ReporteeElementRepository) -> ContextSource:
    def context(element_id: int) -> ElementContext | None:
        element = elements.get_element(element_id)
        if element is None:
            return None
        step = SUBMITTED_STEP if element.status != ACTIVE else SIGNING_STEP if element.signatures else FILL_IN_STEP
        return ElementContext(element.owner, element.reportee, element.service_code, element.service_edition,
                              REPORTING, step)
    return context


class ContextHandler:
    def __init__(self, catalog: CatalogRepository, sources: list[ContextSource]):
        self.catalog = catalog
        self.sources = sources

    def element_context(self, caller: Caller, element_id: int | None) -> ElementContext:
        if not element_id:
            raise AltinnError(ErrorCode.INVALID_ELEMENT, "reporteeElementID is missing.")
        for source in self.sources:
            found = source(element_id)
            if found is not None:
                if found.owner != caller.owner.code:
                    raise AltinnError(ErrorCode.UNAUTHORIZED_SERVICE_OWNER,
                                      f"Element {element_id} is not an element of {caller.owner.code}'s services.")
                return found
        raise AltinnError(ErrorCode.INVALID_ELEMENT, f"Element {element_id} does not exist.")
