"""Writing an endpoint's WSDL in WCF's shape, from our own models.

The ``wsdl:types`` come from spyne's schema generator, tidied to what WCF
emits (anonymous wrapper types, nillable global elements, no stray
cross-namespace elements) and written with stable prefixes and order, so the
same code always produces the same bytes. Messages, portType, binding and
service follow WCF's conventions: ``parameters`` parts, soapAction
``{namespace}/{interface}/{operation}``, ``wsaw:Action`` on input, output and
fault, the AltinnFault fault on every operation, and Altinn's port and
service names.

Our WSDLs carry no WS-SecurityPolicy: clients attach credentials themselves
(UsernameToken on WS; certificates on EC over TLS). See README, "Fidelity".
"""

from __future__ import annotations

from lxml import etree

from .contract import BoundOperation, Endpoint
from .namespaces import (ALTINN_FAULT, SOAP_HTTP_TRANSPORT, WSA, WSAW, WSDL, WSDL_SOAP11, WSDL_SOAP12, WSP, WSU,
                         XSD)
from .spyne_app import EndpointModels
from .types import UNWRITTEN_SIMPLE_TYPES

_QNAME_ATTRIBUTES = ("type", "base", "ref", "element", "itemType")


def build_wsdl(endpoint: Endpoint, models: EndpointModels, address: str) -> bytes:
    soap_ns = WSDL_SOAP11 if endpoint.binding.soap_version == 11 else WSDL_SOAP12
    soap_prefix = "soap" if endpoint.binding.soap_version == 11 else "soap12"
    root = etree.Element(
        f"{{{WSDL}}}definitions",
        nsmap={"wsdl": WSDL, soap_prefix: soap_ns, "tns": endpoint.namespace, "wsaw": WSAW, "wsa10": WSA,
               "xsd": XSD, "wsp": WSP, "wsu": WSU},
    )
    root.set("name", endpoint.service_name)
    root.set("targetNamespace", endpoint.namespace)

    policy_id = f"{endpoint.binding_name}_policy"
    if endpoint.binding.addressing:
        policy = etree.SubElement(root, f"{{{WSP}}}Policy")
        policy.set(f"{{{WSU}}}Id", policy_id)
        every = etree.SubElement(etree.SubElement(policy, f"{{{WSP}}}ExactlyOne"), f"{{{WSP}}}All")
        etree.SubElement(every, f"{{{WSAW}}}UsingAddressing")

    types = etree.SubElement(root, f"{{{WSDL}}}types")
    for schema in tidy_schemas(endpoint, models):
        # Made in place with its own declarations: lxml drops a moved element's declaration of a namespace an
        # ancestor declares under another prefix, and would leave a type naming it (q1:...) unresolved.
        placed = etree.SubElement(types, schema.tag, attrib=dict(schema.attrib), nsmap=schema.nsmap)
        for child in list(schema):
            placed.append(child)

    for operation in endpoint.operations:
        _messages(root, endpoint, operation)
    _port_type(root, endpoint)
    _binding(root, endpoint, soap_ns, policy_id)
    _service(root, endpoint, soap_ns, address)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


# -- messages, portType, binding, service ----------------------------------------------------------

def _part(message: etree._Element, name: str, namespace: str, local: str) -> None:
    part = etree.SubElement(message, f"{{{WSDL}}}part", nsmap={"q": namespace})
    part.set("name", name)
    part.set("element", f"q:{local}")


def _message_names(endpoint: Endpoint, operation: BoundOperation) -> dict[str, str]:
    """WCF names messages {portType}_{op}_InputMessage; a message contract's messages bear its element names."""
    fault = f"{endpoint.port_type}_{operation.wire_name}_AltinnFaultFault_FaultMessage"
    if operation.operation.request_element:
        return {"input": operation.request_element, "output": operation.response_element,
                "headers": f"{operation.request_element}_Headers", "fault": fault}
    prefix = f"{endpoint.port_type}_{operation.wire_name}_"
    return {"input": prefix + "InputMessage", "output": prefix + "OutputMessage", "fault": fault}


def _messages(root, endpoint: Endpoint, operation: BoundOperation) -> None:
    names = _message_names(endpoint, operation)
    for kind, local in (("input", operation.request_element), ("output", operation.response_element)):
        message = etree.SubElement(root, f"{{{WSDL}}}message", name=names[kind])
        _part(message, "parameters", operation.namespace, local)
        if kind == "input" and operation.message_headers:
            headers = etree.SubElement(root, f"{{{WSDL}}}message", name=names["headers"])
            for name in operation.message_headers:
                _part(headers, name, operation.namespace, name)
    fault = etree.SubElement(root, f"{{{WSDL}}}message", name=names["fault"])
    _part(fault, "detail", ALTINN_FAULT, "AltinnFault")


