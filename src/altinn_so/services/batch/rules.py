"""Batch files and their log (docs/behaviour/batch.md): what a service owner uploads, what came of each entity.

A file a service owner puts in its inbound folder becomes a ``DataBatch`` once it is complete. The clock's due
work processes each batch that waits, in the order they arrived: its reader (chosen by the file's root element)
reads the file as a stream, and each entity in it (one correspondence, one prefilled form task, one subscription)
becomes a ``DataItem`` with its line and position in the file, handed to the same rules as the service's web
service. Every problem becomes an ``Issue`` with its level, code and text. A file that is not what its schema
says is refused whole, with one issue; an entity that fails does not stop the others.

BatchLoggingAgencyExternal reads this log (``BatchLog``). This module reads no XML itself: the readers are handed
in (``BatchReader``), one per kind of file.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, Iterable, Protocol

log = logging.getLogger("altinn_so.batch")

# DataBatchType: what a batch carries (the enumeration of BatchLoggingRequestExternal)
DATA_BATCH_TYPES = ("ActivateSubscription", "Notification", "Correspondence", "PreFill", "RegisterDSFProperty",
                    "RegisterDSFPropertyAdd", "RegisterDSFStreet", "RegisterDSFStreetAdd", "RegisterDSFUser",
                    "RegisterER", "Subscription")
# IssueTypeLevelExternal
OTHER, INFORMATION, WARNING, ERROR, CRITICAL = "Other", "Information", "Warning", "Error", "Critical"
ISSUE_LEVELS = (OTHER, INFORMATION, WARNING, ERROR, CRITICAL)

# A batch's life: waiting to be read, being read by one worker, read (whatever its items came to), or refused whole
RECEIVED, PROCESSING, PROCESSED, REFUSED = "Received", "Processing", "Processed", "Refused"
# An item's State: handed to the service's rules and accepted by them, or not
ITEM_OK, ITEM_FAILED = "OK", "Failed"

BATCHES_PER_ROUND = 20


@dataclass(frozen=True)
class DataBatch:
    """One file a service owner delivered (DataBatchId), and how its reading went."""

    id: int
    owner: str  # the service owner's code
    system: str  # the agency system user name it logged in with
    file_name: str  # as the owner named it, without folders
    file: str  # the SHA-256 of its content in the emulator's file store (``emulator.files``)
    size: int
    received_at: datetime  # StartDate
    state: str = RECEIVED
    kind: str | None = None  # DataBatchType, once the reader knows it
    system_user_code: str | None = None  # from the file, where it has one
    sequence: int | None = None  # SequenceNo, where the file has one
    shipment_id: int | None = None  # ShipmentId: the file's shipment reference, where it is a number
    finished_at: datetime | None = None  # EndDate
    items: int = 0
    issues: int = 0

    def to_dict(self) -> dict:
        return {"id": self.id, "owner": self.owner, "system": self.system, "file_name": self.file_name,
                "file": self.file, "size": self.size, "received_at": self.received_at.isoformat(),
                "state": self.state, "kind": self.kind, "system_user_code": self.system_user_code,
                "sequence": self.sequence, "shipment_id": self.shipment_id,
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "number_of_items": self.items, "number_of_issues": self.issues}

    @classmethod
    def from_dict(cls, data: dict) -> "DataBatch":
        return cls(id=int(data.get("id") or 0), owner=data["owner"], system=data["system"],
                   file_name=data["file_name"], file=data["file"], size=int(data["size"]),
                   received_at=datetime.fromisoformat(data["received_at"]), state=data["state"],
                   kind=data.get("kind"), system_user_code=data.get("system_user_code"),
                   sequence=data.get("sequence"), shipment_id=data.get("shipment_id"),
                   finished_at=_time(data.get("finished_at")), items=int(data.get("number_of_items") or 0),
                   issues=int(data.get("number_of_issues") or 0))


@dataclass(frozen=True)
class DataItem:
    """One entity of a batch: where it stood in the file, its XML, and what the service's rules made of it."""

    id: int
    batch_id: int
    line: int
    position: int
    data: str  # the entity's XML as it stood in the file
    state: str = ITEM_OK
    service_code: str | None = None
    service_edition: int | None = None
    result: str | None = None  # what it became: "correspondence 12", "receipt 40", ...

    def to_dict(self) -> dict:
        return {"id": self.id, "batch_id": self.batch_id, "line": self.line, "position": self.position,
                "data": self.data, "state": self.state, "service_code": self.service_code,
                "service_edition": self.service_edition, "result": self.result}

    @classmethod
    def from_dict(cls, data: dict) -> "DataItem":
        return cls(int(data.get("id") or 0), int(data["batch_id"]), int(data["line"]), int(data["position"]),
                   data["data"], data.get("state", ITEM_OK), data.get("service_code"),
                   data.get("service_edition"), data.get("result"))


