"""Values that plain Python has no word for."""

from __future__ import annotations

import re

# Characters no XML 1.0 document can carry (most control characters, lone surrogates, U+FFFE and U+FFFF):
# text that reaches a SOAP reply must have none.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _Blank:
    """An element the client sent without a value (``<ShipmentDateTime/>``), as opposed to leaving it out.

    Altinn treats some fields differently in the two cases (docs/behaviour/decisions.md, D5).
    """

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "BLANK"


BLANK = _Blank()

# The range of .NET's Int32, which Altinn parses numbers in text fields into (a service edition, say).
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1


def digits_number(text: str) -> int | None:
    """The number ``text`` spells in ASCII digits, if it is one of 0..INT32_MAX (every Altinn id is an Int32);
    None otherwise. (``str.isdigit`` also takes '²' and other scripts' digits, and a longer number overflows the
    store's integers.)"""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= INT32_MAX else None


def evolve(entity, **changes):
    """A copy of a frozen dataclass with some fields changed, like ``dataclasses.replace`` but without
    running ``__init__`` again (it is on every call's path). Only for values that need no checking."""
    copy = object.__new__(type(entity))
    copy.__dict__.update(entity.__dict__)
    copy.__dict__.update(changes)
    return copy


def check_keys(data, allowed: set[str], what: str) -> dict:
    """``data`` as a mapping whose keys are all in ``allowed``; a typo is an error, not lost data."""
    if not isinstance(data, dict):
        raise ValueError(f"{what} must be a mapping, not {type(data).__name__}")
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown {what} field(s) {sorted(unknown)}; expected some of {sorted(allowed)}")
    return data


def whole_number(value, what: str, low: int = INT32_MIN, high: int = INT32_MAX) -> int:
    """A seed file's number (an int, or the text of one) within ``low``..``high``: an Int32 unless told."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{what} {number} is outside {low}..{high}")
    return number


def optional_text(value, what: str) -> str | None:
    """A seed file's text field: any scalar, as text (``short_name: 123`` is the text 123); None if absent."""
    if value is None:
        return None
    if isinstance(value, (dict, list, tuple)):
        raise ValueError(f"{what} must be text, not a {type(value).__name__}")
    return str(value)


def as_list(value, what: str) -> list:
    """A YAML list field; a single scalar is refused instead of being split into characters."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{what} must be a list, not {type(value).__name__}")
    return list(value)
