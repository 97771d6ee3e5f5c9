"""Correspondence and receipts over the wire on every binding, with zeep built from OUR WSDLs."""

from __future__ import annotations

import pytest
import zeep
from zeep.wsse.username import UsernameToken

from altinn_so.services.correspondence.rules.model import CorrespondenceStatus
from support.soap import OLA, altinn_fault

CORRESPONDENCE = "/ServiceEngineExternal/CorrespondenceAgencyExternal{suffix}.svc"
RECEIPT = "/IntermediaryExternal/ReceiptAgencyExternal{suffix}.svc"
SUFFIX = {"basic": "Basic", "ws": "", "ec": "EC", "ec2": "EC2", "aec": "AEC", "aec2": "AEC2"}
OP_SUFFIX = {"basic": "Basic", "ws": "", "ec": "EC", "ec2": "EC", "aec": "AEC", "aec2": "AEC"}
ORGNO_HEADER = "X-Enterprise-Certificate-OrgNo"
TTD_ORGNO = "310001007"


class Client:
    """A zeep client for one binding that knows where that binding's credentials go."""

    def __init__(self, base_url: str, path: str, binding: str, password: str = "ttd-password",
                 orgno: str | None = TTD_ORGNO):
        self.binding = binding
        self.password = password
        wsse = UsernameToken("ttd-system", password) if binding == "ws" else None
        self.zeep = zeep.Client(base_url + path.format(suffix=SUFFIX[binding]) + "?wsdl", wsse=wsse)
        if binding.startswith("aec") and orgno:
            self.zeep.transport.session.headers[ORGNO_HEADER] = orgno

    def call(self, operation: str, version: int = 1, **kwargs):
        name = operation + OP_SUFFIX[self.binding] + (f"V{version}" if version > 1 else "")
        if self.binding in ("basic", "ec", "ec2"):
            kwargs = {"systemUserName": "ttd-system", "systemPassword": self.password, **kwargs}
        return getattr(self.zeep.service, name)(**kwargs)

    def insert(self, reference: str, version: int = 2, **correspondence):
        kwargs = {"ExternalShipmentReference": reference, "Correspondence": message(**correspondence)}
        if not self.binding.startswith("aec"):
            kwargs["SystemUserCode"] = "TTD_WIRE"
        name = {("ec", 2): "InsertCorrespondenceEC", ("ec2", 2): "InsertCorrespondenceEC"}.get((self.binding, version))
        if name:
            return getattr(self.zeep.service, name)(systemUserName="ttd-system", systemPassword=self.password,
                                                    **kwargs)
        return self.call("InsertCorrespondence", version, **kwargs)

    def history(self, *references: str):
        name = "GetCorrespondenceStatusHistory" + OP_SUFFIX[self.binding]
        options = {}
        if self.binding in ("basic", "ec", "ec2"):
            options["_soapheaders"] = {"SystemUserName": "ttd-system", "SystemPassword": self.password}
        return getattr(self.zeep.service, name)(CorrespondenceSendersReferences={"string": list(references)},
                                                **options)


def message(reportee=OLA, transport="Both", template="VarselDPVMedRevarsel", **extra) -> dict:
    return {
        "ServiceCode": "5678", "ServiceEdition": "1", "Reportee": reportee,
        "Content": {"LanguageCode": "1044", "MessageTitle": "Vedtak", "MessageSummary": "Du har fått vedtak",
                    "MessageBody": "<p>Hei</p>",
                    "Attachments": {"BinaryAttachments": {"BinaryAttachmentV2": [
                        {"FunctionType": "Unspecified", "FileName": "vedtak.pdf", "Name": "Vedtak",
                         "Encrypted": False, "Data": b"%PDF-1.4 vedtak"}]}}},
        "Notifications": {"Notification": [
            {"LanguageCode": "1044", "NotificationType": template,
             "TextTokens": {"TextToken": [{"TokenValue": "Testdepartementet"}]},
             "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": transport}]}}]},
        **extra,
    }


