"""The notification engine: validation and its error codes (docs/behaviour/notifications.md), senders, scheduling, rendering."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.domain.catalog import ServiceOwner
from altinn_so.domain.clock import ALTINN_TZ
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.notifications.engine import NotificationSettings, Rules
from altinn_so.domain.notifications.model import Channel, EndPointRequest, ServiceRef
from altinn_so.domain.values import BLANK

from altinn_so.store.schema import RUNTIME_TABLES, SEED_TABLES

from .factories import (EMAIL_ONLY, EMAIL_ORG, EMPTY_ORG, ETT, FULL, MAIN, MOBILE_ONLY, NO_CONTACT, NOW, RESERVED,
                        SMS_USER, SUB_UNIT, TTD, UNREGISTERED, UNREGISTERED_ORG, USER, make_world, request)

V4 = Rules(allow_priority_transport=True)
E, S = Channel.EMAIL, Channel.SMS


@pytest.fixture
def world(db):
    return make_world(db)


def fails(world, req, *, owner=TTD, rules=Rules()) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        world.prepare(req, owner=owner, rules=rules)
    return caught.value


def by_channel(outcome, *, reminder=False):
    return {m.channel: m for m in outcome.messages if m.is_reminder is reminder}


# -- ErrorID 1: missing data -----------------------------------------------------------------------

class TestMissingData:
    @pytest.mark.parametrize("value", [None, "", BLANK])
    def test_notification_type_missing(self, world, value):
        error = fails(world, request(FULL, template=value))
        assert error.error_id == ErrorCode.NULL_OBJECT_REFERENCE == 1
        assert "NotificationType" in error.message

    def test_from_address_present_but_empty(self, world):
        error = fails(world, request(FULL, from_address=""))
        assert error.error_id == 1
        assert "FromAddress" in error.message

    def test_from_address_absent_is_fine(self, world):
        (message,) = world.prepare(request(FULL, "Email", from_address=None)).messages
        assert message.sender == "noreply@altinn.no"

    def test_shipment_time_present_but_empty(self, world):
        error = fails(world, request(FULL, shipment_time=BLANK))
        assert error.error_id == 1
        assert "ShipmentDateTime" in error.message

    def test_shipment_time_absent_means_now(self, world):
        (message,) = world.prepare(request(FULL, "Email", shipment_time=None)).messages
        assert message.scheduled_at == NOW

    @pytest.mark.parametrize("tokens", [[None], ["a", None], [None, "b", "c"]])
    def test_text_token_without_value(self, world, tokens):
        error = fails(world, request(FULL, tokens=tokens))
        assert error.error_id == 1
        assert error.message == "One or more TextTokens have an undefined TokenValue."

    def test_empty_token_value_is_a_value(self, world):
        (message,) = world.prepare(request(FULL, "SMS", tokens=[""])).messages
        assert message.body == "SMS "

    @pytest.mark.parametrize("endpoints", [None, []])
    def test_no_receiver_endpoints(self, world, endpoints):
        req = request(FULL)
        req.endpoints = endpoints
        error = fails(world, req)
        assert error.error_id == 1
        assert "ReceiverEndPoints" in error.message


# -- FromAddress, language, reportee, service, template -------------------------------------------

class TestFromAddress:
    @pytest.mark.parametrize("address", ["not-an-address", "a@b", " ola@example.no", "ola@example.no,x@y.no"])
    def test_invalid_from_address_gives_40020(self, world, address):
        error = fails(world, request(FULL, from_address=address))
        assert error.error_id == ErrorCode.INVALID_FROM_ADDRESS == 40020
        assert address in error.message

    def test_from_address_is_checked_even_without_email_receivers(self, world):
        assert fails(world, request(FULL, "SMS", from_address="bad")).error_id == 40020


class TestLanguage:
    @pytest.mark.parametrize("language", [None, "", "abc", 0, 1083, 1045, "1044x", 10.44])
    def test_invalid_language_gives_40001(self, world, language):
        assert fails(world, request(FULL, language=language)).error_id == ErrorCode.INVALID_LANGUAGE_CODE == 40001

    @pytest.mark.parametrize("language, expected", [(1033, 1033), ("1044", 1044), (" 2068 ", 2068)])
    def test_language_as_int_or_string(self, world, language, expected):
        (message,) = world.prepare(request(FULL, "Email", language=language)).messages
        assert message.language == expected


class TestReportee:
    @pytest.mark.parametrize("number", [None, "", "   "])
    def test_missing_reportee_gives_60012(self, world, number):
        assert fails(world, request(number)).error_id == ErrorCode.INVALID_REPORTEE_NUMBER == 60012

    def test_unknown_person_gives_60012(self, world):
        assert fails(world, request(UNREGISTERED)).error_id == 60012

    def test_unknown_organisation_gives_60012(self, world):
        assert fails(world, request(UNREGISTERED_ORG)).error_id == 60012

    def test_nine_digits_failing_mod11_gives_60012(self, world):
        bad = MAIN.orgno[:8] + str((int(MAIN.orgno[8]) + 1) % 10)
        assert fails(world, request(bad)).error_id == 60012

    def test_unknown_username_gives_60012(self, world):
        assert fails(world, request("nobody")).error_id == 60012

    def test_eleven_digits_failing_mod11_gives_40016(self, world):
        bad = FULL.ssn[:10] + str((int(FULL.ssn[10]) + 1) % 10)
        error = fails(world, request(bad))
        assert error.error_id == ErrorCode.INVALID_SSN == 40016
        assert bad in error.message

    def test_surrounding_whitespace_is_ignored(self, world):
        outcome = world.prepare(request(f" {FULL.ssn} ", "Email"))
        assert outcome.reportee_number == FULL.ssn

    @pytest.mark.parametrize("reportee, number", [(FULL, FULL.ssn), (MAIN, MAIN.orgno), (USER, "selma")])
    def test_outcome_names_the_reportee(self, world, reportee, number):
        outcome = world.prepare(request(reportee, "Email"))
        assert outcome.reportee_number == number
        assert all(m.reportee == number for m in outcome.messages)


class TestService:
    def test_unknown_service_gives_30003(self, world):
        error = fails(world, request(MAIN, service=ServiceRef("9999", 1)))
        assert error.error_id == ErrorCode.NOT_A_VALID_SERVICE == 30003

    def test_unknown_edition_gives_30003(self, world):
        assert fails(world, request(MAIN, service=ServiceRef("1000", 3))).error_id == 30003

    def test_service_of_another_owner_gives_5(self, world):
        error = fails(world, request(MAIN, service=ServiceRef("2000", 1)), owner=TTD)
        assert error.error_id == ErrorCode.NOT_AUTHORIZED == 5

    def test_own_service_is_accepted(self, world):
        outcome = world.prepare(request(MAIN, service=ServiceRef("2000", 1)), owner=ETT)
        assert outcome.recipients


class TestTemplate:
    def test_unknown_template_gives_0(self, world):
        error = fails(world, request(FULL, template="NoSuchTemplate"))
        assert error.error_id == ErrorCode.GENERAL_ERROR == 0
        assert "NoSuchTemplate" in error.message

    def test_template_names_are_case_sensitive(self, world):
        assert fails(world, request(FULL, template="plain")).error_id == 0

    def test_template_of_another_owner_gives_0(self, world):
        assert fails(world, request(FULL, template="EttOwn"), owner=TTD).error_id == 0

    def test_own_template(self, world):
        assert world.prepare(request(FULL, template="EttOwn"), owner=ETT).messages
        assert world.prepare(request(FULL, template="TtdOwn"), owner=TTD).messages

    def test_shared_template_is_usable_by_everyone(self, world):
        assert world.prepare(request(FULL, template="Plain"), owner=ETT).messages

    def test_template_without_the_language_gives_0(self, world):
        error = fails(world, request(FULL, template="BokmaalOnly", language=1033))
        assert error.error_id == 0
        assert "1033" in error.message


# -- receiver end points ---------------------------------------------------------------------------

class TestEndPointValidation:
    @pytest.mark.parametrize("transport", [None, "", "IM", "Fax", "sms", "email", "BOTH", "Sms"])
    def test_invalid_transport_gives_40015(self, world, transport):
        error = fails(world, request(FULL, EndPointRequest(transport)))
        assert error.error_id == ErrorCode.INVALID_FORMAT_SMS_AND_EMAIL == 40015

    def test_im_with_an_address_is_still_40015(self, world):
        assert fails(world, request(FULL, ("IM", "ola@example.no"))).error_id == 40015

    def test_priority_transport_needs_the_v4_rules(self, world):
        assert fails(world, request(FULL, "PriorityEmailSMSReminder"), rules=Rules()).error_id == 40015
        assert world.prepare(request(FULL, "PriorityEmailSMSReminder"), rules=V4).messages

    def test_the_40015_text_lists_priority_only_when_allowed(self, world):
        assert "PriorityEmailSMSReminder" not in fails(world, request(FULL, "IM")).message
        assert "PriorityEmailSMSReminder" in fails(world, request(FULL, "IM"), rules=V4).message

    @pytest.mark.parametrize("transport", ["Both", "SMSPreferred", "EmailPreferred", "PriorityEmailSMSReminder"])
    @pytest.mark.parametrize("address", ["ola@example.no", "+4791234567"])
    def test_address_with_an_addressless_transport_gives_30009(self, world, transport, address):
        error = fails(world, request(FULL, (transport, address)), rules=V4)
        assert error.error_id == ErrorCode.RECEIVER_ADDRESS_NOT_ALLOWED == 30009

    @pytest.mark.parametrize("transport", ["Both", "SMSPreferred", "EmailPreferred"])
    def test_empty_address_with_an_addressless_transport_is_fine(self, world, transport):
        assert world.prepare(request(FULL, (transport, ""))).messages

    @pytest.mark.parametrize("address", ["nope", "ola@", "+4791234567", "ola@example"])
    def test_invalid_email_endpoint_gives_30010(self, world, address):
        assert fails(world, request(FULL, ("Email", address))).error_id == ErrorCode.INVALID_EMAIL_ADDRESS == 30010

    @pytest.mark.parametrize("address", ["+999123456789", "0028123456"])
    def test_unknown_country_code_gives_30302(self, world, address):
        assert fails(world, request(FULL, ("SMS", address))).error_id == ErrorCode.INVALID_COUNTRY_CODE == 30302

    @pytest.mark.parametrize("address", ["21234567", "+4721234567", "912345", "ola@example.no"])
    def test_invalid_norwegian_mobile_gives_30303(self, world, address):
        error = fails(world, request(FULL, ("SMS", address)))
        assert error.error_id == ErrorCode.INVALID_NORWEGIAN_MOBILE == 30303

    def test_valid_foreign_mobile(self, world):
        (message,) = world.prepare(request(FULL, ("SMS", "+46701234567"))).messages
        assert message.address == "+46701234567"

    def test_empty_address_means_lookup(self, world):
        (message,) = world.prepare(request(FULL, ("Email", ""))).messages
        assert message.address == "ola@example.no" and message.from_profile

    def test_endpoints_are_checked_in_order(self, world):
        assert fails(world, request(FULL, ("Email", "bad"), "IM")).error_id == 30010
        assert fails(world, request(FULL, "IM", ("Email", "bad"))).error_id == 40015
        assert fails(world, request(FULL, ("Both", "x@y.no"), ("SMS", "123"))).error_id == 30009

    def test_a_bad_endpoint_after_good_ones_fails_the_notification(self, world):
        assert fails(world, request(FULL, "Email", "SMS", ("SMS", "21234567"))).error_id == 30303


class TestAddressErrorsThroughTheEngine:
    """The lookup codes of docs/behaviour/notifications.md surface from ``prepare`` unchanged."""

    @pytest.mark.parametrize("reportee, transport, code", [
        (EMAIL_ONLY, "SMS", 30301),
        (MOBILE_ONLY, "Email", 30306),
        (SMS_USER, "Email", 30306),
        (EMAIL_ORG, "SMS", 30304),
        (NO_CONTACT, "SMSPreferred", 30307),
        (NO_CONTACT, "EmailPreferred", 30308),
        (EMAIL_ONLY, "Both", 30309),
        (EMPTY_ORG, "Both", 30309),
        (NO_CONTACT, "PriorityEmailSMSReminder", 30312),
    ])
    def test_codes(self, world, reportee, transport, code):
        assert fails(world, request(reportee, transport), rules=V4).error_id == code

    def test_standalone_rules_are_strict_about_both(self, world):
        assert Rules().strict_both is True
        assert fails(world, request(EMAIL_ONLY, "Both")).error_id == 30309

    def test_correspondence_rules_take_both_where_possible(self, world):
        outcome = world.prepare(request(EMAIL_ONLY, "Both"), rules=Rules(strict_both=False))
        assert [(m.channel, m.address) for m in outcome.messages] == [(E, "kari@example.no")]

    def test_service_filter_reaches_the_organisation_contacts(self, world):
        outcome = world.prepare(request(MAIN, "Email", service=ServiceRef("1000", 1)))
        assert "siri@eksempel.example" in {m.address for m in outcome.messages}
        outcome = world.prepare(request(MAIN, "Email"))
        assert "siri@eksempel.example" not in {m.address for m in outcome.messages}

    def test_sub_unit_falls_back_to_the_parent(self, world):
        outcome = world.prepare(request(SUB_UNIT, "SMS"))
        assert [m.address for m in outcome.messages] == ["+4790000001"]
        assert outcome.reportee_number == SUB_UNIT.orgno


# -- validation order ------------------------------------------------------------------------------

class TestValidationOrder:
    """Several faults at once: the first in Altinn's order is reported."""

    def test_notification_type_before_from_address(self, world):
        assert fails(world, request(FULL, template=None, from_address="bad")).error_id == 1

    def test_from_address_before_shipment_time(self, world):
        assert fails(world, request(FULL, from_address="bad", shipment_time=BLANK)).error_id == 40020

    def test_empty_from_address_before_invalid_language(self, world):
        error = fails(world, request(FULL, from_address="", language=9999))
        assert (error.error_id, "FromAddress" in error.message) == (1, True)

    def test_shipment_time_before_language(self, world):
        error = fails(world, request(FULL, shipment_time=BLANK, language=9999))
        assert (error.error_id, "ShipmentDateTime" in error.message) == (1, True)

    def test_language_before_tokens(self, world):
        assert fails(world, request(FULL, language=9999, tokens=[None])).error_id == 40001

    def test_tokens_before_reportee(self, world):
        assert fails(world, request("nobody", tokens=[None])).error_id == 1

    def test_language_before_reportee(self, world):
        assert fails(world, request("nobody", language=9999)).error_id == 40001

    def test_reportee_before_service(self, world):
        assert fails(world, request("nobody", service=ServiceRef("9999", 1))).error_id == 60012

    def test_invalid_ssn_before_service(self, world):
        bad = FULL.ssn[:10] + str((int(FULL.ssn[10]) + 1) % 10)
        assert fails(world, request(bad, service=ServiceRef("9999", 1))).error_id == 40016

    def test_service_before_template(self, world):
        assert fails(world, request(MAIN, template="Nope", service=ServiceRef("9999", 1))).error_id == 30003

    def test_reportee_before_template(self, world):
        assert fails(world, request("nobody", template="Nope")).error_id == 60012

    def test_template_before_endpoints(self, world):
        assert fails(world, request(FULL, "IM", template="Nope")).error_id == 0
        assert fails(world, request(FULL, ("Email", "bad"), template="Nope")).error_id == 0

    def test_missing_endpoints_after_template(self, world):
        req = request(FULL, template="Nope")
        req.endpoints = []
        assert fails(world, req).error_id == 0

    def test_endpoints_before_reservation(self, world):
        assert fails(world, request(RESERVED, ("Email", "bad"), is_reservable=True)).error_id == 30010

    def test_endpoints_before_address_lookup(self, world):
        assert fails(world, request(NO_CONTACT, "Email", "IM")).error_id == 40015


