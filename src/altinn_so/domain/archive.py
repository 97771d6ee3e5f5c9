"""The reportees' archive of submitted form tasks, and each one's shipment status log (docs/behaviour/forms.md).

When the end user submits a form task (``domain.worklist``) it is archived under a new archive reference, ``AR``
and a number, with its forms as submitted, its attachments, its approvers and the shipment metadata of its
service. Services that hand archived form tasks to the service owner listen for this (``ArchiveListener``): the
download queue queues it; later the push to the owner's receiver sends it. Each handing-over is logged as a
shipment status, which the owner's archive service reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from .elements import ElementAttachment, Signature

ARCHIVE_REFERENCE_PREFIX = "AR"

# ShipmentStatusExternal: how far the handing-over of an archived form task has come.
NOT_SET, NOT_SENT, SENT, ERROR, CORRELATED = "NotSet", "NotSent", "Sent", "Error", "Correlated"
SHIPMENT_STATUSES = (NOT_SET, NOT_SENT, SENT, ERROR, CORRELATED)

# ReporteeType of the download queue
PERSON, ORGANISATION, SELF_REGISTERED_USER = "Person", "Organisation", "Selfregistereduser"


@dataclass(frozen=True)
class ArchivedForm:
    reference: int  # the form's id in the archive (Reference, FormID)
    data_format_id: str
    data_format_version: int
    name: str
    form_data_xml: str
    parent_reference: int | None = None  # a sub-form's main form

    def to_dict(self) -> dict:
        return {"reference": self.reference, "data_format_id": self.data_format_id,
                "data_format_version": self.data_format_version, "name": self.name,
                "form_data_xml": self.form_data_xml, "parent_reference": self.parent_reference}

    @classmethod
    def from_dict(cls, data: dict) -> "ArchivedForm":
        return cls(int(data["reference"]), data["data_format_id"], int(data["data_format_version"]), data["name"],
                   data["form_data_xml"], data.get("parent_reference"))


@dataclass(frozen=True)
class ArchivedFormTask:
    archive_reference: str
    element_id: int  # the ReporteeElementID it was submitted as
    owner: str
    service_code: str
    service_edition: int
    reportee: str
    reportee_type: str  # PERSON, ORGANISATION or SELF_REGISTERED_USER
    archived_at: datetime
    forms: tuple[ArchivedForm, ...]
    attachments: tuple[ElementAttachment, ...] = ()  # their bytes: ReporteeElementRepository.attachment_data
    approvers: tuple[Signature, ...] = ()
    case_id: int | None = None
    shipment_metadata: tuple[tuple[str, str], ...] = ()  # (key, value), in the service's order
    receipt_id: int = 0  # the FormTask receipt
    encrypted: bool = False  # the service is encrypted: downloads carry the data encrypted

    def to_dict(self) -> dict:
        return {
            "archive_reference": self.archive_reference, "element_id": self.element_id, "owner": self.owner,
            "service_code": self.service_code, "service_edition": self.service_edition, "reportee": self.reportee,
            "reportee_type": self.reportee_type, "archived_at": self.archived_at.isoformat(),
            "forms": [f.to_dict() for f in self.forms], "attachments": [a.to_dict() for a in self.attachments],
            "approvers": [a.to_dict() for a in self.approvers], "case_id": self.case_id,
            "shipment_metadata": [list(m) for m in self.shipment_metadata], "receipt_id": self.receipt_id,
            "encrypted": self.encrypted,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ArchivedFormTask":
        return cls(
            archive_reference=data["archive_reference"], element_id=int(data["element_id"]), owner=data["owner"],
            service_code=data["service_code"], service_edition=int(data["service_edition"]),
            reportee=data["reportee"], reportee_type=data["reportee_type"],
            archived_at=datetime.fromisoformat(data["archived_at"]),
            forms=tuple(ArchivedForm.from_dict(f) for f in data.get("forms") or ()),
            attachments=tuple(ElementAttachment.from_dict(a) for a in data.get("attachments") or ()),
            approvers=tuple(Signature.from_dict(a) for a in data.get("approvers") or ()),
            case_id=data.get("case_id"),
            shipment_metadata=tuple((k, v) for k, v in data.get("shipment_metadata") or ()),
            receipt_id=int(data.get("receipt_id") or 0), encrypted=bool(data.get("encrypted")),
        )


@dataclass(frozen=True)
class ShipmentStatusEntry:
    """One step of handing an archived form task over: ``description`` is ``<shipment definition>|<sequence>``."""

    archive_reference: str
    at: datetime
    status: str  # one of SHIPMENT_STATUSES
    description: str

    def to_dict(self) -> dict:
        return {"archive_reference": self.archive_reference, "at": self.at.isoformat(), "status": self.status,
                "description": self.description}

    @classmethod
    def from_dict(cls, data: dict) -> "ShipmentStatusEntry":
        return cls(data["archive_reference"], datetime.fromisoformat(data["at"]), data["status"],
                   data["description"])


# Called inside the submission's transaction with each newly archived form task (``AltinnService.on_archived``).
ArchiveListener = Callable[[ArchivedFormTask], None]


class ArchiveRepository(Protocol):
    def next_archive_reference(self) -> str: ...  # "AR" + a number never given before
    def next_form_references(self, count: int) -> list[int]: ...
    def add_archived(self, task: ArchivedFormTask) -> None: ...
    def get_archived(self, archive_reference: str) -> ArchivedFormTask | None: ...
    def list_archived(self, newest: int | None = None) -> list[ArchivedFormTask]: ...  # oldest first
    def archived_of_element(self, element_id: int) -> ArchivedFormTask | None: ...  # by its ReporteeElementID
    # an owner's tasks, oldest first: of one service (and edition), archived between since and until (inclusive)
    def archived_of_owner(self, owner: str, service_code: str | None = None, service_edition: int | None = None,
                          since: datetime | None = None, until: datetime | None = None,
                          limit: int | None = None) -> list[ArchivedFormTask]: ...
    def log_shipment(self, entry: ShipmentStatusEntry) -> None: ...
    def shipment_log(self, archive_reference: str) -> list[ShipmentStatusEntry]: ...  # oldest first
