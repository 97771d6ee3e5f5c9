"""ArchiveCommon's search over archived form tasks, active form tasks and correspondences
(docs/behaviour/archive-common.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.domain.catalog import Service
from altinn_so.domain.elements import ACTIVE, FORM_TASK, ReporteeElement
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.services.archive_common.rules import ArchiveSearch

from support.archived import archived_task

from .factories import KARI, OLA, ORG, correspondence, owner_caller, system_caller


def search(emulator, code="TTD", **fields):
    return emulator.archive_common.search(owner_caller(emulator, code), ArchiveSearch(**fields))


def active_element(emulator, reportee=OLA, service=("5680", 1), case_id=None) -> ReporteeElement:
    now = emulator.clock.now()
    return emulator.reportee_elements.add_element(ReporteeElement(
        id=0, owner="TTD", service_code=service[0], service_edition=service[1], reportee=reportee, kind=FORM_TASK,
        status=ACTIVE, created_at=now, visible_at=now, case_id=case_id))


def insert(emulator, reportee=OLA, **fields):
    emulator.correspondence.insert(system_caller(emulator), correspondence(reportee, **fields))
    return max(emulator.correspondence_store.find_correspondences("TTD"), key=lambda c: c.id)


def test_finds_the_submission_and_a_correspondence_by_reportee_dates_and_reference(emulator):
    start = emulator.clock.now()
    task = archived_task(emulator)
    emulator.clock.advance(timedelta(hours=1))
    letter = insert(emulator, title="Vedtak om testmidler", archive_reference=task.archive_reference)
    insert(emulator, KARI, reference="ref-kari")

    found = search(emulator, reportee=OLA, date_from=start, date_to=emulator.clock.now())
    assert [(f.element_type, f.element_id) for f in found] == [("Archive", task.element_id),
                                                             ("Correspondence", letter.id)]
    archived, message = found
    assert (archived.subject, archived.is_subject_message_title, archived.archive_reference,
            archived.send_complete, archived.reportee, archived.reportee_name) == (
        "Søknad om testmidler", False, task.archive_reference, True, OLA, "Ola Testmann Nordmann")
    assert (message.subject, message.is_subject_message_title, message.archive_reference) == (
        "Vedtak om testmidler", True, task.archive_reference)

    # the archive reference finds both: the submission and the correspondence that answers it
    by_reference = search(emulator, reference=task.archive_reference.lower())
    assert [f.element_type for f in by_reference] == ["Archive", "Correspondence"]
    assert [f.element_id for f in search(emulator, reference="ref-kari")] == [
        max(c.id for c in emulator.correspondence_store.find_correspondences("TTD"))]
    # a number is an element id or a correspondence id: each kind counts its own, so both may answer (D88)
    by_id = search(emulator, reference=str(letter.id))
    assert ("Correspondence", letter.id) in [(f.element_type, f.element_id) for f in by_id]
    assert {f.element_id for f in by_id} == {letter.id}
    # the dates bound the last change: nothing before the submission, nothing after the search window
    assert search(emulator, reportee=OLA, date_to=start - timedelta(seconds=1)) == []
    assert [f.element_type for f in search(emulator, reportee=OLA, date_from=start + timedelta(minutes=30))] == [
        "Correspondence"]


def test_active_form_tasks_are_listed_as_active_and_a_submitted_one_once(emulator):
    element = active_element(emulator, ORG, case_id=77)
    task = archived_task(emulator)
    found = search(emulator, subject="TEST")  # both services' names contain "test", any case
    assert [(f.element_type, f.element_id, f.send_complete) for f in found] == [
        ("Active", element.id, False), ("Archive", task.element_id, True)]
    assert [f.element_id for f in search(emulator, case_id=77)] == [element.id]
    assert [f.element_id for f in search(emulator, reference=str(element.id))] == [element.id]
    assert search(emulator, subject="Rapport")[0].subject == "Rapport om testaktivitet"


def test_only_the_callers_own_services_and_never_collaboration_or_lookup(emulator):
    archived_task(emulator)
    insert(emulator)
    assert search(emulator, "ETT", reportee=OLA) == []
    for kind, code in (("collaboration", "5691"), ("lookup", "5692")):
        emulator.catalog.put_service(Service(code=code, edition=1, owner="TTD", name=f"Test {kind}", kind=kind))
        active_element(emulator, service=(code, 1))
    assert {f.element_type for f in search(emulator, reportee=OLA)} == {"Archive", "Correspondence"}


def test_user_name_matches_the_reportee(emulator):
    insert(emulator)
    assert len(search(emulator, user_name=OLA)) == 1
    assert search(emulator, user_name="someone_else") == []


def test_no_search_field_is_30004(emulator):
    archived_task(emulator)
    for empty in (ArchiveSearch(), ArchiveSearch(reportee=" ", subject="")):
        with pytest.raises(AltinnError) as raised:
            emulator.archive_common.search(system_caller(emulator), empty)
        assert raised.value.error_id == ErrorCode.ARGUMENT_NULL_EXCEPTION


@pytest.mark.parametrize(("reportee", "code"), [("23917710121", ErrorCode.INVALID_SSN),
                                                ("999999999", ErrorCode.INVALID_REPORTEE_NUMBER),
                                                ("no_such_user", ErrorCode.INVALID_REPORTEE_NUMBER)])
def test_an_unknown_reportee_is_a_fault(emulator, reportee, code):
    with pytest.raises(AltinnError) as raised:
        search(emulator, reportee=reportee)
    assert raised.value.error_id == code


def test_a_known_reportee_with_nothing_is_an_empty_list(emulator):
    archived_task(emulator)
    assert search(emulator, reportee=KARI) == []