INSERT_BINDINGS = list(SUFFIX)


@pytest.mark.parametrize("binding", INSERT_BINDINGS)
def test_insert_then_status_details_and_history(base_url, emulator, clock, binding):
    client = Client(base_url, CORRESPONDENCE, binding)
    receipt = client.insert(f"REF-{binding}")
    assert (receipt.ReceiptStatusCode, receipt.ReceiptText, receipt.ReceiptTypeName) == (
        "OK", "Correspondence Saved Successfully", "Correspondence")
    assert {(r.ReferenceTypeName, r.ReferenceValue) for r in receipt.References.Reference} == {
        ("ExternalShipmentReference", f"REF-{binding}"), ("OwnerPartyReference", TTD_ORGNO)}

    (stored,) = emulator.correspondence_store.list_correspondences()
    assert (stored.reportee, stored.senders_reference, stored.binary_attachments[0].data) == (
        OLA, f"REF-{binding}", b"%PDF-1.4 vedtak")
    emulator.correspondence.read(stored.id)

    result = client.call("GetCorrespondenceStatusDetails", 3, filterCriteria={"ServiceCode": "5678",
                                                                              "ServiceEditionCode": 1})
    (status,) = result.CorrespondenceStatusInformation.CorrespondenceStatusDetailsList.StatusV2
    assert [c.StatusType for c in status.StatusChanges.StatusChangeV2] == ["Created", "Read"]
    sent = [n.SentDate is not None for n in status.Notifications.Notification]
    assert sent == [True, True, False, False]  # e-mail and SMS now, their reminders in 7 days

    (history,) = client.history(f"REF-{binding}").CorrespondenceStatusInformation \
        .CorrespondenceStatusDetailsList.StatusV2
    assert history.CorrespondenceID == stored.id


@pytest.mark.parametrize("binding", ["basic", "ws", "ec", "ec2"])
def test_status_details_v1_and_v2(base_url, emulator, binding):
    client = Client(base_url, CORRESPONDENCE, binding)
    client.insert("R1", reportee="17856230120", IsReservable=True)  # reserved in KRR
    v2 = client.call("GetCorrespondenceStatusDetails", 2, filterCriteria={"ServiceCode": "5678",
                                                                          "ServiceEditionCode": 1})
    assert [c.StatusType for c in v2.StatusList.StatusV2[0].StatusChanges.StatusChangeV2] == ["Created", "Reserved"]
    v1 = client.call("GetCorrespondenceStatusDetails", filterCriteria={"ServiceCode": "5678",
                                                                       "ServiceEditionCode": 1})
    assert [c.StatusType for c in v1.StatusList.Status[0].StatusChanges.StatusChange] == ["Created"]
    assert emulator.outbox.list_messages() == []


@pytest.mark.parametrize("binding", ["basic", "ws", "ec2", "aec2"])
def test_v3_insert_allows_priority_email_sms_reminder(base_url, emulator, binding):
    client = Client(base_url, CORRESPONDENCE, binding)
    client.insert("PRIO", version=3, transport="PriorityEmailSMSReminder")
    channels = [(m.channel.value, m.is_reminder) for m in emulator.outbox.list_messages()]
    assert channels == [("Email", False), ("SMS", True)]


def test_v2_refuses_priority_email_sms_reminder(base_url):
    client = Client(base_url, CORRESPONDENCE, "basic")
    with pytest.raises(zeep.exceptions.Fault):  # the 2009/10 TransportType does not know the value
        client.insert("PRIO", transport="PriorityEmailSMSReminder")


