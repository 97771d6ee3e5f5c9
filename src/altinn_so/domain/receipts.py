"""Receipts ("kvitteringer", docs/behaviour/receipts.md).

Every shipment into or out of Altinn has a receipt; a service owner reads and
updates the ones it may see. A receipt belongs to the party in its
``OwnerPartyReference``; parties named in ``PartyReference`` may read and
update it too. Receipts nest two levels at most.

``ReceiptHistory`` keeps every state a receipt has had, newest first, one line
each, in the format Altinn used: ``Apr 19 2018  9:01AM - OK - Correspondence
Saved Successfully``. An update records who made it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Protocol

from .auth import Caller
from .clock import Clock, as_aware, local_time
from .errors import AltinnError, ErrorCode


class ReceiptStatus(str, Enum):
    NOT_SET = "NotSet"  # the default; never a real status
    OK = "OK"
    UNEXPECTED_ERROR = "UnExpectedError"
    VALIDATION_FAILED = "ValidationFailed"
    REJECTED = "Rejected"


# ReceiptTypeEnum (2009/10); ReceiptType (2015/06) adds BrokerService.
RECEIPT_TYPES_2009 = (
    "NotSet", "FormTask", "Correspondence", "PINCODE", "Subscription", "Outbound", "PreFill", "RegisterDLS",
    "RegisterDSF", "RegisterER", "RegisterDSFProperty", "RegisterDSFStreet", "RegisterDSFCountry",
    "RegisterDSFUser", "LookUp", "RegisterDSFStreetAdd", "RegisterDSFPropertyAdd",
)
RECEIPT_TYPES = RECEIPT_TYPES_2009 + ("BrokerService",)

OWNER_PARTY = "OwnerPartyReference"
PARTY = "PartyReference"
ARCHIVE_REFERENCE = "ArchiveReference"
# The reference types a receipt can be looked up by (docs/behaviour/receipts.md, GetReceiptV2).
SEARCHABLE_REFERENCES = ("ArchiveReference", "OutboundShipmentReference", "BatchReference", "EndUserSystemReference",
                         "ExternalShipmentReference", "SendersReference")


@dataclass(frozen=True)
class Reference:
    type: str
    value: str


@dataclass(frozen=True)
class Receipt:
    id: int
    type: str
    status: ReceiptStatus
    text: str
    last_changed: datetime
    history: str = ""
    parent_id: int = 0
    references: tuple[Reference, ...] = ()
    template: str | None = None  # ReceiptTemplate: "not in use"
    sub_receipts: tuple["Receipt", ...] = ()  # filled in when read

    @property
    def owner_party(self) -> str | None:
        return next((r.value for r in self.references if r.type == OWNER_PARTY), None)

    def visible_to(self, party: str) -> bool:
        return any(r.type in (OWNER_PARTY, PARTY) and r.value == party for r in self.references)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "type": self.type, "status": self.status.value, "text": self.text,
            "last_changed": self.last_changed.isoformat(), "history": self.history, "parent_id": self.parent_id,
            "references": [[r.type, r.value] for r in self.references], "template": self.template,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Receipt":
        return cls(
            id=int(data["id"]), type=data["type"], status=ReceiptStatus(data["status"]), text=data["text"],
            last_changed=datetime.fromisoformat(data["last_changed"]), history=data.get("history") or "",
            parent_id=int(data.get("parent_id") or 0),
            references=tuple(Reference(t, v) for t, v in data.get("references") or ()),
            template=data.get("template"),
        )


@dataclass(frozen=True)
class ReceiptSave:
    """An update: UpdateReceipt's ReceiptSave or SaveReceipt's ReceiptSaveExternal."""

    receipt_id: int | None
    archive_reference: str | None
    status: str | None
    text: str | None
    references: tuple[Reference, ...] = ()
    sub_receipts: tuple["ReceiptSave", ...] = ()


class ReceiptRepository(Protocol):
    def add_receipt(self, receipt: Receipt) -> Receipt: ...  # assigns the id
    def get_receipt(self, receipt_id: int) -> Receipt | None: ...
    def save_receipt(self, receipt: Receipt) -> None: ...
    def children_of(self, receipt_id: int) -> list[Receipt]: ...
    def children_of_each(self, receipt_ids: list[int]) -> dict[int, list[Receipt]]: ...  # one read for many
    def find_by_reference(self, reference_type: str, value: str) -> list[Receipt]: ...  # newest (highest id) first
    # top-level receipts of a type changed in the window, that ``party`` may see (see Receipt.visible_to)
    def list_changed(self, receipt_type: str, since: datetime | None, until: datetime | None,
                     party: str) -> list[Receipt]: ...


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def history_line(at: datetime, status: ReceiptStatus, text: str) -> str:
    """``Apr 19 2018  9:01AM - OK - text``: the way Altinn wrote receipt history.

    Month names are Altinn's (English) whatever the process's locale, which ``%b`` would follow."""
    local = local_time(at)
    hour = local.hour % 12 or 12
    return (f"{_MONTHS[local.month - 1]} {local.day:2d} {local.year} {hour:2d}:{local.minute:02d}"
            f"{'AM' if local.hour < 12 else 'PM'} - {status.value} - {text}")


class ReceiptService:
    def __init__(self, store: ReceiptRepository, clock: Clock, transaction):
        self.store = store
        self.clock = clock
        self._transaction = transaction  # a context manager factory making a unit of work atomic

    # -- created by Altinn -------------------------------------------------------------------------

    def create(self, receipt_type: str, status: ReceiptStatus, text: str, references: list[Reference], *,
               parent_id: int = 0) -> Receipt:
        if receipt_type not in RECEIPT_TYPES or receipt_type == "NotSet":
            raise ValueError(f"not a receipt type: {receipt_type}")
        now = self.clock.now()
        return self.store.add_receipt(Receipt(
            id=0, type=receipt_type, status=status, text=text, last_changed=now,
            history=history_line(now, status, text), parent_id=parent_id, references=tuple(references)))

    # -- what service owners call --------------------------------------------------------------------

    def get(self, caller: Caller, receipt_id: int | None, references: list[Reference]) -> Receipt:
        """GetReceipt: by id, or else by the first usable reference (the newest receipt that has it)."""
        receipt = None
        if receipt_id:
            receipt = self.store.get_receipt(receipt_id)
        else:
            for reference in references:
                if reference.type in SEARCHABLE_REFERENCES and reference.value:
                    found = [r for r in self.store.find_by_reference(reference.type, reference.value)
                             if r.visible_to(caller.owner.orgno)]
                    receipt = found[0] if found else None
                    break
        if receipt is None or not receipt.visible_to(caller.owner.orgno):
            # Altinn does not tell "exists but not yours" apart from "does not exist" here.
            raise AltinnError(ErrorCode.NO_RECEIPT, "No receipt found for the given ReceiptId or reference.")
        return self._with_children(receipt)

    def list(self, caller: Caller, receipt_type: str | None, date_from: datetime | None,
             date_to: datetime | None) -> list[Receipt]:
        """GetReceiptList: the caller's receipts of a type whose LastChanged lies in the window."""
        if not receipt_type or receipt_type == "NotSet":
            raise AltinnError(ErrorCode.RECEIPT_TYPE_NOT_SET, "ReceiptTypeName must be set (not NotSet).")
        date_from = as_aware(date_from) if date_from else None  # naive client times are Norwegian time
        date_to = as_aware(date_to) if date_to else None
        if date_from and date_to and date_from > date_to:
            raise AltinnError(ErrorCode.RECEIPT_DATE_ORDER, "dateFrom cannot be later than dateTo.")
        # Top-level receipts only; each carries its sub-receipts (read for all of them at once).
        listed = self.store.list_changed(receipt_type, date_from, date_to, caller.owner.orgno)
        children = self.store.children_of_each([receipt.id for receipt in listed])
        return [replace(receipt, sub_receipts=tuple(children[receipt.id])) for receipt in listed]

    def update(self, caller: Caller, save: ReceiptSave) -> Receipt:
        """UpdateReceipt / SaveReceipt. Errors as documented, including Altinn's ErrorID 0 quirks."""
        with self._transaction():  # read, check and write as one unit: no lost updates
            return self._update(caller, save)

    def _update(self, caller: Caller, save: ReceiptSave) -> Receipt:
        has_id = bool(save.receipt_id)
        has_archive = bool(save.archive_reference)
        if has_id and has_archive:
            raise AltinnError(ErrorCode.GENERAL_ERROR,
                              "Specify either ReceiptId or ArchiveReference, not both.")
        if not has_id and not has_archive:
            raise AltinnError(ErrorCode.GENERAL_ERROR, "Specify ReceiptId or ArchiveReference.")
        party = caller.owner.orgno
        if has_id:
            found = [r for r in [self.store.get_receipt(save.receipt_id)] if r is not None]
        else:
            found = self.store.find_by_reference(ARCHIVE_REFERENCE, save.archive_reference)  # newest first
        if not found:
            raise AltinnError(ErrorCode.NO_RECEIPT, "There is no receipt to update.")
        visible = [r for r in found if r.visible_to(party)]
        if not visible:
            raise AltinnError(ErrorCode.GENERAL_ERROR, "The system has no access to this receipt.")
        receipt = visible[0]  # several with the archive reference: the newest the caller may update
        self._check(save)
        children = {child.id: child for child in self.store.children_of(receipt.id)}
        listed = [sub.receipt_id for sub in save.sub_receipts]
        if len(listed) != len(set(listed)):
            raise AltinnError(ErrorCode.GENERAL_ERROR, "A sub-receipt is listed more than once.")
        for sub in save.sub_receipts:
            if not sub.receipt_id or sub.receipt_id not in children:
                raise AltinnError(ErrorCode.NO_RECEIPT,
                                  f"Sub-receipt {sub.receipt_id} is not a sub-receipt of receipt {receipt.id}; "
                                  "sub-receipts can be updated, not created.")
            self._check(sub)

        updated = self._apply(receipt, save, caller)
        for sub in save.sub_receipts:
            self._apply(children[sub.receipt_id], sub, caller)
        return self._with_children(updated)

    def force_status(self, receipt_id: int, status: str, text: str | None = None) -> Receipt:
        """Give a receipt another status, as when Altinn answered a shipment with a non-OK receipt
        (fault injection uses this)."""
        with self._transaction():
            receipt = self.store.get_receipt(receipt_id)
            if receipt is None:
                raise ValueError(f"receipt {receipt_id} does not exist")
            updated = self._saved_with(receipt, ReceiptStatus(status), text or receipt.text)
            return self._with_children(updated)

    # -- helpers ---------------------------------------------------------------------------------------

    @staticmethod
    def _check(save: ReceiptSave) -> None:
        if save.status not in {s.value for s in ReceiptStatus} - {ReceiptStatus.NOT_SET.value}:
            raise AltinnError(ErrorCode.GENERAL_ERROR,
                              "ReceiptStatus must be OK, UnExpectedError, ValidationFailed or Rejected.")
        if save.text is None or save.text == "":
            raise AltinnError(ErrorCode.GENERAL_ERROR, "ReceiptText is required.")
        for reference in save.references:
            if reference.type in ("NotSet", OWNER_PARTY):
                raise AltinnError(ErrorCode.GENERAL_ERROR,
                                  f"A reference of type {reference.type} cannot be added to a receipt.")

    def _apply(self, receipt: Receipt, save: ReceiptSave, caller: Caller) -> Receipt:
        added = tuple(r for r in dict.fromkeys(save.references) if r not in set(receipt.references))
        return self._saved_with(receipt, ReceiptStatus(save.status), save.text,
                                history_text=f"{save.text} (Receipt updated by AgencySystem: {caller.owner.code})",
                                references=receipt.references + added)

    def _saved_with(self, receipt: Receipt, status: ReceiptStatus, text: str, *, history_text: str | None = None,
                    references: tuple[Reference, ...] | None = None) -> Receipt:
        """``receipt`` with a new status and text as of now, a line for it on top of its history; stored."""
        now = self.clock.now()
        line = history_line(now, status, text if history_text is None else history_text)
        updated = replace(receipt, status=status, text=text, last_changed=now,
                          history=line + ("\n" + receipt.history if receipt.history else ""),
                          references=receipt.references if references is None else references)
        self.store.save_receipt(updated)
        return updated

    def _with_children(self, receipt: Receipt) -> Receipt:
        return replace(receipt, sub_receipts=tuple(self.store.children_of(receipt.id)))
