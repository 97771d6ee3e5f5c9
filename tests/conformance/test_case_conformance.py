"""CaseAgencySystem against the real EC and EC2 contracts, and Basic and WS by inference from EC2
(docs/behaviour/cases.md).

A zeep client built from each REAL WSDL (read from ``../shared``, never copied here) calls every operation with the
address pointed at the emulator; every response body is validated against the real schema. No real WSDL exists for
Basic or WS: ours are compared with EC2 as each binding transforms it, and clients built from them call the
operations. The end to end runs a case through its state machine with the real PreFill EC2 WSDL beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from zoneinfo import ZoneInfo
from zeep.wsse.username import UsernameToken

from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_client, real_service
from support.wsdl_match import assert_inferred_names, assert_inferred_signature, assert_actions_match, assert_names_match, assert_signature_matches
from support.zeepview import operation_view, replace_strings, ws_view_from_basic

pytestmark = pytest.mark.conformance

OLA = "23917710120"
KARI = "05838520067"
CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}
OPERATIONS = ("GetCaseListAgencySystem", "InstantiateCollaborationAgencySystem", "NotifyEventAgencySystem",
              "SetNoticeAgencySystem")


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str
    path: str
    operations = frozenset({"Test"} | {name + "EC" for name in OPERATIONS})


EC = Flavour("ec", "ec/CaseAgencySystemEC.wsdl", "/ServiceEngineExternal/CaseAgencySystemEC.svc")
EC2 = Flavour("ec2", "ec2/CaseAgencySystemEC2.wsdl", "/ServiceEngineExternal/CaseAgencySystemEC2.svc")
FLAVOURS = [pytest.param(f, id=f.key) for f in (EC, EC2)]


class Calls:
    """The four operations of one client, with the credentials and the response check of its contract."""

    def __init__(self, base_url: str, flavour: Flavour):
        self.flavour = flavour
        self.client, self.service = real_service(flavour.contract, base_url + flavour.path)

    def __call__(self, operation: str, **args):
        result = getattr(self.service, operation + "EC")(**CREDENTIALS, **args)
        valid_response(self.client, self.flavour.contract, operation + "EC", soap12=True)
        return result

    def fault(self, operation: str, **args) -> int:
        return expect_altinn_fault(self.client, self.flavour.contract, operation + "EC",
                                   lambda: getattr(self.service, operation + "EC")(**CREDENTIALS, **args),
                                   soap12=True).ErrorID

    def instantiate(self, reportee=OLA, code="5695", edition=1, **dates) -> int:
        return self("InstantiateCollaborationAgencySystem", externalServiceCode=code,
                    externalServiceEditionCode=edition, reporteeNumber=reportee, **dates)

    def notify(self, event, **info):
        return self("NotifyEventAgencySystem", notificationInfo={"Event": event, **info})

    def notice(self, element_id, template, **tokens):
        return self("SetNoticeAgencySystem", reporteeElementID=str(element_id), noticeInfo={
            "NoticeTemplateID": template,
            "NoticeTokens": {"NoticeTokenBE": [{"TokenKey": k, "TokenValue": v} for k, v in tokens.items()]}})

    def cases(self, **query) -> list:
        return list(self("GetCaseListAgencySystem", **query) or [])


@pytest.fixture
def calls(base_url):
    return lambda flavour: Calls(base_url, flavour)


def prefill_into_case(base_url, emulator, case_id: int) -> None:
    """A form task of 5679 for Ola, instantiated by the real PreFill EC2 client with the case's id."""
    client, service = real_service("ec2/PreFillAgencyExternalEC2.wsdl",
                                   base_url + "/ServiceEngineExternal/PreFillAgencyExternalEC2.svc")
    now = emulator.clock.now()
    receipt = service.SubmitAndInstantiatePrefilledFormTaskEC(
        **CREDENTIALS, externalBatchId="batch-1", doSaveFormTask=False, doinstantiateFormTask=True, caseId=case_id,
        preFillFormTask={
            "ExternalServiceCode": "5679", "ExternalServiceEditionCode": 1, "ExternalShipmentReference": "ship-1",
            "PreFillForms": {"PrefillForm": [{"DataFormatID": "5703", "DataFormatVersion": 34301,
                                              "FormDataXML": "<Skjema><Navn>Ola</Navn></Skjema>"}]},
            "Reportee": OLA, "SendersReference": "sender-1", "ServiceOwnerCode": "TTD_PREFILL",
            "ValidFromDate": now - timedelta(minutes=1), "ValidToDate": now + timedelta(days=30)})
    assert receipt.ReceiptStatusCode == "OK", receipt


