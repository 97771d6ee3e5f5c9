"""The elements an XACML request's element id may name, read from the stores the emulator built (the worklist's
elements, the correspondence service's store, the archive) and handed to the rules as plain ``ElementFacts``."""

from __future__ import annotations

from altinn_so.domain.elements import ACTIVE

from .rules import ElementFacts, ElementSource


def element_source(emulator) -> ElementSource:
    elements, archive = emulator.reportee_elements, emulator.archive
    correspondences = getattr(emulator, "correspondence_store", None)

    def by_id(element_id: int) -> list[ElementFacts]:
        found = []
        element = elements.get_element(element_id)
        if element is not None:
            found.append(ElementFacts(element.id, "form_task", element.reportee, element.service_code,
                                      element.service_edition, active=element.status == ACTIVE,
                                      archived=element.archive_reference is not None))
        letter = correspondences.get_correspondence(element_id) if correspondences is not None else None
        if letter is not None:
            found.append(ElementFacts(letter.id, "correspondence", letter.reportee, letter.service_code,
                                      int(letter.service_edition), active=False, archived=False))
        return found

    def archived(reference: str) -> ElementFacts | None:
        task = archive.get_archived(reference) if not reference.isdigit() else archive.archived_of_element(
            int(reference))
        if task is None:
            return None
        return ElementFacts(task.element_id, "archived", task.reportee, task.service_code, task.service_edition,
                            active=False, archived=True)

    return ElementSource(by_id, archived)
