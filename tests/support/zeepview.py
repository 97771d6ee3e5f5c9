"""A canonical, comparable view of the operations of a zeep binding.

``operation_view(client)`` turns what zeep understood of a WSDL into plain
dicts and lists: for every operation its SOAPAction, ``wsaw:Action``, SOAP
headers, and the input, output and fault signatures, expanded recursively
from zeep's element and type objects. Everything is named by namespace URI
and local name (``{ns}local``), so prefixes never matter. Two WSDLs that a
client would use the same way give equal views; ``diff_views`` says where
they differ.

An operation is shown as::

    {"soap": "1.1" | "1.2", "style": "document", "soap_action": ..., "wsa_action": ...,  # input wsaw:Action
     "input": {"body": <element>, "headers": [<element>, ...]}, "output": {...},
     "faults": {"AltinnFaultFault": [<element of each part>]}}

an element as::

    {"element": "{ns}Name", "min_occurs": 0, "max_occurs": 1, "nillable": True, "type": <type>}

and a type as one of::

    {"builtin": "{xsd}string"}
    {"simple": "{ns}TransportType" | None, "base": "{xsd}string", "enum": ["Email", "SMS", ...] | None}
    {"complex": "{ns}Service" | None, "content": <particle> | None, "attributes": [...]}
    {"complex": "{ns}Node", "recursive": True}          # a type already being expanded further up

``None`` as a type name means an anonymous type. zeep drops enumeration
facets, so enumerations are read from the schema documents themselves
(limit: zeep names an anonymous simple type after its element, so one
that shares its QName with a global simple type is shown as that type).
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

from lxml import etree
from zeep.xsd import elements as xsd_elements
from zeep.xsd import types as xsd_types
from zeep.xsd.elements.indicators import All, Choice, Group, Sequence

XSD_NS = "http://www.w3.org/2001/XMLSchema"


def operation_view(client, binding_qname: str | None = None) -> dict[str, dict]:
    """Every operation of a binding of ``client`` (the only one if ``binding_qname`` is None), by name."""
    bindings = client.wsdl.bindings
    if binding_qname is None:
        assert len(bindings) == 1, f"several bindings, pick one of {list(bindings)}"
        binding = next(iter(bindings.values()))
    else:
        binding = bindings[str(binding_qname)]
    viewer = _Viewer(_enumerations(client))
    soap = {"Soap11Binding": "1.1", "Soap12Binding": "1.2"}.get(type(binding).__name__, type(binding).__name__)
    return {name: viewer.operation(operation, soap) for name, operation in sorted(binding._operations.items())}


@functools.cache
def real_operation_view(relpath: str) -> dict[str, dict]:
    """``operation_view`` of the REAL WSDL ``relpath`` (skips when absent); cached, so do not modify it."""
    from .contracts import real_client
    return operation_view(real_client(relpath))


@functools.cache
def served_operation_view(wsdl_url: str) -> dict[str, dict]:
    """``operation_view`` of the WSDL the emulator serves at ``wsdl_url``; cached per URL (the WSDL does not
    depend on the emulator's state), so do not modify it."""
    from .contracts import our_service
    client, _ = our_service(wsdl_url)
    return operation_view(client)


def binding_names(client) -> dict:
    """The WSDL names a client generator turns into class names: binding, portType, service and port."""
    return {
        "bindings": sorted(_text(b.name) for b in client.wsdl.bindings.values()),
        "port_types": sorted(_text(b.port_type.name) for b in client.wsdl.bindings.values()),
        "services": {name: sorted((port.name, _text(port.binding.name)) for port in service.ports.values())
                     for name, service in sorted(client.wsdl.services.items())},
    }


class _Viewer:
    def __init__(self, enums: dict[str, list[str]]):
        self.enums = enums
        self.expanding: list[str] = []  # complex type names being expanded, to stop on recursive types

    def operation(self, operation, soap: str) -> dict:
        return {
            "soap": soap,
            "style": getattr(operation, "style", None),
            "soap_action": getattr(operation, "soapaction", None),
            "wsa_action": operation.abstract.wsa_action,
            "input": self.message(operation.input),
            "output": self.message(operation.output),
            "faults": {
                name: [self.part(part) for part in message.parts.values()]
                for name, message in sorted((operation.abstract.fault_messages or {}).items())
            },
        }

    def message(self, message) -> dict | None:
        if message is None:
            return None
        header = getattr(message, "header", None)
        headers = []
        if header is not None and header.type._element is not None:
            headers = sorted((self.element(e) for e in header.type._element), key=lambda view: view["element"])
        return {"body": self.element(message.body) if message.body is not None else None, "headers": headers}

    def part(self, part) -> dict:
        if part.element is not None:
            return self.element(part.element)
        return {"part_type": self.type(part.type)}

    def particle(self, particle) -> dict:
        if isinstance(particle, xsd_elements.Any):
            return {"any": getattr(particle, "namespace", None), "min_occurs": particle.min_occurs,
                    "max_occurs": particle.max_occurs}
        if isinstance(particle, xsd_elements.Element):
            return self.element(particle)
        if isinstance(particle, Group):
            return {"group": _text(particle.qname), "min_occurs": particle.min_occurs,
                    "max_occurs": particle.max_occurs, "child": self.particle(particle.child)}
        for kind, cls in (("sequence", Sequence), ("choice", Choice), ("all", All)):
            if isinstance(particle, cls):
                return {kind: [self.particle(child) for child in particle], "min_occurs": particle.min_occurs,
                        "max_occurs": particle.max_occurs}
        raise TypeError(f"unexpected particle {particle!r}")

    def element(self, element) -> dict:
        return {
            "element": _text(element.qname),
            "min_occurs": element.min_occurs,
            "max_occurs": element.max_occurs,
            "nillable": bool(element.nillable),
            "type": self.type(element.type),
        }

    def type(self, xsd_type) -> dict:
        if isinstance(xsd_type, xsd_types.ComplexType):
            return self.complex(xsd_type)
        if isinstance(xsd_type, xsd_types.AnySimpleType):
            if not type(xsd_type).__module__.startswith("zeep.xsd.dynamic_types"):
                return {"builtin": _text(xsd_type.qname)}  # zeep's own class: an XSD builtin
            name = _text(xsd_type.qname)
            # zeep names an anonymous simple type after its element; only global types are in the index
            return {"simple": name if name in self.enums else None,
                    "base": _text(getattr(xsd_type, "_default_qname", None)),
                    "enum": self.enums.get(name) or None}
        if isinstance(xsd_type, xsd_types.AnyType):
            return {"builtin": _text(xsd_type.qname) or f"{{{XSD_NS}}}anyType"}
        return {"unknown": repr(xsd_type)}

    def complex(self, xsd_type) -> dict:
        name = _text(xsd_type.qname) if xsd_type.is_global else None
        if name is not None and name in self.expanding:
            return {"complex": name, "recursive": True}
        if name is not None:
            self.expanding.append(name)
        try:
            view = {
                "complex": name,
                "content": self.particle(xsd_type._element) if xsd_type._element is not None else None,
                "attributes": sorted(
                    ({"attribute": _text(a.qname), "required": bool(getattr(a, "required", False)),
                      "type": self.type(a.type) if getattr(a, "type", None) is not None else None}
                     for a in xsd_type._attributes if getattr(a, "qname", None) is not None),
                    key=lambda view: view["attribute"]),
            }
            extension = getattr(xsd_type, "_extension", None)
            if extension is not None and getattr(extension, "qname", None) is not None:
                view["extends"] = _text(extension.qname)
            return view
        finally:
            if name is not None:
                self.expanding.pop()


def _text(qname) -> str | None:
    if qname is None:
        return None
    return qname.text if isinstance(qname, etree.QName) else str(qname)


# -- enumerations, read from the schema documents zeep loaded ---------------------------------------

_ENUM_CACHE: "weakref.WeakKeyDictionary[Any, dict[str, list[str]]]" = weakref.WeakKeyDictionary()


def _enumerations(client) -> dict[str, list[str]]:
    """``{"{ns}TypeName": sorted enumeration values}`` for every global simple type of the client's schemas.

    Simple types without enumerations map to ``[]`` so the viewer knows they are global.
    """
    cached = _ENUM_CACHE.get(client)
    if cached is not None:
        return cached
    locations = {definition.location for definition in client.wsdl._definitions.values()}
    locations |= {document._location for document in client.wsdl.types.documents if document._location}
    found: dict[str, list[str]] = {}
    for location in sorted(locations):
        root = etree.fromstring(client.transport.load(location),
                                etree.XMLParser(resolve_entities=False, no_network=True))
        schemas = [root] if root.tag == f"{{{XSD_NS}}}schema" else root.iter(f"{{{XSD_NS}}}schema")
        for schema in schemas:
            namespace = schema.get("targetNamespace", "")
            for simple in schema.iterfind(f"{{{XSD_NS}}}simpleType"):
                values = [e.get("value") for e in simple.iterfind(f"{{{XSD_NS}}}restriction/{{{XSD_NS}}}enumeration")]
                found[etree.QName(namespace or None, simple.get("name")).text] = sorted(values)
    _ENUM_CACHE[client] = found
    return found


# -- comparing views ---------------------------------------------------------------------------------

def diff_views(expected: Any, actual: Any, path: str = "", labels: tuple[str, str] = ("real", "ours")) -> list[str]:
    """Human-readable differences between two views, each with the path where it occurs.

    Lists of elements are matched by element name, so a missing or extra
    child is reported as such rather than as a shifted list. Paths name
    elements by local name: ``Op.input.body/standaloneNotifications/.../TransportType.type.simple``.
    """
    return [line.replace(".type.content.sequence/", "/") for line in _diff(expected, actual, path, labels)]


def _diff(expected: Any, actual: Any, path: str, labels: tuple[str, str]) -> list[str]:
    want, got = labels
    if isinstance(expected, dict) and isinstance(actual, dict):
        diffs = []
        for key in expected.keys() | actual.keys():
            here = f"{path}.{key}" if path else str(key)
            if key not in actual:
                diffs.append(f"{here}: only in {want}: {_short(expected[key])}")
            elif key not in expected:
                diffs.append(f"{here}: only in {got}: {_short(actual[key])}")
            else:
                diffs.extend(_diff(expected[key], actual[key], here, labels))
        return sorted(diffs)
    if isinstance(expected, list) and isinstance(actual, list):
        if _named(expected) and _named(actual):
            by_name_expected = {_name(item): item for item in expected}
            by_name_actual = {_name(item): item for item in actual}
            diffs = []
            missing = [name for name in by_name_expected if name not in by_name_actual]
            extra = [name for name in by_name_actual if name not in by_name_expected]
            if missing:
                diffs.append(f"{path}: only in {want}: {', '.join(missing)}")
            if extra:
                diffs.append(f"{path}: only in {got}: {', '.join(extra)}")
            common_expected = [name for name in by_name_expected if name in by_name_actual]
            common_actual = [name for name in by_name_actual if name in by_name_expected]
            if common_expected != common_actual:
                diffs.append(f"{path}: order differs: {want} {_locals(common_expected)} != "
                             f"{got} {_locals(common_actual)}")
            for name in common_expected:
                diffs.extend(_diff(by_name_expected[name], by_name_actual[name], f"{path}/{_local(name)}", labels))
            return diffs
        if len(expected) != len(actual):
            return [f"{path}: {want} {_short(expected)} != {got} {_short(actual)}"]
        diffs = []
        for index, (item_expected, item_actual) in enumerate(zip(expected, actual)):
            diffs.extend(_diff(item_expected, item_actual, f"{path}[{index}]", labels))
        return diffs
    if expected != actual:
        return [f"{path}: {want} {expected!r} != {got} {actual!r}"]
    return []


def _named(items: list) -> bool:
    return all(isinstance(item, dict) and ("element" in item or "attribute" in item) for item in items)


def _name(item: dict) -> str:
    return item.get("element") or item.get("attribute")


def _local(name: str | None) -> str:
    return (name or "?").rpartition("}")[2]


def _locals(names: list[str]) -> list[str]:
    return [_local(name) for name in names]


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


# -- transforming views (for bindings derived from another binding's contract) ------------------------

def replace_strings(view: Any, replacements: dict[str, str]) -> Any:
    """A copy of ``view`` with every occurrence of each key replaced by its value, in dict keys and strings."""
    if isinstance(view, dict):
        return {replace_strings(k, replacements): replace_strings(v, replacements) for k, v in view.items()}
    if isinstance(view, (list, tuple)):
        return type(view)(replace_strings(item, replacements) for item in view)
    if isinstance(view, str):
        for old, new in replacements.items():
            view = view.replace(old, new)
        return view
    return view


def without_children(element_view: dict, local_names: set[str]) -> dict:
    """A copy of an element view whose type's top-level sequence lacks the children named ``local_names``."""
    content = element_view["type"]["content"]
    kept = [child for child in content["sequence"] if _local(child.get("element")) not in local_names]
    return {**element_view, "type": {**element_view["type"], "content": {**content, "sequence": kept}}}


def without_headers(message_view: dict, local_names: set[str]) -> dict:
    """A copy of a message view (``view["input"]``) without the SOAP headers named ``local_names``."""
    return {**message_view, "headers": [h for h in message_view["headers"] if _local(h["element"]) not in local_names]}


def ws_view_from_basic(basic_view: dict, *, interface: str, basic_operation: str, ws_operation: str) -> dict:
    """What a WS operation should look like, given the real Basic one it derives from.

    WS is Basic with "Basic" removed from the operation and interface names (``I{interface}Basic`` ->
    ``I{interface}``), on SOAP 1.2, with the credentials in a wsse:UsernameToken: no ``systemUserName`` /
    ``systemPassword`` body parameters and no ``SystemUserName`` / ``SystemPassword`` SOAP headers.
    """
    view = replace_strings(basic_view, {f"I{interface}Basic/": f"I{interface}/", basic_operation: ws_operation})
    view["soap"] = "1.2"
    body = view["input"]["body"]
    if body is not None and body["type"].get("content"):
        view["input"] = {**view["input"], "body": without_children(body, {"systemUserName", "systemPassword"})}
    view["input"] = without_headers(view["input"], {"SystemUserName", "SystemPassword"})
    return view