@dataclass(frozen=True)
class Issue:
    """A problem found reading a batch: of one item, or (``item_id`` None) of the batch as a whole."""

    id: int
    batch_id: int
    item_id: int | None
    at: datetime  # ErrorDateTime
    code: int  # the ErrorID the service's rules gave, or the batch interface's own code
    description: str
    level: str = ERROR

    def to_dict(self) -> dict:
        return {"id": self.id, "batch_id": self.batch_id, "item_id": self.item_id, "at": self.at.isoformat(),
                "code": self.code, "description": self.description, "level": self.level}

    @classmethod
    def from_dict(cls, data: dict) -> "Issue":
        return cls(int(data.get("id") or 0), int(data["batch_id"]), data.get("item_id"),
                   datetime.fromisoformat(data["at"]), int(data["code"]), data["description"],
                   data.get("level", ERROR))


class BatchRepository(Protocol):
    def add_batch(self, batch: DataBatch) -> DataBatch: ...  # assigns the id
    def save_batch(self, batch: DataBatch) -> None: ...
    def get_batch(self, batch_id: int) -> DataBatch | None: ...
    def waiting(self, limit: int) -> list[DataBatch]: ...  # RECEIVED, oldest first
    def take(self, batch_id: int) -> bool: ...  # RECEIVED -> PROCESSING, if no other worker did it first
    def add_item(self, item: DataItem) -> DataItem: ...
    def get_item(self, item_id: int) -> DataItem | None: ...
    def save_item(self, item: DataItem) -> None: ...
    def add_issue(self, issue: Issue) -> Issue: ...
    def add_outbound(self, outbound: OutboundFile) -> OutboundFile: ...
    def outbound_of(self, owner: str) -> list[OutboundFile]: ...  # not removed, oldest first
    def save_outbound(self, outbound: OutboundFile) -> None: ...
    def list_outbound(self, newest: int | None = None) -> list[OutboundFile]: ...
    def list_batches(self, newest: int | None = None) -> list[DataBatch]: ...
    def items_of(self, batch_id: int) -> list[DataItem]: ...
    def issues_of(self, batch_id: int) -> list[Issue]: ...
    def last_sequence(self, system_user_code: str, kind: str) -> int | None: ...  # of its processed batches


class Reading(Protocol):
    """What a reader is given for one batch: it records items and issues, and says what the batch is."""

    batch: DataBatch

    def describe(self, *, kind: str | None = None, system_user_code: str | None = None,
                 sequence: int | None = None, shipment_id: int | None = None) -> None: ...
    def item(self, line: int, position: int, data: str, service_code: str | None = None,
             service_edition: int | None = None) -> DataItem: ...
    def issue(self, item: DataItem | None, code: int, description: str, level: str = ERROR) -> None: ...
    def done(self, item: DataItem, result: str) -> None: ...  # the item was accepted: what it became
    def refuse(self, code: int, description: str) -> None: ...  # the whole batch: nothing in it is used


class BatchRefused(Exception):
    """Raised by a reader that finds the file unusable as a whole (``Reading.refuse`` says why)."""


# (emulator, reading, the file, opened binary) -> reads every entity; raises BatchRefused to refuse the file
BatchReader = Callable[[object, Reading, object], None]
# The root element's qualified name -> its reader
ReaderFor = Callable[[str], "BatchReader | None"]


@dataclass(frozen=True)
class OutboundFile:
    """A file the emulator put in a service owner's outbound folder (archived submissions, read receipts)."""

    id: int
    owner: str
    name: str  # unique per owner
    file: str  # the SHA-256 of its content in the file store
    size: int
    created_at: datetime
    kind: str  # "genericbatch" or "confirmations"
    removed_at: datetime | None = None  # the owner deleted it from the folder (fetched)

    def to_dict(self) -> dict:
        return {"id": self.id, "owner": self.owner, "name": self.name, "file": self.file, "size": self.size,
                "created_at": self.created_at.isoformat(), "kind": self.kind,
                "removed_at": self.removed_at.isoformat() if self.removed_at else None}

    @classmethod
    def from_dict(cls, data: dict) -> "OutboundFile":
        return cls(int(data.get("id") or 0), data["owner"], data["name"], data["file"], int(data["size"]),
                   datetime.fromisoformat(data["created_at"]), data["kind"], _time(data.get("removed_at")))


