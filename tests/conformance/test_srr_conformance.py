"""RegisterSRRAgencyExternal against the real Basic contract, and WS, EC and EC2 by inference from it
(docs/behaviour/srr.md).

A zeep client built from the REAL Basic WSDL (read from ``../shared``, never copied here) calls GetRights, AddRights
and DeleteRights with the address pointed at the emulator; every response body is validated against the real
schema. No real WSDL exists for WS, EC or EC2: ours are compared with Basic as each binding transforms it, and
clients built from them call every operation. The emulator runs without client-certificate checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from zeep.wsse.username import UsernameToken

from altinn_so.domain.clock import local_time

from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_client, real_service
from support.wsdl_match import assert_actions_match, assert_names_match, views
from support.zeepview import binding_names, diff_views, operation_view, replace_strings, ws_view_from_basic

pytestmark = pytest.mark.conformance

CONTRACT = "basic/RegisterSRRAgencyExternalBasic.wsdl"
BASIC_PATH = "/RegisterExternal/RegisterSRRAgencyExternalBasic.svc"
OPERATIONS = ("GetRights", "AddRights", "DeleteRights")
ORG = "310003018"
OLA = "23917710120"
NEXT_YEAR = datetime(2027, 3, 2, 9, 0, tzinfo=timezone.utc)
CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}


class Basic:
    key, contract, path = "basic", CONTRACT, BASIC_PATH
    operations = {"Test"} | {op + "Basic" for op in OPERATIONS}


@pytest.fixture
def basic(base_url):
    return real_service(CONTRACT, base_url + BASIC_PATH)


def add(service, *items, code="4255", edition=10, credentials=CREDENTIALS):
    return service.AddRightsBasic(**credentials, serviceCode=code, serviceEditionCode=edition,
                                  insertRightList={"AddRightRequest": list(items)})


def item(reportee=ORG, right="Read", condition=None, valid_to=NEXT_YEAR, **extra):
    return {"Condition": condition, "Reportee": reportee, "Right": right, "ValidTo": valid_to, **extra}


# -- the real WSDL is what we think it is --------------------------------------------------------------

def test_real_wsdl_has_the_expected_operations():
    assert set(operation_view(real_client(CONTRACT))) == Basic.operations


# -- calling every operation of the real Basic WSDL ------------------------------------------------------

def test_add_get_and_delete_round_trip(basic, emulator):
    client, service = basic
    added = add(service, item(), item(OLA, "Write", "sender"), item(),
                item("123", "Read"), item(ORG, "Write", valid_to=datetime(2020, 1, 1, tzinfo=timezone.utc)),
                item(ORG, "None"))
    valid_response(client, CONTRACT, "AddRightsBasic", soap12=False)
    assert [a.OperationResult for a in (added or [])] == [
        "Ok", "Ok", "RuleAlreadyExists", "EmptyOrNotAValidSsnOrOrganisation", "RightAlreadyExpired", "Unknown"]
    assert [(a.Reportee, a.Right, a.Condition) for a in (added or [])][:2] == [
        (ORG, "Read", None), (OLA, "Write", "sender")]

    got = service.GetRightsBasic(**CREDENTIALS, serviceCode="4255", serviceEditionCode=10)
    valid_response(client, CONTRACT, "GetRightsBasic", soap12=False)
    # DateTimes are written in Norwegian time without an offset, as Altinn's servers write them
    oslo = local_time(NEXT_YEAR).replace(tzinfo=None)
    assert sorted((r.Reportee, r.Right, r.Condition, r.ValidTo.replace(tzinfo=None))
                  for r in (got or [])) == [(OLA, "Write", "sender", oslo), (ORG, "Read", None, oslo)]
    only_ola = service.GetRightsBasic(**CREDENTIALS, serviceCode="4255", serviceEditionCode=10, reportee=OLA)
    assert [r.Reportee for r in (only_ola or [])] == [OLA]

    deleted = service.DeleteRightsBasic(**CREDENTIALS, serviceCode="4255", serviceEditionCode=10, deleteRightList={
        "DeleteRightRequest": [{"Reportee": OLA, "Right": "Write", "Condition": "sender"},
                               {"Reportee": OLA, "Right": "Write"}, {"Reportee": "", "Right": "Read"}]})
    valid_response(client, CONTRACT, "DeleteRightsBasic", soap12=False)
    assert [d.OperationResult for d in (deleted or [])] == [
        "Ok", "RuleNotFound", "EmptyOrNotAValidSsnOrOrganisation"]
    assert [r.reportee for r in emulator.srr_store.list_rules()] == [ORG]


def test_get_rights_of_a_service_without_rules_is_an_empty_list(basic):
    client, service = basic
    got = service.GetRightsBasic(**CREDENTIALS, serviceCode="5678", serviceEditionCode=1, reportee=ORG)
    valid_response(client, CONTRACT, "GetRightsBasic", soap12=False)
    assert not got  # zeep reads the empty list as None or []


# -- faults ---------------------------------------------------------------------------------------------

def test_an_invalid_reportee_in_get_rights_is_450210(basic):
    client, service = basic
    fault = expect_altinn_fault(client, CONTRACT, "GetRightsBasic", lambda: service.GetRightsBasic(
        **CREDENTIALS, serviceCode="4255", serviceEditionCode=10, reportee="12345"), soap12=False)
    assert fault.ErrorID == 450210


def test_an_invalid_condition_is_450211_and_nothing_is_stored(basic, emulator):
    client, service = basic
    fault = expect_altinn_fault(client, CONTRACT, "AddRightsBasic", lambda: add(
        service, item(), item(condition="AllowedRedirectDomain:not a domain")), soap12=False)
    assert fault.ErrorID == 450211
    assert emulator.srr_store.list_rules() == []


@pytest.mark.parametrize(("operation", "arguments"), [
    ("GetRightsBasic", {}),
    ("AddRightsBasic", {"insertRightList": {"AddRightRequest": [item()]}}),
    ("DeleteRightsBasic", {"deleteRightList": {"DeleteRightRequest": [{"Reportee": ORG, "Right": "Read"}]}}),
])
def test_another_owners_service_is_fault_5(basic, emulator, operation, arguments):
    """9100/1 belongs to ETT: TTD may neither read nor change its rules."""
    client, service = basic
    fault = expect_altinn_fault(client, CONTRACT, operation, lambda: getattr(service, operation)(
        **CREDENTIALS, serviceCode="9100", serviceEditionCode=1, **arguments), soap12=False)
    assert fault.ErrorID == 5
    assert emulator.srr_store.list_rules() == []


def test_an_unknown_service_is_30003(basic):
    client, service = basic
    fault = expect_altinn_fault(client, CONTRACT, "GetRightsBasic", lambda: service.GetRightsBasic(
        **CREDENTIALS, serviceCode="9999", serviceEditionCode=1), soap12=False)
    assert fault.ErrorID == 30003


def test_a_wrong_password_is_989(basic):
    client, service = basic
    fault = expect_altinn_fault(client, CONTRACT, "GetRightsBasic", lambda: service.GetRightsBasic(
        systemUserName="ttd-system", systemPassword="wrong", serviceCode="4255", serviceEditionCode=10),
        soap12=False)
    assert fault.ErrorID == 989


# -- our Basic WSDL against the real one --------------------------------------------------------------------

def test_our_basic_names_match(base_url):
    assert_names_match(base_url, Basic)


def test_our_basic_actions_match(base_url):
    assert_actions_match(base_url, Basic)


@pytest.mark.parametrize("operation", sorted(Basic.operations))
def test_our_basic_signature_matches_the_real_one(base_url, operation):
    real_view, our_view = views(base_url, Basic, Basic)
    assert set(our_view) == set(real_view)
    diffs = diff_views(real_view[operation], our_view[operation], operation)
    assert not diffs, "\n  ".join(diffs)


# -- WS, EC and EC2: inferred from Basic ------------------------------------------------------------------

INFERRED = {
    # key: (path, operation suffix, names as they replace Basic's)
    "ws": ("/RegisterExternal/RegisterSRRAgencyExternal.svc", "", "RegisterSRRAgencyExternal"),
    "ec": ("/RegisterExternal/RegisterSRRAgencyExternalEC.svc", "EC", "RegisterSRRAgencyExternalEC"),
    "ec2": ("/RegisterExternal/RegisterSRRAgencyExternalEC2.svc", "EC", "RegisterSRRAgencyExternalEC2"),
}


def expected_view(key: str, basic_view: dict, basic_operation: str, operation: str) -> dict:
    """WS is Basic without "Basic" and without body credentials (``ws_view_from_basic``). EC and EC2 are Basic on
    SOAP 1.2 with the operations ending in EC, credentials kept in the body, EC2's actions naming the EC
    interface (as every EC2 contract does)."""
    if key == "ws":
        return ws_view_from_basic(basic_view, interface="RegisterSRRAgencyExternal",
                                  basic_operation=basic_operation, ws_operation=operation)
    view = replace_strings(basic_view, {"IRegisterSRRAgencyExternalBasic/": "IRegisterSRRAgencyExternalEC/",
                                        basic_operation: operation})
    view["soap"] = "1.2"
    return view


def inferred_cases():
    return [pytest.param(key, base + "Basic" if base != "Test" else base,
                         base + INFERRED[key][1] if base != "Test" else base, id=f"{key}-{base}")
            for key in INFERRED for base in ("Test",) + OPERATIONS]


@pytest.mark.parametrize(("key", "basic_operation", "operation"), inferred_cases())
def test_inferred_signature_follows_basic(base_url, key, basic_operation, operation):
    our_client, _ = our_service(base_url + INFERRED[key][0] + "?wsdl")
    basic_view, our_view = operation_view(real_client(CONTRACT)), operation_view(our_client)
    assert set(our_view) == {"Test"} | {op + INFERRED[key][1] for op in OPERATIONS}
    diffs = diff_views(expected_view(key, basic_view[basic_operation], basic_operation, operation),
                       our_view[operation], operation, labels=("expected", "ours"))
    assert not diffs, "\n  ".join(diffs)


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_names_follow_basic(base_url, key):
    our_client, _ = our_service(base_url + INFERRED[key][0] + "?wsdl")
    expected = replace_strings(binding_names(real_client(CONTRACT)), {
        "BasicHttpBinding_": "CustomBinding_", "RegisterSRRAgencyExternalBasic": INFERRED[key][2]})
    assert binding_names(our_client) == expected


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_bindings_serve_every_operation(base_url, emulator, key):
    path, suffix, _ = INFERRED[key]
    if key == "ws":
        _, service = our_service(base_url + path + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
        credentials = {}
    else:
        _, service = our_service(base_url + path + "?wsdl")
        credentials = CREDENTIALS
    common = {**credentials, "serviceCode": "4255", "serviceEditionCode": 10}
    added = getattr(service, "AddRights" + suffix)(**common, insertRightList={"AddRightRequest": [item()]})
    assert [a.OperationResult for a in (added or [])] == ["Ok"]
    got = getattr(service, "GetRights" + suffix)(**common, reportee=ORG)
    assert [(r.Reportee, r.Right) for r in (got or [])] == [(ORG, "Read")]
    deleted = getattr(service, "DeleteRights" + suffix)(**common, deleteRightList={
        "DeleteRightRequest": [{"Reportee": ORG, "Right": "Read"}]})
    assert [d.OperationResult for d in (deleted or [])] == ["Ok"]
    assert emulator.srr_store.list_rules() == []
    assert emulator.srr.rules_for("4255", 10, ORG, datetime.now(timezone.utc) - timedelta(days=1)) == []
