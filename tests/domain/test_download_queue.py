"""The download queue (docs/behaviour/download-queue.md; decisions D53-D62): what is queued, the listing (owner,
filter, oldest first, the cap), purging and its errors, the archived form task as downloaded (namespaces,
attachments, approvers, metadata), the shipment status log, the PDF and the encryption of an encrypted service."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from pypdf import PdfReader

from altinn_so.certs import generate_certificates
from altinn_so.domain.archive import ORGANISATION, PERSON, SELF_REGISTERED_USER, SENT
from altinn_so.domain.catalog import Service
from altinn_so.domain.clock import local_time
from altinn_so.domain.errors import AltinnError
from altinn_so.domain.values import evolve
from altinn_so.encryption import unseal
from altinn_so.services.download_queue import DownloadQueueSettings
from altinn_so.services.download_queue.rules import MAX_INLINE_ATTACHMENT_BYTES, MAX_ITEMS, DownloadQueueItem
from altinn_so.services.prefill.rules import PrefillFormRequest

from support.archived import INFOPATH_XML, archived_task, attachment

from .factories import OLA, ORG, SELF_REGISTERED, system_caller

REPORT = ("5680", 1, "5704", 34302)  # shipment metadata Saksnummer, Periode; a sub-form 5705
VALID_REPORT = ('<Skjema skjemanummer="5704"><Rapportor><Organisasjonsnummer>310003018</Organisasjonsnummer>'
                '<Navn>Eksempel AS</Navn></Rapportor><Periode>2026-02</Periode>'
                '<AntallDeltakere>12</AntallDeltakere></Skjema>')


def ttd(emulator):
    return system_caller(emulator)


def ett(emulator):
    return system_caller(emulator, "ett-system")


def fails(call, *args, **kwargs) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        call(*args, **kwargs)
    return caught.value


def later(emulator, minutes: int = 1) -> None:
    emulator.clock.advance(timedelta(minutes=minutes))


def add_form_service(emulator, code: str, owner: str = "TTD", **fields) -> None:
    emulator.catalog.put_service(Service.from_dict({
        "code": code, "edition": 1, "owner": owner, "name": f"Skjema {code}", "kind": "form",
        "forms": [{"data_format_id": "5703", "data_format_version": 34301, "name": "Skjema"}], **fields}))


# -- what is queued ---------------------------------------------------------------------------------------

def test_a_submission_on_a_download_queue_service_is_queued(emulator):
    task = archived_task(emulator)
    [item] = emulator.download_queue.items(ttd(emulator))
    assert (item.archive_reference, item.owner, item.service_code, item.service_edition, item.reportee,
            item.reportee_type, item.archived_at) == (task.archive_reference, "TTD", "5679", 1, OLA, PERSON,
                                                       task.archived_at)
    assert item.purged_at is None


def test_a_service_without_the_download_queue_queues_nothing(emulator):
    add_form_service(emulator, "5690", download_queue=False)
    task = archived_task(emulator, form=("5690", 1, "5703", 34301))
    assert emulator.archive.get_archived(task.archive_reference) is not None
    assert emulator.download_queue.items(ttd(emulator)) == []
    assert emulator.download_queue_store.list_items() == []


@pytest.mark.parametrize(("reportee", "reportee_type"), [(OLA, PERSON), (ORG, ORGANISATION),
                                                         (SELF_REGISTERED, SELF_REGISTERED_USER)])
def test_the_reportee_type(emulator, reportee, reportee_type):
    archived_task(emulator, reportee)
    [item] = emulator.download_queue.items(ttd(emulator))
    assert (item.reportee, item.reportee_type) == (reportee, reportee_type)


def test_shipment_metadata_is_given_when_the_service_defines_keys(emulator):
    archived_task(emulator, form=REPORT, xml=VALID_REPORT, metadata={"Saksnummer": "2026/17"})
    archived_task(emulator)
    with_keys, without = emulator.download_queue.items(ttd(emulator))
    assert with_keys.has_metadata and with_keys.shipment_metadata == (("Saksnummer", "2026/17"),
                                                                      ("Periode", "2026-02"))
    assert not without.has_metadata and without.shipment_metadata == ()


# -- the listing --------------------------------------------------------------------------------------------

def test_items_are_the_callers_owners_oldest_first_and_filtered_by_service(emulator):
    add_form_service(emulator, "9200", owner="ETT", download_queue=True)
    first = archived_task(emulator)
    later(emulator)
    foreign = archived_task(emulator, form=("9200", 1, "5703", 34301), system="ett-system",
                            system_user_code="ETT_SKJEMA")
    later(emulator)
    report = archived_task(emulator, form=REPORT, xml=VALID_REPORT)
    later(emulator)
    third = archived_task(emulator)
    refs = [i.archive_reference for i in emulator.download_queue.items(ttd(emulator))]
    assert refs == [first.archive_reference, report.archive_reference, third.archive_reference]
    assert [i.archive_reference for i in emulator.download_queue.items(ttd(emulator), "5679")] == [
        first.archive_reference, third.archive_reference]
    assert [i.archive_reference for i in emulator.download_queue.items(ttd(emulator), "")] == refs
    assert emulator.download_queue.items(ttd(emulator), "9999") == []
    assert [i.archive_reference for i in emulator.download_queue.items(ett(emulator))] == [foreign.archive_reference]


def test_oldest_first_is_by_archiving_time_not_by_queue_order(emulator):
    store = emulator.download_queue_store
    now = emulator.clock.now()
    for reference, minutes in (("AR9000002", 5), ("AR9000001", 1), ("AR9000003", 9)):
        store.add_item(DownloadQueueItem(reference, "TTD", "5679", 1, OLA, PERSON, now + timedelta(minutes=minutes)))
    assert [i.archive_reference for i in emulator.download_queue.items(ttd(emulator))] == [
        "AR9000001", "AR9000002", "AR9000003"]


def test_at_most_500_items_and_newer_ones_appear_as_older_ones_are_purged(emulator):
    assert MAX_ITEMS == 500 and emulator.download_queue.settings.max_items == 500
    store = emulator.download_queue_store
    now = emulator.clock.now()
    for n in range(MAX_ITEMS + 1):
        store.add_item(DownloadQueueItem(f"AR{8000000 + n}", "TTD", "5679", 1, OLA, PERSON,
                                         now + timedelta(seconds=n)))
    items = emulator.download_queue.items(ttd(emulator))
    assert len(items) == 500 and items[0].archive_reference == "AR8000000" and items[-1].archive_reference == \
        "AR8000499"
    emulator.download_queue.purge(ttd(emulator), "AR8000000")
    items = emulator.download_queue.items(ttd(emulator))
    assert len(items) == 500 and items[-1].archive_reference == "AR8000500"


def test_the_cap_is_a_setting(emulator_with):
    emulator = emulator_with(service_settings={"download_queue": DownloadQueueSettings(max_items=2)})
    tasks = [archived_task(emulator) for _ in range(3)]
    assert [i.archive_reference for i in emulator.download_queue.items(ttd(emulator))] == [
        t.archive_reference for t in tasks[:2]]


# -- purging ----------------------------------------------------------------------------------------------

def test_purge_takes_the_item_out_of_the_listing_for_good(emulator):
    kept, purged = archived_task(emulator), archived_task(emulator)
    assert emulator.download_queue.purge(ttd(emulator), purged.archive_reference) == "OK"
    assert [i.archive_reference for i in emulator.download_queue.items(ttd(emulator))] == [kept.archive_reference]
    [stored] = [i for i in emulator.download_queue_store.list_items() if i.archive_reference == purged.archive_reference]
    assert stored.purged_at == emulator.clock.now()


def test_purging_twice_is_error_0(emulator):
    task = archived_task(emulator)
    emulator.download_queue.purge(ttd(emulator), task.archive_reference)
    error = fails(emulator.download_queue.purge, ttd(emulator), task.archive_reference)
    assert error.error_id == 0 and "purged already" in error.message


@pytest.mark.parametrize("operation", ["purge", "archived_form_task", "form_set_pdf"])
def test_an_unknown_archive_reference_is_30007(emulator, operation):
    archived_task(emulator)
    error = fails(getattr(emulator.download_queue, operation), ttd(emulator), "AR404")
    assert error.error_id == 30007 and "AR404" in error.message


@pytest.mark.parametrize("operation", ["purge", "archived_form_task", "form_set_pdf"])
def test_a_missing_archive_reference_is_30004(emulator, operation):
    for missing in (None, "", "  "):
        assert fails(getattr(emulator.download_queue, operation), ttd(emulator), missing).error_id == 30004


@pytest.mark.parametrize("operation", ["purge", "archived_form_task", "form_set_pdf"])
def test_another_owners_item_is_5_and_stays_queued(emulator, operation):
    task = archived_task(emulator)
    error = fails(getattr(emulator.download_queue, operation), ett(emulator), task.archive_reference)
    assert error.error_id == 5
    assert [i.archive_reference for i in emulator.download_queue.items(ttd(emulator))] == [task.archive_reference]
    assert emulator.archive.shipment_log(task.archive_reference) == []


def test_a_task_of_a_service_without_the_queue_is_unknown_to_it(emulator):
    add_form_service(emulator, "5690", download_queue=False)
    task = archived_task(emulator, form=("5690", 1, "5703", 34301))
    assert fails(emulator.download_queue.archived_form_task, ttd(emulator), task.archive_reference).error_id == 30007


# -- the archived form task --------------------------------------------------------------------------------

def test_the_forms_lose_the_my_namespace_unless_asked_to_keep_it(emulator):
    task = archived_task(emulator, xml=INFOPATH_XML)
    [form] = emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference).forms
    assert form.form_data == (
        '<Skjema xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" versjon="1"><Navn>Ola Nordmann</Navn>'
        '<Adresse><Poststed>Tromsø</Poststed></Adresse><Merknad>Søknad om støtte til møte på Ærøy</Merknad>'
        '</Skjema>')
    [kept] = emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference,
                                                        include_xml_namespace=True).forms
    assert kept.form_data == INFOPATH_XML


def test_forms_carry_their_references_and_sub_forms_their_parent(emulator):
    task = archived_task(emulator, form=REPORT, forms=[
        PrefillFormRequest("5704", 34302, VALID_REPORT, "main"),
        PrefillFormRequest("5705", 34303, "<Deltakere><Antall>12</Antall></Deltakere>", "sub")])
    main, sub = emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference).forms
    assert (main.data_format_id, main.data_format_version, main.parent_reference) == ("5704", 34302, None)
    assert (sub.data_format_id, sub.parent_reference) == ("5705", main.reference)
    assert [main.reference, sub.reference] == [f.reference for f in task.forms]


def test_attachments_are_inline_with_their_details_and_approvers_named_by_level(emulator):
    data = bytes(range(256)) * 64
    task = archived_task(emulator, attachments=[attachment(data), attachment(b"a,b\n", "liste.csv", "text_csv")],
                         submitter=OLA, security_level=3)
    downloaded = emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference)
    pdf, csv = downloaded.attachments
    assert (pdf.data, pdf.file_name, pdf.attachment_type, pdf.archive_reference, pdf.encrypted) == (
        data, "vedlegg.pdf", "application/pdf", task.archive_reference, False)
    assert (csv.data, csv.file_name) == (b"a,b\n", "liste.csv")
    assert [a.attachment_id for a in downloaded.attachments] == [a.id for a in task.attachments]
    assert downloaded.attachments_in_response == 2
    [approver] = downloaded.task.approvers
    assert (approver.signer, approver.security_level_name) == (OLA, "sensitive")
    assert downloaded.encrypted_key is None and downloaded.certificate_thumbprint is None


def test_an_attachment_over_the_inline_limit_comes_without_its_data(emulator_with):
    assert MAX_INLINE_ATTACHMENT_BYTES == 30 * 1024 * 1024
    emulator = emulator_with(service_settings={"download_queue": DownloadQueueSettings(
        max_inline_attachment_bytes=100)})
    task = archived_task(emulator, attachments=[attachment(b"x" * 100, "small.txt"), attachment(b"y" * 101, "big.txt")])
    small, big = emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference).attachments
    assert small.data == b"x" * 100
    assert big.data is None and big.file_name == "big.txt" and big.attachment_id > 0
    assert emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference) \
        .attachments_in_response == 1


def test_each_download_is_logged_as_a_shipment_status(emulator):
    task = archived_task(emulator)
    queue = emulator.download_queue
    queue.archived_form_task(ttd(emulator), task.archive_reference)
    later(emulator)
    queue.form_set_pdf(ttd(emulator), task.archive_reference, 1044)
    queue.archived_form_task(ttd(emulator), task.archive_reference)
    log = emulator.archive.shipment_log(task.archive_reference)
    assert [(e.status, e.description) for e in log] == [
        (SENT, "DownloadQueue|1"), (SENT, "DownloadQueuePdf|1"), (SENT, "DownloadQueue|2")]
    assert log[1].at == emulator.clock.now()


def test_a_purged_item_can_still_be_downloaded(emulator):
    task = archived_task(emulator)
    emulator.download_queue.purge(ttd(emulator), task.archive_reference)
    downloaded = emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference)
    assert downloaded.task.archive_reference == task.archive_reference


# -- the PDF ---------------------------------------------------------------------------------------------

def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_holds_the_task_and_every_field_with_its_value(emulator):
    task = archived_task(emulator, xml=INFOPATH_XML)
    text = pdf_text(emulator.download_queue.form_set_pdf(ttd(emulator), task.archive_reference, 1044))
    archived = f"{local_time(task.archived_at):%Y-%m-%d %H:%M:%S}"  # Norwegian time
    for expected in ("Søknad om testmidler", task.archive_reference, OLA, "5679/1", "Arkivreferanse", archived,
                     "Skjema 5703/34301", "Navn", "Ola Nordmann", "Poststed", "Tromsø", "Merknad",
                     "Søknad om støtte til møte på Ærøy"):
        assert expected in text, (expected, text)
    english = pdf_text(emulator.download_queue.form_set_pdf(ttd(emulator), task.archive_reference, 1033))
    assert "Archive reference" in english and "Arkivreferanse" not in english


def test_the_pdf_can_be_limited_to_one_form(emulator):
    task = archived_task(emulator, form=REPORT, forms=[
        PrefillFormRequest("5704", 34302, VALID_REPORT, "main"),
        PrefillFormRequest("5705", 34303, "<Deltakere><Antall>12</Antall></Deltakere>", "sub")])
    both = pdf_text(emulator.download_queue.form_set_pdf(ttd(emulator), task.archive_reference, 1044))
    assert "Eksempel AS" in both and "Antall" in both
    sub = pdf_text(emulator.download_queue.form_set_pdf(ttd(emulator), task.archive_reference, 1044, "5705", 34303))
    assert "Antall" in sub and "Eksempel AS" not in sub
    error = fails(emulator.download_queue.form_set_pdf, ttd(emulator), task.archive_reference, 1044, "5705", 1)
    assert error.error_id == 40012


# -- encryption ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ttd_certificates(tmp_path_factory):
    from altinn_so.domain.catalog import ServiceOwner
    owner = ServiceOwner(code="TTD", orgno="310001007", name="Testdepartementet")
    return generate_certificates(tmp_path_factory.mktemp("certs"), [owner]).owner("TTD")


def encrypted_service(emulator, certificates) -> None:
    owner = emulator.catalog.get_owner("TTD")
    emulator.catalog.put_owner(evolve(owner, encryption_certificate=certificates.encryption_certificate.read_text()))
    add_form_service(emulator, "5695", download_queue=True, encrypted=True)


def test_an_encrypted_services_forms_and_attachments_decrypt_with_the_owners_key(emulator, ttd_certificates):
    encrypted_service(emulator, ttd_certificates)
    data = b"%PDF-1.4 konfidensielt vedlegg"
    task = archived_task(emulator, form=("5695", 1, "5703", 34301), xml=INFOPATH_XML, attachments=[attachment(data)])
    assert task.encrypted
    downloaded = emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference)

    certificate = x509.load_pem_x509_certificate(ttd_certificates.encryption_certificate.read_bytes())
    assert downloaded.certificate_thumbprint == certificate.fingerprint(hashes.SHA1()).hex().upper()
    private_key = serialization.load_pem_private_key(ttd_certificates.encryption_key.read_bytes(), None)
    key = private_key.decrypt(downloaded.encrypted_key, padding.OAEP(
        mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
    assert len(key) == 32
    [form] = downloaded.forms
    assert unseal(key, base64.b64decode(form.form_data)).decode() == \
        emulator.download_queue._tools.strip_namespaces(INFOPATH_XML)
    [sealed] = downloaded.attachments
    assert sealed.encrypted and sealed.data != data and unseal(key, sealed.data) == data
    # a fresh key for every download
    again = emulator.download_queue.archived_form_task(ttd(emulator), task.archive_reference)
    assert private_key.decrypt(again.encrypted_key, padding.OAEP(
        mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)) != key


def test_an_encrypted_service_has_no_pdf(emulator, ttd_certificates):
    encrypted_service(emulator, ttd_certificates)
    task = archived_task(emulator, form=("5695", 1, "5703", 34301))
    error = fails(emulator.download_queue.form_set_pdf, ttd(emulator), task.archive_reference, 1044)
    assert error.error_id == 0 and "encrypted" in error.message


def test_an_encrypted_service_whose_owner_lost_the_certificate_is_error_0(emulator, ttd_certificates):
    encrypted_service(emulator, ttd_certificates)
    task = archived_task(emulator, form=("5695", 1, "5703", 34301))
    emulator.catalog.put_owner(evolve(emulator.catalog.get_owner("TTD"), encryption_certificate=None))
    error = fails(emulator.download_queue.archived_form_task, ttd(emulator), task.archive_reference)
    assert error.error_id == 0 and "encryption certificate" in error.message
    assert emulator.archive.shipment_log(task.archive_reference) == []
