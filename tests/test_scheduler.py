"""The server's scheduler (``altinn_so.scheduler``): the work the clock makes due is done as wall-clock time passes,
in ``altinn-so serve`` and in the pytest plugin's server; a failed round is logged and the thread goes on; it
stops cleanly. The work: a subscription coming due (docs/behaviour/subscription.md), a PreFill batch waiting
(docs/behaviour/prefill.md)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import requests
import zeep

from altinn_so.domain.auth import AuthMode
from altinn_so.domain.clock import Clock
from altinn_so.emulator import Emulator
from altinn_so.scheduler import DueWorkScheduler
from altinn_so.services.subscription.rules import SubscriptionRequest
from support.processes import ROOT, ServerProcess

OLA = "23917710120"
SCHEDULED = datetime(2030, 1, 1, 8, 0, tzinfo=timezone.utc)


def _until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _subscribe(emulator: Emulator, schedule_at: datetime) -> None:
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    emulator.subscription.submit(caller, "batch", "TTD_S", [SubscriptionRequest(
        reportee=OLA, service_code="5679", service_edition=1, period_type="Once", start_at=schedule_at,
        schedule_at=schedule_at, due_at=schedule_at + timedelta(days=14))])


def test_a_subscription_activates_as_wall_clock_time_passes():
    emulator = Emulator(clock=Clock())  # the wall clock, running
    scheduler = DueWorkScheduler(emulator, interval_seconds=0.05)
    try:
        emulator.change_clock(lambda clock: clock.set(SCHEDULED - timedelta(seconds=0.3)))
        _subscribe(emulator, SCHEDULED)
        assert emulator.reportee_elements.list_elements() == []
        scheduler.start()
        assert _until(lambda: len(emulator.reportee_elements.list_elements()) == 1)
        assert emulator.reportee_elements.list_elements()[0].origin.startswith("subscription:")
    finally:
        scheduler.stop()
        emulator.close()


class _Failing:
    """An emulator whose first round fails."""

    has_due_work = True

    def __init__(self):
        self.rounds = 0

    def sync(self):
        pass

    def run_due_work(self) -> int:
        self.rounds += 1
        if self.rounds == 1:
            raise RuntimeError("the store went away")
        return 0


def test_a_failed_round_is_logged_and_the_next_one_comes(caplog):
    failing = _Failing()
    scheduler = DueWorkScheduler(failing, interval_seconds=0.01)
    with caplog.at_level(logging.ERROR, logger="altinn_so.scheduler"):
        scheduler.start()
        assert _until(lambda: failing.rounds >= 3)
        scheduler.stop()
    assert "the store went away" in caplog.text
    rounds = failing.rounds
    time.sleep(0.05)
    assert failing.rounds == rounds  # stopped


def test_without_due_work_no_thread_starts():
    class Idle(_Failing):
        has_due_work = False

    idle = Idle()
    scheduler = DueWorkScheduler(idle, interval_seconds=0.01)
    scheduler.start()
    time.sleep(0.05)
    scheduler.stop()
    assert idle.rounds == 0


def test_serve_activates_a_due_subscription_on_wall_clock_time():
    server = ServerProcess("--scheduler-interval", "0.1")
    try:
        client = zeep.Client(str(ROOT / "wsdl/SubscriptionBasic.wsdl"))
        service = client.create_service(next(iter(client.wsdl.bindings)),
                                        server.url + "/ServiceEngineExternal/SubscriptionBasic.svc")
        receipt = service.SubmitSubscriptionBasic(
            systemUserName="ttd-system", systemPassword="ttd-password", externalBatchId="b", subscriptionDetails={
                "Subscriptionlist": {"Subscription": [{
                    "ExternalServiceCode": "5679", "ExternalServiceEditionCode": 1, "ReporteeId": OLA,
                    "StartDate": SCHEDULED, "NextScheduleDate": SCHEDULED,
                    "NextDueDate": SCHEDULED + timedelta(days=14), "SubscriptionPeriodType": "Once"}]},
                "SystemUserCode": "TTD_S"})
        assert receipt.ReceiptStatusCode == "OK"

        def elements() -> list:
            return requests.get(server.url + "/_admin/state/reportee-elements", timeout=5).json()["reportee-elements"]

        before = (SCHEDULED - timedelta(seconds=2)).isoformat()
        assert requests.put(server.url + "/_admin/clock", json={"now": before, "frozen": False}, timeout=5).ok
        assert elements() == []  # not due yet: nothing activated when the clock was set
        assert _until(lambda: len(elements()) == 1)
        assert elements()[0]["origin"].startswith("subscription:")
    finally:
        server.stop()
    assert "Traceback" not in server.errors()


def test_the_pytest_plugins_server_activates_on_wall_clock_time_too(altinn_so):
    client = altinn_so.client("subscription", "ws")
    receipt = client.service.SubmitSubscription(externalBatchId="b", subscriptionDetails={
        "Subscriptionlist": {"Subscription": [{
            "ExternalServiceCode": "5679", "ExternalServiceEditionCode": 1, "ReporteeId": OLA, "StartDate": SCHEDULED,
            "NextScheduleDate": SCHEDULED, "NextDueDate": SCHEDULED + timedelta(days=14),
            "SubscriptionPeriodType": "Once"}]},
        "SystemUserCode": "TTD_S"})
    assert receipt.ReceiptStatusCode == "OK"
    altinn_so.admin.set_clock(SCHEDULED - timedelta(seconds=1), frozen=False)
    assert altinn_so.admin.state("reportee-elements") == []
    assert _until(lambda: len(altinn_so.admin.state("reportee-elements")) == 1)


def test_the_plugins_server_processes_a_prefill_batch_while_the_client_polls(altinn_so):
    """SubmitPrefilledFormTasks is received at once and processed in the background (D35): polling GetReceipt
    by the batch's reference sees the outcome within a second or so, the clock not moved."""
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    prefill = altinn_so.client("prefill", "basic")
    received = prefill.service.SubmitPrefilledFormTasksBasic(
        systemUserName="ttd-system", systemPassword="ttd-password", externalBatchId="poll-1",
        preFillFormTasksDetails={"SystemUserCode": "TTD_PREFILL", "PreFillFormTasklist": {"PrefillFormTask": [{
            "ExternalServiceCode": "5679", "ExternalServiceEditionCode": 1, "ExternalShipmentReference": "s-1",
            "PreFillForms": {"PrefillForm": [{"DataFormatID": "5703", "DataFormatVersion": 34301,
                                              "FormDataXML": "<Skjema/>"}]},
            "Reportee": OLA, "ServiceOwnerCode": "TTD_PREFILL", "ValidFromDate": now,
            "ValidToDate": now + timedelta(days=30)}]}})
    assert received.ReceiptText.startswith("Received 1")
    receipts = altinn_so.client("receipt", "basic")

    def polled():
        return receipts.service.GetReceiptBasic(
            systemUserName="ttd-system", systemPassword="ttd-password", receipt={"References": {"Reference": [
                {"ReferenceTypeName": "BatchReference", "ReferenceValue": "poll-1"}]}})
    assert _until(lambda: polled().ReceiptText.startswith("1 of 1"))
    assert [s.ReceiptStatusCode for s in polled().SubReceipts.ReceiptExternal] == ["OK"]
