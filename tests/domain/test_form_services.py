"""Form services in the seed: their form sets (main form and sub-forms, each with an optional XML Schema), whether
their submissions go to the download queue, their shipment metadata keys, and whether they are encrypted."""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml
from lxml import etree

from altinn_so.seeding import SeedError, default_seed, load_seed_file, parse_seed

SCHEMA = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="Skjema"><xs:complexType><xs:sequence>
    <xs:element name="Antall" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>"""


def seed_with(service: str) -> str:
    return textwrap.dedent("""
        service_owners:
          - code: TTD
            orgno: "310001007"
            name: Testdepartementet
            services:
        """) + textwrap.indent(textwrap.dedent(service), " " * 6)


def parse(service: str):
    return parse_seed(yaml.safe_load(seed_with(service)), "test.yaml")


def seed_error(service: str) -> str:
    with pytest.raises(SeedError) as caught:
        parse(service)
    return str(caught.value)


class TestTheDefaultSeed:
    def test_has_a_plain_form_with_a_download_queue(self):
        plain = default_seed().services[("5679", 1)]
        assert (plain.kind, plain.download_queue, plain.encrypted, plain.shipment_metadata) == ("form", True, False, ())
        assert [(f.data_format_id, f.data_format_version, f.main, f.schema) for f in plain.forms] == [
            ("5703", 34301, True, None)]

    def test_has_a_main_form_with_a_schema_a_sub_form_and_metadata(self):
        report = default_seed().services[("5680", 1)]
        assert [(f.data_format_id, f.main) for f in report.forms] == [("5704", True), ("5705", False)]
        assert report.shipment_metadata == ("Saksnummer", "Periode") and report.download_queue
        schema = etree.XMLSchema(etree.fromstring(report.form("5704", 34302).schema.encode()))
        valid = ("<Skjema skjemanummer='5704'><Rapportor><Organisasjonsnummer>310003018</Organisasjonsnummer>"
                 "<Navn>Eksempel AS</Navn></Rapportor><Periode>2026-02</Periode><AntallDeltakere>12</AntallDeltakere>"
                 "</Skjema>")
        assert schema.validate(etree.fromstring(valid))
        assert not schema.validate(etree.fromstring(valid.replace("310003018", "31000301")))
        assert report.form("5705", 34303).schema is None and report.form("5704", 1) is None


class TestAFormServiceInASeedFile:
    def test_reads_its_schema_from_a_file_beside_the_seed(self, tmp_path):
        (tmp_path / "schemas").mkdir()
        (tmp_path / "schemas" / "skjema.xsd").write_text(SCHEMA)
        path = tmp_path / "seed.yaml"
        path.write_text(seed_with("""
            - code: "7001"
              edition: 2
              name: Skjema
              kind: form
              forms:
                - {data_format_id: "9001", data_format_version: 1, name: Hovedskjema, xsd: schemas/skjema.xsd}
              encrypted: true
            """))
        service = load_seed_file(path).services[("7001", 2)]
        assert service.form("9001", 1).schema == SCHEMA and service.encrypted

    def test_keeps_its_forms_in_the_store(self, emulator):
        emulator.load_seed(seed_with(f"""
            - code: "7002"
              edition: 1
              kind: form
              forms:
                - {{data_format_id: "9002", data_format_version: 3, name: Skjema, schema: {json.dumps(SCHEMA)}}}
                - {{data_format_id: "9003", data_format_version: 3, name: Underskjema, main: false}}
              shipment_metadata: [Sak]
            """))
        stored = emulator.catalog.get_service("7002", 1)
        assert [(f.key, f.main, f.schema) for f in stored.forms] == [(("9002", 3), True, SCHEMA),
                                                                      (("9003", 3), False, None)]
        assert stored.shipment_metadata == ("Sak",)

    def test_lists_its_main_form_first(self):
        service = parse("""
            - code: "7003"
              edition: 1
              kind: form
              forms:
                - {data_format_id: "2", data_format_version: 1, main: false}
                - {data_format_id: "1", data_format_version: 1}
            """).services[("7003", 1)]
        assert [f.data_format_id for f in service.forms] == ["1", "2"]


@pytest.mark.parametrize("service, expected", [
    ("""- {code: "1", edition: 1, kind: correspondence, download_queue: true}""",
     "download_queue belong to a form service (kind: form), not to kind 'correspondence'"),
    ("""- {code: "1", edition: 1, kind: form, forms: [{data_format_id: "1", data_format_version: 1},
                                                     {data_format_id: "2", data_format_version: 1}]}""",
     "a form set has exactly one main form"),
    ("""- {code: "1", edition: 1, kind: form, forms: [{data_format_id: "1", data_format_version: 1},
                                                     {data_format_id: "1", data_format_version: 1, main: false}]}""",
     "two forms have the same data_format_id and data_format_version"),
    ("""- {code: "1", edition: 1, kind: form, forms: [{data_format_id: "", data_format_version: 1}]}""",
     "data_format_id must not be empty"),
    ("""- {code: "1", edition: 1, kind: form, forms: [{data_format_id: "1", data_format_version: x}]}""",
     "data_format_version must be a whole number"),
    ("""- {code: "1", edition: 1, kind: form, forms: [{data_format_id: "1", data_format_version: 1, colour: red}]}""",
     "unknown form field(s) ['colour']"),
    ("""- {code: "1", edition: 1, kind: form, download_queue: "yes"}""", "download_queue must be true or false"),
    ("""- {code: "1", edition: 1, kind: form, shipment_metadata: [Sak, Sak]}""", "names a key twice"),
    ("""- {code: "1", edition: 1, kind: form, forms: [{data_format_id: "1", data_format_version: 1,
                                                      schema: "<xs:schema"}]}""",
     "is not a usable XML Schema"),
    ("""- {code: "1", edition: 1, kind: form, forms: [{data_format_id: "1", data_format_version: 1,
                                                      schema: "<Skjema/>"}]}""",
     "is not a usable XML Schema"),
])
def test_a_bad_form_service_is_a_seed_error_naming_it(service, expected):
    assert expected in seed_error(service)


@pytest.mark.parametrize("xsd, expected", [
    ("../outside.xsd", "must be a path inside the seed file's folder"),
    ("/etc/hostname", "must be a path inside the seed file's folder"),
    ("missing.xsd", "cannot read the xsd file 'missing.xsd'"),
])
def test_an_xsd_file_outside_the_seed_s_folder_or_missing_is_refused(tmp_path, xsd, expected):
    path = tmp_path / "seed.yaml"
    path.write_text(seed_with(f"""
        - {{code: "1", edition: 1, kind: form, forms: [{{data_format_id: "1", data_format_version: 1, xsd: "{xsd}"}}]}}
        """))
    with pytest.raises(SeedError, match="cannot read|inside the seed") as caught:
        load_seed_file(path)
    assert expected in str(caught.value)


def test_seed_data_loaded_at_run_time_gives_a_schema_inline_not_a_file(emulator):
    with pytest.raises(SeedError, match="names an xsd file, which only a seed file can"):
        emulator.load_seed(seed_with("""
            - {code: "1", edition: 1, kind: form, forms: [{data_format_id: "1", data_format_version: 1, xsd: a.xsd}]}
            """))
