"""The request journal: every SOAP call the emulator answered, with its request and response.

Entries are written by the SOAP application as each call ends and read by
the admin API. The journal keeps the newest ``limit`` entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


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

    def to_dict(self, *, bodies: bool = True) -> dict:
        out = {key: getattr(self, key) for key in self.__dataclass_fields__}
        out["at"] = self.at.isoformat()
        out["reportees"] = list(self.reportees)
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
    limit: int | None = None  # the newest N


class JournalRepository(Protocol):
    def record(self, exchange: Exchange) -> int: ...  # the new entry's id
    def list_entries(self, where: JournalFilter) -> list[JournalEntry]: ...
    def get_entry(self, entry_id: int) -> JournalEntry | None: ...
    def clear_entries(self) -> int: ...
