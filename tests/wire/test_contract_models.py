"""Our spyne models of the Receipt and Correspondence data contracts are the real ones.

For each types module, the schemas our generator writes (``EndpointModels.schemas`` tidied by
``wsdl.tidy_schemas``) are compared with the inline schemas of the real WSDLs: every complexType and
simpleType, by namespace and name, with its members in order (name, type, minOccurs, maxOccurs,
nillable), its extension base and its enumeration values; every real data contract must be modelled;
and every named type has its global element. Only our inferred InsertCorrespondenceV3 contracts have
no real counterpart; they are checked against the real V2 they are derived from.

The real WSDLs are third-party files outside this repository: these tests skip without them
(``support.contracts.require_contract``).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace

import pytest
from lxml import etree

from altinn_so.soap import compat  # noqa: F401  (must precede spyne imports)
from altinn_so.soap import codec, writer
from altinn_so.soap.namespaces import MS_SERIALIZATION
from altinn_so.soap.spyne_app import EndpointModels
from altinn_so.services.correspondence import wire_types as correspondence
from altinn_so.services.notification import wire_types as notification
from altinn_so.services.receipt import wire_types as receipt
from altinn_so.soap.wsdl import tidy_schemas
from spyne import Application, Service, rpc
from spyne.model.complex import ComplexModelBase
from spyne.protocol.soap import Soap11
from support.contracts import WSDL_NS, XSD_NS, RealSchema, require_contract

DUMMY_NS = "urn:altinn-so:test:contract-models"


@dataclass(frozen=True)
class Family:
    module: ModuleType
    wsdls: tuple[str, ...]  # real WSDLs declaring the module's contracts; the first one is the reference
    inferred: frozenset[str] = frozenset()  # namespaces of our own inference, absent from the real WSDLs


FAMILIES = {
    "receipt": Family(receipt, ("basic/ReceiptAgencyExternalBasic.wsdl", "ec2/ReceiptAgencyExternalEC2.wsdl")),
    "correspondence": Family(
        correspondence,
        ("basic/CorrespondenceAgencyExternalBasic.wsdl", "ec2/CorrespondenceAgencyExternalEC2.wsdl",
         "aec/CorrespondenceAgencyExternalAEC2.wsdl"),
        inferred=frozenset({correspondence.NS_CORRESPONDENCE_2022_11, notification.NS_NOTIFICATION_2022_11,
                            notification.NS_NOTIFICATION_ENUMS_2022_11}),
    ),
}

conformance = pytest.mark.conformance
families = pytest.mark.parametrize("family", FAMILIES)


# -- reading schema definitions ------------------------------------------------------------------------

def _xsd(local: str) -> str:
    return f"{{{XSD_NS}}}{local}"


def _qname(node: etree._Element, value: str | None) -> str | None:
    if value is None:
        return None
    prefix, _, local = value.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None)}}}{local}"


def _definition(node: etree._Element) -> dict:
    """A named complexType or simpleType as plain data; documentation annotations are left out."""
    if node.tag == _xsd("simpleType"):
        restriction = node.find(_xsd("restriction"))
        if restriction is None:
            return {"simpleType": etree.tostring(node, encoding="unicode")}  # never expected: shows in the diff
        return {"base": _qname(restriction, restriction.get("base")),
                "values": [e.get("value") for e in restriction.iterfind(_xsd("enumeration"))]}
    body, base = node, None
    extension = node.find(f"{_xsd('complexContent')}/{_xsd('extension')}")
    if extension is not None:
        body, base = extension, _qname(extension, extension.get("base"))
    members, other = [], []
    for child in body:
        if not isinstance(child.tag, str) or child.tag in (_xsd("annotation"), _xsd("complexContent")):
            continue
        if child.tag != _xsd("sequence"):
            other.append(etree.QName(child).localname)
            continue
        for element in child:
            if not isinstance(element.tag, str):
                continue
            if element.tag != _xsd("element"):
                other.append(etree.QName(element).localname)
                continue
            members.append((element.get("name"), _qname(element, element.get("type")),
                            element.get("minOccurs", "1"), element.get("maxOccurs", "1"),
                            element.get("nillable", "false")))
    definition = {"base": base, "members": members}
    if other:
        definition["other"] = other
    return definition


@dataclass
class Definitions:
    types: dict[tuple[str, str], dict]  # (namespace, name) -> definition
    elements: dict[tuple[str, str], tuple[str, str]]  # global elements of a named type -> (type, nillable)


def _definitions(schemas) -> Definitions:
    found = Definitions({}, {})
    for schema in schemas:
        namespace = schema.get("targetNamespace")
        for node in schema:
            if node.tag in (_xsd("complexType"), _xsd("simpleType")):
                found.types[(namespace, node.get("name"))] = _definition(node)
            elif node.tag == _xsd("element") and node.get("type"):
                found.elements[(namespace, node.get("name"))] = (_qname(node, node.get("type")),
                                                                  node.get("nillable", "false"))
    return found


@functools.cache
def _real(family: str) -> tuple[Definitions, tuple[str, ...]]:
    """The union of the real WSDLs' definitions, and where two of them disagree."""
    merged, conflicts = Definitions({}, {}), []
    for relpath in FAMILIES[family].wsdls:
        root = etree.parse(str(require_contract(relpath))).getroot()
        found = _definitions(root.iterfind(f"{{{WSDL_NS}}}types/{_xsd('schema')}"))
        for key, definition in found.types.items():
            if key in merged.types and merged.types[key] != definition:
                conflicts.append(f"{relpath}: {{{key[0]}}}{key[1]}")
            merged.types.setdefault(key, definition)
        for key, element in found.elements.items():
            merged.elements.setdefault(key, element)
    return merged, tuple(conflicts)


