"""GetReportees: the parties a person may act for, from the role assignments, the consents and the registry
(docs/behaviour/authorization.md, "GetReportees").

The person comes first, then each party the person holds roles for, in the order of their numbers; a main unit is
followed by its sub-units when they are asked for. A party the registry does not know is left out: the emulator's
registry has no inactive parties, so ``retrieveInActiveReportee`` changes nothing (D126).
"""

from __future__ import annotations

from dataclasses import dataclass

from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.ids import is_national_id, is_organisation_number
from altinn_so.domain.registry import Organisation, Person

from . import Authorizations


@dataclass(frozen=True)
class Reportee:
    """A party as ExternalReporteeBE shows it: a person (``ssn``) or an organisation (``orgno``)."""

    name: str
    kind: str  # "Person" or "Organization", Altinn's PartyType
    ssn: str | None = None
    orgno: str | None = None

    @property
    def number(self) -> str:
        return self.ssn or self.orgno or ""

    @classmethod
    def of(cls, party: Person | Organisation) -> "Reportee":
        if isinstance(party, Person):
            return cls(party.name, "Person", ssn=party.ssn)
        return cls(party.name, "Organization", orgno=party.orgno)

    def to_dict(self) -> dict:
        return {"name": self.name, "type": self.kind, "ssn": self.ssn, "orgno": self.orgno}


@dataclass(frozen=True)
class ReporteeSearch:
    user_ssn: str | None
    include_inactive: bool = False  # retrieveInActiveReportee: accepted, no party is inactive here (D126)
    include_sub_units: bool = False  # retrieveSubEnitiy
    maximum: int | None = None  # maximumReporteeCount: None or 0 lists them all


def checked_person_number(number: str | None, what: str) -> str:
    """A national identity number given for a person: 30004 when absent, 40016 when it fails the check."""
    number = (number or "").strip()
    if not number:
        raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, f"{what} is required.")
    if not is_national_id(number):
        raise AltinnError(ErrorCode.INVALID_SSN, f"Invalid SSN: {number} is not a valid national identity number.")
    return number


def party(registry, number: str) -> Person | Organisation | None:
    """The person or organisation a number names in the registry, or None."""
    if len(number) == 11 and is_national_id(number):
        return registry.get_person(number)
    if len(number) == 9 and is_organisation_number(number):
        return registry.get_organisation(number)
    return None


def list_reportees(authorizations: Authorizations, registry, search: ReporteeSearch) -> list[Reportee]:
    user_ssn = checked_person_number(search.user_ssn, "userSSN")
    if search.maximum is not None and search.maximum < 0:
        raise AltinnError(ErrorCode.GENERAL_ERROR,
                          f"maximumReporteeCount must be 0 (all) or more, not {search.maximum}.")
    consent = authorizations.consent_of(user_ssn)
    if not consent.uses_altinn:
        return []  # a person who has not consented to use Altinn has no reportees at all
    person = registry.get_person(user_ssn)
    if person is None:
        raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER, f"No person with SSN {user_ssn} is known.")
    found = [Reportee.of(person)]
    if consent.acts_for_others:
        found.extend(_others(authorizations, registry, user_ssn, search.include_sub_units))
    return found[:search.maximum] if search.maximum else found


def _others(authorizations: Authorizations, registry, user_ssn: str, include_sub_units: bool) -> list[Reportee]:
    sub_units: dict[str, list[Organisation]] = {}
    for organisation in registry.list_organisations():
        if organisation.parent:
            sub_units.setdefault(organisation.parent, []).append(organisation)
    listed: dict[str, Reportee] = {}
    for assignment in authorizations.store.assignments_of(user_ssn):
        found = party(registry, assignment.offered_by)
        if found is None or assignment.offered_by == user_ssn:
            continue
        if isinstance(found, Organisation) and found.parent and not include_sub_units:
            continue  # a sub-unit only appears when sub-units are asked for
        listed.setdefault(assignment.offered_by, Reportee.of(found))
        if include_sub_units and isinstance(found, Organisation):
            # roles for a main unit reach its sub-units, as in Altinn
            for unit in sorted(sub_units.get(found.orgno, ()), key=lambda u: u.orgno):
                listed.setdefault(unit.orgno, Reportee.of(unit))
    return list(listed.values())
