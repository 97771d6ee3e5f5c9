"""Norwegian identity numbers: mod-11 check digits, D-numbers, synthetic test persons, centuries."""

from __future__ import annotations

from datetime import date

import pytest

from altinn_so.domain.ids import (is_national_id, is_organisation_number, parse_national_id,
                                  with_national_id_check_digits, with_organisation_check_digit)

from .factories import national_id


def _tamper(number: str, position: int) -> str:
    digit = (int(number[position]) + 1) % 10
    return number[:position] + str(digit) + number[position + 1:]


class TestNationalId:
    def test_synthetic_tenor_number_parses_with_birth_date(self):
        parsed = parse_national_id(national_id(date(1977, 11, 23), offset=80))
        assert parsed is not None
        assert parsed.birth_date == date(1977, 11, 23)
        assert parsed.kind == "fnr"
        assert parsed.synthetic is True

    def test_synthetic_dolly_number_month_plus_40(self):
        number = national_id(date(1977, 11, 23), offset=40)
        assert number[2:4] == "51"
        parsed = parse_national_id(number)
        assert parsed.birth_date == date(1977, 11, 23)
        assert parsed.synthetic is True

    def test_plain_number_is_not_synthetic(self):
        # Born 1856: nobody with this birth date was alive when national ids were introduced (1964),
        # so the number cannot belong to a real person.
        number = national_id(date(1856, 4, 1), offset=0)
        parsed = parse_national_id(number)
        assert parsed.synthetic is False
        assert parsed.kind == "fnr"
        assert parsed.birth_date == date(1856, 4, 1)

    def test_d_number_shifts_the_day_by_40(self):
        number = national_id(date(1981, 8, 12), dnr=True)
        assert number[:2] == "52"
        parsed = parse_national_id(number)
        assert parsed.kind == "dnr"
        assert parsed.birth_date == date(1981, 8, 12)

    def test_synthetic_d_number(self):
        parsed = parse_national_id(national_id(date(1999, 12, 31), dnr=True, offset=80))
        assert (parsed.kind, parsed.synthetic, parsed.birth_date) == ("dnr", True, date(1999, 12, 31))

    @pytest.mark.parametrize("birth", [date(1860, 6, 1), date(1899, 12, 31), date(1900, 1, 1), date(1954, 7, 7),
                                       date(1999, 2, 28), date(2000, 2, 29), date(2039, 3, 3)])
    def test_century_follows_the_individual_number(self, birth):
        assert parse_national_id(national_id(birth)).birth_date == birth

    # Synthetic (month + 80) throughout, so no number can be a real person's.
    @pytest.mark.parametrize("nine, year", [
        ("018180" + "123", 1980),   # 000-499 -> 1900-1999
        ("018180" + "950", 1980),   # 900-999 with yy >= 40 -> 1900-1999
        ("018160" + "600", 1860),   # 500-749 with yy >= 54 -> 1855-1899
        ("018110" + "600", 2010),   # 500-999 with yy <= 39 -> 2000-2039
        ("018110" + "960", 2010),
    ])
    def test_century_rules(self, nine, year):
        # Try the next individual numbers until the check digits exist; the range stays the same.
        prefix, individual = nine[:6], int(nine[6:])
        for candidate in range(individual, individual + 40):
            number = with_national_id_check_digits(f"{prefix}{candidate:03d}")
            if number:
                break
        assert parse_national_id(number).birth_date.year == year

    @pytest.mark.parametrize("prefix, individual", [("018145", 500), ("018150", 700), ("018145", 800),
                                                    ("018199", 750), ("018140", 860)])
    def test_unused_century_ranges_are_invalid(self, prefix, individual):
        # 500-749 with yy 40-53 and 750-899 with yy >= 40 are not assigned.
        for candidate in range(individual, individual + 40):
            number = with_national_id_check_digits(f"{prefix}{candidate:03d}")
            if number:
                break
        assert number is not None
        assert parse_national_id(number) is None

    @pytest.mark.parametrize("position", range(11))
    def test_any_changed_digit_breaks_the_check(self, position):
        number = national_id(date(1977, 11, 23))
        assert is_national_id(number)
        assert not is_national_id(_tamper(number, position))

    @pytest.mark.parametrize("value", ["", "1234567890", "123456789012", "2391770008a", " 23917700087",
                                       "23917700087 "])
    def test_wrong_shape_is_invalid(self, value):
        assert parse_national_id(value) is None

    def test_impossible_date_is_invalid_even_with_correct_check_digits(self):
        number = next(filter(None, (with_national_id_check_digits(f"308280{i:03d}") for i in range(100, 140))))
        assert number[:4] == "3082"  # 30 February (synthetic month 82)
        assert parse_national_id(number) is None

    def test_month_over_92_is_invalid(self):
        for individual in range(100, 140):
            number = with_national_id_check_digits(f"019380{individual:03d}")  # month 93 - 80 = 13
            if number:
                assert parse_national_id(number) is None
                return
        pytest.fail("no candidate")

    def test_check_digit_helper_returns_none_when_remainder_is_ten(self):
        results = [with_national_id_check_digits(f"018180{i:03d}") for i in range(0, 60)]
        assert None in results  # some individual numbers have no valid check digit
        for number in filter(None, results):
            assert is_national_id(number)


class TestOrganisationNumber:
    def test_valid(self):
        assert is_organisation_number("310001007")
        assert with_organisation_check_digit("31000100") == "310001007"

    @pytest.mark.parametrize("position", range(9))
    def test_any_changed_digit_breaks_the_check(self, position):
        assert not is_organisation_number(_tamper("310001007", position))

    @pytest.mark.parametrize("value", ["", "31000100", "3100010070", "31000100a", "31000100 "])
    def test_wrong_shape(self, value):
        assert not is_organisation_number(value)

    def test_remainder_ten_has_no_number(self):
        results = {f"{n:08d}": with_organisation_check_digit(f"{n:08d}") for n in range(31000000, 31000030)}
        missing = [prefix for prefix, number in results.items() if number is None]
        assert missing
        for prefix in missing:
            assert not any(is_organisation_number(prefix + str(d)) for d in range(10))
