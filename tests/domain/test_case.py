"""Collaboration cases (docs/behaviour/cases.md; decisions D115-D124): instantiating, listing in three modes,
events by the state machine, notices, elements joining a case, the end user's events, archive and delete, and
every ErrorID of the four operations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.domain.catalog import Service
from altinn_so.domain.errors import AltinnError
from altinn_so.domain.state_machine import StateMachine
from altinn_so.services.case.rules import CaseNotFound, CaseQuery
from altinn_so.services.prefill.rules import InstantiateOptions, PrefillFormRequest, PrefillTaskRequest

from .factories import KARI, OLA, correspondence, system_caller

COLLABORATION = ("5695", 1)  # the default seed's: Started -Submitted-> Received -Approve[DecisionIsYes]-> Approved


def ttd(emulator):
    return system_caller(emulator)


def ett(emulator):
    return system_caller(emulator, "ett-system")


def new_case(emulator, reportee=OLA, caller=None):
    return emulator.case.instantiate(caller or ttd(emulator), *COLLABORATION, reportee)


def fails(call) -> int:
    with pytest.raises(AltinnError) as caught:
        call()
    return caught.value.error_id


def prefill_into(emulator, case_id, reportee=OLA):
    """A form task of 5679 for ``reportee``, instantiated by PreFill into case ``case_id``: its element."""
    now = emulator.clock.now()
    task = PrefillTaskRequest(
        service_code="5679", service_edition=1, shipment_reference="ship-1", reportee=reportee,
        system_user_code="TTD_PREFILL", valid_from=now - timedelta(minutes=1), valid_to=now + timedelta(days=30),
        senders_reference="s-1", forms=[PrefillFormRequest("5703", 34301, "<Skjema><Navn>Ola</Navn></Skjema>")])
    emulator.prefill.submit(ttd(emulator), "batch-1", task, InstantiateOptions(instantiate=True, case_id=case_id))
    return max(emulator.reportee_elements.list_elements(), key=lambda e: e.id)


def set_decision(emulator, element_id, value):
    return emulator.case.set_notice(ttd(emulator), str(element_id), "Decision", [("Decision", value)])


def ett_collaboration(emulator):
    emulator.catalog.put_service(Service(code="9500", edition=1, owner="ETT", name="Etatens samhandling",
                                         kind="collaboration"))


# -- InstantiateCollaborationAgencySystem --------------------------------------------------------------------

def test_a_case_starts_in_the_initial_state_visible_now(emulator):
    case = new_case(emulator)
    assert case.id > 100_000 and case.state == "Started" and case.running
    assert case.visible_at == emulator.clock.now() and case.due_at is None
    assert emulator.case_store.get(case.id) == case


def test_visible_and_due_dates_are_kept(emulator):
    later = emulator.clock.now() + timedelta(days=3)
    case = emulator.case.instantiate(ttd(emulator), *COLLABORATION, OLA, later, later + timedelta(days=7))
    assert (case.visible_at, case.due_at) == (later, later + timedelta(days=7))


@pytest.mark.parametrize(("service", "reportee", "code"), [
    ((None, 1), OLA, 60002), (("5695", None), OLA, 60002), (("9999", 1), OLA, 60002),
    (("5679", 1), OLA, 60002),  # a form service is no collaboration service
    (("5695", 1), "310009999", 60012), (("5695", 1), "12345678901", 60012), (("5695", 1), "", 60012),
])
def test_instantiate_refusals(emulator, service, reportee, code):
    assert fails(lambda: emulator.case.instantiate(ttd(emulator), *service, reportee)) == code
    assert emulator.case_store.list() == []


def test_another_owners_collaboration_service_is_60024(emulator):
    ett_collaboration(emulator)
    assert fails(lambda: emulator.case.instantiate(ttd(emulator), "9500", 1, OLA)) == 60024
    assert emulator.case.instantiate(ett(emulator), "9500", 1, OLA).state == "Started"  # the one-state default


# -- GetCaseListAgencySystem ---------------------------------------------------------------------------------

def test_the_three_modes(emulator):
    ola, kari = new_case(emulator), new_case(emulator, KARI)
    second = new_case(emulator)
    caller = ttd(emulator)
    assert [c.id for c in emulator.case.case_list(caller, CaseQuery(None, *COLLABORATION, OLA))] == [ola.id, second.id]
    assert [c.id for c in emulator.case.case_list(caller, CaseQuery(None, *COLLABORATION))] == [
        ola.id, kari.id, second.id]
    assert [c.id for c in emulator.case.case_list(caller, CaseQuery(kari.id, reportee=KARI))] == [kari.id]
    assert [c.id for c in emulator.case.case_list(caller, CaseQuery(kari.id))] == [kari.id]


def test_archived_and_deleted_cases_leave_the_service_modes(emulator):
    kept, archived, deleted = new_case(emulator), new_case(emulator), new_case(emulator)
    emulator.case.archive(archived.id)
    emulator.case.delete(deleted.id)
    assert [c.id for c in emulator.case.case_list(ttd(emulator), CaseQuery(None, *COLLABORATION, OLA))] == [kept.id]


def test_case_list_refusals(emulator):
    case, archived, deleted = new_case(emulator), new_case(emulator), new_case(emulator)
    emulator.case.archive(archived.id)
    emulator.case.delete(deleted.id)
    ett_collaboration(emulator)
    caller = ttd(emulator)
    for query, code in [
        (CaseQuery(999_999), 60001), (CaseQuery(case.id, reportee=KARI), 60001),
        (CaseQuery(), 60002), (CaseQuery(None, "5679", 1), 60002), (CaseQuery(None, "5695", None), 60002),
        (CaseQuery(None, *COLLABORATION, "310009999"), 60012), (CaseQuery(case.id, reportee="nobody"), 60012),
        (CaseQuery(archived.id), 60014), (CaseQuery(deleted.id), 60015), (CaseQuery(None, "9500", 1), 60024),
    ]:
        assert fails(lambda: emulator.case.case_list(caller, query)) == code, query
    # another owner's case is no case of the caller's
    assert fails(lambda: emulator.case.case_list(ett(emulator), CaseQuery(case.id))) == 60001


# -- NotifyEventAgencySystem ---------------------------------------------------------------------------------

def test_an_event_of_the_current_state_moves_the_case_on(emulator):
    case = new_case(emulator)
    [result] = emulator.case.notify(ttd(emulator), "Submitted", case_id=case.id)
    assert (result.changed, result.case.state, result.condition, result.condition_result) == (
        True, "Received", None, True)
    assert [(e.event, e.source, e.from_state, e.to_state) for e in emulator.case_store.get(case.id).events] == [
        ("Submitted", "owner", "Started", "Received")]


def test_an_event_of_another_state_changes_nothing(emulator):
    case = new_case(emulator)
    [result] = emulator.case.notify(ttd(emulator), "Reject", case_id=case.id)
    assert (result.changed, result.case.state) == (False, "Started")


def test_a_condition_holds_only_when_the_notice_says_so(emulator):
    case = new_case(emulator)
    emulator.case.notify(ttd(emulator), "Submitted", case_id=case.id)
    [refused] = emulator.case.notify(ttd(emulator), "Approve", case_id=case.id)
    assert (refused.changed, refused.case.state, refused.condition, refused.condition_result) == (
        False, "Received", "DecisionIsYes", False)
    set_decision(emulator, case.id, "no")
    assert emulator.case.notify(ttd(emulator), "Approve", case_id=case.id)[0].changed is False
    set_decision(emulator, case.id, "yes")
    [moved] = emulator.case.notify(ttd(emulator), "Approve", case_id=case.id)
    assert (moved.changed, moved.case.state, moved.condition_result) == (True, "Approved", True)


def test_a_service_event_goes_to_every_running_case_one_result_each(emulator):
    first, second, archived = new_case(emulator), new_case(emulator, KARI), new_case(emulator)
    emulator.case.notify(ttd(emulator), "Submitted", case_id=second.id)
    emulator.case.archive(archived.id)
    results = emulator.case.notify(ttd(emulator), "Withdraw", service_code="5695", service_edition=1)
    assert [(r.case.id, r.changed, r.case.state) for r in results] == [
        (first.id, True, "Withdrawn"), (second.id, False, "Received")]


def test_a_predefined_event_the_machine_does_not_use_is_accepted(emulator):
    case = new_case(emulator)
    [result] = emulator.case.notify(ttd(emulator), "Instantiated", case_id=case.id)
    assert (result.changed, result.case.state) == (False, "Started")


def test_notify_refusals(emulator):
    case, archived, deleted = new_case(emulator), new_case(emulator), new_case(emulator)
    emulator.case.archive(archived.id)
    emulator.case.delete(deleted.id)
    caller = ttd(emulator)
    for kwargs, code in [
        (dict(event="Submitted"), 60022),
        (dict(event="", case_id=case.id), 60023), (dict(event=None, case_id=case.id), 60023),
        (dict(event="Fly", case_id=case.id), 60032), (dict(event="Fly", service_code="5695", service_edition=1), 60032),
        (dict(event="Submitted", case_id=999_999), 60001),
        (dict(event="Submitted", service_code="5679", service_edition=1), 60002),
        (dict(event="Submitted", case_id=archived.id), 60014), (dict(event="Submitted", case_id=deleted.id), 60015),
    ]:
        assert fails(lambda: emulator.case.notify(caller, **kwargs)) == code, kwargs
    assert emulator.case_store.get(case.id).events == ()


# -- SetNoticeAgencySystem -----------------------------------------------------------------------------------

def test_a_notice_on_the_case_keeps_its_tokens_in_the_templates_order(emulator):
    case = new_case(emulator)
    changed = emulator.case.set_notice(ttd(emulator), str(case.id), "Reminder",
                                       [("Contact", "Kari"), ("DueDate", "2027-01-01")])
    assert (changed.notice_template, changed.notice_tokens) == ("Reminder", (("DueDate", "2027-01-01"),
                                                                             ("Contact", "Kari")))
    assert emulator.case_store.get(case.id).notice_set_at == emulator.clock.now()


def test_a_notice_through_an_active_element_or_an_archive_reference(emulator):
    case = new_case(emulator)
    element = prefill_into(emulator, case.id)
    assert set_decision(emulator, element.id, "no").id == case.id
    task = emulator.worklist.submit(element.id)
    assert set_decision(emulator, task.archive_reference.lower(), "yes").tokens == {"Decision": "yes"}
    # a submitted element is named by its archive reference from then on
    assert fails(lambda: set_decision(emulator, element.id, "yes")) == 60019


def test_a_notice_through_a_correspondence_of_the_case(emulator):
    case = new_case(emulator)
    emulator.correspondence.insert(ttd(emulator), correspondence(OLA, case_id=case.id))
    [letter] = emulator.correspondence_store.find_correspondences("TTD")
    assert letter.case_id == case.id
    assert set_decision(emulator, letter.id, "yes").notice_template == "Decision"


def test_set_notice_refusals(emulator):
    case, archived, deleted = new_case(emulator), new_case(emulator), new_case(emulator)
    loose = prefill_into(emulator, None)  # in no case
    in_deleted = prefill_into(emulator, deleted.id)
    emulator.case.archive(archived.id)
    emulator.case.delete(deleted.id)
    ett_collaboration(emulator)
    ett_case = emulator.case.instantiate(ett(emulator), "9500", 1, OLA)
    caller = ttd(emulator)
    ok = [("Decision", "yes")]
    for element_id, template, tokens, code in [
        ("12x", "Decision", ok, 60005), ("", "Decision", ok, 60005), ("AR", "Decision", ok, 60005),
        (str(case.id), "Nope", ok, 60011), (str(case.id), None, ok, 60011),
        (str(archived.id), "Decision", ok, 60014), (str(deleted.id), "Decision", ok, 60015),
        ("999999", "Decision", ok, 60016), ("AR9999999", "Decision", ok, 60016),
        ("9" * 23, "Decision", ok, 60016), (str(2 ** 31), "Decision", ok, 60016),  # beyond any id (and SQLite's)
        ("²", "Decision", ok, 60005), ("AR²", "Decision", ok, 60005), ("١٢", "Decision", ok, 60005),  # not ASCII digits
        (str(loose.id), "Decision", ok, 60017), (str(in_deleted.id), "Decision", ok, 60018),
        (str(case.id), "Decision", [("Decision", "yes"), ("Other", "x")], 60020),
        (str(case.id), "Decision", [(None, "x")], 60020),
        (str(case.id), "Decision", [("Decision", " ")], 60021),
        (str(case.id), "Decision", [("Decision", None)], 60021),
        (str(ett_case.id), "Decision", ok, 60024),
        (str(case.id), "Decision", [], 60025), (str(case.id), "Reminder", [("DueDate", "i dag")], 60025),
    ]:
        assert fails(lambda: emulator.case.set_notice(caller, element_id, template, tokens)) == code, element_id
    assert emulator.case_store.get(case.id).notice_template is None


def test_another_owners_element_is_60024(emulator):
    case = new_case(emulator)
    element = prefill_into(emulator, case.id)
    assert fails(lambda: emulator.case.set_notice(ett(emulator), str(element.id), "Decision",
                                                  [("Decision", "yes")])) == 60024


# -- elements joining a case, and the end user's events ------------------------------------------------------

def test_a_submitted_form_task_of_the_case_moves_it_on(emulator):
    case = new_case(emulator)
    element = prefill_into(emulator, case.id)
    assert element.case_id == case.id
    task = emulator.worklist.submit(element.id)
    assert task.case_id == case.id
    stored = emulator.case_store.get(case.id)
    assert stored.state == "Received"
    assert [(e.event, e.source, e.changed) for e in stored.events] == [
        ("Submitted", f"form task {element.id}", True), ("Archived", f"form task {element.id}", False)]


def test_reading_a_correspondence_of_the_case_is_opened_and_confirming_it_confirmed(emulator):
    case = new_case(emulator)
    emulator.case.notify(ttd(emulator), "Submitted", case_id=case.id)
    set_decision(emulator, case.id, "yes")
    emulator.case.notify(ttd(emulator), "Approve", case_id=case.id)
    emulator.correspondence.insert(ttd(emulator), correspondence(OLA, case_id=case.id))
    [letter] = emulator.correspondence_store.find_correspondences("TTD")
    emulator.correspondence.confirm(letter.id)
    stored = emulator.case_store.get(case.id)
    assert stored.state == "Closed"
    assert [(e.event, e.changed) for e in stored.events[-2:]] == [("Opened", True), ("Confirmed", False)]


def test_an_ended_case_ignores_its_elements_events(emulator):
    case = new_case(emulator)
    element = prefill_into(emulator, case.id)
    emulator.case.archive(case.id)
    emulator.worklist.submit(element.id)
    assert emulator.case_store.get(case.id).state == "Started"


@pytest.mark.parametrize("joins", ["prefill", "correspondence"])
def test_joining_needs_a_running_case_of_the_caller_and_the_reportee(emulator, joins):
    def join(case_id, reportee=OLA):
        if joins == "prefill":
            prefill_into(emulator, case_id, reportee)
        else:
            emulator.correspondence.insert(ttd(emulator), correspondence(reportee, case_id=case_id))

    case, archived = new_case(emulator), new_case(emulator)
    emulator.case.archive(archived.id)
    ett_collaboration(emulator)
    ett_case = emulator.case.instantiate(ett(emulator), "9500", 1, OLA)
    for case_id, reportee in [(999_999, OLA), (7, OLA), (case.id, KARI), (archived.id, OLA), (ett_case.id, OLA)]:
        assert fails(lambda: join(case_id, reportee)) == 60001, (case_id, reportee)
    join(case.id)


def test_a_subscription_joins_each_activation_to_its_case(emulator):
    from altinn_so.services.subscription.rules import SubscriptionRequest

    case = new_case(emulator, "310003018")
    now = emulator.clock.now()
    entry = dict(service_code="5679", service_edition=1, reportee="310003018", period_type="Monthly",
                 start_at=now, schedule_at=now + timedelta(minutes=1), due_at=now + timedelta(days=1),
                 case_id=case.id)
    receipt = emulator.subscription.submit(ttd(emulator), "batch-s", "TTD_SUBSCRIPTION",
                                           [SubscriptionRequest(**entry)])
    assert receipt.sub_receipts[0].status.value == "OK", receipt
    wrong = emulator.subscription.submit(ttd(emulator), "batch-t", "TTD_SUBSCRIPTION",
                                         [SubscriptionRequest(**{**entry, "case_id": 999_999})])
    assert wrong.sub_receipts[0].text.startswith("ErrorID 60001: ")
    emulator.clock.advance(timedelta(minutes=2))
    emulator.run_due_work()
    [element] = [e for e in emulator.reportee_elements.list_elements() if e.origin.startswith("subscription:")]
    assert element.case_id == case.id


# -- archive and delete (the admin API) ----------------------------------------------------------------------

def test_archiving_a_case_writes_nothing_to_the_owners_archive(emulator):
    case = new_case(emulator)
    before = emulator.archive.list_archived()
    archived = emulator.case.archive(case.id)
    assert (archived.status, archived.ended_at) == ("archived", emulator.clock.now())
    assert emulator.archive.list_archived() == before
    assert emulator.case.archive(case.id) == archived  # twice changes nothing
    assert emulator.case.delete(case.id).status == "deleted"
    assert emulator.case.archive(case.id).status == "deleted"  # nothing comes after deleting


def test_an_unknown_case_is_not_found(emulator):
    with pytest.raises(CaseNotFound):
        emulator.case.archive(5)


# -- the seed's state machine --------------------------------------------------------------------------------

def test_the_seed_machine_reads_back_from_its_dict(emulator):
    machine = emulator.catalog.get_service(*COLLABORATION).state_machine
    assert StateMachine.from_dict(machine.to_dict()) == machine
    assert machine.friendly_name(machine.state("Received"), 1033) == "Received"
    assert machine.friendly_name(machine.state("Received"), 2068) == "Mottatt"  # the default language's


@pytest.mark.parametrize(("machine", "complaint"), [
    ({}, "states"),
    ({"states": [{"name": "A", "events": {"Go": "B"}}]}, "no state"),
    ({"states": [{"name": "A", "events": {"Go": {"to": "A", "condition": "X"}}}]}, "does not declare"),
    ({"states": [{"name": "A"}, {"name": "A"}]}, "same name"),
    ({"states": [{"name": "A"}], "initial": "B"}, "initial"),
    ({"states": [{"name": "A"}], "conditions": {"X": {"value": "yes"}}}, "true or false"),
    ({"states": [{"name": "A"}], "conditions": {"X": {"token": "T"}}}, "equals"),
    ({"states": [{"name": "A"}], "conditions": {"X": {"value": True, "notice": "N"}}}, "one of"),
    ({"states": [{"name": "A"}], "notices": [{"id": "N"}, {"id": "N"}]}, "same id"),
    ({"states": [{"name": "A"}], "colour": "red"}, "colour"),
])
def test_a_bad_state_machine_is_refused_with_a_reason(machine, complaint):
    with pytest.raises(ValueError, match=complaint):
        Service.from_dict({"code": "1", "edition": 1, "owner": "TTD", "kind": "collaboration",
                           "state_machine": machine})


def test_only_a_collaboration_service_has_a_state_machine():
    with pytest.raises(ValueError, match="collaboration"):
        Service.from_dict({"code": "1", "edition": 1, "owner": "TTD", "kind": "form",
                           "state_machine": {"states": [{"name": "A"}]}})
