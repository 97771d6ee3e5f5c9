"""XML <-> plain Python for spyne models, compiled once per model class.

spyne's models declare our contracts (and generate the WSDLs), but its
XmlDocument (de)serialiser builds a ComplexModel instance per element and
cannot tell an absent element from an empty one, which Altinn's rules need
(``<ShipmentDateTime/>`` is ErrorID 1, no element means "now"). This codec
walks the same models and produces plain dicts:

* an absent element has no key;
* ``xsi:nil="true"`` gives ``None``;
* an empty element of a non-string type gives ``EMPTY``;
* a repeated member gives a list.

Like WCF's DataContractSerializer in its lenient mode and spyne's default,
unknown elements are ignored and member order is not enforced; ``decode``
tells its caller which ones it skipped (``Skipped``: a list item in the wrong
namespace is lost without a fault, so the journal shows it). Values that
cannot be read (``<LanguageID>abc</LanguageID>``) raise ``DecodeError``.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Callable, NamedTuple

from lxml import etree
from spyne.model.complex import ComplexModelBase
from spyne.model.primitive import Boolean, Date, DateTime, Decimal as SpyneDecimal, Double, Float, Integer, Unicode
from spyne.model.binary import ByteArray

from ..domain.clock import local_time
from .namespaces import XSI

_NIL = f"{{{XSI}}}nil"
XOP_PART = "{urn:altinn-so:xop}part"  # set by ``mtom`` on an element whose xop:Include it resolved

# Altinn wrote dateTimes in Norwegian local time without an offset ("2023-10-13T10:06:17.743"),
# and reads offset-less ones the same way (domain.clock.as_aware): ALTINN_TZ.


class _Empty:
    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "EMPTY"


EMPTY = _Empty()


def value(data: dict | None, key: str):
    """A decoded member for a handler: an empty non-string element (EMPTY) reads as "not given"."""
    found = (data or {}).get(key)
    return None if found is EMPTY else found


def is_unset_time(moment) -> bool:
    """.NET's ``DateTime.MinValue`` (``0001-01-01T00:00:00``, with or without an offset): what a .NET proxy sends
    for every DateTime member the caller never set, since a value type cannot be left out."""
    return isinstance(moment, datetime) and moment.replace(tzinfo=None) == datetime.min


def optional_time(data: dict | None, key: str) -> datetime | None:
    """An optional request DateTime: absent, empty and ``DateTime.MinValue`` all read as "not set"."""
    found = value(data, key)
    return None if is_unset_time(found) else found


class Skipped(NamedTuple):
    """An element the codec skipped, as WCF would: its local name and namespace, and where it was (the local
    names of the elements above it, from the decoded element down, as ``/InsertCorrespondenceBasicV2/...``).
    The journal keeps them as the call's warnings (docs/behaviour/decisions.md, D29)."""

    name: str
    namespace: str
    parent: str

    def to_dict(self) -> dict:
        return {"name": self.name, "namespace": self.namespace, "parent": self.parent}


class DecodeError(ValueError):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path


# -- primitives ------------------------------------------------------------------------------------

_INT_BOUNDS = {"byte": 8, "short": 16, "int": 32, "long": 64, "unsignedByte": 8, "unsignedShort": 16,
               "unsignedInt": 32, "unsignedLong": 64}
_DATETIME = re.compile(
    r"^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$")


def _parse_bool(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"'{text}' is not an xs:boolean")


def _int_parser(type_name: str) -> Callable[[str], int]:
    bits = _INT_BOUNDS.get(type_name)
    unsigned = type_name.startswith("unsigned")
    low, high = (0, 2 ** bits - 1) if unsigned and bits else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if bits \
        else (None, None)

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"'{text}' is not an xs:{type_name}") from None
        if low is not None and not low <= value <= high:
            raise ValueError(f"{value} is outside the range of xs:{type_name}")
        return value

    return parse


