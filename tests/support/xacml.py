"""XACML 2.0 context requests for the decision point's tests, and a reader of its responses
(docs/behaviour/decision-point.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

CONTEXT_NS = "urn:oasis:names:tc:xacml:2.0:context:schema:os"
POLICY_NS = "urn:oasis:names:tc:xacml:2.0:policy:schema:os"
STRING = "http://www.w3.org/2001/XMLSchema#string"
P = "urn:oasis:names:tc:xacml:2.0:"
SSN, ORGNO, TOKEN = P + "subject:urn:altinn:ssn", P + "subject:urn:altinn:orgno", P + "subject:urn:altinn:oauth-accesstoken"
REPORTEE_SSN, REPORTEE_ORGNO = P + "resource:urn:altinn:reportee-ssn", P + "resource:urn:altinn:reportee-orgno"
CODE, EDITION = P + "resource:urn:altinn:externalservicecode", P + "resource:urn:altinn:externalserviceeditioncode"
EXTERNAL = P + "resource:urn:altinn:external-resource"
ELEMENT, ARCHIVED = P + "resource:urn:altinn:reporteeelementid", P + "resource:urn:altinn:archivereporteeelementid"
ACTION, ENVIRONMENT = P + "action:urn:altinn:action-id", P + "action:urn:altinn:environment"

# The decision point's own test seed: rights register rules it needs beside the default seed's (D135).
TEST_SEED = Path(__file__).with_name("decision_point_seed.yaml")


def attribute(attribute_id: str, value: str, data_type: str = STRING) -> str:
    return (f"<Attribute AttributeId={quoteattr(attribute_id)} DataType={quoteattr(data_type)}>"
            f"<AttributeValue>{escape(value)}</AttributeValue></Attribute>")


def category(name: str, *attributes: str) -> str:
    return f"<{name}>{''.join(attributes)}</{name}>"


def document(*categories: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return f'{prolog}<Request xmlns="{CONTEXT_NS}">{"".join(categories)}</Request>'


def resource_attributes(resource) -> list[str]:
    """``("service", code, edition)``, ``("external", name)``, ``("element", id)`` or ``("archived", ref)``."""
    kind, *values = resource
    if kind == "service":
        return [attribute(CODE, str(values[0])), attribute(EDITION, str(values[1]))]
    return [attribute({"external": EXTERNAL, "element": ELEMENT, "archived": ARCHIVED}[kind], str(values[0]))]


def request(subject: str, reportee: str, resource, action: str, environment: str = "TT02") -> str:
    """A request as Altinn's examples write it; a 9-digit number is an organisation's."""
    subject_id = ORGNO if len(subject) == 9 else SSN
    reportee_id = REPORTEE_ORGNO if len(reportee) == 9 else REPORTEE_SSN
    return document(category("Subject", attribute(subject_id, subject)),
                    category("Resource", attribute(reportee_id, reportee), *resource_attributes(resource)),
                    category("Action", attribute(ACTION, action)),
                    category("Environment", attribute(ENVIRONMENT, environment)))


@dataclass(frozen=True)
class Answer:
    decision: str
    status_code: str
    status_message: str
    authentication_level: int | None  # the obligation's value, None without one


def read_response(text: str) -> Answer:
    root = etree.fromstring(text.encode("utf-8"))
    assert root.tag == f"{{{CONTEXT_NS}}}Response"
    results = root.findall(f"{{{CONTEXT_NS}}}Result")
    assert len(results) == 1 and results[0].get("ResourceId") == ""
    result = results[0]
    status = result.find(f"{{{CONTEXT_NS}}}Status")
    level = result.find(f"{{{POLICY_NS}}}Obligations/{{{POLICY_NS}}}Obligation/{{{POLICY_NS}}}AttributeAssignment/"
                        f"{{{POLICY_NS}}}AttributeValue")
    return Answer(result.findtext(f"{{{CONTEXT_NS}}}Decision"),
                  status.find(f"{{{CONTEXT_NS}}}StatusCode").get("Value"),
                  status.findtext(f"{{{CONTEXT_NS}}}StatusMessage"),
                  None if level is None else int(level.text))
