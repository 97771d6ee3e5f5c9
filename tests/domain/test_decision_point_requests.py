"""What the decision point refuses before deciding: text that is no XACML request, or a request outside the
combinations Altinn documented; DTDs and entities; and the Response it writes (docs/behaviour/decision-point.md)."""

from __future__ import annotations

import pytest
from lxml import etree

from altinn_so.domain.errors import AltinnError
from altinn_so.services.decision_point.request import ServiceResource
from altinn_so.services.decision_point.rules import Decision
from altinn_so.services.decision_point.xacml import MAX_REQUEST_CHARS, parse_request, response_text

from support.xacml import (ACTION, ARCHIVED, CODE, EDITION, ELEMENT, ENVIRONMENT, EXTERNAL, ORGNO, REPORTEE_ORGNO,
                           SSN, TOKEN, attribute, category, document, read_response, request)

OLA, EKS = "23917710120", "310003018"
SUBJECT = category("Subject", attribute(SSN, OLA))
RESOURCE = category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(CODE, "4255"), attribute(EDITION, "10"))
ACTION_READ = category("Action", attribute(ACTION, "Read"))
ENV = category("Environment", attribute(ENVIRONMENT, "TT02"))


def fault(text) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        parse_request(text)
    return caught.value


def test_a_valid_request_is_read():
    parsed = parse_request(document(SUBJECT, RESOURCE, ACTION_READ, ENV))
    assert (parsed.subject, parsed.reportee, parsed.resource, parsed.action, parsed.environment) == (
        OLA, EKS, ServiceResource("4255", 10), "Read", "TT02")


def test_altinns_own_example_with_comments_and_schema_location_is_read():
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n<Request xmlns="urn:oasis:names:tc:xacml:2.0:context:schema:os"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:oasis:names:tc:xacml:2.0:'
            'context:schema:os http://docs.oasis-open.org/xacml/access_control-xacml-2.0-context-schema-os.xsd">\n'
            '  <!-- a comment -->\n' + SUBJECT + "\n" + RESOURCE + ACTION_READ + ENV + "\n</Request>\n")
    assert parse_request(text).action == "Read"


def test_an_access_token_is_accepted():
    subject = category("Subject", attribute(SSN, OLA), attribute(TOKEN, "abc"))
    assert parse_request(document(subject, RESOURCE, ACTION_READ, ENV)).access_token == "abc"


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_request_is_30004(text):
    assert fault(text).error_id == 30004


def repeat(element: str, times: int = 2) -> str:
    return element * times


INVALID = {
    "not XML": "Read please",
    "not well-formed": document(SUBJECT, RESOURCE, ACTION_READ, ENV)[:-5],
    "another root": f'<Response xmlns="urn:oasis:names:tc:xacml:2.0:context:schema:os">{SUBJECT}</Response>',
    "no namespace": document(SUBJECT, RESOURCE, ACTION_READ, ENV).replace(' xmlns="urn:oasis:names:tc:xacml:2.0:'
                                                                          'context:schema:os"', ""),
    "XACML 3.0's namespace": document(SUBJECT, RESOURCE, ACTION_READ, ENV).replace(
        "xacml:2.0:context:schema:os", "xacml:3.0:core:schema:wd-17"),
    "no Subject": document(RESOURCE, ACTION_READ, ENV),
    "two Subjects": document(repeat(SUBJECT), RESOURCE, ACTION_READ, ENV),
    "two Resources": document(SUBJECT, repeat(RESOURCE), ACTION_READ, ENV),
    "no Action": document(SUBJECT, RESOURCE, ENV),
    "no Environment": document(SUBJECT, RESOURCE, ACTION_READ),
    "an unknown element": document(SUBJECT, RESOURCE, ACTION_READ, ENV, "<Extra/>"),
    "ssn and orgno": document(category("Subject", attribute(SSN, OLA), attribute(ORGNO, EKS)), RESOURCE,
                              ACTION_READ, ENV),
    "a repeated attribute": document(category("Subject", attribute(SSN, OLA), attribute(SSN, OLA)), RESOURCE,
                                     ACTION_READ, ENV),
    "no subject number": document(category("Subject"), RESOURCE, ACTION_READ, ENV),
    "an unknown attribute": document(category("Subject", attribute(SSN, OLA), attribute("urn:x:role", "DAGL")),
                                     RESOURCE, ACTION_READ, ENV),
    "a subject that is no national identity number": document(category("Subject", attribute(SSN, "12345678901")),
                                                              RESOURCE, ACTION_READ, ENV),
    "a reportee that is no organisation number": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, "310003019"), attribute(CODE, "4255"),
                          attribute(EDITION, "10")), ACTION_READ, ENV),
    "no reportee": document(SUBJECT, category("Resource", attribute(CODE, "4255"), attribute(EDITION, "10")),
                            ACTION_READ, ENV),
    "a reportee and nothing else": document(SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS)),
                                            ACTION_READ, ENV),
    "a code without an edition": document(SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS),
                                                            attribute(CODE, "4255")), ACTION_READ, ENV),
    "an edition that is no number": document(SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS),
                                                               attribute(CODE, "4255"), attribute(EDITION, "ti")),
                                             ACTION_READ, ENV),
    "a service and an external resource": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(CODE, "4255"),
                          attribute(EDITION, "10"), attribute(EXTERNAL, "X")), ACTION_READ, ENV),
    "an element and an archived element": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(ELEMENT, "1"),
                          attribute(ARCHIVED, "1")), ACTION_READ, ENV),
    "an element id that is no number": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(ELEMENT, "AR12")), ACTION_READ, ENV),
    "an element id beyond any Int32 id": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(ELEMENT, "9" * 23)), ACTION_READ, ENV),
    "an element id in other digits": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(ELEMENT, "١٢")), ACTION_READ, ENV),
    "an archived element id beyond any Int32 id": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(ARCHIVED, "9" * 23)), ACTION_READ,
        ENV),
    "an archive reference in other digits": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(ARCHIVED, "AR١٢")), ACTION_READ, ENV),
    "an edition beyond any Int32": document(SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS),
                                                              attribute(CODE, "4255"), attribute(EDITION, "9" * 23)),
                                            ACTION_READ, ENV),
    "an archived element id that is neither": document(
        SUBJECT, category("Resource", attribute(REPORTEE_ORGNO, EKS), attribute(ARCHIVED, "X12")), ACTION_READ, ENV),
    "an unknown action": document(SUBJECT, RESOURCE, category("Action", attribute(ACTION, "Execute")), ENV),
    "an action in lower case": document(SUBJECT, RESOURCE, category("Action", attribute(ACTION, "read")), ENV),
    "two actions": document(SUBJECT, RESOURCE, category("Action", attribute(ACTION, "Read"),
                                                        attribute(ACTION, "Write")), ENV),
    "an unknown environment": document(SUBJECT, RESOURCE, ACTION_READ,
                                       category("Environment", attribute(ENVIRONMENT, "STAGING"))),
    "an integer DataType": document(category("Subject", attribute(SSN, OLA, "http://www.w3.org/2001/XMLSchema#integer")),
                                    RESOURCE, ACTION_READ, ENV),
    "an empty value": document(category("Subject", attribute(SSN, " ")), RESOURCE, ACTION_READ, ENV),
    "two values": document(category("Subject", attribute(SSN, OLA).replace(
        "</Attribute>", f"<AttributeValue>{OLA}</AttributeValue></Attribute>")), RESOURCE, ACTION_READ, ENV),
    "something else than an Attribute": document(category("Subject", "<AttributeValue>1</AttributeValue>"),
                                                 RESOURCE, ACTION_READ, ENV),
}


