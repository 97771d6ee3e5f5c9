"""ContextHandlerExternal's rules (docs/behaviour/context-handler.md): the context of each kind of element the
emulator keeps, a form task's process step, a case's state as its step, and the two refusals."""

from __future__ import annotations

import pytest

from altinn_so.domain.errors import AltinnError
from altinn_so.services.broker.model import Shipment

from support.archived import archived_task

from .factories import OLA, correspondence, system_caller
from .test_case import prefill_into


def context(emulator, element_id, system="ttd-system"):
    return emulator.context_handler.element_context(system_caller(emulator, system), element_id)


def fails(emulator, element_id, system="ttd-system") -> int:
    with pytest.raises(AltinnError) as caught:
        context(emulator, element_id, system)
    return caught.value.error_id


def test_a_form_tasks_step_follows_the_end_user(emulator):
    element = prefill_into(emulator, None)
    found = context(emulator, element.id)
    assert (found.reportee, found.service_code, found.service_edition, found.service_type, found.process_step) == (
        OLA, "5679", 1, "Reporting", 1)
    emulator.worklist.sign(element.id, OLA)
    assert context(emulator, element.id).process_step == 2
    emulator.worklist.submit(element.id)
    assert context(emulator, element.id).process_step == 3


def test_a_correspondence_a_case_and_a_broker_shipment(emulator):
    archived_task(emulator)  # form task 1
    for reference in ("r-1", "r-2"):
        emulator.correspondence.insert(system_caller(emulator), correspondence(OLA, reference=reference))
    letter = context(emulator, 2)  # no form task 2: the second correspondence
    assert (letter.service_type, letter.service_code, letter.process_step) == ("Correspondence", "5678", None)

    case = emulator.case.instantiate(system_caller(emulator), "5695", 1, OLA)
    assert (context(emulator, case.id).service_type, context(emulator, case.id).process_step) == ("Collaboration", 1)
    emulator.case.notify(system_caller(emulator), "Submitted", case_id=case.id)
    assert context(emulator, case.id).process_step == 2  # the id of its state now, Received

    for n in range(3):  # shipment 3 is the first id neither a form task nor a correspondence has
        shipment = emulator.broker_store.add(Shipment(
            id=0, reference=f"00000000-0000-0000-0000-00000000000{n}", owner="TTD", sender="310003018",
            service_code="5690", service_edition=1, senders_reference="s", initiated_at=emulator.clock.now(),
            recipients=()))
    found = context(emulator, shipment.id)
    assert (found.service_type, found.reportee, found.service_code) == ("Broker", "310003018", "5690")


def test_unknown_missing_and_other_owners_elements(emulator):
    element = prefill_into(emulator, None)
    assert fails(emulator, 4242) == 60016
    assert fails(emulator, None) == 60016
    assert fails(emulator, 0) == 60016
    assert fails(emulator, element.id, "ett-system") == 60024