# -- reservation -----------------------------------------------------------------------------------

class TestReservation:
    def test_reservable_notification_to_a_reserved_person_is_not_sent(self, world):
        outcome = world.prepare(request(RESERVED, "Both", is_reservable=True))
        assert outcome.reserved is True
        assert outcome.recipients == ()
        assert outcome.messages == ()
        assert outcome.reportee_number == RESERVED.ssn
        assert outcome.notification_type == "Plain"

    def test_explicit_addresses_do_not_bypass_the_reservation(self, world):
        outcome = world.prepare(request(RESERVED, ("Email", "x@example.no"), is_reservable=True))
        assert outcome.reserved and not outcome.messages

    @pytest.mark.parametrize("reservable", [False, None])
    def test_not_reservable_is_sent_to_a_reserved_person(self, world, reservable):
        outcome = world.prepare(request(RESERVED, "Both", is_reservable=reservable))
        assert outcome.reserved is False
        assert {m.address for m in outcome.messages} == {"per@example.no", "+4792345678"}

    def test_reservable_to_an_unreserved_person_is_sent(self, world):
        outcome = world.prepare(request(FULL, "Email", is_reservable=True))
        assert outcome.reserved is False and len(outcome.messages) == 1

    def test_reserved_person_skips_the_address_lookup(self, world):
        # Strict Both would fail for a person without a mobile; a reserved one is simply not notified.
        reserved_email_only = replace(EMAIL_ONLY, reserved=True)
        world.registry.put_person(reserved_email_only)
        assert world.prepare(request(EMAIL_ONLY, "Both", is_reservable=True)).reserved is True

    def test_reservable_applies_only_to_persons(self, world):
        assert world.prepare(request(MAIN, "Email", is_reservable=True)).reserved is False


