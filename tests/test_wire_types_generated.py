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


def test_every_module_has_a_spec():
    from altinn_so.services import SERVICES

    generated = {out.relative_to(wiretypes.PACKAGE_DIR).as_posix() for _, out in SPECS}
    assert generated >= {"soap/types/common.py"} | {f"services/{s.key}/wire_types.py" for s in SERVICES}


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
