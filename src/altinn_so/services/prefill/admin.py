"""What the admin API and page show of prefill: the prefilled sets (the worklist elements they instantiate are the
core's listing, ``admin.listings``)."""

from __future__ import annotations

from altinn_so.service import Listing

LISTINGS = (
    Listing(
        "prefilled-sets", "prefilled_sets",
        read=lambda emulator, newest: emulator.prefill_store.list_sets(newest),
        title="Prefilled sets",
        columns=("#", "created", "owner", "service", "reportee", "identity fields", "shipment reference", "forms",
                 "valid", "element"),
        row=lambda s: [s.id, s.created_at, s.owner, f"{s.service_code}/{s.service_edition}", s.reportee,
                       s.identity_key, s.shipment_reference,
                       ", ".join(f"{f.data_format_id}/{f.data_format_version}" for f in s.forms),
                       f"{s.valid_from:%Y-%m-%d} – {s.valid_to:%Y-%m-%d}", s.element_id or ""],
        empty="No prefilled set yet."),
)