def parse_datetime(text: str) -> datetime:
    """xs:dateTime as .NET writes it, with up to 7 fractional digits (cut to microseconds, as rounding would
    carry .NET's DateTime.MaxValue, 9999-12-31T23:59:59.9999999, past the last day Python has)."""
    match = _DATETIME.match(text)
    if not match:
        raise ValueError(f"'{text}' is not an xs:dateTime")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        base = datetime(int(year), int(month), int(day), 0, 0, 0)
        if not (int(hour) < 24 or (int(hour) == 24 and minute == second == "00")) or int(minute) > 59 \
                or int(second) > 59:
            raise ValueError
        micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
        value = base + timedelta(hours=int(hour), minutes=int(minute), seconds=int(second), microseconds=micro)
        if zone == "Z":
            value = value.replace(tzinfo=timezone.utc)
        elif zone:
            sign = 1 if zone[0] == "+" else -1
            value = value.replace(tzinfo=timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))))
    except (ValueError, OverflowError):  # no such day or time, 24:00 after the last day, an offset of a day
        raise ValueError(f"'{text}' is not a valid xs:dateTime") from None
    return value


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an xs:decimal") from None


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64 data") from None


def _primitive_parser(model) -> Callable[[str], Any]:
    if issubclass(model, ByteArray):
        return _base64
    if issubclass(model, Boolean):
        return _parse_bool
    if issubclass(model, Integer):
        return _int_parser(model.get_type_name())
    if issubclass(model, (Double, Float)):
        return float
    if issubclass(model, SpyneDecimal):
        return _decimal
    if issubclass(model, DateTime):
        return parse_datetime
    if issubclass(model, Date):
        return date.fromisoformat
    if issubclass(model, Unicode):
        values = frozenset(model.Attributes.values or ())
        if values:
            name = model.get_type_name()

            def parse_enum(text: str) -> str:
                if text not in values:
                    raise ValueError(f"'{text}' is not a valid value for {name}")
                return text

            return parse_enum
        return str
    raise TypeError(f"codec: unsupported primitive {model!r}")


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = local_time(value).replace(tzinfo=None)
        return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


# -- compiled plans ----------------------------------------------------------------------------------

class _Member:
    __slots__ = ("name", "tag", "repeated", "nillable", "plan", "parse", "is_string", "is_reportee", "is_binary")

    def __init__(self, name: str, tag: str, model):
        self.name = name
        self.tag = tag
        self.repeated = model.Attributes.max_occurs > 1
        self.nillable = bool(model.Attributes.nillable)
        if issubclass(model, ComplexModelBase):
            self.plan = plan_for(model)
            self.parse = None
            self.is_string = False
        else:
            self.plan = None
            self.parse = _primitive_parser(model)
            self.is_string = issubclass(model, Unicode) and not model.Attributes.values
        self.is_reportee = self.is_string and name in _REPORTEE_MEMBERS
        self.is_binary = self.plan is None and issubclass(model, ByteArray)


class _Plan:
    __slots__ = ("model", "members", "by_tag")

    def __init__(self, model):
        self.model = model
        self.members: list[_Member] = []
        self.by_tag: dict[str, _Member] = {}


_PLANS: dict[Any, _Plan] = {}  # complete plans only: read without a lock by every call
_UNFINISHED: dict[Any, _Plan] = {}  # plans being made (seen only by the thread holding COMPILING)

# Plans, and the writers made from them (``writer``), are compiled on first use by whichever server thread
# gets there first. One thread compiles at a time and publishes only what is complete: another thread must
# never see a plan (or a writer) whose members are still being filled in.
COMPILING = threading.RLock()


def plan_for(model) -> _Plan:
    plan = _PLANS.get(model)
    if plan is not None:
        return plan
    with COMPILING:
        plan = _PLANS.get(model) or _UNFINISHED.get(model)
        if plan is not None:
            return plan
        outermost = not _UNFINISHED
        plan = _UNFINISHED[model] = _Plan(model)  # known before its members: recursive contracts terminate
        try:
            for namespace, members in _declared_members(model):
                for name, member_model in members:
                    member = _Member(name, f"{{{namespace}}}{name}", member_model)
                    plan.members.append(member)
                    plan.by_tag[member.tag] = member
            if outermost:
                _PLANS.update(_UNFINISHED)
        finally:
            if outermost:
                _UNFINISHED.clear()
    return plan


