"""What went wrong with the store, in words a user can act on: damaged, full, unreachable, or failed otherwise.

SQLite and PostgreSQL report their failures as driver exceptions; this is the one place that sorts them, so
that start-up, readiness, SOAP faults, the journal and the admin API all say the same thing. Errors that are
the program's own (a constraint it broke, SQL it got wrong) are not store failures: they are bugs, and stay so.

The store's health is kept in memory shared by every worker process (made before they fork), so readiness
answers the same whichever worker is asked.
"""

from __future__ import annotations

import mmap
import sqlite3
import struct
import threading
from dataclasses import dataclass

DAMAGED, FULL, UNREACHABLE, FAILED = "damaged", "full", "unreachable", "failed"
REASONS = {DAMAGED: "the store is damaged", FULL: "the store is full", UNREACHABLE: "the store is unreachable",
           FAILED: "the store failed"}

# SQLite's primary result codes (sqlite3.h): those that mean the file, not the program, is the problem.
_SQLITE_KINDS = {11: DAMAGED, 26: DAMAGED,  # SQLITE_CORRUPT, SQLITE_NOTADB
                 13: FULL,  # SQLITE_FULL (the disk, or the max_page_count pragma)
                 14: UNREACHABLE,  # SQLITE_CANTOPEN (the file or its directory went away)
                 10: FAILED, 5: FAILED, 6: FAILED, 8: FAILED}  # IOERR, BUSY, LOCKED, READONLY
# PostgreSQL's SQLSTATEs, by class (two characters) or whole.
_POSTGRES_KINDS = {"08": UNREACHABLE, "57P01": UNREACHABLE, "57P02": UNREACHABLE, "57P03": UNREACHABLE,
                   "53100": FULL, "XX001": DAMAGED, "XX002": DAMAGED, "58": FAILED, "53": FAILED}


@dataclass(frozen=True)
class StoreFailure:
    kind: str  # DAMAGED, FULL, UNREACHABLE or FAILED
    detail: str  # the driver's own words, first line

    @property
    def reason(self) -> str:
        return REASONS[self.kind]

    def describe(self) -> str:
        return f"{self.reason} ({self.detail})" if self.detail else self.reason


def classify(exc: BaseException) -> StoreFailure | None:
    """The store failure ``exc`` reports, or None when it is not one (not a driver error, or a bug's)."""
    detail = _first_line(exc)
    if isinstance(exc, sqlite3.Error):
        if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
            return None
        code = getattr(exc, "sqlite_errorcode", None)
        kind = _SQLITE_KINDS.get(code & 0xFF) if isinstance(code, int) else None
        if kind is None:  # some builds report no code: the message then says it
            lowered = detail.lower()
            kind = (DAMAGED if "malformed" in lowered or "not a database" in lowered else
                    FULL if "is full" in lowered else FAILED)
        return StoreFailure(kind, detail)
    if type(exc).__module__.split(".")[0] != "psycopg":
        return None
    return _postgres_failure(exc, detail)


def _postgres_failure(exc: BaseException, detail: str) -> StoreFailure | None:
    import psycopg

    if isinstance(exc, (psycopg.IntegrityError, psycopg.ProgrammingError, psycopg.DataError)):
        return None
    state = getattr(exc, "sqlstate", None) or ""
    kind = _POSTGRES_KINDS.get(state) or _POSTGRES_KINDS.get(state[:2])
    if kind is None:
        # No SQLSTATE: the driver's own (the connection lost, closed, or never made).
        lost = isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)) and not state
        kind = UNREACHABLE if lost else FAILED
    return StoreFailure(kind, detail)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


class StoreHealth:
    """The last failure of one database, until a write commits again (a damaged store: until it checks whole).

    Kept in an anonymous shared mapping: worker processes forked after it was made see one health. A record is
    a sequence number (odd while being written), the kind and the detail; readers retry a torn read."""

    _SIZE = 1024
    _HEAD = struct.Struct("<QB H")  # sequence, kind index (0: healthy), detail length
    _KIND_AT = 8  # the kind's offset
    _KINDS = ("", DAMAGED, FULL, UNREACHABLE, FAILED)

    def __init__(self):
        self._map = mmap.mmap(-1, self._SIZE)  # MAP_SHARED | MAP_ANONYMOUS: inherited across fork
        self._lock = threading.Lock()

    def failed(self, failure: StoreFailure) -> None:
        self._write(self._KINDS.index(failure.kind), failure.detail)

    def wrote(self) -> None:
        """A write committed: the store takes writes again (damage does not go away by writing around it)."""
        kind = self._map[self._KIND_AT]  # one byte: every commit asks
        if kind and self._KINDS[kind] != DAMAGED:
            self._write(0, "")

    def checked_whole(self) -> None:
        self._write(0, "")

    def current(self) -> StoreFailure | None:
        for _ in range(100):
            sequence, kind, length = self._HEAD.unpack_from(self._map, 0)
            detail = bytes(self._map[self._HEAD.size:self._HEAD.size + length])
            if sequence % 2 == 0 and self._HEAD.unpack_from(self._map, 0)[0] == sequence:
                break
        if kind == 0:
            return None
        return StoreFailure(self._KINDS[kind], detail.decode("utf-8", "replace"))

    def _write(self, kind: int, detail: str) -> None:
        data = detail.encode("utf-8")[: self._SIZE - self._HEAD.size]
        with self._lock:
            sequence = self._HEAD.unpack_from(self._map, 0)[0]
            self._HEAD.pack_into(self._map, 0, sequence + 1, 0, 0)  # odd: being written
            self._map[self._HEAD.size:self._HEAD.size + len(data)] = data
            self._HEAD.pack_into(self._map, 0, sequence + 2, kind, len(data))
