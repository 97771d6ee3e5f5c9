"""PreFill (docs/behaviour/prefill.md; decisions D31-D36): every check and its ErrorID, what is stored, the
worklist element, notifications, KRR reservation, identity fields and the batch with its sub-receipts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import orjson
import pytest

from altinn_so.domain.errors import AltinnError
from altinn_so.domain.receipts import ReceiptStatus, Reference
from altinn_so.domain.values import BLANK
from altinn_so.services.prefill.batches import task_from_dict, task_to_dict
from altinn_so.services.prefill.rules import (RESERVED, SAVED, InstantiateOptions, PrefillAttachmentRequest,
                                              PrefillFormRequest, PrefillTaskRequest, element_origin, identity_key)

from .factories import KARI, NOW, OLA, ORG, PER, SELF_REGISTERED, TTD_ORGNO, request, system_caller

PLAIN_FORM = ("5679", 1, "5703", 34301)  # no schema
SCHEMA_FORM = ("5680", 1, "5704", 34302)  # with the seed's schema
VALID_REPORT = ('<Skjema skjemanummer="5704"><Rapportor><Organisasjonsnummer>310003018</Organisasjonsnummer>'
                '<Navn>Eksempel AS</Navn></Rapportor><Periode>2026-02</Periode>'
                '<AntallDeltakere>12</AntallDeltakere></Skjema>')


def task(reportee=OLA, *, form=PLAIN_FORM, xml="<Skjema><Navn>Ola</Navn></Skjema>", **fields) -> PrefillTaskRequest:
    """A valid prefilled form task unless a test overrides a field."""
    code, edition, data_format, version = form
    values = dict(service_code=code, service_edition=edition, shipment_reference="ship-1", reportee=reportee,
                  system_user_code="TTD_PREFILL", valid_from=_now(), valid_to=_now() + timedelta(days=30),
                  senders_reference="sender-1",
                  forms=[PrefillFormRequest(data_format, version, xml, "form-ref")])
    values.update(fields)
    return PrefillTaskRequest(**values)


def _now():
    return NOW  # the tests' frozen clock


def submit(emulator, t=None, batch="batch-1", **options):
    options = InstantiateOptions(**({"save": True} | options))
    return emulator.prefill.submit(system_caller(emulator), batch, t or task(), options)


def fails(emulator, t=None, batch="batch-1", **options) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        submit(emulator, t, batch, **options)
    return caught.value


def nothing_stored(emulator) -> bool:
    return (emulator.prefill_store.list_sets() == [] and emulator.reportee_elements.list_elements() == []
            and emulator.receipt_store.list_receipts() == [] and emulator.outbox.list_messages() == [])


def notice(**fields):
    return request(None, "Email", template="TokenTextOnly", tokens=("Nytt skjema", "Logg inn"), **fields)


# -- checks, in the order they are reported ---------------------------------------------------------------

FAULTS = [
    ({"system_user_code": None}, 40008),
    ({"shipment_reference": None}, 40005),
    ({"service_code": None}, 40006),
    ({"service_code": "9999"}, 30003),
    ({"reportee": None}, 40007),
    ({"reportee": "12345678901"}, 40016),
    ({"valid_from": None}, 30004),
    ({"valid_to": "before"}, 0),
    ({"forms": []}, 40012),
]


@pytest.mark.parametrize("step", range(len(FAULTS)), ids=[f"{code}" for _, code in FAULTS])
def test_each_check_reports_its_code_in_order(emulator, step):
    fields = {}
    for changes, _ in reversed(FAULTS[step:]):  # an earlier step wins where two set the same field
        fields.update(changes)
    if fields.get("valid_to") == "before":
        fields["valid_to"] = _now() - timedelta(days=1)
    error = fails(emulator, task(**fields))
    assert error.error_id == FAULTS[step][1]
    assert nothing_stored(emulator)


def test_the_external_batch_id_is_required(emulator):
    assert fails(emulator, batch="").error_id == 40005


@pytest.mark.parametrize("reportee,code", [("99999999999", 40016), ("310009999", 60012), ("nobody", 60012)])
def test_the_reportee_must_be_known(emulator, reportee, code):
    assert fails(emulator, task(reportee)).error_id == code


def test_a_correspondence_service_is_not_a_form_service(emulator):
    assert fails(emulator, task(service_code="5678")).error_id == 40019


def test_another_owners_service_is_refused(emulator):
    with pytest.raises(AltinnError) as caught:
        emulator.prefill.submit(system_caller(emulator, "ett-system"), "b", task(system_user_code="ETT_X"))
    assert caught.value.error_id == 5


def test_the_system_user_code_must_be_the_owners(emulator):
    error = fails(emulator, task(system_user_code="ETT_PREFILL"))
    assert error.error_id == 40008 and "TTD" in error.message


def test_valid_to_must_follow_valid_from(emulator):
    error = fails(emulator, task(valid_to=_now()))
    assert error.error_id == 0 and "ValidToDate" in error.message


def test_a_case_id_naming_no_case_is_60001(emulator):  # joining a real case: tests/domain/test_case.py
    assert fails(emulator, case_id=7).error_id == 60001


# -- the forms ---------------------------------------------------------------------------------------------

def test_a_form_must_be_one_of_the_services_forms(emulator):
    error = fails(emulator, task(forms=[PrefillFormRequest("5704", 34302, "<a/>")]))
    assert error.error_id == 40012 and "5704" in error.message


@pytest.mark.parametrize("xml", ["<Skjema>", "not xml", ""])
def test_form_data_must_be_well_formed(emulator, xml):
    assert fails(emulator, task(xml=xml)).error_id == 40012


def test_form_data_is_validated_against_the_forms_schema(emulator):
    bad = VALID_REPORT.replace("310003018", "31000")
    error = fails(emulator, task(form=SCHEMA_FORM, xml=bad))
    assert error.error_id == 40012 and "Organisasjonsnummer" in error.message
    assert submit(emulator, task(form=SCHEMA_FORM, xml=VALID_REPORT)).status == ReceiptStatus.OK


@pytest.mark.parametrize("form,xml", [
    (SCHEMA_FORM, VALID_REPORT.replace('<Skjema ', '<Skjema etatid="974761076" ')),
    (PLAIN_FORM, '<Skjema><Del etatid="1"/></Skjema>'),
])
def test_the_etatid_attribute_is_refused(emulator, form, xml):
    error = fails(emulator, task(form=form, xml=xml))
    assert error.error_id == 40012 and "etatid" in error.message


def test_every_form_is_checked(emulator):
    forms = [PrefillFormRequest("5704", 34302, VALID_REPORT), PrefillFormRequest("5705", 34303, "<bad")]
    assert fails(emulator, task(form=SCHEMA_FORM, forms=forms)).error_id == 40012


# -- what is stored ------------------------------------------------------------------------------------------

def test_save_stores_the_set_and_answers_with_a_prefill_receipt(emulator):
    receipt = submit(emulator)
    assert receipt.type == "PreFill" and receipt.status == ReceiptStatus.OK and receipt.text == SAVED
    assert set(receipt.references) >= {Reference("ExternalShipmentReference", "ship-1"),
                                       Reference("SendersReference", "sender-1"),
                                       Reference("BatchReference", "batch-1"),
                                       Reference("OwnerPartyReference", TTD_ORGNO)}
    [stored] = emulator.prefill_store.list_sets()
    assert (stored.owner, stored.service_code, stored.service_edition, stored.reportee) == ("TTD", "5679", 1, OLA)
    assert stored.forms[0].form_data_xml == "<Skjema><Navn>Ola</Navn></Skjema>"
    assert stored.receipt_id == receipt.id and stored.element_id is None
    assert emulator.reportee_elements.list_elements() == []


def test_without_save_or_instantiate_nothing_but_the_receipt_is_kept(emulator):
    receipt = submit(emulator, save=False)
    assert receipt.status == ReceiptStatus.OK
    assert emulator.prefill_store.list_sets() == [] and emulator.reportee_elements.list_elements() == []


def test_instantiate_creates_an_active_form_task_in_the_worklist(emulator):
    due = _now() + timedelta(days=14)
    receipt = submit(emulator, instantiate=True, due_at=due, on_behalf_of="310003018")
    [element] = emulator.reportee_elements.elements_of(OLA)
    assert (element.kind, element.status, element.service_code, element.reportee) == ("form_task", "active", "5679",
                                                                                      OLA)
    assert element.due_at == due and element.created_at == _now() and element.on_behalf_of == "310003018"
    assert element.forms[0].data_format_id == "5703"
    assert Reference("WorkFlowReference", str(element.id)) in receipt.references
    assert emulator.prefill_store.list_sets()[0].element_id == element.id


def test_reportees_may_be_organisations_and_self_registered_users(emulator):
    submit(emulator, task(ORG))
    submit(emulator, task(SELF_REGISTERED))
    assert {s.reportee for s in emulator.prefill_store.list_sets()} == {ORG, SELF_REGISTERED}


def test_identity_fields_keep_several_sets_per_service_and_reportee(emulator):
    submit(emulator, task(identity_fields=[("1", "2026-01")]))
    submit(emulator, task(identity_fields=[("1", "2026-02")]))
    submit(emulator, task())
    assert len(emulator.prefill_store.list_sets()) == 3
    # the same key again replaces its set
    submit(emulator, task(identity_fields=[("1", "2026-02")], shipment_reference="ship-2"))
    sets = emulator.prefill_store.list_sets()
    assert len(sets) == 3
    replaced = emulator.prefill_store.find_set("5679", 1, OLA, identity_key([("1", "2026-02")]))
    assert replaced.shipment_reference == "ship-2"


def test_a_reserved_person_gets_nothing_when_the_task_is_reservable(emulator):
    receipt = submit(emulator, task(PER, is_reservable=True, notifications=[notice()]), instantiate=True)
    assert receipt.status == ReceiptStatus.REJECTED and receipt.text == RESERVED.format(PER)
    assert emulator.prefill_store.list_sets() == [] and emulator.reportee_elements.list_elements() == []
    assert emulator.outbox.list_messages() == []
    # not reservable: stored as usual
    assert submit(emulator, task(PER)).status == ReceiptStatus.OK


# -- notifications -------------------------------------------------------------------------------------------

def test_notifications_are_sent_only_when_instantiated(emulator):
    submit(emulator, task(notifications=[notice()]))
    assert emulator.outbox.list_messages() == []
    submit(emulator, task(KARI, notifications=[notice()]), instantiate=True)
    [message] = emulator.outbox.list_messages()
    [element] = emulator.reportee_elements.list_elements()
    assert message.address == "kari.nordmann@example.no" and message.origin == element_origin(element.id)
    assert message.subject == "Nytt skjema"


def test_validate_but_do_not_send_checks_and_sends_nothing(emulator):
    submit(emulator, task(notifications=[notice()], validate_notifications_only=True), instantiate=True)
    assert emulator.outbox.list_messages() == [] and len(emulator.reportee_elements.list_elements()) == 1
    bad = notice(from_address="not-an-address")
    error = fails(emulator, task(notifications=[bad], validate_notifications_only=True), instantiate=True)
    assert error.error_id == 40020
    assert len(emulator.reportee_elements.list_elements()) == 1


def test_a_bad_notification_stores_nothing(emulator):
    error = fails(emulator, task(notifications=[replace(notice(), notification_type="NoSuchTemplate")]),
                  instantiate=True)
    assert "NoSuchTemplate" in error.message
    assert nothing_stored(emulator)


# -- SubmitPrefilledFormTasks: received at once, processed in the background (D35) ------------------------------

def batch(emulator, tasks, batch_id="batch-9", system_user_code="TTD_PREFILL"):
    return emulator.prefill.submit_batch(system_caller(emulator), batch_id, system_user_code, tasks)


def outcome(emulator, batch_id="batch-9"):
    """The batch's receipt as a client polling GetReceipt by its BatchReference sees it."""
    return emulator.receipts.get(system_caller(emulator), None, [Reference("BatchReference", batch_id)])


