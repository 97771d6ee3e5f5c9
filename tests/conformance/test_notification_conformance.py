"""NotificationAgencyExternal against the real Altinn contracts (Basic, EC, EC2, and WS by inference).

Clients are built by zeep from the REAL WSDLs (read from ``../shared``, never
copied here) with the address pointed at the emulator; every response body
is validated against the real WSDL's schemas. Our own WSDLs are compared
with the real ones operation by operation (``support.zeepview``).

The emulator runs without client-certificate checks (``WireSettings()``), so
EC and EC2 authenticate with the body credentials alone; zeep cannot do the
WS-SecureConversation handshake real EC/EC2 demand (docs, section 5.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from lxml import etree

from altinn_so.domain.notifications.model import Channel
from support.contracts import (RealSchema, expect_altinn_fault, our_service, real_client, real_service,
                               received_body_element)
from support.contracts import assert_valid_response as valid_response
from support.wsdl_match import assert_actions_match, assert_names_match, assert_signature_matches, signature_cases, views
from support.zeepview import binding_names, diff_views, operation_view, replace_strings, ws_view_from_basic

pytestmark = pytest.mark.conformance

OLA = "23917710120"  # seeded person with e-mail and mobile
OLA_EMAIL = "ola.nordmann@example.no"
OLA_MOBILE = "+4791234567"
SENT = "Varsel er sendt ut til brukeren."


@dataclass(frozen=True)
class Flavour:
    """One binding for which a real WSDL exists."""

    key: str
    contract: str  # path of the real WSDL under the contracts directory
    path: str  # our endpoint
    suffix: str  # operation suffix: SendStandaloneNotification{suffix}V2
    versions: tuple[int, ...]  # SendStandaloneNotification versions in the real WSDL
    extra_versions: tuple[int, ...]  # versions we offer beyond the real WSDL (documented ones, see below)

    def op(self, version: int) -> str:
        return f"SendStandaloneNotification{self.suffix}" + (f"V{version}" if version > 1 else "")

    @property
    def operations(self) -> set[str]:
        return {"Test"} | {self.op(v) for v in self.versions}

    @property
    def extra_operations(self) -> set[str]:
        return {self.op(v) for v in self.extra_versions}

    @property
    def soap12(self) -> bool:
        return self.key != "basic"


# Altinn's docs list V1-V4 for every binding; the 2017 EC WSDL only has V1 and the 2020 EC2 WSDL stops at V3.
BASIC = Flavour("basic", "basic/NotificationAgencyExternalBasic.wsdl",
                "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc", "Basic", (1, 2, 3, 4), ())
EC = Flavour("ec", "ec/NotificationAgencyExternalEC.wsdl",
             "/ServiceEngineExternal/NotificationAgencyExternalEC.svc", "EC", (1,), (2, 3, 4))
EC2 = Flavour("ec2", "ec2/NotificationAgencyExternalEC2.wsdl",
              "/ServiceEngineExternal/NotificationAgencyExternalEC2.svc", "EC", (1, 2, 3), (4,))
FLAVOURS = [pytest.param(f, id=f.key) for f in (BASIC, EC, EC2)]
WS_PATH = "/ServiceEngineExternal/NotificationAgencyExternal.svc"


def calls(*versions_of: int):
    """(flavour, version) parameters for every flavour whose real WSDL has that version."""
    return [pytest.param(f, v, id=f"{f.key}-V{v}") for f in (BASIC, EC, EC2) for v in versions_of if v in f.versions]


# -- helpers -----------------------------------------------------------------------------------------

@pytest.fixture
def real(base_url):
    """``real(flavour)`` -> (client, service) from the real WSDL, bound to our endpoint."""
    return lambda flavour: real_service(flavour.contract, base_url + flavour.path)


def notification(reportee: str = OLA, *, language=1044, transports=("Email", "SMS"),
                 tokens=("Nytt varsel fra TTD", "Du har fått et varsel.")) -> dict:
    """A StandaloneNotification using only members that every real WSDL (including 2017 EC) knows."""
    return {
        "ReporteeNumber": reportee,
        "LanguageID": language,
        "NotificationType": "TokenTextOnly",
        "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": t} for t in transports]},
        "TextTokens": {"TextToken": [{"TokenNum": n, "TokenValue": v} for n, v in enumerate(tokens)]},
    }


def send(service, flavour: Flavour, version: int, *items: dict, password: str = "ttd-password"):
    """Call SendStandaloneNotification V<version> as TTD's system with ``items`` (default: one notification)."""
    list_item = "StandaloneNotificationV2" if version >= 4 else "StandaloneNotification"
    operation = getattr(service, flavour.op(version))
    return operation(systemUserName="ttd-system", systemPassword=password,
                     standaloneNotifications={list_item: list(items or [notification()])})