@functools.cache
def _ours(family: str) -> Definitions:
    """What our schema generator writes for every contract class the module declares."""
    module = FAMILIES[family].module
    classes = [value for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, ComplexModelBase)
               and value.__module__ == module.__name__]
    methods = {}
    for index, model in enumerate(classes):
        def echo(ctx, value):
            return value

        echo.__name__ = echo.__qualname__ = f"echo{index}"
        methods[echo.__name__] = rpc(model, _returns=model)(echo)
    service = type("ContractModels", (Service,), methods)
    application = Application([service], tns=DUMMY_NS, name="ContractModels",
                              in_protocol=Soap11(), out_protocol=Soap11())
    schemas = tidy_schemas(SimpleNamespace(operations=()), EndpointModels(application, {}))
    return _definitions(s for s in schemas if s.get("targetNamespace") != DUMMY_NS)


def _name(key: tuple[str, str]) -> str:
    return f"{{{key[0]}}}{key[1]}"


def _show(definition: dict) -> str:
    lines = [f"    base {definition['base']}"] if definition.get("base") else []
    lines += [f"    {member}" for member in definition.get("members", ())]
    if "values" in definition:
        lines.append(f"    values {definition['values']}")
    if "other" in definition:
        lines.append(f"    other {definition['other']}")
    return "\n".join(lines)


# -- the comparisons -------------------------------------------------------------------------------------

@conformance
@families
def test_the_real_wsdls_agree_on_the_contracts(family):
    _, conflicts = _real(family)
    assert not conflicts, "the real WSDLs define these contracts differently:\n  " + "\n  ".join(conflicts)


@conformance
@families
def test_every_type_we_declare_is_the_real_one(family):
    real, _ = _real(family)
    ours = _ours(family)
    inferred = FAMILIES[family].inferred
    unknown, different = [], []
    for key, definition in sorted(ours.types.items()):
        if key[0] in inferred:
            continue
        if key not in real.types:
            unknown.append(_name(key))
        elif definition != real.types[key]:
            different.append(f"{_name(key)}\n  ours:\n{_show(definition)}\n  real:\n{_show(real.types[key])}")
    assert not unknown, "types the real WSDLs do not declare:\n  " + "\n  ".join(unknown)
    assert not different, "types that differ from the real ones:\n" + "\n".join(different)


@conformance
@families
def test_every_real_data_contract_is_modelled(family):
    real, _ = _real(family)
    ours = _ours(family)
    # WCF's own primitives (char, duration, guid) are in every WCF WSDL and used by no Altinn contract.
    missing = sorted(_name(key) for key in real.types if key not in ours.types and key[0] != MS_SERIALIZATION)
    assert not missing, "real contracts without a model:\n  " + "\n  ".join(missing)


@conformance
@families
def test_our_inferred_namespaces_are_absent_from_the_real_wsdls(family):
    real, _ = _real(family)
    ours = _ours(family)
    inferred = FAMILIES[family].inferred
    assert {ns for ns, _ in ours.types if ns not in {ns for ns, _ in real.types}} == inferred
    assert not {ns for ns, _ in real.types} & inferred


