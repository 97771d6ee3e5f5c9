"""The request journal: every SOAP call the emulator answered, with its request and response.

Entries are written by the SOAP application as each call ends and read by
the admin API. The journal keeps the newest ``limit`` entries, and of those no
more than ``MAX_BODY_BYTES`` of request and response bodies (the newest entry
always): in the store when other processes share it
(``store.repositories.SqlJournal``), else in this process's memory
(``MemoryJournal``).

Passwords in request bodies are masked (``secrets.mask_secrets``) unless a journal is told to keep them: the
store's journal masks what it writes, so that no password reaches its disk; the memory journal masks what it
hands out, as nothing it holds outlives the process, and so costs a call nothing (masking is about 1 µs per
kilobyte of body, a few per cent of a small call).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from .secrets import mask_secrets

# Request and response bodies a journal keeps at most, besides its entry count: a load test's 10,000 calls with
# large attachments would otherwise hold gigabytes of a process's memory or of the store's disk.
MAX_BODY_BYTES = 256 * 1024 * 1024


@dataclass
class Exchange:
    """One HTTP exchange as the SOAP application saw it; filled in while the call is served."""

    method: str
    path: str
    at: datetime
    binding: str | None = None
    service: str | None = None
    operation: str | None = None  # wire name
    base_operation: str | None = None  # e.g. InsertCorrespondence, for every version and binding
    caller: str | None = None  # the agency system's username (as claimed, also when its login fails), or AEC's owner
    owner: str | None = None
    reportees: list[str] = field(default_factory=list)
    status: int = 0
    error_id: int | None = None
    error_message: str | None = None
    request_body: bytes = b""
    response_body: bytes = b""
    duration_ms: float = 0.0
    fault_rule: int | None = None  # the injected fault that answered, if any
    injected: str | None = None  # its action type
    # What the call got away with, as WCF lets it: each element skipped while its body was read (``codec.Skipped``,
    # or a dict of the same keys: name, namespace, parent).
    warnings: list = field(default_factory=list)

    @property
    def outcome(self) -> str:
        broken = self.injected in ("http_status", "drop_connection", "malformed_response")
        return "ok" if self.error_id is None and 0 < self.status < 400 and not broken else "fault"


@dataclass(frozen=True)
class JournalEntry:
    id: int | None
    at: datetime
    method: str
    path: str
    binding: str | None
    service: str | None
    operation: str | None
    base_operation: str | None
    caller: str | None
    owner: str | None
    reportees: tuple[str, ...]
    status: int
    outcome: str
    error_id: int | None
    error_message: str | None
    duration_ms: float
    fault_rule: int | None
    request: str
    response: str
    warnings: tuple[dict, ...] = ()  # {"name", "namespace", "parent"} of each element the call's body lost

    def to_dict(self, *, bodies: bool = True) -> dict:
        out = {key: getattr(self, key) for key in self.__dataclass_fields__}
        out["at"] = self.at.isoformat()
        out["reportees"] = list(self.reportees)
        out["warnings"] = [dict(warning) for warning in self.warnings]
        if not bodies:
            del out["request"], out["response"]
        return out


@dataclass(frozen=True)
class JournalFilter:
    operation: str | None = None  # wire or base name, any case
    binding: str | None = None
    caller: str | None = None  # system username or owner code
    reportee: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    warnings: bool | None = None  # True: only entries with warnings; False: only those without
    limit: int | None = None  # the newest N
    offset: int = 0  # ... after leaving out the newest ``offset`` (a page further back)


class JournalRepository(Protocol):
    def record(self, exchange: Exchange) -> int: ...  # the new entry's id
    def list_entries(self, where: JournalFilter) -> list[JournalEntry]: ...
    def count_entries(self, where: JournalFilter) -> int: ...  # all that match, whatever limit and offset
    def get_entry(self, entry_id: int) -> JournalEntry | None: ...
    def clear_entries(self) -> int: ...


class MemoryJournal:
    """The journal of an emulator whose store no other process shares (SQLite in memory): a list in memory.

    It answers exactly as ``SqlJournal`` does (ids from 1, never reused; filters; the newest ``keep`` kept)
    without SQL: writing the entry is on every call's path, and in a store it cost a tenth of a small call.
    """

    def __init__(self, keep: int = 10_000, max_body_bytes: int = MAX_BODY_BYTES, keep_secrets: bool = False):
        self._entries: deque[tuple[int, Exchange]] = deque()
        self._mask = not keep_secrets
        self._keep = keep
        self._max_body_bytes = max_body_bytes
        self._body_bytes = 0
        self._last_id = 0
        self._lock = threading.Lock()  # server threads record side by side: ids and order must agree

    def record(self, exchange: Exchange) -> int:
        with self._lock:
            self._last_id += 1
            self._entries.append((self._last_id, exchange))
            self._body_bytes += _body_bytes(exchange)
            while len(self._entries) > 1 and (len(self._entries) > self._keep
                                              or self._body_bytes > self._max_body_bytes):
                _, dropped = self._entries.popleft()
                self._body_bytes -= _body_bytes(dropped)
            return self._last_id

    def list_entries(self, where: JournalFilter = JournalFilter()) -> list[JournalEntry]:
        with self._lock:
            kept = list(self._entries)
        found = [(entry_id, exchange) for entry_id, exchange in kept if _matches(exchange, where)]
        if where.offset:
            found = found[:-where.offset]
        if where.limit:
            found = found[-where.limit:]
        return [_entry(entry_id, exchange, self._mask) for entry_id, exchange in found]

    def count_entries(self, where: JournalFilter = JournalFilter()) -> int:
        with self._lock:
            kept = list(self._entries)
        return sum(1 for _, exchange in kept if _matches(exchange, where))

    def get_entry(self, entry_id: int) -> JournalEntry | None:
        with self._lock:
            kept = list(self._entries)
        return next((_entry(i, exchange, self._mask) for i, exchange in kept if i == entry_id), None)

    def clear_entries(self) -> int:
        with self._lock:
            cleared = len(self._entries)
            self._entries.clear()
            self._body_bytes = 0
            return cleared


def _body_bytes(exchange: Exchange) -> int:
    return len(exchange.request_body) + len(exchange.response_body)


def _matches(exchange: Exchange, where: JournalFilter) -> bool:
    if where.operation is not None and where.operation.lower() not in (
            (exchange.operation or "").lower(), (exchange.base_operation or "").lower()):
        return False
    return ((where.binding is None or exchange.binding == where.binding)
            and (where.outcome is None or exchange.outcome == where.outcome)
            and (where.caller is None or where.caller in (exchange.caller, exchange.owner))
            and (where.reportee is None or where.reportee in exchange.reportees)
            and (where.since is None or exchange.at >= where.since)
            and (where.warnings is None or bool(exchange.warnings) == where.warnings))


def plain_warnings(warnings) -> tuple[dict, ...]:
    """An exchange's warnings as plain dicts (the codec's ``Skipped`` has a ``to_dict``)."""
    return tuple(warning if isinstance(warning, dict) else warning.to_dict() for warning in warnings)


def _entry(entry_id: int, exchange: Exchange, mask: bool) -> JournalEntry:
    request = bytes(exchange.request_body)
    return JournalEntry(
        id=entry_id, at=exchange.at.astimezone(timezone.utc), method=exchange.method, path=exchange.path,
        binding=exchange.binding, service=exchange.service, operation=exchange.operation,
        base_operation=exchange.base_operation, caller=exchange.caller, owner=exchange.owner,
        reportees=tuple(exchange.reportees), status=exchange.status, outcome=exchange.outcome,
        error_id=exchange.error_id, error_message=exchange.error_message,
        duration_ms=round(exchange.duration_ms, 3), fault_rule=exchange.fault_rule,
        request=(mask_secrets(request) if mask else request).decode("utf-8", "replace"),
        response=bytes(exchange.response_body).decode("utf-8", "replace"), warnings=plain_warnings(exchange.warnings))
