"""What the admin API and page show of the download queue: every queued archived form task, purged or not."""

from __future__ import annotations

from altinn_so.service import Cell, Listing

LISTINGS = (
    Listing(
        "download-queue", "download_queue",
        read=lambda emulator, newest: emulator.download_queue_store.list_items(newest),
        title="Download queue",
        columns=("#", "archived", "archive reference", "owner", "service", "reportee", "type", "metadata",
                 "purged"),
        row=lambda i: [i.id, i.archived_at, i.archive_reference, i.owner, f"{i.service_code}/{i.service_edition}",
                       i.reportee, i.reportee_type, ", ".join(f"{k}={v}" for k, v in i.shipment_metadata),
                       Cell(i.purged_at, "muted") if i.purged_at else Cell("waiting", "ok")],
        empty="Nothing queued yet: a form task submitted on a download-queue service lands here."),
)
