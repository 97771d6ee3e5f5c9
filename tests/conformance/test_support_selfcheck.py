"""The conformance helpers themselves: schema validation, operation views and diffs do what they claim."""

from __future__ import annotations

import re

import pytest
import zeep
from lxml import etree

from support.contracts import (ALTINN_FAULT, OfflineTransport, RealSchema, real_client, require_contract,
                               require_sample)
from support.zeepview import diff_views, operation_view, replace_strings

pytestmark = pytest.mark.conformance

BASIC = "basic/NotificationAgencyExternalBasic.wsdl"
V3 = "SendStandaloneNotificationBasicV3"


def test_real_schema_accepts_a_recorded_altinn_fault():
    envelope = etree.parse(str(require_sample("faults/dokdistdpv_AltinnFault_989_soap11.xml")))
    RealSchema(BASIC).assert_valid(envelope.find(f".//{ALTINN_FAULT}"))


def test_real_schema_rejects_a_broken_altinn_fault_and_says_why():
    broken = etree.fromstring(f'<AltinnFault xmlns="{ALTINN_FAULT[1:].partition("}")[0]}">'
                              "<ErrorID>not a number</ErrorID><Surprise/></AltinnFault>")
    with pytest.raises(AssertionError, match=r"(?s)ErrorID.*not a valid value.*Surprise.*not expected"):
        RealSchema(BASIC).assert_valid(broken)


def test_real_schema_is_cached_per_contract():
    assert RealSchema(BASIC) is RealSchema(BASIC)


def test_contract_loading_never_goes_to_the_network():
    with pytest.raises(RuntimeError, match="refusing to fetch"):
        OfflineTransport().load("https://www.altinn.no/ServiceEngineExternal/NotificationAgencyExternalBasic.svc?wsdl")


def test_operation_view_ignores_namespace_prefixes(tmp_path):
    text = require_contract(BASIC).read_text(encoding="utf-8")
    renamed = re.sub(r"\b(xmlns:)?(xs|tns|wsdl|q\d+)(?=[:=])", lambda m: (m.group(1) or "") + "p_" + m.group(2),
                     text)
    assert renamed != text and "xmlns:p_xs=" in renamed
    copy = tmp_path / "renamed.wsdl"
    copy.write_text(renamed, encoding="utf-8")
    assert operation_view(real_client(str(copy))) == operation_view(real_client(BASIC))


def test_operation_view_reads_enumerations_the_way_the_schema_declares_them():
    view = operation_view(real_client(BASIC))
    result = view[V3]["output"]["body"]["type"]["content"]["sequence"][0]
    endpoint = _descend(result, "NotificationResult", "EndPoints", "EndPointResult", "TransportType")
    assert endpoint["type"] == {
        "simple": "{http://schemas.altinn.no/serviceengine/formsengine/2009/10}TransportType",
        "base": "{http://www.w3.org/2001/XMLSchema}string",
        "enum": ["Both", "Email", "EmailPreferred", "IM", "SMS", "SMSPreferred"],
    }
    assert endpoint["nillable"] is False and endpoint["min_occurs"] == 0


def test_diff_views_names_the_operation_and_the_path():
    real = operation_view(real_client(BASIC))[V3]
    changed = replace_strings(real, {"RetrieveFromProfile": "FromProfile"})
    diffs = diff_views(real, changed, V3)
    assert any(d.startswith(f"{V3}.output.body/{V3}Result/NotificationResult/EndPoints/EndPointResult")
               and "only in real" in d and "RetrieveFromProfile" in d for d in diffs), diffs


RECURSIVE_WSDL = """<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t">
  <wsdl:types>
    <xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
      <xs:complexType name="Node">
        <xs:sequence>
          <xs:element name="Value" type="xs:string" minOccurs="0"/>
          <xs:element name="Child" type="tns:Node" minOccurs="0" nillable="true"/>
        </xs:sequence>
      </xs:complexType>
      <xs:element name="Op"><xs:complexType><xs:sequence>
        <xs:element name="root" type="tns:Node"/></xs:sequence></xs:complexType></xs:element>
      <xs:element name="OpResponse"><xs:complexType><xs:sequence/></xs:complexType></xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="In"><wsdl:part name="parameters" element="tns:Op"/></wsdl:message>
  <wsdl:message name="Out"><wsdl:part name="parameters" element="tns:OpResponse"/></wsdl:message>
  <wsdl:portType name="P"><wsdl:operation name="Op">
    <wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="B" type="tns:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Op"><soap:operation soapAction="urn:t/Op" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation></wsdl:binding>
</wsdl:definitions>
"""


def test_operation_view_stops_at_recursive_types(tmp_path):
    path = tmp_path / "recursive.wsdl"
    path.write_text(RECURSIVE_WSDL, encoding="utf-8")
    view = operation_view(zeep.Client(str(path), transport=OfflineTransport()))["Op"]
    root = _descend(view["input"]["body"], "root")
    child = _descend(root, "Child")
    assert root["type"]["complex"] == "{urn:t}Node"
    assert child["type"] == {"complex": "{urn:t}Node", "recursive": True}
    assert view["soap_action"] == "urn:t/Op"


def _descend(element_view: dict, *names: str) -> dict:
    for name in names:
        children = element_view["type"]["content"]["sequence"]
        (element_view,) = [c for c in children if c["element"].rpartition("}")[2] == name]
    return element_view