@conformance
@families
def test_every_named_type_has_its_global_element(family):
    real, _ = _real(family)
    ours = _ours(family)
    namespaces = {ns for ns, _ in ours.types} - FAMILIES[family].inferred
    expected = {key: value for key, value in real.elements.items() if key[0] in namespaces}
    actual = {key: value for key, value in ours.elements.items() if key[0] in namespaces}
    assert actual == expected


@conformance
def test_inferred_insert_correspondence_v3_is_v2_with_2022_11_notifications():
    real, _ = _real("correspondence")
    ours = _ours("correspondence")
    notification_2009 = correspondence.NS_NOTIFICATION_2009_10
    notification_2022 = correspondence.NS_NOTIFICATION_2022_11

    def replaced(definition: dict, member: str, new_type: str) -> dict:
        members = [(name, new_type, *rest) if name == member else (name, type_, *rest)
                   for name, type_, *rest in definition["members"]]
        return {**definition, "members": members}

    v2 = real.types[(correspondence.NS_CORRESPONDENCE_2010_10, "InsertCorrespondenceV2")]
    assert ours.types[(correspondence.NS_CORRESPONDENCE_2022_11, "InsertCorrespondenceV3")] == replaced(
        v2, "Notifications", f"{{{notification_2022}}}NotificationBEListV2")
    assert ours.types[(notification_2022, "NotificationBEListV2")] == {
        "base": None, "members": [("Notification", f"{{{notification_2022}}}NotificationV2", "0", "unbounded", "true")]}
    assert ours.types[(notification_2022, "NotificationV2")] == replaced(
        real.types[(notification_2009, "Notification")], "ReceiverEndPoints",
        f"{{{notification_2022}}}ReceiverEndPointBEList")
    transport = ours.types[(notification.NS_NOTIFICATION_ENUMS_2022_11, "TransportTypeV2")]
    assert "PriorityEmailSMSReminder" in transport["values"]


# -- the codec on the recursive and derived contracts -------------------------------------------------------

RECEIPT = receipt.NS_RECEIPT_2009_10
NESTED_RECEIPT = f"""
<r:ReceiptExternal xmlns:r="{RECEIPT}">
  <r:ReceiptId>1</r:ReceiptId><r:ReceiptStatusCode>OK</r:ReceiptStatusCode>
  <r:SubReceipts>
    <r:ReceiptExternal><r:ReceiptId>2</r:ReceiptId>
      <r:SubReceipts><r:ReceiptExternal><r:ReceiptId>3</r:ReceiptId></r:ReceiptExternal></r:SubReceipts>
    </r:ReceiptExternal>
  </r:SubReceipts>
</r:ReceiptExternal>"""

SDP = correspondence.NS_CORRESPONDENCE_2016_02
SDP_OPTIONS = f"""
<s:SdpOptions xmlns:s="{SDP}">
  <s:PrimaryDocumentFileName>brev.pdf</s:PrimaryDocumentFileName>
  <s:SdpNotifications>
    <s:EmailNotification>
      <s:NotificationText>Du har fått post</s:NotificationText>
      <s:Repetitions><s:DaysDelayed>3</s:DaysDelayed><s:DaysDelayed>7</s:DaysDelayed></s:Repetitions>
      <s:EmailAddress>ola@example.no</s:EmailAddress>
    </s:EmailNotification>
  </s:SdpNotifications>
  <s:SdpSetting>CopyAltinn</s:SdpSetting>
</s:SdpOptions>"""


def _round_trip(model, xml: str) -> tuple[dict, etree._Element]:
    """Read as a request is read, then written back as a response is written (and parsed again)."""
    source = etree.fromstring(xml)
    value = codec.decode(model, source)
    out: list[str] = []
    writer.response_writer(model, source.tag).write(value, out)
    return value, etree.fromstring("".join(out))


def test_recursive_receipts_decode_and_encode_to_any_depth():
    value, written = _round_trip(receipt.ReceiptExternal, NESTED_RECEIPT)
    inner = value["SubReceipts"]["ReceiptExternal"][0]
    assert inner["ReceiptId"] == 2
    assert inner["SubReceipts"]["ReceiptExternal"][0]["ReceiptId"] == 3
    path = f"{{{RECEIPT}}}SubReceipts/{{{RECEIPT}}}ReceiptExternal/"
    assert written.findtext(f"{path}{path}{{{RECEIPT}}}ReceiptId") == "3"


