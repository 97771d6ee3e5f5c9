"""AuthorizationDecisionPointExternal through a zeep client built from the WSDL the emulator serves: no real WSDL of
it exists, so the contract is inferred (docs/behaviour/decision-point.md, D133) and this test pins our names.

The emulator is the default seed with the services' additions (the decision point's role assignments, policies and
external resources) and the decision point's test seed (its rights register rules).
"""

from __future__ import annotations

import pytest
import zeep.exceptions
from lxml import etree
from zeep.wsse.username import UsernameToken

from altinn_so.emulator import Emulator, Settings

from support.contracts import WSA_ACTION, our_service, received_body_element, received_header
from support.soap import altinn_fault
from support.xacml import TEST_SEED, read_response, request

pytestmark = pytest.mark.conformance

PATH = "/AuthorizationExternal/AuthorizationDecisionPointExternal.svc"
NAMESPACE = "http://www.altinn.no/services/Authorization/DecisionPoint/2010/10"
INTERFACE = f"{NAMESPACE}/IAuthorizationDecisionPointExternal"
OLA, KARI, EKS = "23917710120", "05838520067", "310003018"


@pytest.fixture
def emulator(clock) -> Emulator:
    emu = Emulator(Settings(seed_files=(str(TEST_SEED),)), clock=clock)
    yield emu
    emu.close()


def service(base_url, password="ttd-password"):
    return our_service(base_url + PATH + "?wsdl", wsse=UsernameToken("ttd-system", password))


def test_our_wsdl_names_the_inferred_contract(base_url):
    client, _ = service(base_url)
    root = etree.fromstring(client.transport.load(base_url + PATH + "?wsdl"))
    wsdl = "{http://schemas.xmlsoap.org/wsdl/}"
    assert root.get("targetNamespace") == NAMESPACE
    assert [p.get("name") for p in root.iter(wsdl + "portType")] == ["IAuthorizationDecisionPointExternal"]
    assert [s.get("name") for s in root.iter(wsdl + "service")] == ["AuthorizationDecisionPointExternalSF"]
    binding = next(iter(client.wsdl.bindings.values()))
    assert sorted(binding._operations) == ["AuthorizeAccessExternal", "Test"]
    operation = binding._operations["AuthorizeAccessExternal"]
    assert operation.soapaction == f"{INTERFACE}/AuthorizeAccessExternal"
    assert [name for name, _ in operation.input.body.type.elements] == ["XACMLRequest"]
    assert [name for name, _ in operation.output.body.type.elements] == ["AuthorizeAccessExternalResult"]


@pytest.mark.parametrize(("subject", "action", "expected"), [(OLA, "Delegate", ("Permit", 2)),
                                                             (KARI, "Delegate", ("Deny", None)),
                                                             (KARI, "Write", ("Permit", 2))])
def test_a_decision_over_the_wire(base_url, subject, action, expected):
    client, proxy = service(base_url)
    text = proxy.AuthorizeAccessExternal(XACMLRequest=request(subject, EKS, ("service", "5679", 1), action))
    answer = read_response(text)
    assert (answer.decision, answer.authentication_level) == expected
    body = received_body_element(client)
    assert body.tag == f"{{{NAMESPACE}}}AuthorizeAccessExternalResponse"
    assert received_header(client, WSA_ACTION).text == f"{INTERFACE}/AuthorizeAccessExternalResponse"


def test_the_external_resource_and_its_level_over_the_wire(base_url):
    _, proxy = service(base_url)
    text = proxy.AuthorizeAccessExternal(XACMLRequest=request(OLA, EKS, ("external", "TTDSAKSARKIV"), "Read"))
    assert (read_response(text).decision, read_response(text).authentication_level) == ("Permit", 3)


@pytest.mark.parametrize(("text", "error_id"), [
    (None, 30004),
    ("not xml", 0),
    ('<!DOCTYPE Request [<!ENTITY x SYSTEM "file:///etc/passwd">]><Request/>', 0),
])
def test_an_invalid_request_is_an_altinn_fault(base_url, text, error_id):
    client, proxy = service(base_url)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        proxy.AuthorizeAccessExternal(XACMLRequest=text)
    assert altinn_fault(client, caught.value)["ErrorID"] == error_id
    assert received_header(client, WSA_ACTION).text == f"{INTERFACE}/AuthorizeAccessExternalAltinnFaultFault"


def test_a_wrong_password_is_989(base_url):
    client, proxy = service(base_url, password="wrong")
    with pytest.raises(zeep.exceptions.Fault) as caught:
        proxy.AuthorizeAccessExternal(XACMLRequest=request(OLA, EKS, ("service", "5679", 1), "Read"))
    assert altinn_fault(client, caught.value)["ErrorID"] == 989
