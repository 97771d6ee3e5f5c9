"""CorrespondenceAgencyExternal against the real Altinn contracts (Basic, EC, EC2, AEC2, and WS by inference).

Clients are built by zeep from the REAL WSDLs (read from ``../shared``, never
copied here) with the address pointed at the emulator; every response body
is validated against the real WSDL's schemas, and what the emulator did is
checked in its stores. The life cycle (read, confirm) is driven with the
domain's end-user functions and the frozen clock. Our own WSDLs are compared
with the real ones operation by operation (``support.zeepview``).

The emulator runs without client-certificate checks (``WireSettings()``): EC
and EC2 authenticate with the body (or header) credentials alone, and AEC2
takes the caller's organisation number from the ``X-Enterprise-Certificate-OrgNo``
HTTP header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from altinn_so.services.correspondence.rules import CorrespondenceSettings
from altinn_so.services.correspondence.rules.model import (BinaryAttachment, CorrespondenceStatus, ReplyOption,
                                                           SdpStatus, XmlAttachment)
from altinn_so.domain.notifications.model import Channel
from altinn_so.emulator import Emulator, Settings
from altinn_so.seeding import default_seed
from altinn_so.soap.wsgi import SoapApplication, WireSettings
from support.contracts import (assert_valid_response, expect_altinn_fault, real_client, real_service,
                               received_body_element)
from support.wsdl_match import (assert_actions_match, assert_names_match, assert_signature_matches, our_wsdl_client, signature_cases,
                                views)
from support.zeepview import (binding_names, diff_views, real_operation_view, replace_strings, served_operation_view,
                              ws_view_from_basic)

pytestmark = pytest.mark.conformance

OSLO = ZoneInfo("Europe/Oslo")
ORGNO_HEADER = "X-Enterprise-Certificate-OrgNo"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
TTD_ORGNO = "310001007"
ETT_ORGNO = "310002003"
NOT_AN_OWNER = "310003018"  # Eksempel AS: in the register, but no service owner
OLA = "23917710120"  # e-mail, mobile and a digipost mailbox
OLA_EMAIL = "ola.nordmann@example.no"
OLA_MOBILE = "+4791234567"
KARI = "05838520067"  # e-mail only, no digital mailbox
PER = "17856230120"  # reserved in KRR
SERVICE = ("4255", 10)  # TTD's DPV message service
SAVED = "Correspondence Saved Successfully"


@dataclass(frozen=True)
class Flavour:
    """One binding for which a real WSDL exists."""

    key: str
    contract: str  # path of the real WSDL under the contracts directory
    path: str  # our endpoint
    suffix: str  # operation suffix: Basic | EC | AEC
    insert: str  # the real WSDL's InsertCorrespondence V2 operation
    status_versions: tuple[int, ...]  # GetCorrespondenceStatusDetails versions in the real WSDL
    operations: frozenset[str]  # every operation of the real WSDL
    extra_operations: frozenset[str]  # operations we offer beyond the real WSDL (documented ones)

    @property
    def soap12(self) -> bool:
        return self.key != "basic"

    @property
    def certificate_only(self) -> bool:
        return self.key.startswith("aec")

    def details(self, version: int) -> str:
        return f"GetCorrespondenceStatusDetails{self.suffix}" + (f"V{version}" if version > 1 else "")

    @property
    def history(self) -> str:
        return f"GetCorrespondenceStatusHistory{self.suffix}"


_EC_OPERATIONS = frozenset({"Test", "InsertCorrespondenceEC", "GetCorrespondenceStatusDetailsEC",
                            "GetCorrespondenceStatusDetailsECV2", "GetCorrespondenceStatusDetailsECV3",
                            "GetCorrespondenceStatusHistoryEC"})
BASIC = Flavour("basic", "basic/CorrespondenceAgencyExternalBasic.wsdl",
                "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc", "Basic", "InsertCorrespondenceBasicV2",
                (1, 2, 3),
                frozenset({"Test", "InsertCorrespondenceBasic", "InsertCorrespondenceBasicV2",
                           "CreateSimpleCorrespondenceServiceBasic", "GetCorrespondenceStatusDetailsBasic",
                           "GetCorrespondenceStatusDetailsBasicV2", "GetCorrespondenceStatusDetailsBasicV3",
                           "GetCorrespondenceStatusHistoryBasic"}),
                frozenset({"InsertCorrespondenceBasicV3"}))
# The 2017 EC WSDL has the same operations as the 2020 EC2 one; see SIGNATURE_REFERENCE below.
EC = Flavour("ec", "ec/CorrespondenceAgencyExternalEC.wsdl",
             "/ServiceEngineExternal/CorrespondenceAgencyExternalEC.svc", "EC", "InsertCorrespondenceEC", (1, 2, 3),
             _EC_OPERATIONS, frozenset({"InsertCorrespondenceECV2", "InsertCorrespondenceECV3"}))
EC2 = Flavour("ec2", "ec2/CorrespondenceAgencyExternalEC2.wsdl",
              "/ServiceEngineExternal/CorrespondenceAgencyExternalEC2.svc", "EC", "InsertCorrespondenceEC", (1, 2, 3),
              _EC_OPERATIONS, frozenset({"InsertCorrespondenceECV2", "InsertCorrespondenceECV3"}))
AEC2 = Flavour("aec2", "aec/CorrespondenceAgencyExternalAEC2.wsdl",
               "/ServiceEngineExternal/CorrespondenceAgencyExternalAEC2.svc", "AEC", "InsertCorrespondenceAECV2", (3,),
               frozenset({"Test", "InsertCorrespondenceAECV2", "GetCorrespondenceStatusDetailsAECV3",
                          "GetCorrespondenceStatusHistoryAEC"}),
               frozenset({"InsertCorrespondenceAECV3"}))
ALL = (BASIC, EC, EC2, AEC2)
FLAVOURS = [pytest.param(f, id=f.key) for f in ALL]
WITH_PASSWORD = [pytest.param(f, id=f.key) for f in ALL if not f.certificate_only]
WS_PATH = "/ServiceEngineExternal/CorrespondenceAgencyExternal.svc"


def status_calls(*versions: int):
    return [pytest.param(f, v, id=f"{f.key}-V{v}") for f in ALL for v in versions if v in f.status_versions]


# -- a client of one real WSDL ---------------------------------------------------------------------------

class Agency:
    """TTD's agency system (or, on AEC2, TTD's certificate) calling one real WSDL at our endpoint."""

    def __init__(self, base_url: str, flavour: Flavour, *, password: str = "ttd-password",
                 orgno: str | None = TTD_ORGNO):
        self.flavour = flavour
        self.password = password
        self.client, self.service = real_service(flavour.contract, base_url + flavour.path)
        if flavour.certificate_only and orgno:
            self.client.transport.session.headers[ORGNO_HEADER] = orgno

    def _credentials(self) -> dict:
        if self.flavour.certificate_only:
            return {}
        return {"systemUserName": "ttd-system", "systemPassword": self.password}

    def call(self, operation: str, **kwargs):
        return getattr(self.service, operation)(**self._credentials(), **kwargs)

    def insert(self, reference: str, correspondence: dict, *, system_user_code: str = "TTD_TILSKUDD"):
        kwargs = {"ExternalShipmentReference": reference, "Correspondence": correspondence}
        if not self.flavour.certificate_only:
            kwargs["SystemUserCode"] = system_user_code
        return self.call(self.flavour.insert, **kwargs)

    def details(self, version: int, service=SERVICE, **criteria):
        code, edition = service
        return self.call(self.flavour.details(version),
                         filterCriteria={"ServiceCode": code, "ServiceEditionCode": edition, **criteria})

    def history(self, *references: str):
        """A message contract: the credentials travel as SOAP headers (none on AEC2)."""
        options = {}
        if not self.flavour.certificate_only:
            options["_soapheaders"] = {"SystemUserName": "ttd-system", "SystemPassword": self.password}
        return getattr(self.service, self.flavour.history)(
            CorrespondenceSendersReferences={"string": list(references)}, **options)

    def assert_valid(self, operation: str, *, wrapper: str | None = None):
        return assert_valid_response(self.client, self.flavour.contract, operation, soap12=self.flavour.soap12,
                                     wrapper=wrapper)

    def assert_valid_history(self):
        return self.assert_valid(self.flavour.history, wrapper="CorrespondenceStatusHistoryResult")

    def fault(self, operation: str, call) -> object:
        return expect_altinn_fault(self.client, self.flavour.contract, operation, call, soap12=self.flavour.soap12)


@pytest.fixture
def agency(base_url):
    """``agency(flavour, **options)`` -> an ``Agency`` at our endpoint."""
    return lambda flavour, **options: Agency(base_url, flavour, **options)


def local(instant: datetime) -> datetime:
    """An instant as the wire shows it: Norwegian local time without an offset."""
    return instant.astimezone(OSLO).replace(tzinfo=None)


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FORM_XML = "<Skjema><Tilskudd belop=\"125000\"/></Skjema>"


def notification(template: str = "VarselDPVMedRevarsel", transport: str = "Both") -> dict:
    return {"LanguageCode": "1044", "NotificationType": template,
            "TextTokens": {"TextToken": [{"TokenNum": 0, "TokenValue": "Testdepartementet"}]},
            "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": transport}]}}


def correspondence(reportee: str = OLA, *, service=SERVICE, title: str | None = "Vedtak om tilskudd",
                   notify: bool = True, **extra) -> dict:
    """An InsertCorrespondenceV2 using only members every real WSDL (including 2017 EC) knows."""
    code, edition = service
    content = {"LanguageCode": "1044", "MessageSummary": "Søknaden din om tilskudd er innvilget.",
               "MessageBody": "<p>Vi har innvilget søknaden din. Se vedlagt vedtak.</p>",
               "Attachments": {"BinaryAttachments": {"BinaryAttachmentV2": [
                   {"DestinationType": "ShowToAll", "FunctionType": "Unspecified", "FileName": "vedtak.pdf",
                    "Name": "Vedtak", "Encrypted": False, "Data": PDF, "SendersReference": "VEDLEGG-1"}]}}}
    if title is not None:
        content["MessageTitle"] = title
    return {"ServiceCode": code, "ServiceEdition": str(edition), "Reportee": reportee, "Content": content,
            **({"Notifications": {"Notification": [notification()]}} if notify else {}), **extra}


def full_correspondence(now: datetime) -> dict:
    """Everything InsertCorrespondenceV2 carries: both kinds of attachment, reply options, dates, notification."""
    message = correspondence(
        VisibleDateTime=now, AllowSystemDeleteDateTime=now + timedelta(days=365), DueDateTime=now + timedelta(days=14),
        ArchiveReference="AR4711",
        ReplyOptions={"ReplyOption": [
            {"Service": {"ServiceCode": "5679", "ServiceEdition": "1"}},
            {"ArchiveReference": {"ArchiveRef": "AR4711"}},
            {"URL": {"LinkText": "Klag på vedtaket", "LinkURL": "https://www.testdepartementet.example/klage"}}]},
        AllowForwarding=False, MessageSender="Testdepartementet, tilskuddsseksjonen", IsReservable=True)
    content = message["Content"]
    content["CustomMessageData"] = '<add key="MunicipalNumber" value="301" />'
    content["Attachments"]["BinaryAttachments"]["BinaryAttachmentV2"].append(
        {"DestinationType": "PortalOnly", "FunctionType": "Invoice", "FileName": "faktura.pdf", "Name": "Faktura",
         "Encrypted": False, "Data": b"%PDF-1.4 faktura"})
    content["Attachments"]["XmlAttachmentList"] = {"XmlAttachmentV2": [
        {"SendersReference": "SKJEMA-1", "FormDataXml": FORM_XML, "DataFormatId": "5703", "DataFormatVersion": 34553,
         "LogicalFormInFormSetID": 1}]}
    return message


def letter(reportee: str, setting: str, backup: bool) -> dict:
    return correspondence(reportee, SdpOptions={
        "BackupAltinn": backup, "PrimaryDocumentFileName": "vedtak.pdf", "SdpSetting": setting,
        "SdpNotifications": {"EmailNotification": {"NotificationText": "Du har fått brev fra Testdepartementet.",
                                                   "Repetitions": {"DaysDelayed": [0, 7]}}}})


def sdp_details(result) -> list:
    details = result.SdpStatusInformation.SdpStatusDetailsList
    return details.SdpStatusDetails if details is not None else []


def statuses(status) -> list[str]:
    """StatusType of each change of a Status (V1) or StatusV2."""
    changes = status.StatusChanges
    return [c.StatusType for c in (getattr(changes, "StatusChange", None) or changes.StatusChangeV2)]


def listed(version: int, result) -> tuple[list, bool]:
    """The statuses and LimitReached of a GetCorrespondenceStatusDetails result of any version."""
    if version == 3:
        information = result.CorrespondenceStatusInformation
        items = information.CorrespondenceStatusDetailsList
        return (items.StatusV2 if items is not None else []), information.LimitReached
    items = result.StatusList
    key = "Status" if version == 1 else "StatusV2"
    return (getattr(items, key) if items is not None else []), result.LimitReached


def is_nil(body: etree._Element, local_name: str) -> bool:
    """Whether the one element ``local_name`` under ``body`` is ``xsi:nil`` (zeep reads a nil complex element
    as an object of Nones)."""
    (found,) = body.xpath(f".//*[local-name() = '{local_name}']")
    return found.get(XSI_NIL) == "true" and len(found) == 0


def references(receipt) -> set[tuple[str, str]]:
    return {(r.ReferenceTypeName, r.ReferenceValue) for r in receipt.References.Reference}


# -- the real WSDLs are what we think they are -----------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_real_wsdl_has_the_expected_operations(flavour):
    assert set(real_operation_view(flavour.contract)) == flavour.operations


# -- calling every operation of the real WSDLs -----------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_test_operation(agency, flavour):
    client = agency(flavour, orgno=None)  # Test needs no credentials, not even a certificate
    assert client.service.Test() is None
    client.assert_valid("Test")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_insert_v2_with_everything(agency, emulator, clock, flavour):
    client = agency(flavour)
    now = clock.now()
    receipt = client.insert("TTD-2026-0001", full_correspondence(now))
    client.assert_valid(flavour.insert)

    (stored,) = emulator.correspondence_store.list_correspondences()
    assert (receipt.ReceiptStatusCode, receipt.ReceiptText, receipt.ReceiptTypeName) == ("OK", SAVED,
                                                                                         "Correspondence")
    assert (receipt.ReceiptId, receipt.ParentReceiptId, receipt.LastChanged) == (stored.receipt_id, 0, local(now))
    assert references(receipt) == {("ExternalShipmentReference", "TTD-2026-0001"), ("OwnerPartyReference", TTD_ORGNO)}
    assert not receipt.SubReceipts or not receipt.SubReceipts.ReceiptExternal
    assert emulator.receipt_store.get_receipt(receipt.ReceiptId).text == SAVED

    assert (stored.owner, stored.service_code, stored.service_edition, stored.reportee, stored.senders_reference) == (
        "TTD", "4255", 10, OLA, "TTD-2026-0001")
    assert stored.status_changes[-1].status is CorrespondenceStatus.CREATED and stored.created_at == now
    if flavour.certificate_only:  # no system: the owner's code stands in for the SystemUserCode
        assert (stored.system, stored.system_user_code) == (None, "TTD")
    else:
        assert (stored.system, stored.system_user_code) == ("ttd-system", "TTD_TILSKUDD")
    assert (stored.language, stored.title, stored.summary) == ("1044", "Vedtak om tilskudd",
                                                               "Søknaden din om tilskudd er innvilget.")
    assert stored.body == "<p>Vi har innvilget søknaden din. Se vedlagt vedtak.</p>"
    assert stored.custom_message_data == '<add key="MunicipalNumber" value="301" />'
    assert stored.binary_attachments == (
        BinaryAttachment("vedtak.pdf", "Vedtak", PDF, "Unspecified", "ShowToAll", False, "VEDLEGG-1"),
        BinaryAttachment("faktura.pdf", "Faktura", b"%PDF-1.4 faktura", "Invoice", "PortalOnly", False, None))
    assert stored.xml_attachments == (XmlAttachment(FORM_XML, "SKJEMA-1", "5703", 34553, 1),)
    assert stored.reply_options == (ReplyOption("5679", "1"), ReplyOption(archive_reference="AR4711"),
                                    ReplyOption(link_text="Klag på vedtaket",
                                                link_url="https://www.testdepartementet.example/klage"))
    assert (stored.visible_at, stored.allow_system_delete_at, stored.due_at) == (
        now, now + timedelta(days=365), now + timedelta(days=14))
    assert (stored.archive_reference, stored.allow_forwarding, stored.is_reservable) == ("AR4711", False, True)
    assert stored.message_sender == "Testdepartementet, tilskuddsseksjonen"

    # VarselDPVMedRevarsel over Both: e-mail and SMS now, both again as reminders in 7 days
    messages = emulator.outbox.list_messages()
    assert {m.origin for m in messages} == {stored.origin}
    assert sorted((m.channel.value, m.address, m.is_reminder) for m in messages) == [
        ("Email", OLA_EMAIL, False), ("Email", OLA_EMAIL, True), ("SMS", OLA_MOBILE, False),
        ("SMS", OLA_MOBILE, True)]
    email = next(m for m in messages if m.channel is Channel.EMAIL and not m.is_reminder)
    assert (email.subject, email.template, email.service_owner) == ("Ny melding i Altinn", "VarselDPVMedRevarsel",
                                                                    "TTD")
    assert email.body.startswith("Ola Testmann Nordmann har mottatt en melding fra Testdepartementet i Altinn.")
    assert {m.scheduled_at for m in messages if m.is_reminder} == {now + timedelta(days=7)}


def test_insert_v1_on_basic(agency, emulator):
    client = agency(BASIC)
    message = correspondence(
        "310003018", notify=False,
        ReplyOptions={"ReplyOption": [{"URL": {"LinkText": "Svar", "LinkURL": "https://svar.example"}}]},
        Notifications={"Notification": [notification("TokenTextOnly", "Email") | {
            "TextTokens": {"TextToken": [{"TokenNum": 0, "TokenValue": "Nytt vedtak"},
                                         {"TokenNum": 1, "TokenValue": "Logg inn i Altinn."}]}}]})
    message["Content"]["Attachments"] = {  # V1: BinaryAttachment items and one XmlAttachment
        "BinaryAttachments": {"BinaryAttachment": [{"FunctionType": "Invoice", "FileName": "faktura.pdf",
                                                    "Name": "Faktura", "Encrypted": False, "Data": PDF}]},
        "XmlAttachment": {"SendersReference": "SKJEMA-1", "FormDataXml": FORM_XML}}
    receipt = client.call("InsertCorrespondenceBasic", SystemUserCode="TTD", ExternalReference="TTD-V1",
                          Correspondence=message)
    client.assert_valid("InsertCorrespondenceBasic")

    assert (receipt.ReceiptStatusCode, receipt.ReceiptText) == ("OK", SAVED)
    assert references(receipt) == {("ExternalShipmentReference", "TTD-V1"), ("OwnerPartyReference", TTD_ORGNO)}
    (stored,) = emulator.correspondence_store.list_correspondences()
    assert (stored.reportee, stored.senders_reference, stored.receipt_id) == ("310003018", "TTD-V1",
                                                                              receipt.ReceiptId)
    assert stored.binary_attachments == (BinaryAttachment("faktura.pdf", "Faktura", PDF, "Invoice"),)
    assert stored.xml_attachments == (XmlAttachment(FORM_XML, "SKJEMA-1"),)
    assert stored.reply_options == (ReplyOption(link_text="Svar", link_url="https://svar.example"),)
    (email,) = emulator.outbox.list_messages()
    assert (email.channel, email.address, email.subject, email.body) == (
        Channel.EMAIL, "post@eksempel.example", "Nytt vedtak", "Logg inn i Altinn.")


def test_create_simple_correspondence_service_from_the_template(agency, emulator):
    client = agency(BASIC)
    info = client.call("CreateSimpleCorrespondenceServiceBasic", templateServiceCode="2000",
                       templateServiceEditionCode=1)
    client.assert_valid("CreateSimpleCorrespondenceServiceBasic")
    created = emulator.catalog.get_service(info.ExternalServiceCode, info.ExternalServiceEditionCode)
    assert created is not None and (created.owner, created.kind) == ("TTD", "correspondence")
    assert emulator.catalog.get_service("2000", 1).owner == "ASF"  # the template itself is untouched

    # the new service is TTD's: messages can be sent with it, and its status queried
    client.insert("SIMPLE-1", correspondence(service=(info.ExternalServiceCode, info.ExternalServiceEditionCode)))
    (status,), _ = listed(3, client.details(3, service=(info.ExternalServiceCode,
                                                               info.ExternalServiceEditionCode)))
    assert status.SendersReference == "SIMPLE-1"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_status_follows_created_read_confirmed(agency, emulator, clock, flavour):
    client = agency(flavour)
    client.insert("LIVSLOP-1", correspondence())
    (stored,) = emulator.correspondence_store.list_correspondences()
    created = local(clock.now())

    def check(expected: list[str]) -> None:
        for version in flavour.status_versions:
            result = client.details(version)
            body = client.assert_valid(flavour.details(version))
            assert (result.ServiceCode, result.ServiceEditionCode) == SERVICE
            if version == 3:
                assert is_nil(body, "SdpStatusInformation")  # no SdpSearchOptions: no digital-post part
            items, limit_reached = listed(version, result)
            (status,) = items
            assert limit_reached is False
            assert (status.CorrespondenceID, status.Reportee, status.SendersReference, status.CreatedDate) == (
                stored.id, OLA, "LIVSLOP-1", created)
            assert statuses(status) == expected, f"V{version}"
        (status,) = client.history("LIVSLOP-1").CorrespondenceStatusInformation \
            .CorrespondenceStatusDetailsList.StatusV2
        client.assert_valid_history()
        assert statuses(status) == expected

    check(["Created"])
    clock.advance(timedelta(hours=2))
    emulator.correspondence.read(stored.id)
    check(["Created", "Read"])
    clock.advance(timedelta(days=1))
    emulator.correspondence.confirm(stored.id)
    check(["Created", "Read", "Confirmed"])

    (status,) = client.history("LIVSLOP-1").CorrespondenceStatusInformation.CorrespondenceStatusDetailsList.StatusV2
    assert [c.StatusDate for c in status.StatusChanges.StatusChangeV2] == [
        created, created + timedelta(hours=2), created + timedelta(days=1, hours=2)]
    assert [c.status for c in emulator.correspondence_store.get_correspondence(stored.id).status_changes] == [
        CorrespondenceStatus.CREATED, CorrespondenceStatus.READ, CorrespondenceStatus.CONFIRMED]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_current_status_filter(agency, emulator, flavour):
    client = agency(flavour)
    for reference in ("FILTER-1", "FILTER-2"):
        client.insert(reference, correspondence(notify=False))
    first = emulator.correspondence_store.list_correspondences()[0]
    emulator.correspondence.read(first.id)
    for version in flavour.status_versions:
        items, _ = listed(version, client.details(version, CurrentStatus="Read"))
        assert [s.SendersReference for s in items] == ["FILTER-1"]
        items, _ = listed(version, client.details(version, CurrentStatus="Created"))
        assert [s.SendersReference for s in items] == ["FILTER-2"]
        items, _ = listed(version, client.details(version, SendersReference="FILTER-2"))
        assert [s.SendersReference for s in items] == ["FILTER-2"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_date_reportee_and_notification_filters(agency, clock, flavour):
    client = agency(flavour)
    start = clock.now()
    client.insert("DATO-A", correspondence(notify=False))
    clock.advance(timedelta(hours=1))
    client.insert("DATO-B", correspondence(KARI, Notifications={"Notification": [notification(transport="Email")]}))
    clock.advance(timedelta(hours=1))
    client.insert("DATO-C", correspondence(notify=False))
    first, last = local(start), local(start + timedelta(hours=2))
    cases = [  # CreatedAfterDate and CreatedBeforeDate are exclusive bounds
        (dict(CreatedAfterDate=first), ["DATO-B", "DATO-C"]),
        (dict(CreatedBeforeDate=last), ["DATO-A", "DATO-B"]),
        (dict(CreatedAfterDate=first, CreatedBeforeDate=last), ["DATO-B"]),
        (dict(Reportee=KARI), ["DATO-B"]),
        (dict(NotificationSent=True), ["DATO-B"]),
        (dict(NotificationSent=False), ["DATO-A", "DATO-C"]),
    ]
    for version in flavour.status_versions:
        for criteria, expected in cases:
            items, _ = listed(version, client.details(version, **criteria))
            assert sorted(s.SendersReference for s in items) == expected, (version, criteria)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_reservable_message_to_a_reserved_person_is_reserved(agency, emulator, flavour):
    client = agency(flavour)
    receipt = client.insert("KRR-1", correspondence(PER, IsReservable=True))
    assert receipt.ReceiptStatusCode == "OK"
    (stored,) = emulator.correspondence_store.list_correspondences()
    assert stored.status is CorrespondenceStatus.RESERVED
    assert emulator.outbox.list_messages() == []  # reserved: nobody is notified

    for version in flavour.status_versions:
        (status,), _ = listed(version, client.details(version))
        client.assert_valid(flavour.details(version))
        # the V1 status type only knows Created, Read and Confirmed
        assert statuses(status) == (["Created"] if version == 1 else ["Created", "Reserved"])
        assert not status.Notifications or not status.Notifications.Notification
    for version in set(flavour.status_versions) - {1}:
        items, _ = listed(version, client.details(version, CurrentStatus="Reserved"))
        assert [s.SendersReference for s in items] == ["KRR-1"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_pending_reminders_have_no_sent_date_until_the_clock_passes_them(agency, emulator, clock, flavour):
    client = agency(flavour)
    client.insert("REVARSEL-1", correspondence())
    sent = local(clock.now())
    reminder = local(clock.now() + timedelta(days=7))

    def notifications(status) -> list[tuple]:
        return sorted((n.TransportType, n.Recipient, n.SentDate or datetime.max)
                      for n in status.Notifications.Notification)

    def check(expected_reminder_date) -> None:
        expected = sorted([("Email", OLA_EMAIL, sent), ("SMS", OLA_MOBILE, sent),
                           ("Email", OLA_EMAIL, expected_reminder_date), ("SMS", OLA_MOBILE, expected_reminder_date)])
        for version in flavour.status_versions:
            (status,), _ = listed(version, client.details(version))
            client.assert_valid(flavour.details(version))  # SentDate is nil, and the schema allows it
            assert notifications(status) == expected, f"V{version}"
        (status,) = client.history("REVARSEL-1").CorrespondenceStatusInformation \
            .CorrespondenceStatusDetailsList.StatusV2
        client.assert_valid_history()
        assert notifications(status) == expected

    check(datetime.max)  # pending: SentDate nil
    for version in flavour.status_versions:
        items, _ = listed(version, client.details(version, NotificationSent=True))
        assert [s.SendersReference for s in items] == ["REVARSEL-1"]
    clock.advance(timedelta(days=7) - timedelta(minutes=1))
    check(datetime.max)
    clock.advance(timedelta(minutes=2))
    check(reminder)


# -- LimitReached ------------------------------------------------------------------------------------------

@pytest.fixture
def limited(_server, clock):
    """An emulator whose status queries return at most 2 items, served at the session's server."""
    served, url = _server
    emulator = Emulator(Settings(service_settings={"correspondence": CorrespondenceSettings(status_limit=2)}), clock=clock,
                        seed=default_seed())
    served.app = SoapApplication(emulator, settings=WireSettings())
    yield emulator, url
    emulator.close()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_limit_reached_when_there_are_more_than_the_status_limit(limited, flavour):
    emulator, url = limited
    assert emulator.correspondence.settings.status_limit == 2
    client = Agency(url, flavour)
    references = ("GRENSE-1", "GRENSE-2", "GRENSE-3")
    for reference in references[:2]:  # CopyAltinn letters: an Altinn message and a digital-post shipment each
        client.insert(reference, letter(OLA, "CopyAltinn", True))

    def check(expected_count: int, limit_reached: bool) -> None:
        for version in flavour.status_versions:
            criteria = {"SdpSearchOptions": {"IncludeCorrespondence": True}} if version == 3 else {}
            result = client.details(version, **criteria)
            client.assert_valid(flavour.details(version))
            items, reached = listed(version, result)
            assert (len(items), reached) == (expected_count, limit_reached), f"V{version}"
            if version == 3:
                assert (len(sdp_details(result)), result.SdpStatusInformation.LimitReached) == (
                    expected_count, limit_reached)
        result = client.history(*references)
        client.assert_valid_history()
        information = result.CorrespondenceStatusInformation
        assert (len(information.CorrespondenceStatusDetailsList.StatusV2), information.LimitReached) == (
            expected_count, limit_reached)
        assert (len(sdp_details(result)), result.SdpStatusInformation.LimitReached) == (expected_count,
                                                                                       limit_reached)

    check(2, False)
    client.insert(references[2], letter(OLA, "CopyAltinn", True))
    assert len(emulator.correspondence_store.list_correspondences()) == 3
    assert len(emulator.correspondence_store.find_sdp("TTD")) == 3
    check(2, True)


