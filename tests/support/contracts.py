"""The real Altinn II contracts as test oracles: zeep clients and XML Schemas built from them.

The real WSDLs are third-party files kept outside this repository: in
``../shared/contracts/altinn2``, in ``ALTINN_SO_CONTRACTS``, or in the cache
``make contracts`` fills (``altinn_so.tooling.contracts.locate`` picks one).
Tests only read them, and skip with a clear reason when they are absent.
Nothing here touches the network: WSDLs load from disk, and a zeep client
built on a real WSDL refuses to fetch anything over HTTP(S).
"""

from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
import zeep
import zeep.exceptions
from lxml import etree
from zeep.plugins import HistoryPlugin

from altinn_so.tooling.contracts import locate, shared_dir

REPO_ROOT = Path(__file__).resolve().parents[2]

# None when no contracts are found; CONTRACTS_DIR is then where they would be looked for first.
FOUND_CONTRACTS_DIR = locate()
CONTRACTS_DIR = FOUND_CONTRACTS_DIR or shared_dir()
SAMPLES_DIR = Path(os.environ.get("ALTINN_SO_SAMPLES") or REPO_ROOT.parent / "shared" / "altinn2-samples")

XSD_NS = "http://www.w3.org/2001/XMLSchema"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_ENVELOPES = ("http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope")
ALTINN_FAULT_NS = "http://www.altinn.no/services/common/fault/2009/10"
ALTINN_FAULT = f"{{{ALTINN_FAULT_NS}}}AltinnFault"
WSA_ACTION = "{http://www.w3.org/2005/08/addressing}Action"
WSA_MESSAGE_ID = "{http://www.w3.org/2005/08/addressing}MessageID"
WSA_RELATES_TO = "{http://www.w3.org/2005/08/addressing}RelatesTo"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"


# -- locating the oracles ----------------------------------------------------------------------------

def require_contract(relpath: str) -> Path:
    """The real contract file ``relpath`` (e.g. ``basic/NotificationAgencyExternalBasic.wsdl``), or skip."""
    if FOUND_CONTRACTS_DIR is None:
        pytest.skip(f"real Altinn contract {relpath}: no contracts found; run `make contracts` to download them "
                    f"(or set ALTINN_SO_CONTRACTS to a directory holding the altinn2 contracts)")
    path = FOUND_CONTRACTS_DIR / relpath
    if not path.is_file():
        pytest.skip(f"real Altinn contract {relpath} not found under {FOUND_CONTRACTS_DIR} "
                    f"(set ALTINN_SO_CONTRACTS to a directory holding them, such as the one `make contracts` fills)")
    return path


def require_batch_schema(name: str) -> Path:
    """A real batch-interface schema (``batch/<name>``, e.g. ``genericbatch.2013.06.xsd``), or skip."""
    return _require_batch_file(name, "batch-interface schema")


def require_batch_sample(name: str) -> Path:
    """A real batch-interface sample (``batch/samples/<name>``, e.g. ``Inn1.xml``), or skip."""
    return _require_batch_file(f"samples/{name}", "batch-interface sample")


def _require_batch_file(relpath: str, what: str) -> Path:
    if FOUND_CONTRACTS_DIR is None:
        pytest.skip(f"real Altinn {what} batch/{relpath}: no contracts found; run `make contracts` to download "
                    f"them (or set ALTINN_SO_CONTRACTS to a directory holding the altinn2 contracts)")
    path = FOUND_CONTRACTS_DIR / "batch" / relpath
    if not path.is_file():
        pytest.skip(f"real Altinn {what} batch/{relpath} not found under {FOUND_CONTRACTS_DIR / 'batch'} "
                    f"(run `make contracts`, or set ALTINN_SO_CONTRACTS to a directory holding batch/)")
    return path


def require_sample(relpath: str) -> Path:
    """A sample message from ``SAMPLES_DIR``, or skip."""
    path = SAMPLES_DIR / relpath
    if not path.is_file():
        pytest.skip(f"Altinn sample {relpath} not found under {SAMPLES_DIR} "
                    f"(set ALTINN_SO_SAMPLES to the altinn2-samples directory)")
    return path


# -- zeep clients ------------------------------------------------------------------------------------

