"""ArchiveCommonAgencyExternal against the real EC and EC2 contracts, and Basic and WS by inference from EC2
(docs/behaviour/archive-common.md).

A zeep client built from each REAL WSDL (read from ``../shared``, never copied here) calls
GetServiceOwnerArchiveReporteeElementsEC with the address pointed at the emulator; every response body is validated
against the real schema. No real WSDL exists for Basic or WS: ours are compared with EC2 as each binding transforms
it, and clients built from them call the operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from zeep.wsse.username import UsernameToken

from altinn_so.domain.auth import AuthMode
from altinn_so.services.correspondence.rules.model import CorrespondenceRequest

from support.archived import OLA, archived_task
from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_service
from support.wsdl_match import assert_inferred_names, assert_inferred_signature, assert_actions_match, assert_names_match, assert_signature_matches, views
from support.zeepview import replace_strings, ws_view_from_basic

pytestmark = pytest.mark.conformance

OPERATION = "GetServiceOwnerArchiveReporteeElements"
CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str
    path: str
    operations = frozenset({"Test", OPERATION + "EC"})


EC = Flavour("ec", "ec/ArchiveCommonAgencyExternalEC.wsdl", "/ArchiveExternal/ArchiveCommonAgencyExternalEC.svc")
EC2 = Flavour("ec2", "ec2/ArchiveCommonAgencyExternalEC2.wsdl", "/ArchiveExternal/ArchiveCommonAgencyExternalEC2.svc")
FLAVOURS = [pytest.param(f, id=f.key) for f in (EC, EC2)]


def submission_and_letter(emulator):
    """OLA's submitted form task and a correspondence answering it (its archive reference)."""
    task = archived_task(emulator)
    emulator.clock.advance(timedelta(minutes=5))  # the answer comes after the submission
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    emulator.correspondence.insert(caller, CorrespondenceRequest(
        service_code="5678", service_edition=1, reportee=OLA, senders_reference="svar-1",
        system_user_code="TTD_SAK", language="1044", title="Vedtak om testmidler", summary="Sammendrag",
        body="Brødtekst", archive_reference=task.archive_reference))
    return task


def call(service, operation, search, credentials=CREDENTIALS):
    return getattr(service, operation)(**credentials, searchServiceOwnerArchive=search, languageID=1044)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_finds_the_submission_and_the_correspondence(base_url, emulator, flavour):
    task = submission_and_letter(emulator)
    client, service = real_service(flavour.contract, base_url + flavour.path)
    found = call(service, OPERATION + "EC", {"SSNOrOrgNumber": OLA, "ReferenceId": task.archive_reference})
    valid_response(client, flavour.contract, OPERATION + "EC", soap12=True)
    assert [(f.ElementType, f.Subject, f.IsSubjectMessageTitle, f.ArchiveReference, f.SSNOrOrganizationNumber,
             f.ReporteeName) for f in found] == [
        ("Archive", "Søknad om testmidler", False, task.archive_reference, OLA, "Ola Testmann Nordmann"),
        ("Correspondence", "Vedtak om testmidler", True, task.archive_reference, OLA, "Ola Testmann Nordmann")]
    assert found[0].ReporteeElementId == task.element_id


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_nothing_found_is_a_valid_empty_list(base_url, emulator, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    assert not call(service, OPERATION + "EC", {"Subject": "nothing like this"})
    valid_response(client, flavour.contract, OPERATION + "EC", soap12=True)


@pytest.mark.parametrize(("search", "error_id"), [({}, 30004), ({"SSNOrOrgNumber": "999999999"}, 60012)])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_search_without_fields_or_with_an_unknown_reportee_is_a_fault(base_url, flavour, search, error_id):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    fault = expect_altinn_fault(client, flavour.contract, OPERATION + "EC",
                                lambda: call(service, OPERATION + "EC", search), soap12=True)
    assert fault.ErrorID == error_id


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_wrong_password_is_989(base_url, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    fault = expect_altinn_fault(
        client, flavour.contract, OPERATION + "EC",
        lambda: call(service, OPERATION + "EC", {"SSNOrOrgNumber": OLA},
                     {"systemUserName": "ttd-system", "systemPassword": "wrong"}), soap12=True)
    assert fault.ErrorID == 989


# -- our EC and EC2 WSDLs against the real ones ------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


@pytest.mark.parametrize("operation", ["Test", OPERATION + "EC"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, flavour, operation)
    real_view, our_view = views(base_url, flavour, flavour)
    assert set(our_view) == set(real_view)


# -- Basic and WS: inferred from EC2 ------------------------------------------------------------------------

INFERRED = {
    # key: (path, operation, the interface's and service's name as it replaces EC2's)
    "basic": ("/ArchiveExternal/ArchiveCommonAgencyExternalBasic.svc", OPERATION + "BasicV2",
              "ArchiveCommonAgencyExternalBasic"),
    "ws": ("/ArchiveExternal/ArchiveCommonAgencyExternal.svc", OPERATION + "V2", "ArchiveCommonAgencyExternal"),
}


def expected_view(key: str, ec2_view: dict, ec2_operation: str) -> dict:
    """Basic is EC2 on SOAP 1.1 with the operation named ``…BasicV2`` and the actions naming the Basic interface.
    WS is that Basic without "Basic" and with the credentials in a UsernameToken (``ws_view_from_basic``)."""
    operation = INFERRED["basic"][1] if ec2_operation != "Test" else "Test"
    basic = replace_strings(ec2_view, {"IArchiveCommonAgencyExternalEC/": "IArchiveCommonAgencyExternalBasic/",
                                       ec2_operation: operation})
    basic["soap"] = "1.1"
    if key == "basic":
        return basic
    return ws_view_from_basic(basic, interface="ArchiveCommonAgencyExternal", basic_operation=operation,
                              ws_operation=INFERRED["ws"][1] if operation != "Test" else "Test")


@pytest.mark.parametrize("ec2_operation", ["Test", OPERATION + "EC"])
@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_signature_follows_ec2(base_url, key, ec2_operation):
    operation = INFERRED[key][1] if ec2_operation != "Test" else "Test"
    assert_inferred_signature(base_url, INFERRED[key][0], EC2.contract, ec2_operation, operation,
                              lambda view: expected_view(key, view, ec2_operation), {"Test", INFERRED[key][1]})


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_names_follow_ec2(base_url, key):
    # our inferred services end in "SF", as the project's other Basic and WS services do
    assert_inferred_names(base_url, INFERRED[key][0], EC2.contract, key,
                          {"ArchiveCommonAgencyExternalEC2": INFERRED[key][2]}, service_suffix="SF")


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_bindings_find_the_submission(base_url, emulator, key):
    task = submission_and_letter(emulator)
    path, operation, _ = INFERRED[key]
    if key == "ws":
        _, service = our_service(base_url + path + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
        credentials = {}
    else:
        _, service = our_service(base_url + path + "?wsdl")
        credentials = CREDENTIALS
    found = call(service, operation, {"ReferenceId": task.archive_reference, "Subject": "testmidler"}, credentials)
    assert [(f.ElementType, f.ReporteeElementId) for f in found][0] == ("Archive", task.element_id)
    assert [f.ElementType for f in found] == ["Archive", "Correspondence"]