# -- senders ---------------------------------------------------------------------------------------

class TestSenders:
    def test_sms_sender_defaults_to_altinn(self, world):
        assert by_channel(world.prepare(request(FULL, "SMS")))[S].sender == "Altinn"

    @pytest.mark.parametrize("flag", [False, None])
    def test_sms_sender_without_the_flag(self, world, flag):
        outcome = world.prepare(request(FULL, "SMS", use_owner_short_name_for_sms=flag))
        assert outcome.messages[0].sender == "Altinn"

    @pytest.mark.parametrize("owner, expected", [(TTD, "TTD"), (ETT, "Etaten")])
    def test_sms_sender_is_the_owner_short_name_when_asked(self, world, owner, expected):
        outcome = world.prepare(request(FULL, "SMS", use_owner_short_name_for_sms=True), owner=owner)
        assert outcome.messages[0].sender == expected

    @pytest.mark.parametrize("short_name", [None, "", "Test Dept", "Testdepartem", "Tøstdep", "TTD-1"])
    def test_unusable_short_name_falls_back_to_altinn(self, world, short_name):
        owner = ServiceOwner(code="TTD", orgno=TTD.orgno, name=TTD.name, short_name=short_name)
        outcome = world.prepare(request(FULL, "SMS", use_owner_short_name_for_sms=True), owner=owner)
        assert outcome.messages[0].sender == "Altinn"

    def test_eleven_character_short_name_is_allowed(self, world):
        owner = ServiceOwner(code="TTD", orgno=TTD.orgno, name=TTD.name, short_name="Testdepart1")
        outcome = world.prepare(request(FULL, "SMS", use_owner_short_name_for_sms=True), owner=owner)
        assert outcome.messages[0].sender == "Testdepart1"

    def test_short_name_flag_does_not_touch_email(self, world):
        outcome = world.prepare(request(FULL, "Email", use_owner_short_name_for_sms=True))
        assert outcome.messages[0].sender == "noreply@altinn.no"

    def test_email_sender_defaults_to_altinn(self, world):
        assert world.prepare(request(FULL, "Email")).messages[0].sender == "noreply@altinn.no"

    def test_email_sender_from_the_template(self, world):
        outcome = world.prepare(request(FULL, "Email", "SMS", template="WithSender"))
        assert by_channel(outcome)[E].sender == "avsender@ttd.example"
        assert by_channel(outcome)[S].sender == "Altinn"

    def test_from_address_wins_over_the_template_sender(self, world):
        outcome = world.prepare(request(FULL, "Email", "SMS", template="WithSender", from_address="me@ttd.example"))
        assert by_channel(outcome)[E].sender == "me@ttd.example"
        assert by_channel(outcome)[S].sender == "Altinn"

    def test_from_address_wins_over_the_default(self, world):
        assert world.prepare(request(FULL, "Email", from_address="me@ttd.example")).messages[0].sender == \
            "me@ttd.example"

    def test_default_senders_come_from_the_settings(self, db):
        world = make_world(db, NotificationSettings(default_email_sender="no-reply@emulator.test",
                                                default_sms_sender="TESTALTINN"))
        outcome = world.prepare(request(FULL, "Both"))
        assert by_channel(outcome)[E].sender == "no-reply@emulator.test"
        assert by_channel(outcome)[S].sender == "TESTALTINN"