def test_v1_insert_on_basic_and_ws(base_url, emulator):
    for binding in ("basic", "ws"):
        client = Client(base_url, CORRESPONDENCE, binding)
        correspondence = message()
        correspondence["Content"]["Attachments"] = {"BinaryAttachments": {"BinaryAttachment": [
            {"FunctionType": "Invoice", "FileName": "f.pdf", "Name": "F", "Encrypted": False, "Data": b"x"}]}}
        receipt = client.call("InsertCorrespondence", SystemUserCode="TTD", ExternalReference=f"V1-{binding}",
                              Correspondence=correspondence)
        assert receipt.ReceiptStatusCode == "OK"
    stored = emulator.correspondence_store.list_correspondences()
    assert [c.binary_attachments[0].function_type for c in stored] == ["Invoice", "Invoice"]


@pytest.mark.parametrize("binding", ["basic", "ws"])
def test_create_simple_correspondence_service(base_url, emulator, binding):
    client = Client(base_url, CORRESPONDENCE, binding)
    info = client.call("CreateSimpleCorrespondenceService", templateServiceCode="2000", templateServiceEditionCode=1)
    assert info.ExternalServiceEditionCode == 1
    assert emulator.catalog.get_service(info.ExternalServiceCode, 1).owner == "TTD"


@pytest.mark.parametrize("binding", INSERT_BINDINGS)
def test_validation_errors_keep_their_ids(base_url, binding):
    client = Client(base_url, CORRESPONDENCE, binding)
    cases = [
        ({"ServiceCode": "9999"}, 40013),
        ({"ServiceCode": "9100"}, 5),  # ETT's service
        ({"Reportee": "999999999"}, 60012),
        ({"Reportee": "01879940008"}, 40011),
    ]
    for override, error_id in cases:
        with pytest.raises(zeep.exceptions.Fault) as caught:
            client.insert("BAD", **override)
        assert altinn_fault(client.zeep, caught.value)["ErrorID"] == error_id, override


@pytest.mark.parametrize("binding", ["basic", "ec2", "ws"])
def test_wrong_password_is_989_including_header_credentials(base_url, binding):
    client = Client(base_url, CORRESPONDENCE, binding, password="wrong")
    for attempt in (lambda: client.insert("X"), lambda: client.history("X")):
        with pytest.raises(zeep.exceptions.Fault) as caught:
            attempt()
        assert altinn_fault(client.zeep, caught.value)["ErrorID"] == 989


@pytest.mark.parametrize("binding", ["aec", "aec2"])
@pytest.mark.parametrize("orgno", [None, "310003018"])  # no certificate; an organisation that is no service owner
def test_aec_needs_a_service_owner_certificate(base_url, emulator, binding, orgno):
    client = Client(base_url, CORRESPONDENCE, binding, orgno=orgno)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.insert("AEC")
    assert altinn_fault(client.zeep, caught.value)["ErrorID"] == 5
    assert emulator.correspondence_store.list_correspondences() == []


def test_aec_acts_as_the_certificates_organisation(base_url, emulator):
    client = Client(base_url, CORRESPONDENCE, "aec2", orgno="310002003")  # ETT
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.insert("AEC")  # service 5678 is TTD's
    assert altinn_fault(client.zeep, caught.value)["ErrorID"] == 5
    receipt = client.insert("AEC", ServiceCode="9100")
    assert ("OwnerPartyReference", "310002003") in {(r.ReferenceTypeName, r.ReferenceValue)
                                                    for r in receipt.References.Reference}
    assert emulator.correspondence_store.list_correspondences()[0].system_user_code == "ETT"


