"""Recipient resolution (docs/behaviour/notifications.md): who gets a notification on which channel."""

from __future__ import annotations

from dataclasses import replace

import pytest

from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.notifications.model import Channel, EndPointRequest, Recipient, ServiceRef
from altinn_so.domain.notifications.receivers import ReceiverResolver, contact_points, no_address_error
from altinn_so.domain.registry import OrganisationContact
from altinn_so.store.database import open_database

from .factories import (EMAIL_ONLY, EMAIL_ORG, EMPTY_ORG, EMPTY_USER, FULL, MAIN, MOBILE_ONLY, MOBILE_ORG,
                        NO_CONTACT, ORPHAN_SUB_UNIT, SMS_USER, SUB_UNIT, SUB_UNIT_WITH_EMAIL, USER,
                        make_registry)

REGISTRY = make_registry(open_database(":memory:"))  # only parents of sub-units are looked up
SERVICE = ServiceRef("1000", 1)


def resolve(reportee, *transports, service=None, strict_both=True, reminder=False):
    endpoints = [EndPointRequest(*t) if isinstance(t, tuple) else EndPointRequest(t) for t in transports]
    return ReceiverResolver(REGISTRY.get_organisation).resolve(
        reportee, endpoints, service=service, strict_both=strict_both, reminder=reminder)


def pairs(recipients):
    return [(r.channel, r.address) for r in recipients]


def error_of(*args, **kwargs) -> int:
    with pytest.raises(AltinnError) as caught:
        resolve(*args, **kwargs)
    return caught.value.error_id


E, S = Channel.EMAIL, Channel.SMS


class TestPersonLookup:
    def test_sms_uses_the_krr_mobile(self):
        assert resolve(FULL, "SMS") == [Recipient(S, "+4791234567", "Ola Testmann Nordmann", True)]

    def test_email_uses_the_krr_address(self):
        assert resolve(FULL, "Email") == [Recipient(E, "ola@example.no", "Ola Testmann Nordmann", True)]

    def test_no_mobile_gives_30301(self):
        assert error_of(EMAIL_ONLY, "SMS") == ErrorCode.NO_MOBILE_NUMBER == 30301

    def test_no_email_gives_30306(self):
        assert error_of(MOBILE_ONLY, "Email") == ErrorCode.REPORTEE_HAS_NO_ADDRESS == 30306

    def test_no_krr_data_means_no_notification(self):
        assert error_of(NO_CONTACT, "Email") == 30306
        assert error_of(NO_CONTACT, "SMS") == 30301

    def test_org_contact_filter_does_not_apply_to_persons(self):
        assert pairs(resolve(FULL, "Email", service=SERVICE)) == [(E, "ola@example.no")]


class TestSelfRegisteredUser:
    def test_email(self):
        assert resolve(USER, "Email") == [Recipient(E, "selma@example.no", "Selma Selvregistrert", True)]

    def test_sms(self):
        assert pairs(resolve(SMS_USER, "SMS")) == [(S, "+4791111111")]

    def test_missing_channel_gives_the_channel_code(self):
        assert error_of(USER, "SMS") == 30301
        assert error_of(SMS_USER, "Email") == 30306

    def test_nothing_registered(self):
        assert error_of(EMPTY_USER, "EmailPreferred") == 30308


class TestOrganisationLookup:
    def test_official_addresses_all_used(self):
        assert pairs(resolve(MAIN, "Email")) == [(E, "post@eksempel.example"), (E, "regnskap@eksempel.example")]
        assert pairs(resolve(MAIN, "SMS")) == [(S, "+4790000001")]

    def test_official_addresses_carry_the_organisation_name(self):
        assert {r.name for r in resolve(MAIN, "Both")} == {"Eksempel AS"}
        assert all(r.from_profile for r in resolve(MAIN, "Both"))

    def test_contacts_are_not_notified_without_a_service(self):
        assert "siri@eksempel.example" not in {r.address for r in resolve(MAIN, "Email")}

    def test_contacts_following_the_service_are_added(self):
        recipients = resolve(MAIN, "Email", service=SERVICE)
        assert pairs(recipients) == [(E, "post@eksempel.example"), (E, "regnskap@eksempel.example"),
                                     (E, "siri@eksempel.example"), (E, "una@eksempel.example")]
        assert recipients[2] == Recipient(E, "siri@eksempel.example", "Siri Saksbehandler", True)

    def test_contacts_of_another_edition_are_not_added(self):
        addresses = {r.address for r in resolve(MAIN, "Both", service=ServiceRef("1000", 2))}
        assert "tor@eksempel.example" in addresses and "+4790000003" in addresses
        assert not addresses & {"siri@eksempel.example", "+4790000002", "una@eksempel.example"}

    def test_contact_without_a_mobile_only_gets_email(self):
        assert pairs(resolve(MAIN, "SMS", service=SERVICE)) == [(S, "+4790000001"), (S, "+4790000002")]

    def test_no_address_on_the_channel_gives_30304(self):
        assert error_of(EMAIL_ORG, "SMS") == ErrorCode.ORGANISATION_HAS_NO_ADDRESS == 30304
        assert error_of(MOBILE_ORG, "Email") == 30304
        assert error_of(EMPTY_ORG, "SMS") == 30304
        assert error_of(EMPTY_ORG, "Email") == 30304