# -- digital post to citizens (SDP) ---------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_copy_altinn_letter_is_sent_then_delivered_after_a_minute(agency, emulator, clock, flavour):
    client = agency(flavour)
    receipt = client.insert("BREV-1", letter(OLA, "CopyAltinn", True))
    client.assert_valid(flavour.insert)
    assert (receipt.ReceiptStatusCode, receipt.ReceiptText) == ("OK", SAVED)
    (sub,) = receipt.SubReceipts.ReceiptExternal
    assert (sub.ReceiptStatusCode, sub.ParentReceiptId) == ("OK", receipt.ReceiptId)

    (stored,) = emulator.correspondence_store.list_correspondences()  # CopyAltinn: the Altinn message too
    (shipment,) = emulator.correspondence_store.find_sdp("TTD")
    assert (shipment.correspondence_id, shipment.reference) == (stored.id, "BREV-1")
    created = local(clock.now())

    def check(expected: list[tuple[str, datetime]], last_changed: datetime) -> None:
        for include in (True, False):
            result = client.details(3, SdpSearchOptions={"IncludeCorrespondence": include})
            client.assert_valid(flavour.details(3))
            (detail,) = sdp_details(result)
            assert (detail.SdpId, detail.CorrespondenceId, detail.Reference, detail.Reportee) == (
                shipment.id, stored.id, "BREV-1", OLA)
            assert (detail.CreatedDateTime, detail.LastChangedDateTime) == (created, last_changed)
            assert [(c.Status, c.StatusDateTime) for c in detail.StatusHistory.SdpStatusChange] == expected
            if include:
                items, _ = listed(3, result)
                assert [s.CorrespondenceID for s in items] == [stored.id]
            else:  # only the digital-post part
                assert is_nil(received_body_element(client.client), "CorrespondenceStatusInformation")
        history = client.history("BREV-1")
        client.assert_valid_history()
        (detail,) = sdp_details(history)
        assert [(c.Status, c.StatusDateTime) for c in detail.StatusHistory.SdpStatusChange] == expected

    sent = [(SdpStatus.SENT.value, created)]
    check(sent, created)
    clock.advance(timedelta(seconds=59))
    check(sent, created)
    clock.advance(timedelta(seconds=1))
    delivered = created + timedelta(minutes=1)
    check(sent + [(SdpStatus.DELIVERED.value, delivered)], delivered)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_forward_only_without_backup_to_someone_without_a_mailbox_is_rejected(agency, emulator, flavour):
    client = agency(flavour)
    receipt = client.insert("BREV-2", letter(KARI, "ForwardOnly", False))
    client.assert_valid(flavour.insert)
    assert receipt.ReceiptStatusCode == "Rejected"
    assert emulator.receipt_store.get_receipt(receipt.ReceiptId).status.value == "Rejected"
    assert references(receipt) >= {("ExternalShipmentReference", "BREV-2"), ("OwnerPartyReference", TTD_ORGNO)}
    assert emulator.correspondence_store.list_correspondences() == []  # no Altinn message
    assert emulator.outbox.list_messages() == []

    (detail,) = sdp_details(client.details(3, SdpSearchOptions={"IncludeCorrespondence": True}))
    client.assert_valid(flavour.details(3))
    assert (detail.Reference, detail.Reportee, detail.CorrespondenceId) == ("BREV-2", KARI, None)
    assert [c.Status for c in detail.StatusHistory.SdpStatusChange] == [SdpStatus.NO_MAILBOX.value]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_forward_only_letter_to_someone_with_a_mailbox_creates_no_altinn_message(agency, emulator, clock, flavour):
    client = agency(flavour)
    receipt = client.insert("BREV-3", letter(OLA, "ForwardOnly", False))
    client.assert_valid(flavour.insert)
    assert receipt.ReceiptStatusCode == "OK"
    (sub,) = receipt.SubReceipts.ReceiptExternal
    assert sub.ReceiptStatusCode == "OK"
    assert emulator.correspondence_store.list_correspondences() == []
    (shipment,) = emulator.correspondence_store.find_sdp("TTD")
    assert shipment.correspondence_id is None

    clock.advance(timedelta(minutes=1))
    (detail,) = sdp_details(client.history("BREV-3"))
    client.assert_valid_history()
    assert (detail.SdpId, detail.CorrespondenceId) == (shipment.id, None)
    assert [c.Status for c in detail.StatusHistory.SdpStatusChange] == [SdpStatus.SENT.value,
                                                                       SdpStatus.DELIVERED.value]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_status_history_of_no_references_is_empty(agency, flavour):
    client = agency(flavour)
    client.insert("TOM-1", correspondence(notify=False))
    result = client.history()
    client.assert_valid_history()
    items = result.CorrespondenceStatusInformation.CorrespondenceStatusDetailsList
    assert not items or not items.StatusV2
    assert sdp_details(result) == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_status_history_across_services_by_reference(agency, emulator, flavour):
    client = agency(flavour)
    client.insert("HIST-1", correspondence(notify=False))
    client.insert("HIST-2", correspondence(service=("5678", 1), notify=False))
    client.insert("HIST-3", correspondence(notify=False))
    result = client.history("HIST-1", "HIST-2", "UKJENT")
    client.assert_valid_history()
    items = result.CorrespondenceStatusInformation.CorrespondenceStatusDetailsList.StatusV2
    assert sorted(s.SendersReference for s in items) == ["HIST-1", "HIST-2"]
    assert result.CorrespondenceStatusInformation.LimitReached is False
    assert sdp_details(result) == []
    by_reference = {c.senders_reference: c.id for c in emulator.correspondence_store.list_correspondences()}
    assert {s.SendersReference: s.CorrespondenceID for s in items} == {
        "HIST-1": by_reference["HIST-1"], "HIST-2": by_reference["HIST-2"]}