def _port_type(root, endpoint: Endpoint) -> None:
    port_type = etree.SubElement(root, f"{{{WSDL}}}portType", name=endpoint.port_type)
    for operation in endpoint.operations:
        names = _message_names(endpoint, operation)
        element = etree.SubElement(port_type, f"{{{WSDL}}}operation", name=operation.wire_name)
        for tag, action in (("input", operation.action), ("output", operation.reply_action)):
            io = etree.SubElement(element, f"{{{WSDL}}}{tag}")
            io.set(f"{{{WSAW}}}Action", action)
            if operation.operation.request_element:
                io.set("name", names[tag])
            io.set("message", "tns:" + names[tag])
        fault = etree.SubElement(element, f"{{{WSDL}}}fault")
        fault.set(f"{{{WSAW}}}Action", operation.fault_action)
        fault.set("name", "AltinnFaultFault")
        fault.set("message", "tns:" + names["fault"])


def _binding(root, endpoint: Endpoint, soap_ns: str, policy_id: str) -> None:
    binding = etree.SubElement(root, f"{{{WSDL}}}binding", name=endpoint.binding_name, type=f"tns:{endpoint.port_type}")
    if endpoint.binding.addressing:
        etree.SubElement(binding, f"{{{WSP}}}PolicyReference", URI=f"#{policy_id}")
    etree.SubElement(binding, f"{{{soap_ns}}}binding", transport=SOAP_HTTP_TRANSPORT)
    for operation in endpoint.operations:
        element = etree.SubElement(binding, f"{{{WSDL}}}operation", name=operation.wire_name)
        etree.SubElement(element, f"{{{soap_ns}}}operation", soapAction=operation.action, style="document")
        names = _message_names(endpoint, operation)
        for tag in ("input", "output"):
            io = etree.SubElement(element, f"{{{WSDL}}}{tag}")
            if operation.operation.request_element:
                io.set("name", names[tag])
            if tag == "input" and operation.message_headers:
                for name in operation.message_headers:
                    etree.SubElement(io, f"{{{soap_ns}}}header", message="tns:" + names["headers"], part=name,
                                     use="literal")
            etree.SubElement(io, f"{{{soap_ns}}}body", use="literal")
        fault = etree.SubElement(element, f"{{{WSDL}}}fault", name="AltinnFaultFault")
        etree.SubElement(fault, f"{{{soap_ns}}}fault", use="literal", name="AltinnFaultFault", namespace="")


def _service(root, endpoint: Endpoint, soap_ns: str, address: str) -> None:
    service = etree.SubElement(root, f"{{{WSDL}}}service", name=endpoint.service_name)
    port = etree.SubElement(service, f"{{{WSDL}}}port", name=endpoint.binding_name,
                            binding=f"tns:{endpoint.binding_name}")
    etree.SubElement(port, f"{{{soap_ns}}}address", location=address)
    if endpoint.binding.addressing:
        reference = etree.SubElement(port, f"{{{WSA}}}EndpointReference")
        etree.SubElement(reference, f"{{{WSA}}}Address").text = address


# -- schemas -----------------------------------------------------------------------------------------

def tidy_schemas(endpoint: Endpoint, models: EndpointModels) -> list[etree._Element]:
    """spyne's schemas, reshaped to WCF's conventions and written deterministically."""
    raw = models.schemas()
    wrappers: dict[str, set[str]] = {}
    headers: dict[str, set[str]] = {}
    for operation in endpoint.operations:
        wrappers.setdefault(operation.namespace, set()).update(
            {operation.request_element, operation.response_element})
        headers.setdefault(operation.namespace, set()).update(operation.message_headers)
    tidied = []
    for namespace in sorted(raw, key=_schema_order):
        tidied.append(_canonical_schema(raw[namespace], namespace, wrappers.get(namespace, set()),
                                        headers.get(namespace, set())))
    return tidied + _unwritten_schemas(tidied, set(raw))


