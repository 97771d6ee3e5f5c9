"""AuthorizationAdministrationExternal against the real EC and EC2 contracts, and WS by inference
(docs/behaviour/authorization.md).

A zeep client built from each REAL WSDL (read from ``../shared``, never copied here) calls GetReporteesEC,
GetReporteeByTempKeyEC and, on EC2, LogConsentUsage with the address pointed at the emulator; every response body
is validated against the real schema. No real WSDL exists for WS: ours is compared with EC2 as the WS binding
transforms it, and a client built from it calls every operation, GetRoles (WS only) included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from zeep.wsse.username import UsernameToken

from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_client, real_service
from support.wsdl_match import assert_actions_match, assert_names_match, assert_signature_matches, views
from support.zeepview import operation_view, replace_strings, without_children

pytestmark = pytest.mark.conformance

CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}
OLA, KARI, PER, LISE = "23917710120", "05838520067", "17856230120", "30819040083"
EKSEMPEL, BERGEN, BARE_EPOST = "310003018", "310004006", "310005002"
CODE = "f0e1d2c3-b4a5-4697-8899-aabbccddeeff"


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str
    path: str
    operations: frozenset


EC = Flavour("ec", "ec/AuthorizationAdministrationExternalEC.wsdl",
             "/AuthorizationExternal/AdministrationExternalEC.svc",
             frozenset({"Test", "GetReporteesEC", "GetReporteeByTempKeyEC"}))
EC2 = Flavour("ec2", "ec2/AuthorizationAdministrationExternalEC2.wsdl",
              "/AuthorizationExternal/AdministrationExternalEC2.svc",
              frozenset({"Test", "GetReporteesEC", "GetReporteeByTempKeyEC", "LogConsentUsage"}))
FLAVOURS = [pytest.param(f, id=f.key) for f in (EC, EC2)]
WS_PATH = "/AuthorizationExternal/AdministrationExternal.svc"


def numbers(reportees) -> list[str]:
    return [r.SSN or r.OrganizationNumber for r in (reportees or [])]


def test_the_real_wsdls_have_the_expected_operations():
    for flavour in (EC, EC2):
        assert set(operation_view(real_client(flavour.contract))) == flavour.operations


# -- GetReporteesEC -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_get_reportees_lists_the_user_and_his_parties(base_url, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    found = service.GetReporteesEC(**CREDENTIALS, userSSN=OLA)
    valid_response(client, flavour.contract, "GetReporteesEC", soap12=True)
    assert [(r.Name, r.ReporteeType, r.SSN, r.OrganizationNumber) for r in found] == [
        ("Ola Testmann Nordmann", "Person", OLA, None), ("Eksempel AS", "Organization", None, EKSEMPEL),
        ("Bare Epost ANS", "Organization", None, BARE_EPOST)]
    with_units = service.GetReporteesEC(**CREDENTIALS, userSSN=OLA, retrieveInActiveReportee=True,
                                        retrieveSubEnitiy=True, maximumReporteeCount=3)
    valid_response(client, flavour.contract, "GetReporteesEC", soap12=True)
    assert numbers(with_units) == [OLA, EKSEMPEL, BERGEN]


@pytest.mark.parametrize(("user", "expected"), [(LISE, []), (PER, [PER])])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_get_reportees_follows_the_consents(base_url, flavour, user, expected):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    assert numbers(service.GetReporteesEC(**CREDENTIALS, userSSN=user, retrieveSubEnitiy=True)) == expected
    valid_response(client, flavour.contract, "GetReporteesEC", soap12=True)


@pytest.mark.parametrize(("arguments", "error_id"), [
    ({}, 30004), ({"userSSN": "12345678901"}, 40016), ({"userSSN": "01017010170"}, 60012),
    ({"userSSN": OLA, "maximumReporteeCount": -1}, 0)])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_get_reportees_refusals(base_url, flavour, arguments, error_id):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    fault = expect_altinn_fault(client, flavour.contract, "GetReporteesEC",
                                lambda: service.GetReporteesEC(**CREDENTIALS, **arguments), soap12=True)
    assert fault.ErrorID == error_id


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_wrong_password_is_989(base_url, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    fault = expect_altinn_fault(client, flavour.contract, "GetReporteesEC", lambda: service.GetReporteesEC(
        systemUserName="ttd-system", systemPassword="wrong", userSSN=OLA), soap12=True)
    assert fault.ErrorID == 989


# -- GetReporteeByTempKeyEC ---------------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_temp_key_works_once(base_url, emulator, flavour):
    key = emulator.authorization_administration.mint_temp_key(OLA, BERGEN).key
    client, service = real_service(flavour.contract, base_url + flavour.path)
    found = service.GetReporteeByTempKeyEC(**CREDENTIALS, tempKey=key)
    valid_response(client, flavour.contract, "GetReporteeByTempKeyEC", soap12=True)
    assert (found.Name, found.ReporteeType, found.OrganizationNumber, found.SSN) == (
        "Eksempel AS avd. Bergen", "Organization", BERGEN, None)
    fault = expect_altinn_fault(client, flavour.contract, "GetReporteeByTempKeyEC",
                                lambda: service.GetReporteeByTempKeyEC(**CREDENTIALS, tempKey=key), soap12=True)
    assert (fault.ErrorID, "used already" in fault.AltinnErrorMessage) == (0, True)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_expired_unknown_or_missing_temp_key_is_a_fault(base_url, emulator, flavour):
    key = emulator.authorization_administration.mint_temp_key(KARI, minutes=1).key
    emulator.clock.advance(timedelta(minutes=1))
    client, service = real_service(flavour.contract, base_url + flavour.path)
    for given, error_id, said in ((key, 0, "expired"), ("00000000-0000-0000-0000-000000000000", 0, "not valid"),
                                  (None, 30004, "required")):
        fault = expect_altinn_fault(client, flavour.contract, "GetReporteeByTempKeyEC",
                                    lambda: service.GetReporteeByTempKeyEC(**CREDENTIALS, tempKey=given), soap12=True)
        assert (fault.ErrorID, said in fault.AltinnErrorMessage) == (error_id, True)


# -- LogConsentUsage (EC2) ----------------------------------------------------------------------------------

def test_log_consent_usage_is_kept(base_url, emulator):
    client, service = real_service(EC2.contract, base_url + EC2.path)
    used = datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)
    assert service.LogConsentUsage(**CREDENTIALS, serviceCode="4255", serviceEditionCode=10, dataConsumer=EKSEMPEL,
                                   authorizationCode=CODE, usageDateTime=used) is None
    valid_response(client, EC2.contract, "LogConsentUsage", soap12=True)
    [usage] = emulator.consent_usages.list_usages()
    assert (usage.owner, usage.service_code, usage.service_edition, usage.data_consumer, usage.authorization_code,
            usage.used_at) == ("TTD", "4255", 10, EKSEMPEL, CODE, used)


@pytest.mark.parametrize(("changes", "error_id"), [
    ({"serviceCode": "9999"}, 30003), ({"dataConsumer": "123"}, 60012), ({"serviceCode": ""}, 30004)])
def test_log_consent_usage_refusals(base_url, emulator, changes, error_id):
    client, service = real_service(EC2.contract, base_url + EC2.path)
    arguments = {"serviceCode": "4255", "serviceEditionCode": 10, "dataConsumer": EKSEMPEL,
                 "authorizationCode": CODE} | changes
    fault = expect_altinn_fault(client, EC2.contract, "LogConsentUsage",
                                lambda: service.LogConsentUsage(**CREDENTIALS, **arguments), soap12=True)
    assert fault.ErrorID == error_id
    assert emulator.consent_usages.list_usages() == []


# -- our EC and EC2 WSDLs against the real ones -------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


@pytest.mark.parametrize(("flavour", "operation"), [pytest.param(f, op, id=f"{f.key}-{op}") for f in (EC, EC2)
                                                    for op in sorted(f.operations)])
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, flavour, operation)
    real_view, our_view = views(base_url, flavour, flavour)
    assert set(our_view) == set(real_view)


# -- WS: inferred -------------------------------------------------------------------------------------------

WS_NAMESPACE = "http://www.altinn.no/services/Authorization/Administration/2010/10"
EC_NAMESPACE = "http://www.altinn.no/services/Authorization/Administration/2012/11"


def ws_view_from_ec2(ec2_view: dict, ec2_operation: str, ws_operation: str) -> dict:
    """WS is EC2 in the WS contract's namespace and interface, the operation without "EC", and the credentials in
    a UsernameToken instead of the body."""
    view = replace_strings(ec2_view, {f"{EC_NAMESPACE}/IAuthorizationAdministrationEC/":
                                      f"{WS_NAMESPACE}/IAuthorizationAdministrationExternal/",
                                      EC_NAMESPACE: WS_NAMESPACE, ec2_operation: ws_operation})
    view["input"] = {**view["input"],
                     "body": without_children(view["input"]["body"], {"systemUserName", "systemPassword"})}
    return view


@pytest.fixture
def ws(base_url):
    return our_service(base_url + WS_PATH + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))


@pytest.mark.parametrize(("ec2_operation", "ws_operation"), [("GetReporteesEC", "GetReportees"),
                                                             ("GetReporteeByTempKeyEC", "GetReporteeByTempKey")])
def test_ws_operations_follow_ec2(base_url, ec2_operation, ws_operation):
    real_view, our_view = views(base_url, Flavour("ws", EC2.contract, WS_PATH, frozenset()), EC2)
    assert set(our_view) == {"Test", "GetReportees", "GetReporteeByTempKey", "GetRoles"}
    assert our_view[ws_operation] == ws_view_from_ec2(real_view[ec2_operation], ec2_operation, ws_operation)


def test_ws_get_reportees_and_temp_key(ws, emulator):
    _, service = ws
    assert numbers(service.GetReportees(userSSN=KARI, retrieveSubEnitiy=True)) == [
        KARI, OLA, EKSEMPEL, BERGEN, BARE_EPOST]
    key = emulator.authorization_administration.mint_temp_key(KARI, BARE_EPOST).key
    assert service.GetReporteeByTempKey(tempKey=key).OrganizationNumber == BARE_EPOST


def test_ws_get_roles(ws):
    _, service = ws
    roles = service.GetRoles(roleSearchBE={"CoveredByUser": KARI, "OfferedByParty": EKSEMPEL, "LanguageID": 1033})
    assert [(r.RoleCode, r.RoleName, r.OfferedBy, r.CoveredBy, r.DelegatedBy, r.RoleTypeSource) for r in roles] == [
        ("REGNA", "Accounting employee", EKSEMPEL, KARI, OLA, "Altinn")]
    everything = service.GetRoles(roleSearchBE={"CoveredByParty": OLA, "RoleCodeFilter": "DAGL"})
    assert [(r.RoleCode, r.OfferedBy, r.RoleTypeSource) for r in everything] == [("DAGL", EKSEMPEL, "ER")]


@pytest.mark.parametrize(("search", "error_id"), [
    ({"OfferedByParty": EKSEMPEL}, 30004), ({"OfferedByParty": EKSEMPEL, "CoveredByUser": OLA,
                                             "CoveredByParty": KARI}, 0), (None, 30004)])
def test_ws_get_roles_rule(ws, search, error_id):
    import zeep

    _, service = ws
    with pytest.raises(zeep.exceptions.Fault) as caught:
        service.GetRoles(roleSearchBE=search)
    error = caught.value.detail.find("{http://www.altinn.no/services/common/fault/2009/10}AltinnFault")
    assert int(error.findtext("{http://www.altinn.no/services/common/fault/2009/10}ErrorID")) == error_id
