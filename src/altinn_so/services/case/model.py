"""A collaboration case as the rules keep it: its service, reportee, state, notice and what happened to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

RUNNING, ARCHIVED, DELETED = "running", "archived", "deleted"


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _text(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class CaseEvent:
    """One event the case was told of: who raised it, and whether it moved the case on."""

    event: str
    at: datetime
    source: str  # "owner" (NotifyEvent) or the element that raised it, e.g. "form task 3"
    from_state: str
    to_state: str
    condition: str | None = None
    condition_result: bool = True

    @property
    def changed(self) -> bool:
        return self.from_state != self.to_state

    def to_dict(self) -> dict:
        return {"event": self.event, "at": self.at.isoformat(), "source": self.source, "from_state": self.from_state,
                "to_state": self.to_state, "condition": self.condition, "condition_result": self.condition_result}

    @classmethod
    def from_dict(cls, data: dict) -> "CaseEvent":
        return cls(data["event"], datetime.fromisoformat(data["at"]), data["source"], data["from_state"],
                   data["to_state"], data.get("condition"), bool(data.get("condition_result", True)))


@dataclass(frozen=True)
class Case:
    id: int  # the CaseID (0 until stored)
    owner: str
    service_code: str
    service_edition: int
    reportee: str
    state: str
    created_at: datetime
    visible_at: datetime
    due_at: datetime | None = None
    status: str = RUNNING
    notice_template: str | None = None
    notice_tokens: tuple[tuple[str, str], ...] = ()
    notice_set_at: datetime | None = None
    events: tuple[CaseEvent, ...] = ()
    ended_at: datetime | None = None  # when it was archived or deleted

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def tokens(self) -> dict[str, str]:
        return dict(self.notice_tokens)

    def to_dict(self) -> dict:
        return {"id": self.id, "owner": self.owner, "service_code": self.service_code,
                "service_edition": self.service_edition, "reportee": self.reportee, "state": self.state,
                "created_at": _text(self.created_at), "visible_at": _text(self.visible_at),
                "due_at": _text(self.due_at), "status": self.status, "notice_template": self.notice_template,
                "notice_tokens": [list(t) for t in self.notice_tokens], "notice_set_at": _text(self.notice_set_at),
                "events": [e.to_dict() for e in self.events], "ended_at": _text(self.ended_at)}

    @classmethod
    def from_dict(cls, data: dict) -> "Case":
        return cls(id=int(data.get("id") or 0), owner=data["owner"], service_code=data["service_code"],
                   service_edition=int(data["service_edition"]), reportee=data["reportee"], state=data["state"],
                   created_at=datetime.fromisoformat(data["created_at"]),
                   visible_at=datetime.fromisoformat(data["visible_at"]), due_at=_time(data.get("due_at")),
                   status=data.get("status") or RUNNING, notice_template=data.get("notice_template"),
                   notice_tokens=tuple((str(k), str(v)) for k, v in data.get("notice_tokens") or ()),
                   notice_set_at=_time(data.get("notice_set_at")),
                   events=tuple(CaseEvent.from_dict(e) for e in data.get("events") or ()),
                   ended_at=_time(data.get("ended_at")))


class CaseRepository(Protocol):
    def add(self, case: Case) -> Case: ...
    def put(self, case: Case) -> None: ...
    def get(self, case_id: int) -> Case | None: ...
    def of_service(self, service_code: str, service_edition: int, reportee: str | None = None) -> list[Case]: ...
    def list(self, newest: int | None = None) -> list[Case]: ...
