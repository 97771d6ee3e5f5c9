"""Seed files: parsing, clear SeedError messages, references, merging."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from altinn_so.certs import generate_certificates
from altinn_so.domain.catalog import ServiceOwner
from altinn_so.domain.ids import is_organisation_number, parse_national_id
from altinn_so.seeding import SeedError, compose_seed, default_seed, load_seed_file, parse_seed


def parse(text: str, source: str = "test.yaml"):
    return parse_seed(yaml.safe_load(textwrap.dedent(text)), source)


def seed_error(text: str, source: str = "test.yaml") -> str:
    with pytest.raises(SeedError) as caught:
        parse(text, source)
    return str(caught.value)


OWNER = """
service_owners:
  - code: TTD
    orgno: "310001007"
    name: Testdepartementet
"""


class TestDefaultSeed:
    def test_parses_and_references_resolve(self):
        seed = default_seed()
        seed.check_references()
        assert set(seed.owners) == {"ASF", "TTD", "ETT"}
        assert {"TokenTextOnly", "VarselDPVUtenRevarsel", "VarselDPVMedRevarsel"} <= set(seed.templates)
        assert seed.templates["VarselDPVMedRevarsel"].reminder_days == 7

    @pytest.mark.parametrize("ssn", sorted(default_seed().persons))
    def test_every_national_id_is_synthetic(self, ssn):
        parsed = parse_national_id(ssn)
        assert parsed is not None and parsed.synthetic

    def test_every_organisation_number_is_valid(self):
        seed = default_seed()
        for number in [o.orgno for o in seed.organisations.values()] + [o.orgno for o in seed.owners.values()]:
            assert is_organisation_number(number)

    def test_compose_without_files_is_the_default(self):
        assert compose_seed() == default_seed()


class TestStructure:
    def test_empty_document_is_an_empty_seed(self):
        seed = parse("")
        assert not any((seed.owners, seed.persons, seed.templates, seed.organisations, seed.users))

    def test_unknown_top_level_key(self):
        message = seed_error("persons: []\npeople: []\n")
        assert "test.yaml" in message
        assert "unknown top-level keys ['people']" in message
        assert "persons" in message  # the expected keys are listed

    def test_unsupported_version(self):
        message = seed_error("version: 2\n")
        assert "test.yaml" in message and "version 2" in message

    def test_version_1_is_accepted(self):
        parse("version: 1\n")

    def test_top_level_must_be_a_mapping(self):
        assert "top level must be a mapping" in seed_error("- a\n- b\n")

    @pytest.mark.parametrize("section", ["persons", "organisations", "users", "templates", "service_owners"])
    def test_sections_must_be_lists_of_mappings(self, section):
        assert f"'{section}' must be a list of mappings" in seed_error(f"{section}:\n  name: x\n")
        assert f"'{section}' must be a list of mappings" in seed_error(f"{section}:\n  - just a string\n")

    def test_missing_required_field_names_the_entry(self):
        message = seed_error("persons:\n  - first_name: Ola\n")
        assert message == "test.yaml: person (unnamed): missing field 'ssn'"

    def test_missing_field_of_a_template(self):
        assert "missing field 'name'" in seed_error("templates:\n  - languages: {1044: {sms: x}}\n")


class TestIdentityNumbers:
    def test_unquoted_national_id_is_rejected_with_advice(self):
        message = seed_error("persons:\n  - ssn: 23917710120\n    first_name: Ola\n")
        assert "test.yaml" in message
        assert "23917710120" in message
        assert "quoted" in message

    def test_quoted_national_id_is_accepted(self):
        assert "23917710120" in parse('persons:\n  - ssn: "23917710120"\n').persons

    def test_national_id_failing_mod11(self):
        message = seed_error('persons:\n  - ssn: "23917710121"\n')
        assert "test.yaml" in message and "23917710121" in message and "mod 11" in message

    def test_national_id_with_wrong_length(self):
        assert "mod 11" in seed_error('persons:\n  - ssn: "2391771012"\n')

    def test_organisation_number_failing_mod11(self):
        message = seed_error('organisations:\n  - orgno: "310003019"\n    name: X\n')
        assert "310003019" in message and "mod 11" in message

    def test_service_owner_orgno_failing_mod11(self):
        message = seed_error('service_owners:\n  - code: TTD\n    orgno: "310001008"\n')
        assert "TTD" in message and "310001008" in message

    def test_unquoted_organisation_numbers_are_read_as_text(self):
        seed = parse("""
            organisations:
              - orgno: 310003018
                name: Eksempel AS
              - orgno: 310004006
                name: Avdeling
                parent: 310003018
        """)
        assert seed.organisations["310004006"].parent == "310003018"
        seed.check_references()

    def test_invalid_birth_date(self):
        message = seed_error('persons:\n  - ssn: "23917710120"\n    birth_date: "1977-13-01"\n')
        assert "person '23917710120'" in message and "month must be in 1..12" in message


class TestEntries:
    def test_systems_and_services_belong_to_their_owner(self):
        seed = parse(OWNER + """
    systems:
      - username: ttd-system
        password: secret
    services:
      - code: "4255"
        edition: 10
        name: DPV