class TestSubUnits:
    def test_sub_unit_without_addresses_uses_the_parents(self):
        recipients = resolve(SUB_UNIT, "Both")
        assert pairs(recipients) == [(E, "post@eksempel.example"), (E, "regnskap@eksempel.example"),
                                     (S, "+4790000001")]
        assert {r.name for r in recipients} == {"Eksempel AS"}

    def test_sub_unit_contacts_still_apply_with_a_service(self):
        assert (E, "berit@eksempel.example") in pairs(resolve(SUB_UNIT, "Email", service=SERVICE))

    def test_parent_contacts_are_not_inherited(self):
        assert "siri@eksempel.example" not in {r.address for r in resolve(SUB_UNIT, "Email", service=SERVICE)}

    def test_sub_unit_with_own_addresses_does_not_fall_back(self):
        assert pairs(resolve(SUB_UNIT_WITH_EMAIL, "Email")) == [(E, "tromso@eksempel.example")]
        # It has an address, so it is not "without addresses": no SMS from the parent either.
        assert error_of(SUB_UNIT_WITH_EMAIL, "SMS") == 30304

    def test_sub_unit_whose_parent_is_unknown(self):
        assert error_of(ORPHAN_SUB_UNIT, "Email") == 30304

    def test_contact_points_function(self):
        points = contact_points(SUB_UNIT, None, REGISTRY.get_organisation)
        assert points.emails == (("Eksempel AS", "post@eksempel.example"), ("Eksempel AS", "regnskap@eksempel.example"))
        assert points.mobiles == (("Eksempel AS", "+4790000001"),)


class TestExplicitAddresses:
    def test_explicit_email_no_lookup(self):
        assert resolve(MAIN, ("Email", "other@example.no")) == [
            Recipient(E, "other@example.no", "Eksempel AS", from_profile=False)]

    def test_explicit_sms_no_lookup(self):
        assert resolve(FULL, ("SMS", "+4799999999")) == [
            Recipient(S, "+4799999999", "Ola Testmann Nordmann", from_profile=False)]

    def test_explicit_address_works_for_a_reportee_without_contact_data(self):
        assert pairs(resolve(NO_CONTACT, ("Email", "x@example.no"))) == [(E, "x@example.no")]
        assert pairs(resolve(EMPTY_ORG, ("SMS", "+4799999999"))) == [(S, "+4799999999")]

    def test_explicit_address_adds_no_contacts_even_with_a_service(self):
        assert pairs(resolve(MAIN, ("Email", "x@example.no"), service=SERVICE)) == [(E, "x@example.no")]

    def test_explicit_and_looked_up_endpoints_combine(self):
        assert pairs(resolve(FULL, ("Email", "x@example.no"), "SMS")) == [(E, "x@example.no"), (S, "+4791234567")]


class TestDeduplication:
    def test_same_endpoint_twice(self):
        assert pairs(resolve(FULL, "SMS", "SMS")) == [(S, "+4791234567")]

    def test_explicit_address_equal_to_the_profile_address_keeps_the_first(self):
        recipients = resolve(FULL, ("Email", "ola@example.no"), "Email")
        assert recipients == [Recipient(E, "ola@example.no", "Ola Testmann Nordmann", from_profile=False)]

    def test_both_and_single_channels_overlap(self):
        assert pairs(resolve(FULL, "Both", "Email", "SMS")) == [(E, "ola@example.no"), (S, "+4791234567")]

    def test_request_order_is_kept(self):
        assert pairs(resolve(FULL, "SMS", "Email")) == [(S, "+4791234567"), (E, "ola@example.no")]

    def test_contact_with_the_official_address_is_not_duplicated(self):
        org = replace(EMAIL_ORG, contacts=(OrganisationContact("Dup", email="kontakt@bareepost.example",
                                                               services=(("1000", 1),)),))
        assert resolve(org, "Email", service=SERVICE) == [
            Recipient(E, "kontakt@bareepost.example", "Bare Epost ANS", True)]

    def test_different_addresses_are_not_duplicates(self):
        assert len(resolve(FULL, ("Email", "a@example.no"), ("Email", "b@example.no"))) == 2

    @pytest.mark.parametrize("written", ["91234567", "004791234567", "+47 912 34 567"])
    def test_the_same_mobile_written_differently_is_a_duplicate(self, written):
        assert len(resolve(FULL, ("SMS", written), "SMS")) == 1


