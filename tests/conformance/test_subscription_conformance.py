"""Subscription against the real Altinn contracts (Basic, EC, EC2, and WS by inference;
docs/behaviour/subscription.md).

Clients are built by zeep from the REAL WSDLs (read from ``../shared``, never copied here) with the address pointed
at the emulator; every response body is validated against the real WSDL's schemas, and what the emulator did is
checked in its stores. The WS binding has no real WSDL: zeep builds its client from ours, which must be Basic's with
"Basic" removed and the credentials in the UsernameToken. Our WSDLs are compared with the real ones operation by
operation (``support.zeepview``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from zeep.wsse.username import UsernameToken

from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_client, real_service
from support.wsdl_match import assert_actions_match, assert_names_match, assert_signature_matches, signature_cases, views
from support.zeepview import binding_names, diff_views, operation_view, replace_strings, ws_view_from_basic

pytestmark = pytest.mark.conformance

OLA = "23917710120"
ORG = "310003018"
TTD_ORGNO = "310001007"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # the tests' frozen clock
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str  # path of the real WSDL under the contracts directory
    path: str  # our endpoint
    suffix: str  # operation suffix
    identity_member: str  # the identity fields' list member, which the two contract families name differently

    def op(self, base: str) -> str:
        return base + self.suffix

    @property
    def operations(self) -> set[str]:
        return {"Test", self.op("SubmitSubscription")}

    @property
    def soap12(self) -> bool:
        return self.key != "basic"


BASIC = Flavour("basic", "basic/SubscriptionBasic.wsdl", "/ServiceEngineExternal/SubscriptionBasic.svc", "Basic",
                "SubscriptionIdentityFieldExternal")
EC = Flavour("ec", "ec/SubscriptionAgencyExternalEC.wsdl", "/ServiceEngineExternal/SubscriptionAgencyExternalEC.svc",
             "EC", "SubscriptionIdentityField")
EC2 = Flavour("ec2", "ec2/SubscriptionAgencyExternalEC2.wsdl",
              "/ServiceEngineExternal/SubscriptionAgencyExternalEC2.svc", "EC", "SubscriptionIdentityField")
FLAVOURS = [pytest.param(f, id=f.key) for f in (BASIC, EC, EC2)]
WS_PATH = "/ServiceEngineExternal/Subscription.svc"


@pytest.fixture
def real(base_url):
    return lambda flavour: real_service(flavour.contract, base_url + flavour.path)


def entry(reportee: str = OLA, **extra) -> dict:
    """A monthly Subscription of TTD's form service 5679/1, first due a day from now, with only members every
    real WSDL knows."""
    values = {
        "ExternalServiceCode": "5679", "ExternalServiceEditionCode": 1, "ReporteeId": reportee,
        "StartDate": NOW, "NextScheduleDate": NOW + DAY, "NextDueDate": NOW + 15 * DAY,
        "ExpirationDate": NOW + 40 * DAY, "SubscriptionPeriodType": "Monthly",
    }
    values.update(extra)
    return values


def submit(service, flavour: Flavour, *entries: dict, credentials: bool = True, batch: str = "batch-1",
           system_user_code: str = "TTD_SUBSCRIPTION"):
    kwargs = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"} if credentials else {}
    return getattr(service, flavour.op("SubmitSubscription"))(
        externalBatchId=batch, subscriptionDetails={"Subscriptionlist": {"Subscription": list(entries or [entry()])},
                                                    "SystemUserCode": system_user_code}, **kwargs)


def references(receipt) -> dict:
    return {r.ReferenceTypeName: r.ReferenceValue for r in receipt.References.Reference}


def prefilled_set(emulator, identity: str, xml: str) -> None:
    from altinn_so.services.prefill.rules import InstantiateOptions, PrefillFormRequest, PrefillTaskRequest

    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=_password_mode())
    emulator.prefill.submit(caller, "p", PrefillTaskRequest(
        service_code="5679", service_edition=1, shipment_reference="s", reportee=OLA, system_user_code="TTD_P",
        valid_from=NOW, valid_to=NOW + 90 * DAY, forms=[PrefillFormRequest("5703", 34301, xml)],
        identity_fields=[("1", identity)]), InstantiateOptions(save=True))


def _password_mode():
    from altinn_so.domain.auth import AuthMode

    return AuthMode.PASSWORD


# -- the real WSDLs are what we think they are ---------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_real_wsdl_has_the_expected_operations(flavour):
    assert set(operation_view(real_client(flavour.contract))) == flavour.operations


# -- calling the real WSDLs' operation -----------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_submit_subscription_round_trips_and_activates_with_the_clock(real, emulator, flavour):
    prefilled_set(emulator, "2026-Q1", "<Skjema><Navn>Q1</Navn></Skjema>")
    client, service = real(flavour)
    receipt = submit(service, flavour, entry(IdentityFields={flavour.identity_member: [{"FieldValue": "2026-Q1"}]},
                                             VisibleDate=NOW + DAY / 2))
    valid_response(client, flavour.contract, flavour.op("SubmitSubscription"), soap12=flavour.soap12)
    assert (receipt.ReceiptTypeName, receipt.ReceiptStatusCode) == ("Subscription", "OK")
    assert references(receipt) == {"BatchReference": "batch-1", "OwnerPartyReference": TTD_ORGNO}
    [stored] = emulator.subscription_store.list_subscriptions()
    [sub] = receipt.SubReceipts.ReceiptExternal
    assert (sub.ReceiptStatusCode, sub.ParentReceiptId) == ("OK", receipt.ReceiptId)
    assert references(sub) == {"ReceiversReference": str(stored.id), "OwnerPartyReference": TTD_ORGNO}
    assert (stored.identity_values, stored.first_visible_at) == (("2026-Q1",), NOW + DAY / 2)
    # the clock over two periods: two form tasks, then the ExpirationDate ends it
    emulator.change_clock(lambda clock: clock.advance(60 * DAY))
    elements = [e for e in emulator.reportee_elements.elements_of(OLA) if e.origin == f"subscription:{stored.id}"]
    assert [e.forms[0].form_data_xml for e in elements] == ["<Skjema><Navn>Q1</Navn></Skjema>"] * 2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_each_subscription_gets_a_sub_receipt(real, emulator, flavour):
    client, service = real(flavour)
    receipt = submit(service, flavour, entry(), entry(ExternalServiceCode="9999"), entry(ORG))
    valid_response(client, flavour.contract, flavour.op("SubmitSubscription"), soap12=flavour.soap12)
    assert (receipt.ReceiptStatusCode, receipt.ReceiptText) == ("ValidationFailed", "2 of 3 subscriptions accepted")
    subs = receipt.SubReceipts.ReceiptExternal
    assert [s.ReceiptStatusCode for s in subs] == ["OK", "ValidationFailed", "OK"]
    assert subs[1].ReceiptText.startswith("ErrorID 30003: ")
    assert [s.reportee for s in emulator.subscription_store.list_subscriptions()] == [OLA, ORG]


# The refused subscriptions a real client can send (the wire's own types already refuse a missing member of EC).
ENTRY_FAULTS = {
    "unknown-reportee": (dict(ReporteeId="ukjent_bruker"), 60012),
    "correspondence-service": (dict(ExternalServiceCode="5678"), 40019),
    "due-before-schedule": (dict(NextDueDate=NOW), 0),
    "no-prefilled-set": (dict(IdentityFields="missing"), 40012),
    "case": (dict(CaseId=12), 60001),
}


@pytest.mark.parametrize("case", sorted(ENTRY_FAULTS))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_refused_subscription_is_a_validation_failed_sub_receipt(real, emulator, flavour, case):
    changes, error_id = ENTRY_FAULTS[case]
    if changes.get("IdentityFields") == "missing":
        changes = {"IdentityFields": {flavour.identity_member: [{"FieldValue": "no such set"}]}}
    client, service = real(flavour)
    receipt = submit(service, flavour, entry(**changes))
    valid_response(client, flavour.contract, flavour.op("SubmitSubscription"), soap12=flavour.soap12)
    [sub] = receipt.SubReceipts.ReceiptExternal
    assert (receipt.ReceiptStatusCode, sub.ReceiptStatusCode) == ("ValidationFailed", "ValidationFailed")
    assert sub.ReceiptText.startswith(f"ErrorID {error_id}: ")
    assert emulator.subscription_store.list_subscriptions() == []


CALL_FAULTS = {
    "no-batch-id": (dict(batch=""), 40005),
    "foreign-system-user-code": (dict(system_user_code="ETT_X"), 40008),
}


@pytest.mark.parametrize("case", sorted(CALL_FAULTS))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_refused_call_is_an_altinn_fault(real, emulator, flavour, case):
    changes, error_id = CALL_FAULTS[case]
    client, service = real(flavour)
    fault = expect_altinn_fault(client, flavour.contract, flavour.op("SubmitSubscription"),
                                lambda: submit(service, flavour, **changes), soap12=flavour.soap12)
    assert fault.ErrorID == error_id
    assert emulator.subscription_store.list_subscriptions() == [] and emulator.receipt_store.list_receipts() == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_empty_list_is_altinn_fault_30004(real, emulator, flavour):
    client, service = real(flavour)

    def call():
        return getattr(service, flavour.op("SubmitSubscription"))(
            systemUserName="ttd-system", systemPassword="ttd-password", externalBatchId="b",
            subscriptionDetails={"Subscriptionlist": {"Subscription": []}, "SystemUserCode": "TTD_S"})
    fault = expect_altinn_fault(client, flavour.contract, flavour.op("SubmitSubscription"), call,
                                soap12=flavour.soap12)
    assert fault.ErrorID == 30004


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_wrong_password_is_altinn_fault_989(real, emulator, flavour):
    client, service = real(flavour)

    def call():
        return getattr(service, flavour.op("SubmitSubscription"))(
            systemUserName="ttd-system", systemPassword="wrong", externalBatchId="b",
            subscriptionDetails={"Subscriptionlist": {"Subscription": [entry()]}, "SystemUserCode": "TTD_S"})
    fault = expect_altinn_fault(client, flavour.contract, flavour.op("SubmitSubscription"), call,
                                soap12=flavour.soap12)
    assert fault.ErrorID == 989


# -- WS: no real WSDL; zeep from ours ------------------------------------------------------------------------

def test_ws_end_to_end_with_zeep_from_our_wsdl(base_url, emulator):
    _, service = our_service(base_url + WS_PATH + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
    receipt = submit(service, Flavour("ws", "", WS_PATH, "", "SubscriptionIdentityFieldExternal"), entry(),
                     entry(ReporteeId=None), credentials=False)
    assert (receipt.ReceiptTypeName, receipt.ReceiptStatusCode) == ("Subscription", "ValidationFailed")
    assert [s.ReceiptText[:12] for s in receipt.SubReceipts.ReceiptExternal] == [
        "Subscription", "ErrorID 4000"]
    assert len(emulator.subscription_store.list_subscriptions()) == 1


# -- our WSDLs against the real ones ----------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_binding_port_type_and_service_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_input_output_and_fault_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


# The older EC WSDL lacks EC2's ServiceEditionId; our EC serves the superset, which is the EC2 contract (same
# interface ISubscriptionAgencyExternalEC). Clients built from the EC file still work (the round trips above).
SIGNATURE_REFERENCE = {"ec": EC2}


@pytest.mark.parametrize(("flavour", "operation"), signature_cases((BASIC, EC, EC2)))
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, SIGNATURE_REFERENCE.get(flavour.key, flavour), operation)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_we_offer_exactly_the_real_operations(base_url, flavour):
    real_view, our_view = views(base_url, flavour, flavour)
    assert set(our_view) == set(real_view)


WS_OPERATIONS = {"Test": "Test", "SubmitSubscriptionBasic": "SubmitSubscription"}


def test_ws_names_follow_the_basic_ones(base_url):
    our_client, _ = our_service(base_url + WS_PATH + "?wsdl")
    expected = replace_strings(binding_names(real_client(BASIC.contract)), {
        "BasicHttpBinding_": "CustomBinding_", "SubscriptionExternalBasic": "SubscriptionExternal"})
    assert binding_names(our_client) == expected


@pytest.mark.parametrize(("basic_operation", "ws_operation"), [
    pytest.param(basic, ws, id=ws) for basic, ws in WS_OPERATIONS.items()])
def test_ws_signature_is_basic_without_body_credentials(base_url, basic_operation, ws_operation):
    our_client, _ = our_service(base_url + WS_PATH + "?wsdl")
    basic_view, our_view = operation_view(real_client(BASIC.contract)), operation_view(our_client)
    assert set(our_view) == set(WS_OPERATIONS.values())
    expected = ws_view_from_basic(basic_view[basic_operation], interface="SubscriptionExternal",
                                  basic_operation=basic_operation, ws_operation=ws_operation)
    diffs = diff_views(expected, our_view[ws_operation], ws_operation, labels=("expected", "ours"))
    assert not diffs, "\n  ".join(diffs)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dotnet_min_value_dates_are_not_set(real, emulator, flavour):
    """A .NET proxy sends DateTime.MinValue for a DateTime it never set: no ExpirationDate, no VisibleDate."""
    _, service = real(flavour)
    unset = datetime(1, 1, 1)
    receipt = submit(service, flavour, entry(ExpirationDate=unset, VisibleDate=unset))
    assert receipt.ReceiptStatusCode == "OK"
    [stored] = emulator.subscription_store.list_subscriptions()
    assert (stored.expires_at, stored.first_visible_at) == (None, None)
