"""An XACML request as the decision point reads it: the attributes of its Subject, Resource, Action and Environment
checked against the combinations Altinn documented (docs/behaviour/decision-point.md). Plain Python: ``xacml``
reads the XML and hands the attributes here.

Anything the documented combinations do not allow is an AltinnFault with ErrorID 0 (D134): a missing, repeated or
unknown attribute, a number that is not one, an unknown action or environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.ids import is_national_id, is_organisation_number
from altinn_so.domain.values import digits_number

from .policies import ACTIONS

_PREFIX = "urn:oasis:names:tc:xacml:2.0:"
SUBJECT_SSN = _PREFIX + "subject:urn:altinn:ssn"
SUBJECT_ORGNO = _PREFIX + "subject:urn:altinn:orgno"
SUBJECT_TOKEN = _PREFIX + "subject:urn:altinn:oauth-accesstoken"
REPORTEE_SSN = _PREFIX + "resource:urn:altinn:reportee-ssn"
REPORTEE_ORGNO = _PREFIX + "resource:urn:altinn:reportee-orgno"
SERVICE_CODE = _PREFIX + "resource:urn:altinn:externalservicecode"
SERVICE_EDITION = _PREFIX + "resource:urn:altinn:externalserviceeditioncode"
EXTERNAL_RESOURCE = _PREFIX + "resource:urn:altinn:external-resource"
ELEMENT_ID = _PREFIX + "resource:urn:altinn:reporteeelementid"
ARCHIVED_ELEMENT_ID = _PREFIX + "resource:urn:altinn:archivereporteeelementid"
ACTION_ID = _PREFIX + "action:urn:altinn:action-id"
ENVIRONMENT = _PREFIX + "action:urn:altinn:environment"  # (sic: Altinn put it under "action")

ALLOWED = {
    "Subject": {SUBJECT_SSN, SUBJECT_ORGNO, SUBJECT_TOKEN},
    "Resource": {REPORTEE_SSN, REPORTEE_ORGNO, SERVICE_CODE, SERVICE_EDITION, EXTERNAL_RESOURCE, ELEMENT_ID,
                 ARCHIVED_ELEMENT_ID},
    "Action": {ACTION_ID},
    "Environment": {ENVIRONMENT},
}
# DEV, AT1..ATn, YT1..YTn, TT2 (written TT02 in Altinn's own examples) and PROD
_ENVIRONMENT = re.compile(r"^(DEV|AT\d{1,2}|YT\d{1,2}|TT0?2|PROD)$")
_ARCHIVE_REFERENCE = re.compile(r"^AR[0-9]+$", re.IGNORECASE)


@dataclass(frozen=True)
class ServiceResource:
    code: str
    edition: int


@dataclass(frozen=True)
class ExternalResourceName:
    name: str


@dataclass(frozen=True)
class ElementResource:
    element_id: int  # a worklist element's or a correspondence's id


@dataclass(frozen=True)
class ArchivedElementResource:
    reference: str  # an archived element's id, or its archive reference ("AR" + digits)


Resource = ServiceResource | ExternalResourceName | ElementResource | ArchivedElementResource


@dataclass(frozen=True)
class AccessRequest:
    subject: str  # a national identity number or an organisation number
    reportee: str
    resource: Resource
    action: str
    environment: str
    access_token: str | None = None  # accepted, and not used: the emulator has no consent tokens (D137)


def invalid(message: str) -> AltinnError:
    return AltinnError(ErrorCode.GENERAL_ERROR, f"Invalid XACML request: {message}")


def _single(attributes: dict[str, list[str]], attribute_id: str) -> str | None:
    values = attributes.get(attribute_id, [])
    if len(values) > 1:
        raise invalid(f"the attribute {attribute_id} is given {len(values)} times")
    return values[0] if values else None


def _one_of(attributes: dict[str, list[str]], ids: tuple[str, ...], what: str) -> tuple[str, str]:
    given = [(attribute_id, value) for attribute_id in ids
             if (value := _single(attributes, attribute_id)) is not None]
    if len(given) != 1:
        names = " or ".join(ids)
        raise invalid(f"{what} needs exactly one of {names}" + (", not several" if given else ""))
    return given[0]


def _number(attribute_id: str, value: str) -> str:
    check = is_national_id if attribute_id in (SUBJECT_SSN, REPORTEE_SSN) else is_organisation_number
    if not check(value):
        kind = "national identity number" if check is is_national_id else "organisation number"
        raise invalid(f"{value!r} ({attribute_id}) is not a valid {kind}")
    return value


def _resource(attributes: dict[str, list[str]]) -> Resource:
    code, edition = _single(attributes, SERVICE_CODE), _single(attributes, SERVICE_EDITION)
    kinds = [name for name, present in (("a service", code is not None or edition is not None),
                                        ("an external resource", EXTERNAL_RESOURCE in attributes),
                                        ("a reportee element", ELEMENT_ID in attributes),
                                        ("an archived element", ARCHIVED_ELEMENT_ID in attributes)) if present]
    if len(kinds) != 1:
        raise invalid("the Resource names " + (" and ".join(kinds) if kinds else "nothing besides its reportee")
                      + ": it must name exactly one service (code and edition), external resource, "
                      "reporteeelementid or archivereporteeelementid")
    if kinds[0] == "a service":
        if code is None or edition is None:
            raise invalid("a service is named by both externalservicecode and externalserviceeditioncode")
        number = digits_number(edition)
        if number is None:
            raise invalid(f"the edition code {edition!r} is not a number")
        return ServiceResource(code, number)
    if kinds[0] == "an external resource":
        return ExternalResourceName(_single(attributes, EXTERNAL_RESOURCE))
    if kinds[0] == "a reportee element":
        element = _single(attributes, ELEMENT_ID)
        number = digits_number(element)
        if not number:
            raise invalid(f"the reporteeelementid {element!r} is not an element id")
        return ElementResource(number)
    reference = _single(attributes, ARCHIVED_ELEMENT_ID)
    if not digits_number(reference) and not _ARCHIVE_REFERENCE.match(reference):
        raise invalid(f"the archivereporteeelementid {reference!r} is neither an element id nor an archive "
                      "reference")
    return ArchivedElementResource(reference.upper())


def access_request(categories: dict[str, dict[str, list[str]]]) -> AccessRequest:
    """The request from its attributes: ``{"Subject": {attribute id: [values]}, "Resource": …, "Action": …,
    "Environment": …}``, every value a stripped, non-empty string."""
    for category, attributes in categories.items():
        unknown = sorted(set(attributes) - ALLOWED.get(category, set()))
        if unknown:
            raise invalid(f"{category} has attributes the decision point does not know: {', '.join(unknown)}")
    subject_attributes = categories.get("Subject", {})
    subject_id, subject = _one_of(subject_attributes, (SUBJECT_SSN, SUBJECT_ORGNO), "the Subject")
    token = _single(subject_attributes, SUBJECT_TOKEN)
    resource_attributes = categories.get("Resource", {})
    reportee_id, reportee = _one_of(resource_attributes, (REPORTEE_SSN, REPORTEE_ORGNO), "the Resource")
    action = _single(categories.get("Action", {}), ACTION_ID)
    if action is None:
        raise invalid(f"the Action needs {ACTION_ID}")
    if action not in ACTIONS:
        raise invalid(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    environment = _single(categories.get("Environment", {}), ENVIRONMENT)
    if environment is None:
        raise invalid(f"the Environment needs {ENVIRONMENT}")
    if not _ENVIRONMENT.match(environment):
        raise invalid(f"unknown environment {environment!r}; DEV, ATn, YTn, TT02 or PROD")
    return AccessRequest(subject=_number(subject_id, subject), reportee=_number(reportee_id, reportee),
                         resource=_resource(resource_attributes), action=action, environment=environment,
                         access_token=token)
