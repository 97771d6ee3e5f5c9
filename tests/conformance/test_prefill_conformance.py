"""PreFill against the real Altinn contracts (Basic, EC, EC2, and WS by inference; docs/behaviour/prefill.md).

Clients are built by zeep from the REAL WSDLs (read from ``../shared``, never copied here) with the address
pointed at the emulator; every response body is validated against the real WSDL's schemas, and what the
emulator did is checked in its stores. Our own WSDLs are compared with the real ones operation by operation
(``support.zeepview``). The emulator runs without client-certificate checks (``WireSettings()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.domain.notifications.model import Channel
from support.contracts import expect_altinn_fault, our_service, real_client, real_service
from support.contracts import assert_valid_response as valid_response
from support.wsdl_match import assert_actions_match, assert_names_match, assert_signature_matches, signature_cases, views
from support.zeepview import binding_names, diff_views, operation_view, replace_strings, ws_view_from_basic

pytestmark = pytest.mark.conformance

OLA = "23917710120"  # e-mail and mobile in KRR
OLA_EMAIL = "ola.nordmann@example.no"
PER = "17856230120"  # reserved in KRR
TTD_ORGNO = "310001007"


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str  # path of the real WSDL under the contracts directory
    path: str  # our endpoint
    suffix: str  # operation suffix

    def op(self, base: str) -> str:
        return base + self.suffix

    @property
    def operations(self) -> set[str]:
        return {"Test", self.op("SubmitAndInstantiatePrefilledFormTask"), self.op("SubmitPrefilledFormTasks")}

    @property
    def soap12(self) -> bool:
        return self.key != "basic"


BASIC = Flavour("basic", "basic/PreFillBasic.wsdl", "/ServiceEngineExternal/PrefillBasic.svc", "Basic")
EC = Flavour("ec", "ec/PreFillAgencyExternalEC.wsdl", "/ServiceEngineExternal/PreFillAgencyExternalEC.svc", "EC")
EC2 = Flavour("ec2", "ec2/PreFillAgencyExternalEC2.wsdl", "/ServiceEngineExternal/PreFillAgencyExternalEC2.svc",
              "EC")
FLAVOURS = [pytest.param(f, id=f.key) for f in (BASIC, EC, EC2)]
WS_PATH = "/ServiceEngineExternal/Prefill.svc"


@pytest.fixture
def real(base_url):
    return lambda flavour, path=None: real_service(flavour.contract, base_url + (path or flavour.path))


def form_task(reportee: str = OLA, *, reference: str = "ship-1", notifications: bool = False, **extra) -> dict:
    """A PrefillFormTask for TTD's form service 5679/1, with only members every real WSDL knows."""
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    task = {
        "ExternalServiceCode": "5679", "ExternalServiceEditionCode": 1, "ExternalShipmentReference": reference,
        "PreFillForms": {"PrefillForm": [{"DataFormatID": "5703", "DataFormatVersion": 34301,
                                          "FormDataXML": "<Skjema><Navn>Ola</Navn></Skjema>",
                                          "SendersReference": "form-1"}]},
        "Reportee": reportee, "SendersReference": "sender-1", "ServiceOwnerCode": "TTD_PREFILL",
        "ValidFromDate": now, "ValidToDate": now + timedelta(days=30),
    }
    if notifications:
        task["PrefillNotifications"] = {"Notification": [{
            "LanguageCode": "1044", "NotificationType": "TokenTextOnly",
            "TextTokens": {"TextToken": [{"TokenValue": "Nytt skjema"}, {"TokenValue": "Logg inn"}]},
            "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "Email"}]}}]}
    task.update(extra)
    return task


def instantiate(service, flavour: Flavour, task: dict | None = None, **extra):
    return getattr(service, flavour.op("SubmitAndInstantiatePrefilledFormTask"))(
        systemUserName="ttd-system", systemPassword="ttd-password", externalBatchId="batch-1",
        preFillFormTask=task or form_task(), doSaveFormTask=True, doinstantiateFormTask=True, **extra)


def submit_tasks(service, flavour: Flavour, *tasks: dict):
    return getattr(service, flavour.op("SubmitPrefilledFormTasks"))(
        systemUserName="ttd-system", systemPassword="ttd-password", externalBatchId="batch-2",
        preFillFormTasksDetails={"PreFillFormTasklist": {"PrefillFormTask": list(tasks)},
                                 "SystemUserCode": "TTD_PREFILL"})


def references(receipt) -> dict:
    return {r.ReferenceTypeName: r.ReferenceValue for r in receipt.References.Reference}


# -- the real WSDLs are what we think they are ---------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_real_wsdl_has_the_expected_operations(flavour):
    assert set(operation_view(real_client(flavour.contract))) == flavour.operations


# -- calling every operation of the real WSDLs ---------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_submit_and_instantiate_round_trips(real, emulator, flavour):
    client, service = real(flavour)
    receipt = instantiate(service, flavour, form_task(notifications=True))
    valid_response(client, flavour.contract, flavour.op("SubmitAndInstantiatePrefilledFormTask"),
                   soap12=flavour.soap12)
    assert (receipt.ReceiptTypeName, receipt.ReceiptStatusCode) == ("PreFill", "OK")
    [element] = emulator.reportee_elements.list_elements()
    assert references(receipt) == {"ExternalShipmentReference": "ship-1", "SendersReference": "sender-1",
                                   "OwnerPartyReference": TTD_ORGNO, "BatchReference": "batch-1",
                                   "WorkFlowReference": str(element.id)}
    assert [s.reportee for s in emulator.prefill_store.list_sets()] == [OLA]
    # the notification, rendered in the outbox
    [message] = emulator.outbox.list_messages()
    assert (message.channel, message.address, message.subject, message.body) == (
        Channel.EMAIL, OLA_EMAIL, "Nytt skjema", "Logg inn")
    assert message.origin == f"reportee-element:{element.id}"


def test_the_basic_wsdls_own_address_is_served_too(real, emulator):
    """The real Basic WSDL's address says PreFillBasic.svc, the endpoint list PrefillBasic.svc: both answer."""
    client, service = real(BASIC, "/ServiceEngineExternal/PreFillBasic.svc")
    assert instantiate(service, BASIC).ReceiptStatusCode == "OK"


@pytest.mark.parametrize("flavour", [pytest.param(f, id=f.key) for f in (BASIC, EC2)])
def test_instantiated_on_behalf_of_and_due_date_reach_the_element(real, emulator, flavour):
    _, service = real(flavour)
    due = datetime(2026, 4, 1, 12, 0, tzinfo=timezone.utc)
    instantiate(service, flavour, dueDate=due, instantitedOnBehalfOf="310003018")
    [element] = emulator.reportee_elements.list_elements()
    assert element.due_at == due and element.on_behalf_of == "310003018"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_submit_prefilled_form_tasks_gives_each_entry_a_sub_receipt(real, base_url, emulator, flavour):
    """Received at once; the outcome comes later on the receipt found by the batch's id (D35)."""
    client, service = real(flavour)
    receipt = submit_tasks(service, flavour, form_task(reference="a"),
                           form_task(reference="b", ExternalServiceCode="9999"))
    valid_response(client, flavour.contract, flavour.op("SubmitPrefilledFormTasks"), soap12=flavour.soap12)
    assert (receipt.ReceiptTypeName, receipt.ReceiptStatusCode) == ("PreFill", "OK")
    assert receipt.ReceiptText.startswith("Received 2 prefilled form tasks") and not receipt.SubReceipts
    assert references(receipt)["BatchReference"] == "batch-2"
    assert emulator.prefill_store.list_sets() == []

    assert emulator.run_due_work() == 1  # what the server's scheduler does within a second
    _, receipts = real_service("basic/ReceiptAgencyExternalBasic.wsdl",
                               base_url + "/IntermediaryExternal/ReceiptAgencyExternalBasic.svc")
    polled = receipts.GetReceiptBasic(systemUserName="ttd-system", systemPassword="ttd-password", receipt={
        "References": {"Reference": [{"ReferenceTypeName": "BatchReference", "ReferenceValue": "batch-2"}]}})
    assert (polled.ReceiptId, polled.ReceiptStatusCode) == (receipt.ReceiptId, "ValidationFailed")
    subs = polled.SubReceipts.ReceiptExternal
    assert [s.ReceiptStatusCode for s in subs] == ["OK", "ValidationFailed"]
    assert [references(s)["ExternalShipmentReference"] for s in subs] == ["a", "b"]
    assert [s.shipment_reference for s in emulator.prefill_store.list_sets()] == ["a"]


@pytest.mark.parametrize("flavour", [pytest.param(f, id=f.key) for f in (BASIC, EC2)])  # EC's has no IsReservable
def test_a_reserved_person_gets_a_rejected_receipt(real, emulator, flavour):
    _, service = real(flavour)
    receipt = instantiate(service, flavour, form_task(PER, IsReservable=True))
    assert receipt.ReceiptStatusCode == "Rejected" and "reserved" in receipt.ReceiptText
    assert emulator.prefill_store.list_sets() == [] and emulator.reportee_elements.list_elements() == []


# -- faults ---------------------------------------------------------------------------------------------

FAULTS = {
    "unknown-service": (dict(ExternalServiceCode="9999"), 30003),
    "unknown-reportee": (dict(Reportee="ukjent_bruker"), 60012),
    "invalid-form": (dict(PreFillForms={"PrefillForm": [{"DataFormatID": "5703", "DataFormatVersion": 34301,
                                                          "FormDataXML": "<Skjema>", "SendersReference": "f"}]}),
                     40012),
}


@pytest.mark.parametrize("case", sorted(FAULTS))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_domain_fault(real, emulator, flavour, case):
    overrides, error_id = FAULTS[case]
    client, service = real(flavour)
    fault = expect_altinn_fault(client, flavour.contract, flavour.op("SubmitAndInstantiatePrefilledFormTask"),
                                lambda: instantiate(service, flavour, form_task(**overrides)), soap12=flavour.soap12)
    assert fault.ErrorID == error_id
    assert emulator.prefill_store.list_sets() == [] and emulator.receipt_store.list_receipts() == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_wrong_password_is_altinn_fault_989(real, emulator, flavour):
    client, service = real(flavour)
    operation = flavour.op("SubmitPrefilledFormTasks")

    def call():
        return getattr(service, operation)(systemUserName="ttd-system", systemPassword="wrong",
                                           externalBatchId="b", preFillFormTasksDetails={
                                               "PreFillFormTasklist": {"PrefillFormTask": [form_task()]},
                                               "SystemUserCode": "TTD_PREFILL"})
    fault = expect_altinn_fault(client, flavour.contract, operation, call, soap12=flavour.soap12)
    assert fault.ErrorID == 989


# -- our WSDLs against the real ones ----------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_binding_port_type_and_service_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_input_output_and_fault_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


# The older EC WSDL lacks instantitedOnBehalfOf; our EC serves the superset, which is the EC2 contract (same
# interface IPreFillAgencyExternalEC). Clients built from the EC file still work (the round trips above).
SIGNATURE_REFERENCE = {"ec": EC2}


@pytest.mark.parametrize(("flavour", "operation"), signature_cases((BASIC, EC, EC2)))
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, SIGNATURE_REFERENCE.get(flavour.key, flavour), operation)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_we_offer_exactly_the_real_operations(base_url, flavour):
    real_view, our_view = views(base_url, flavour, flavour)
    assert set(our_view) == set(real_view)


# No real WS WSDL exists: WS is Basic with "Basic" removed from the operation and interface names, SOAP 1.2, and
# the credentials in wsse:UsernameToken, not the body.
WS_OPERATIONS = {"Test": "Test"} | {BASIC.op(b): b for b in ("SubmitAndInstantiatePrefilledFormTask",
                                                             "SubmitPrefilledFormTasks")}


@pytest.fixture
def ws_views(base_url):
    our_client, _ = our_service(base_url + WS_PATH + "?wsdl")
    return operation_view(real_client(BASIC.contract)), operation_view(our_client)


def test_ws_names_follow_the_basic_ones(base_url):
    our_client, _ = our_service(base_url + WS_PATH + "?wsdl")
    expected = replace_strings(binding_names(real_client(BASIC.contract)), {
        "BasicHttpBinding_": "CustomBinding_", "PreFillExternalBasic": "PreFillExternal"})
    assert binding_names(our_client) == expected


@pytest.mark.parametrize(("basic_operation", "ws_operation"), [
    pytest.param(basic, ws, id=ws) for basic, ws in WS_OPERATIONS.items()])
def test_ws_signature_is_basic_without_body_credentials(ws_views, basic_operation, ws_operation):
    basic_view, our_view = ws_views
    assert set(our_view) == set(WS_OPERATIONS.values())
    expected = ws_view_from_basic(basic_view[basic_operation], interface="PreFillExternal",
                                  basic_operation=basic_operation, ws_operation=ws_operation)
    diffs = diff_views(expected, our_view[ws_operation], ws_operation, labels=("expected", "ours"))
    assert not diffs, "\n  ".join(diffs)
