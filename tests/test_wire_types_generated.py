"""The committed wire-types modules are exactly what the generator makes of the real contracts.

If this fails after a spec or generator change, regenerate them with ``make types`` and commit. The
real WSDLs are third-party files outside this repository: without them the test skips.
"""

from pathlib import Path

import pytest

from altinn_so.tooling import wiretypes
from support.contracts import CONTRACTS_DIR

SPECS = wiretypes.discover()


def contracts_dir() -> Path:
    """Where the real contracts are, or skip (the one place to change if they are located another way)."""
    if not CONTRACTS_DIR.is_dir():
        pytest.skip(f"real Altinn contracts not found under {CONTRACTS_DIR} "
                    "(run `make contracts`, or set ALTINN_SO_CONTRACTS to the directory holding them)")
    return CONTRACTS_DIR


# Services whose contract is inferred whole, with no real WSDL to generate types from (their types are declared in
# their contract module, and marked inferred there)
NO_REAL_WSDL = {"decision_point"}


def test_every_module_has_a_spec():
    from altinn_so.services import SERVICES

    generated = {out.relative_to(wiretypes.PACKAGE_DIR).as_posix() for _, out in SPECS}
    assert generated >= {"soap/types/common.py"} | {f"services/{s.key}/wire_types.py" for s in SERVICES
                                                                  if s.contracts and s.key not in NO_REAL_WSDL}


@pytest.mark.conformance
@pytest.mark.parametrize("spec, module", SPECS, ids=[out.parent.name for _, out in SPECS])
def test_committed_module_is_what_the_generator_makes(spec, module):
    generated = wiretypes.generate(wiretypes.load_spec(spec), contracts_dir())
    committed = module.read_text(encoding="utf-8")
    assert committed == generated, f"{module} is stale: run `make types` and commit"


# -- the generator on a small contract of our own (no real contracts needed) ---------------------------------

TINY_WSDL = """<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:t="urn:t/2020/01" xmlns:s="urn:s" targetNamespace="urn:s">
  <wsdl:types>
    <xs:schema targetNamespace="urn:t/2020/01" elementFormDefault="qualified">
      <xs:simpleType name="Colour"><xs:restriction base="xs:string">
        <xs:enumeration value="Red"/><xs:enumeration value="Blue"/></xs:restriction></xs:simpleType>
      <xs:complexType name="Base"><xs:sequence>
        <xs:element name="Id" type="xs:int"/></xs:sequence></xs:complexType>
      <xs:complexType name="Node"><xs:complexContent><xs:extension base="t:Base"><xs:sequence>
        <xs:element name="Children" type="t:NodeList" minOccurs="0" nillable="true"/>
        <xs:element name="Colour" type="t:Colour" minOccurs="0"/>
      </xs:sequence></xs:extension></xs:complexContent></xs:complexType>
      <xs:complexType name="NodeList"><xs:sequence>
        <xs:element name="Node" type="t:Node" minOccurs="0" maxOccurs="unbounded" nillable="true"/>
      </xs:sequence></xs:complexType>
    </xs:schema>
    <xs:schema targetNamespace="urn:s" elementFormDefault="qualified">
      <xs:element name="Get"><xs:complexType><xs:sequence>
        <xs:element name="tree" type="t:Node" minOccurs="0" nillable="true"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="In"><wsdl:part name="parameters" element="s:Get"/></wsdl:message>
  <wsdl:portType name="P"><wsdl:operation name="Get"><wsdl:input message="s:In"/></wsdl:operation></wsdl:portType>
</wsdl:definitions>
"""

TINY_SPEC = """title = "Tiny."
contracts = ["tiny.wsdl"]
operations = ["*"]
[prefixes]
t = "urn:t/2020/01"
[[inferred]]
type = "t:NodeV2"
like = "t:Node"
replace = { Colour = "xs:string" }
"""


def test_the_generator_declares_cycles_extensions_enumerations_and_inferred_types(tmp_path):
    (tmp_path / "tiny.wsdl").write_text(TINY_WSDL)
    spec = tmp_path / "tiny.spec.toml"
    spec.write_text(TINY_SPEC.replace("[prefixes]", '[prefixes]\nxs = "http://www.w3.org/2001/XMLSchema"'))
    namespace: dict = {}
    exec(compile(wiretypes.generate(wiretypes.load_spec(spec), tmp_path), "tiny", "exec"), namespace)
    node, node_list, node_v2 = namespace["Node"], namespace["NodeList"], namespace["NodeV2"]
    assert issubclass(node, namespace["Base"])
    assert list(node._type_info) == ["Children", "Colour"]  # the cycle's member appended in its place
    assert node._type_info["Children"] is node_list
    assert node_list._type_info["Node"].Attributes.max_occurs == float("inf")
    assert node._type_info["Colour"].Attributes.values == ["Red", "Blue"]
    assert node_v2.get_namespace() == "urn:t/2020/01" and list(node_v2._type_info) == ["Children", "Colour"]