# -- faults ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", WITH_PASSWORD)
def test_wrong_password_is_altinn_fault_989(agency, emulator, flavour):
    client = agency(flavour, password="wrong")
    calls = {flavour.insert: lambda: client.insert("FEIL", correspondence()),
             flavour.details(3): lambda: client.details(3),
             flavour.history: lambda: client.history("FEIL")}  # header credentials
    for operation, call in calls.items():
        fault = client.fault(operation, call)
        assert fault.ErrorID == 989, operation
        assert fault.AltinnLocalizedErrorMessage == "Incorrect username/password/pin given for user"
    assert emulator.correspondence_store.list_correspondences() == []


INSERT_FAULTS = {
    "missing-title": (dict(title=None), 40003),
    "unknown-service": (dict(service=("9999", 1)), 40013),
    "service-of-another-owner": (dict(service=("9100", 1)), 5),  # ETT's
}


@pytest.mark.parametrize("case", sorted(INSERT_FAULTS))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_insert_domain_fault(agency, emulator, flavour, case):
    overrides, error_id = INSERT_FAULTS[case]
    client = agency(flavour)
    fault = client.fault(flavour.insert, lambda: client.insert("FEIL", correspondence(**overrides)))
    assert fault.ErrorID == error_id
    assert emulator.correspondence_store.list_correspondences() == []
    assert emulator.receipt_store.list_receipts() == []
    assert emulator.outbox.list_messages() == []