def processed(emulator, tasks, batch_id="batch-9"):
    """The batch's receipt once the clock's due work has processed it."""
    batch(emulator, tasks, batch_id)
    assert emulator.run_due_work() >= 1
    return outcome(emulator, batch_id)


def test_a_batch_is_received_at_once_and_its_outcome_comes_later(emulator):
    received = batch(emulator, [task(shipment_reference="a"), task(KARI, shipment_reference="b")])
    assert (received.type, received.status, received.sub_receipts) == ("PreFill", ReceiptStatus.OK, ())
    assert received.text.startswith("Received 2 prefilled form tasks")
    assert {(r.type, r.value) for r in received.references} == {("BatchReference", "batch-9"),
                                                                 ("OwnerPartyReference", TTD_ORGNO)}
    assert emulator.prefill_store.list_sets() == [] and outcome(emulator).sub_receipts == ()  # nothing yet

    assert emulator.run_due_work() == 1
    done = outcome(emulator)
    assert done.id == received.id and done.text.startswith("2 of 2")
    assert [s.status for s in done.sub_receipts] == [ReceiptStatus.OK, ReceiptStatus.OK]
    assert {s.shipment_reference for s in emulator.prefill_store.list_sets()} == {"a", "b"}
    assert "Received 2" in done.history and "2 of 2" in done.history  # both states, newest first
    assert emulator.run_due_work() == 0  # processed once only