@pytest.mark.parametrize("binding", ["basic", "ws", "ec", "ec2"])
def test_receipts_get_list_and_update(base_url, emulator, binding):
    correspondence = Client(base_url, CORRESPONDENCE, binding)
    inserted = correspondence.insert("RCPT-1")
    receipts = Client(base_url, RECEIPT, binding)

    by_reference = receipts.call("GetReceipt", 2, receipt={"References": {"Reference": [
        {"ReferenceType": "ExternalShipmentReference", "ReferenceValue": "RCPT-1"}]}})
    assert by_reference.ReceiptId == inserted.ReceiptId and by_reference.ReceiptStatus == "OK"
    legacy = receipts.call("GetReceipt", receipt={"ReceiptId": inserted.ReceiptId})
    assert legacy.ReceiptTypeName == "Correspondence"

    listed = receipts.call("GetReceiptList", 2, receiptTypeName="Correspondence")
    assert [r.ReceiptId for r in listed] == [inserted.ReceiptId]  # zeep unwraps the one-member ReceiptList

    updated = receipts.call("UpdateReceipt", receipt={"ReceiptId": inserted.ReceiptId, "ReceiptStatus": "OK",
                                                      "ReceiptText": "Arkivert hos TTD"})
    assert updated.ReceiptText == "Arkivert hos TTD"
    assert updated.ReceiptHistory.splitlines()[0].endswith(
        "- OK - Arkivert hos TTD (Receipt updated by AgencySystem: TTD)")
    saved = receipts.call("SaveReceipt", receipt={"ReceiptId": inserted.ReceiptId, "ReceiptStatusCode": "Rejected",
                                                  "ReceiptText": "Avvist"})
    assert saved.ReceiptStatusCode == "Rejected"
    assert emulator.receipt_store.get_receipt(inserted.ReceiptId).status.value == "Rejected"


@pytest.mark.parametrize("binding", ["basic", "ws", "ec2"])
def test_receipt_errors(base_url, binding):
    receipts = Client(base_url, RECEIPT, binding)
    cases = [
        (lambda: receipts.call("GetReceipt", 2, receipt={"ReceiptId": 4711}), 30008),
        (lambda: receipts.call("GetReceiptList", 2, receiptTypeName="NotSet"), 30101),
        (lambda: receipts.call("GetReceiptList", 2, receiptTypeName="Correspondence",
                               dateFrom="2026-03-02T12:00:00", dateTo="2026-03-01T12:00:00"), 30102),
        (lambda: receipts.call("UpdateReceipt", receipt={"ReceiptId": 1, "ArchiveReference": "AR1",
                                                         "ReceiptStatus": "OK", "ReceiptText": "x"}), 0),
    ]
    for attempt, error_id in cases:
        with pytest.raises(zeep.exceptions.Fault) as caught:
            attempt()
        assert altinn_fault(receipts.zeep, caught.value)["ErrorID"] == error_id


def test_a_correspondence_read_and_confirmed_by_the_end_user(base_url, emulator):
    client = Client(base_url, CORRESPONDENCE, "basic")
    client.insert("LIFE")
    (stored,) = emulator.correspondence_store.list_correspondences()
    emulator.correspondence.confirm(stored.id)
    assert emulator.correspondence_store.get_correspondence(stored.id).status is CorrespondenceStatus.CONFIRMED
    result = client.call("GetCorrespondenceStatusDetails", 3, filterCriteria={
        "ServiceCode": "5678", "ServiceEditionCode": 1, "CurrentStatus": "Confirmed"})
    (status,) = result.CorrespondenceStatusInformation.CorrespondenceStatusDetailsList.StatusV2
    assert [c.StatusType for c in status.StatusChanges.StatusChangeV2] == ["Created", "Read", "Confirmed"]


@pytest.mark.parametrize("binding", list(SUFFIX))
def test_the_system_user_code_is_a_parameter_except_where_the_certificate_alone_says_who_calls(binding):
    """InsertCorrespondence V2/V3 are declared once; the AEC bindings drop the SystemUserCode (real WSDLs)."""
    from altinn_so.services.correspondence.contract import CORRESPONDENCE_AGENCY_EXTERNAL

    endpoint = CORRESPONDENCE_AGENCY_EXTERNAL.endpoint(binding)
    inserts = {op.wire_name: [name for name, _ in op.params] for op in endpoint.operations
               if op.operation.name == "InsertCorrespondence" and op.operation.version > 1}
    expected = ["ExternalShipmentReference", "Correspondence"]
    if not binding.startswith("aec"):
        expected = ["SystemUserCode"] + expected
    assert inserts and all(params == expected for params in inserts.values()), inserts
