"""The demo service's rules: plain Python, no SOAP, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from altinn_so.domain.auth import Caller
from altinn_so.domain.clock import Clock
from altinn_so.domain.errors import AltinnError, ErrorCode


@dataclass(frozen=True)
class NoteSettings:
    max_length: int = 100


@dataclass(frozen=True)
class Note:
    id: int | None
    owner: str
    text: str
    written_at: datetime
    pinned: bool = False

    def to_dict(self) -> dict:
        return {"id": self.id, "owner": self.owner, "text": self.text, "written_at": self.written_at.isoformat(),
                "pinned": self.pinned}

    @classmethod
    def from_dict(cls, data: dict) -> "Note":
        return cls(data["id"], data["owner"], data["text"], datetime.fromisoformat(data["written_at"]),
                   data["pinned"])


@dataclass(frozen=True)
class Topic:
    """Reference data from the seed (its ``topics`` section): what a service owner's notes may be about."""

    name: str
    owner: str
    title: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "owner": self.owner, "title": self.title}

    @classmethod
    def from_dict(cls, data: dict) -> "Topic":
        unknown = set(data) - {"name", "owner", "title"}
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        return cls(str(data["name"]), str(data["owner"]), str(data.get("title") or ""))


class NoteBook:
    def __init__(self, store, clock: Clock, transaction, settings: NoteSettings):
        self._store, self._clock, self._transaction, self._settings = store, clock, transaction, settings

    def save(self, caller: Caller, text: str | None) -> Note:
        if not text:
            raise AltinnError(ErrorCode.NULL_OBJECT_REFERENCE, "A note needs a text.")
        if len(text) > self._settings.max_length:
            raise AltinnError(ErrorCode.GENERAL_ERROR, f"A note has at most {self._settings.max_length} characters.")
        with self._transaction():
            return self._store.add(Note(None, caller.owner.code, text, self._clock.now()))

    def pin(self, note_id: int) -> Note | None:
        with self._transaction():
            note = self._store.get(note_id)
            if note is not None:
                note = replace(note, pinned=True)
                self._store.save(note)
            return note
