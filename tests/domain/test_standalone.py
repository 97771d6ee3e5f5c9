"""Standalone notifications (docs/behaviour/notifications.md): batches, atomicity, the 40014 limit, V2 summary texts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.domain.auth import Caller
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.notifications.model import Channel, NotificationOutcome, OutboxFilter
from altinn_so.services.notification.rules import (ALL_RESERVED, NOTHING_RECEIVED, ORIGIN, PARTLY_RESERVED, SENT,
                                                   StandaloneSettings, summary_message)

from .factories import request

# Persons and organisations of the embedded default seed (all synthetic).
OLA = "23917710120"       # e-mail and mobile
KARI = "05838520067"      # e-mail only
PER = "17856230120"       # reserved in KRR
LISE = "30819040083"      # no contact data
ORG = "310003018"


def caller(emulator, code="TTD") -> Caller:
    return Caller(owner=emulator.catalog.get_owner(code))


def send(emulator, *requests, code="TTD", priority=False):
    return emulator.standalone_notifications.send(caller(emulator, code), list(requests),
                                                  allow_priority_transport=priority)


def send_fails(emulator, *requests, **kwargs) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        send(emulator, *requests, **kwargs)
    return caught.value


def token_request(reportee, *endpoints, **fields):
    return request(reportee, *endpoints, template="TokenTextOnly", tokens=["Emne", "Tekst"], **fields)


class TestSending:
    def test_messages_land_in_the_outbox(self, emulator):
        (outcome,) = send(emulator, token_request(OLA, "Both"))
        stored = emulator.outbox.list_messages()
        assert [(m.channel, m.address) for m in stored] == [(Channel.EMAIL, "ola.nordmann@example.no"),
                                                            (Channel.SMS, "+4791234567")]
        assert {m.origin for m in stored} == {ORIGIN} == {"standalone"}
        assert {m.service_owner for m in stored} == {"TTD"}
        assert outcome.messages == tuple(stored)
        assert all(m.id is not None for m in outcome.messages)

    def test_rendered_from_the_seed_template(self, emulator):
        (outcome,) = send(emulator, request(OLA, "Email", "SMS", template="TTDPersonligVarsel", tokens=["Hei!"]))
        email, sms = outcome.messages
        assert email.subject == "Melding til Ola Testmann Nordmann om Melding fra Testdepartementet"
        assert email.body == ("Hei Ola (født 23.11.1977). Hei! Adresse: Storgata 1, 0155 OSLO.")
        assert email.sender == "postmottak@testdepartementet.example"
        assert sms.body == "Hei Ola! Hei!"

    def test_each_notification_gets_its_own_id(self, emulator):
        outcomes = send(emulator, token_request(OLA, "Email"), token_request(KARI, "Email"),
                        request(OLA, "Email", template="VarselDPVMedRevarsel", tokens=["TTD"]))
        ids = [{m.notification_id for m in o.messages} for o in outcomes]
        assert ids == [{1}, {2}, {3}]  # the reminder shares its notification's id
        assert len(outcomes[2].messages) == 2

    def test_ids_continue_across_calls(self, emulator):
        send(emulator, token_request(OLA, "Email"))
        (outcome,) = send(emulator, token_request(OLA, "Email"))
        assert outcome.messages[0].notification_id == 2
        assert [m.id for m in emulator.outbox.list_messages()] == [1, 2]

    def test_a_list_may_mix_reportees_and_topics(self, emulator):
        outcomes = send(emulator, token_request(OLA, "SMS"), token_request(ORG, "Email"),
                        request("selvreg_bruker", "Email", template="VarselDPVUtenRevarsel", tokens=["TTD"]))
        assert [o.reportee_number for o in outcomes] == [OLA, ORG, "selvreg_bruker"]
        assert [o.notification_type for o in outcomes] == ["TokenTextOnly", "TokenTextOnly",
                                                           "VarselDPVUtenRevarsel"]
        assert len(emulator.outbox.list_messages(OutboxFilter(reportee=ORG))) == 1

    def test_reminders_are_stored_for_later(self, emulator):
        send(emulator, request(ORG, "Email", template="VarselDPVMedRevarsel", tokens=["TTD"]))
        stored = emulator.outbox.list_messages()
        assert [m.is_reminder for m in stored] == [False, True]
        assert stored[1].scheduled_at - stored[0].scheduled_at == timedelta(days=7)

    def test_empty_list(self, emulator):
        assert send(emulator) == []
        assert emulator.outbox.list_messages() == []

    def test_both_is_strict_for_standalone(self, emulator):
        assert send_fails(emulator, token_request(KARI, "Both")).error_id == 30309

    def test_priority_transport_only_when_allowed(self, emulator):
        assert send_fails(emulator, token_request(OLA, "PriorityEmailSMSReminder")).error_id == 40015
        (outcome,) = send(emulator, token_request(OLA, "PriorityEmailSMSReminder"), priority=True)
        assert [m.channel for m in outcome.messages] == [Channel.EMAIL]

    def test_the_callers_own_templates_only(self, emulator):
        assert send_fails(emulator, request(OLA, "Email", template="TTDKunEpost", tokens=["a", "b"]),
                          code="ETT").error_id == 0
        assert send(emulator, request(OLA, "Email", template="TTDKunEpost", tokens=["a", "b"]), code="TTD")

    def test_reserved_person_stores_nothing(self, emulator):
        (outcome,) = send(emulator, token_request(PER, "Both", is_reservable=True))
        assert outcome.reserved and outcome.messages == ()
        assert emulator.outbox.list_messages() == []


class TestAtomicity:
    def test_fault_in_the_second_notification_stores_nothing_from_the_first(self, emulator):
        error = send_fails(emulator, token_request(OLA, "Both"), token_request("nobody", "Email"))
        assert error.error_id == 60012
        assert emulator.outbox.list_messages() == []

    def test_fault_in_the_last_of_many(self, emulator):
        error = send_fails(emulator, token_request(OLA, "Email"), token_request(KARI, "Email"),
                           token_request(ORG, "Both"), token_request(LISE, "SMS"))
        assert error.error_id == 30301
        assert emulator.outbox.list_messages() == []

    def test_failed_batch_consumes_no_notification_ids(self, emulator):
        send_fails(emulator, token_request(OLA, "Email"), token_request(OLA, ("Email", "bad")))
        (outcome,) = send(emulator, token_request(OLA, "Email"))
        assert outcome.messages[0].notification_id == 1
        assert outcome.messages[0].id == 1

    def test_earlier_calls_survive_a_failed_batch(self, emulator):
        send(emulator, token_request(OLA, "Email"))
        send_fails(emulator, token_request(KARI, "Email"), token_request(OLA, "IM"))
        assert [m.address for m in emulator.outbox.list_messages()] == ["ola.nordmann@example.no"]

    def test_the_first_fault_in_list_order_is_reported(self, emulator):
        error = send_fails(emulator, token_request(OLA, "IM"), token_request("nobody", "Email"))
        assert error.error_id == 40015


class TestLimit:
    @pytest.fixture
    def limited(self, emulator_with):
        return lambda limit: emulator_with(service_settings={"notification": StandaloneSettings(max_notifications_per_call=limit)})

    def test_default_limit_is_1000(self, emulator):
        assert emulator.standalone_notifications.settings.max_notifications_per_call == 1000
        error = send_fails(emulator, *[token_request(OLA, "Email")] * 1001)
        assert error.error_id == ErrorCode.INVALID_NUMBER_OF_RECEIPENTS == 40014
        assert "1001" in error.message and "1000" in error.message
        assert emulator.outbox.list_messages() == []

    def test_at_the_limit_is_fine(self, limited):
        emu = limited(2)
        assert len(send(emu, token_request(OLA, "Email"), token_request(KARI, "Email"))) == 2

    def test_over_the_limit_gives_40014_before_any_validation(self, limited):
        emu = limited(2)
        error = send_fails(emu, token_request("nobody", "Email"), token_request(OLA, "IM"),
                           token_request(KARI, "Email"))
        assert error.error_id == 40014
        assert emu.outbox.list_messages() == []


def _outcome(number: str, reserved: bool) -> NotificationOutcome:
    return NotificationOutcome(number, "T", (), reserved, ())


class TestSummaryTexts:
    """What SendStandaloneNotificationV2 returns (docs/behaviour/notifications.md)."""

    def test_documented_texts(self):
        assert SENT == "Varsel er sendt ut til brukeren."
        assert NOTHING_RECEIVED == "NB_No notifications received"
        assert ALL_RESERVED.startswith("Utsending av varsel til brukeren var mislykket. {0}")
        assert PARTLY_RESERVED == ("BM_Partial success. Notification is not sent to the {0} as the user may have "
                                   "opted out from receiving any notification.")

    def test_nothing_received(self):
        assert summary_message([]) == NOTHING_RECEIVED

    def test_all_sent(self):
        assert summary_message([_outcome(OLA, False), _outcome(KARI, False)]) == SENT

    def test_all_reserved(self):
        assert summary_message([_outcome(PER, True)]) == ALL_RESERVED.format(PER)

    def test_partly_reserved(self):
        assert summary_message([_outcome(OLA, False), _outcome(PER, True)]) == PARTLY_RESERVED.format(PER)

    def test_reserved_names_are_listed_once_in_order(self):
        outcomes = [_outcome(PER, True), _outcome("x", True), _outcome(PER, True), _outcome(OLA, False)]
        assert summary_message(outcomes) == PARTLY_RESERVED.format(f"{PER}, x")

    def test_all_reserved_with_repeats(self):
        assert summary_message([_outcome(PER, True), _outcome(PER, True)]) == ALL_RESERVED.format(PER)

    def test_from_a_real_send(self, emulator):
        outcomes = send(emulator, token_request(PER, "Email", is_reservable=True), token_request(OLA, "Email"))
        assert summary_message(outcomes) == PARTLY_RESERVED.format(PER)
        assert summary_message(send(emulator, token_request(OLA, "Email"))) == SENT
        assert summary_message(send(emulator, token_request(PER, "Email", is_reservable=True))) == \
            ALL_RESERVED.format(PER)


def test_standalone_requests_keep_their_roles_ignored(emulator):
    req = token_request(OLA, "Email")
    req.roles = ["DAGL", "REGNA"]
    (outcome,) = send(emulator, req)
    assert len(outcome.messages) == 1
