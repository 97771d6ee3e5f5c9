"""Reportee elements: what a reportee's worklist ("arbeidsliste") holds (docs/behaviour/prefill.md).

A minimal core model, shared by the services that put things in a reportee's worklist or take them out: today
only PreFill's ``doinstantiateFormTask`` creates one (a form task, active, holding its prefilled forms);
subscription, the end user's submission and the download queue will use the same table next and will widen
this model as they need (kinds, statuses, archive references). Nothing here is more than those need to start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

FORM_TASK = "form_task"
ACTIVE = "active"


@dataclass(frozen=True)
class ElementForm:
    """A form of a form task as it stands in the element: prefilled by the service owner (or, later, filled in)."""

    data_format_id: str
    data_format_version: int
    form_data_xml: str
    senders_reference: str | None = None

    def to_dict(self) -> dict:
        return {"data_format_id": self.data_format_id, "data_format_version": self.data_format_version,
                "form_data_xml": self.form_data_xml, "senders_reference": self.senders_reference}

    @classmethod
    def from_dict(cls, data: dict) -> "ElementForm":
        return cls(data["data_format_id"], int(data["data_format_version"]), data["form_data_xml"],
                   data.get("senders_reference"))


@dataclass(frozen=True)
class ReporteeElement:
    id: int  # the ReporteeElementID (0 until stored)
    owner: str  # the service owner's code
    service_code: str
    service_edition: int
    reportee: str  # national id, organisation number or self-registered username
    kind: str  # FORM_TASK
    status: str  # ACTIVE
    created_at: datetime
    visible_at: datetime
    due_at: datetime | None = None
    case_id: int | None = None
    forms: tuple[ElementForm, ...] = ()
    origin: str = ""  # what created it, e.g. "prefill:12" (the prefilled set)
    on_behalf_of: str | None = None  # instantitedOnBehalfOf, as given

    def to_dict(self) -> dict:
        return {
            "id": self.id, "owner": self.owner, "service_code": self.service_code,
            "service_edition": self.service_edition, "reportee": self.reportee, "kind": self.kind,
            "status": self.status, "created_at": self.created_at.isoformat(),
            "visible_at": self.visible_at.isoformat(),
            "due_at": self.due_at.isoformat() if self.due_at else None, "case_id": self.case_id,
            "forms": [f.to_dict() for f in self.forms], "origin": self.origin, "on_behalf_of": self.on_behalf_of,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ReporteeElement":
        return cls(
            id=int(data.get("id") or 0), owner=data["owner"], service_code=data["service_code"],
            service_edition=int(data["service_edition"]), reportee=data["reportee"], kind=data["kind"],
            status=data["status"], created_at=datetime.fromisoformat(data["created_at"]),
            visible_at=datetime.fromisoformat(data["visible_at"]),
            due_at=datetime.fromisoformat(data["due_at"]) if data.get("due_at") else None,
            case_id=data.get("case_id"), forms=tuple(ElementForm.from_dict(f) for f in data.get("forms") or ()),
            origin=data.get("origin") or "", on_behalf_of=data.get("on_behalf_of"),
        )


class ReporteeElementRepository(Protocol):
    def add_element(self, element: ReporteeElement) -> ReporteeElement: ...  # assigns the id
    def get_element(self, element_id: int) -> ReporteeElement | None: ...
    def elements_of(self, reportee: str) -> list[ReporteeElement]: ...  # oldest first
    def list_elements(self, newest: int | None = None) -> list[ReporteeElement]: ...
