"""ServiceOwnerArchiveExternal's rules on SQLite and PostgreSQL (docs/behaviour/archive.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.domain.archive import CORRELATED, SENT, ShipmentStatusEntry
from altinn_so.domain.errors import AltinnError
from altinn_so.services.archive import ArchiveSettings, ServiceOwnerArchive
from altinn_so.services.archive.rules import ServiceSearch

from support.archived import archived_task, attachment

from .factories import system_caller


def test_a_task_is_found_by_its_element_id_for_its_owner_only(emulator):
    task = archived_task(emulator)
    assert emulator.archive_service.archived_form_task(system_caller(emulator), task.element_id) == task
    for caller, element_id in ((system_caller(emulator, "ett-system"), task.element_id),
                               (system_caller(emulator), task.element_id + 1)):
        with pytest.raises(AltinnError) as error:
            emulator.archive_service.archived_form_task(caller, element_id)
        assert error.value.error_id == 30007
    with pytest.raises(AltinnError) as error:
        emulator.archive_service.archived_form_task(system_caller(emulator), None)
    assert error.value.error_id == 30004


def test_service_search_filters_by_edition_and_archive_time(emulator, clock):
    first = archived_task(emulator)
    clock.advance(timedelta(days=2))
    second = archived_task(emulator)
    search = emulator.archive_service.shipment_status
    caller = system_caller(emulator)

    def found(**search_by) -> list[str]:
        return [s.task.archive_reference for s in search(caller, None, ServiceSearch("5679", **search_by)).statuses]

    assert found() == [first.archive_reference, second.archive_reference]
    assert found(service_edition=2) == []
    assert found(date_from=second.archived_at - timedelta(hours=1)) == [second.archive_reference]
    assert found(date_to=first.archived_at) == [first.archive_reference]
    assert search(system_caller(emulator, "ett-system"), None, ServiceSearch("5679")).statuses == ()


def test_the_log_comes_oldest_first(emulator, clock):
    task = archived_task(emulator)
    now = clock.now()
    emulator.archive.log_shipment(ShipmentStatusEntry(task.archive_reference, now, SENT, "DownloadQueue|1"))
    emulator.archive.log_shipment(ShipmentStatusEntry(task.archive_reference, now + timedelta(seconds=1),
                                                      CORRELATED, "Correspondence|x"))
    [status] = emulator.archive_service.shipment_status(system_caller(emulator), task.archive_reference,
                                                        None).statuses
    assert [e.status for e in status.log] == [SENT, CORRELATED]


def test_limit_reached(emulator_with):
    emulator = emulator_with(service_settings={"archive": ArchiveSettings(max_results=2)})
    tasks = [archived_task(emulator) for _ in range(3)]
    result = emulator.archive_service.shipment_status(system_caller(emulator), None, ServiceSearch("5679"))
    assert result.limit_reached is True
    assert [s.task.archive_reference for s in result.statuses] == [t.archive_reference for t in tasks[:2]]
    exact = ServiceOwnerArchive(emulator.archive, settings=ArchiveSettings(max_results=3))
    result = exact.shipment_status(system_caller(emulator), None, ServiceSearch("5679"))
    assert (len(result.statuses), result.limit_reached) == (3, False)


@pytest.mark.parametrize(("reference", "service"), [(None, None), ("AR1", ServiceSearch("5679")),
                                                    ("  ", ServiceSearch(" "))])
def test_exactly_one_search_key(emulator, reference, service):
    with pytest.raises(AltinnError) as error:
        emulator.archive_service.shipment_status(system_caller(emulator), reference, service)
    assert error.value.error_id == 30004


def test_attachment_data_of_the_owners_archived_tasks_only(emulator):
    task = archived_task(emulator, attachments=[attachment(b"%PDF-1.4 data")], submitter="23917710120")
    attachment_id = task.attachments[0].id
    assert emulator.archive_service.attachment_data(system_caller(emulator), attachment_id) == b"%PDF-1.4 data"
    for caller, wanted, code in ((system_caller(emulator, "ett-system"), attachment_id, 30007),
                                 (system_caller(emulator), attachment_id + 1, 30007),
                                 (system_caller(emulator), None, 30004)):
        with pytest.raises(AltinnError) as error:
            emulator.archive_service.attachment_data(caller, wanted)
        assert error.value.error_id == code


def test_attachment_data_of_a_task_not_archived_or_of_one_removed_before_submitting_is_unknown(emulator):
    """Only an archived task's attachments are the owner's archive: one of a task still in the worklist, and one
    the end user removed before submitting, are 30007 like an unknown id."""
    archived = archived_task(emulator, attachments=[attachment(b"kept")], submitter="23917710120")
    element = emulator.reportee_elements.get_element(archived.element_id)
    active = emulator.reportee_elements.add_element(element.__class__(
        id=0, owner=element.owner, service_code=element.service_code, service_edition=element.service_edition,
        reportee=element.reportee, kind=element.kind, status="active", created_at=element.created_at,
        visible_at=element.visible_at, forms=element.forms))
    pending = emulator.worklist.add_attachment(active.id, "Utkast", "utkast.txt", b"not submitted")
    removed = emulator.reportee_elements.add_attachment_data(archived.element_id, b"removed before submitting")
    for attachment_id in (pending.id, removed):
        with pytest.raises(AltinnError) as error:
            emulator.archive_service.attachment_data(system_caller(emulator), attachment_id)
        assert error.value.error_id == 30007
    assert emulator.archive_service.attachment_data(system_caller(emulator), archived.attachments[0].id) == b"kept"