# -- rendering: channels, languages, SMS length ----------------------------------------------------

class TestRenderedMessages:
    def test_email_and_sms_texts(self, world):
        outcome = world.prepare(request(FULL, "Both", tokens=["A", "B"]))
        assert (by_channel(outcome)[E].subject, by_channel(outcome)[E].body) == ("Subject A", "Body B")
        assert (by_channel(outcome)[S].subject, by_channel(outcome)[S].body) == (None, "SMS A")

    def test_message_metadata(self, world):
        outcome = world.prepare(request(FULL, "SMS"))
        (message,) = outcome.messages
        assert message.notification_id == 0  # numbered as it is stored (see test_standalone)
        assert message.origin == "test"
        assert message.service_owner == "TTD"
        assert message.reportee == FULL.ssn
        assert message.recipient_name == "Ola Testmann Nordmann"
        assert message.template == "Plain"
        assert message.language == 1044
        assert message.from_profile is True
        assert message.is_reminder is False
        assert message.truncated is False
        assert message.missing_tokens == ()
        assert message.sent_at is None and message.id is None
        assert message.created_at == NOW

    def test_explicit_addresses_are_not_from_profile(self, world):
        outcome = world.prepare(request(FULL, ("Email", "x@example.no")))
        assert outcome.messages[0].from_profile is False
        assert outcome.recipients[0].from_profile is False

    def test_outcome_recipients_match_the_messages(self, world):
        outcome = world.prepare(request(MAIN, "Both"))
        assert [(r.channel, r.address) for r in outcome.recipients] == \
            [(m.channel, m.address) for m in outcome.messages]
        assert outcome.notification_type == "Plain"


