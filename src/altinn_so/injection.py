"""Fault injection: rules that make the emulator fail the way Altinn (or the network) could.

A rule matches calls by operation, binding, caller, reportee and, with
``nth``, only the n-th matching call. Its action answers with an AltinnFault
(any ErrorID, or a preset), a receipt with a non-OK status, a bare HTTP
status, a dropped connection, a malformed response, or a delay. A rule fires
``times`` times (one-shot with 1) or, with ``times`` null, every time
(sticky). ``when`` says whether the failure replaces the call ("before": the
emulator's state is untouched) or follows it ("after": the call took effect,
the client just never hears so — the case that tests idempotent retries).

Rules live in the store, so every worker process sees and counts the same ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Protocol

from .domain.values import INT32_MAX, INT32_MIN, NOT_XML

ACTIONS = ("altinn_fault", "receipt_status", "http_status", "drop_connection", "malformed_response", "delay")
RECEIPT_STATUSES = ("UnExpectedError", "ValidationFailed", "Rejected", "OK")

# Presets for the failures clients handle. "non-functional" is the ErrorID 0 fault real clients treat as
# retryable ("Your request suffered from a non-functional error ...").
PRESETS: dict[str, tuple[int, str]] = {
    "non-functional": (0, "Your request suffered from a non-functional error. If this persist, please report it to "
                          "the system administrator. Please include the id concerning this speciffic error "
                          "[{guid}]."),
    "general": (0, "An error occurred"),
    "wrong-password": (989, "Incorrect username/password/pin given for user"),
    "locked-out": (989, "The system is temporarily locked out after repeated failed logins. Try again later."),
    "not-authorized": (5, "The request cannot be authorized."),
    "no-receipt": (30008, "No receipt found for the given ReceiptId or reference."),
    "service-not-valid": (40013, "The service is not valid."),
    "invalid-reportee": (60012, "No reportee could be identified from ReporteeNumber."),
}


class RuleError(ValueError):
    """A fault rule that cannot be understood; the message says what is wrong."""


@dataclass(frozen=True)
class Match:
    operation: str | None = None  # wire name (InsertCorrespondenceBasicV2) or base name (InsertCorrespondence)
    binding: str | None = None  # basic | ws | ec | ec2 | aec | aec2
    caller: str | None = None  # agency system username or service owner code
    reportee: str | None = None
    nth: int | None = None  # only the n-th matching call (counted from the rule's creation)


@dataclass(frozen=True)
class Action:
    type: str
    error_id: int | None = None
    message: str | None = None
    extended: str | None = None
    localized: str | None = None
    preset: str | None = None
    status: str | int | None = None  # receipt status, or HTTP status
    text: str | None = None  # receipt text
    ms: int | None = None  # delay


@dataclass(frozen=True)
class FaultRule:
    id: int | None
    match: Match
    action: Action
    times: int | None = 1  # None: sticky
    when: str = "before"  # before | after
    seen: int = 0  # matching calls so far
    fired: int = 0

    @property
    def spent(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def to_dict(self) -> dict:
        return {"id": self.id, "match": _compact(asdict(self.match)), "action": _compact(asdict(self.action)),
                "times": self.times, "when": self.when, "seen": self.seen, "fired": self.fired}

    @classmethod
    def from_dict(cls, data: dict) -> "FaultRule":
        """Parse and validate a rule as the admin API receives it."""
        if not isinstance(data, dict):
            raise RuleError("a fault rule is a JSON object with 'match' and 'action'")
        unknown = set(data) - {"id", "match", "action", "times", "when", "seen", "fired"}
        if unknown:
            raise RuleError(f"unknown fault rule fields {sorted(unknown)}")
        match = _build(Match, data.get("match") or {}, "match")
        action = _build(Action, data.get("action") or {}, "action")
        times = data.get("times", 1)
        when = data.get("when", "before")
        _validate(match, action, times, when)
        return cls(id=data.get("id"), match=match, action=action, times=times, when=when,
                   seen=int(data.get("seen", 0)), fired=int(data.get("fired", 0)))

    def error(self) -> tuple[int, str, str | None, str | None]:
        """(ErrorID, message, extended, localized) of an altinn_fault action."""
        error_id, message = PRESETS.get(self.action.preset, (0, "An error occurred"))
        if self.action.error_id is not None:
            error_id = self.action.error_id
        return error_id, self.action.message or message, self.action.extended, self.action.localized


def _compact(values: dict) -> dict:
    return {key: value for key, value in values.items() if value is not None}


def _build(cls, data, what: str):
    if not isinstance(data, dict):
        raise RuleError(f"'{what}' must be an object")
    unknown = set(data) - set(cls.__dataclass_fields__)
    if unknown:
        raise RuleError(f"unknown '{what}' fields {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise RuleError(f"'{what}': {exc}") from None


def _validate(match: Match, action: Action, times, when) -> None:
    if action.type not in ACTIONS:
        raise RuleError(f"action type must be one of {list(ACTIONS)}")
    if match.nth is not None and not _positive(match.nth):
        raise RuleError("match.nth must be a positive integer")
    if times is not None and not _positive(times):
        raise RuleError("times must be a positive integer, or null for a sticky rule")
    for name in ("operation", "binding", "caller", "reportee"):
        if getattr(match, name) is not None and not isinstance(getattr(match, name), str):
            raise RuleError(f"match.{name} must be a string")
    if when not in ("before", "after"):
        raise RuleError("when must be 'before' or 'after'")
    if action.type == "altinn_fault":
        if action.preset is not None and (not isinstance(action.preset, str) or action.preset not in PRESETS):
            raise RuleError(f"unknown preset {action.preset!r}; known: {sorted(PRESETS)}")
        if action.preset is None and action.error_id is None:
            raise RuleError("an altinn_fault needs an error_id or a preset")
        error_id = action.error_id
        if error_id is not None and not (isinstance(error_id, int) and not isinstance(error_id, bool)
                                         and INT32_MIN <= error_id <= INT32_MAX):
            raise RuleError("error_id must be an integer (an Int32, as AltinnFault's ErrorID)")
        _check_texts(action, ("message", "extended", "localized"))
    elif action.type == "receipt_status":
        if not isinstance(action.status, str) or action.status not in RECEIPT_STATUSES:
            raise RuleError(f"receipt_status needs a status among {list(RECEIPT_STATUSES)}")
        _check_texts(action, ("text",))
    elif action.type == "http_status" and not (_positive(action.status) and 100 <= action.status <= 599):
        raise RuleError("http_status needs an HTTP status code (100-599)")
    elif action.type == "delay" and not (isinstance(action.ms, int) and not isinstance(action.ms, bool)
                                         and 0 <= action.ms <= 600_000):
        raise RuleError("delay needs ms between 0 and 600000")
    if action.type in ("receipt_status", "delay") and when != "before":
        raise RuleError(f"{action.type} has no 'after' form")


def _check_texts(action: Action, names: tuple[str, ...]) -> None:
    """Texts a reply will carry: strings, without characters XML cannot carry."""
    for name in names:
        value = getattr(action, name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise RuleError(f"action.{name} must be a string")
        if NOT_XML.search(value):
            raise RuleError(f"action.{name} holds a character XML cannot carry")


def _positive(value) -> bool:
    """A count: a whole number from 1 (within Int32, so that it fits every store)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT32_MAX


