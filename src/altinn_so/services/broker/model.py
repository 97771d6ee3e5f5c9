"""A broker shipment as the rules keep it: the manifest, its recipients and their state, and the uploaded file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from altinn_so.domain.files import FileRef

UPLOADED = "Uploaded"
DOWNLOADED = "Downloaded"
FILE_STATUSES = (UPLOADED, DOWNLOADED)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _text(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class ShipmentRecipient:
    party: str  # organisation or national identity number
    status: str = ""  # "" until the file is uploaded, then Uploaded, then Downloaded
    receipt_id: int = 0  # the recipient's sub-receipt, once the file is uploaded
    downloaded_at: datetime | None = None

    def to_dict(self) -> dict:
        return {"party": self.party, "status": self.status, "receipt_id": self.receipt_id,
                "downloaded_at": _text(self.downloaded_at)}

    @classmethod
    def from_dict(cls, data: dict) -> "ShipmentRecipient":
        return cls(party=data["party"], status=data.get("status") or "", receipt_id=int(data.get("receipt_id") or 0),
                   downloaded_at=_time(data.get("downloaded_at")))


@dataclass(frozen=True)
class Shipment:
    id: int
    reference: str  # the upload reference InitiateBrokerService returns (a GUID)
    owner: str  # the service owner whose system initiated it
    sender: str  # the manifest's Reportee
    service_code: str
    service_edition: int
    senders_reference: str
    initiated_at: datetime
    recipients: tuple[ShipmentRecipient, ...]
    manifest_files: tuple[tuple[str, str | None], ...] = ()  # (FileName, CheckSum) the manifest names
    properties: tuple[tuple[str, str], ...] = ()
    file_name: str | None = None  # the upload's FileName header
    file: FileRef | None = None  # None until uploaded, and again once retention removed it
    uploaded_at: datetime | None = None
    expires_at: datetime | None = None  # uploaded_at + the service's retention
    deleted_at: datetime | None = None  # when retention removed the file
    receipt_id: int = 0  # the sender's main receipt
    infected_next: bool = False  # the admin API's "the next upload has a virus" (ErrorID 40209)

    @property
    def uploaded(self) -> bool:
        return self.uploaded_at is not None

    @property
    def available(self) -> bool:
        """Uploaded and not yet removed by retention."""
        return self.uploaded and self.deleted_at is None

    @property
    def state(self) -> str:
        if self.deleted_at is not None:
            return "Deleted"
        return "Uploaded" if self.uploaded else "Initiated"

    def recipient(self, party: str) -> ShipmentRecipient | None:
        return next((r for r in self.recipients if r.party == party), None)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "reference": self.reference, "owner": self.owner, "sender": self.sender,
            "service_code": self.service_code, "service_edition": self.service_edition,
            "senders_reference": self.senders_reference, "initiated_at": _text(self.initiated_at),
            "recipients": [r.to_dict() for r in self.recipients],
            "manifest_files": [list(f) for f in self.manifest_files],
            "properties": [list(p) for p in self.properties], "file_name": self.file_name,
            "file": {"sha256": self.file.sha256, "size": self.file.size} if self.file else None,
            "uploaded_at": _text(self.uploaded_at), "expires_at": _text(self.expires_at),
            "deleted_at": _text(self.deleted_at), "receipt_id": self.receipt_id,
            "infected_next": self.infected_next, "state": self.state,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Shipment":
        stored = data.get("file")
        return cls(
            id=int(data.get("id") or 0), reference=data["reference"], owner=data["owner"], sender=data["sender"],
            service_code=data["service_code"], service_edition=int(data["service_edition"]),
            senders_reference=data.get("senders_reference") or "", initiated_at=_time(data["initiated_at"]),
            recipients=tuple(ShipmentRecipient.from_dict(r) for r in data.get("recipients") or ()),
            manifest_files=tuple((f[0], f[1]) for f in data.get("manifest_files") or ()),
            properties=tuple((p[0], p[1]) for p in data.get("properties") or ()),
            file_name=data.get("file_name"),
            file=FileRef(stored["sha256"], int(stored["size"])) if stored else None,
            uploaded_at=_time(data.get("uploaded_at")), expires_at=_time(data.get("expires_at")),
            deleted_at=_time(data.get("deleted_at")), receipt_id=int(data.get("receipt_id") or 0),
            infected_next=bool(data.get("infected_next")))