def assert_valid_response(client, flavour: Flavour, operation: str) -> etree._Element:
    """The response wrapper validates against the real schema, and WS-A headers are as WCF sends them."""
    return valid_response(client, flavour.contract, operation, soap12=flavour.soap12)


def assert_rendered(emulator, expected: set[tuple[Channel, str]], tokens=("Nytt varsel fra TTD",
                                                                         "Du har fått et varsel.")):
    messages = emulator.outbox.list_messages()
    assert {(m.channel, m.address) for m in messages} == expected
    for message in messages:
        assert message.reportee == OLA and message.template == "TokenTextOnly" and message.service_owner == "TTD"
        if message.channel is Channel.EMAIL:
            assert (message.subject, message.body) == tokens
        else:
            assert (message.subject, message.body) == (None, tokens[0])


BOTH = {(Channel.EMAIL, OLA_EMAIL), (Channel.SMS, OLA_MOBILE)}


# -- the real WSDLs are what we think they are ---------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_real_wsdl_has_the_expected_operations(flavour):
    assert set(operation_view(real_client(flavour.contract))) == flavour.operations


# -- calling every operation of the real WSDLs ---------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_test_operation(real, flavour):
    client, service = real(flavour)
    assert service.Test() is None
    body = received_body_element(client)
    assert body.tag == "{http://www.altinn.no/services/2009/10}TestResponse"
    RealSchema(flavour.contract).assert_valid(body)


@pytest.mark.parametrize(("flavour", "version"), calls(1))
def test_send_v1_returns_nothing_and_renders_messages(real, emulator, flavour, version):
    client, service = real(flavour)
    assert send(service, flavour, version) is None
    assert_valid_response(client, flavour, flavour.op(version))
    assert_rendered(emulator, BOTH)


@pytest.mark.parametrize(("flavour", "version"), calls(2))
def test_send_v2_returns_the_status_text(real, emulator, flavour, version):
    client, service = real(flavour)
    assert send(service, flavour, version) == SENT
    assert_valid_response(client, flavour, flavour.op(version))
    assert_rendered(emulator, BOTH)


@pytest.mark.parametrize(("flavour", "version"), calls(3))
def test_send_v3_lists_the_end_points(real, emulator, flavour, version):
    client, service = real(flavour)
    result = send(service, flavour, version, notification(), notification(transports=("Email",)))
    assert_valid_response(client, flavour, flavour.op(version))

    # zeep unwraps a result whose type holds a single repeated element: SendNotificationResultList -> list
    assert len(result) == 2
    first, second = result
    assert (first.ReporteeNumber, first.NotificationType) == (OLA, "TokenTextOnly")
    assert {(e.TransportType, e.ReceiverAddress, e.RetrieveFromProfile) for e in first.EndPoints.EndPointResult} == {
        ("Email", OLA_EMAIL, True), ("SMS", OLA_MOBILE, True)}
    assert all(e.Name == "Ola Testmann Nordmann" for e in first.EndPoints.EndPointResult)
    assert [(e.TransportType, e.ReceiverAddress) for e in second.EndPoints.EndPointResult] == [("Email", OLA_EMAIL)]

    messages = emulator.outbox.list_messages()
    assert sorted((m.channel.value, m.address) for m in messages) == [
        ("Email", OLA_EMAIL), ("Email", OLA_EMAIL), ("SMS", OLA_MOBILE)]
    assert len({m.notification_id for m in messages}) == 2


def test_send_basic_v4_with_priority_email_sms_reminder(real, emulator):
    client, service = real(BASIC)
    item = notification(transports=("PriorityEmailSMSReminder",))
    result = send(service, BASIC, 4, item)
    assert_valid_response(client, BASIC, BASIC.op(4))

    (only,) = result
    # TokenTextOnly has no reminder, so only the first (e-mail) phase of the priority transport is used
    assert [(e.TransportType, e.ReceiverAddress, e.RetrieveFromProfile) for e in only.EndPoints.EndPointResult] == [
        ("Email", OLA_EMAIL, True)]
    assert_rendered(emulator, {(Channel.EMAIL, OLA_EMAIL)})


# -- faults ---------------------------------------------------------------------------------------------

def expect_fault(client, flavour: Flavour, operation: str, call, *, declared: bool = True) -> object:
    """Run ``call``; it must fault with an AltinnFault that zeep parses and the real schema accepts
    (``support.contracts.expect_altinn_fault``)."""
    return expect_altinn_fault(client, flavour.contract, operation, call, soap12=flavour.soap12, declared=declared)


@pytest.mark.parametrize(("flavour", "version"), [pytest.param(f, max(f.versions), id=f.key) for f in (BASIC, EC, EC2)])
def test_wrong_password_is_altinn_fault_989(real, emulator, flavour, version):
    client, service = real(flavour)
    fault = expect_fault(client, flavour, flavour.op(version), lambda: send(service, flavour, version,
                                                                            password="wrong"))
    assert fault.ErrorID == 989
    # the text of Altinn's docs (feilhandtering) and of shared/altinn2-samples/faults/*_989_minimal.xml
    assert fault.AltinnLocalizedErrorMessage == "Incorrect username/password/pin given for user"
    assert emulator.outbox.list_messages() == []