@pytest.mark.parametrize(("flavour", "version"), status_calls(1, 2, 3))
def test_status_details_domain_faults(agency, flavour, version):
    client = agency(flavour)
    operation = flavour.details(version)
    assert client.fault(operation, lambda: client.details(version, service=("9999", 1))).ErrorID == 40013
    assert client.fault(operation, lambda: client.details(version, service=("9100", 1))).ErrorID == 5


def test_create_simple_service_from_an_unknown_template_faults(agency, emulator):
    client = agency(BASIC)
    operation = "CreateSimpleCorrespondenceServiceBasic"
    fault = client.fault(operation, lambda: client.call(operation, templateServiceCode="1999",
                                                        templateServiceEditionCode=1))
    assert fault.ErrorID == 40013
    assert emulator.catalog.get_service("100001", 1) is None


@pytest.mark.parametrize("orgno", [pytest.param(None, id="no-certificate"),
                                   pytest.param(NOT_AN_OWNER, id="not-a-service-owner")])
def test_aec2_needs_the_certificate_of_a_service_owner(agency, emulator, orgno):
    client = agency(AEC2, orgno=orgno)
    for operation, call in {AEC2.insert: lambda: client.insert("AEC", correspondence()),
                            AEC2.details(3): lambda: client.details(3),
                            AEC2.history: lambda: client.history("AEC")}.items():
        assert client.fault(operation, call).ErrorID == 5, operation
    assert emulator.correspondence_store.list_correspondences() == []


