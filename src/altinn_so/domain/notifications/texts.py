"""Turning a template text into the text a receiver gets: tokens first, then macros.

Tokens: ``{0}``, ``{1}`` ... are replaced by the TextTokens in document order
(``TokenNum`` is ignored, as in Altinn). A placeholder without a token stays
in the text and is reported, so the outbox shows the mistake instead of
hiding it. Token values may themselves contain macros.

Macros (docs/behaviour/notifications.md) are case-sensitive ``$name$`` words resolved from the
register. An unknown macro is left as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

from ..catalog import Service
from ..registry import Organisation, Person, Reportee, SelfRegisteredUser

_TOKEN = re.compile(r"\{(\d+)\}")
_MACRO = re.compile(
    r"\$(?:"
    r"reporteeBirthDay\((?P<fmt>[^()$]*)\)"
    r"|servicename\|SC:(?P<sc>[^|$]*)\|SEC:(?P<sec>[^|$]*)"
    r"|(?P<name>[A-Za-z0-9]+)"
    r")\$"
)
_DATE_PART = re.compile(r"yyyy|yy|mm|dd")


def substitute_tokens(text: str, tokens: list[str]) -> tuple[str, set[int]]:
    """Replace ``{n}`` with ``tokens[n]``; returns the text and the indexes no token filled."""
    missing: set[int] = set()

    def replace(match: re.Match) -> str:
        index = int(match.group(1))
        if index < len(tokens):
            return tokens[index]
        missing.add(index)
        return match.group(0)

    return _TOKEN.sub(replace, text), missing


@dataclass(frozen=True)
class MacroContext:
    reportee: Reportee
    language: int
    linked_service: Service | None  # the service of the element the notification belongs to
    find_service: Callable[[str, int], Service | None]


def format_birth_date(birth: date, pattern: str) -> str:
    parts = {"yyyy": f"{birth.year:04d}", "yy": f"{birth.year % 100:02d}",
             "mm": f"{birth.month:02d}", "dd": f"{birth.day:02d}"}
    return _DATE_PART.sub(lambda m: parts[m.group(0)], pattern)


def expand_macros(text: str, context: MacroContext) -> str:
    if "$" not in text:
        return text
    values = _reportee_values(context.reportee)
    birth = values.pop("_birth")

    def replace(match: re.Match) -> str:
        if match.group("fmt") is not None:
            return format_birth_date(birth, match.group("fmt")) if birth else ""
        if match.group("sc") is not None:
            try:
                edition = int(match.group("sec"))
            except ValueError:
                return ""
            service = context.find_service(match.group("sc"), edition)
            return service.name_in(context.language) if service else ""
        name = match.group("name")
        if name == "servicename":
            return context.linked_service.name_in(context.language) if context.linked_service else ""
        value = values.get(name)
        return match.group(0) if value is None else value

    return _MACRO.sub(replace, text)


def _reportee_values(reportee: Reportee) -> dict:
    blank_person = {"reporteeFirstName": "", "reporteeMiddleName": "", "reporteeLastName": ""}
    birth_parts = {"reporteeBirthDay": "", "reporteeBirthMonth": "", "reporteeBirthYear": ""}
    if isinstance(reportee, Person):
        birth = reportee.effective_birth_date
        if birth:
            birth_parts = {"reporteeBirthDay": f"{birth.day:02d}", "reporteeBirthMonth": f"{birth.month:02d}",
                           "reporteeBirthYear": f"{birth.year:04d}"}
        address = reportee.address
        return {
            "reporteeFirstName": reportee.first_name,
            "reporteeMiddleName": reportee.middle_name,
            "reporteeLastName": reportee.last_name,
            "reporteeName": reportee.name,
            "reporteeNumber": "",  # documented: empty for persons
            **birth_parts,
            # a strictly confidential address ("strengt fortrolig") is never revealed
            **_address_values(None if reportee.confidential_address else address),
            "reporteeEmail": reportee.email or "",
            "reporteeMobileNumber": reportee.mobile or "",
            "_birth": birth,
        }
    if isinstance(reportee, Organisation):
        return {
            **blank_person,
            "reporteeName": reportee.name,
            "reporteeNumber": reportee.orgno,
            **birth_parts,
            **_address_values(reportee.address),
            "reporteeEmail": reportee.emails[0] if reportee.emails else "",
            "reporteeMobileNumber": reportee.mobiles[0] if reportee.mobiles else "",
            "_birth": None,
        }
    assert isinstance(reportee, SelfRegisteredUser)
    return {
        **blank_person,
        "reporteeName": reportee.name,
        "reporteeNumber": "",
        **birth_parts,
        **_address_values(None),
        "reporteeEmail": reportee.email or "",
        "reporteeMobileNumber": reportee.mobile or "",
        "_birth": None,
    }


def _address_values(address) -> dict:
    if address is None:
        return {key: "" for key in ("reporteePostalCode", "reporteePostalArea", "reporteePostalAddress1",
                                    "reporteePostalAddress2", "reporteePostalAddress3")}
    return {
        "reporteePostalCode": address.postal_code,
        "reporteePostalArea": address.postal_area,
        "reporteePostalAddress1": address.address1,
        "reporteePostalAddress2": address.address2,
        "reporteePostalAddress3": address.address3,
    }
