"""GetRoles: the roles one party holds for another (docs/behaviour/authorization.md, "GetRoles").

The search names who holds the roles (``CoveredByUser``, a person, or ``CoveredByParty``, any party) and for whom
(``OfferedByParty``); with ``OfferedByParty`` exactly one of the two must be given (Altinn's rule). Role names come
in the search's language (1044 bokmål, 2068 nynorsk, 1033 English; bokmål otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

from altinn_so.domain.errors import AltinnError, ErrorCode

from . import Authorizations
from .reportees import checked_person_number, party

# Role codes of the registers (the Central Coordinating Register's roles) and Altinn's own role types the default
# seed uses, by language. A code not listed is shown by its code.
ROLE_NAMES: dict[str, dict[int, str]] = {
    "DAGL": {1044: "Daglig leder", 2068: "Dagleg leiar", 1033: "Managing director"},
    "LEDE": {1044: "Styrets leder", 2068: "Styreleiar", 1033: "Chair of the board"},
    "MEDL": {1044: "Styremedlem", 2068: "Styremedlem", 1033: "Board member"},
    "REGN": {1044: "Regnskapsfører", 2068: "Rekneskapsførar", 1033: "Accountant"},
    "REVI": {1044: "Revisor", 2068: "Revisor", 1033: "Auditor"},
    "INNH": {1044: "Innehaver", 2068: "Innehavar", 1033: "Owner"},
    "UTINN": {1044: "Utfyller/Innsender", 2068: "Utfyllar/Innsendar", 1033: "Reporter/sender"},
    "REGNA": {1044: "Regnskapsmedarbeider", 2068: "Rekneskapsmedarbeidar", 1033: "Accounting employee"},
    "SIGNE": {1044: "Signerer av Samordnet registermelding", 2068: "Signerar av Samordna registermelding",
              1033: "Signer of Coordinated register notification"},
    "PRIV": {1044: "Privatperson", 2068: "Privatperson", 1033: "Private person"},
}
BOKMAL = 1044


@dataclass(frozen=True)
class RoleSearch:
    covered_by_user: str | None = None
    covered_by_party: str | None = None
    offered_by: str | None = None
    language: int | None = None
    role_code: str | None = None  # RoleCodeFilter: one role code


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    offered_by: str
    covered_by: str
    delegated_by: str | None
    source: str  # "ER" for the registers' roles, "Altinn" for those delegated in Altinn (D128)


def role_name(code: str, language: int | None) -> str:
    names = ROLE_NAMES.get(code)
    if not names:
        return code
    return names.get(language or BOKMAL) or names[BOKMAL]


def find_roles(authorizations: Authorizations, registry, search: RoleSearch | None) -> list[Role]:
    covered = _covered(search, registry)
    offered = (search.offered_by or "").strip() or None
    if offered is not None and party(registry, offered) is None:
        raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER, f"OfferedByParty {offered} is not a known party.")
    code = (search.role_code or "").strip() or None
    roles = []
    for assignment in authorizations.store.assignments_of(covered):
        if offered is not None and assignment.offered_by != offered:
            continue
        for role in assignment.roles:
            if code is None or role == code:
                roles.append(Role(role, role_name(role, search.language), assignment.offered_by, covered,
                                  assignment.delegated_by, "Altinn" if assignment.delegated_by else "ER"))
    return roles


def _covered(search: RoleSearch | None, registry) -> str:
    """Who holds the roles: exactly one of CoveredByUser and CoveredByParty (30004 when neither, 0 when both)."""
    if search is None:
        raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "roleSearchBE is required.")
    user = (search.covered_by_user or "").strip() or None
    covered_party = (search.covered_by_party or "").strip() or None
    if user and covered_party:
        raise AltinnError(ErrorCode.GENERAL_ERROR,
                          "Give exactly one of CoveredByUser and CoveredByParty, not both.")
    if not user and not covered_party:
        raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION,
                          "CoveredByUser or CoveredByParty is required (exactly one of them).")
    if user:
        return checked_person_number(user, "CoveredByUser")
    if party(registry, covered_party) is None:
        raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER, f"CoveredByParty {covered_party} is not a known party.")
    return covered_party
