"""What the admin API and page show of the rights register: its rules."""

from __future__ import annotations

from altinn_so.service import Listing

LISTINGS = (
    Listing(
        "srr-rules", "srr_rules",
        read=lambda emulator, newest: emulator.srr_store.list_rules(newest),
        title="Rights register (SRR)",
        columns=("#", "service", "reportee", "right", "condition", "valid to"),
        row=lambda r: [r.id, f"{r.service_code}/{r.service_edition}", r.reportee, r.right, r.condition or "",
                       r.valid_to],
        empty="No rule in the rights register yet."),
)