class TestLanguageSelection:
    @pytest.mark.parametrize("language, prefix", [(1033, "en"), (1044, "nb"), (2068, "nn")])
    def test_text_in_the_requested_language(self, world, language, prefix):
        outcome = world.prepare(request(FULL, "Both", template="Languages", language=language, tokens=["x"]))
        assert by_channel(outcome)[S].body == f"{prefix} x"
        assert by_channel(outcome)[E].subject == f"{prefix}-subject"
        assert by_channel(outcome)[E].body == f"{prefix}-body"
        assert {m.language for m in outcome.messages} == {language}


class TestDroppedReceivers:
    def test_sms_receivers_are_dropped_for_an_email_only_template(self, world):
        outcome = world.prepare(request(FULL, "Both", template="EmailOnly"))
        assert [(m.channel, m.address) for m in outcome.messages] == [(E, "ola@example.no")]
        assert [(r.channel, r.address) for r in outcome.recipients] == [(E, "ola@example.no")]

    def test_email_receivers_are_dropped_for_an_sms_only_template(self, world):
        outcome = world.prepare(request(MAIN, "Both", template="SmsOnly"))
        assert [(m.channel, m.address) for m in outcome.messages] == [(S, "+4790000001")]
        assert [r.channel for r in outcome.recipients] == [S]

    def test_explicit_receivers_are_dropped_too(self, world):
        outcome = world.prepare(request(FULL, ("SMS", "+4799999999"), "Email", template="EmailOnly"))
        assert [m.channel for m in outcome.messages] == [E]

    @pytest.mark.parametrize("reportee, transport, template, code", [
        (FULL, "SMS", "EmailOnly", 30301),            # person, nobody left on SMS
        (FULL, ("SMS", "+4799999999"), "EmailOnly", 30301),
        (FULL, "Email", "SmsOnly", 30306),
        (SMS_USER, "SMS", "EmailOnly", 30301),
        (MAIN, "SMS", "EmailOnly", 30304),            # organisation
        (MAIN, "Email", "SmsOnly", 30304),
        (MOBILE_ONLY, "EmailPreferred", "EmailOnly", 30301),  # fell back to SMS, which the template lacks
    ])
    def test_nobody_left_is_an_error(self, world, reportee, transport, template, code):
        assert fails(world, request(reportee, transport, template=template)).error_id == code


