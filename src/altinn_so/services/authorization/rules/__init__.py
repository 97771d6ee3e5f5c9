"""Who may act for whom: role assignments and consents from the seed (docs/behaviour/authorization.md).

A role assignment says that a person (``covered_by``, a national identity number) holds role codes for a reportee
(``offered_by``: an organisation number, or the person's own number). A consent says whether a person has agreed to
use Altinn at all, and to act for others. AuthorizationAdministration lists reportees and roles from them, and the
decision point (AuthorizationDecisionPointExternal) decides from them.

AuthorizationAdministration's rules are beside this module: ``reportees`` (GetReportees), ``roles`` (GetRoles),
``temp_keys`` (GetReporteeByTempKey), ``consent_usage`` (LogConsentUsage) and ``administration``, which ties them
to the stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from altinn_so.domain.values import check_keys


@dataclass(frozen=True)
class RoleAssignment:
    covered_by: str  # the person who holds the roles (SSN)
    offered_by: str  # the reportee the roles are for (orgno or SSN)
    roles: tuple[str, ...]  # role codes, e.g. "DAGL", "REGNA", "UTINN"
    delegated_by: str | None = None  # who delegated them (None: from the registers, e.g. ER roles)

    @property
    def key(self) -> tuple[str, str]:
        return self.covered_by, self.offered_by

    @classmethod
    def from_seed(cls, data: dict) -> "RoleAssignment":
        check_keys(data, {"person", "reportee", "roles", "delegated_by"}, "role assignment")
        roles = data.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) and r.strip() for r in roles):
            raise ValueError("roles must be a list of role codes")
        return cls(str(data["person"]), str(data["reportee"]), tuple(r.strip() for r in roles),
                   str(data["delegated_by"]) if data.get("delegated_by") else None)

    def to_dict(self) -> dict:
        return {"person": self.covered_by, "reportee": self.offered_by, "roles": list(self.roles),
                "delegated_by": self.delegated_by}


@dataclass(frozen=True)
class Consent:
    """A person's consents in Altinn's portal: to use Altinn at all, and to act for others (default both)."""

    person: str
    uses_altinn: bool = True
    acts_for_others: bool = True

    @classmethod
    def from_seed(cls, data: dict) -> "Consent":
        check_keys(data, {"person", "uses_altinn", "acts_for_others"}, "consent")
        for name in ("uses_altinn", "acts_for_others"):
            if not isinstance(data.get(name, True), bool):
                raise ValueError(f"{name} must be true or false")
        return cls(str(data["person"]), data.get("uses_altinn", True), data.get("acts_for_others", True))

    def to_dict(self) -> dict:
        return {"person": self.person, "uses_altinn": self.uses_altinn, "acts_for_others": self.acts_for_others}


class AuthorizationRepository(Protocol):
    def put_assignment(self, assignment: RoleAssignment) -> None: ...
    def assignments_of(self, person: str) -> list[RoleAssignment]: ...  # what the person holds, for anyone
    def assignments_for(self, reportee: str) -> list[RoleAssignment]: ...  # who holds roles for the reportee
    def list_assignments(self) -> list[RoleAssignment]: ...
    def put_consent(self, consent: Consent) -> None: ...
    def consent_of(self, person: str) -> Consent | None: ...
    def list_consents(self) -> list[Consent]: ...


class Authorizations:
    """The questions other services ask: which roles a person holds for a reportee, and what the person consented
    to (a person with no consent in the seed has consented to everything)."""

    def __init__(self, store: AuthorizationRepository):
        self.store = store

    def roles_of(self, person: str, reportee: str) -> tuple[str, ...]:
        return tuple(role for assignment in self.store.assignments_of(person) if assignment.offered_by == reportee
                     for role in assignment.roles)

    def consent_of(self, person: str) -> Consent:
        return self.store.consent_of(person) or Consent(person)