class TestBoth:
    def test_both_gives_email_and_sms(self):
        assert pairs(resolve(FULL, "Both")) == [(E, "ola@example.no"), (S, "+4791234567")]

    def test_organisation_gets_all_notification_addresses(self):
        assert pairs(resolve(MAIN, "Both")) == [(E, "post@eksempel.example"), (E, "regnskap@eksempel.example"),
                                                (S, "+4790000001")]

    @pytest.mark.parametrize("reportee", [EMAIL_ONLY, MOBILE_ONLY, NO_CONTACT, EMAIL_ORG, MOBILE_ORG, EMPTY_ORG,
                                          USER])
    def test_strict_both_needs_both_channels(self, reportee):
        assert error_of(reportee, "Both", strict_both=True) == ErrorCode.BOTH_REQUIRES_EMAIL_AND_SMS == 30309

    def test_where_possible_both_takes_what_there_is(self):
        assert pairs(resolve(EMAIL_ONLY, "Both", strict_both=False)) == [(E, "kari@example.no")]
        assert pairs(resolve(MOBILE_ORG, "Both", strict_both=False)) == [(S, "+4790000009")]

    def test_where_possible_both_with_nothing_gives_30309(self):
        assert error_of(NO_CONTACT, "Both", strict_both=False) == 30309
        assert error_of(EMPTY_ORG, "Both", strict_both=False) == 30309


class TestPreferred:
    def test_sms_preferred_takes_sms(self):
        assert pairs(resolve(FULL, "SMSPreferred")) == [(S, "+4791234567")]

    def test_sms_preferred_falls_back_to_email(self):
        assert pairs(resolve(EMAIL_ONLY, "SMSPreferred")) == [(E, "kari@example.no")]

    def test_sms_preferred_organisation_gets_all_of_the_type(self):
        assert pairs(resolve(MAIN, "SMSPreferred", service=SERVICE)) == [(S, "+4790000001"), (S, "+4790000002")]
        assert pairs(resolve(EMAIL_ORG, "SMSPreferred")) == [(E, "kontakt@bareepost.example")]

    def test_sms_preferred_with_nothing_gives_30307(self):
        assert error_of(NO_CONTACT, "SMSPreferred") == ErrorCode.SMS_PREFERRED_NO_ENDPOINT == 30307
        assert error_of(EMPTY_ORG, "SMSPreferred") == 30307

    def test_email_preferred_takes_email(self):
        assert pairs(resolve(FULL, "EmailPreferred")) == [(E, "ola@example.no")]
        assert pairs(resolve(MAIN, "EmailPreferred")) == [(E, "post@eksempel.example"),
                                                          (E, "regnskap@eksempel.example")]

    def test_email_preferred_falls_back_to_sms(self):
        assert pairs(resolve(MOBILE_ONLY, "EmailPreferred")) == [(S, "+4748765432")]

    def test_email_preferred_with_nothing_gives_30308(self):
        assert error_of(NO_CONTACT, "EmailPreferred") == ErrorCode.EMAIL_PREFERRED_NO_ENDPOINT == 30308
        assert error_of(EMPTY_ORG, "EmailPreferred") == 30308


class TestPriorityEmailSmsReminder:
    def test_first_notice_is_email_preferred(self):
        assert pairs(resolve(FULL, "PriorityEmailSMSReminder")) == [(E, "ola@example.no")]
        assert pairs(resolve(MOBILE_ONLY, "PriorityEmailSMSReminder")) == [(S, "+4748765432")]

    def test_reminder_is_sms_preferred(self):
        assert pairs(resolve(FULL, "PriorityEmailSMSReminder", reminder=True)) == [(S, "+4791234567")]
        assert pairs(resolve(EMAIL_ONLY, "PriorityEmailSMSReminder", reminder=True)) == [(E, "kari@example.no")]

    def test_organisation(self):
        assert pairs(resolve(MAIN, "PriorityEmailSMSReminder")) == [(E, "post@eksempel.example"),
                                                                    (E, "regnskap@eksempel.example")]
        assert pairs(resolve(MAIN, "PriorityEmailSMSReminder", reminder=True)) == [(S, "+4790000001")]

    @pytest.mark.parametrize("reminder", [False, True])
    def test_nothing_gives_30312(self, reminder):
        assert error_of(NO_CONTACT, "PriorityEmailSMSReminder", reminder=reminder) == 30312
        assert ErrorCode.PRIORITY_EMAIL_SMS_NO_ENDPOINT == 30312

    @pytest.mark.parametrize("transport", ["SMS", "Email", "Both", "SMSPreferred", "EmailPreferred"])
    def test_reminder_flag_does_not_change_other_transports(self, transport):
        assert resolve(FULL, transport, reminder=True) == resolve(FULL, transport, reminder=False)


class TestNoAddressError:
    @pytest.mark.parametrize("reportee, channel, code", [
        (MAIN, Channel.SMS, 30304), (MAIN, Channel.EMAIL, 30304),
        (FULL, Channel.SMS, 30301), (FULL, Channel.EMAIL, 30306),
        (USER, Channel.SMS, 30301), (USER, Channel.EMAIL, 30306),
    ])
    def test_codes(self, reportee, channel, code):
        assert no_address_error(reportee, channel).error_id == code
