"""The generator on every real WSDL we hold (``python -m altinn_so.tooling.survey`` says the same).

Each contract's module, with all its operations, imports and gives spyne's XML schema; for a sample of
the coming services, that schema describes the same types as the real WSDL, as zeep sees both (element
names and order, minOccurs, maxOccurs, nillable, types, enumerations). Skips without the real contracts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import zeep
from lxml import etree

from altinn_so.tooling import survey, wiretypes
from support.contracts import CONTRACTS_DIR, real_client
from support.zeepview import _enumerations, _Viewer, diff_views

pytestmark = pytest.mark.conformance

WSDLS = survey.every_wsdl(CONTRACTS_DIR) if CONTRACTS_DIR.is_dir() else []

# The one contract the generator refuses: its schemas are imported from Altinn's server and not held here.
UNRESOLVABLE = {"basic/ServiceOwnerArchiveExternalStreamedBasic.wsdl": "ServiceOwnerArchiveExternalStreamedBasic.svc?xsd="}

SAMPLE = ["basic/PreFillBasic.wsdl", "ec2/PreFillAgencyExternalEC2.wsdl", "ec2/SubscriptionAgencyExternalEC2.wsdl",
          "basic/DownloadQueueExternalBasic.wsdl", "ec2/DownloadQueueExternalEC2.wsdl",
          "basic/RegisterSRRAgencyExternalBasic.wsdl", "basic/BrokerServiceExternalBasic.wsdl",
          "ec2/ServiceOwnerArchiveExternalEC2.wsdl", "ec2/CaseAgencySystemEC2.wsdl",
          "ec2/BatchLoggingAgencyExternalEC2.wsdl"]
# Not in the sample: ec2/BrokerServiceExternalEC2/ (zeep would fetch its imports by URL), and the streamed contracts. spyne writes the restriction base of StreamBody (a named ByteArray)
# in StreamBody's own namespace ({http://schemas.microsoft.com/Message}base64Binary), not as xs:base64Binary.


def contracts_dir() -> Path:
    if not CONTRACTS_DIR.is_dir():
        pytest.skip(f"real Altinn contracts not found under {CONTRACTS_DIR}")
    return CONTRACTS_DIR


def test_the_survey_finds_the_contracts():
    assert len(survey.every_wsdl(contracts_dir())) >= 40


@pytest.mark.parametrize("relpath", WSDLS)
def test_every_real_wsdl_generates_a_module_spyne_builds(relpath, tmp_path):
    directory = contracts_dir()
    if relpath in UNRESOLVABLE:
        with pytest.raises(wiretypes.SpecError, match=r"imports .* and no file of its folder declares it") as error:
            survey.generate(directory, relpath, tmp_path)
        assert UNRESOLVABLE[relpath] in str(error.value)
        return
    namespace = survey.load_module(survey.generate(directory, relpath, tmp_path), "m")
    schemas = survey.build_schemas(survey.model_classes(namespace))
    assert all(node.tag == f"{{{wiretypes.XSD}}}schema" for node in schemas.values())


def _our_client(schemas: dict, tmp_path: Path) -> zeep.Client:
    """zeep's reading of spyne's schemas, wrapped in a WSDL with no operations (each schema imports the others
    by namespace only, which zeep resolves within one wsdl:types)."""
    definitions = etree.Element(f"{{{wiretypes.WSDL}}}definitions", nsmap={"wsdl": wiretypes.WSDL},
                                targetNamespace="urn:altinn-so:survey")
    types = etree.SubElement(definitions, f"{{{wiretypes.WSDL}}}types")
    for node in schemas.values():
        types.append(node)
    path = tmp_path / "ours.wsdl"
    path.write_bytes(etree.tostring(definitions))
    return zeep.Client(str(path))


@pytest.mark.parametrize("relpath", SAMPLE)
def test_our_schema_describes_the_real_types(relpath, tmp_path):
    directory = contracts_dir()
    spec = survey.spec_for(relpath, tmp_path, directory)
    contracts = wiretypes.read_contracts(directory, [relpath], [])
    emitted = wiretypes.ordered_types(wiretypes._roots(spec, contracts), contracts.types, contracts)
    namespace = survey.load_module(wiretypes.generate(spec, directory), "m")
    ours = _our_client(survey.build_schemas(survey.model_classes(namespace)), tmp_path)
    real = real_client(relpath)
    real_viewer, our_viewer = _Viewer(_enumerations(real)), _Viewer(_enumerations(ours))
    assert emitted
    diffs = []
    for declared in emitted:
        qname = declared.qname
        real_view = real_viewer.type(real.wsdl.types.get_type(qname))
        our_view = our_viewer.type(ours.wsdl.types.get_type(qname))
        diffs += diff_views(real_view, our_view, wiretypes.split(qname)[1])
    assert not diffs, f"{relpath}: our schema differs from the real one:\n  " + "\n  ".join(diffs)
