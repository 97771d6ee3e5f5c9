"""E-mail addresses and mobile numbers as Altinn's notification engine checked them."""

from __future__ import annotations

import re
from enum import Enum

_EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)[\w!#$%&'*+/=?^`{|}~.-]+(?<!\.)"
    r"@(?:[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?\.)+[^\W\d_]{2,63}$"
)


def is_valid_email(address: str) -> bool:
    return len(address) <= 254 and bool(_EMAIL.match(address))


class MobileProblem(Enum):
    """Why a mobile number is unusable; maps to ErrorIDs 30302 and 30303."""

    UNKNOWN_COUNTRY_CODE = "unknown country code"
    INVALID_NORWEGIAN_NUMBER = "invalid Norwegian mobile number"


NORWAY = "47"

# ITU-T E.164 country calling codes in use, by length. A number is foreign when
# it starts with "+" or "00" followed by a code other than 47.
_CODES_1 = {"1", "7"}
_CODES_2 = {
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
    "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
    "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
}
_CODES_3 = (
    {"211", "212", "213", "216", "218", "290", "291", "297", "298", "299", "420", "421", "423",
     "670", "850", "852", "853", "855", "856", "880", "886"}
    | {str(c) for c in range(220, 259)}
    | {str(c) for c in range(260, 270)}
    | {str(c) for c in range(350, 360)}
    | {str(c) for c in range(370, 390) if c not in (384, 388)}
    | {str(c) for c in range(500, 510)}
    | {str(c) for c in range(590, 600)}
    | {str(c) for c in range(672, 693) if c != 684}
    | {str(c) for c in range(960, 969)}
    | {str(c) for c in range(970, 978)}
    | {str(c) for c in range(992, 999)}
)

_SEPARATORS = re.compile(r"[\s\-().]")


def canonical_mobile(number: str) -> str:
    """One spelling per phone, for telling duplicates apart: 91234567, 004791234567 and
    +47 912 34 567 are all +4791234567. Numbers that are not valid stay as written (without separators)."""
    compact = _SEPARATORS.sub("", number)
    international = _international(compact)
    if international is not None:
        return "+" + international
    return "+" + NORWAY + compact if _valid_norwegian(compact) else compact


def _international(compact: str) -> str | None:
    """The digits after a number's international prefix (+, 00, or none on ten digits starting 47), with the
    country code; None for a number written without one."""
    if compact.startswith("+"):
        return compact[1:]
    if compact.startswith("00"):
        return compact[2:]
    if len(compact) == 10 and compact.startswith(NORWAY):
        return compact
    return None


def _country_code(digits: str) -> str | None:
    for length, codes in ((1, _CODES_1), (2, _CODES_2), (3, _CODES_3)):
        if digits[:length] in codes:
            return digits[:length]
    return None


def _valid_norwegian(national: str) -> bool:
    return len(national) == 8 and national.isdigit() and national[0] in "49"


def check_mobile_number(number: str) -> MobileProblem | None:
    """None if ``number`` is a usable mobile number, else what is wrong with it.

    Norwegian numbers are eight digits starting with 4 or 9, optionally prefixed
    by +47, 0047 or 47. Foreign numbers need +/00 and a known country code.
    """
    compact = _SEPARATORS.sub("", number)
    international = _international(compact)
    if international is None:
        return None if _valid_norwegian(compact) else MobileProblem.INVALID_NORWEGIAN_NUMBER

    if not international.isdigit():
        return MobileProblem.INVALID_NORWEGIAN_NUMBER
    code = _country_code(international)
    if code is None:
        return MobileProblem.UNKNOWN_COUNTRY_CODE
    national = international[len(code):]
    if code == NORWAY:
        return None if _valid_norwegian(national) else MobileProblem.INVALID_NORWEGIAN_NUMBER
    # E.164 allows at most 15 digits; anything shorter than 4 national digits is no phone.
    return None if 4 <= len(national) and len(international) <= 15 else MobileProblem.UNKNOWN_COUNTRY_CODE
