"""Subscription (docs/behaviour/subscription.md; decisions D45-D51): every check and its ErrorID, the sub-receipts,
the ten period types' arithmetic, end of month, activation by the clock (twice over two periods, never after
expiry, Once, catching up), the prefilled set the identity fields pick, and no double activation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.domain.clock import ALTINN_TZ
from altinn_so.domain.elements import ACTIVE, FORM_TASK
from altinn_so.domain.errors import AltinnError
from altinn_so.domain.receipts import ReceiptStatus, Reference
from altinn_so.emulator import Emulator, Settings
from altinn_so.seeding import default_seed
from altinn_so.services.prefill.rules import (InstantiateOptions, PrefillAttachmentRequest, PrefillFormRequest,
                                              PrefillTaskRequest)
from altinn_so.services.subscription.periods import PERIODS, nth_date
from altinn_so.services.subscription.rules import MAX_ACTIVATIONS_PER_RUN, Activation, SubscriptionRequest

from .factories import NOW, OLA, ORG, SELF_REGISTERED, TTD_ORGNO, system_caller

FORM = ("5679", 1, "5703", 34301)
DAY = timedelta(days=1)


def subscription(reportee=OLA, **fields) -> SubscriptionRequest:
    """A valid monthly subscription of TTD's form service 5679/1, first due a day from now, unless a test
    overrides a field."""
    values = dict(reportee=reportee, service_code="5679", service_edition=1, period_type="Monthly",
                  start_at=NOW, schedule_at=NOW + DAY, due_at=NOW + 15 * DAY)
    values.update(fields)
    return SubscriptionRequest(**values)


def submit(emulator, *entries, batch="batch-1", system_user_code="TTD_SUBSCRIPTION", caller=None):
    return emulator.subscription.submit(caller or system_caller(emulator), batch, system_user_code,
                                        list(entries) or [subscription()])


def refused(emulator, entry) -> str:
    """The text of the one sub-receipt of a call whose only subscription was refused ("ErrorID n: …")."""
    receipt = submit(emulator, entry)
    assert receipt.status is ReceiptStatus.VALIDATION_FAILED
    [sub] = receipt.sub_receipts
    assert sub.status is ReceiptStatus.VALIDATION_FAILED
    assert emulator.subscription_store.list_subscriptions() == []
    return sub.text


def prefill(emulator, identity=(), xml="<Skjema><Navn>Ola</Navn></Skjema>", reportee=OLA, attachments=(),
            instantiate=False):
    code, edition, data_format, version = FORM
    task = PrefillTaskRequest(
        service_code=code, service_edition=edition, shipment_reference="ship-1", reportee=reportee,
        system_user_code="TTD_PREFILL", valid_from=NOW, valid_to=NOW + 365 * DAY,
        forms=[PrefillFormRequest(data_format, version, xml, "form-ref")], identity_fields=list(identity),
        attachments=list(attachments))
    emulator.prefill.submit(system_caller(emulator), "prefill-batch", task,
                            InstantiateOptions(save=True, instantiate=instantiate))


def advance(emulator, delta: timedelta) -> int:
    """Move the clock as the admin API does: the due work runs at once."""
    before = len(emulator.reportee_elements.list_elements())
    emulator.change_clock(lambda clock: clock.advance(delta))
    return len(emulator.reportee_elements.list_elements()) - before


def subscription_elements(emulator):
    return [e for e in emulator.reportee_elements.list_elements() if e.origin.startswith("subscription:")]


# -- the call's checks --------------------------------------------------------------------------------------

def test_the_external_batch_id_is_required(emulator):
    with pytest.raises(AltinnError) as caught:
        submit(emulator, batch="")
    assert caught.value.error_id == 40005
    assert emulator.receipt_store.list_receipts() == []


@pytest.mark.parametrize("code", [None, "", "ETT_SUBSCRIPTION"])
def test_the_system_user_code_must_be_the_owners(emulator, code):
    with pytest.raises(AltinnError) as caught:
        submit(emulator, system_user_code=code)
    assert caught.value.error_id == 40008


def test_a_call_without_subscriptions_is_refused(emulator):
    with pytest.raises(AltinnError) as caught:
        emulator.subscription.submit(system_caller(emulator), "b", "TTD_SUBSCRIPTION", [])
    assert caught.value.error_id == 30004
    assert emulator.receipt_store.list_receipts() == []


# -- each subscription's checks (a sub-receipt each) ----------------------------------------------------------

ENTRY_FAULTS = [
    ({"case_id": 7}, 60001),
    ({"service_code": None}, 40006),
    ({"service_code": "9999"}, 30003),
    ({"service_edition": None}, 30003),
    ({"service_code": "5678"}, 40019),  # a correspondence service
    ({"reportee": None}, 40007),
    ({"reportee": "12345678901"}, 40016),
    ({"reportee": "310009999"}, 60012),
    ({"reportee": "nobody"}, 60012),
    ({"period_type": None}, 30004),
    ({"period_type": "Hourly"}, 0),
    ({"start_at": None}, 30004),
    ({"schedule_at": None}, 30004),
    ({"due_at": None}, 30004),
    ({"start_at": NOW + 2 * DAY}, 0),  # StartDate after NextScheduleDate
    ({"due_at": NOW}, 0),  # NextDueDate before NextScheduleDate
    ({"visible_at": NOW + 16 * DAY}, 0),  # VisibleDate after NextDueDate
    ({"expires_at": NOW}, 0),  # ExpirationDate before NextScheduleDate
    ({"identity_values": ("2026-01",)}, 40012),  # no prefilled set with that identity field
]


@pytest.mark.parametrize("changes,code", ENTRY_FAULTS, ids=[f"{sorted(c)[0]}-{code}" for c, code in ENTRY_FAULTS])
def test_each_refused_subscription_gets_its_error_id(emulator, changes, code):
    assert refused(emulator, subscription(**changes)).startswith(f"ErrorID {code}: ")


def test_another_owners_service_is_refused(emulator):
    receipt = submit(emulator, system_user_code="ETT_SUBSCRIPTION", caller=system_caller(emulator, "ett-system"))
    assert receipt.sub_receipts[0].text.startswith("ErrorID 5: ")


def test_one_refused_subscription_does_not_spoil_the_others(emulator):
    receipt = submit(emulator, subscription(), subscription(service_code="9999"), subscription(ORG))
    assert receipt.type == "Subscription" and receipt.status is ReceiptStatus.VALIDATION_FAILED
    assert receipt.text == "2 of 3 subscriptions accepted"
    assert [s.status for s in receipt.sub_receipts] == [ReceiptStatus.OK, ReceiptStatus.VALIDATION_FAILED,
                                                        ReceiptStatus.OK]
    assert [s.reportee for s in emulator.subscription_store.list_subscriptions()] == [OLA, ORG]


def test_the_receipt_and_its_references(emulator):
    receipt = submit(emulator)
    assert (receipt.type, receipt.status, receipt.text) == ("Subscription", ReceiptStatus.OK,
                                                            "1 of 1 subscriptions accepted")
    assert set(receipt.references) == {Reference("BatchReference", "batch-1"),
                                       Reference("OwnerPartyReference", TTD_ORGNO)}
    [stored] = emulator.subscription_store.list_subscriptions()
    [sub] = receipt.sub_receipts
    assert (sub.status, sub.text, sub.parent_id) == (ReceiptStatus.OK, "Subscription saved successfully", receipt.id)
    assert set(sub.references) == {Reference("ReceiversReference", str(stored.id)),
                                   Reference("OwnerPartyReference", TTD_ORGNO)}
    assert stored.receipt_id == sub.id and stored.system_user_code == "TTD_SUBSCRIPTION"
    # GetReceipt finds the call's receipt by its BatchReference, with its sub-receipts
    found = emulator.receipts.get(system_caller(emulator), None, [Reference("BatchReference", "batch-1")])
    assert (found.id, [s.id for s in found.sub_receipts]) == (receipt.id, [sub.id])


def test_what_is_stored(emulator):
    submit(emulator, subscription(SELF_REGISTERED, visible_at=NOW + DAY / 2, expires_at=NOW + 100 * DAY,
                                  client_subscription_id=17, user_type=2))
    [stored] = emulator.subscription_store.list_subscriptions()
    assert (stored.owner, stored.service_code, stored.service_edition, stored.reportee, stored.period_type) == (
        "TTD", "5679", 1, SELF_REGISTERED, "Monthly")
    assert (stored.first_schedule_at, stored.first_due_at, stored.first_visible_at, stored.expires_at) == (
        NOW + DAY, NOW + 15 * DAY, NOW + DAY / 2, NOW + 100 * DAY)
    assert (stored.activations, stored.next_schedule_at, stored.client_subscription_id, stored.user_type) == (
        0, NOW + DAY, 17, 2)


def test_naive_dates_are_norwegian_time(emulator):
    submit(emulator, subscription(start_at=datetime(2026, 3, 2), schedule_at=datetime(2026, 3, 3, 8),
                                  due_at=datetime(2026, 3, 20)))
    [stored] = emulator.subscription_store.list_subscriptions()
    assert stored.first_schedule_at == datetime(2026, 3, 3, 7, tzinfo=timezone.utc)


# -- the ten period types -----------------------------------------------------------------------------------

FIRST = datetime(2026, 1, 15, 8, 0, tzinfo=ALTINN_TZ)


@pytest.mark.parametrize("period,second", [
    ("Annual", datetime(2027, 1, 15, 8, 0)),
    ("Semiannual", datetime(2026, 7, 15, 8, 0)),
    ("Quarterly", datetime(2026, 4, 15, 8, 0)),  # four times a year (D47)
    ("Tertiary", datetime(2026, 5, 15, 8, 0)),  # three times a year (D47)
    ("Bimonthly", datetime(2026, 3, 15, 8, 0)),
    ("Monthly", datetime(2026, 2, 15, 8, 0)),
    ("Fortnightly", datetime(2026, 1, 29, 8, 0)),  # every 14 days (D47)
    ("Weekly", datetime(2026, 1, 22, 8, 0)),
    ("Daily", datetime(2026, 1, 16, 8, 0)),
    ("Once", None),
])
def test_each_period_type_moves_the_dates_on(period, second):
    assert nth_date(FIRST, period, 0) == FIRST
    expected = second.replace(tzinfo=ALTINN_TZ) if second else None
    assert nth_date(FIRST, period, 1) == expected


def test_every_period_type_of_the_contract_is_known():
    assert list(PERIODS) == ["Annual", "Semiannual", "Quarterly", "Tertiary", "Bimonthly", "Monthly", "Fortnightly",
                             "Weekly", "Daily", "Once"]


def test_months_keep_the_first_day_of_the_month_or_the_months_last():
    first = datetime(2026, 1, 31, 12, 0, tzinfo=ALTINN_TZ)
    assert [nth_date(first, "Monthly", n).date().isoformat() for n in range(5)] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"]
    assert nth_date(datetime(2027, 11, 30, tzinfo=ALTINN_TZ), "Quarterly", 1).date().isoformat() == "2028-02-29"
    assert nth_date(datetime(2028, 2, 29, tzinfo=ALTINN_TZ), "Annual", 1).date().isoformat() == "2029-02-28"
    assert nth_date(datetime(2028, 2, 29, tzinfo=ALTINN_TZ), "Annual", 4).date().isoformat() == "2032-02-29"


def test_days_are_counted_on_norwegian_wall_clocks_across_summer_time():
    first = datetime(2026, 3, 28, 8, 0, tzinfo=ALTINN_TZ)  # summer time starts 29 March
    second = nth_date(first, "Daily", 1)
    assert (second.hour, second.utcoffset()) == (8, timedelta(hours=2))
    assert nth_date(first.astimezone(timezone.utc), "Weekly", 1) == datetime(2026, 4, 4, 8, 0, tzinfo=ALTINN_TZ)


def test_no_date_past_the_calendars_end():
    assert nth_date(datetime(9999, 6, 1, tzinfo=ALTINN_TZ), "Annual", 1) is None


# -- activation by the clock ----------------------------------------------------------------------------------

def test_nothing_activates_before_the_schedule_date(emulator):
    submit(emulator)
    assert advance(emulator, DAY - timedelta(seconds=1)) == 0
    assert emulator.subscription.activate_due() == 0


def test_a_subscription_activates_twice_over_two_periods_and_not_after_expiry(emulator):
    first = NOW + DAY
    submit(emulator, subscription(schedule_at=first, due_at=first + 14 * DAY, expires_at=first + 40 * DAY))
    assert advance(emulator, DAY) == 1  # the first schedule date
    assert advance(emulator, 31 * DAY) == 1  # 2 April: the second
    assert advance(emulator, 31 * DAY) == 0  # 2 May is after the ExpirationDate
    assert advance(emulator, 400 * DAY) == 0
    one, two = subscription_elements(emulator)
    assert (one.visible_at, one.due_at) == (first, first + 14 * DAY)
    assert two.visible_at.astimezone(ALTINN_TZ).date().isoformat() == "2026-04-03"
    assert two.due_at.astimezone(ALTINN_TZ).date().isoformat() == "2026-04-17"
    [stored] = emulator.subscription_store.list_subscriptions()
    assert (stored.activations, stored.next_schedule_at, stored.last_element_id) == (2, None, two.id)


def test_an_activation_is_an_active_form_task_in_the_reportees_worklist(emulator):
    submit(emulator, subscription(visible_at=NOW + 3 * DAY))
    advance(emulator, DAY)
    [element] = emulator.reportee_elements.elements_of(OLA)
    [stored] = emulator.subscription_store.list_subscriptions()
    assert (element.owner, element.service_code, element.service_edition, element.kind, element.status) == (
        "TTD", "5679", 1, FORM_TASK, ACTIVE)
    assert (element.created_at, element.visible_at, element.due_at) == (NOW + DAY, NOW + 3 * DAY, NOW + 15 * DAY)
    assert element.origin == f"subscription:{stored.id}" and element.forms == ()
    [activation] = emulator.subscription_store.list_activations()
    assert activation == Activation(activation.id, stored.id, 0, element.id, NOW + DAY, NOW + DAY)


def test_visible_date_moves_on_with_the_period(emulator):
    submit(emulator, subscription(period_type="Weekly", visible_at=NOW, schedule_at=NOW + DAY, due_at=NOW + 3 * DAY))
    advance(emulator, 8 * DAY)
    one, two = subscription_elements(emulator)
    assert (two.visible_at - one.visible_at, two.due_at - one.due_at) == (7 * DAY, 7 * DAY)


def test_once_activates_once(emulator):
    submit(emulator, subscription(period_type="Once"))
    assert advance(emulator, DAY) == 1
    assert advance(emulator, 1000 * DAY) == 0
    [stored] = emulator.subscription_store.list_subscriptions()
    assert (stored.activations, stored.next_schedule_at) == (1, None)


def test_a_clock_moved_over_several_periods_catches_up_each(emulator):
    submit(emulator, subscription(period_type="Weekly", expires_at=NOW + 100 * DAY))
    assert advance(emulator, 30 * DAY) == 5  # days 1, 8, 15, 22 and 29
    visible = [e.visible_at.astimezone(ALTINN_TZ).replace(tzinfo=None) for e in subscription_elements(emulator)]
    # 10:00 on Norwegian clocks each time, summer time (29 March) or not
    assert visible == [datetime(2026, 3, 3, 10) + 7 * n * DAY for n in range(5)]


def test_a_due_subscription_activates_on_the_next_run_without_a_clock_change(emulator, clock):
    submit(emulator)
    clock.advance(2 * DAY)  # not through the emulator: nothing ran
    assert subscription_elements(emulator) == []
    assert emulator.run_due_work() == 1
    assert emulator.run_due_work() == 0


def test_one_run_activates_at_most_its_limit_the_next_runs_catch_up(emulator):
    submit(emulator, subscription(period_type="Daily", due_at=NOW + 2 * DAY))
    advance(emulator, 3650 * DAY)  # ten years
    assert len(subscription_elements(emulator)) == MAX_ACTIVATIONS_PER_RUN
    assert emulator.subscription.activate_due(limit=5) == 5
    assert len(subscription_elements(emulator)) == MAX_ACTIVATIONS_PER_RUN + 5


def test_earliest_due_first_across_subscriptions(emulator):
    submit(emulator, subscription(OLA, period_type="Daily"), subscription(ORG, schedule_at=NOW + 2 * DAY,
                                                                           period_type="Once"))
    emulator.clock.advance(3 * DAY)
    assert emulator.subscription.activate_due(limit=2) == 2
    assert [e.reportee for e in subscription_elements(emulator)] == [OLA, OLA]
    assert emulator.subscription.activate_due(limit=2) == 2
    assert [e.reportee for e in subscription_elements(emulator)] == [OLA, OLA, ORG, OLA]


def test_no_period_is_activated_twice(emulator):
    submit(emulator)
    emulator.clock.advance(DAY)
    [stored] = emulator.subscription_store.list_subscriptions()
    assert emulator.subscription.activate_due() == 1
    # a worker holding the subscription as it was before the activation: the store's key refuses the period again
    with pytest.raises(Exception, match="(?i)unique"):
        with emulator.db.transaction():
            emulator.subscription._activate(stored, emulator.clock.now())
    assert len(subscription_elements(emulator)) == 1
    assert emulator.subscription.activate_due() == 0


@pytest.fixture
def two_workers(persistent_url, clock):
    """Two emulators on one store (a file, or PostgreSQL), as two worker processes of a server."""
    workers = [Emulator(Settings(database=persistent_url), clock=clock, seed=default_seed()) for _ in range(2)]
    yield workers
    for worker in workers:
        worker.close()


def test_two_workers_sharing_a_store_activate_each_period_once(two_workers):
    one, two = two_workers
    submit(one, subscription(period_type="Daily"))
    one.clock.advance(5 * DAY)  # (one clock object: both see it)
    assert one.subscription.activate_due(limit=2) == 2
    assert two.subscription.activate_due() == 3
    assert one.subscription.activate_due() == 0
    assert sorted(a.period for a in two.subscription_store.list_activations()) == [0, 1, 2, 3, 4]
    assert len(subscription_elements(one)) == 5


def test_a_reset_forgets_subscriptions(emulator):
    submit(emulator)
    emulator.reset()
    assert emulator.subscription_store.list_subscriptions() == []
    assert advance(emulator, 10 * DAY) == 0


# -- the prefilled set ---------------------------------------------------------------------------------------

def test_without_identity_fields_the_set_without_them_is_used(emulator):
    prefill(emulator, xml="<Skjema><Navn>Plain</Navn></Skjema>")
    prefill(emulator, identity=[("1", "2026-03")], xml="<Skjema><Navn>March</Navn></Skjema>")
    submit(emulator)
    advance(emulator, DAY)
    [element] = subscription_elements(emulator)
    assert [f.form_data_xml for f in element.forms] == ["<Skjema><Navn>Plain</Navn></Skjema>"]
    assert (element.forms[0].data_format_id, element.forms[0].data_format_version) == ("5703", 34301)


def test_identity_fields_pick_the_set_with_the_same_values_in_index_order(emulator):
    prefill(emulator, identity=[("1", "2026"), ("2", "03")], xml="<Skjema><Navn>March</Navn></Skjema>")
    prefill(emulator, identity=[("2", "2026"), ("1", "04")], xml="<Skjema><Navn>April</Navn></Skjema>")
    prefill(emulator, xml="<Skjema><Navn>Plain</Navn></Skjema>")
    submit(emulator, subscription(identity_values=("04", "2026")))
    advance(emulator, DAY)
    [element] = subscription_elements(emulator)
    assert [f.form_data_xml for f in element.forms] == ["<Skjema><Navn>April</Navn></Skjema>"]


def test_the_set_of_another_reportee_does_not_count(emulator):
    prefill(emulator, identity=[("1", "2026-03")], reportee=ORG)
    assert refused(emulator, subscription(identity_values=("2026-03",))).startswith("ErrorID 40012: ")


def test_each_activation_reads_the_set_as_it_is_then(emulator):
    prefill(emulator, identity=[("1", "x")], xml="<Skjema><Navn>First</Navn></Skjema>")
    submit(emulator, subscription(identity_values=("x",), period_type="Weekly"))
    advance(emulator, DAY)
    prefill(emulator, identity=[("1", "x")], xml="<Skjema><Navn>Second</Navn></Skjema>")  # replaces it (D34)
    advance(emulator, 7 * DAY)
    assert [e.forms[0].form_data_xml for e in subscription_elements(emulator)] == [
        "<Skjema><Navn>First</Navn></Skjema>", "<Skjema><Navn>Second</Navn></Skjema>"]


def test_prefilled_attachments_come_from_the_form_task_the_set_was_instantiated_as(emulator):
    prefill(emulator, attachments=[PrefillAttachmentRequest(b"%PDF-1.4 vedlegg", "Vedlegg", "application_pdf",
                                                            "vedlegg.pdf")], instantiate=True)
    submit(emulator)
    advance(emulator, DAY)
    [element] = subscription_elements(emulator)
    [attachment] = element.attachments
    assert (attachment.name, attachment.file_name, attachment.added_by) == ("Vedlegg", "vedlegg.pdf", "prefill")
    assert emulator.reportee_elements.attachment_data(attachment.id) == b"%PDF-1.4 vedlegg"
    [source] = [e for e in emulator.reportee_elements.list_elements() if not e.origin.startswith("subscription:")]
    assert attachment.id != source.attachments[0].id


def test_a_receipt_is_kept_for_the_call_not_for_activations(emulator):
    submit(emulator)
    before = emulator.receipt_store.list_receipts()
    advance(emulator, 40 * DAY)
    assert emulator.receipt_store.list_receipts() == before


def test_a_subscription_dict_round_trips(emulator):
    submit(emulator, subscription(visible_at=NOW, expires_at=NOW + 9 * DAY, identity_values=()))
    [stored] = emulator.subscription_store.list_subscriptions()
    assert type(stored).from_dict(stored.to_dict()) == stored
    assert replace(stored, activations=1).to_dict()["next_schedule_at"] is None  # the next month is past expiry