# -- the end to end ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_case_runs_through_its_state_machine(base_url, emulator, calls, flavour):
    call = calls(flavour)
    case_id = call.instantiate()
    prefill_into_case(base_url, emulator, case_id)
    [element] = emulator.reportee_elements.list_elements()
    assert element.case_id == case_id

    # the end user submits: Submitted moves the case from Started to Received
    emulator.worklist.submit(element.id)
    [case] = call.cases(caseID=case_id, reporteeNumber=OLA, languageID=1033)
    assert (case.CaseID, case.CurrentStateName, case.CurrentStateFriendlyName, case.CurrentStateID,
            case.CaseName, case.IsArchived, case.NoticeTemplateID) == (
        case_id, "Received", "Received", 2, "Grant application (collaboration)", False, None)

    # Approve's condition fails until the notice says yes
    [refused] = call.notify("Approve", CaseID=case_id)
    assert (refused.CaseID, refused.IsStateChanged, refused.ConditionName, refused.ConditionEvaluationResult,
            refused.CurrentStateName, refused.HasException, refused.ErrorCode) == (
        case_id, False, "DecisionIsYes", False, "Received", False, 0)
    assert call.notice(case_id, "Decision", Decision="yes") is None
    [moved] = call.notify("Approve", CaseID=case_id)
    assert (moved.IsStateChanged, moved.ConditionEvaluationResult, moved.CurrentStateName,
            moved.CurrentStateFriendlyName, moved.CurrentStateID) == (True, True, "Approved", "Innvilget", 3)

    # each mode shows the state and the notice
    for query in ({"caseID": case_id, "reporteeNumber": OLA},
                  {"externalServiceCode": "5695", "externalServiceEditionCode": 1, "reporteeNumber": OLA},
                  {"externalServiceCode": "5695", "externalServiceEditionCode": 1}):
        assert [(c.CaseID, c.CurrentStateName, c.CurrentStateFriendlyName, c.NoticeTemplateID)
                for c in call.cases(**query)] == [(case_id, "Approved", "Innvilget", "Decision")], query

    # archived from the admin API: gone from the service's list, 60014 by its id
    emulator.case.archive(case_id)
    assert call.cases(externalServiceCode="5695", externalServiceEditionCode=1) == []
    assert call.fault("GetCaseListAgencySystem", caseID=case_id, reporteeNumber=OLA) == 60014


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_event_for_the_service_answers_for_every_running_case(emulator, calls, flavour):
    call = calls(flavour)
    first, second = call.instantiate(), call.instantiate(KARI)
    call.notify("Submitted", CaseID=second)
    results = call.notify("Withdraw", ExternalServiceCode="5695", ExternalServiceEditionCode=1)
    assert [(r.CaseID, r.IsStateChanged, r.CurrentStateName, r.ConditionEvaluationResult) for r in results] == [
        (first, True, "Withdrawn", True), (second, False, "Received", True)]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dates_of_a_case(emulator, calls, flavour):
    call = calls(flavour)
    visible = datetime(2027, 1, 4, 8, 0, tzinfo=timezone.utc)
    case_id = call.instantiate(visibleDateTime=visible, dueDate=visible + timedelta(days=14))
    [case] = call.cases(caseID=case_id)
    # Altinn wrote times in Norwegian time without an offset, as the emulator does
    oslo = ZoneInfo("Europe/Oslo")
    assert (case.VisibleDateTime.replace(tzinfo=oslo), case.DueDate.replace(tzinfo=oslo)) == (
        visible, visible + timedelta(days=14))


# -- faults --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_faults_of_instantiate_and_the_case_list(emulator, calls, flavour):
    call = calls(flavour)
    archived, deleted = call.instantiate(), call.instantiate()
    emulator.case.archive(archived)
    emulator.case.delete(deleted)
    assert call.fault("InstantiateCollaborationAgencySystem", externalServiceCode="5679",
                      externalServiceEditionCode=1, reporteeNumber=OLA) == 60002
    assert call.fault("InstantiateCollaborationAgencySystem", externalServiceCode="5695",
                      externalServiceEditionCode=1, reporteeNumber="310009999") == 60012
    assert call.fault("GetCaseListAgencySystem", caseID=999_999) == 60001
    assert call.fault("GetCaseListAgencySystem", reporteeNumber=OLA) == 60002
    assert call.fault("GetCaseListAgencySystem", externalServiceCode="5695", externalServiceEditionCode=1,
                      reporteeNumber="nobody") == 60012
    assert call.fault("GetCaseListAgencySystem", caseID=deleted) == 60015
    assert call.fault("GetCaseListAgencySystem", caseID=archived) == 60014


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_faults_of_notify_and_set_notice(emulator, calls, flavour):
    call = calls(flavour)
    case_id = call.instantiate()
    for info, code in [({"Event": "Submitted"}, 60022), ({"CaseID": case_id}, 60023),
                       ({"CaseID": case_id, "Event": "Fly"}, 60032), ({"CaseID": 999_999, "Event": "Submitted"}, 60001)]:
        assert call.fault("NotifyEventAgencySystem", notificationInfo=info) == code, info
    notice = {"NoticeTemplateID": "Decision", "NoticeTokens": {"NoticeTokenBE": [
        {"TokenKey": "Decision", "TokenValue": "yes"}]}}
    for element_id, info, code in [
        ("x1", notice, 60005), ("4242", notice, 60016), (str(case_id), {**notice, "NoticeTemplateID": "Nope"}, 60011),
        (str(case_id), {"NoticeTemplateID": "Decision"}, 60025),
        (str(case_id), {"NoticeTemplateID": "Decision", "NoticeTokens": {"NoticeTokenBE": [
            {"TokenKey": "Colour", "TokenValue": "red"}]}}, 60020),
        (str(case_id), {"NoticeTemplateID": "Decision", "NoticeTokens": {"NoticeTokenBE": [
            {"TokenKey": "Decision", "TokenValue": ""}]}}, 60021),
    ]:
        assert call.fault("SetNoticeAgencySystem", reporteeElementID=element_id, noticeInfo=info) == code, info


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_wrong_password_is_a_fault(base_url, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    fault = expect_altinn_fault(
        client, flavour.contract, "GetCaseListAgencySystemEC",
        lambda: service.GetCaseListAgencySystemEC(systemUserName="ttd-system", systemPassword="wrong", caseID=1),
        soap12=True)
    assert fault.ErrorID == 989


# -- our EC and EC2 WSDLs against the real ones --------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_real_wsdl_has_the_expected_operations(flavour):
    assert set(operation_view(real_client(flavour.contract))) == flavour.operations


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


@pytest.mark.parametrize("operation", sorted(Flavour.operations))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, flavour, operation)