def test_aec2_acts_as_the_organisation_of_the_certificate(agency, emulator):
    client = agency(AEC2, orgno=ETT_ORGNO)
    assert client.fault(AEC2.insert, lambda: client.insert("ETT-1", correspondence())).ErrorID == 5  # TTD's
    receipt = client.insert("ETT-1", correspondence(service=("9100", 1)))
    assert ("OwnerPartyReference", ETT_ORGNO) in references(receipt)
    (stored,) = emulator.correspondence_store.list_correspondences()
    assert (stored.owner, stored.system_user_code) == ("ETT", "ETT")


# -- our WSDLs against the real ones ------------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_binding_port_type_and_service_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_input_output_and_fault_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


# The 2017 EC WSDL predates the Preferred transports and the undocumented SdpOptions members (Title,
# NotSensitiveTitle, VisibleDateTime). Our EC serves today's contract, which is the EC2 one (same interface
# ICorrespondenceAgencyExternalEC); clients built from the 2017 file still work (the round trips above use
# only what it knows). So EC's signatures are compared with the real EC2 WSDL.
SIGNATURE_REFERENCE = {"ec": EC2}


@pytest.mark.parametrize(("flavour", "operation"), signature_cases(ALL))
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, SIGNATURE_REFERENCE.get(flavour.key, flavour), operation)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_extra_operations_are_exactly_the_documented_ones(base_url, flavour):
    real_view, our_view = views(base_url, flavour, SIGNATURE_REFERENCE.get(flavour.key, flavour))
    assert set(real_view) <= set(our_view), f"missing: {sorted(set(real_view) - set(our_view))}"
    assert set(our_view) - set(real_view) == flavour.extra_operations