""")
        system = seed.systems["ttd-system"]
        assert (system.owner, system.system_user_code_prefix, system.password) == ("TTD", "TTD", "secret")
        assert seed.services[("4255", 10)].owner == "TTD"

    def test_template_with_unknown_language(self):
        message = seed_error("templates:\n  - name: T\n    languages: {1083: {sms: x}}\n")
        assert "template 'T'" in message and "unknown language 1083" in message

    def test_template_with_non_numeric_reminder_days(self):
        assert "template 'T'" in seed_error("templates:\n  - name: T\n    reminder_days: seven\n")

    def test_service_with_non_numeric_edition(self):
        assert "service '1'" in seed_error(OWNER + "    services:\n      - {code: '1', edition: x}\n")

    def test_template_fields(self):
        seed = parse("""
            templates:
              - name: T
                owner: TTD
                email_sender: a@b.no
                reminder_days: 3
                languages:
                  1044: {sms: "s", email_subject: "sub", email_body: "body"}
                  "2068": {email_body: "nn"}
        """)
        template = seed.templates["T"]
        assert (template.owner, template.email_sender, template.reminder_days) == ("TTD", "a@b.no", 3)
        assert template.texts[1044].sms == "s"
        assert template.texts[2068].sms is None and template.texts[2068].has_email

    def test_contact_services_in_both_forms(self):
        seed = parse("""
            organisations:
              - orgno: "310003018"
                name: X
                contacts:
                  - name: A
                    services: ["4255:10", {code: "5678", edition: 2}]
        """)
        assert seed.organisations["310003018"].contacts[0].services == (("4255", 10), ("5678", 2))

    def test_users(self):
        seed = parse("users:\n  - username: u\n    name: U\n    email: u@example.no\n")
        assert seed.users["u"].email == "u@example.no"


class TestReferences:
    def test_template_of_unknown_owner(self):
        seed = parse("templates:\n  - name: T\n    owner: XXX\n    languages: {1044: {sms: x}}\n")
        with pytest.raises(SeedError, match=r"template 'T' belongs to unknown service owner 'XXX'"):
            seed.check_references("my.yaml")

    def test_system_of_unknown_owner(self):
        seed = parse(OWNER + "    systems:\n      - {username: s, password: p, owner: XXX}\n")
        with pytest.raises(SeedError, match=r"my.yaml: system 's' belongs to unknown service owner 'XXX'"):
            seed.check_references("my.yaml")

    def test_service_of_unknown_owner(self):
        seed = parse(OWNER + "    services:\n      - {code: '1', edition: 1, owner: XXX}\n")
        with pytest.raises(SeedError, match=r"service 1/1 belongs to unknown service owner 'XXX'"):
            seed.check_references()

    def test_organisation_with_unknown_parent(self):
        seed = parse('organisations:\n  - {orgno: "310004006", name: Avd, parent: "310003018"}\n')
        with pytest.raises(SeedError, match=r"organisation 310004006 has unknown parent 310003018"):
            seed.check_references()

    def test_compose_checks_references_and_names_the_files(self, tmp_path):
        path = tmp_path / "extra.yaml"
        path.write_text("templates:\n  - name: T\n    owner: XXX\n    languages: {1044: {sms: x}}\n")
        with pytest.raises(SeedError) as caught:
            compose_seed([path])
        assert str(path) in str(caught.value) and "XXX" in str(caught.value)

    def test_references_may_point_into_the_default_seed(self, tmp_path):
        path = tmp_path / "extra.yaml"
        path.write_text('organisations:\n  - {orgno: "310007005", name: Ny avd, parent: "310003018"}\n')
        assert compose_seed([path]).organisations["310007005"].parent == "310003018"

    def test_without_the_default_seed_its_entities_are_unknown(self, tmp_path):
        path = tmp_path / "extra.yaml"
        path.write_text('organisations:\n  - {orgno: "310007005", name: Ny avd, parent: "310003018"}\n')
        with pytest.raises(SeedError, match="unknown parent"):
            compose_seed([path], include_default=False)


class TestFiles:
    def test_missing_file(self, tmp_path):
        path = tmp_path / "nope.yaml"
        with pytest.raises(SeedError) as caught:
            load_seed_file(path)
        assert str(path) in str(caught.value) and "cannot read seed file" in str(caught.value)

    def test_invalid_yaml(self, tmp_path):
        path = tmp_path / "bad.yaml"
        path.write_text("persons: [\n")
        with pytest.raises(SeedError) as caught:
            load_seed_file(path)
        assert str(path) in str(caught.value) and "not valid YAML" in str(caught.value)

    def test_errors_name_the_file(self, tmp_path):
        path = tmp_path / "typo.yaml"
        path.write_text("peresons: []\n")
        with pytest.raises(SeedError, match=str(path)):
            load_seed_file(path)

    def test_file_entries_replace_default_entries_with_the_same_key(self, tmp_path):
        path = tmp_path / "override.yaml"
        path.write_text('persons:\n  - {ssn: "23917710120", first_name: Annen, last_name: Person}\n')
        seed = compose_seed([path])
        assert seed.persons["23917710120"].first_name == "Annen"
        assert "05838520067" in seed.persons  # the rest of the default stays

    def test_later_files_win(self, tmp_path):
        first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
        first.write_text("users:\n  - {username: u, name: First}\n")
        second.write_text("users:\n  - {username: u, name: Second}\n")
        assert compose_seed([first, second], include_default=False).users["u"].name == "Second"

    def test_without_default(self, tmp_path):
        path = tmp_path / "only.yaml"
        path.write_text("users:\n  - {username: u, name: U}\n")
        seed = compose_seed([path], include_default=False)
        assert list(seed.users) == ["u"] and not seed.owners and not seed.persons


class TestMalformedEntries:
    """Malformed entries become a clear SeedError naming the file and the entry."""

    def test_template_language_that_is_not_a_mapping(self):
        assert "template 'T'" in seed_error("templates:\n  - name: T\n    languages: {1044: 'Hei {0}'}\n")

    def test_owner_systems_that_are_not_a_list(self):
        assert "systems" in seed_error(OWNER + "    systems:\n      username: s\n      password: p\n")

    def test_emails_given_as_a_string(self):
        seed_error('organisations:\n  - {orgno: "310003018", name: X, emails: post@eksempel.example}\n')

    def test_unknown_key_inside_an_entry(self):
        assert "emial" in seed_error('persons:\n  - {ssn: "23917710120", first_name: Ola, emial: o@x.no}\n')

    @pytest.mark.parametrize("edition, message", [
        ("99999999999999999999", "edition 99999999999999999999 is outside"),  # no service edition is beyond Int32
        ("1.5", "edition must be a whole number, not 1.5"), ("true", "edition must be a whole number, not True")])
    def test_an_edition_is_an_int32(self, edition, message):
        assert message in seed_error(OWNER + f"    services:\n      - {{code: '1', edition: {edition}}}\n")

    @pytest.mark.parametrize("names", ["Navn", "[a, b]", "7"])
    def test_service_names_that_are_not_a_mapping(self, names):
        assert "names must be a mapping" in seed_error(
            OWNER + f"    services:\n      - {{code: '1', edition: 1, names: {names}}}\n")

    @pytest.mark.parametrize("days, message", [("-1", "reminder_days -1 is outside 0..3650"),
                                               ("1e30", "reminder_days must be a whole number"),
                                               ("99999999999", "reminder_days 99999999999 is outside")])
    def test_reminder_days_within_ten_years(self, days, message):
        assert message in seed_error(f"templates:\n  - name: T\n    reminder_days: {days}\n")

    def test_texts_given_as_numbers_are_text_and_lists_are_refused(self):
        seed = parse(OWNER + "    short_name: 1000000000000000000000000000000\ntemplates:\n  - name: T\n"
                     "    languages: {1044: {sms: 1000000000000000000000000000000, email_subject: 7}}\n")
        assert seed.owners["TTD"].short_name == "1000000000000000000000000000000"
        assert seed.templates["T"].texts[1044].sms == "1000000000000000000000000000000"
        assert seed.templates["T"].to_dict()["languages"][1044] == {
            "sms": "1000000000000000000000000000000", "email_subject": "7"}
        assert "email_body must be text" in seed_error(
            "templates:\n  - name: T\n    languages: {1044: {email_body: [a, b]}}\n")

    @pytest.mark.parametrize("service, message", [
        ('":"', "names no service code"), ('"4255:99999999999999999999"', "is outside"),
        ('"4255:x"', "must be a whole number"), ("{code: '4255', edition: 1.5}", "must be a whole number")])
    def test_contact_services_are_checked(self, service, message):
        assert message in seed_error(f'organisations:\n  - orgno: "310003018"\n    name: X\n    contacts:\n'
                                     f"      - {{name: A, email: a@b.no, services: [{service}]}}\n")

    @pytest.mark.parametrize("text, where", [
        (OWNER.replace("Testdepartementet", '"Test\\0departementet"'), "service_owners[0].name"),
        ('templates:\n  - name: T\n    languages: {1044: {sms: "a\\x01b"}}\n', "templates[0].languages.1044.sms"),
        ('persons: [{ssn: "23917710120", first_name: "\\uFFFE"}]\n', "persons[0].first_name")])
    def test_text_xml_cannot_carry_is_refused(self, text, where):
        assert f"{where} holds a character XML cannot carry" in seed_error(text)

    @pytest.mark.parametrize("ssn", ['"23917710121"', "12345"])
    def test_contact_national_id_is_checked(self, ssn):
        seed_error(f'organisations:\n  - orgno: "310003018"\n    name: X\n    contacts:\n'
                   f'      - {{name: A, ssn: {ssn}}}\n')


# -- a service owner's encryption certificate (docs/seed-format.md, docs/behaviour/download-queue.md) -----------

def _encrypted_seed(tmp_path, owner_extra: str) -> str:
    path = tmp_path / "seed.yaml"
    path.write_text(textwrap.dedent(f"""
        service_owners:
          - code: KRY
            orgno: "310000094"
            name: Krypteringsetaten
            {owner_extra}
            services:
              - {{code: "7001", edition: 1, name: Kryptert, kind: form, download_queue: true, encrypted: true,
                  forms: [{{data_format_id: "1", data_format_version: 1, name: Skjema}}]}}
        """), encoding="utf-8")
    return path


def _write_certificates(tmp_path):
    return generate_certificates(tmp_path / "certs", [ServiceOwner("KRY", "310000094", "Krypteringsetaten")]) \
        .owner("KRY")


def test_an_owners_encryption_certificate_file_is_read_beside_the_seed(tmp_path):
    certificates = _write_certificates(tmp_path)
    seed = load_seed_file(_encrypted_seed(tmp_path, "encryption_certificate_file: certs/kry-encryption.pem"))
    assert seed.owners["KRY"].encryption_certificate == certificates.encryption_certificate.read_text()
    seed.check_references()


def test_an_encrypted_service_whose_owner_has_no_encryption_certificate_is_refused(tmp_path):
    with pytest.raises(SeedError, match="7001/1 is encrypted, but its service owner KRY has no encryption "
                                        "certificate"):
        compose_seed([_encrypted_seed(tmp_path, "")], include_default=False)


@pytest.mark.parametrize(("name", "problem"), [
    ("certs/kry.pem", "must hold an RSA key"),  # the authentication certificate: EC P-256
    ("certs/nope.pem", "cannot read the encryption certificate"),
    ("../kry-encryption.pem", "must be a path inside the seed file's folder"),
])
def test_an_unusable_encryption_certificate_is_refused(tmp_path, name, problem):
    _write_certificates(tmp_path)
    with pytest.raises(SeedError, match=problem):
        load_seed_file(_encrypted_seed(tmp_path, f"encryption_certificate_file: {name}"))
