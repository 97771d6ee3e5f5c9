"""InsertCorrespondence (docs/behaviour/correspondence.md; decisions D1, D11, D14): validation order and codes, defaults,
what is stored, the receipt, notifications, atomicity, KRR reservation and AEC callers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.domain.catalog import AgencySystem
from altinn_so.domain.clock import ALTINN_TZ
from altinn_so.services.correspondence.rules import SAVED
from altinn_so.services.correspondence.rules.model import (CorrespondenceStatus, ReplyOption, StatusChange,
                                                           XmlAttachment, origin_of)
from altinn_so.domain.errors import AltinnError
from altinn_so.domain.notifications.model import Channel, OutboxFilter, ServiceRef
from altinn_so.domain.receipts import ReceiptStatus, Reference

from .factories import (DAGNY, ETT_MESSAGE, HEMMELIG, KARI, LISE, OLA, ORG, ORG_EMAIL, PER, SELF_REGISTERED,
                        NOW, TTD_DPV, TTD_FORM, TTD_MESSAGE, TTD_ORGNO, UNREGISTERED, UNREGISTERED_ORG,
                        correspondence, owner_caller, pdf, request, system_caller)


def insert(emulator, req=None, *, caller=None, **kwargs):
    return emulator.correspondence.insert(caller or system_caller(emulator), req or correspondence(), **kwargs)


def insert_fails(emulator, req, **kwargs) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        insert(emulator, req, **kwargs)
    return caught.value


def stored(emulator):
    return emulator.correspondence_store.list_correspondences()


def nothing_stored(emulator) -> bool:
    return (stored(emulator) == [] and emulator.receipt_store.list_receipts() == []
            and emulator.outbox.list_messages() == []
            and emulator.correspondence_store.find_sdp("TTD") == [])


def notice(*endpoints, template="TokenTextOnly", tokens=("Emne", "Tekst"), **fields):
    """A notification of a correspondence: its reportee is filled in by the insert."""
    return request(None, *endpoints, template=template, tokens=tokens, **fields)


# -- validation -------------------------------------------------------------------------------------------

# Each fault, in the order they are reported: with all faults from step i on, the code of step i comes back.
FAULTS = [
    ({"system_user_code": None}, 40008),
    ({"senders_reference": None}, 40005),
    ({"service_code": None}, 40006),
    ({"service_edition": "ti"}, 40013),
    ({"reportee": None}, 40007),
    ({"language": "1083"}, 40001),
    ({"title": ""}, 40003),
    ({"summary": None}, 40004),
    ({"body": ""}, 40002),
    ({"on_behalf_of": "12345"}, 0),
    ({"case_id": 17}, 60001),
    ({"notifications": [notice("SMS")]}, 30301),  # Kari has no mobile number
]


class TestValidationOrder:
    @pytest.mark.parametrize("step", range(len(FAULTS)), ids=[str(code) for _, code in FAULTS])
    def test_faults_are_reported_in_order(self, emulator, step):
        overrides = {"reportee": KARI}
        for fields, _ in FAULTS[step:]:
            overrides.update(fields)
        error = insert_fails(emulator, correspondence(**overrides))
        assert error.error_id == FAULTS[step][1]
        assert nothing_stored(emulator)

    def test_service_faults_come_in_order_40013_40019_5(self, emulator):
        ett = system_caller(emulator, "ett-system")
        assert insert_fails(emulator, correspondence(service=("nope", "1"), system_user_code="ETT"),
                            caller=ett).error_id == 40013
        assert insert_fails(emulator, correspondence(service=TTD_FORM, system_user_code="ETT"),
                            caller=ett).error_id == 40019
        assert insert_fails(emulator, correspondence(service=TTD_MESSAGE, system_user_code="ETT"),
                            caller=ett).error_id == 5

    def test_service_is_checked_before_the_reportee(self, emulator):
        assert insert_fails(emulator, correspondence(None, service=ETT_MESSAGE)).error_id == 5

    def test_reportee_is_checked_before_the_content(self, emulator):
        assert insert_fails(emulator, correspondence(HEMMELIG, language=None)).error_id == 40011
        assert insert_fails(emulator, correspondence("12345678901", language=None)).error_id == 40016


class TestSystemUserCode:
    @pytest.mark.parametrize("code", ["TTD", "TTD_X", "TTD-X", "ttd_x", "Ttd-123", "TTD_"])
    def test_accepted_forms(self, emulator, code):
        insert(emulator, correspondence(system_user_code=code))
        assert stored(emulator)[0].system_user_code == code

    @pytest.mark.parametrize("code", [None, "", "ETT", "ETT_X", "TTDX", "TT", "X_TTD", "TTD X", "TTD.X"])
    def test_rejected(self, emulator, code):
        assert insert_fails(emulator, correspondence(system_user_code=code)).error_id == 40008
        assert nothing_stored(emulator)

    def test_the_system_prefix_rules(self, emulator):
        emulator.catalog.put_system(AgencySystem("abc-system", "abc-password", "TTD", system_user_code_prefix="ABC"))
        caller = system_caller(emulator, "abc-system")
        insert(emulator, correspondence(system_user_code="ABC-123"), caller=caller)
        assert stored(emulator)[0].system_user_code == "ABC-123"
        assert stored(emulator)[0].system == "abc-system"
        assert insert_fails(emulator, correspondence(system_user_code="TTD_1"), caller=caller).error_id == 40008

    def test_aec_without_a_code_uses_the_owner_code(self, emulator):
        receipt = insert(emulator, correspondence(system_user_code=None), caller=owner_caller(emulator),
                         system_user_code_required=False)
        (saved,) = stored(emulator)
        assert (saved.system_user_code, saved.system, saved.owner) == ("TTD", None, "TTD")
        assert receipt.references == (Reference("ExternalShipmentReference", "ref-1"),
                                      Reference("OwnerPartyReference", TTD_ORGNO))

    def test_aec_with_a_code_still_checks_it(self, emulator):
        caller = owner_caller(emulator)
        insert(emulator, correspondence(system_user_code="ttd-aec"), caller=caller, system_user_code_required=False)
        assert stored(emulator)[0].system_user_code == "ttd-aec"
        error = insert_fails(emulator, correspondence(system_user_code="ETT_1"), caller=caller,
                             system_user_code_required=False)
        assert error.error_id == 40008

    def test_required_by_default_even_for_aec(self, emulator):
        assert insert_fails(emulator, correspondence(system_user_code=None),
                            caller=owner_caller(emulator)).error_id == 40008


class TestFieldValidation:
    @pytest.mark.parametrize("reference", [None, ""])
    def test_external_shipment_reference(self, emulator, reference):
        assert insert_fails(emulator, correspondence(reference=reference)).error_id == 40005

    @pytest.mark.parametrize("code", [None, ""])
    def test_service_code(self, emulator, code):
        assert insert_fails(emulator, correspondence(service=(code, "1"))).error_id == 40006

    @pytest.mark.parametrize("service", [("5678", "2"), ("0000", "1"), ("5678", None), ("5678", ""),
                                         ("5678", "1a"), ("5678", "ti"), ("5678", "2147483648"),
                                         ("5678", "99999999999999999999999")])  # beyond an Int32
    def test_unknown_service_or_bad_edition(self, emulator, service):
        assert insert_fails(emulator, correspondence(service=service)).error_id == 40013

    @pytest.mark.parametrize("edition", ["1", " 1 ", 1])
    def test_edition_as_text_or_number(self, emulator, edition):
        insert(emulator, correspondence(service=("5678", edition)))
        assert stored(emulator)[0].service_edition == 1

    def test_not_a_correspondence_service(self, emulator):
        assert insert_fails(emulator, correspondence(service=TTD_FORM)).error_id == 40019

    def test_the_asf_template_is_not_a_correspondence_service(self, emulator):
        assert insert_fails(emulator, correspondence(service=("2000", "1"))).error_id == 40019

    def test_another_owners_service(self, emulator):
        assert insert_fails(emulator, correspondence(service=ETT_MESSAGE)).error_id == 5

    @pytest.mark.parametrize("reportee", [None, ""])
    def test_reportee_missing(self, emulator, reportee):
        assert insert_fails(emulator, correspondence(reportee)).error_id == 40007

    def test_invalid_national_id(self, emulator):
        assert insert_fails(emulator, correspondence("23917710121")).error_id == 40016

    @pytest.mark.parametrize("reportee", [UNREGISTERED, UNREGISTERED_ORG, "310003019", "nobody", SELF_REGISTERED])
    def test_no_person_or_organisation(self, emulator, reportee):
        assert insert_fails(emulator, correspondence(reportee)).error_id == 60012

    def test_strictly_confidential_address(self, emulator):
        assert insert_fails(emulator, correspondence(HEMMELIG)).error_id == 40011

    @pytest.mark.parametrize("language", [None, "", "1083", "0", "nb", "10 44"])
    def test_language(self, emulator, language):
        assert insert_fails(emulator, correspondence(language=language)).error_id == 40001

    @pytest.mark.parametrize("language", ["1033", "1044", "2068", " 2068 ", 1033])
    def test_valid_languages(self, emulator, language):
        insert(emulator, correspondence(language=language))
        assert stored(emulator)[0].language == str(language).strip()

    @pytest.mark.parametrize("field, code", [("title", 40003), ("summary", 40004), ("body", 40002)])
    @pytest.mark.parametrize("value", [None, ""])
    def test_content(self, emulator, field, code, value):
        assert insert_fails(emulator, correspondence(**{field: value})).error_id == code

    @pytest.mark.parametrize("orgno", ["12345", "310003019", "abcdefghi", "3100030181"])
    def test_invalid_on_behalf_of(self, emulator, orgno):
        assert insert_fails(emulator, correspondence(on_behalf_of=orgno)).error_id == 0

    @pytest.mark.parametrize("case_id", [0, 1, 12345])
    def test_case_id(self, emulator, case_id):
        assert insert_fails(emulator, correspondence(case_id=case_id)).error_id == 60001
        assert nothing_stored(emulator)


# -- what is stored -------------------------------------------------------------------------------------------

class TestStored:
    def test_defaults(self, emulator):
        insert(emulator, correspondence())
        (saved,) = stored(emulator)
        assert saved.allow_forwarding is True
        assert saved.visible_at == NOW
        assert saved.message_sender == "Testdepartementet"
        assert saved.is_reservable is False
        assert saved.on_behalf_of is None
        assert saved.allow_system_delete_at is None and saved.due_at is None
        assert saved.status_changes == (StatusChange(CorrespondenceStatus.CREATED, NOW),)
        assert saved.status is CorrespondenceStatus.CREATED
        assert saved.created_at == NOW

    def test_allow_forwarding_false_is_kept(self, emulator):
        insert(emulator, correspondence(allow_forwarding=False))
        assert stored(emulator)[0].allow_forwarding is False

    def test_on_behalf_of_names_the_sender(self, emulator):
        insert(emulator, correspondence(on_behalf_of=ORG))
        assert (stored(emulator)[0].message_sender, stored(emulator)[0].on_behalf_of) == ("Eksempel AS", ORG)

    def test_message_sender_wins(self, emulator):
        insert(emulator, correspondence(on_behalf_of=ORG, message_sender="Kommunen"))
        assert stored(emulator)[0].message_sender == "Kommunen"

    def test_empty_message_sender_is_the_default(self, emulator):
        insert(emulator, correspondence(message_sender=""))
        assert stored(emulator)[0].message_sender == "Testdepartementet"

    def test_on_behalf_of_an_unregistered_organisation(self, emulator):
        insert(emulator, correspondence(on_behalf_of=UNREGISTERED_ORG))
        assert stored(emulator)[0].message_sender == "Testdepartementet"
        assert stored(emulator)[0].on_behalf_of == UNREGISTERED_ORG

    def test_empty_on_behalf_of_is_none(self, emulator):
        insert(emulator, correspondence(on_behalf_of=""))
        assert stored(emulator)[0].message_sender == "Testdepartementet"

    def test_everything_is_stored(self, emulator):
        visible = datetime(2026, 3, 5, 8, 0, tzinfo=timezone.utc)
        delete = datetime(2027, 1, 1, 0, 0, tzinfo=timezone.utc)
        due = datetime(2026, 4, 1, 12, 0, tzinfo=timezone.utc)
        binaries = [pdf("vedtak.pdf", b"\x00\x01binary\xff", name="Vedtak", function_type="Invoice",
                        destination_type="PortalOnly", encrypted=True, senders_reference="att-1"),
                    pdf("vedlegg.txt", b"tekst")]
        xml = [XmlAttachment("<skjema><a>1</a></skjema>", senders_reference="x-1", data_format_id="5703",
                             data_format_version=34553, logical_form_in_form_set_id=2)]
        replies = [ReplyOption(service_code="5679", service_edition="1"), ReplyOption(archive_reference="AR123"),
                   ReplyOption(link_text="Les mer", link_url="https://example.no")]
        req = correspondence(ORG, service=TTD_DPV, reference="sak-42", system_user_code="TTD_SAK", language="2068",
                             title="T", summary="S", body="<p>B</p>", custom_message_data='<add key="k" value="v"/>',
                             binary_attachments=binaries, xml_attachments=xml, visible_at=visible,
                             allow_system_delete_at=delete, due_at=due, archive_reference="AR-1",
                             reply_options=replies, allow_forwarding=False, message_sender="Avsender",
                             is_reservable=True, on_behalf_of=ORG_EMAIL)
        receipt = insert(emulator, req)
        (saved,) = stored(emulator)
        assert saved == emulator.correspondence_store.get_correspondence(saved.id)
        assert (saved.id, saved.owner, saved.service_code, saved.service_edition) == (1, "TTD", "4255", 10)
        assert (saved.reportee, saved.senders_reference) == (ORG, "sak-42")
        assert (saved.system, saved.system_user_code) == ("ttd-system", "TTD_SAK")
        assert (saved.language, saved.title, saved.summary, saved.body) == ("2068", "T", "S", "<p>B</p>")
        assert saved.custom_message_data == '<add key="k" value="v"/>'
        assert saved.binary_attachments == tuple(binaries)
        assert saved.binary_attachments[0].data == b"\x00\x01binary\xff"
        assert saved.xml_attachments == tuple(xml)
        assert saved.reply_options == tuple(replies)
        assert (saved.visible_at, saved.allow_system_delete_at, saved.due_at) == (visible, delete, due)
        assert saved.archive_reference == "AR-1"
        assert saved.allow_forwarding is False
        assert saved.message_sender == "Avsender"
        assert saved.is_reservable is True
        assert saved.on_behalf_of == ORG_EMAIL
        assert saved.receipt_id == receipt.id
        assert saved.origin == origin_of(saved.id) == "correspondence:1"

    def test_naive_dates_are_norwegian_local_time(self, emulator):
        insert(emulator, correspondence(visible_at=datetime(2026, 6, 1, 12, 0), due_at=datetime(2026, 1, 10, 8, 0),
                                        allow_system_delete_at=datetime(2027, 1, 1)))
        saved = stored(emulator)[0]
        assert saved.visible_at == datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)  # summer time
        assert saved.due_at == datetime(2026, 1, 10, 7, 0, tzinfo=timezone.utc)
        assert saved.allow_system_delete_at == datetime(2027, 1, 1, tzinfo=ALTINN_TZ)

    def test_ids_are_consecutive_and_references_may_repeat(self, emulator):
        first = insert(emulator, correspondence())
        second = insert(emulator, correspondence())  # the SO keeps references unique; Altinn does not check
        assert [c.id for c in stored(emulator)] == [1, 2]
        assert [c.receipt_id for c in stored(emulator)] == [first.id, second.id] == [1, 2]

    def test_organisation_and_person_reportees(self, emulator):
        insert(emulator, correspondence(ORG))
        insert(emulator, correspondence(DAGNY))
        assert [c.reportee for c in stored(emulator)] == [ORG, DAGNY]


# -- the receipt ---------------------------------------------------------------------------------------------

class TestReceipt:
    def test_receipt(self, emulator, clock):
        clock.advance(timedelta(minutes=3))
        receipt = insert(emulator, correspondence(reference="ESR-1"))
        assert receipt.status is ReceiptStatus.OK
        assert receipt.text == SAVED == "Correspondence Saved Successfully"
        assert receipt.type == "Correspondence"
        assert receipt.parent_id == 0
        assert receipt.sub_receipts == ()
        assert receipt.references == (Reference("ExternalShipmentReference", "ESR-1"),
                                      Reference("OwnerPartyReference", TTD_ORGNO))
        assert receipt.last_changed == NOW + timedelta(minutes=3)
        assert receipt.history == "Mar  2 2026 10:03AM - OK - Correspondence Saved Successfully"

    def test_the_receipt_is_stored_and_can_be_found(self, emulator):
        receipt = insert(emulator, correspondence(reference="ESR-2"))
        caller = system_caller(emulator)
        assert emulator.receipts.get(caller, None, [Reference("ExternalShipmentReference", "ESR-2")]) == receipt
        assert emulator.receipts.get(caller, receipt.id, []) == receipt

    def test_the_owner_of_the_service_owns_the_receipt(self, emulator):
        receipt = insert(emulator, correspondence(service=ETT_MESSAGE, system_user_code="ETT"),
                         caller=system_caller(emulator, "ett-system"))
        assert receipt.owner_party == "310002003"
        with pytest.raises(AltinnError) as caught:
            emulator.receipts.get(system_caller(emulator), receipt.id, [])
        assert caught.value.error_id == 30008


# -- notifications -------------------------------------------------------------------------------------------

class TestNotifications:
    def test_rendered_into_the_outbox(self, emulator):
        insert(emulator, correspondence(OLA, notifications=[notice("Email", "SMS")]))
        messages = emulator.outbox.list_messages()
        assert [(m.channel, m.address) for m in messages] == [(Channel.EMAIL, "ola.nordmann@example.no"),
                                                              (Channel.SMS, "+4791234567")]
        assert {m.origin for m in messages} == {"correspondence:1"}
        assert {m.reportee for m in messages} == {OLA}
        assert {m.service_owner for m in messages} == {"TTD"}
        assert (messages[0].subject, messages[0].body, messages[1].body) == ("Emne", "Tekst", "Emne")
        assert all(m.scheduled_at == NOW and m.created_at == NOW for m in messages)

    def test_the_reportee_is_always_the_correspondences(self, emulator):
        insert(emulator, correspondence(KARI, notifications=[request(OLA, "Email", template="TokenTextOnly",
                                                                     tokens=["a", "b"])]))
        (message,) = emulator.outbox.list_messages()
        assert (message.reportee, message.address) == (KARI, "kari.nordmann@example.no")

    def test_each_notification_gets_an_id(self, emulator):
        insert(emulator, correspondence(OLA, notifications=[notice("Email"), notice("SMS")]))
        insert(emulator, correspondence(OLA, notifications=[notice("Email")]))
        assert [m.notification_id for m in emulator.outbox.list_messages()] == [1, 2, 3]
        assert [m.origin for m in emulator.outbox.list_messages()] == ["correspondence:1"] * 2 + ["correspondence:2"]

    def test_none(self, emulator):
        insert(emulator, correspondence())
        assert emulator.outbox.list_messages() == []

    def test_both_means_where_possible(self, emulator):
        insert(emulator, correspondence(KARI, notifications=[notice("Both")]))
        assert [(m.channel, m.address) for m in emulator.outbox.list_messages()] == \
            [(Channel.EMAIL, "kari.nordmann@example.no")]

    def test_unlike_standalone(self, emulator):
        with pytest.raises(AltinnError) as caught:
            emulator.standalone_notifications.send(owner_caller(emulator), [request(KARI, "Both",
                                                   template="TokenTextOnly", tokens=["a", "b"])],
                                                   allow_priority_transport=False)
        assert caught.value.error_id == 30309

    def test_both_with_no_address_at_all(self, emulator):
        assert insert_fails(emulator, correspondence(LISE, notifications=[notice("Both")])).error_id == 30309
        assert nothing_stored(emulator)

    def test_priority_transport_only_when_allowed(self, emulator):
        req = correspondence(OLA, notifications=[notice("PriorityEmailSMSReminder", template="VarselDPVMedRevarsel",
                                                        tokens=["TTD"])])
        assert insert_fails(emulator, req).error_id == 40015
        assert nothing_stored(emulator)
        insert(emulator, req, allow_priority_transport=True)
        first, reminder = emulator.outbox.list_messages()
        assert (first.channel, first.is_reminder, first.scheduled_at) == (Channel.EMAIL, False, NOW)
        assert (reminder.channel, reminder.is_reminder) == (Channel.SMS, True)
        assert reminder.scheduled_at == NOW + timedelta(days=7)

    def test_reminders_are_scheduled(self, emulator):
        insert(emulator, correspondence(ORG, notifications=[notice("Email", template="VarselDPVMedRevarsel",
                                                                   tokens=["Testdepartementet"])]))
        first, reminder = emulator.outbox.list_messages()
        assert (first.is_reminder, reminder.is_reminder) == (False, True)
        assert reminder.scheduled_at == NOW + timedelta(days=7)
        assert first.body == ("Eksempel AS har mottatt en melding fra Testdepartementet i Altinn. "
                              "Logg inn på altinn.no for å lese den.")

    def test_shipment_time(self, emulator):
        later = NOW + timedelta(days=2)
        insert(emulator, correspondence(OLA, notifications=[notice("Email", shipment_time=later)]))
        assert emulator.outbox.list_messages()[0].scheduled_at == later

    @pytest.mark.parametrize("language, name", [(1044, "Melding fra Testdepartementet"),
                                                (1033, "Message from the Test Ministry")])
    def test_servicename_is_the_correspondences_service(self, emulator, language, name):
        insert(emulator, correspondence(OLA, notifications=[notice("Email", tokens=["Om $servicename$", "x"],
                                                                   language=language)]))
        assert emulator.outbox.list_messages()[0].subject == f"Om {name}"

    def test_servicename_even_when_the_notification_names_another_service(self, emulator):
        insert(emulator, correspondence(ORG, notifications=[notice("Email", tokens=["$servicename$", "x"],
                                                                   service=ServiceRef("4255", 10))]))
        messages = emulator.outbox.list_messages()
        assert {m.subject for m in messages} == {"Melding fra Testdepartementet"}
        # the notification's Service still picks the organisation's contact persons
        assert {m.address for m in messages} == {"post@eksempel.example", "siri@eksempel.example"}

    def test_a_notification_error_is_reported_with_its_code(self, emulator):
        assert insert_fails(emulator, correspondence(notifications=[notice("Email",
                                                                           template="Nope")])).error_id == 0
        assert insert_fails(emulator, correspondence(notifications=[notice("IM")])).error_id == 40015
        assert insert_fails(emulator, correspondence(notifications=[notice(("Email", "not-an-address"))])
                            ).error_id == 30010
        assert nothing_stored(emulator)

    def test_a_failing_notification_stores_nothing(self, emulator):
        req = correspondence(KARI, notifications=[notice("Email"), notice("SMS")])  # Kari has no mobile
        assert insert_fails(emulator, req).error_id == 30301
        assert nothing_stored(emulator)
        # and leaves no gap: the next insert gets the first ids
        receipt = insert(emulator, correspondence(KARI, notifications=[notice("Email")]))
        assert receipt.id == 1
        assert stored(emulator)[0].id == 1
        assert emulator.outbox.list_messages()[0].notification_id == 1


class TestReservation:
    def test_reserved_person_and_reservable(self, emulator, clock):
        receipt = insert(emulator, correspondence(PER, is_reservable=True, notifications=[notice("Email", "SMS")]))
        (saved,) = stored(emulator)
        assert saved.status_changes == (StatusChange(CorrespondenceStatus.CREATED, NOW),
                                        StatusChange(CorrespondenceStatus.RESERVED, NOW))
        assert saved.status is CorrespondenceStatus.RESERVED
        assert emulator.outbox.list_messages() == []
        assert (receipt.status, receipt.text) == (ReceiptStatus.OK, SAVED)

    def test_reserved_notifications_are_still_validated(self, emulator):
        req = correspondence(PER, is_reservable=True, notifications=[notice("Email", template="Nope")])
        assert insert_fails(emulator, req).error_id == 0
        assert nothing_stored(emulator)

    @pytest.mark.parametrize("reservable", [None, False])
    def test_reserved_person_not_reservable(self, emulator, reservable):
        insert(emulator, correspondence(PER, is_reservable=reservable, notifications=[notice("Email")]))
        assert stored(emulator)[0].status is CorrespondenceStatus.CREATED
        assert [m.address for m in emulator.outbox.list_messages()] == ["per.reservert@example.no"]

    @pytest.mark.parametrize("reportee", [OLA, ORG])
    def test_reservable_but_not_reserved(self, emulator, reportee):
        insert(emulator, correspondence(reportee, is_reservable=True, notifications=[notice("Email")]))
        assert stored(emulator)[0].status is CorrespondenceStatus.CREATED
        assert len(emulator.outbox.list_messages(OutboxFilter(origin="correspondence:1"))) >= 1


def test_insert_returns_what_get_returns(emulator):
    receipt = insert(emulator, correspondence())
    assert receipt == emulator.receipts.get(system_caller(emulator), receipt.id, [])
    assert replace(receipt, sub_receipts=()) == emulator.receipt_store.get_receipt(receipt.id)