def test_a_name_two_namespaces_share_must_be_settled_in_the_spec(tmp_path):
    (tmp_path / "tiny.wsdl").write_text(TINY_WSDL)
    spec = tmp_path / "tiny.spec.toml"
    spec.write_text(TINY_SPEC.replace('type = "t:NodeV2"', 'type = "u:Node"').replace(
        '"xs:string"', '"t:Colour"').replace("[prefixes]", '[prefixes]\nu = "urn:u/2020/01"'))
    with pytest.raises(wiretypes.SpecError, match="both named Node"):
        wiretypes.generate(wiretypes.load_spec(spec), tmp_path)


# -- the constructs the coming services' contracts use, each on a small contract of our own -------------------

CONSTRUCTS_WSDL = """<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:t="urn:t/2020/01" xmlns:ser="http://schemas.microsoft.com/2003/10/Serialization/" xmlns:s="urn:s"
    targetNamespace="urn:s">
  <wsdl:types>
    <xs:schema targetNamespace="http://schemas.microsoft.com/2003/10/Serialization/" elementFormDefault="qualified">
      <xs:simpleType name="guid"><xs:restriction base="xs:string">
        <xs:pattern value="[\\da-fA-F]{8}-[\\da-fA-F]{4}-[\\da-fA-F]{4}-[\\da-fA-F]{4}-[\\da-fA-F]{12}"/>
      </xs:restriction></xs:simpleType>
      <xs:simpleType name="char"><xs:restriction base="xs:int"/></xs:simpleType>
      <xs:simpleType name="duration"><xs:restriction base="xs:duration">
        <xs:pattern value="\\-?P(\\d*D)?(T(\\d*H)?(\\d*M)?(\\d*(\\.\\d*)?S)?)?"/>
        <xs:minInclusive value="-P10675199DT2H48M5.4775808S"/></xs:restriction></xs:simpleType>
    </xs:schema>
    <xs:schema targetNamespace="urn:t/2020/01" elementFormDefault="qualified">
      <xs:element name="Code" type="xs:long" nillable="true"/>
      <xs:complexType name="Thing"><xs:sequence>
        <xs:element name="Id" type="ser:guid"/>
        <xs:element name="Letter" type="ser:char" minOccurs="0"/>
        <xs:element name="Wait" type="ser:duration" minOccurs="0"/>
        <xs:element ref="t:Code" minOccurs="0"/>
        <xs:choice><xs:element name="Text" type="xs:string"/><xs:element name="Number" type="xs:decimal"/></xs:choice>
      </xs:sequence></xs:complexType>
    </xs:schema>
    <xs:schema targetNamespace="urn:s" elementFormDefault="qualified">
      <xs:import namespace="urn:u" schemaLocation="https://example.invalid/svc?xsd=xsd1"/>
      <xs:element name="Get"><xs:complexType><xs:sequence>
        <xs:element name="thing" type="t:Thing" minOccurs="0" nillable="true"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="In"><wsdl:part name="parameters" element="s:Get"/></wsdl:message>
  <wsdl:portType name="P"><wsdl:operation name="Get"><wsdl:input message="s:In"/></wsdl:operation></wsdl:portType>
</wsdl:definitions>
"""

# An imported schema in the same folder, as a WCF service reference saves it (the import names a URL).
IMPORTED_XSD = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:u="urn:u" targetNamespace="urn:u"
    elementFormDefault="qualified">
  <xs:complexType name="Extra"><xs:sequence><xs:element name="Note" type="xs:string" minOccurs="0"/>
  </xs:sequence></xs:complexType>