# -- Basic and WS: inferred from EC2 -------------------------------------------------------------------------

INFERRED = {
    # key: (path, operation suffix, the interface's and service's name as it replaces EC2's)
    "basic": ("/ServiceEngineExternal/CaseAgencySystemExternalBasic.svc", "ExternalBasic",
              "CaseAgencySystemExternalBasic"),
    "ws": ("/ServiceEngineExternal/CaseAgencySystemExternal.svc", "External", "CaseAgencySystemExternal"),
}


def expected_view(key: str, ec2_view: dict, base: str) -> dict:
    """Basic is EC2 on SOAP 1.1 with the operations named ``…ExternalBasic`` and the actions naming the interface
    ``ICaseAgencySystemExternalBasic``. WS is that Basic without "Basic", its credentials in a UsernameToken."""
    ec2_operation = base + "EC" if base != "Test" else "Test"
    basic_operation = base + "ExternalBasic" if base != "Test" else "Test"
    basic = replace_strings(ec2_view, {"ICaseAgencySystemEC/": "ICaseAgencySystemExternalBasic/",
                                       ec2_operation: basic_operation})
    basic["soap"] = "1.1"
    if key == "basic":
        return basic
    return ws_view_from_basic(basic, interface="CaseAgencySystemExternal", basic_operation=basic_operation,
                              ws_operation=base + "External" if base != "Test" else "Test")


@pytest.mark.parametrize("base", ("Test",) + OPERATIONS)
@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_signature_follows_ec2(base_url, key, base):
    path, suffix, _ = INFERRED[key]
    operation = base + suffix if base != "Test" else "Test"
    ec2_operation = base + "EC" if base != "Test" else "Test"
    assert_inferred_signature(base_url, path, EC2.contract, ec2_operation, operation,
                              lambda view: expected_view(key, view, base),
                              {"Test"} | {name + suffix for name in OPERATIONS})


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_names_follow_ec2(base_url, key):
    assert_inferred_names(base_url, INFERRED[key][0], EC2.contract, key, {
        "ICaseAgencySystemEC2": "I" + INFERRED[key][2], "CaseAgencySystemEC2": INFERRED[key][2]})


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_bindings_run_a_case(base_url, emulator, key):
    path, suffix, _ = INFERRED[key]
    if key == "ws":
        _, service = our_service(base_url + path + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
        credentials = {}
    else:
        _, service = our_service(base_url + path + "?wsdl")
        credentials = CREDENTIALS
    case_id = getattr(service, "InstantiateCollaborationAgencySystem" + suffix)(
        **credentials, externalServiceCode="5695", externalServiceEditionCode=1, reporteeNumber=OLA)
    [result] = getattr(service, "NotifyEventAgencySystem" + suffix)(
        **credentials, notificationInfo={"CaseID": case_id, "Event": "Submitted"})
    assert (result.IsStateChanged, result.CurrentStateName) == (True, "Received")
    getattr(service, "SetNoticeAgencySystem" + suffix)(
        **credentials, reporteeElementID=str(case_id), noticeInfo={"NoticeTemplateID": "Decision", "NoticeTokens": {
            "NoticeTokenBE": [{"TokenKey": "Decision", "TokenValue": "yes"}]}})
    [case] = getattr(service, "GetCaseListAgencySystem" + suffix)(**credentials, caseID=case_id)
    assert (case.CurrentStateName, case.NoticeTemplateID) == ("Received", "Decision")