def _declared_members(model) -> list[tuple[str, list]]:
    """(namespace, members) per contract in the inheritance chain, base first.

    As in WCF, a base contract's members come first and stay in the base's namespace.
    """
    chain = []
    current = model
    while current is not None and issubclass(current, ComplexModelBase):
        chain.append(current)
        current = getattr(current, "__extends__", None)
    chain.reverse()
    seen: set[str] = set()
    out = []
    for cls in chain:
        own = [(name, member) for name, member in cls._type_info.items() if name not in seen]
        seen.update(name for name, _ in own)
        out.append((cls.get_namespace(), own))
    return out


# -- decoding ----------------------------------------------------------------------------------------

class _Invalid(Exception):
    """A value that cannot be read; its path grows as the error rises through the levels above it."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message


_NIL_VALUES = ("true", "1")
_REPORTEE_MEMBERS = frozenset({"Reportee", "ReporteeNumber"})


def decode(model, element: etree._Element, path: str = "", reportees: list[str] | None = None,
           skipped: list[Skipped] | None = None, parts=None) -> dict:
    """The children of ``element`` read as an instance of the complex ``model``.

    ``reportees`` (if given) collects every Reportee/ReporteeNumber anywhere inside, for the journal and
    fault rules, while the tree is read anyway; ``skipped`` (if given) every element skipped as unknown (not
    what is inside it), in document order. ``parts`` (an MTOM request's ``mtom.Parts``) gives the value of a
    binary member whose ``xop:Include`` was resolved to a part.
    """
    found: list | None = [] if skipped is not None else None
    try:
        out = _decode_complex(plan_for(model), element, reportees, found, parts)
    except _Invalid as exc:
        raise DecodeError((path or etree.QName(element).localname) + exc.path, exc.message) from None
    if found:
        skipped.extend(_skipped(child, element) for child in found)
    return out


def _skipped(child, top) -> Skipped:
    """Where a skipped element was, worked out only when one was: the hot path keeps no paths."""
    names = []
    parent = child.getparent()
    while parent is not None:
        names.append(etree.QName(parent).localname)
        if parent is top:
            break
        parent = parent.getparent()
    qname = etree.QName(child)
    return Skipped(qname.localname, qname.namespace or "", "/" + "/".join(reversed(names)))


def _decode_complex(plan: _Plan, element, reportees: list[str] | None, skipped: list | None,
                    parts=None) -> dict:
    # The hot path of every call: no path strings (built only when a value is bad), no type checks
    # (comments have a function as their tag, which no member matches).
    out: dict = {}
    by_tag = plan.by_tag
    for child in element:
        member = by_tag.get(child.tag)
        if member is None:
            # unknown elements are ignored, as WCF does; the caller hears of them (not of comments and
            # processing instructions, whose tag is a function)
            if skipped is not None and isinstance(child.tag, str):
                skipped.append(child)
            continue
        if child.keys() and child.get(_NIL) in _NIL_VALUES:
            value = None
        elif parts is not None and child.get(XOP_PART) is not None:
            if not member.is_binary:  # (an xop:Include, or a large text read as base64, where no binary goes)
                raise _Invalid("/" + member.name, "binary content where the contract has no binary value")
            value = parts.value(child.get(XOP_PART))
        elif member.plan is not None:
            try:
                value = _decode_complex(member.plan, child, reportees, skipped, parts)
            except _Invalid as exc:
                exc.path = "/" + member.name + exc.path
                raise
        else:
            text = child.text or ""
            if member.is_string:
                value = text
                if member.is_reportee and text and reportees is not None and text not in reportees:
                    reportees.append(text)
            else:
                text = text.strip()
                if not text:
                    value = EMPTY
                else:
                    try:
                        value = member.parse(text)
                    except ValueError as exc:
                        raise _Invalid("/" + member.name, str(exc)) from None
        if member.repeated:
            out.setdefault(member.name, []).append(value)
        else:
            out[member.name] = value
    return out