class TestSmsLength:
    def test_700_characters_are_kept(self, world):
        (message,) = world.prepare(request(FULL, "SMS", tokens=["x" * 696])).messages  # "SMS " + 696
        assert len(message.body) == 700 and message.truncated is False

    def test_longer_sms_is_cut_at_700(self, world):
        (message,) = world.prepare(request(FULL, "SMS", tokens=["x" * 697])).messages
        assert message.body == "SMS " + "x" * 696
        assert message.truncated is True

    def test_length_counts_after_macro_expansion(self, world):
        token = "$reporteeName$" + "x" * 680   # 14 chars of macro become 21: "Ola Testmann Nordmann"
        (message,) = world.prepare(request(FULL, "SMS", tokens=[token])).messages
        assert message.truncated is True and len(message.body) == 700

    def test_email_is_never_truncated(self, world):
        outcome = world.prepare(request(FULL, "Email", tokens=["s", "b" * 5000]))
        assert len(outcome.messages[0].body) == 5005 and outcome.messages[0].truncated is False

    def test_limit_comes_from_the_settings(self, db):
        world = make_world(db, NotificationSettings(sms_max_length=140))
        (message,) = world.prepare(request(FULL, "SMS", tokens=["y" * 200])).messages
        assert len(message.body) == 140 and message.truncated