def test_derived_sdp_notification_reads_and_writes_the_base_members_first():
    value, written = _round_trip(correspondence.SdpOptions, SDP_OPTIONS)
    email = value["SdpNotifications"]["EmailNotification"]
    assert email == {"NotificationText": "Du har fått post", "Repetitions": {"DaysDelayed": [3, 7]},
                     "EmailAddress": "ola@example.no"}
    element = written.find(f"{{{SDP}}}SdpNotifications/{{{SDP}}}EmailNotification")
    assert [etree.QName(child).localname for child in element] == ["NotificationText", "Repetitions",
                                                                   "EmailAddress"]


def test_days_delayed_is_an_unsigned_int():
    with pytest.raises(codec.DecodeError, match="DaysDelayed"):
        codec.decode(correspondence.SdpOptions, etree.fromstring(SDP_OPTIONS.replace(">7<", ">-7<")))


def test_skipped_elements_are_told_with_their_namespace_and_parent():
    """What WCF skips without a word (here an item of a list in the list's namespace instead of its own, as
    node-soap writes it, and an unknown member with children) the codec skips too, and tells."""
    xml = SDP_OPTIONS.replace("<s:EmailAddress>", "<!-- no element --><s:DaysDelayed>1</s:DaysDelayed><s:EmailAddress>") \
        .replace("<s:SdpSetting>", '<x:Extra xmlns:x="urn:x"><x:Inner/></x:Extra><s:SdpSetting>')
    skipped: list = []
    value = codec.decode(correspondence.SdpOptions, etree.fromstring(xml), skipped=skipped)
    assert value["SdpNotifications"]["EmailNotification"]["EmailAddress"] == "ola@example.no"
    assert skipped == [
        codec.Skipped("DaysDelayed", SDP, "/SdpOptions/SdpNotifications/EmailNotification"),
        codec.Skipped("Extra", "urn:x", "/SdpOptions")]  # the element, not what is inside it
    assert skipped[1].to_dict() == {"name": "Extra", "namespace": "urn:x", "parent": "/SdpOptions"}
    nothing: list = []
    codec.decode(correspondence.SdpOptions, etree.fromstring(SDP_OPTIONS), skipped=nothing)
    assert nothing == []


UTC = timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2026-03-02T10:00:00", datetime(2026, 3, 2, 10)),
    ("2026-03-02T10:00:00.1234567+01:00", datetime(2026, 3, 2, 10, 0, 0, 123456, timezone(timedelta(hours=1)))),
    ("2026-03-02T23:59:59.9999999Z", datetime(2026, 3, 2, 23, 59, 59, 999999, UTC)),  # cut, not carried
    ("2026-03-02T24:00:00Z", datetime(2026, 3, 3, tzinfo=UTC)),
    # .NET's DateTime.MaxValue and MinValue, which clients send for "no limit"
    ("9999-12-31T23:59:59.9999999", datetime.max),
    ("9999-12-31T23:59:59.9999999Z", datetime.max.replace(tzinfo=UTC)),
    ("0001-01-01T00:00:00", datetime.min),
])
def test_datetimes_are_read_to_the_microsecond(text, expected):
    assert codec.parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["9999-12-31T24:00:00", "2026-02-29T10:00:00", "2026-03-02T10:60:00",
                                  "2026-03-02T10:00:00+24:00", "2026-03-02", "tomorrow"])
def test_impossible_datetimes_are_decoding_errors(text):
    with pytest.raises(ValueError, match="xs:dateTime"):
        codec.parse_datetime(text)


@conformance
@pytest.mark.parametrize("model, xml, wsdl", [
    (receipt.ReceiptExternal, NESTED_RECEIPT, "basic/ReceiptAgencyExternalBasic.wsdl"),
    (correspondence.SdpOptions, SDP_OPTIONS, "basic/CorrespondenceAgencyExternalBasic.wsdl"),
], ids=["ReceiptExternal", "SdpOptions"])
def test_what_the_codec_writes_validates_against_the_real_schema(model, xml, wsdl):
    _, written = _round_trip(model, xml)
    RealSchema(wsdl).assert_valid(written)
