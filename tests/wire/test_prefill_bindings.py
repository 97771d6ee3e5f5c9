"""PreFill over the wire on every binding, with zeep built from OUR WSDL (docs/behaviour/prefill.md)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import zeep
from zeep.wsse.username import UsernameToken

from altinn_so.services.prefill.contract import PREFILL
from altinn_so.soap.contract import ServiceContract
from support.soap import OLA, altinn_fault

PATHS = {"basic": "PrefillBasic", "ws": "Prefill", "ec": "PreFillAgencyExternalEC", "ec2": "PreFillAgencyExternalEC2"}
OP_SUFFIX = {"basic": "Basic", "ws": "", "ec": "EC", "ec2": "EC"}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


class Client:
    """A zeep client of one binding that hides where the credentials go."""

    def __init__(self, base_url: str, binding: str, path: str | None = None):
        self.binding = binding
        wsse = UsernameToken("ttd-system", "ttd-password") if binding == "ws" else None
        url = base_url + "/ServiceEngineExternal/" + (path or PATHS[binding]) + ".svc"
        self.zeep = zeep.Client(url + "?wsdl", wsse=wsse)
        self.service = self.zeep.service

    def call(self, base: str, **kwargs):
        if self.binding != "ws":
            kwargs.update(systemUserName="ttd-system", systemPassword="ttd-password")
        return getattr(self.service, base + OP_SUFFIX[self.binding])(**kwargs)


def task(reportee: str = OLA, reference: str = "ship-1", **extra) -> dict:
    values = {
        "ExternalServiceCode": "5679", "ExternalServiceEditionCode": 1, "ExternalShipmentReference": reference,
        "PreFillForms": {"PrefillForm": [{"DataFormatID": "5703", "DataFormatVersion": 34301,
                                          "FormDataXML": "<Skjema/>", "SendersReference": "f"}]},
        "PreFillIdentityFields": {"PreFillIdentityFieldBE": [{"Index": "1", "FieldValue": reference}]},
        "Reportee": reportee, "ServiceOwnerCode": "TTD_PREFILL", "ValidFromDate": NOW,
        "ValidToDate": NOW + timedelta(days=10), "IsReservable": False,
        "PrefillNotifications": {"Notification": [{
            "LanguageCode": "1044", "NotificationType": "TokenTextOnly",
            "TextTokens": {"TextToken": [{"TokenValue": "Emne"}, {"TokenValue": "Tekst"}]},
            "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "SMS"}]}}]},
    }
    values.update(extra)
    return values


@pytest.mark.parametrize("binding", PATHS)
def test_submit_and_instantiate_on_every_binding(base_url, emulator, binding):
    client = Client(base_url, binding)
    receipt = client.call("SubmitAndInstantiatePrefilledFormTask", externalBatchId="b1", preFillFormTask=task(),
                          doSaveFormTask=True, doinstantiateFormTask=True, caseId=None,
                          dueDate=NOW + timedelta(days=5))
    assert (receipt.ReceiptTypeName, receipt.ReceiptStatusCode) == ("PreFill", "OK")
    [element] = emulator.reportee_elements.list_elements()
    assert element.due_at == NOW + timedelta(days=5)
    [stored] = emulator.prefill_store.list_sets()
    assert stored.identity_fields == (("1", "ship-1"),)
    [message] = emulator.outbox.list_messages()
    assert (message.address, message.body) == ("+4791234567", "Emne")


@pytest.mark.parametrize("binding", PATHS)
def test_submit_prefilled_form_tasks_on_every_binding(base_url, emulator, binding):
    client = Client(base_url, binding)
    receipt = client.call("SubmitPrefilledFormTasks", externalBatchId="b2", preFillFormTasksDetails={
        "PreFillFormTasklist": {"PrefillFormTask": [task(reference="a"), task(reference="b", Reportee="nobody")]},
        "SystemUserCode": "TTD_PREFILL"})
    assert receipt.ReceiptStatusCode == "OK" and receipt.ReceiptText.startswith("Received 2")  # processed later
    emulator.run_due_work()
    batch = emulator.receipt_store.get_receipt(receipt.ReceiptId)
    subs = emulator.receipt_store.children_of(receipt.ReceiptId)
    assert batch.status.value == "ValidationFailed"
    assert [s.status.value for s in subs] == ["OK", "ValidationFailed"] and "60012" in subs[1].text
    assert len(emulator.prefill_store.list_sets()) == 1 and emulator.outbox.list_messages() == []


@pytest.mark.parametrize("binding", PATHS)
def test_a_domain_error_is_an_altinn_fault(base_url, emulator, binding):
    client = Client(base_url, binding)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.call("SubmitAndInstantiatePrefilledFormTask", externalBatchId="b1",
                    preFillFormTask=task(ExternalServiceCode="5678"), doSaveFormTask=True,
                    doinstantiateFormTask=False)
    assert altinn_fault(client.zeep, caught.value)["ErrorID"] == 40019
    assert emulator.receipt_store.list_receipts() == []


def test_both_spellings_of_the_basic_path_are_served(base_url, emulator):
    for path in ("PrefillBasic", "PreFillBasic"):
        client = Client(base_url, "basic", path)
        assert client.call("SubmitAndInstantiatePrefilledFormTask", externalBatchId="b", preFillFormTask=task(
            reference=path), doSaveFormTask=True, doinstantiateFormTask=False).ReceiptStatusCode == "OK"
    assert len(emulator.prefill_store.list_sets()) == 2


def test_interfaces_may_differ_by_binding_family():
    assert PREFILL.endpoint("basic").port_type == "IPreFillExternalBasic"
    assert PREFILL.endpoint("ws").port_type == "IPreFillExternal"
    assert PREFILL.endpoint("ec").port_type == "IPreFillAgencyExternalEC"
    assert PREFILL.endpoint("ec2").port_type == "IPreFillAgencyExternalEC2"
    assert PREFILL.endpoint("ec2").operations[1].action.endswith("/IPreFillAgencyExternalEC/"
                                                                 "SubmitAndInstantiatePrefilledFormTaskEC")
    plain = ServiceContract(name="X", area="A", bindings=("basic", "ec"), namespaces={"basic": "urn:b", "ec": "urn:e"},
                            operations=(), interface="IY")
    assert plain.endpoint("ec").port_type == "IYEC"
