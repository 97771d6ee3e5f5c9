"""Generate a service's wire-types module (spyne models) from the real Altinn WSDLs.

The real WSDLs are third-party files that never enter this repository, so the facts they hold
(element names and order, namespaces, minOccurs/maxOccurs/nillable, enumerations, extensions) are
not transcribed by hand: this tool reads them and writes the Python source of one module per
service. A spec file (TOML, data only) says which contracts, which roots, which Python names and
which *inferred* types (ones no real contract holds) the module gets.

    python -m altinn_so.tooling.wiretypes [SPEC OUT ...] [--contracts DIR] [--check]

Without SPEC/OUT pairs it regenerates every ``*.spec.toml`` in the package, each into the ``.py``
beside it. ``--check`` writes nothing and exits 1 when a committed module differs (``make types``
regenerates).

The spec (see services/correspondence/wire_types.spec.toml): ``title`` and ``description`` (the docstring);
``contracts`` (paths under the contracts directory) and ``operations`` (their portType operations whose
request and response messages are roots; ``["*"]`` is all); ``roots`` (more root types); ``type_sources``
(contracts read only to resolve types, e.g. for inferred ones); ``[prefixes]`` (``p = namespace``, so that
types are written ``p:Name``); ``[names]`` (``"p:Name" = PythonName`` where two namespaces share a local
name); ``[namespace_names]`` (``p = NS_CONSTANT`` where the derived constant clashes or is too long);
``[[inferred]]`` (``type``, ``like`` and ``replace = {member = "p:Type"}``) and ``inferred_note``.

What it reads: complex types with an xs:sequence (or complexContent/extension), string enumerations, and
restrictions of an XSD primitive (WCF's guid, char, duration, StreamBody: ``soap.types.restricted``, a named
type in its own namespace with the facets spyne carries; a bound it cannot carry is named in a comment).
An xs:choice becomes optional members, said in a comment above the class; ``ref=`` becomes the global element
it names (same namespace only: spyne writes members in their type's namespace). wsdl:import and xs:import are
followed to the document of the contract's folder whose target namespace is the imported one (a WCF service
reference saved as several files). Attributes (the codec and the writer read and write elements only), xs:any,
xs:all, groups, nested anonymous types, xs:list/xs:union (a [Flags] enum), rpc-style parts and imports we do
not hold are refused with a SpecError naming the construct, the type and the file. ``tooling/survey.py`` runs
the generator over every real WSDL.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import sys
import tomllib
from dataclasses import dataclass, field, replace
from typing import Union
from pathlib import Path

from lxml import etree

from . import contracts

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/altinn_so
REPO_ROOT = PACKAGE_DIR.parents[1]

# XML Schema primitives and the spyne types that write them (as the hand-written modules did).
PRIMITIVES = {
    "string": "Unicode",
    "int": "Integer32",
    "unsignedInt": "UnsignedInteger32",
    "long": "Integer64",
    "short": "Integer16",
    "boolean": "Boolean",
    "dateTime": "DateTime",
    "base64Binary": "ByteArray",
    "decimal": "Decimal",
    "double": "Double",
    "float": "Float",
    "byte": "Integer8",
    "unsignedByte": "UnsignedInteger8",
    "unsignedShort": "UnsignedInteger16",
    "unsignedLong": "UnsignedInteger64",
    "duration": "Duration",
    "date": "Date",
    "time": "Time",
    "anyURI": "AnyUri",
}

# spyne's defaults for a member; only what differs is written out.
SPYNE_DEFAULTS = {"min_occurs": 0, "max_occurs": 1, "nillable": True}

# A WCF collection's item (``repeated()`` in altinn_so.soap.types).
REPEATED = {"min_occurs": 0, "max_occurs": "unbounded", "nillable": True}


class SpecError(Exception):
    """The spec or the contracts cannot make a module (the message says why)."""


def default_contracts_dir() -> Path:
    """Where the real contracts are (``tooling.contracts.locate``: ``ALTINN_SO_CONTRACTS``, the shared folder
    beside the repository, or the cache ``make contracts`` fills); a SpecError saying so when nowhere."""
    found, reason = contracts.explain()
    if found is None:
        raise SpecError(reason)
    return found


# -- the schema facts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    name: str
    type: str  # Clark notation: {namespace}local
    min_occurs: int
    max_occurs: int | str  # "unbounded"
    nillable: bool
    ref: str | None = None  # ``ref=`` a global element: resolved to its name and type once all are read


@dataclass(frozen=True)
class Complex:
    qname: str
    members: tuple[Member, ...]
    base: str | None = None  # xs:extension base
    notes: tuple[str, ...] = ()  # what the module says above the class (an xs:choice made optional)


@dataclass(frozen=True)
class Enumeration:
    qname: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Restricted:
    """A simple type restricting an XSD primitive (WCF's guid, char, duration, StreamBody): its spyne facets."""
    qname: str
    base: str  # {XSD}local
    facets: tuple[tuple[str, str], ...]  # (spyne attribute, value)
    dropped: tuple[str, ...] = ()  # facets spyne cannot carry, named in a comment of the module


Declared = Union[Complex, Enumeration, Restricted]  # noqa: UP007  (an alias evaluated at import time)


@dataclass
class Contracts:
    """What a spec's contract files declare, merged by qualified name."""
    types: dict[str, Declared]
    elements: dict[str, tuple[Member, ...] | str]  # global element -> anonymous type's members, or its type
    operations: list[tuple[str, str]]  # (operation, element of one of its messages), in contract order
    origin: dict[str, str]  # qualified name -> the contract file that declared it first
    nillable: dict[str, bool] = field(default_factory=dict)  # global element -> its nillable (for ref=)
    unresolved: dict[str, str] = field(default_factory=dict)  # namespace -> the import we could not follow


def clark(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}"


def split(qname: str) -> tuple[str, str]:
    namespace, _, local = qname[1:].partition("}")
    return namespace, local


def _qname_value(node: etree._Element, value: str) -> str:
    prefix, _, local = value.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    if namespace is None:
        raise SpecError(f"undeclared prefix in {value!r} (line {node.sourceline})")
    return clark(namespace, local)


def _xsd(node: etree._Element, local: str) -> bool:
    return node.tag == f"{{{XSD}}}{local}"


def _children(node: etree._Element):
    """Element children that are not annotations or comments."""
    return [child for child in node if isinstance(child.tag, str) and not _xsd(child, "annotation")]


def _occurs(node: etree._Element) -> tuple[int, int | str]:
    maximum = node.get("maxOccurs", "1")
    return int(node.get("minOccurs", "1")), maximum if maximum == "unbounded" else int(maximum)


def _element_member(element: etree._Element, where: str, optional: bool = False) -> Member:
    """One xs:element of a sequence or choice: typed, or ``ref=`` a global element (resolved later)."""
    minimum, maximum = _occurs(element)
    if optional:
        minimum = 0
    if element.get("ref"):
        return Member("", "", minimum, maximum, False, ref=_qname_value(element, element.get("ref")))
    if element.get("type"):
        return Member(element.get("name"), _qname_value(element, element.get("type")), minimum, maximum,
                      element.get("nillable", "false") == "true")
    if _children(element):
        raise SpecError(f"{where}: member {element.get('name')} has an anonymous (nested) type, which spyne would "
                        f"declare as a named one (line {element.sourceline})")
    return Member(element.get("name"), clark(XSD, "anyType"), minimum, maximum,
                  element.get("nillable", "false") == "true")


def _members(node: etree._Element, where: str) -> tuple[tuple[Member, ...], tuple[str, ...]]:
    """The members of a complexType (or of its extension), in element order, and the notes the module shows.

    An xs:sequence's elements are members as declared. An xs:choice (in the type or in its sequence) has no
    spyne equivalent: each of its elements becomes an optional member, and the module says so above the class.
    Attributes, xs:any, xs:all, groups, nested anonymous types and repeated sequences or choices are not
    supported: a SpecError names the construct, the type and the line.
    """
    members: list[Member] = []
    notes: list[str] = []

    def choice(node: etree._Element) -> None:
        if _occurs(node) != (1, 1) and _occurs(node)[1] != 1:
            raise SpecError(f"{where}: a repeated xs:choice is not supported (line {node.sourceline})")
        names = []
        for element in _children(node):
            if not _xsd(element, "element"):
                raise SpecError(f"{where}: xs:{etree.QName(element).localname} in an xs:choice is not supported "
                                f"(line {element.sourceline})")
            members.append(_element_member(element, where, optional=True))
            names.append(element.get("name") or element.get("ref").rpartition(":")[2])
        notes.append(f"xs:choice of {', '.join(names)}: spyne has no choice, so each is an optional member "
                     "(the rules must accept one of them only).")

    for child in _children(node):
        if _xsd(child, "sequence"):
            if _occurs(child) != (1, 1):
                raise SpecError(f"{where}: an optional or repeated xs:sequence is not supported "
                                f"(line {child.sourceline})")
            for element in _children(child):
                if _xsd(element, "element"):
                    members.append(_element_member(element, where))
                elif _xsd(element, "choice"):
                    choice(element)
                else:
                    raise SpecError(f"{where}: xs:{etree.QName(element).localname} in a sequence is not supported "
                                    f"(line {element.sourceline}); only xs:element and xs:choice")
        elif _xsd(child, "choice"):
            choice(child)
        elif _xsd(child, "attribute") or _xsd(child, "attributeGroup") or _xsd(child, "anyAttribute"):
            raise SpecError(f"{where}: xs:{etree.QName(child).localname} {child.get('name') or child.get('ref') or ''}"
                            f" is not supported (line {child.sourceline}): the codec and the writer read and write "
                            "elements only, so a spyne XmlAttribute would be declared but never read or written")
        else:
            raise SpecError(f"{where}: xs:{etree.QName(child).localname} is not supported "
                            f"(line {child.sourceline}); only xs:sequence and xs:choice")
    return tuple(members), tuple(notes)


def _complex(node: etree._Element, qname: str, where: str) -> Complex:
    where = f"{qname} in {where}"
    if node.find(f"{{{XSD}}}simpleContent") is not None:
        raise SpecError(f"{where}: xs:simpleContent is not supported (line {node.sourceline})")
    content = node.find(f"{{{XSD}}}complexContent")
    if content is not None:
        extension = content.find(f"{{{XSD}}}extension")
        if extension is None:
            raise SpecError(f"{where}: xs:complexContent without xs:extension is not supported "
                            f"(line {content.sourceline})")
        members, notes = _members(extension, where)
        return Complex(qname, members, _qname_value(extension, extension.get("base")), notes)
    members, notes = _members(node, where)
    return Complex(qname, members, None, notes)


# XSD facets and the spyne attributes that carry them (spyne writes them back into its schema).
FACETS = {"pattern": "pattern", "minLength": "min_len", "maxLength": "max_len", "minInclusive": "ge",
          "maxInclusive": "le", "minExclusive": "gt", "maxExclusive": "lt"}
# Numeric bases, whose bounds spyne carries; spyne's other primitives (dateTime, duration) have none.
NUMERIC = {"int", "unsignedInt", "long", "short", "decimal", "double", "float", "byte", "unsignedByte",
           "unsignedShort", "unsignedLong"}


def _simple(node: etree._Element, qname: str, where: str) -> Enumeration | Restricted:
    """A string enumeration, or a restriction of an XSD primitive (WCF's guid, char, duration, StreamBody).

    xs:list (a [Flags] enum) and xs:union are not supported; neither is an enumeration of another base.
    """
    where = f"simple type {qname} in {where}"
    restriction = node.find(f"{{{XSD}}}restriction")
    if restriction is None:
        kind = etree.QName(_children(node)[0]).localname if _children(node) else "nothing"
        raise SpecError(f"{where}: xs:{kind} is not supported (line {node.sourceline}); only xs:restriction")
    base = _qname_value(restriction, restriction.get("base"))
    values = tuple(e.get("value") for e in restriction.iterfind(f"{{{XSD}}}enumeration"))
    if values:
        if base != clark(XSD, "string"):
            raise SpecError(f"{where}: an enumeration of {base} is not supported (only of xs:string)")
        return Enumeration(qname, values)
    if split(base)[0] != XSD or split(base)[1] not in PRIMITIVES:
        raise SpecError(f"{where}: a restriction of {base} is not supported (only of the XSD types in PRIMITIVES)")
    facets, dropped = [], []
    for facet in _children(restriction):
        local = etree.QName(facet).localname
        if local not in FACETS:
            raise SpecError(f"{where}: the facet xs:{local} is not supported (line {facet.sourceline})")
        if FACETS[local] in ("ge", "le", "gt", "lt") and split(base)[1] not in NUMERIC:
            dropped.append(f'{local}="{facet.get("value")}"')
        else:
            facets.append((FACETS[local], facet.get("value")))
    return Restricted(qname, base, tuple(facets), tuple(dropped))


def _schema_declarations(schema: etree._Element, where: str):
    namespace = schema.get("targetNamespace")
    for node in schema:
        if not isinstance(node.tag, str) or not node.get("name"):
            continue
        qname = clark(namespace, node.get("name"))
        if node.tag == f"{{{XSD}}}complexType":
            yield "type", qname, _complex(node, qname, where)
        elif node.tag == f"{{{XSD}}}simpleType":
            yield "type", qname, _simple(node, qname, where)
        elif node.tag == f"{{{XSD}}}element":
            nillable = node.get("nillable", "false") == "true"
            anonymous = node.find(f"{{{XSD}}}complexType")
            if anonymous is not None:
                members, notes = _members(anonymous, f"element {qname} in {where}")
                if notes:
                    raise SpecError(f"element {qname} in {where}: an xs:choice in an operation's wrapper element "
                                    "is not supported")
                yield "element", qname, (members, nillable)
            elif node.get("type"):
                yield "element", qname, (_qname_value(node, node.get("type")), nillable)


def _documents(directory: Path, relpath: str) -> list[tuple[str, etree._Element]]:
    """The contract file and, recursively, the files of its folder it imports (wsdl:import, xs:import).

    The real imports name URLs of Altinn's servers; a folder saved from a WCF service reference (such as
    ec2/BrokerServiceExternalEC2/) holds those documents beside each other, so an import is resolved to the
    file of the same folder whose target namespace is the imported one. Imports that are not resolved are
    returned as ``(namespace, location)`` in the second list.
    """
    folder = (directory / relpath).parent
    by_namespace: dict[str, list[Path]] = {}
    for sibling in sorted(folder.iterdir()):
        if sibling.suffix in (".wsdl", ".xsd"):
            target = etree.parse(str(sibling)).getroot().get("targetNamespace")
            by_namespace.setdefault(target, []).append(sibling)
    found: list[tuple[str, etree._Element]] = []
    unresolved: list[tuple[str, str]] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if path in seen:
            return
        seen.add(path)
        root = etree.parse(str(path)).getroot()
        found.append((path.relative_to(directory).as_posix(), root))
        schemas = [root] if _xsd(root, "schema") else list(root.iterfind(f"{{{WSDL}}}types/{{{XSD}}}schema"))
        inline = {schema.get("targetNamespace") for schema in schemas}
        imports = [(node.get("namespace"), node.get("location")) for node in root.iterfind(f"{{{WSDL}}}import")]
        for schema in schemas:
            imports += [(node.get("namespace"), node.get("schemaLocation"))
                        for node in schema.iterfind(f"{{{XSD}}}import") if node.get("schemaLocation")]
        for namespace, location in imports:
            if namespace in inline:
                continue
            candidates = [p for p in by_namespace.get(namespace, []) if p != path]
            if not candidates:
                unresolved.append((namespace, f"{path.relative_to(directory).as_posix()} imports {namespace} "
                                              f"from {location}, and no file of its folder declares it"))
            for candidate in candidates:
                add(candidate)

    add(directory / relpath)
    return found, unresolved


def _operation_elements(roots: list[etree._Element]) -> list[tuple[str, str]]:
    """The elements of every portType operation's input and output messages (faults are AltinnFault's), across
    a WSDL and the WSDLs it imports (WCF puts the binding in one and the portType in the other)."""
    messages = {}
    for root in roots:
        for message in root.iterfind(f"{{{WSDL}}}message"):
            parts = list(message.iterfind(f"{{{WSDL}}}part"))
            untyped = [part.get("name") for part in parts if not part.get("element")]
            if untyped:
                raise SpecError(f"message {message.get('name')}: parts {untyped} name a type, not an element "
                                "(rpc style is not supported)")
            messages[message.get("name")] = [_qname_value(part, part.get("element")) for part in parts]
    found = []
    for root in roots:
        for operation in root.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation"):
            for io in ("input", "output"):
                for node in operation.iterfind(f"{{{WSDL}}}{io}"):
                    found += [(operation.get("name"), element)
                              for element in messages[node.get("message").rpartition(":")[2]]]
    return found


def read_contracts(directory: Path, operation_files: list[str], type_files: list[str]) -> Contracts:
    """Merge the inline and imported schemas of the contract files; the same name declared differently is an
    error. ``ref=`` members are resolved to the global element they name."""
    merged = Contracts({}, {}, [], {})
    read: set[str] = set()
    for relpath in [*operation_files, *type_files]:
        documents, unresolved = _documents(directory, relpath)
        for namespace, reason in unresolved:
            merged.unresolved.setdefault(namespace, reason)
        for docpath, root in documents:
            if docpath in read:
                continue
            read.add(docpath)
            schemas = [root] if _xsd(root, "schema") else root.iterfind(f"{{{WSDL}}}types/{{{XSD}}}schema")
            for schema in schemas:
                for kind, qname, value in _schema_declarations(schema, docpath):
                    if kind == "element":
                        value, merged.nillable[qname] = value
                    table = merged.types if kind == "type" else merged.elements
                    if qname in table and table[qname] != value:
                        raise SpecError(f"{docpath} declares {kind} {qname} differently from {merged.origin[qname]}")
                    table.setdefault(qname, value)
                    merged.origin.setdefault(qname, docpath)
        if relpath in operation_files:
            merged.operations += _operation_elements([root for _, root in documents if not _xsd(root, "schema")])
    for qname, declared in list(merged.types.items()):
        if isinstance(declared, Complex) and any(m.ref for m in declared.members):
            merged.types[qname] = replace(declared, members=tuple(_resolved(m, qname, merged)
                                                                  for m in declared.members))
    for qname, declared in list(merged.elements.items()):
        if isinstance(declared, tuple) and any(m.ref for m in declared):
            merged.elements[qname] = tuple(_resolved(m, qname, merged) for m in declared)
    return merged


def _resolved(member: Member, owner: str, merged: Contracts) -> Member:
    """A ``ref=`` member as the global element it names: its name, type and nillable, the ref's occurrences.
    spyne writes a member in its type's namespace, so a ref to another namespace's element is refused."""
    if member.ref is None:
        return member
    declared = merged.elements.get(member.ref)
    where = f"{owner} in {merged.origin.get(owner)}"
    if declared is None:
        raise SpecError(f"{where}: ref={member.ref} names no global element{_unresolved_hint(member.ref, merged)}")
    if split(member.ref)[0] != split(owner)[0]:
        raise SpecError(f"{where}: ref={member.ref} is an element of another namespace, which spyne cannot write "
                        "in a member")
    if not isinstance(declared, str):
        raise SpecError(f"{where}: ref={member.ref} names an element with an anonymous type (not supported)")
    return Member(split(member.ref)[1], declared, member.min_occurs, member.max_occurs, merged.nillable[member.ref])


def _unresolved_hint(qname: str, merged: Contracts) -> str:
    reason = merged.unresolved.get(split(qname)[0])
    return f" ({reason})" if reason else ""


# -- the spec ------------------------------------------------------------------------------------------

@dataclass
class Spec:
    path: Path
    title: str  # first line of the module docstring
    description: str  # the rest of it
    contracts: list[str]  # their operations' types are emitted
    type_sources: list[str]  # only consulted to resolve inferred types' members
    operations: list[str]  # portType operations whose messages are roots; ["*"] is every one
    roots: list[str]  # further root types (qualified names)
    names: dict[str, str]  # qualified name -> Python name
    namespace_names: dict[str, str]  # namespace -> Python constant
    inferred: list[dict]  # {type, like, replace: {member: type}}
    inferred_note: str


def _expand(prefixes: dict[str, str], value: str, where: str) -> str:
    """``prefix:Local`` (prefixes from the spec's [prefixes] table) as ``{namespace}Local``."""
    prefix, colon, local = value.partition(":")
    if not colon or prefix not in prefixes:
        raise SpecError(f"{where}: {value!r} is not prefix:Name with a prefix of [prefixes]")
    return clark(prefixes[prefix], local)


SPEC_KEYS = {"title", "description", "contracts", "type_sources", "operations", "roots", "prefixes", "names",
             "namespace_names", "inferred", "inferred_note"}


def load_spec(path: Path) -> Spec:
    with open(path, "rb") as file:
        data = tomllib.load(file)
    if set(data) - SPEC_KEYS:  # a misspelt key would otherwise be silently ignored
        raise SpecError(f"{path.name}: unknown keys {sorted(set(data) - SPEC_KEYS)}")
    prefixes = data.get("prefixes", {})
    where = path.name
    inferred = [{"type": _expand(prefixes, entry["type"], where), "like": _expand(prefixes, entry["like"], where),
                 "replace": {member: _expand(prefixes, type_, where) for member, type_ in entry["replace"].items()}}
                for entry in data.get("inferred", [])]
    return Spec(
        path=path,
        title=data["title"],
        description=data.get("description", "").strip(),
        contracts=list(data["contracts"]),
        type_sources=list(data.get("type_sources", [])),
        operations=list(data.get("operations", [])),
        roots=[_expand(prefixes, root, where) for root in data.get("roots", [])],
        names={_expand(prefixes, key, where): name for key, name in data.get("names", {}).items()},
        namespace_names={prefixes[key]: name for key, name in data.get("namespace_names", {}).items()},
        inferred=inferred,
        inferred_note=data.get("inferred_note", "").strip(),
    )


# -- choosing and ordering the types ---------------------------------------------------------------------

def _with_inferred(spec: Spec, contracts: Contracts) -> dict[str, Declared]:
    """The real types plus the spec's inferred ones: a real type copied under a new name, members retyped."""
    types = dict(contracts.types)
    for entry in spec.inferred:
        like = types.get(entry["like"])
        if not isinstance(like, Complex):
            raise SpecError(f"inferred {entry['type']}: {entry['like']} is not a real complex type")
        unknown = set(entry["replace"]) - {member.name for member in like.members}
        if unknown:
            raise SpecError(f"inferred {entry['type']}: {entry['like']} has no member {sorted(unknown)}")
        members = tuple(replace(m, type=entry["replace"].get(m.name, m.type)) for m in like.members)
        types[entry["type"]] = Complex(entry["type"], members, like.base)
    return types


def _roots(spec: Spec, contracts: Contracts) -> list[str]:
    """Root types: what the chosen operations' wrapper elements hold, then the spec's roots and inferred types."""
    unknown = set(spec.operations) - {"*"} - {operation for operation, _ in contracts.operations}
    if unknown:
        raise SpecError(f"{spec.path.name}: no operation {sorted(unknown)} in the contracts")
    roots = []
    for operation, element in contracts.operations:
        if spec.operations != ["*"] and operation not in spec.operations:
            continue
        declared = contracts.elements.get(element)
        if declared is None:
            raise SpecError(f"operation element {element} is not declared in the contracts"
                            f"{_unresolved_hint(element, contracts)}")
        found = [member.type for member in declared] if isinstance(declared, tuple) else [declared]
        unknown = [t for t in found if split(t)[0] == XSD and split(t)[1] not in PRIMITIVES]
        if unknown:
            raise SpecError(f"operation element {element} (in {contracts.origin[element]}) has a member of "
                            f"{unknown[0]}, which has no spyne type in PRIMITIVES")
        roots += found
    return roots + spec.roots + [entry["type"] for entry in spec.inferred]


def _dependencies(declared: Declared) -> list[str]:
    if not isinstance(declared, Complex):
        return []
    return ([declared.base] if declared.base else []) + [member.type for member in declared.members]


class _Cycle(Exception):
    def __init__(self, edge: tuple[str, str]):
        super().__init__(edge)
        self.edge = edge


def ordered_types(roots: list[str], types: dict[str, Declared],
                  contracts: Contracts | None = None) -> list[Declared]:
    """Every type the roots reach, dependencies first (depth-first, in member order: stable).

    Receipts contain lists of receipts. In such a cycle the type the walk reaches first is declared first,
    and its member that leads into the cycle is appended once the cycle's other types exist (``generate``),
    as spyne needs: a class must be added to an application before the customized copies of it that its
    list holds, or spyne finds the cycle and gives up. So each cycle found defers its entry edge, and the
    walk starts again, until none is left.
    """
    deferred: set[tuple[str, str]] = set()
    while True:
        try:
            return _post_order(roots, types, deferred, contracts)
        except _Cycle as cycle:
            deferred.add(cycle.edge)


def _post_order(roots: list[str], types: dict[str, Declared],
                deferred: set[tuple[str, str]], contracts: Contracts | None) -> list[Declared]:
    order: list[Declared] = []
    done: set[str] = set()
    path: list[str] = []  # the types being visited, outermost first

    def visit(qname: str) -> None:
        if split(qname)[0] == XSD or qname in done:
            return
        if qname in path:  # a cycle: defer the edge by which the walk entered it
            entry = path.index(qname)
            raise _Cycle((qname, path[entry + 1] if entry + 1 < len(path) else qname))
        if qname not in types:
            raise SpecError(f"type {qname} is not declared in the contracts (nor inferred)"
                            f"{_unresolved_hint(qname, contracts) if contracts else ''}"
                            f"{f'; {path[-1]} refers to it' if path else ''}")
        dependencies = _dependencies(types[qname])
        path.append(qname)
        for dependency in dependencies:
            if (qname, dependency) not in deferred:
                visit(dependency)
        path.pop()
        done.add(qname)
        order.append(types[qname])
        for dependency in dependencies:
            if (qname, dependency) in deferred:
                visit(dependency)

    for root in roots:
        visit(root)
    return order


# -- naming --------------------------------------------------------------------------------------------

def _snake(word: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", word).upper()


def namespace_constant(namespace: str) -> str:
    """``.../ServiceEngine/Correspondence/2009/10`` -> ``NS_CORRESPONDENCE_2009_10``; else the last segment."""
    parts = [re.sub(r"\W", "_", part) for part in re.split(r"[/:]", namespace) if part]
    if len(parts) >= 3 and re.fullmatch(r"\d{4}", parts[-2]) and re.fullmatch(r"\d{2}", parts[-1]):
        return f"NS_{_snake(parts[-3])}_{parts[-2]}_{parts[-1]}"
    return f"NS_{_snake(parts[-1])}"


def _names(spec: Spec, emitted: list[Declared]) -> tuple[dict[str, str], dict[str, str]]:
    """Python names of the types and of the namespace constants; a clash must be settled in the spec."""
    types = {t.qname: spec.names.get(t.qname, split(t.qname)[1]) for t in emitted}
    namespaces = {}
    for namespace in sorted({split(t.qname)[0] for t in emitted}):
        namespaces[namespace] = spec.namespace_names.get(namespace) or namespace_constant(namespace)
    for table, what, fix in ((types, "types", "[names]"), (namespaces, "namespaces", "[namespace_names]")):
        seen: dict[str, str] = {}
        for qname, name in table.items():
            if name in seen:
                raise SpecError(f"{spec.path.name}: {what} {seen[name]} and {qname} are both named {name}; "
                                f"give one another name in {fix}")
            seen[name] = qname
    return types, namespaces


# -- writing the module --------------------------------------------------------------------------------

@dataclass
class _Writer:
    types: dict[str, Declared]
    names: dict[str, str]  # qualified name -> Python name
    namespaces: dict[str, str]  # namespace -> constant
    spyne: set[str]  # spyne names the module imports
    helpers: set[str]  # enumeration, repeated

    def member(self, member: Member) -> str:
        """The spyne declaration of one member, writing only what differs from spyne's defaults."""
        facts = {"min_occurs": member.min_occurs, "max_occurs": member.max_occurs, "nillable": member.nillable}
        namespace, local = split(member.type)
        if namespace == XSD:
            if local not in PRIMITIVES:
                raise SpecError(f"member {member.name}: xs:{local} has no spyne type in PRIMITIVES")
            kind, base = "simple", PRIMITIVES[local]
            self.spyne.add(base)
        elif not isinstance(self.types[member.type], Complex):  # an enumeration or a restriction: a factory
            kind, base = "enumeration", self.names[member.type]
        else:
            kind, base = "complex", self.names[member.type]
        if facts == REPEATED:
            self.helpers.add("repeated")
            return f"repeated({base}())" if kind == "enumeration" else f"repeated({base})"
        changed = ", ".join(f"{key}={_literal(value)}" for key, value in facts.items() if value != SPYNE_DEFAULTS[key])
        if kind == "complex":
            return f"{base}.customize({changed})" if changed else base
        if kind == "enumeration" or changed:  # an enumeration is a factory: always called
            return f"{base}({changed})"
        return base

    def shown(self, qname: str) -> str:
        """A type as the module's reader knows it: its Python name, or xs:local for a primitive."""
        return self.names.get(qname) or f"xs:{split(qname)[1]}"

    def enumeration(self, enum: Enumeration) -> list[str]:
        self.helpers.add("enumeration")
        name = self.names[enum.qname]
        head = f'{name} = enumeration("{split(enum.qname)[1]}", {self.namespaces[split(enum.qname)[0]]}, ['
        values = ", ".join(f'"{value}"' for value in enum.values)
        if len(head) + len(values) + 2 <= 110:
            return [head + values + "])"]
        return [head, *_wrap(values, "    "), "])"]

    def restricted(self, simple: Restricted) -> list[str]:
        self.helpers.add("restricted")
        base = PRIMITIVES[split(simple.base)[1]]
        self.spyne.add(base)
        name = self.names[simple.qname]
        facets = "".join(f", {key}={_facet(key, value, base)}" for key, value in simple.facets)
        lines = [f"# {split(simple.qname)[1]}: {', '.join(simple.dropped)} not carried (spyne's {base} has no such "
                 "bounds)"] if simple.dropped else []
        head = f'{name} = restricted("{split(simple.qname)[1]}", {self.namespaces[split(simple.qname)[0]]}, {base}'
        if len(head) + len(facets) + 1 <= 110:
            return lines + [f"{head}{facets})"]
        return lines + [f"{head},", *(f"    {key}={_facet(key, value, base)}," for key, value in simple.facets), ")"]

    def complex(self, declared: Complex, defined: set[str],
                inferred: dict | None) -> tuple[list[str], list[tuple[set[str], list[str]]]]:
        """The class, and the statements appending members whose type is not defined yet (a cycle)."""
        name = self.names[declared.qname]
        namespace, local = split(declared.qname)
        lines = [f"# {note}" for note in declared.notes]
        lines += [] if inferred is None else [
            f"# INFERRED: {self.names[inferred['like']]} (of {self.namespaces[split(inferred['like'])[0]]}) with "
            + ", ".join(f"{member} retyped {self.shown(type_)}" for member, type_ in inferred["replace"].items())]
        if declared.base and self.names[declared.base] not in defined:
            raise SpecError(f"{declared.qname} extends {declared.base}, which it contains: not supported")
        base = self.names[declared.base] if declared.base else "ComplexModel"
        lines += [f"class {name}({base}):", f"    __namespace__ = {self.namespaces[namespace]}"]
        if name != local:
            lines.append(f'    __type_name__ = "{local}"')
        # Members from the first not-yet-defined type on are appended later, so that their order holds.
        cut = next((i for i, m in enumerate(declared.members)
                    if split(m.type)[0] != XSD and self.names[m.type] not in defined), len(declared.members))
        members = [f'("{m.name}", {self.member(m)})' for m in declared.members[:cut]]
        if not declared.members:
            lines.append("    _type_info = []")
        elif not members:
            lines.append(f"    _type_info = []  # appended below, once {self.names[declared.members[0].type]} exists")
        elif len(members) == 1 and len(members[0]) + 19 <= 110:
            lines.append(f"    _type_info = [{members[0]}]")
        else:
            lines += ["    _type_info = [", *(f"        {m}," for m in members), "    ]"]
        deferred = declared.members[cut:]
        if not deferred:
            return lines, []
        later = [f"# {name} and {self.names[deferred[0].type]} contain each other: appended once both exist."]
        later += [f'{name}.append_field("{m.name}", {self.member(m)})' for m in deferred]
        return lines, [({m.type for m in deferred if split(m.type)[0] != XSD}, later)]


def _facet(key: str, value: str, base: str) -> str:
    """A facet's value as Python: a pattern as a raw string, a bound as a number where the base is one."""
    if key == "pattern":
        return repr(value) if '"' in value or value.endswith("\\") else f'r"{value}"'
    if key in ("min_len", "max_len") or base.startswith(("Integer", "UnsignedInteger")):
        return str(int(value))
    return repr(float(value))


def _literal(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _wrap(text: str, indent: str, width: int = 110) -> list[str]:
    lines, line = [], indent
    for word in text.split(" "):
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += word + " "
    lines.append(line.rstrip())
    return lines


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _docstring(spec: Spec, directory: Path, writer: _Writer) -> list[str]:
    lines = [f'"""{spec.title}', "",
             f"GENERATED by altinn_so.tooling.wiretypes from {spec.path.name} (beside this module): do not edit;",
             "run `make types`. From these real Altinn contracts (SHA-256 and path under shared/contracts/altinn2;",
             "they never enter this repository):"]
    for relpath in spec.contracts:
        lines.append(f"    {_sha256(directory / relpath)}  {relpath}")
    if spec.type_sources:
        lines.append("and, only for the members of the inferred types:")
        for relpath in spec.type_sources:
            lines.append(f"    {_sha256(directory / relpath)}  {relpath}")
    if spec.inferred:
        lines += ["", "INFERRED types, which no real contract holds (each is marked below):"]
        for entry in spec.inferred:
            changes = ", ".join(f"{member} -> {writer.shown(type_)}" for member, type_ in entry["replace"].items())
            lines.append(f"    {writer.names[entry['type']]} = {writer.names[entry['like']]} with {changes}")
    if spec.description:
        lines += ["", *spec.description.splitlines()]
    lines.append('"""')
    return lines


def generate(spec: Spec, directory: Path) -> str:
    """The module's source text."""
    missing = [p for p in [*spec.contracts, *spec.type_sources] if not (directory / p).is_file()]
    if missing:
        raise SpecError(f"contracts not found under {directory}: {missing}")
    contracts = read_contracts(directory, spec.contracts, spec.type_sources)
    types = _with_inferred(spec, contracts)
    emitted = ordered_types(_roots(spec, contracts), types, contracts)
    names, namespaces = _names(spec, emitted)
    writer = _Writer(types, names, namespaces, {"ComplexModel"}, set())
    inferred = {entry["type"]: entry for entry in spec.inferred}

    body: list[str] = []
    enums = [t for t in emitted if not isinstance(t, Complex)]
    for enum in enums:
        body += writer.enumeration(enum) if isinstance(enum, Enumeration) else writer.restricted(enum)
    defined = {names[t.qname] for t in enums}
    pending: list[tuple[set[str], list[str]]] = []  # (types awaited, append_field statements)
    note_written = False
    for declared in (t for t in emitted if isinstance(t, Complex)):
        if declared.qname in inferred and not note_written and spec.inferred_note:
            body += ["", "", *(f"# {line}".rstrip() for line in spec.inferred_note.splitlines())]
            note_written = True
        lines, later = writer.complex(declared, defined, inferred.get(declared.qname))
        body += ["", "", *lines]
        defined.add(names[declared.qname])
        pending += later
        ready = [entry for entry in pending if all(names[qname] in defined for qname in entry[0])]
        if ready:
            body.append("")
            for entry in ready:
                body += ["", *entry[1]]
                pending.remove(entry)

    header = _docstring(spec, directory, writer)
    imports = ["", f"from spyne import {', '.join(sorted(writer.spyne))}", ""]
    if writer.helpers:
        imports.append(f"from altinn_so.soap.types import {', '.join(sorted(writer.helpers))}")
        imports.append("")
    constants = [f'{constant} = "{namespace}"' for namespace, constant in sorted(namespaces.items(),
                                                                                  key=lambda item: item[1])]
    text = "\n".join([*header, *imports, *constants, "", *body]) + "\n"
    return re.sub(r"\n{4,}", "\n\n\n", text)  # at most two blank lines, as PEP 8 has it


# -- command line ----------------------------------------------------------------------------------------

def discover() -> list[tuple[Path, Path]]:
    """Every spec in the package and the module beside it (``x.spec.toml`` -> ``x.py``)."""
    return [(spec, spec.with_name(spec.name.removesuffix(".spec.toml") + ".py"))
            for spec in sorted(PACKAGE_DIR.rglob("*.spec.toml"))]


def _pairs(arguments: list[str]) -> list[tuple[Path, Path]]:
    if len(arguments) % 2:
        raise SpecError("give SPEC OUT pairs")
    return [(Path(arguments[i]), Path(arguments[i + 1])) for i in range(0, len(arguments), 2)] or discover()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m altinn_so.tooling.wiretypes", description=__doc__.split("\n")[0])
    parser.add_argument("pairs", nargs="*", metavar="SPEC OUT", help="spec and output module (default: every spec)")
    parser.add_argument("--contracts", type=Path, default=None, help="the altinn2 contracts directory")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a module is not current")
    options = parser.parse_args(argv)
    directory = options.contracts or default_contracts_dir()
    stale = 0
    try:
        for spec_path, out in _pairs(options.pairs):
            text = generate(load_spec(spec_path), directory)
            current = out.read_text(encoding="utf-8") if out.is_file() else ""
            if options.check:
                if current != text:
                    stale += 1
                    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                               str(out), f"{out} (generated)"))
            elif current != text:
                out.write_text(text, encoding="utf-8")
                print(f"wrote {out}")
    except (SpecError, OSError) as error:
        print(f"wiretypes: {error}", file=sys.stderr)
        return 2
    if stale:
        print(f"wiretypes: {stale} module(s) differ from the contracts; run `make types`", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
