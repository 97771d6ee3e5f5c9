"""E-mail addresses and mobile numbers as the notification engine checks them."""

from __future__ import annotations

import pytest

from altinn_so.domain.contact import MobileProblem, check_mobile_number, is_valid_email


class TestEmail:
    @pytest.mark.parametrize("address", [
        "ola@example.no",
        "ola.nordmann@example.no",
        "ola+tag@sub.example.co.uk",
        "o'neil@example.com",
        "x@a.io",
        "æøå@example.no",
        "post@eksempel-as.example",
        "a" * 64 + "@example.no",
    ])
    def test_valid(self, address):
        assert is_valid_email(address)

    @pytest.mark.parametrize("address", [
        "",
        "ola",
        "ola@",
        "@example.no",
        "ola@example",          # no top-level domain
        "ola@@example.no",
        "ola nordmann@example.no",
        ".ola@example.no",      # leading dot
        "ola.@example.no",      # trailing dot in the local part
        "ola..n@example.no",    # double dot
        "ola@example..no",
        "ola@-example.no",      # label starts with a hyphen
        "ola@example-.no",      # label ends with a hyphen
        "ola@example.n",        # one-letter TLD
        "ola@example.n0",       # digits in the TLD
        "ola@example.no.",
        "<ola@example.no>",
        "ola@example.no ",
    ])
    def test_invalid(self, address):
        assert not is_valid_email(address)

    def test_at_most_254_characters(self):
        local = "a" * 60
        domain = ".".join(["b" * 60] * 3) + ".no"   # 60*3 + 2 dots + 3 = 185
        address = f"{local}@{domain}"
        assert len(address) == 246 and is_valid_email(address)
        longer = f"{local}{'a' * 9}@{domain}"
        assert len(longer) == 255 and not is_valid_email(longer)


class TestMobile:
    @pytest.mark.parametrize("number", [
        "91234567", "41234567", "+4791234567", "004791234567", "4791234567",
        "+47 912 34 567", "912-34-567", "(+47) 91234567", "+47.91.23.45.67",
    ])
    def test_valid_norwegian(self, number):
        assert check_mobile_number(number) is None

    @pytest.mark.parametrize("number", [
        "+46701234567",     # Sweden
        "0046701234567",
        "+12025550123",     # NANP, one-digit code
        "+79161234567",     # Russia, one-digit code
        "+358401234567",    # Finland, three-digit code
        "+3548001234",      # Iceland
        "+4915112345678",   # Germany
    ])
    def test_valid_foreign(self, number):
        assert check_mobile_number(number) is None

    @pytest.mark.parametrize("number", [
        "21234567",          # landline prefix
        "81234567",
        "9123456",           # seven digits
        "912345678",         # nine digits
        "+4721234567",       # +47 with a landline
        "+47912345678",      # +47 with nine digits
        "004721234567",
        "4721234567",        # 47-prefixed landline
        "9123456a",
        "",
        "+47abcdefgh",
        "phone",
    ])
    def test_invalid_norwegian(self, number):
        assert check_mobile_number(number) is MobileProblem.INVALID_NORWEGIAN_NUMBER

    @pytest.mark.parametrize("number", [
        "+999123456789",     # 999 is not assigned
        "+2812345678",       # 28 is not assigned
        "0080012345678",     # 800 is not a country
        "+46123",            # known code but too short to be a phone
        "+4612345678901234",  # more than 15 digits
    ])
    def test_unknown_country_code(self, number):
        assert check_mobile_number(number) is MobileProblem.UNKNOWN_COUNTRY_CODE


@pytest.mark.parametrize("address", ["a@under_score.no", "a@-dash.no", "a@dash-.no"])
def test_domain_labels_have_no_underscores_or_edge_hyphens(address):
    from altinn_so.domain.contact import is_valid_email

    assert not is_valid_email(address)
