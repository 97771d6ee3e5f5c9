"""The push's rules (docs/behaviour/push.md): what is queued for which receiver, what each answer leads to, queue
mode and its order, the Outbound receipt and the shipment status log. The receiver is a scripted function here;
tests/conformance/test_push_end_to_end.py calls a real one over HTTP."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from altinn_so.domain.auth import AuthMode, Caller
from altinn_so.domain.receipts import ReceiptSave, ReceiptStatus, Reference
from altinn_so.seeding import SeedError
from altinn_so.services.push import TOOLS, PushTools
from altinn_so.services.push.rules import (FAILED, FAILED_DO_NOT_RETRY, FAULT, OK, QUEUE_MODE, UNREACHABLE,
                                           UnknownPush, internal_file_name)

from support.archived import archived_task, attachment
from support.pushing import PUSHED_FORM, pushing_service, pushing_services

OTHER_FORM = ("5801", 1, "5703", 34301)
URL = "http://receiver.example/OnlineBatchReceiver.asmx"


def _seed(url: str = URL, other_url: str = URL, **push) -> str:
    """5800/1 pushing to ``url`` (with credentials and ``push``), 5801/1 to ``other_url``."""
    return pushing_services(pushing_service(url, username="Altinn", password="hemmelig", **push),
                            pushing_service(other_url, "5801"))


class ScriptedReceiver:
    """Answers each call with the next scripted reply (then OK), and keeps what it was sent."""

    def __init__(self):
        self.calls = []
        self.replies = []

    def script(self, *outcomes: str) -> None:
        self.replies.extend(outcomes)

    def __call__(self, receiver, outgoing):
        from altinn_so.services.push.rules import Reply

        self.calls.append((receiver, outgoing))
        outcome = self.replies.pop(0) if self.replies else OK
        return Reply(outcome, f"answered {outcome}", 500 if outcome == FAULT else 200, "<request/>", "<reply/>")


@pytest.fixture
def receiver():
    return ScriptedReceiver()


@pytest.fixture
def pushing(emulator_with, receiver):
    """An emulator whose pushes go to the scripted receiver, with services 5800/1 and 5801/1 pushing."""
    def make(**seed):
        emu = emulator_with(service_settings={"push": PushTools(TOOLS.build_batch, receiver)})
        emu.load_seed(_seed(**seed))
        return emu
    return make


def _advance(emulator, **delta) -> None:
    emulator.change_clock(lambda clock: clock.advance(timedelta(**delta)))


def _log(emulator, task) -> list[tuple[str, str]]:
    return [(entry.status, entry.description) for entry in emulator.archive.shipment_log(task.archive_reference)]


def _owner_caller(emulator) -> Caller:
    return emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)


# -- queueing ------------------------------------------------------------------------------------------------


def test_a_service_without_a_receiver_queues_nothing_and_pushes_nothing(pushing, receiver):
    emulator = pushing()
    task = archived_task(emulator)  # 5679/1: download queue only
    assert emulator.push.pushes() == []
    assert emulator.push.run_round() == []
    assert receiver.calls == []
    assert _log(emulator, task) == []


def test_a_submission_is_queued_with_the_receivers_next_sequence_number_and_logged_not_sent(pushing):
    emulator = pushing()
    first = archived_task(emulator, form=PUSHED_FORM)
    second = archived_task(emulator, form=OTHER_FORM)  # another service of the same owner, the same URL
    pushes = emulator.push.pushes()
    assert [(p.archive_reference, p.sequence_number, p.previous_reference) for p in pushes] == [
        (first.archive_reference, 1, 0), (second.archive_reference, 2, pushes[0].id)]
    assert pushes[0].receiver == pushes[1].receiver == f"TTD {URL}"
    assert _log(emulator, first) == [("NotSent", "OnlineBatchReceiver|1")]
    assert pushes[0].receivers_reference != pushes[1].receivers_reference


def test_each_receiver_counts_its_own_sequence_numbers(pushing, receiver):
    emulator = pushing(other_url="http://elsewhere.example/receiver.asmx")
    archived_task(emulator, form=PUSHED_FORM)
    archived_task(emulator, form=OTHER_FORM)
    archived_task(emulator, form=PUSHED_FORM)
    assert [(p.receiver.split()[1], p.sequence_number) for p in emulator.push.pushes()] == [
        (URL, 1), ("http://elsewhere.example/receiver.asmx", 1), (URL, 2)]
    emulator.push.run_round()
    assert sorted((r.url, o.sequence_number) for r, o in receiver.calls) == [
        ("http://elsewhere.example/receiver.asmx", 1), (URL, 1), (URL, 2)]


def test_a_push_names_its_attachments_by_archive_number_and_guid(pushing):
    emulator = pushing()
    task = archived_task(emulator, form=PUSHED_FORM, attachments=[attachment(b"x", "Liste.Over.xlsx"),
                                                                   attachment(b"y", "uten-endelse")])
    names = emulator.push.pushes()[0].internal_file_names
    number = task.archive_reference.removeprefix("AR")
    assert names[0].startswith(f"{number}_") and names[0].endswith(".xlsx")
    assert names[1].startswith(f"{number}_") and "." not in names[1]
    assert len(set(names)) == 2


def test_internal_file_names_keep_only_a_plain_extension():
    class Named:
        file_name, name = "rapport.p d/f", ""
    assert internal_file_name("AR1000001", Named, "guid") == "1000001_guid.pdf"


# -- the answers ------------------------------------------------------------------------------------------------


def test_ok_sends_once_and_writes_sent_and_an_outbound_receipt(pushing, receiver):
    emulator = pushing()
    task = archived_task(emulator, form=PUSHED_FORM)
    attempts = emulator.push.run_round()
    assert [a.outcome for a in attempts] == [OK]
    push = emulator.push.pushes()[0]
    assert (push.state, push.attempts, push.finished_at) == ("sent", 1, emulator.clock.now())
    assert _log(emulator, task) == [("NotSent", "OnlineBatchReceiver|1"), ("Sent", "OnlineBatchReceiver|1")]
    receipt = emulator.receipt_store.get_receipt(push.receipt_id)
    assert (receipt.type, receipt.status.value) == ("Outbound", "OK")
    assert "answered OK" in receipt.text
    assert set(receipt.references) >= {Reference("OwnerPartyReference", "310001007"),
                                       Reference("ArchiveReference", task.archive_reference),
                                       Reference("BatchReference", str(push.id)),
                                       Reference("OutboundShipmentReference", push.receivers_reference)}
    assert emulator.push.run_round() == []  # nothing more to do
    assert len(receiver.calls) == 1


def test_the_call_carries_the_receivers_configuration_and_credentials(pushing, receiver):
    emulator = pushing(soap_version='"1.2"', attachments="inline")
    archived_task(emulator, form=PUSHED_FORM)
    emulator.push.run_round()
    config, outgoing = receiver.calls[0]
    assert (config.url, config.soap_version, config.username, config.password, config.attachments) == (
        URL, "1.2", "Altinn", "hemmelig", "inline")
    assert outgoing.sequence_number == 1 and outgoing.batch.inline


def test_failed_twice_then_ok_is_three_attempts_one_delivery_at_the_retry_interval(pushing, receiver):
    emulator = pushing(retry_seconds=120)
    task = archived_task(emulator, form=PUSHED_FORM)
    receiver.script(FAILED, FAILED)
    assert [a.outcome for a in emulator.push.run_round()] == [FAILED]
    assert emulator.push.run_round() == []  # not due before retry_seconds
    _advance(emulator, seconds=119)
    assert len(receiver.calls) == 1
    _advance(emulator, seconds=1)  # the clock's due work retries
    assert len(receiver.calls) == 2
    _advance(emulator, seconds=120)
    push = emulator.push.pushes()[0]
    assert (push.state, push.attempts, push.failed_answers) == ("sent", 3, 2)
    assert [o.sequence_number for _, o in receiver.calls] == [1, 1, 1]
    assert len({o.receivers_reference for _, o in receiver.calls}) == 1
    assert [a.outcome for a in emulator.push_store.attempts_of(push.id)] == [FAILED, FAILED, OK]
    assert _log(emulator, task)[-1] == ("Sent", "OnlineBatchReceiver|1")
    outbound = [r for r in emulator.receipt_store.find_by_reference("ArchiveReference", task.archive_reference)
                if r.type == "Outbound"]
    assert len(outbound) == 1


def test_failed_until_the_attempts_are_used_up_is_an_error(pushing, receiver):
    emulator = pushing(failed_attempts=2, retry_seconds=0)
    task = archived_task(emulator, form=PUSHED_FORM)
    later = archived_task(emulator, form=PUSHED_FORM)
    receiver.script(FAILED, FAILED)
    attempts = emulator.push.run_round()
    attempts += emulator.push.run_round()
    assert [a.outcome for a in attempts] == [FAILED, FAILED, OK]  # the second push goes once the first is given up
    first, second = emulator.push.pushes()
    assert (first.state, first.attempts) == ("error", 2)
    assert _log(emulator, task)[-1] == ("Error", "OnlineBatchReceiver|1")
    receipt = emulator.receipt_store.get_receipt(first.receipt_id)
    assert receipt.status.value == "UnExpectedError" and "FAILED 2 times" in receipt.text
    assert second.state == "sent" and _log(emulator, later)[-1] == ("Sent", "OnlineBatchReceiver|2")


def test_failed_do_not_retry_is_an_error_at_once(pushing, receiver):
    emulator = pushing()
    task = archived_task(emulator, form=PUSHED_FORM)
    receiver.script(FAILED_DO_NOT_RETRY)
    assert [a.outcome for a in emulator.push.run_round()] == [FAILED_DO_NOT_RETRY]
    _advance(emulator, days=1)
    push = emulator.push.pushes()[0]
    assert (push.state, push.attempts) == ("error", 1)
    assert len(receiver.calls) == 1
    assert _log(emulator, task)[-1] == ("Error", "OnlineBatchReceiver|1")
    assert emulator.receipt_store.get_receipt(push.receipt_id).status.value == "Rejected"


@pytest.mark.parametrize("down", [FAULT, UNREACHABLE])
def test_a_receiver_that_is_down_is_in_queue_mode_until_its_head_gets_through_then_all_go_in_order(
        pushing, receiver, down):
    emulator = pushing(queue_retry_seconds=600)
    receiver.script(down)
    tasks = [archived_task(emulator, form=PUSHED_FORM)]
    emulator.push.run_round()
    tasks += [archived_task(emulator, form=PUSHED_FORM), archived_task(emulator, form=PUSHED_FORM)]
    assert emulator.push.run_round() == []  # the two behind wait; the head is not due yet
    head = emulator.push.pushes()[0]
    assert (head.state, head.mode) == ("waiting", QUEUE_MODE)
    receiver.script(down, down)
    _advance(emulator, seconds=600)
    _advance(emulator, seconds=600)
    assert [o.sequence_number for _, o in receiver.calls] == [1, 1, 1]  # only the head, again and again
    _advance(emulator, seconds=600)  # the receiver is back
    assert [o.sequence_number for _, o in receiver.calls] == [1, 1, 1, 1, 2, 3]
    assert [p.state for p in emulator.push.pushes()] == ["sent"] * 3
    assert emulator.push.pushes()[0].mode != QUEUE_MODE
    assert [_log(emulator, t)[-1][0] for t in tasks] == ["Sent"] * 3


def test_a_fault_has_no_limit_to_its_attempts(pushing, receiver):
    emulator = pushing(failed_attempts=1, queue_retry_seconds=0)
    archived_task(emulator, form=PUSHED_FORM)
    receiver.script(*[FAULT] * 5)
    for _ in range(5):
        emulator.push.run_round()
    assert emulator.push.pushes()[0].state == "waiting"
    emulator.push.run_round()
    assert emulator.push.pushes()[0].state == "sent"


def test_retry_now_makes_the_head_due_and_pushes(pushing, receiver):
    emulator = pushing(queue_retry_seconds=3600)
    archived_task(emulator, form=PUSHED_FORM)
    archived_task(emulator, form=PUSHED_FORM)
    receiver.script(FAULT)
    emulator.push.run_round()
    second = emulator.push.pushes()[1]
    attempts = emulator.push.retry_now(second.id)  # the head goes first
    assert [(a.sequence_number, a.outcome) for a in attempts] == [(1, OK), (2, OK)]
    assert emulator.push.retry_now(second.id) == []  # sent: nothing to retry
    with pytest.raises(UnknownPush):
        emulator.push.retry_now(999)


def test_the_outbound_receipt_is_the_owners_to_update(pushing, receiver):
    emulator = pushing()
    task = archived_task(emulator, form=PUSHED_FORM)
    emulator.push.run_round()
    push = emulator.push.pushes()[0]
    updated = emulator.receipts.update(_owner_caller(emulator), ReceiptSave(
        receipt_id=push.receipt_id, archive_reference=None, status=ReceiptStatus.OK, text="Mottatt i fagsystemet",
        references=(Reference("ReceiversReference", "SAK-1"),)))
    assert updated.text.startswith("Mottatt i fagsystemet")
    assert Reference("ReceiversReference", "SAK-1") in updated.references
    assert "answered OK" in updated.history
    # by archive reference, the newest receipt with it is the Outbound one
    by_reference = emulator.receipts.update(_owner_caller(emulator), ReceiptSave(
        receipt_id=None, archive_reference=task.archive_reference, status=ReceiptStatus.OK, text="Arkivert"))
    assert by_reference.id == push.receipt_id


def test_a_round_with_a_lease_held_elsewhere_leaves_the_receiver_alone(pushing, receiver):
    emulator = pushing()
    archived_task(emulator, form=PUSHED_FORM)
    head = emulator.push.pushes()[0]
    assert emulator.push_store.take(head.id, time.time(), time.time() + 60)  # another worker is pushing
    assert not emulator.push_store.take(head.id, time.time(), time.time() + 60)
    assert emulator.push.run_round() == []
    emulator.push_store.release(head.id)
    assert [a.outcome for a in emulator.push.run_round()] == [OK]


def test_a_reset_empties_the_queue_and_starts_the_sequence_again(pushing, receiver):
    emulator = pushing()
    archived_task(emulator, form=PUSHED_FORM)
    emulator.reset()
    emulator.load_seed(_seed())
    archived_task(emulator, form=PUSHED_FORM)
    assert [p.sequence_number for p in emulator.push.pushes()] == [1]


# -- the seed ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("push, message", [
    ('{url: "ftp://x"}', "http:// or https://"),
    ('{url: "http://x", soap_version: "1.3"}', "soap_version"),
    ('{url: "http://x", attachments: "mime"}', "attachments"),
    ('{url: "http://x", failed_attempts: 0}', "failed_attempts"),
    ('{url: "http://x", colour: blue}', "colour"),
    ('"http://x"', "mapping"),
])
def test_a_bad_receiver_in_the_seed_is_refused(emulator, push, message):
    with pytest.raises(SeedError, match=message):
        emulator.load_seed(f"""
service_owners:
  - {{code: TTD, orgno: "310001007", name: T, services: [{{code: "5800", edition: 1, kind: form, push: {push}}}]}}
""")


def test_only_a_form_service_and_not_an_encrypted_one_has_a_receiver(emulator):
    with pytest.raises(SeedError, match="form service"):
        emulator.load_seed("""
service_owners:
  - {code: TTD, orgno: "310001007", name: T, services: [{code: "5800", edition: 1, push: {url: "http://x"}}]}
""")
    with pytest.raises(SeedError, match="encrypted"):
        emulator.load_seed("""
service_owners:
  - {code: TTD, orgno: "310001007", name: T,
     services: [{code: "5800", edition: 1, kind: form, encrypted: true, push: {url: "http://x"}}]}
""")
