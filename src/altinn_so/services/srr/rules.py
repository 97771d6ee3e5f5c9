"""The service owner's rights register (SRR): who may use a service, with which right, until when
(docs/behaviour/srr.md).

A rule is keyed by (service code, edition, reportee, right, condition) and carries ``valid_to``. Only the owner of
a service reads or changes its rules. AddRights and DeleteRights answer per item (``OperationResult``), never a
fault for one bad item; a condition outside the grammar (``condition_problem``) faults the whole AddRights call
with 450211 before anything is stored, and GetRights faults an invalid reportee with 450210.

Other services (the broker) ask ``RightsRegister.rules_for(service_code, service_edition, reportee, at)``: the
reportee's rules for the service that have not expired at ``at``, read from the store on every call, so that a
deleted right takes effect at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository, Service
from altinn_so.domain.clock import Clock, as_aware
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.ids import is_national_id, is_organisation_number
from altinn_so.domain.registry import RegistryRepository

# The rights a rule may carry: the real contract's enumeration without "None" (D64).
RIGHTS = ("Read", "Write", "Sign", "ArchiveRead", "ArchiveDelete", "Access")

# OperationResult, as the real contract spells it (D63)
OK = "Ok"
UNKNOWN = "Unknown"
RULE_NOT_FOUND = "RuleNotFound"
RULE_ALREADY_EXISTS = "RuleAlreadyExists"
NOT_A_VALID_REPORTEE = "EmptyOrNotAValidSsnOrOrganisation"
RIGHT_ALREADY_EXPIRED = "RightAlreadyExpired"


# -- state ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RightRule:
    """One rule of the register. ``condition`` is None when the rule has none."""

    service_code: str
    service_edition: int
    reportee: str
    right: str
    condition: str | None
    valid_to: datetime
    id: int = 0

    @property
    def key(self) -> tuple:
        return (self.service_code, self.service_edition, self.reportee, self.right, self.condition or "")

    def to_dict(self) -> dict:
        return {"service_code": self.service_code, "service_edition": self.service_edition,
                "reportee": self.reportee, "right": self.right, "condition": self.condition,
                "valid_to": self.valid_to.isoformat()}

    @classmethod
    def from_seed(cls, data: dict) -> "RightRule":
        """A seed file's ``srr_rules`` entry: ``service: "4255:10"``, ``reportee``, ``right``, ``condition``
        (optional) and ``valid_to`` (docs/seed-format.md)."""
        unknown = set(data) - {"service", "reportee", "right", "condition", "valid_to"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        code, _, edition = str(data["service"]).partition(":")
        return cls.from_dict({**data, "service_code": code, "service_edition": edition})

    @classmethod
    def from_dict(cls, data: dict) -> "RightRule":
        code, edition = data["service_code"], data["service_edition"]
        right = str(data["right"])
        if right not in RIGHTS:
            raise ValueError(f"unknown right {right!r}; one of {list(RIGHTS)}")
        condition = normalised_condition(data.get("condition"))
        problem = condition_problem(condition)
        if problem:
            raise ValueError(problem)
        valid_to = data["valid_to"]
        if not isinstance(valid_to, datetime):
            valid_to = datetime.fromisoformat(str(valid_to))
        return cls(service_code=str(code), service_edition=int(edition), reportee=str(data["reportee"]),
                   right=right, condition=condition, valid_to=as_aware(valid_to), id=int(data.get("id") or 0))


class RuleRepository(Protocol):
    def add(self, rule: RightRule) -> bool: ...  # False when a rule of the same key exists
    def delete(self, service_code: str, service_edition: int, reportee: str, right: str,
               condition: str | None) -> bool: ...
    def rules_of(self, service_code: str, service_edition: int, reportee: str | None = None) -> list[RightRule]: ...


# -- requests ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RightRequest:
    """One AddRightRequest (``valid_to`` given) or DeleteRightRequest (``valid_to`` None) as the wire gave it."""

    reportee: str | None
    right: str | None
    condition: str | None
    valid_to: datetime | None = None


@dataclass(frozen=True)
class RightResult:
    request: RightRequest
    result: str  # an OperationResult


# -- conditions -------------------------------------------------------------------------------------------

_BROKER_CONDITIONS = ("sender", "recipient")
_DOMAIN = re.compile(r"^(https?://)?(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*"
                     r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(:\d{1,5})?/?$")


def normalised_condition(condition: str | None) -> str | None:
    """A blank condition is no condition; the broker's words are kept in lower case."""
    condition = (condition or "").strip()
    if not condition:
        return None
    return condition.lower() if condition.lower() in _BROKER_CONDITIONS else condition