class BatchService:
    def __init__(self, store: BatchRepository, clock, transaction, open_file: Callable[[str], object],
                 root_of: Callable[[object], str | None], readers: dict[str, BatchReader], emulator=None):
        self.store = store
        self.clock = clock
        self._transaction = transaction
        self._open = open_file  # SHA-256 -> the file store's file, binary
        self._root_of = root_of  # a binary file -> its root element's "{namespace}name", None if not XML
        self.readers = readers
        self._emulator = emulator  # handed to the readers: they reach the services' rules through it
        self._round = threading.Lock()

    def receive(self, owner: str, system: str, file_name: str, file: str, size: int) -> DataBatch:
        """A complete file from ``owner``'s inbound folder, already in the file store under the SHA-256 ``file``:
        a batch that waits to be read."""
        return self.store.add_batch(DataBatch(0, owner, system, file_name, file, size, self.clock.now()))

    def process_waiting(self, limit: int = BATCHES_PER_ROUND) -> list[DataBatch]:
        """Read the batches that wait, oldest first (the clock's due work); each by one worker only."""
        done = []
        with self._round:
            for batch in self.store.waiting(limit):
                if not self.store.take(batch.id):
                    continue
                done.append(self._process(replace(batch, state=PROCESSING)))
        return done

    def _process(self, batch: DataBatch) -> DataBatch:
        reading = _Reading(self, batch)
        try:
            with self._open(batch.file) as file:
                root = self._root_of(file)
                reader = self.readers.get(root or "")
                if reader is None:
                    reading.refuse(BATCH_NOT_RECOGNISED, "the file is not XML" if root is None else
                                   f"the file's root element {root} is no batch format the emulator reads")
                    raise BatchRefused()
                file.seek(0)
                reader(self._emulator, reading, file)
        except BatchRefused:
            pass
        except (OSError, KeyError) as exc:  # (KeyError: the file store no longer has the file)
            reading.refuse(BATCH_NOT_RECOGNISED, f"the file could not be read: {type(exc).__name__}: {exc}")
        except Exception as exc:  # a reader's own failure: the batch ends refused, the round goes on
            log.exception("reading batch %s failed", batch.id)
            reading.refuse(BATCH_NOT_RECOGNISED, f"the emulator failed reading the file: {type(exc).__name__}")
        return reading.finish()

    # -- the log, as BatchLoggingAgencyExternal and the admin read it ------------------------------------

    def batches(self, newest: int | None = None) -> list[DataBatch]:
        return self.store.list_batches(newest)


# The batch interface's own issue codes (the services' rules give their ErrorIDs)
BATCH_NOT_RECOGNISED = 1  # not XML, or no batch format
BATCH_SCHEMA_ERROR = 2  # not valid against the format's schema: refused whole
BATCH_SEQUENCE_ERROR = 3  # SequenceNo is not the last one plus one: refused whole
ITEM_REFUSED = 0  # an item the service's rules refused without an ErrorID


class _Reading:
    def __init__(self, service: BatchService, batch: DataBatch):
        self._service = service
        self.batch = batch
        self._refused = False

    def describe(self, *, kind=None, system_user_code=None, sequence=None, shipment_id=None) -> None:
        changes = {name: value for name, value in (("kind", kind), ("system_user_code", system_user_code),
                                                   ("sequence", sequence), ("shipment_id", shipment_id))
                   if value is not None}
        self.batch = replace(self.batch, **changes)

    def item(self, line, position, data, service_code=None, service_edition=None) -> DataItem:
        self.batch = replace(self.batch, items=self.batch.items + 1)
        return self._service.store.add_item(DataItem(0, self.batch.id, line, position, data, ITEM_OK, service_code,
                                                     service_edition))

    def issue(self, item, code, description, level=ERROR) -> None:
        self.batch = replace(self.batch, issues=self.batch.issues + 1)
        if item is not None and level in (ERROR, CRITICAL) and item.state != ITEM_FAILED:
            self._service.store.save_item(replace(item, state=ITEM_FAILED))
        self._service.store.add_issue(Issue(0, self.batch.id, item.id if item is not None else None,
                                            self._service.clock.now(), code, description, level))

    def done(self, item, result) -> None:
        self._service.store.save_item(replace(item, result=result))

    def refuse(self, code, description) -> None:
        self._refused = True
        self.issue(None, code, description, CRITICAL)

    def finish(self) -> DataBatch:
        self.batch = replace(self.batch, state=REFUSED if self._refused else PROCESSED,
                             finished_at=self._service.clock.now())
        self._service.store.save_batch(self.batch)
        return self.batch


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def with_issues(items: Iterable[DataItem], issues: Iterable[Issue]) -> list[DataItem]:
    """The items that have an issue (BatchLogging returns only those), in id order."""
    wanted = {issue.item_id for issue in issues}
    return [item for item in items if item.id in wanted]
