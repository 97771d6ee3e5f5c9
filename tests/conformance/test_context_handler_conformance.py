"""ContextHandlerExternal against the real EC and EC2 contracts, and Basic and WS by inference from EC2
(docs/behaviour/context-handler.md).

A zeep client built from each REAL WSDL (read from ``../shared``, never copied here) asks for the context of every
kind of element the emulator keeps; every response body is validated against the real schema."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from zeep.wsse.username import UsernameToken

from altinn_so.domain.auth import AuthMode
from altinn_so.services.correspondence.rules.model import CorrespondenceRequest

from support.archived import OLA, archived_task
from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_client, real_service
from support.wsdl_match import assert_inferred_names, assert_inferred_signature, assert_actions_match, assert_names_match, assert_signature_matches
from support.zeepview import operation_view, replace_strings, ws_view_from_basic

pytestmark = pytest.mark.conformance

OPERATION = "GetReporteeElementContextExternal"
CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str
    path: str
    operations = frozenset({"Test", OPERATION + "EC"})


EC = Flavour("ec", "ec/ContextHandlerEC.wsdl", "/ServiceEngineExternal/ContextHandlerEC.svc")
EC2 = Flavour("ec2", "ec2/ContextHandlerEC2.wsdl", "/ServiceEngineExternal/ContextHandlerEC2.svc")
FLAVOURS = [pytest.param(f, id=f.key) for f in (EC, EC2)]


def ttd(emulator):
    return emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)


def context(base_url, flavour, element_id, credentials=CREDENTIALS):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    found = getattr(service, OPERATION + "EC")(**credentials, reporteeElementID=element_id)
    valid_response(client, flavour.contract, OPERATION + "EC", soap12=True)
    return (found.Reportee, found.ServiceCode, found.ServiceEditionCode, found.ServiceType, found.ProcessStepID)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_kind_of_element(base_url, emulator, flavour):
    task = archived_task(emulator)  # form task 1, submitted
    emulator.correspondence.insert(ttd(emulator), CorrespondenceRequest(
        service_code="5678", service_edition=1, reportee=OLA, senders_reference="svar-1", system_user_code="TTD_SAK",
        language="1044", title="Vedtak", summary="Sammendrag", body="Brødtekst"))
    emulator.correspondence.insert(ttd(emulator), CorrespondenceRequest(
        service_code="5678", service_edition=1, reportee=OLA, senders_reference="svar-2", system_user_code="TTD_SAK",
        language="1044", title="Vedtak", summary="Sammendrag", body="Brødtekst"))
    case = emulator.case.instantiate(ttd(emulator), "5695", 1, OLA)
    assert context(base_url, flavour, task.element_id) == (OLA, "5679", 1, "Reporting", 3)
    assert context(base_url, flavour, 2) == (OLA, "5678", 1, "Correspondence", None)  # no form task 2
    assert context(base_url, flavour, case.id) == (OLA, "5695", 1, "Collaboration", 1)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_unknown_and_other_owners_elements_are_faults(base_url, emulator, flavour):
    archived_task(emulator)
    client, service = real_service(flavour.contract, base_url + flavour.path)
    for element_id, credentials, code in [
        (999, CREDENTIALS, 60016), (1, {"systemUserName": "ett-system", "systemPassword": "ett-password"}, 60024)]:
        fault = expect_altinn_fault(client, flavour.contract, OPERATION + "EC",
                                    lambda: getattr(service, OPERATION + "EC")(**credentials,
                                                                               reporteeElementID=element_id),
                                    soap12=True)
        assert fault.ErrorID == code


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
    "basic": ("/ServiceEngineExternal/ContextHandlerExternalBasic.svc", OPERATION + "Basic",
              "ContextHandlerExternalBasic"),
    "ws": ("/ServiceEngineExternal/ContextHandlerExternal.svc", OPERATION, "ContextHandlerExternal"),
}


def expected_view(key: str, ec2_view: dict, ec2_operation: str) -> dict:
    operation = INFERRED["basic"][1] if ec2_operation != "Test" else "Test"
    basic = replace_strings(ec2_view, {"IContextHandlerEC/": "IContextHandlerExternalBasic/", ec2_operation: operation})
    basic["soap"] = "1.1"
    if key == "basic":
        return basic
    return ws_view_from_basic(basic, interface="ContextHandlerExternal", basic_operation=operation,
                              ws_operation=INFERRED["ws"][1] if operation != "Test" else "Test")


@pytest.mark.parametrize("ec2_operation", ["Test", OPERATION + "EC"])
@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_signature_follows_ec2(base_url, key, ec2_operation):
    operation = INFERRED[key][1] if ec2_operation != "Test" else "Test"
    assert_inferred_signature(base_url, INFERRED[key][0], EC2.contract, ec2_operation, operation,
                              lambda view: expected_view(key, view, ec2_operation), {"Test", INFERRED[key][1]})


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_names_follow_ec2(base_url, key):
    assert_inferred_names(base_url, INFERRED[key][0], EC2.contract, key, {
        "IContextHandlerEC2": "I" + INFERRED[key][2], "ContextHandlerEC2": INFERRED[key][2]})


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_bindings_answer(base_url, emulator, key):
    task = archived_task(emulator)
    path, operation, _ = INFERRED[key]
    if key == "ws":
        _, service = our_service(base_url + path + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
        credentials = {}
    else:
        _, service = our_service(base_url + path + "?wsdl")
        credentials = CREDENTIALS
    found = getattr(service, operation)(**credentials, reporteeElementID=task.element_id)
    assert (found.ServiceType, found.ProcessStepID) == ("Reporting", 3)