class OfflineTransport(zeep.Transport):
    """A zeep transport that loads documents only from disk (or from ``allowed_hosts``).

    Requests to the endpoint itself (POSTs) are not affected: only WSDL and
    XSD loading goes through ``load``.
    """

    def __init__(self, allowed_hosts: tuple[str, ...] = (), urlmap: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.allowed_hosts = allowed_hosts
        self.urlmap = urlmap or {}

    def load(self, url):
        if url in self.urlmap:  # a contract saved as a folder: its imports are files beside the WSDL
            return Path(self.urlmap[url]).read_bytes()
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https") and parsed.hostname not in self.allowed_hosts:
            raise RuntimeError(f"refusing to fetch {url}: contract tests load WSDLs and XSDs from disk only")
        return super().load(url)


def urlmap_of(location: str) -> dict[str, str]:
    """A contract saved as a folder (WSDL, XSDs and ``urlmap.json``): its import URLs -> the local files."""
    mapping = Path(location).parent / "urlmap.json"
    if not mapping.is_file():
        return {}
    return {url: str(mapping.parent / name) for url, name in json.loads(mapping.read_text())["map"].items()}


def _client(location: str, *, wsse=None, allowed_hosts: tuple[str, ...] = ()) -> zeep.Client:
    urlmap = urlmap_of(location) if not location.startswith("http") else {}
    transport = OfflineTransport(allowed_hosts=allowed_hosts, urlmap=urlmap, timeout=10, operation_timeout=10)
    return zeep.Client(location, transport=transport, wsse=wsse, plugins=[HistoryPlugin()])


def only_binding(client: zeep.Client):
    bindings = list(client.wsdl.bindings.values())
    assert len(bindings) == 1, f"{client.wsdl.location}: expected one binding, found {[b.name for b in bindings]}"
    return bindings[0]


def real_client(relpath: str, *, wsse=None) -> zeep.Client:
    """A zeep client built from the REAL WSDL ``relpath`` (skips when it is absent)."""
    return _client(str(require_contract(relpath)), wsse=wsse)


def real_service(relpath: str, address: str, *, wsse=None):
    """A zeep client built from the REAL WSDL ``relpath``, and a proxy of its only binding at ``address``."""
    client = real_client(relpath, wsse=wsse)
    return client, client.create_service(only_binding(client).name, address)


def our_service(wsdl_url: str, *, wsse=None):
    """A zeep client built from the WSDL the emulator serves at ``wsdl_url``, and its only binding's proxy.

    The proxy uses the address the WSDL names (the emulator writes its own URL there).
    """
    client = _client(wsdl_url, wsse=wsse, allowed_hosts=(urlparse(wsdl_url).hostname,))
    binding = only_binding(client)
    ports = [port for service in client.wsdl.services.values() for port in service.ports.values()]
    assert len(ports) == 1, f"{wsdl_url}: expected one port, found {[p.name for p in ports]}"
    return client, client.create_service(binding.name, ports[0].binding_options["address"])


@functools.cache
def wsdl_actions(relpath: str) -> dict[str, dict]:
    """The ``wsaw:Action`` of each portType operation of a real WSDL (zeep keeps only the input one).

    ``{"Op": {"input": ..., "output": ..., "faults": {"AltinnFaultFault": ...}}}``
    """
    return port_type_actions(etree.parse(str(require_contract(relpath))).getroot())


def port_type_actions(root: etree._Element) -> dict[str, dict]:
    """``wsdl_actions`` for a parsed WSDL document (e.g. one the emulator served)."""
    wsaw = "{http://www.w3.org/2006/05/addressing/wsdl}Action"
    actions = {}
    for operation in root.iterfind(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation"):
        entry = {"input": None, "output": None, "faults": {}}
        for child in operation:
            kind = etree.QName(child).localname
            if kind in ("input", "output"):
                entry[kind] = child.get(wsaw)
            elif kind == "fault":
                entry["faults"][child.get("name")] = child.get(wsaw)
        actions[operation.get("name")] = entry
    return actions


# -- what zeep received ------------------------------------------------------------------------------

def _history(client: zeep.Client) -> HistoryPlugin:
    for plugin in client.plugins:
        if isinstance(plugin, HistoryPlugin):
            return plugin
    raise AssertionError("client was not built with a HistoryPlugin (use real_service / our_service)")


def received_envelope(client: zeep.Client) -> etree._Element:
    """The raw SOAP envelope of the last response (or fault) the client received."""
    received = _history(client).last_received
    assert received is not None, "the client has not received a response yet"
    return received["envelope"]


def received_header(client: zeep.Client, tag: str) -> etree._Element | None:
    """A SOAP header block (by ``{ns}local``) of the last response, or None."""
    envelope = received_envelope(client)
    for ns in SOAP_ENVELOPES:
        header = envelope.find(f"{{{ns}}}Header")
        if header is not None:
            return header.find(tag)
    return None


def received_body_element(client: zeep.Client) -> etree._Element:
    """The element inside ``soap:Body`` of the last response: the response wrapper or the ``Fault``."""
    envelope = received_envelope(client)
    for ns in SOAP_ENVELOPES:
        body = envelope.find(f"{{{ns}}}Body")
        if body is not None:
            children = [child for child in body if isinstance(child.tag, str)]
            assert len(children) == 1, f"expected one element in soap:Body, found {[c.tag for c in children]}"
            return children[0]
    raise AssertionError(f"no SOAP Body in the received envelope ({envelope.tag})")


def altinn_fault_element(detail: etree._Element | None) -> etree._Element:
    """The ``AltinnFault`` element of a fault ``detail`` (``zeep.exceptions.Fault.detail``)."""
    assert detail is not None, "the fault has no detail"
    found = detail.find(ALTINN_FAULT)
    assert found is not None, (f"no {ALTINN_FAULT} in the fault detail; detail holds "
                               f"{[c.tag for c in detail if isinstance(c.tag, str)]}")
    return found


# -- checking what came back against a real contract -------------------------------------------------

def assert_valid_response(client: zeep.Client, contract: str, operation: str, *, soap12: bool,
                          wrapper: str | None = None) -> etree._Element:
    """The last response's body element is ``wrapper`` (default ``{operation}Response``), validates against the
    real schema of ``contract``, and carries WS-Addressing headers as WCF sends them: the real WSDL's output
    ``wsaw:Action`` on SOAP 1.2 (and ``RelatesTo`` the request's ``MessageID``), none on BasicHttpBinding."""
    body = received_body_element(client)
    assert etree.QName(body).localname == (wrapper or f"{operation}Response")
    RealSchema(contract).assert_valid(body)
    action = received_header(client, WSA_ACTION)
    if soap12:
        expected = wsdl_actions(contract)[operation]["output"]
        assert action is not None and action.text.strip() == expected, \
            f"reply action {None if action is None else action.text!r}, expected {expected!r}"
        message_id = _history(client).last_sent["envelope"].find(f".//{WSA_MESSAGE_ID}")
        if message_id is not None:
            relates_to = received_header(client, WSA_RELATES_TO)
            assert relates_to is not None and relates_to.text.strip() == message_id.text.strip()
    else:
        assert action is None, "BasicHttpBinding replies carry no WS-Addressing headers"
    return body


def expect_altinn_fault(client: zeep.Client, contract: str, operation: str, call, *, soap12: bool,
                        declared: bool = True):
    """Run ``call``; it must fault with an AltinnFault that zeep parses and the real schema accepts.

    Returns the AltinnFault as zeep parsed it. ``declared``: an Altinn error, sent as the operation's
    declared AltinnFaultFault (with the real WSDL's fault action on SOAP 1.2, and the code the recorded
    Altinn faults carry); otherwise a fault raised by the SOAP machinery, whose action and code are WCF's
    generic ones.
    """
    with pytest.raises(zeep.exceptions.Fault) as caught:
        call()
    element = altinn_fault_element(caught.value.detail)
    RealSchema(contract).assert_valid(element)
    fault = client.get_element(ALTINN_FAULT).parse(element, client.wsdl.types)
    action = received_header(client, WSA_ACTION)
    if not soap12:
        assert action is None, "BasicHttpBinding faults carry no WS-Addressing headers"
    if declared:
        if soap12:
            expected = wsdl_actions(contract)[operation]["faults"]["AltinnFaultFault"]
            assert action is not None and action.text.strip() == expected
            # as in shared/altinn2-samples/faults/dokdistdpv_AltinnFault_nonfunctional_soap12_EC.xml
            assert (caught.value.code, caught.value.subcodes) == ("s:Sender", [etree.QName(SOAP12_ENV, "Sender")])
        else:
            # as in shared/altinn2-samples/faults/dokdistdpv_AltinnFault_989_soap11.xml
            assert caught.value.code == "s:Client"
    return fault


# -- XML Schema of a real WSDL -----------------------------------------------------------------------

class _MemoryResolver(etree.Resolver):
    def __init__(self, documents: dict[str, bytes], urlmap: dict[str, str] | None = None):
        super().__init__()
        self.documents = documents
        self.urlmap = urlmap or {}

    def resolve(self, system_url, public_id, context):
        data = self.documents.get(system_url)
        if data is not None:
            return self.resolve_string(data, context)
        if system_url in self.urlmap:  # an XSD saved beside a folder contract's WSDL
            return self.resolve_filename(self.urlmap[system_url], context)
        raise RuntimeError(f"schema import of {system_url!r} cannot be resolved offline")


class RealSchema:
    """An lxml XMLSchema made of every inline ``xs:schema`` of one real WSDL.

    The inline schemas import each other by namespace only (no
    schemaLocation), as WCF writes them; each import is pointed at an
    in-memory copy of the schema for that namespace, and a wrapper schema
    imports them all. Instances are cached per contract path.
    """

    def __new__(cls, relpath: str):
        return _real_schema(str(require_contract(relpath)))

    @classmethod
    def _build(cls, path: str) -> "RealSchema":
        self = object.__new__(cls)
        self.path = path
        self.schema = build_schema(etree.parse(path).getroot(), label=Path(path).name, urlmap=urlmap_of(path))
        return self

    def validate(self, element: etree._Element) -> list[str]:
        """The validation errors for ``element`` (validated as a document of its own)."""
        document = etree.fromstring(etree.tostring(element))
        if self.schema.validate(document):
            return []
        return [f"line {e.line}: {e.message}" for e in self.schema.error_log]

    def assert_valid(self, element: etree._Element) -> None:
        errors = self.validate(element)
        if errors:
            xml = etree.tostring(element, pretty_print=True, encoding="unicode")
            raise AssertionError(
                f"<{etree.QName(element).localname}> does not validate against the real schema of "
                f"{Path(self.path).name}:\n  " + "\n  ".join(errors) + f"\n--- element ---\n{xml}")


@functools.cache
def _real_schema(path: str) -> RealSchema:
    return RealSchema._build(path)


def build_schema(wsdl_root: etree._Element, *, label: str = "wsdl",
                 urlmap: dict[str, str] | None = None) -> etree.XMLSchema:
    """An XMLSchema from the inline schemas of a WSDL document (imports resolved in memory).

    Each inline schema becomes an in-memory document; imports by namespace
    are pointed at the document of that namespace. When one namespace is
    split over several schema elements, the first one includes the others.
    """
    parts: dict[str, list[etree._Element]] = {}
    for node in wsdl_root.iterfind(f"{{{WSDL_NS}}}types/{{{XSD_NS}}}schema"):
        schema = _standalone(node)  # keeps the namespace declarations inherited from wsdl:definitions
        parts.setdefault(schema.get("targetNamespace", ""), []).append(schema)
    locations = {namespace: [f"mem://{label}/schema{index}-{part}.xsd" for part in range(len(schemas))]
                 for index, (namespace, schemas) in enumerate(parts.items())}
    documents = {}
    for namespace, schemas in parts.items():
        for part, schema in enumerate(schemas):
            for imported in schema.findall(f"{{{XSD_NS}}}import"):
                target = imported.get("namespace")
                if not imported.get("schemaLocation") and target in locations:
                    imported.set("schemaLocation", locations[target][0])
            if part == 0:
                for location in reversed(locations[namespace][1:]):
                    schema.insert(0, etree.Element(f"{{{XSD_NS}}}include", schemaLocation=location))
            documents[locations[namespace][part]] = etree.tostring(schema)

    wrapper = etree.Element(f"{{{XSD_NS}}}schema", nsmap={"xs": XSD_NS})
    for namespace, location in locations.items():
        etree.SubElement(wrapper, f"{{{XSD_NS}}}import", namespace=namespace, schemaLocation=location[0])
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_MemoryResolver(documents, urlmap))
    document = etree.fromstring(etree.tostring(wrapper), parser, base_url=f"mem://{label}/wrapper.xsd")
    return etree.XMLSchema(document)


def _standalone(node: etree._Element) -> etree._Element:
    """A copy of ``node`` as a root element that declares every namespace in scope at ``node``.

    ``copy.deepcopy`` alone keeps only the namespaces that element and
    attribute names use, not those that QName values (``type="tns:X"``) need.
    """
    root = etree.Element(node.tag, attrib=dict(node.attrib), nsmap=dict(node.nsmap))
    root.text = node.text
    for child in node:
        root.append(copy.deepcopy(child))
    return root
