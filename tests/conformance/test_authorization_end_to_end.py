"""An agency portal asks Altinn who may do what with one form task, through its life (docs/behaviour/
context-handler.md, decision-point.md, authorization.md): the context handler (a zeep client from the REAL EC2
WSDL, each response validated against the real schema) says whose element it is and at which step; the decision
point (WS, inferred: our WSDL) decides for the people the seed gives roles; AuthorizationAdministration (real EC2
WSDL) lists who they may act for; a temp key works once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from zeep.wsse.username import UsernameToken

from altinn_so.domain.auth import AuthMode
from altinn_so.services.prefill.rules import InstantiateOptions, PrefillFormRequest, PrefillTaskRequest

from support.archived import OLA, PLAIN
from support.contracts import assert_valid_response, expect_altinn_fault, our_service, real_service
from support.xacml import read_response, request

pytestmark = pytest.mark.conformance

KARI, PER = "05838520067", "17856230120"  # Kari fills in forms for Ola (UTINN); Per holds no role for Ola
CONTEXT = ("ec2/ContextHandlerEC2.wsdl", "/ServiceEngineExternal/ContextHandlerEC2.svc")
ADMINISTRATION = ("ec2/AuthorizationAdministrationExternalEC2.wsdl",
                  "/AuthorizationExternal/AdministrationExternalEC2.svc")
DECISION_POINT = "/AuthorizationExternal/AuthorizationDecisionPointExternal.svc"
CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}


def context(base_url: str, element_id: int) -> tuple:
    client, service = real_service(CONTEXT[0], base_url + CONTEXT[1])
    found = service.GetReporteeElementContextExternalEC(**CREDENTIALS, reporteeElementID=element_id)
    assert_valid_response(client, CONTEXT[0], "GetReporteeElementContextExternalEC", soap12=True)
    return found.Reportee, found.ServiceCode, found.ServiceType, found.ProcessStepID


def decide(base_url: str, subject: str, resource, action: str) -> tuple[str, int | None]:
    _, proxy = our_service(base_url + DECISION_POINT + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
    answer = read_response(proxy.AuthorizeAccessExternal(XACMLRequest=request(subject, OLA, resource, action)))
    return answer.decision, answer.authentication_level


def test_one_form_task_from_the_worklist_to_the_archive(base_url, emulator):
    # Ola's form task, prefilled and still in the worklist: Kari may fill it in for Ola, Per may not; nobody may
    # read it from the archive yet (it is not there: Indeterminate).
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    now = emulator.clock.now()
    emulator.prefill.submit(caller, "batch-e2e", PrefillTaskRequest(
        service_code=PLAIN[0], service_edition=PLAIN[1], shipment_reference="ship-e2e", reportee=OLA,
        system_user_code="TTD_PREFILL", valid_from=now - timedelta(minutes=1), valid_to=now + timedelta(days=30),
        senders_reference="sender-e2e", forms=[PrefillFormRequest(PLAIN[2], PLAIN[3], "<Skjema/>", "form-ref")]),
        InstantiateOptions(instantiate=True))
    [element] = emulator.reportee_elements.list_elements()
    assert context(base_url, element.id) == (OLA, PLAIN[0], "Reporting", 1)
    active = ("element", element.id)
    assert decide(base_url, KARI, active, "Write") == ("Permit", 2)
    assert decide(base_url, PER, active, "Write") == ("Deny", None)
    assert decide(base_url, KARI, active, "ArchiveRead")[0] == "Indeterminate"

    # Ola signs and submits: the task is archived, Kari may read it from the archive, and nobody may write to it.
    emulator.worklist.sign(element.id, OLA, 2)
    assert context(base_url, element.id)[3] == 2
    task = emulator.worklist.submit(element.id)
    assert context(base_url, element.id)[3] == 3
    archived = ("archived", task.archive_reference)
    assert decide(base_url, KARI, archived, "ArchiveRead") == ("Permit", 2)
    assert decide(base_url, PER, archived, "ArchiveRead") == ("Deny", None)
    assert decide(base_url, KARI, active, "Write") == ("Deny", None)


def test_who_kari_may_act_for_and_a_temp_key_that_works_once(base_url, emulator):
    client, service = real_service(ADMINISTRATION[0], base_url + ADMINISTRATION[1])
    listed = service.GetReporteesEC(**CREDENTIALS, userSSN=KARI, retrieveInActiveReportee=False,
                                    retrieveSubEnitiy=False, maximumReporteeCount=0)
    assert_valid_response(client, ADMINISTRATION[0], "GetReporteesEC", soap12=True)
    assert OLA in [reportee.SSN for reportee in listed]
    key = emulator.authorization_administration.mint_temp_key(KARI, OLA).key
    assert service.GetReporteeByTempKeyEC(**CREDENTIALS, tempKey=key).SSN == OLA
    fault = expect_altinn_fault(client, ADMINISTRATION[0], "GetReporteeByTempKeyEC",
                                lambda: service.GetReporteeByTempKeyEC(**CREDENTIALS, tempKey=key), soap12=True)
    assert fault.ErrorID == 0 and "used" in fault.AltinnErrorMessage