def condition_problem(condition: str | None) -> str | None:
    """What is wrong with a (normalised) condition, or None when the register takes it (D65): none; the broker's
    ``sender`` or ``recipient``; ``AllowedRedirectDomain:`` with ``;``-separated domains (a leading ``*.``, a scheme
    and a port allowed); ``KeepSessionAlive:true|false``; ``HandledBy:`` an organisation number."""
    if condition is None or condition in _BROKER_CONDITIONS:
        return None
    key, separator, value = condition.partition(":")
    if not separator:
        return f"Condition '{condition}' is neither sender, recipient nor Key:Value."
    key, value = key.strip(), value.strip()
    if key == "AllowedRedirectDomain":
        domains = value.split(";")
        bad = [d for d in domains if not _DOMAIN.match(d.strip())]
        return f"AllowedRedirectDomain has invalid domains: {bad}." if bad or not value else None
    if key == "KeepSessionAlive":
        return None if value.lower() in ("true", "false") else "KeepSessionAlive must be true or false."
    if key == "HandledBy":
        return None if is_organisation_number(value) else "HandledBy must be an organisation number."
    return f"Condition key '{key}' is unknown (AllowedRedirectDomain, KeepSessionAlive, HandledBy)."


# -- the register -----------------------------------------------------------------------------------------

class RightsRegister:
    """GetRights, AddRights and DeleteRights for the service's owner, and ``rules_for`` for other services."""

    def __init__(self, store: RuleRepository, registry: RegistryRepository, catalog: CatalogRepository,
                 clock: Clock, transaction: Callable):
        self._store = store
        self._registry = registry
        self._catalog = catalog
        self._clock = clock
        self._transaction = transaction

    def get_rights(self, caller: Caller, service_code: str | None, service_edition: int | None,
                   reportee: str | None) -> list[RightRule]:
        """The service's rules, of ``reportee`` or of everybody when it is omitted; expired ones too (D66)."""
        service = self._owned(caller, service_code, service_edition)
        reportee = (reportee or "").strip() or None
        if reportee is not None and not self.is_valid_reportee(reportee):
            raise AltinnError(ErrorCode.SRR_INVALID_REPORTEE,
                              f"Reportee {reportee} is not a valid organisation number or national identity number.")
        return self._store.rules_of(service.code, service.edition, reportee)

    def add_rights(self, caller: Caller, service_code: str | None, service_edition: int | None,
                   requests: list[RightRequest]) -> list[RightResult]:
        service = self._owned(caller, service_code, service_edition)
        for request in requests:  # a bad condition anywhere faults the call before anything is stored
            problem = condition_problem(normalised_condition(request.condition))
            if problem:
                raise AltinnError(ErrorCode.SRR_INVALID_CONDITION, f"Condition is not valid: {problem}")
        now = self._clock.now()
        with self._transaction():
            return [RightResult(request, self._add_one(service, request, now)) for request in requests]

    def delete_rights(self, caller: Caller, service_code: str | None, service_edition: int | None,
                      requests: list[RightRequest]) -> list[RightResult]:
        service = self._owned(caller, service_code, service_edition)
        with self._transaction():
            return [RightResult(request, self._delete_one(service, request)) for request in requests]

    def rules_for(self, service_code: str, service_edition: int, reportee: str, at: datetime) -> list[RightRule]:
        """The rules ``reportee`` has for the service that are still valid at ``at`` (``valid_to`` after it), read
        from the store on every call (no cache: a deleted right takes effect at once). For the broker."""
        at = as_aware(at)
        return [rule for rule in self._store.rules_of(service_code, service_edition, reportee) if rule.valid_to > at]

    def is_valid_reportee(self, number: str) -> bool:
        """An organisation number or national identity number that passes its check and the register knows (D64)."""
        if len(number) == 9 and number.isdigit():
            return is_organisation_number(number) and self._registry.get_organisation(number) is not None
        if len(number) == 11 and number.isdigit():
            return is_national_id(number) and self._registry.get_person(number) is not None
        return False

    def _add_one(self, service: Service, request: RightRequest, now: datetime) -> str:
        reportee = (request.reportee or "").strip()
        if not self.is_valid_reportee(reportee):
            return NOT_A_VALID_REPORTEE
        if request.right not in RIGHTS:
            return UNKNOWN  # "None", or no right at all: nothing to store (D64)
        valid_to = as_aware(request.valid_to) if request.valid_to is not None else None
        if valid_to is None or valid_to <= now:
            return RIGHT_ALREADY_EXPIRED
        rule = RightRule(service.code, service.edition, reportee, request.right,
                         normalised_condition(request.condition), valid_to)
        return OK if self._store.add(rule) else RULE_ALREADY_EXISTS

    def _delete_one(self, service: Service, request: RightRequest) -> str:
        reportee = (request.reportee or "").strip()
        if not self.is_valid_reportee(reportee):
            return NOT_A_VALID_REPORTEE
        found = self._store.delete(service.code, service.edition, reportee, request.right or "",
                                   normalised_condition(request.condition))
        return OK if found else RULE_NOT_FOUND

    def _owned(self, caller: Caller, code: str | None, edition: int | None) -> Service:
        """The service must be given (30004), exist (30003) and be the caller's (5), whatever its kind (D67)."""
        if not code or edition is None:
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "serviceCode and serviceEditionCode are required.")
        service = self._catalog.get_service(code, edition)
        if service is None:
            raise AltinnError(ErrorCode.NOT_A_VALID_SERVICE, f"Service {code} edition {edition} does not exist.")
        if service.owner != caller.owner.code:
            raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                              f"Service {code} edition {edition} is not owned by {caller.owner.code}.")
        return service
