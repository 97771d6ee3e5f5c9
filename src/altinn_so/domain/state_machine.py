"""A collaboration service's state machine, as the seed declares it (docs/behaviour/cases.md, docs/seed-format.md).

Altinn's service developers drew it in TUL: states with names per language, the events each state answers with
the state each leads to, conditions on them, and the notice templates a service owner may set on a case. The
emulator reads the same things from the seed and keeps them with the service (``catalog.Service.state_machine``).

Conditions are a small language of our own (D116): a named condition is a constant (``value: true``), a test that
the case's notice is of a template (``notice: Reminder``) or a test of one token of the case's notice
(``token: Decision, equals: "yes"``). They read only the case's notice, so a test sets them with SetNotice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .values import check_keys, optional_text, whole_number

# The events Altinn itself raises for a case's elements, and Instantiated, which a service owner may raise: a
# service accepts them whether or not its machine uses them (a state without them ignores them).
INSTANTIATED, SUBMITTED, ARCHIVED, OPENED, CONFIRMED = "Instantiated", "Submitted", "Archived", "Opened", "Confirmed"
PREDEFINED_EVENTS = (INSTANTIATED, SUBMITTED, ARCHIVED, OPENED, CONFIRMED)


@dataclass(frozen=True)
class Condition:
    """A named test of a case's notice: a constant, its template, or one of its tokens."""

    name: str
    value: bool | None = None
    notice: str | None = None
    token: str | None = None
    equals: str | None = None

    def holds(self, notice_template: str | None, tokens: dict[str, str]) -> bool:
        if self.value is not None:
            return self.value
        if self.notice is not None:
            return notice_template == self.notice
        return tokens.get(self.token or "") == self.equals

    @classmethod
    def from_dict(cls, name: str, data) -> "Condition":
        if not isinstance(data, dict):
            raise ValueError(f"condition {name!r} must be a mapping: value, notice, or token with equals")
        check_keys(data, {"value", "notice", "token", "equals"}, f"condition {name!r}")
        kinds = [key for key in ("value", "notice", "token") if key in data]
        if len(kinds) != 1:
            raise ValueError(f"condition {name!r} is one of value, notice or token (with equals), not {kinds}")
        if "value" in data:
            if not isinstance(data["value"], bool):
                raise ValueError(f"condition {name!r}: value must be true or false")
            return cls(name, value=data["value"])
        if "notice" in data:
            return cls(name, notice=str(data["notice"]))
        if "equals" not in data:
            raise ValueError(f"condition {name!r}: a token test needs equals")
        return cls(name, token=str(data["token"]), equals=str(data["equals"]))

    def to_dict(self) -> dict:
        if self.value is not None:
            return {"value": self.value}
        if self.notice is not None:
            return {"notice": self.notice}
        return {"token": self.token, "equals": self.equals}


@dataclass(frozen=True)
class Transition:
    event: str
    to: str
    condition: str | None = None  # the name of a condition of the machine


@dataclass(frozen=True)
class State:
    name: str
    id: int
    names: dict[int, str] = field(default_factory=dict)  # friendly names per language
    transitions: tuple[Transition, ...] = ()

    def transition(self, event: str) -> Transition | None:
        return next((t for t in self.transitions if t.event == event), None)


@dataclass(frozen=True)
class NoticeTemplate:
    id: str
    tokens: tuple[str, ...] = ()  # the token keys a notice of this template must be given