DOMAIN_FAULTS = {
    "unknown-reportee": (dict(reportee="ukjent_bruker"), 60012),
    "invalid-language": (dict(language=9999), 40001),
}


@pytest.mark.parametrize("case", sorted(DOMAIN_FAULTS))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_domain_fault(real, emulator, flavour, case):
    overrides, error_id = DOMAIN_FAULTS[case]
    client, service = real(flavour)
    fault = expect_fault(client, flavour, flavour.op(1),
                         lambda: send(service, flavour, 1, notification(**overrides)))
    assert fault.ErrorID == error_id
    assert emulator.outbox.list_messages() == []


@pytest.mark.parametrize(("flavour", "version"), calls(1, 2, 3))
def test_priority_transport_is_refused_before_v4(real, emulator, flavour, version):
    """V1-V3 take formsengine TransportType, whose enumeration has no PriorityEmailSMSReminder.

    zeep does not check enumerations, so the value reaches the server; it must fault and send nothing.
    """
    client, service = real(flavour)
    expect_fault(client, flavour, flavour.op(version), lambda: send(
        service, flavour, version, notification(transports=("PriorityEmailSMSReminder",))), declared=False)
    assert emulator.outbox.list_messages() == []


# -- our WSDLs against the real ones ----------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_binding_port_type_and_service_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_input_output_and_fault_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


# The 2017 EC WSDL predates IsReservable, Roles, Service, UseServiceOwnerShortNameAsSenderOfSms and the
# *Preferred transports. Our EC serves today's contract, which is the EC2 one (same interface
# INotificationAgencyExternalEC); clients built from the 2017 file still work (the round trips above use
# only what it knows). So EC's signatures are compared with the real EC2 WSDL.
SIGNATURE_REFERENCE = {"ec": EC2}


@pytest.mark.parametrize(("flavour", "operation"), signature_cases((BASIC, EC, EC2)))
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, SIGNATURE_REFERENCE.get(flavour.key, flavour), operation)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_extra_operations_are_exactly_the_documented_ones(base_url, flavour):
    real_view, our_view = views(base_url, flavour, flavour)
    assert set(real_view) <= set(our_view), f"missing: {sorted(set(real_view) - set(our_view))}"
    assert set(our_view) - set(real_view) == flavour.extra_operations


# No real WS WSDL exists. By inference from Correspondence (docs, section 3): WS is Basic with "Basic" removed
# from the operation and interface names, SOAP 1.2, and the credentials in wsse:UsernameToken, not the body.
WS_OPERATIONS = {"Test": "Test"} | {BASIC.op(v): BASIC.op(v).replace("Basic", "") for v in BASIC.versions}


def expected_ws_view(basic_view: dict, basic_operation: str, ws_operation: str) -> dict:
    return ws_view_from_basic(basic_view, interface="NotificationAgencyExternal", basic_operation=basic_operation,
                              ws_operation=ws_operation)


@pytest.fixture
def ws_views(base_url):
    """(Basic view from the real WSDL, view of our WS WSDL)."""
    our_client, _ = our_service(base_url + WS_PATH + "?wsdl")
    return operation_view(real_client(BASIC.contract)), operation_view(our_client)


def test_ws_has_the_basic_operations_renamed(ws_views):
    _, our_view = ws_views
    assert set(our_view) == set(WS_OPERATIONS.values())


def test_ws_names_follow_the_basic_ones_as_broker_ws_does(base_url):
    """As real Broker WS vs Basic: CustomBinding_IBrokerServiceExternal, IBrokerServiceExternal, …SF."""
    our_client, _ = our_service(base_url + WS_PATH + "?wsdl")
    expected = replace_strings(binding_names(real_client(BASIC.contract)), {
        "BasicHttpBinding_": "CustomBinding_", "NotificationAgencyExternalBasic": "NotificationAgencyExternal"})
    assert binding_names(our_client) == expected


@pytest.mark.parametrize(("basic_operation", "ws_operation"), [
    pytest.param(basic, ws, id=ws) for basic, ws in WS_OPERATIONS.items()])
def test_ws_signature_is_basic_without_body_credentials(ws_views, basic_operation, ws_operation):
    basic_view, our_view = ws_views
    assert ws_operation in our_view, f"{ws_operation} is missing from our WS WSDL"
    diffs = diff_views(expected_ws_view(basic_view[basic_operation], basic_operation, ws_operation),
                       our_view[ws_operation], ws_operation,
                       labels=("expected", "ours"))
    assert not diffs, f"our WS {ws_operation} differs from Basic {basic_operation} without credentials:\n  " + \
        "\n  ".join(diffs)