</xs:schema>
"""


def _generate(tmp_path: Path, wsdl: str, operations='["*"]', extra: str = "") -> dict:
    (tmp_path / "c.wsdl").write_text(wsdl)
    spec = tmp_path / "c.spec.toml"
    spec.write_text(f'title = "C."\ncontracts = ["c.wsdl"]\noperations = {operations}\n{extra}')
    from altinn_so.soap import compat  # noqa: F401
    namespace: dict = {}
    exec(compile(wiretypes.generate(wiretypes.load_spec(spec), tmp_path), "c", "exec"), namespace)
    return namespace


def test_wcf_simple_types_choice_and_ref(tmp_path):
    namespace = _generate(tmp_path, CONSTRUCTS_WSDL)
    thing = namespace["Thing"]
    assert list(thing._type_info) == ["Id", "Letter", "Wait", "Code", "Text", "Number"]
    guid = thing._type_info["Id"]
    assert guid.get_type_name() == "guid" and guid.get_namespace() == "http://schemas.microsoft.com/2003/10/Serialization/"
    assert guid.Attributes.pattern.startswith("[\\da-fA-F]{8}-") and guid.Attributes.min_occurs == 1
    assert thing._type_info["Letter"].get_type_name() == "char"
    assert thing._type_info["Wait"].get_type_name() == "duration"
    code = thing._type_info["Code"]  # ref= the global element: its name, type and nillable
    assert code.get_type_name() == "long" and code.Attributes.nillable and code.Attributes.min_occurs == 0
    # the xs:choice's members are each optional, and the module says so
    assert thing._type_info["Text"].Attributes.min_occurs == 0 == thing._type_info["Number"].Attributes.min_occurs


def test_the_module_says_what_it_could_not_carry(tmp_path):
    (tmp_path / "c.wsdl").write_text(CONSTRUCTS_WSDL)
    spec = tmp_path / "c.spec.toml"
    spec.write_text('title = "C."\ncontracts = ["c.wsdl"]\noperations = ["*"]\n')
    source = wiretypes.generate(wiretypes.load_spec(spec), tmp_path)
    assert "# xs:choice of Text, Number: spyne has no choice, so each is an optional member" in source
    assert '# duration: minInclusive="-P10675199DT2H48M5.4775808S" not carried' in source


def test_an_import_is_read_from_the_contracts_folder(tmp_path):
    (tmp_path / "c1.xsd").write_text(IMPORTED_XSD)
    wsdl = CONSTRUCTS_WSDL.replace('<xs:element name="Number" type="xs:decimal"/>',
                                   '<xs:element name="Number" type="xs:decimal"/><xs:element name="More" '
                                   'xmlns:u="urn:u" type="u:Extra"/>')
    namespace = _generate(tmp_path, wsdl)
    assert namespace["Extra"].get_namespace() == "urn:u" and list(namespace["Extra"]._type_info) == ["Note"]


def test_an_import_not_held_is_named_in_the_error(tmp_path):
    wsdl = CONSTRUCTS_WSDL.replace('<xs:element name="Number" type="xs:decimal"/>',
                                   '<xs:element name="More" xmlns:u="urn:u" type="u:Extra"/>')
    with pytest.raises(wiretypes.SpecError, match=r"Extra is not declared.*imports urn:u from "
                                                  r"https://example.invalid/svc\?xsd=xsd1"):
        _generate(tmp_path, wsdl)


@pytest.mark.parametrize("construct, message", [
    ('<xs:attribute name="Lang" type="xs:string"/>', r"Thing in c.wsdl: xs:attribute Lang is not supported"),
    ('<xs:anyAttribute/>', r"xs:anyAttribute"),
], ids=["attribute", "anyAttribute"])
def test_an_attribute_is_refused_with_the_type_and_the_file(tmp_path, construct, message):
    wsdl = CONSTRUCTS_WSDL.replace("</xs:sequence></xs:complexType>\n    </xs:schema>",
                                   f"</xs:sequence>{construct}</xs:complexType>\n    </xs:schema>", 1)
    with pytest.raises(wiretypes.SpecError, match=message):
        _generate(tmp_path, wsdl)


@pytest.mark.parametrize("member, message", [
    ('<xs:any minOccurs="0"/>', r"Thing in c.wsdl: xs:any in a sequence is not supported"),
    ('<xs:element name="Inner"><xs:complexType><xs:sequence/></xs:complexType></xs:element>',
     r"member Inner has an anonymous \(nested\) type"),
    ('<xs:element ref="t:Missing"/>', r"ref=\{urn:t/2020/01\}Missing names no global element"),
], ids=["any", "nested-anonymous", "dangling-ref"])
def test_an_unsupported_member_is_refused_with_the_type_and_the_file(tmp_path, member, message):
    wsdl = CONSTRUCTS_WSDL.replace('<xs:element name="Id" type="ser:guid"/>', member + '<xs:element name="Id" type="ser:guid"/>')
    with pytest.raises(wiretypes.SpecError, match=message):
        _generate(tmp_path, wsdl)


def test_a_flags_enum_list_is_refused(tmp_path):
    wsdl = CONSTRUCTS_WSDL.replace('<xs:simpleType name="char"><xs:restriction base="xs:int"/></xs:simpleType>',
                                   '<xs:simpleType name="char"><xs:list itemType="xs:string"/></xs:simpleType>')
    with pytest.raises(wiretypes.SpecError, match=r"simple type \{http://schemas.microsoft.com/2003/10/Serialization/\}char "
                                                  r"in c.wsdl: xs:list is not supported"):
        _generate(tmp_path, wsdl)