# -- scheduling and reminders ----------------------------------------------------------------------

class TestScheduling:
    def test_without_shipment_time_the_message_is_scheduled_now(self, world):
        assert world.prepare(request(FULL, "Email")).messages[0].scheduled_at == NOW

    def test_shipment_time_schedules_the_message(self, world):
        later = datetime(2026, 4, 1, 8, 30, tzinfo=timezone.utc)
        (message,) = world.prepare(request(FULL, "Email", shipment_time=later)).messages
        assert message.scheduled_at == later
        assert message.created_at == NOW

    def test_naive_shipment_time_is_oslo_time(self, world):
        (message,) = world.prepare(request(FULL, "Email", shipment_time=datetime(2026, 3, 10, 12, 0))).messages
        assert message.scheduled_at == datetime(2026, 3, 10, 11, 0, tzinfo=timezone.utc)
        assert message.scheduled_at.utcoffset() == timedelta(hours=1)

    def test_clock_moves_are_seen(self, world):
        world.clock.advance(timedelta(hours=3))
        (message,) = world.prepare(request(FULL, "Email")).messages
        assert message.scheduled_at == message.created_at == NOW + timedelta(hours=3)


class TestReminders:
    def test_no_reminder_without_reminder_days(self, world):
        assert not any(m.is_reminder for m in world.prepare(request(FULL, "Both")).messages)

    def test_reminder_is_scheduled_reminder_days_later(self, world):
        outcome = world.prepare(request(FULL, "Email", template="Reminder"))
        first, reminder = outcome.messages
        assert (first.is_reminder, reminder.is_reminder) == (False, True)
        assert first.scheduled_at == NOW
        assert reminder.scheduled_at == NOW + timedelta(days=7)
        assert reminder.created_at == NOW
        assert (reminder.address, reminder.body) == (first.address, first.body)

    def test_reminder_days_come_from_the_template(self, world):
        outcome = world.prepare(request(FULL, "Email", template="ReminderEmailOnly"))
        assert outcome.messages[1].scheduled_at == NOW + timedelta(days=3)

    def test_reminder_counts_from_the_shipment_time(self, world):
        shipment = datetime(2026, 5, 1, 6, 0, tzinfo=timezone.utc)
        outcome = world.prepare(request(FULL, "Email", template="Reminder", shipment_time=shipment))
        assert [m.scheduled_at for m in outcome.messages] == [shipment, shipment + timedelta(days=7)]

    @pytest.mark.parametrize("shipment", [datetime(9999, 12, 30, tzinfo=timezone.utc),
                                          datetime.max.replace(tzinfo=timezone.utc)])  # .NET's DateTime.MaxValue
    def test_a_reminder_past_the_end_of_the_calendar_waits_at_its_end(self, world, shipment):
        outcome = world.prepare(request(FULL, "Email", template="Reminder", shipment_time=shipment))
        end = max(shipment, datetime.max.replace(tzinfo=ALTINN_TZ))  # (in UTC the calendar ends an hour later)
        assert [m.scheduled_at for m in outcome.messages] == [shipment, end]

    def test_every_receiver_gets_a_reminder(self, world):
        outcome = world.prepare(request(MAIN, "Both", template="Reminder"))
        firsts = [(m.channel, m.address) for m in outcome.messages if not m.is_reminder]
        reminders = [(m.channel, m.address) for m in outcome.messages if m.is_reminder]
        assert firsts == reminders and len(firsts) == 3

    def test_recipients_list_only_first_notices(self, world):
        outcome = world.prepare(request(FULL, "Email", template="Reminder"))
        assert len(outcome.recipients) == 1 and len(outcome.messages) == 2

    def test_priority_transport_email_first_sms_reminder(self, world):
        outcome = world.prepare(request(FULL, "PriorityEmailSMSReminder", template="Reminder"), rules=V4)
        assert [(m.channel, m.address, m.is_reminder) for m in outcome.messages] == [
            (E, "ola@example.no", False), (S, "+4791234567", True)]
        assert [r.channel for r in outcome.recipients] == [E]

    def test_priority_transport_reminder_falls_back_to_email(self, world):
        outcome = world.prepare(request(EMAIL_ONLY, "PriorityEmailSMSReminder", template="Reminder"), rules=V4)
        assert [(m.channel, m.is_reminder) for m in outcome.messages] == [(E, False), (E, True)]

    def test_priority_transport_first_notice_falls_back_to_sms(self, world):
        outcome = world.prepare(request(MOBILE_ONLY, "PriorityEmailSMSReminder", template="Reminder"), rules=V4)
        assert [(m.channel, m.is_reminder) for m in outcome.messages] == [(S, False), (S, True)]

    def test_priority_transport_without_a_reminder_template_is_email_preferred(self, world):
        outcome = world.prepare(request(FULL, "PriorityEmailSMSReminder"), rules=V4)
        assert [(m.channel, m.is_reminder) for m in outcome.messages] == [(E, False)]

    def test_reminder_on_a_channel_the_template_lacks_is_dropped(self, world):
        outcome = world.prepare(request(FULL, "PriorityEmailSMSReminder", template="ReminderEmailOnly"),
                                rules=V4)
        assert [(m.channel, m.is_reminder) for m in outcome.messages] == [(E, False)]

    def test_reminder_instant_does_not_depend_on_the_time_zone_of_the_shipment(self, world):
        instant_utc = datetime(2026, 3, 25, 9, 0, tzinfo=timezone.utc)
        instant_naive_oslo = datetime(2026, 3, 25, 10, 0)  # the same instant: 10:00 CET
        assert instant_naive_oslo.replace(tzinfo=ALTINN_TZ) == instant_utc
        a = world.prepare(request(FULL, "Email", template="Reminder", shipment_time=instant_utc))
        b = world.prepare(request(FULL, "Email", template="Reminder", shipment_time=instant_naive_oslo))
        assert a.messages[1].scheduled_at == b.messages[1].scheduled_at


class TestStatelessness:
    def test_prepare_changes_nothing_stored(self, world, db):
        def everything():
            return {table: db.query(f"SELECT * FROM {table} ORDER BY 1") for table in SEED_TABLES + RUNTIME_TABLES}

        before = everything()
        world.prepare(request(MAIN, "Both", template="Reminder", service=ServiceRef("1000", 1)))
        assert everything() == before

    def test_test_persons_are_synthetic(self):
        # Guard for the test data itself: every person has the +80 test-data month.
        for person in (FULL, EMAIL_ONLY, MOBILE_ONLY, NO_CONTACT, RESERVED):
            assert int(person.ssn[2:4]) > 80
        assert int(UNREGISTERED[2:4]) > 80