def test_each_entry_of_a_batch_stands_on_its_own(emulator):
    receipt = processed(emulator, [task(shipment_reference="a"), task(shipment_reference="b", service_code="9999"),
                                   task(KARI, shipment_reference="c", notifications=[notice()])])
    assert receipt.status == ReceiptStatus.VALIDATION_FAILED and receipt.text.startswith("2 of 3")
    assert [s.status for s in receipt.sub_receipts] == [ReceiptStatus.OK, ReceiptStatus.VALIDATION_FAILED,
                                                         ReceiptStatus.OK]
    assert "30003" in receipt.sub_receipts[1].text
    assert [s.parent_id for s in receipt.sub_receipts] == [receipt.id] * 3
    assert {s.shipment_reference for s in emulator.prefill_store.list_sets()} == {"a", "c"}
    # stored for later activation: no worklist element, no notification
    assert emulator.reportee_elements.list_elements() == [] and emulator.outbox.list_messages() == []


def test_get_receipt_by_the_batch_id_finds_the_batch_with_its_outcomes(emulator):
    found = processed(emulator, [task(), task(reportee=None)])
    assert found.type == "PreFill" and len(found.sub_receipts) == 2
    assert [s.status for s in found.sub_receipts] == [ReceiptStatus.OK, ReceiptStatus.VALIDATION_FAILED]


def test_a_waiting_batch_keeps_every_field_of_its_tasks(emulator):
    """What waits is what was sent: attachments' bytes, identity fields, notifications with a blank time."""
    sent = task(attachments=[PrefillAttachmentRequest(b"\x00\xffdata", "Vedlegg", "text_plain", "v.txt", "s-1",
                                                      True, None)],
                identity_fields=[("1", "2026"), ("2", "Q1")], is_reservable=True,
                notifications=[replace(notice(), shipment_time=BLANK), notice()])
    assert task_from_dict(orjson.loads(orjson.dumps(task_to_dict(sent)))) == sent


def test_a_batch_needs_its_system_user_code_and_id(emulator):
    for kwargs, code in (({"system_user_code": None}, 40008), ({"batch_id": ""}, 40005)):
        with pytest.raises(AltinnError) as caught:
            batch(emulator, [task()], **kwargs)
        assert caught.value.error_id == code
    assert nothing_stored(emulator)


def test_an_all_good_batch_is_ok(emulator):
    receipt = processed(emulator, [task(), task(KARI)])
    assert receipt.status == ReceiptStatus.OK and receipt.text.startswith("2 of 2")