def _unwritten_schemas(tidied: list[etree._Element], written: set[str]) -> list[etree._Element]:
    """Schemas spyne does not write: a namespace that holds only a binary restriction (WCF's StreamBody in
    ``http://schemas.microsoft.com/Message``), declared as WCF does, a simpleType and no element."""
    imported = {node.get("namespace") for schema in tidied for node in schema.iterfind(f"{{{XSD}}}import")}
    schemas = []
    for namespace in sorted(imported - written):
        types = sorted((name, base) for (ns, name), base in UNWRITTEN_SIMPLE_TYPES.items() if ns == namespace)
        if not types:
            continue
        schema = etree.Element(f"{{{XSD}}}schema", nsmap={"xsd": XSD})
        schema.set("elementFormDefault", "qualified")
        schema.set("targetNamespace", namespace)
        for name, base in types:
            simple = etree.SubElement(schema, f"{{{XSD}}}simpleType", name=name)
            etree.SubElement(simple, f"{{{XSD}}}restriction", base=f"xsd:{base}")
        schemas.append(schema)
    return schemas


def _schema_order(namespace: str) -> tuple[int, str]:
    # wrappers' namespaces first is not required by anything; a fixed order is.
    return (0 if namespace.startswith("http://www.altinn.no/") else 1, namespace)


def _resolve(element: etree._Element, value: str) -> tuple[str, str]:
    prefix, _, local = value.rpartition(":")
    return element.nsmap.get(prefix or None, XSD if not prefix else None), local


def _canonical_schema(source: etree._Element, namespace: str, wrapper_names: set[str],
                      header_names: set[str]) -> etree._Element:
    simple = {n.get("name"): n for n in source if n.tag == f"{{{XSD}}}simpleType"}
    complex_ = {n.get("name"): n for n in source if n.tag == f"{{{XSD}}}complexType"}
    elements = {}
    for node in source:
        if node.tag == f"{{{XSD}}}element" and _resolve(node, node.get("type", ""))[0] == namespace:
            elements[node.get("name")] = node  # spyne also declares foreign wrappers (Test) here; WCF does not

    # Stable prefixes: tns for the schema's own namespace, q1..qn for the others in namespace order.
    referenced: set[str] = set()
    for node in (*simple.values(), *complex_.values(), *elements.values()):
        for element in node.iter():
            for attribute in _QNAME_ATTRIBUTES:
                value = element.get(attribute)
                if value:
                    referenced.add(_resolve(element, value)[0])
    referenced -= {XSD, namespace}
    prefixes = {namespace: "tns", XSD: "xsd"}  # "xsd" as on wsdl:definitions, so lxml keeps one declaration
    for index, ns in enumerate(sorted(referenced), start=1):
        prefixes[ns] = f"q{index}"
    schema = etree.Element(f"{{{XSD}}}schema", nsmap={p: ns for ns, p in prefixes.items()})
    schema.set("elementFormDefault", "qualified")
    schema.set("targetNamespace", namespace)
    for ns in sorted(referenced):
        etree.SubElement(schema, f"{{{XSD}}}import", namespace=ns)

    def copy(node: etree._Element, parent: etree._Element) -> etree._Element:
        clone = etree.SubElement(parent, node.tag)
        for key, value in node.attrib.items():
            if key in _QNAME_ATTRIBUTES:
                ns, local = _resolve(node, value)
                value = f"{prefixes[ns]}:{local}"
            clone.set(key, value)
        for child in node:
            if isinstance(child.tag, str):
                copy(child, clone)
        return clone

    # Named types first (sorted), then elements; wrappers become elements with anonymous types.
    for name in sorted(simple):
        copy(simple[name], schema)
    for name in sorted(complex_):
        if name not in wrapper_names:
            copy(complex_[name], schema)
    # Message-contract headers are global string elements of the service namespace.
    for name in header_names:
        elements[name] = etree.Element(f"{{{XSD}}}element", name=name, type="xsd:string", nsmap={"xsd": XSD})
    # WCF declares a nillable global element for every named type, simple ones included.
    for name in simple:
        if name not in elements:
            elements[name] = etree.Element(f"{{{XSD}}}element", name=name, type=f"tns:{name}",
                                           nsmap={"tns": namespace})
    for name in sorted(elements):
        node = elements[name]
        if name in wrapper_names:
            element = etree.SubElement(schema, f"{{{XSD}}}element", name=name)
            anonymous = etree.SubElement(element, f"{{{XSD}}}complexType")
            body = complex_.get(name)
            children = [c for c in body if isinstance(c.tag, str)] if body is not None else []
            if not children:
                etree.SubElement(anonymous, f"{{{XSD}}}sequence")
            for child in children:
                copy(child, anonymous)
        else:
            element = copy(node, schema)
            element.set("nillable", "true")
    return schema