@dataclass(frozen=True)
class StateMachine:
    states: tuple[State, ...]
    initial: str
    default_language: int = 1044
    conditions: dict[str, Condition] = field(default_factory=dict)
    notices: tuple[NoticeTemplate, ...] = ()

    def state(self, name: str) -> State | None:
        return next((s for s in self.states if s.name == name), None)

    def notice(self, template_id: str) -> NoticeTemplate | None:
        return next((n for n in self.notices if n.id == template_id), None)

    def friendly_name(self, state: State, language: int | None) -> str:
        """The state's name in ``language``, else in the service's default language, else its technical name."""
        return state.names.get(language or 0) or state.names.get(self.default_language) or state.name

    @property
    def events(self) -> set[str]:
        """Every event the service registers: the predefined ones and those of its states."""
        return set(PREDEFINED_EVENTS) | {t.event for s in self.states for t in s.transitions}

    @classmethod
    def single_state(cls) -> "StateMachine":
        """The machine of a collaboration service the seed gives none: one state, no events of its own."""
        return cls(states=(State("Started", 1),), initial="Started")

    @classmethod
    def from_dict(cls, data) -> "StateMachine":
        if not isinstance(data, dict):
            raise ValueError("state_machine must be a mapping with states")
        check_keys(data, {"states", "initial", "default_language", "conditions", "notices"}, "state_machine")
        conditions_data = data.get("conditions") or {}
        if not isinstance(conditions_data, dict):
            raise ValueError("state_machine conditions must be a mapping of name to condition")
        conditions = {str(name): Condition.from_dict(str(name), spec) for name, spec in conditions_data.items()}
        raw_states = data.get("states")
        if not isinstance(raw_states, list) or not raw_states:
            raise ValueError("state_machine needs states: a list of at least one state")
        states = tuple(_state(item, position) for position, item in enumerate(raw_states, start=1))
        names = [s.name for s in states]
        if len(set(names)) != len(names) or len({s.id for s in states}) != len(states):
            raise ValueError("two states of the state machine have the same name or id")
        for state in states:
            for transition in state.transitions:
                if transition.to not in names:
                    raise ValueError(f"state {state.name!r}: event {transition.event!r} leads to {transition.to!r}, "
                                     "which is no state of the machine")
                if transition.condition is not None and transition.condition not in conditions:
                    raise ValueError(f"state {state.name!r}: event {transition.event!r} names condition "
                                     f"{transition.condition!r}, which the machine does not declare")
        initial = optional_text(data.get("initial"), "initial") or states[0].name
        if initial not in names:
            raise ValueError(f"the initial state {initial!r} is no state of the machine")
        notices = tuple(_notice(item) for item in data.get("notices") or ())
        if len({n.id for n in notices}) != len(notices):
            raise ValueError("two notice templates have the same id")
        return cls(states=states, initial=initial,
                   default_language=whole_number(data.get("default_language", 1044), "default_language"),
                   conditions=conditions, notices=notices)

    def to_dict(self) -> dict:
        return {
            "initial": self.initial, "default_language": self.default_language,
            "states": [{"name": s.name, "id": s.id, "names": {str(k): v for k, v in s.names.items()},
                        "events": {t.event: ({"to": t.to, "condition": t.condition} if t.condition else t.to)
                                   for t in s.transitions}} for s in self.states],
            "conditions": {name: c.to_dict() for name, c in self.conditions.items()},
            "notices": [{"id": n.id, "tokens": list(n.tokens)} for n in self.notices],
        }


def _state(data, position: int) -> State:
    if not isinstance(data, dict):
        raise ValueError("a state is a mapping with name, and optionally id, names and events")
    check_keys(data, {"name", "id", "names", "events"}, "state")
    name = optional_text(data.get("name"), "state name")
    if not name:
        raise ValueError("a state needs a name")
    names = data.get("names") or {}
    events = data.get("events") or {}
    if not isinstance(names, dict) or not isinstance(events, dict):
        raise ValueError(f"state {name!r}: names and events are mappings")
    transitions = []
    for event, target in events.items():
        if isinstance(target, dict):
            check_keys(target, {"to", "condition"}, f"event {event!r}")
            to, condition = target.get("to"), target.get("condition")
        else:
            to, condition = target, None
        if not to:
            raise ValueError(f"state {name!r}: event {event!r} needs the state it leads to")
        transitions.append(Transition(str(event), str(to), None if condition is None else str(condition)))
    return State(name=name, id=whole_number(data.get("id", position), "state id", 1),
                 names={whole_number(k, "a language id of names"): str(v) for k, v in names.items()},
                 transitions=tuple(transitions))


def _notice(data) -> NoticeTemplate:
    if not isinstance(data, dict):
        raise ValueError("a notice template is a mapping with id and tokens")
    check_keys(data, {"id", "tokens"}, "notice template")
    template_id = optional_text(data.get("id"), "notice id")
    if not template_id:
        raise ValueError("a notice template needs an id")
    tokens = data.get("tokens") or []
    if not isinstance(tokens, list) or not all(isinstance(t, str) and t for t in tokens):
        raise ValueError(f"notice template {template_id!r}: tokens is a list of token keys")
    return NoticeTemplate(template_id, tuple(tokens))
