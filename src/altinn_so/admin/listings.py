"""The core's own listings: what the admin API (``/_admin/state/<kind>``) and page show of the forms model that no
single service owns. The worklist's elements are put there by PreFill and subscriptions, and leave it by the end
user's submission into the archive (docs/behaviour/forms.md)."""

from __future__ import annotations

from ..service import Cell, Listing


def _forms(item) -> str:
    return ", ".join(f"{f.data_format_id}/{f.data_format_version}" for f in item.forms)


CORE_LISTINGS = (
    Listing(
        "reportee-elements", "reportee_elements",
        read=lambda emulator, newest: emulator.reportee_elements.list_elements(newest),
        title="Worklist elements",
        columns=("#", "created", "owner", "service", "reportee", "kind", "status", "visible", "due", "case",
                 "forms", "attachments", "signed by", "archive reference"),
        row=lambda e: [e.id, e.created_at, e.owner, f"{e.service_code}/{e.service_edition}", e.reportee, e.kind,
                       Cell(e.status, "muted" if e.status == "archived" else ""), e.visible_at, e.due_at or "",
                       e.case_id or "", _forms(e), len(e.attachments) or "",
                       ", ".join(s.signer for s in e.signatures), e.archive_reference or ""],
        empty="No worklist element yet."),
    Listing(
        "archived-form-tasks", "archived_form_tasks",
        read=lambda emulator, newest: emulator.archive.list_archived(newest),
        title="Archive",
        columns=("archive reference", "archived", "owner", "service", "reportee", "element", "forms",
                 "attachments", "approvers", "metadata"),
        row=lambda t: [t.archive_reference, t.archived_at, t.owner, f"{t.service_code}/{t.service_edition}",
                       f"{t.reportee} ({t.reportee_type})", t.element_id, _forms(t), len(t.attachments) or "",
                       ", ".join(f"{a.signer} ({a.security_level_name})" for a in t.approvers),
                       ", ".join(f"{key}={value}" for key, value in t.shipment_metadata)],
        empty="No form task submitted yet."),
)
