"""Reportee elements: what a reportee's worklist ("arbeidsliste") holds (docs/behaviour/forms.md).

A core model shared by the services that put form tasks in a reportee's worklist (PreFill's
``doinstantiateFormTask``, a subscription's activation) and by what takes them out: the end user's submission
(``domain.worklist``), which archives the element (``domain.archive``). An element holds its forms as they stand
(prefilled, then filled in), its attachments (their bytes are kept beside it, by attachment id) and the
signatures given to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

FORM_TASK = "form_task"
ACTIVE = "active"  # in the worklist: can be opened, filled in, signed and submitted
ARCHIVED = "archived"  # submitted: in the reportee's archive under its archive reference

# The authentication levels Altinn's SecurityLevel names (ApproverDQBE): a self-identified user, then 1 to 4.
SECURITY_LEVELS = ("selfIdentifiedUser", "notSensitive", "lessSensitive", "sensitive", "verySensitive")


@dataclass(frozen=True)
class ElementForm:
    """A form of a form task as it stands in the element: prefilled by the service owner, then filled in."""

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
class ElementAttachment:
    """An attachment of a form task. Its bytes are kept apart (``ReporteeElementRepository.attachment_data``)."""

    id: int  # the AttachmentId (0 until stored)
    name: str  # AttachmentName: what the reportee sees
    file_name: str
    attachment_type: str  # the MIME type
    size: int
    added_at: datetime
    added_by: str = "end user"  # "prefill" for one the service owner sent with the prefilled set
    senders_reference: str | None = None
    type_name: str | None = None  # AttachmentTypeName: the attachment rule's technical name, if any

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "file_name": self.file_name,
                "attachment_type": self.attachment_type, "size": self.size, "added_at": self.added_at.isoformat(),
                "added_by": self.added_by, "senders_reference": self.senders_reference, "type_name": self.type_name}

    @classmethod
    def from_dict(cls, data: dict) -> "ElementAttachment":
        return cls(id=int(data.get("id") or 0), name=data["name"], file_name=data["file_name"],
                   attachment_type=data["attachment_type"], size=int(data["size"]),
                   added_at=datetime.fromisoformat(data["added_at"]), added_by=data.get("added_by") or "end user",
                   senders_reference=data.get("senders_reference"), type_name=data.get("type_name"))


@dataclass(frozen=True)
class Signature:
    """A signature on a form task: who signed, when, at which authentication level (0 self-identified, 1-4)."""

    signer: str  # the signer's national identity number (or username, self-identified)
    signed_at: datetime
    security_level: int
    text: str = ""

    @property
    def security_level_name(self) -> str:
        return SECURITY_LEVELS[self.security_level]

    def to_dict(self) -> dict:
        return {"signer": self.signer, "signed_at": self.signed_at.isoformat(),
                "security_level": self.security_level, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict) -> "Signature":
        return cls(data["signer"], datetime.fromisoformat(data["signed_at"]), int(data["security_level"]),
                   data.get("text") or "")


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class ReporteeElement:
    id: int  # the ReporteeElementID (0 until stored)
    owner: str  # the service owner's code
    service_code: str
    service_edition: int
    reportee: str  # national id, organisation number or self-registered username
    kind: str  # FORM_TASK
    status: str  # ACTIVE or ARCHIVED
    created_at: datetime
    visible_at: datetime
    due_at: datetime | None = None
    case_id: int | None = None
    forms: tuple[ElementForm, ...] = ()
    origin: str = ""  # what created it, e.g. "prefill:12" (the prefilled set) or "subscription:3"
    on_behalf_of: str | None = None  # instantitedOnBehalfOf, as given
    attachments: tuple[ElementAttachment, ...] = ()
    signatures: tuple[Signature, ...] = ()
    changed_at: datetime | None = None  # the end user's last change
    archive_reference: str | None = None  # once submitted
    archived_at: datetime | None = None

    def form(self, data_format_id: str, data_format_version: int | None = None) -> ElementForm | None:
        return next((f for f in self.forms if f.data_format_id == data_format_id
                     and (data_format_version is None or f.data_format_version == data_format_version)), None)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "owner": self.owner, "service_code": self.service_code,
            "service_edition": self.service_edition, "reportee": self.reportee, "kind": self.kind,
            "status": self.status, "created_at": self.created_at.isoformat(),
            "visible_at": self.visible_at.isoformat(),
            "due_at": self.due_at.isoformat() if self.due_at else None, "case_id": self.case_id,
            "forms": [f.to_dict() for f in self.forms], "origin": self.origin, "on_behalf_of": self.on_behalf_of,
            "attachments": [a.to_dict() for a in self.attachments],
            "signatures": [s.to_dict() for s in self.signatures],
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "archive_reference": self.archive_reference,
            "archived_at": self.archived_at.isoformat() if self.archived_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ReporteeElement":
        return cls(
            id=int(data.get("id") or 0), owner=data["owner"], service_code=data["service_code"],
            service_edition=int(data["service_edition"]), reportee=data["reportee"], kind=data["kind"],
            status=data["status"], created_at=datetime.fromisoformat(data["created_at"]),
            visible_at=datetime.fromisoformat(data["visible_at"]), due_at=_time(data.get("due_at")),
            case_id=data.get("case_id"), forms=tuple(ElementForm.from_dict(f) for f in data.get("forms") or ()),
            origin=data.get("origin") or "", on_behalf_of=data.get("on_behalf_of"),
            attachments=tuple(ElementAttachment.from_dict(a) for a in data.get("attachments") or ()),
            signatures=tuple(Signature.from_dict(s) for s in data.get("signatures") or ()),
            changed_at=_time(data.get("changed_at")), archive_reference=data.get("archive_reference"),
            archived_at=_time(data.get("archived_at")),
        )


class ReporteeElementRepository(Protocol):
    def add_element(self, element: ReporteeElement) -> ReporteeElement: ...  # assigns the id
    def put_element(self, element: ReporteeElement) -> None: ...  # an element already stored, changed
    def get_element(self, element_id: int) -> ReporteeElement | None: ...
    def elements_of(self, reportee: str) -> list[ReporteeElement]: ...  # oldest first
    def list_elements(self, newest: int | None = None) -> list[ReporteeElement]: ...
    # An attachment's bytes, kept apart from the element: ``add_attachment_data`` returns the new AttachmentId.
    def add_attachment_data(self, element_id: int, data: bytes) -> int: ...
    def attachment_data(self, attachment_id: int) -> bytes | None: ...
    def element_of_attachment(self, attachment_id: int) -> int | None: ...  # the element it was added to
