"""Digital post to citizens (SDP/DPI) through InsertCorrespondence (docs/behaviour/correspondence.md, SdpOptions; decisions D7, D11)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.services.correspondence.rules import SAVED, CorrespondenceSettings
from altinn_so.services.correspondence.rules.model import (CorrespondenceStatus, SdpEvent, SdpNotice, SdpRequest,
                                                           SdpShipment, SdpStatus, StatusFilter)
from altinn_so.domain.errors import AltinnError
from altinn_so.domain.receipts import ReceiptStatus, Reference

from .factories import (DAGNY, KARI, LISE, NOW, OLA, ORG, PER, TTD_ORGNO, correspondence, pdf, request,
                        system_caller)


FORWARDED = "Correspondence forwarded as digital post; no Altinn message was created."
REJECTED = "Correspondence Rejected: the reportee cannot receive digital post and BackupAltinn is false."
LETTER_SENT = "Letter sent to the reportee's digital mailbox (digipost)."
NO_MAILBOX = "No letter was sent: the reportee has no digital mailbox."
RESERVED = "No letter was sent: the reportee is reserved against digital communication (KRR)."


def options(setting="CopyAltinn", primary="brev.pdf", **fields) -> SdpRequest:
    return SdpRequest(setting=setting, primary_document=primary, **fields)


def letter(reportee=OLA, *, attachments=None, reference="ref-1", **sdp_fields):
    """A valid InsertCorrespondence with SdpOptions; ``sdp_fields`` go to the SdpOptions."""
    return correspondence(reportee, reference=reference,
                          binary_attachments=[pdf()] if attachments is None else attachments,
                          sdp=options(**sdp_fields))


def insert(emulator, req, **kwargs):
    return emulator.correspondence.insert(system_caller(emulator), req, **kwargs)


def insert_fails(emulator, req) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        insert(emulator, req)
    return caught.value


def shipments(emulator) -> list[SdpShipment]:
    return emulator.correspondence_store.find_sdp("TTD")


def nothing_stored(emulator) -> bool:
    return (shipments(emulator) == [] and emulator.correspondence_store.list_correspondences() == []
            and emulator.receipt_store.list_receipts() == [] and emulator.outbox.list_messages() == [])


# -- validation ------------------------------------------------------------------------------------------

class TestValidation:
    @pytest.mark.parametrize("reportee", [ORG])
    def test_persons_only(self, emulator, reportee):
        assert insert_fails(emulator, letter(reportee)).error_id == 0
        assert nothing_stored(emulator)

    @pytest.mark.parametrize("setting", [None, "", "Copy", "copyaltinn", "BackupAltinn"])
    def test_setting_is_required(self, emulator, setting):
        assert insert_fails(emulator, letter(setting=setting)).error_id == 0

    def test_at_least_one_binary_attachment(self, emulator):
        assert insert_fails(emulator, letter(attachments=[])).error_id == 0

    @pytest.mark.parametrize("primary", [None, "", "annet.pdf", "BREV.PDF", "brev"])
    def test_primary_document_must_match_an_attachment(self, emulator, primary):
        assert insert_fails(emulator, letter(primary=primary)).error_id == 0

    def test_primary_document_may_be_any_attachment(self, emulator):
        insert(emulator, letter(attachments=[pdf("vedlegg.pdf"), pdf("brev.pdf")], primary="brev.pdf"))
        assert shipments(emulator)[0].primary_document == "brev.pdf"

    @pytest.mark.parametrize("channel, limit", [("email", 500), ("sms", 700)])
    def test_notification_text_limits(self, emulator, channel, limit):
        assert insert_fails(emulator, letter(**{channel: SdpNotice("x" * (limit + 1), None)})).error_id == 0
        assert insert_fails(emulator, letter(**{channel: SdpNotice("", None)})).error_id == 0
        assert insert_fails(emulator, letter(**{channel: SdpNotice(None, None)})).error_id == 0
        assert nothing_stored(emulator)
        insert(emulator, letter(**{channel: SdpNotice("x" * limit, None)}))
        assert len(shipments(emulator)) == 1

    @pytest.mark.parametrize("days", [(-1,), (26,), (0, 5, 30)])
    def test_days_delayed_out_of_range(self, emulator, days):
        assert insert_fails(emulator, letter(email=SdpNotice("Du har post", None, days))).error_id == 0

    def test_days_delayed_in_range(self, emulator):
        insert(emulator, letter(email=SdpNotice("Du har post", None, (0, 7, 25)),
                                sms=SdpNotice("Post", None, ())))
        assert shipments(emulator)[0].notices == (("Email", "ola.nordmann@example.no", (0, 7, 25)),
                                                  ("SMS", "+4791234567", ()))

    def test_given_addresses_are_used(self, emulator):
        insert(emulator, letter(LISE, email=SdpNotice("Post", "lise@example.no", (1,)),
                                sms=SdpNotice("Post", "+4799999999", (2,))))
        assert shipments(emulator)[0].notices == (("Email", "lise@example.no", (1,)), ("SMS", "+4799999999", (2,)))

    @pytest.mark.parametrize("reportee, channel, code", [(KARI, "sms", 30301), (LISE, "email", 30306),
                                                         (DAGNY, "email", 30306), (LISE, "sms", 30301)])
    def test_no_address_given_and_none_in_krr(self, emulator, reportee, channel, code):
        assert insert_fails(emulator, letter(reportee, **{channel: SdpNotice("Post", None)})).error_id == code
        assert nothing_stored(emulator)

    def test_invalid_addresses(self, emulator):
        assert insert_fails(emulator, letter(email=SdpNotice("Post", "ikke-epost"))).error_id == 30010
        assert insert_fails(emulator, letter(sms=SdpNotice("Post", "12345"))).error_id == 30303

    def test_checked_after_the_correspondence_itself(self, emulator):
        req = letter(ORG, setting=None, attachments=[])
        req.title = ""
        assert insert_fails(emulator, req).error_id == 40003

    def test_checked_in_order(self, emulator):
        assert insert_fails(emulator, letter(ORG, setting=None)).error_id == 0  # persons first
        with pytest.raises(AltinnError, match="SdpSetting"):
            insert(emulator, letter(setting=None, attachments=[]))
        with pytest.raises(AltinnError, match="at least one binary attachment"):
            insert(emulator, letter(attachments=[], primary=None))
        with pytest.raises(AltinnError, match="PrimaryDocumentFileName"):
            insert(emulator, letter(primary="x.pdf", email=SdpNotice("", None)))


# -- outcomes -------------------------------------------------------------------------------------------------

# (reportee, setting, BackupAltinn) -> (Altinn message?, main receipt status, main text, sub-receipt text, event)
OUTCOMES = [
    (OLA, "CopyAltinn", None, True, ReceiptStatus.OK, SAVED, LETTER_SENT, SdpStatus.SENT),
    (OLA, "CopyAltinn", True, True, ReceiptStatus.OK, SAVED, LETTER_SENT, SdpStatus.SENT),
    (OLA, "CopyAltinn", False, True, ReceiptStatus.OK, SAVED, LETTER_SENT, SdpStatus.SENT),
    (OLA, "ForwardOnly", None, False, ReceiptStatus.OK, FORWARDED, LETTER_SENT, SdpStatus.SENT),
    (OLA, "ForwardOnly", True, False, ReceiptStatus.OK, FORWARDED, LETTER_SENT, SdpStatus.SENT),
    (OLA, "ForwardOnly", False, False, ReceiptStatus.OK, FORWARDED, LETTER_SENT, SdpStatus.SENT),
    (KARI, "CopyAltinn", None, True, ReceiptStatus.OK, SAVED, NO_MAILBOX, SdpStatus.NO_MAILBOX),
    (KARI, "CopyAltinn", True, True, ReceiptStatus.OK, SAVED, NO_MAILBOX, SdpStatus.NO_MAILBOX),
    (KARI, "CopyAltinn", False, True, ReceiptStatus.OK, SAVED, NO_MAILBOX, SdpStatus.NO_MAILBOX),
    (KARI, "ForwardOnly", None, True, ReceiptStatus.OK, SAVED, NO_MAILBOX, SdpStatus.NO_MAILBOX),
    (KARI, "ForwardOnly", True, True, ReceiptStatus.OK, SAVED, NO_MAILBOX, SdpStatus.NO_MAILBOX),
    (KARI, "ForwardOnly", False, False, ReceiptStatus.REJECTED, REJECTED, NO_MAILBOX, SdpStatus.NO_MAILBOX),
    (PER, "CopyAltinn", None, True, ReceiptStatus.OK, SAVED, RESERVED, SdpStatus.RESERVED),
    (PER, "CopyAltinn", True, True, ReceiptStatus.OK, SAVED, RESERVED, SdpStatus.RESERVED),
    (PER, "CopyAltinn", False, True, ReceiptStatus.OK, SAVED, RESERVED, SdpStatus.RESERVED),
    (PER, "ForwardOnly", None, True, ReceiptStatus.OK, SAVED, RESERVED, SdpStatus.RESERVED),
    (PER, "ForwardOnly", True, True, ReceiptStatus.OK, SAVED, RESERVED, SdpStatus.RESERVED),
    (PER, "ForwardOnly", False, False, ReceiptStatus.REJECTED, REJECTED, RESERVED, SdpStatus.RESERVED),
]


class TestOutcomes:
    @pytest.mark.parametrize("reportee, setting, backup, creates, status, text, sub_text, event", OUTCOMES,
                             ids=[f"{r[:4]}-{s}-{b}" for r, s, b, *_ in OUTCOMES])
    def test_outcome(self, emulator, reportee, setting, backup, creates, status, text, sub_text, event):
        receipt = insert(emulator, letter(reportee, setting=setting, backup_altinn=backup, reference="L-1"))
        (shipment,) = shipments(emulator)
        altinn = emulator.correspondence_store.list_correspondences()
        assert bool(altinn) is creates
        assert (receipt.status, receipt.text, receipt.type) == (status, text, "Correspondence")
        assert receipt.references == (Reference("ExternalShipmentReference", "L-1"),
                                      Reference("OwnerPartyReference", TTD_ORGNO))
        (sub,) = receipt.sub_receipts
        letter_status = ReceiptStatus.OK if event is SdpStatus.SENT else ReceiptStatus.REJECTED
        assert (sub.status, sub.text, sub.parent_id, sub.type) == (letter_status, sub_text, receipt.id,
                                                                   "Correspondence")
        # Only the owner reference: a lookup by the shipment reference must find the main receipt.
        assert sub.references == (Reference("OwnerPartyReference", TTD_ORGNO),)
        assert shipment.events[0] == SdpEvent(event, NOW)
        assert shipment.setting == setting
        if creates:
            (message,) = altinn
            assert shipment.correspondence_id == message.id
            assert message.receipt_id == receipt.id
        else:
            assert shipment.correspondence_id is None

    def test_the_shipment(self, emulator):
        insert(emulator, letter(OLA, reference="L-9", title="Vedtak", not_sensitive_title="Brev",
                                email=SdpNotice("Du har fått brev", None, (3,))))
        (shipment,) = shipments(emulator)
        assert (shipment.id, shipment.owner, shipment.service_code, shipment.service_edition) == (1, "TTD", "5678", 1)
        assert (shipment.reportee, shipment.reference, shipment.created_at) == (OLA, "L-9", NOW)
        assert (shipment.primary_document, shipment.title) == ("brev.pdf", "Vedtak")
        assert shipment.notices == (("Email", "ola.nordmann@example.no", (3,)),)
        assert shipment.events == (SdpEvent(SdpStatus.SENT, NOW),
                                   SdpEvent(SdpStatus.DELIVERED, NOW + timedelta(minutes=1)))

    def test_reservable_copy_to_a_reserved_person_is_reserved(self, emulator):
        req = letter(PER)
        req.is_reservable = True
        insert(emulator, req)
        (message,) = emulator.correspondence_store.list_correspondences()
        assert message.status is CorrespondenceStatus.RESERVED

    def test_no_altinn_message_means_no_message_notifications(self, emulator):
        req = letter(OLA, setting="ForwardOnly")
        req.notifications = [request(None, "Email", template="TokenTextOnly", tokens=["a", "b"])]
        insert(emulator, req)
        assert emulator.outbox.list_messages() == []

    def test_a_copy_notifies_as_usual(self, emulator):
        req = letter(OLA)
        req.notifications = [request(None, "Email", template="TokenTextOnly", tokens=["a", "b"])]
        insert(emulator, req)
        assert [m.origin for m in emulator.outbox.list_messages()] == ["correspondence:1"]

    def test_receipt_and_shipment_ids_continue(self, emulator):
        insert(emulator, letter(OLA, reference="L-1"))
        second = insert(emulator, letter(OLA, setting="ForwardOnly", reference="L-2"))
        assert [s.id for s in shipments(emulator)] == [1, 2]
        assert (second.id, second.sub_receipts[0].id) == (3, 4)


# -- events as time passes ---------------------------------------------------------------------------------

class TestEvents:
    def test_delivered_after_the_delivery_delay(self, clock, emulator_with):
        emulator = emulator_with(service_settings={"correspondence": CorrespondenceSettings(sdp_delivery_delay=timedelta(hours=1))})
        try:
            insert(emulator, letter(OLA, reference="L"))
            caller = system_caller(emulator)

            def statuses():
                result = emulator.correspondence.status_details(
                    caller, StatusFilter(service_code="5678", service_edition=1, sdp=False))
                ((_, events),) = result.sdp
                return [(e.status, e.at) for e in events]

            assert statuses() == [(SdpStatus.SENT, NOW)]
            clock.advance(timedelta(minutes=59, seconds=59))
            assert statuses() == [(SdpStatus.SENT, NOW)]
            clock.advance(timedelta(seconds=1))
            assert statuses() == [(SdpStatus.SENT, NOW), (SdpStatus.DELIVERED, NOW + timedelta(hours=1))]
            ((_, events),) = emulator.correspondence.status_history(caller, ["L"]).sdp
            assert [e.status for e in events] == [SdpStatus.SENT, SdpStatus.DELIVERED]
        finally:
            emulator.close()

    def test_history_is_what_has_happened(self):
        shipment = SdpShipment(id=1, owner="TTD", service_code="5678", service_edition=1, reportee=OLA,
                               reference="L", created_at=NOW, setting="CopyAltinn", primary_document="brev.pdf",
                               events=(SdpEvent(SdpStatus.SENT, NOW),
                                       SdpEvent(SdpStatus.DELIVERED, NOW + timedelta(minutes=1))))
        assert shipment.history(NOW - timedelta(seconds=1)) == []
        assert shipment.history(NOW) == [SdpEvent(SdpStatus.SENT, NOW)]
        assert shipment.history(NOW + timedelta(minutes=1)) == list(shipment.events)

    def test_no_mailbox_and_reserved_never_change(self, emulator, clock):
        insert(emulator, letter(KARI, reference="K"))
        insert(emulator, letter(PER, reference="P"))
        clock.advance(timedelta(days=30))
        result = emulator.correspondence.status_history(system_caller(emulator), ["K", "P"])
        assert [[e.status for e in events] for _, events in result.sdp] == [[SdpStatus.NO_MAILBOX],
                                                                           [SdpStatus.RESERVED]]
