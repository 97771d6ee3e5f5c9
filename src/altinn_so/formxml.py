"""Reading and checking the XML of a form (docs/behaviour/forms.md), with lxml: kept apart from the rules, which
are plain Python and are given these functions (PreFill's ``FormXmlCheck``, the worklist's ``FormXml``)."""

from __future__ import annotations

import threading

from lxml import etree

from .xmllimits import XmlLimitExceeded, check_bytes

ETATID = "etatid"

# lxml's parsers and schema validators are not to be shared between threads: each thread keeps its own parser,
# and its own compiled validator of each schema (compiling one costs more than the rest of the call).
_local = threading.local()
_MAX_VALIDATORS = 64  # per thread: a seed has a handful of schemas


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                 huge_tree=False)
    return parser


def _validator(schema: str) -> etree.XMLSchema:
    validators = getattr(_local, "validators", None)
    if validators is None:
        validators = _local.validators = {}
    validator = validators.get(schema)
    if validator is None:
        if len(validators) >= _MAX_VALIDATORS:
            validators.clear()
        validator = validators[schema] = etree.XMLSchema(etree.fromstring(schema.encode("utf-8"), _parser()))
    return validator


def form_xml_problem(xml: str, schema: str | None) -> str | None:
    """What is wrong with a form's XML, or None: not well-formed, an ``etatid`` attribute anywhere, or not valid
    against ``schema`` (an XML Schema's text) when one is given."""
    data = xml.encode("utf-8")
    try:
        check_bytes(data)  # a form is client input inside the body: the body's structural limits hold for it too
        document = etree.fromstring(data, _parser())
    except XmlLimitExceeded as exc:
        return f"is over a structural limit: {exc}"
    except etree.XMLSyntaxError as exc:
        return f"is not well-formed XML: {exc}"
    if any(ETATID in element.attrib for element in document.iter() if isinstance(element.tag, str)):
        return f"must not set the attribute '{ETATID}'"
    if schema:
        validator = _validator(schema)
        if not validator.validate(document):
            error = validator.error_log.last_error
            return f"is not valid against its schema: line {error.line}: {error.message}"
    return None


