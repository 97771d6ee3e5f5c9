"""What every inbound batch reader does the same way (docs/behaviour/batch.md): two streaming passes over the file.

The first pass (``survey``) validates the whole file against its format (``inbound_shapes``) while it streams by,
and keeps the few header values the reader needs before it creates anything (the system user code, the sequence
number). A file with a DTD, that is not well-formed or not valid is refused whole here, so nothing in it is used.
The second pass (``entities``) hands the reader each entity, whole, with the line it starts on; everything before
it is released as it goes, so a file of any size is read in memory of about one entity.

The parser resolves no entities, loads no DTD and reaches no network, and a document with a DTD is refused, as
the SOAP front refuses one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Callable, Iterator

from lxml import etree

from altinn_so.domain.auth import Caller
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.xmllimits import XmlLimitExceeded, XmlLimits, check_file

from .rules import BATCH_NOT_RECOGNISED, BATCH_SCHEMA_ERROR, BATCH_SEQUENCE_ERROR, ITEM_REFUSED, BatchRefused

Path = tuple[str, ...]  # local names below the root element, e.g. ("Correspondence", "Content")

# An attachment's base64 longer than this is not kept in the item's data (the batch log's copy of the entity):
# the log says how long it was instead, so that a batch of large attachments does not double in the store.
KEPT_BASE64 = 1024
_BASE64_ELEMENTS = frozenset({"Data", "AttachmentData"})


# A batch file is read as a stream, one entity at a time, so its size and element count are its own business; but
# libxml2 gathers every attribute of a start tag before the reader sees the element: those are limited as in a body.
BATCH_LIMITS = XmlLimits(elements=2**62, attributes=2**62)


def _events(file, **options):
    options.setdefault("resolve_entities", False)
    return etree.iterparse(file, events=("start", "end"), no_network=True, load_dtd=False, huge_tree=True,
                           remove_comments=True, remove_pis=True, **options)


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def refuse(reading, code: int, text: str):
    reading.refuse(code, text)
    raise BatchRefused()


def _release(element) -> None:
    """Free an element that has been read, and the siblings read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _refuse_dtd(reading, file) -> None:
    """A DTD can only come before the root element: reading up to it is enough."""
    file.seek(0)
    try:
        for _, element in _events(file):
            info = element.getroottree().docinfo
            if info.doctype or info.internalDTD is not None:
                refuse(reading, BATCH_NOT_RECOGNISED, "For security reasons DTD is prohibited in this XML document.")
            return
    except etree.XMLSyntaxError:
        return  # (the validating pass reports it)


def survey(reading, file, schema, format_name: str, wanted: frozenset[Path]) -> dict[Path, str]:
    """Validate the whole file (first pass); the text of the first element at each ``wanted`` path.

    lxml validates against a schema while it streams only with entities resolved (with ``resolve_entities=False``
    it lets a file cut off halfway, or a bare ``&``, pass: seen with lxml 6.0). So the file is first checked to have
    no DTD: without one, nothing but the predefined entities and character references can be resolved. Before
    that, its start tags are checked against ``BATCH_LIMITS`` on the bytes (``xmllimits``)."""
    try:
        check_file(file, BATCH_LIMITS)
    except XmlLimitExceeded as exc:
        refuse(reading, BATCH_NOT_RECOGNISED, f"The file is over a structural limit: {exc}")
    _refuse_dtd(reading, file)
    file.seek(0)
    facts: dict[Path, str] = {}
    path: list[str] = []
    line = 1
    events = _events(file, schema=schema, resolve_entities=True)
    try:
        for event, element in events:
            if event == "start":
                path.append(local(element.tag))
                line = element.sourceline or line
                continue
            key = tuple(path[1:])
            if key in wanted and key not in facts:
                facts[key] = element.text or ""
            path.pop()
            _release(element)
    except etree.XMLSyntaxError as error:
        entry = error.error_log.last_error if error.error_log else None
        message = entry.message if entry is not None else str(error)
        if entry is not None and entry.domain_name == "SCHEMASV":
            refuse(reading, BATCH_SCHEMA_ERROR,
                   f"The file is not a valid {format_name} file (at or after line {line}): {message}")
        refuse(reading, BATCH_NOT_RECOGNISED,
               f"The file is not well-formed XML (at or after line {error.lineno or line}): {message}")
    return facts