# No real WS WSDL exists. By inference (docs/behaviour/faults-and-auth.md): WS is Basic with "Basic" removed from the operation
# and interface names, SOAP 1.2, and the credentials in wsse:UsernameToken, neither in the body nor in headers.
WS_OPERATIONS = {op: op.replace("Basic", "") for op in BASIC.operations}
WS_EXTRA = {"InsertCorrespondenceV3"}


@pytest.fixture
def ws_views(base_url):
    """(Basic view from the real WSDL, view of our WS WSDL)."""
    return real_operation_view(BASIC.contract), served_operation_view(base_url + WS_PATH + "?wsdl")


def test_ws_has_the_basic_operations_renamed_and_the_documented_extra(ws_views):
    _, our_view = ws_views
    assert set(our_view) == set(WS_OPERATIONS.values()) | WS_EXTRA


def test_ws_names_follow_the_basic_ones(base_url):
    expected = replace_strings(binding_names(real_client(BASIC.contract)), {
        "BasicHttpBinding_": "CustomBinding_", "CorrespondenceAgencyExternalBasic": "CorrespondenceAgencyExternal"})
    assert binding_names(our_wsdl_client(base_url, WS_PATH)) == expected


@pytest.mark.parametrize(("basic_operation", "ws_operation"), [
    pytest.param(basic, ws, id=ws) for basic, ws in sorted(WS_OPERATIONS.items())])
def test_ws_signature_is_basic_without_credentials(ws_views, basic_operation, ws_operation):
    basic_view, our_view = ws_views
    assert ws_operation in our_view, f"{ws_operation} is missing from our WS WSDL"
    expected = ws_view_from_basic(basic_view[basic_operation], interface="CorrespondenceAgencyExternal",
                                  basic_operation=basic_operation, ws_operation=ws_operation)
    diffs = diff_views(expected, our_view[ws_operation], ws_operation, labels=("expected", "ours"))
    assert not diffs, f"our WS {ws_operation} differs from Basic {basic_operation} without credentials:\n  " + \
        "\n  ".join(diffs)


def test_ws_status_history_has_no_credential_headers(ws_views):
    basic_view, our_view = ws_views
    assert {h["element"].rpartition("}")[2] for h in basic_view["GetCorrespondenceStatusHistoryBasic"]["input"][
        "headers"]} == {"SystemUserName", "SystemPassword"}
    assert our_view["GetCorrespondenceStatusHistory"]["input"]["headers"] == []