def field_values(xml: str, names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The text of the first element named each of ``names`` (a local name, any namespace) in the form, for the
    names it has: a service's shipment metadata comes from its main form this way."""
    document = etree.fromstring(xml.encode("utf-8"), _parser())
    wanted, found = set(names), {}
    for element in document.iter():
        if isinstance(element.tag, str):
            name = etree.QName(element).localname
            if name in wanted and name not in found:
                found[name] = (element.text or "").strip()
    return found


def set_field_texts(xml: str, values: dict[str, str]) -> str:
    """The form with the text of each element a path names replaced (docs/behaviour/forms.md, "Field paths").

    A path is the local names of the elements from the root down, slash-separated (``Skjema/Rapportor/Navn``;
    namespaces are not written), a step optionally indexed among its same-named siblings from 1 (``Deltaker[2]``).
    A path that names no element, several elements, or an element with child elements is a ``ValueError`` whose
    message says which step failed; so is a text XML cannot hold, or a form that is not XML. All paths are
    applied, or none."""
    try:
        document = etree.fromstring(xml.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the form is not well-formed XML: {exc}") from None
    for path, text in values.items():
        element = _element_at(document, path)
        if any(isinstance(child.tag, str) for child in element):
            raise ValueError(f"path {path!r} names an element with child elements: name one of them")
        element.text = text
    return etree.tostring(document, encoding="unicode")


def _element_at(root, path: str):
    steps = path.strip().strip("/").split("/") if path.strip().strip("/") else []
    if not steps:
        raise ValueError("an empty path names no element")
    element, walked = None, []
    for step in steps:
        name, index = _step(step, path)
        if element is None:
            candidates = [root] if etree.QName(root).localname == name else []
        else:
            candidates = [child for child in element
                          if isinstance(child.tag, str) and etree.QName(child).localname == name]
        walked.append(step)
        where = "/".join(walked)
        if index is not None:
            if index > len(candidates):
                raise ValueError(f"path {path!r} matches nothing: the form has {len(candidates)} element(s) "
                                 f"{where.rsplit('[', 1)[0]}")
            element = candidates[index - 1]
        elif len(candidates) == 1:
            element = candidates[0]
        elif not candidates:
            hint = f" (the form's root is {etree.QName(root).localname})" if len(walked) == 1 else ""
            raise ValueError(f"path {path!r} matches nothing: the form has no element {where}{hint}")
        else:
            raise ValueError(f"path {path!r} is ambiguous: the form has {len(candidates)} elements {where}; "
                             f"say which with an index, e.g. {where}[1]")
    return element


def _step(step: str, path: str) -> tuple[str, int | None]:
    name, bracket, rest = step.partition("[")
    index = None
    if bracket:
        if not rest.endswith("]") or not rest[:-1].isdigit() or int(rest[:-1]) < 1:
            raise ValueError(f"path {path!r}: step {step!r} must be a name, or a name and an index from 1 as "
                             "in Name[2]")
        index = int(rest[:-1])
    if not name or any(c in name for c in " []@:*"):
        raise ValueError(f"path {path!r}: step {step!r} is not an element's local name")
    return name, index


# The prefixes whose namespaces a download strips unless the owner asks for them (docs/behaviour/download-queue.md,
# D56): InfoPath forms put their fields in ``xmlns:my="http://schemas.microsoft.com/office/infopath/2003/myXSD/…"``,
# Altinn's own form elements used ``altinn``.
STRIPPED_PREFIXES = ("my", "altinn")


def strip_namespaces(xml: str, prefixes: tuple[str, ...] = STRIPPED_PREFIXES) -> str:
    """The form's XML with every element and attribute of a namespace bound to one of ``prefixes`` (anywhere in
    the document) taken out of that namespace, and those declarations gone; other namespaces stay as they are.
    A form without such a prefix comes back as given, text for text."""
    document = etree.fromstring(xml.encode("utf-8"), _parser())
    declared = {(prefix, uri) for element in document.iter() if isinstance(element.tag, str)
                for prefix, uri in element.nsmap.items()}
    stripped = {uri for prefix, uri in declared if prefix in prefixes}
    if not stripped:
        return xml
    kept = [prefix for prefix, uri in declared if prefix and uri not in stripped]
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        if name.namespace in stripped:
            element.tag = name.localname
        if any(etree.QName(key).namespace in stripped for key in element.attrib):
            attributes = [(etree.QName(key).localname if etree.QName(key).namespace in stripped else key, value)
                          for key, value in element.attrib.items()]
            element.attrib.clear()
            element.attrib.update(attributes)  # in their order
    etree.cleanup_namespaces(document, keep_ns_prefixes=kept)  # only the stripped declarations go
    _undeclare_default_namespace(document)
    return etree.tostring(document, encoding="unicode")


def _undeclare_default_namespace(document) -> None:
    """An element now in no namespace under a parent with a default namespace needs ``xmlns=""``, which lxml does
    not write for a renamed element: such an element is replaced by a copy made with that declaration."""
    for element in list(document.iter()):
        parent = element.getparent()
        if (not isinstance(element.tag, str) or parent is None or etree.QName(element).namespace is not None
                or not parent.nsmap.get(None)):
            continue
        copy = etree.Element(element.tag, dict(element.attrib), nsmap={None: ""})
        copy.text, copy.tail = element.text, element.tail
        copy.extend(list(element))
        parent.replace(element, copy)


def leaf_values(xml: str) -> list[tuple[str, str]]:
    """(local name, text) of every element without child elements, in document order: a form's fields and
    their values, as a PDF of the form shows them."""
    document = etree.fromstring(xml.encode("utf-8"), _parser())
    return [(etree.QName(element).localname, (element.text or "").strip()) for element in document.iter()
            if isinstance(element.tag, str) and not any(isinstance(child.tag, str) for child in element)]