def entities(file, entity_paths: frozenset[Path], wanted: frozenset[Path] = frozenset()) \
        -> Iterator[tuple[Path, object]]:
    """Second pass: each element at an ``entity_paths`` path, whole, and each at a ``wanted`` one, in document
    order as each ends. The consumer reads it before asking for the next; then it is released."""
    file.seek(0)
    path: list[str] = []
    open_entities = 0
    for event, element in _events(file):
        if event == "start":
            path.append(local(element.tag))
            if tuple(path[1:]) in entity_paths:
                open_entities += 1
            continue
        key = tuple(path[1:])
        path.pop()
        if key in entity_paths:
            open_entities -= 1
            yield key, element
            _release(element)
        elif open_entities == 0:  # (inside an entity, its parts are kept until the entity is read whole)
            if key in wanted:
                yield key, element
            _release(element)


def item_xml(element) -> str:
    """The entity as the batch log keeps it: its XML, with long attachment data left out (``KEPT_BASE64``)."""
    for part in element.iter():
        if local(part.tag) in _BASE64_ELEMENTS and part.text and len(part.text) > KEPT_BASE64:
            part.text = f"[{len(part.text)} characters of base64 not kept in the batch log]"
    return etree.tostring(element, encoding="unicode", with_tail=False)


def failing(error: Exception) -> Callable[[], str]:
    """An entity's action when the entity could not even be read into a request: it reports that error."""
    def action() -> str:
        raise error
    return action


def run_item(reading, item, action: Callable[[], str]) -> None:
    """The entity through the service's rules: its result, or its issue (the rules' ErrorID, or 0 for any other
    failure), without stopping the batch."""
    try:
        result = action()
    except AltinnError as error:
        reading.issue(item, error.error_id, error.message)
    except Exception as error:  # noqa: BLE001 (one entity's failure of any kind must not stop the others)
        reading.issue(item, ITEM_REFUSED, f"{type(error).__name__}: {error}")
    else:
        reading.done(item, result)


# -- the batch's header ---------------------------------------------------------------------------------------

def caller_of(emulator, reading) -> Caller:
    """The batch's service owner and the agency system that delivered it, as the rules' caller."""
    batch = reading.batch
    owner = emulator.catalog.get_owner(batch.owner)
    system = emulator.catalog.get_system(batch.system)
    if owner is None or system is None or system.owner != owner.code:
        refuse(reading, ErrorCode.NOT_AUTHORIZED,
               f"The agency system {batch.system} is no system of the service owner {batch.owner}.")
    return Caller(owner, system)


def checked_sequence(emulator, reading, value: str | None, system_user_code: str, kind: str) -> int | None:
    """SequenceNo: none, or exactly one more than the last of the system user's processed batches of ``kind``
    (any number starts the count); otherwise the whole batch is refused."""
    if value is None or not value.strip():
        return None
    try:
        number = int(value.strip())
    except ValueError:
        refuse(reading, BATCH_SEQUENCE_ERROR, f"SequenceNo '{value}' is not a whole number.")
    reading.describe(sequence=number)
    last = emulator.batch_store.last_sequence(system_user_code, kind)
    if last is not None and number != last + 1:
        refuse(reading, BATCH_SEQUENCE_ERROR,
               f"SequenceNo {number} of {system_user_code} is not one more than the last one processed ({last}): "
               "the batch is refused.")
    return number


def shipment_id(reference: str | None) -> int | None:
    """ShipmentId: the shipment reference, where it is a whole number."""
    text = (reference or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


# -- values of the XML Schema types the formats use ----------------------------------------------------------

_FRACTION = re.compile(r"(\.\d{6})\d+")


def date_time(text: str | None) -> datetime | None:
    """An xs:dateTime (validated): .NET writes seven digits of fraction, Python reads six."""
    if text is None or not text.strip():
        return None
    return datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip()).replace("Z", "+00:00"))


def day(text: str | None) -> datetime | None:
    """An xs:date (validated) as the start of that day."""
    if text is None or not text.strip():
        return None
    return datetime.combine(date.fromisoformat(text.strip()[:10]), time())


def boolean(text: str | None) -> bool | None:
    if text is None or not text.strip():
        return None
    return text.strip() in ("true", "1")


def whole(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    return int(text.strip())
