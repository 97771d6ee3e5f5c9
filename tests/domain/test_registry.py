"""The reportee register: entities, their dict form, and resolving a ReporteeNumber (40016 / 60012)."""

from __future__ import annotations

from datetime import date

import pytest

from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.registry import (Organisation, OrganisationContact, Person, PostalAddress, SelfRegisteredUser,
                                       reportee_number, resolve_reportee)

from .factories import (EMAIL_ONLY, FULL, MAIN, MOBILE_ONLY, RESERVED, SUB_UNIT, UNREGISTERED, UNREGISTERED_ORG,
                        USER, make_registry, national_id)

@pytest.fixture
def registry(db):
    return make_registry(db)


def resolve_error(registry, number) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        resolve_reportee(registry, number)
    return caught.value


class TestResolveReportee:
    def test_person(self, registry):
        assert resolve_reportee(registry, FULL.ssn) == FULL

    def test_d_number_person(self, registry):
        assert resolve_reportee(registry, MOBILE_ONLY.ssn) == MOBILE_ONLY

    def test_organisation(self, registry):
        assert resolve_reportee(registry, MAIN.orgno) == MAIN

    def test_self_registered_user(self, registry):
        assert resolve_reportee(registry, "selma") == USER

    def test_whitespace_is_stripped(self, registry):
        assert resolve_reportee(registry, f"  {MAIN.orgno}\n") == MAIN

    @pytest.mark.parametrize("number", [None, "", "  "])
    def test_missing(self, registry, number):
        error = resolve_error(registry, number)
        assert error.error_id == ErrorCode.INVALID_REPORTEE_NUMBER == 60012
        assert "missing" in error.message

    def test_invalid_national_id_is_40016(self, registry):
        bad = FULL.ssn[:9] + str((int(FULL.ssn[9]) + 1) % 10) + FULL.ssn[10]
        error = resolve_error(registry, bad)
        assert error.error_id == ErrorCode.INVALID_SSN == 40016

    def test_unknown_valid_national_id_is_60012(self, registry):
        assert resolve_error(registry, UNREGISTERED).error_id == 60012

    def test_unknown_organisation_is_60012(self, registry):
        error = resolve_error(registry, UNREGISTERED_ORG)
        assert error.error_id == 60012 and UNREGISTERED_ORG in error.message

    def test_nine_digits_failing_mod11_is_60012(self, registry):
        assert resolve_error(registry, MAIN.orgno[:8] + str((int(MAIN.orgno[8]) + 1) % 10)).error_id == 60012

    def test_nine_digits_failing_mod11_are_not_looked_up(self, registry):
        # Even if such an entry existed, a number failing the check identifies nobody.
        bad = MAIN.orgno[:8] + str((int(MAIN.orgno[8]) + 1) % 10)
        registry.put_organisation(Organisation(orgno=bad, name="Ugyldig"))
        with pytest.raises(AltinnError) as caught:
            resolve_reportee(registry, bad)
        assert caught.value.error_id == 60012

    @pytest.mark.parametrize("number", ["nobody", "1234567890", "123456789012", "12345678a"])
    def test_other_strings_are_usernames(self, registry, number):
        assert resolve_error(registry, number).error_id == 60012

    def test_digits_only_username_of_other_length(self, registry):
        registry.put_user(SelfRegisteredUser(username="1234567890", name="Sifre"))
        assert resolve_reportee(registry, "1234567890").name == "Sifre"

    def test_reportee_number(self):
        assert reportee_number(FULL) == FULL.ssn
        assert reportee_number(MAIN) == MAIN.orgno
        assert reportee_number(USER) == "selma"


class TestPerson:
    def test_name_joins_the_parts(self):
        assert FULL.name == "Ola Testmann Nordmann"
        assert EMAIL_ONLY.name == "Kari Epost"

    def test_birth_date_from_the_number(self):
        assert FULL.effective_birth_date == date(1977, 11, 23)
        assert MOBILE_ONLY.effective_birth_date == date(1981, 8, 12)

    def test_explicit_birth_date_wins(self):
        person = Person(ssn=FULL.ssn, first_name="A", last_name="B", birth_date=date(2000, 1, 1))
        assert person.effective_birth_date == date(2000, 1, 1)

    def test_round_trip(self):
        for person in (FULL, EMAIL_ONLY, MOBILE_ONLY, RESERVED,
                       Person(ssn=FULL.ssn, first_name="A", last_name="B", birth_date=date(2000, 1, 1),
                              confidential_address=True)):
            assert Person.from_dict(person.to_dict()) == person

    def test_dict_form_leaves_out_empty_fields(self):
        assert EMAIL_ONLY.to_dict() == {"ssn": EMAIL_ONLY.ssn, "first_name": "Kari", "last_name": "Epost",
                                        "email": "kari@example.no"}

    def test_empty_contact_values_mean_no_krr_data(self):
        person = Person.from_dict({"ssn": FULL.ssn, "email": "", "mobile": None})
        assert person.email is None and person.mobile is None

    def test_invalid_national_id_is_refused(self):
        with pytest.raises(ValueError, match="mod 11"):
            Person.from_dict({"ssn": FULL.ssn[:10] + str((int(FULL.ssn[10]) + 1) % 10)})

    def test_birth_date_as_text(self):
        person = Person.from_dict({"ssn": national_id(date(1990, 5, 6)), "birth_date": "1990-05-06"})
        assert person.birth_date == date(1990, 5, 6)


class TestOrganisation:
    def test_round_trip(self):
        for organisation in (MAIN, SUB_UNIT):
            assert Organisation.from_dict(organisation.to_dict()) == organisation

    def test_invalid_organisation_number_is_refused(self):
        with pytest.raises(ValueError, match="mod 11"):
            Organisation.from_dict({"orgno": "310003019", "name": "X"})

    def test_contact_follows_only_its_services(self):
        contact = OrganisationContact(name="A", services=(("1000", 1), ("2000", 3)))
        assert contact.follows("1000", 1) and contact.follows("2000", 3)
        assert not contact.follows("1000", 2) and not contact.follows("3000", 1)

    def test_contact_service_forms(self):
        contact = OrganisationContact.from_dict(
            {"name": "A", "services": ["4255:10", "77", {"code": "5", "edition": "2"}]})
        assert contact.services == (("4255", 10), ("77", 1), ("5", 2))

    def test_contact_round_trip(self):
        contact = OrganisationContact(name="A", email="a@b.no", mobile="+4791234567", ssn=FULL.ssn,
                                      services=(("1000", 1),))
        assert OrganisationContact.from_dict(contact.to_dict()) == contact


class TestOthers:
    def test_user_round_trip(self):
        assert SelfRegisteredUser.from_dict(USER.to_dict()) == USER

    def test_postal_address_from_nothing(self):
        assert PostalAddress.from_dict(None) == PostalAddress()
        assert PostalAddress().to_dict() == {}

    def test_postal_address_values_become_text(self):
        assert PostalAddress.from_dict({"postal_code": 155}).postal_code == "155"
