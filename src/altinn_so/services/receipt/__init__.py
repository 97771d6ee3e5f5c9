"""ReceiptAgencyExternal, the receipt service (docs/behaviour/receipts.md).

Receipts themselves are core (``altinn_so.domain.receipts``): every service that stores something creates
one. This package is the wire contract that reads and updates them (``contract``, ``wire_types``) and what
the admin API and page show of them.
"""

from altinn_so.service import AltinnService, Cell, Listing

from .contract import RECEIPT_AGENCY_EXTERNAL

RECEIPTS = Listing(
    "receipts", "receipts",
    read=lambda emulator, newest: emulator.receipt_store.list_receipts(newest),
    title="Receipts",
    columns=("#", "parent", "type", "status", "text", "references", "last changed"),
    row=lambda r: [r.id, r.parent_id or "", r.type, Cell(r.status.value, "ok" if r.status.value == "OK" else "fault"),
                   r.text, ", ".join(f"{ref.type}={ref.value}" for ref in r.references), r.last_changed],
    empty="No receipts yet.",
)

SERVICE = AltinnService(
    key="receipt",
    contracts=(RECEIPT_AGENCY_EXTERNAL,),
    listings=(RECEIPTS,),
)

__all__ = ["SERVICE"]
