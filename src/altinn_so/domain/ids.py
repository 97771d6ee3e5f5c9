"""Norwegian identity numbers: fødselsnummer, D-number, synthetic test persons, organisation numbers.

All use modulus-11 check digits. Synthetic numbers from the national test
data services are accepted: the month is shifted by +40 (NAV's Dolly) or +80
(Skatteetaten's Tenor), and D-numbers shift the day by +40.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def _mod11_check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The check digit for ``digits``, or None when the remainder gives 10 (no valid number exists)."""
    remainder = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


@dataclass(frozen=True)
class NationalId:
    number: str
    birth_date: date
    kind: str  # "fnr" | "dnr"
    synthetic: bool


@lru_cache(maxsize=4096)  # a pure function, asked several times per call about the same few numbers
def parse_national_id(number: str) -> NationalId | None:
    """Parse an 11-digit national identity number, or return None if it is not valid."""
    if len(number) != 11 or not number.isdigit():
        return None
    k1 = _mod11_check_digit(number[:9], _FNR_WEIGHTS_1)
    if k1 is None or k1 != int(number[9]):
        return None
    k2 = _mod11_check_digit(number[:10], _FNR_WEIGHTS_2)
    if k2 is None or k2 != int(number[10]):
        return None

    day, month, yy = int(number[0:2]), int(number[2:4]), int(number[4:6])
    individual = int(number[6:9])
    kind = "fnr"
    if day > 40:
        day -= 40
        kind = "dnr"
    synthetic = False
    if month > 80:
        month -= 80
        synthetic = True
    elif month > 40:
        month -= 40
        synthetic = True

    year = _birth_year(yy, individual)
    if year is None:
        return None
    try:
        birth = date(year, month, day)
    except ValueError:
        return None
    return NationalId(number, birth, kind, synthetic)


def _birth_year(yy: int, individual: int) -> int | None:
    """Century from the individual number, as the population register assigns them."""
    if individual <= 499:
        return 1900 + yy
    if individual <= 749 and yy >= 54:
        return 1800 + yy
    if individual >= 500 and yy <= 39:
        return 2000 + yy
    if individual >= 900 and yy >= 40:
        return 1900 + yy
    return None


def is_national_id(number: str) -> bool:
    return parse_national_id(number) is not None


def is_organisation_number(number: str) -> bool:
    if len(number) != 9 or not number.isdigit():
        return False
    check = _mod11_check_digit(number[:8], _ORGNR_WEIGHTS)
    return check is not None and check == int(number[8])


def with_national_id_check_digits(first_nine: str) -> str | None:
    """Complete nine digits (date + individual number) with both check digits; None if impossible."""
    k1 = _mod11_check_digit(first_nine, _FNR_WEIGHTS_1)
    if k1 is None:
        return None
    k2 = _mod11_check_digit(first_nine + str(k1), _FNR_WEIGHTS_2)
    if k2 is None:
        return None
    return f"{first_nine}{k1}{k2}"


def with_organisation_check_digit(first_eight: str) -> str | None:
    check = _mod11_check_digit(first_eight, _ORGNR_WEIGHTS)
    return None if check is None else f"{first_eight}{check}"
