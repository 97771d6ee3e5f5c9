"""Who may call the /AuthorizationExternal/ endpoints: Altinn allowed only registered addresses, the emulator an
allow-list (``serve --authorization-allow``, loopback by default). A refused caller gets HTTP 403 with a SOAP fault
whose AltinnFault has ErrorID 5 (docs/behaviour/authorization.md, "Who may call"; D130)."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from altinn_so.app import EmulatorApp
from altinn_so.cli import build_parser, _defaults_from_environment
from altinn_so.journal import JournalFilter
from altinn_so.soap.allowlist import AUTHORIZATION_AREA, authorization_restriction, refusal
from altinn_so.soap.wsgi import SoapApplication, WireSettings

from support.contracts import expect_altinn_fault, real_service

pytestmark = pytest.mark.conformance

EC2_CONTRACT = "ec2/AuthorizationAdministrationExternalEC2.wsdl"
EC2_PATH = "/AuthorizationExternal/AdministrationExternalEC2.svc"
DECISION_POINT_PATH = "/AuthorizationExternal/AuthorizationDecisionPointExternal.svc"
CREDENTIALS = {"systemUserName": "ttd-system", "systemPassword": "ttd-password"}
OLA = "23917710120"
FAULT_NS = "{http://www.altinn.no/services/common/fault/2009/10}"


@pytest.fixture
def served_with(_server, emulator):
    """Serve the test's emulator with an allow-list of ``blocks``; returns the URL."""
    served, url = _server

    def plug(*blocks: str) -> str:
        served.app = EmulatorApp(emulator, wire=WireSettings(
            address_restrictions=(authorization_restriction(list(blocks)),)))
        return url

    return plug


def test_a_caller_outside_the_list_gets_403_and_altinn_fault_5(served_with, emulator):
    url = served_with("10.0.0.0/8", "2001:db8::/32")  # the test client calls from 127.0.0.1
    client, service = real_service(EC2_CONTRACT, url + EC2_PATH)
    fault = expect_altinn_fault(client, EC2_CONTRACT, "GetReporteesEC",
                                lambda: service.GetReporteesEC(**CREDENTIALS, userSSN=OLA), soap12=True,
                                declared=False)
    assert fault.ErrorID == 5 and "127.0.0.1" in fault.AltinnErrorMessage
    [entry] = emulator.journal.list_entries(JournalFilter())
    assert (entry.status, entry.error_id, entry.service) == (403, 5, "AuthorizationAdministrationExternal")


def test_the_wsdl_is_refused_too_and_other_services_are_not_restricted(served_with):
    url = served_with("10.0.0.0/8")
    refused = requests.get(url + EC2_PATH + "?wsdl", timeout=10)
    assert refused.status_code == 403
    body = etree.fromstring(refused.content)
    assert body.findtext(f".//{FAULT_NS}ErrorID") == "5"
    assert requests.get(url + "/RegisterExternal/RegisterSRRAgencyExternalBasic.svc?wsdl", timeout=10).status_code == 200


def test_a_caller_on_the_list_is_served(served_with):
    url = served_with("10.0.0.0/8", "127.0.0.1")
    _, service = real_service(EC2_CONTRACT, url + EC2_PATH)
    assert [r.SSN for r in service.GetReporteesEC(**CREDENTIALS, userSSN=OLA)][:1] == [OLA]


def test_the_default_allows_loopback_only(base_url):
    _, service = real_service(EC2_CONTRACT, base_url + EC2_PATH)
    assert service.GetReporteesEC(**CREDENTIALS, userSSN=OLA)
    restriction = authorization_restriction()
    assert [restriction.allows(a) for a in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "192.0.2.1",
                                            "10.1.2.3", "::ffff:192.0.2.1", "2001:db8::1", "", None, "unix")] == [
        True, True, True, True, False, False, False, False, False, False, False]


@pytest.mark.parametrize(("path", "address", "refused"), [
    (EC2_PATH, "192.0.2.7", True), (DECISION_POINT_PATH, "192.0.2.7", True),
    ("/authorizationexternal/administrationexternal.svc", "192.0.2.7", True),  # paths compare as IIS compares them
    (DECISION_POINT_PATH, "10.20.30.40", False), (EC2_PATH, "10.20.30.40", False),
    ("/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc", "192.0.2.7", False),
])
def test_the_list_covers_every_path_under_authorization_external(path, address, refused):
    restrictions = (authorization_restriction(["10.0.0.0/8"]),)
    assert (refusal(restrictions, path, address) is not None) is refused


def test_the_decision_point_path_is_refused_before_any_route_is_looked_up(emulator):
    """The decision point is another package's endpoint: the prefix alone refuses a caller not on the list."""
    app = SoapApplication(emulator, settings=WireSettings(address_restrictions=(authorization_restriction(),)))
    status, _, body = app.handle({"REQUEST_METHOD": "POST", "PATH_INFO": DECISION_POINT_PATH,
                                  "REMOTE_ADDR": "198.51.100.4", "CONTENT_TYPE": "application/soap+xml"})
    assert status == 403 and etree.fromstring(body).findtext(f".//{FAULT_NS}ErrorID") == "5"
    assert AUTHORIZATION_AREA == "/AuthorizationExternal/"


def test_serve_takes_the_list_from_options_and_the_environment():
    parser = build_parser()
    args = parser.parse_args(["serve", "--authorization-allow", "10.0.0.0/8,192.0.2.7",
                              "--authorization-allow", "2001:db8::/32"])
    assert args.authorization_allow == ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]
    assert build_parser().parse_args(["serve"]).authorization_allow == []  # none: loopback
    from_environment = build_parser()
    _defaults_from_environment(from_environment, {"ALTINN_SO_AUTHORIZATION_ALLOW": "10.0.0.0/8,::1"})
    assert from_environment.parse_args(["serve"]).authorization_allow == ["10.0.0.0/8", "::1"]
    # the command line replaces what the environment gave
    assert from_environment.parse_args(["serve", "--authorization-allow", "192.0.2.0/24"]).authorization_allow == [
        "192.0.2.0/24"]


def test_a_block_that_is_no_address_stops_serve(capsys):
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["serve", "--authorization-allow", "10.0.0.0/33"])
    assert stopped.value.code == 2 and "is not an IP address or CIDR block" in capsys.readouterr().err