@pytest.mark.parametrize("text", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_request_is_a_general_error(text):
    error = fault(text)
    assert error.error_id == 0
    assert error.message.startswith("Invalid XACML request: ")


def test_too_long_a_request_is_refused_before_it_is_parsed():
    padding = "<!--" + "x" * MAX_REQUEST_CHARS + "-->"
    error = fault(document(SUBJECT, RESOURCE, ACTION_READ, ENV, prolog=padding))
    assert error.error_id == 0 and "more than" in error.message


EXTERNAL_ENTITY = ('<?xml version="1.0"?><!DOCTYPE Request [<!ENTITY who SYSTEM "file:///etc/hostname">]>'
                   + document(category("Subject", attribute(SSN, "&who;")), RESOURCE, ACTION_READ, ENV, prolog=""))
LAUGHS = ('<!DOCTYPE Request [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
          + document(SUBJECT, RESOURCE, category("Action", attribute(ACTION, "&c;")), ENV, prolog=""))
PLAIN_DTD = '<!DOCTYPE Request SYSTEM "http://example.invalid/x.dtd">' + document(SUBJECT, RESOURCE, ACTION_READ,
                                                                                    ENV, prolog="")


@pytest.mark.parametrize("text", [EXTERNAL_ENTITY, LAUGHS, PLAIN_DTD], ids=["external entity", "entity expansion",
                                                                          "external DTD"])
def test_a_dtd_is_refused(text):
    error = fault(text)
    assert error.error_id == 0 and "DTD is prohibited" in error.message


def test_a_permit_carries_the_authentication_level_obligation():
    text = response_text(Decision("Permit", 3, "permitted"))
    root = etree.fromstring(text.encode())
    assert root.nsmap == {"tns": "urn:oasis:names:tc:xacml:2.0:policy:schema:os",
                          "xacml": "urn:oasis:names:tc:xacml:2.0:context:schema:os",
                          "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    assert [etree.QName(e).localname for e in root.iter()] == [
        "Response", "Result", "Decision", "Status", "StatusCode", "StatusMessage", "Obligations", "Obligation",
        "AttributeAssignment", "AttributeValue"]
    obligation = root.find(".//{urn:oasis:names:tc:xacml:2.0:policy:schema:os}Obligation")
    assert (obligation.get("FulfillOn"), obligation.get("ObligationId")) == ("Permit", "")
    assignment = obligation[0]
    assert assignment.get("AttributeId") == "urn:oasis:names:tc:xacml:2.0:obligation:urn:altinn:authenticationlevel"
    assert assignment[0].get("DataType") == "http://www.w3.org/2001/XMLSchema#integer"
    assert read_response(text).authentication_level == 3


@pytest.mark.parametrize("result", ["Deny", "Indeterminate"])
def test_no_obligation_without_a_permit(result):
    answer = read_response(response_text(Decision(result, reason="No element 5 exists.")))
    assert (answer.decision, answer.authentication_level) == (result, None)
    assert answer.status_message == ("No element 5 exists." if result == "Indeterminate" else "")


def test_a_request_built_by_the_test_helper_is_valid():
    assert parse_request(request(OLA, EKS, ("external", "X"), "Access")).resource.name == "X"