@dataclass(frozen=True)
class CallFacts:
    """What a rule can match on."""

    operation: str
    base_operation: str
    binding: str
    caller: str | None
    owner: str | None
    reportees: tuple[str, ...] = field(default_factory=tuple)
    returns_receipt: bool = False  # receipt_status rules only concern calls that return a receipt


def matches(rule: FaultRule, call: CallFacts) -> bool:
    if rule.action.type == "receipt_status" and not call.returns_receipt:
        return False
    match = rule.match
    if match.operation and match.operation.lower() not in (call.operation.lower(), call.base_operation.lower()):
        return False
    if match.binding and match.binding.lower() != call.binding:
        return False
    if match.caller and match.caller not in (call.caller, call.owner):
        return False
    if match.reportee and match.reportee not in call.reportees:
        return False
    return True


def should_fire(rule: FaultRule) -> bool:
    """Whether a rule that has just matched (``seen`` already counts this call) fires."""
    if rule.spent:
        return False
    return rule.match.nth is None or rule.seen == rule.match.nth


class FaultRuleRepository(Protocol):
    def add_rule(self, rule: FaultRule) -> FaultRule: ...
    def list_rules(self) -> list[FaultRule]: ...
    def cached_rules(self) -> list[FaultRule]: ...
    def save_rule(self, rule: FaultRule) -> None: ...
    def delete_rule(self, rule_id: int) -> bool: ...
    def clear_rules(self) -> int: ...


class FaultInjector:
    def __init__(self, rules: FaultRuleRepository, transaction):
        self.rules = rules
        self._transaction = transaction

    def add(self, data: dict) -> FaultRule:
        if isinstance(data, dict):  # a rule listed earlier may be posted back: its counts are the store's
            data = {key: value for key, value in data.items() if key not in ("id", "seen", "fired")}
        return self.rules.add_rule(replace(FaultRule.from_dict(data), id=None, seen=0, fired=0))

    def consult(self, call: CallFacts) -> list[FaultRule]:
        """Count this call against every matching rule; return the rules that fire, in creation order."""
        if not any(not rule.spent and matches(rule, call) for rule in self.rules.cached_rules()):
            return []  # the usual case: no transaction on the hot path
        firing = []
        decided = False
        with self._transaction():  # counting is shared by all workers
            for rule in self.rules.list_rules():
                if rule.spent or not matches(rule, call):
                    continue
                rule = replace(rule, seen=rule.seen + 1)
                # Every delay fires; of the other rules only the oldest that would fire answers, and only it
                # is used up: "fail with X, then with Y" as two one-shot rules means exactly that.
                if should_fire(rule) and (rule.action.type == "delay" or not decided):
                    decided = decided or rule.action.type != "delay"
                    rule = replace(rule, fired=rule.fired + 1)
                    firing.append(rule)
                self.rules.save_rule(rule)
        return firing
