"""What the admin API and page show of correspondences, and the end user's steps a test can take."""

from __future__ import annotations

from altinn_so.admin.api import ApiError
from altinn_so.service import AdminRoute, Listing

from .rules.model import CorrespondenceStateError

LISTINGS = (
    Listing(
        "correspondences", "correspondences",
        read=lambda emulator, newest: emulator.correspondence_store.list_correspondences(newest),
        title="Correspondences",
        columns=("#", "created", "owner", "service", "reportee", "senders reference", "title", "status"),
        row=lambda c: [c.id, c.created_at, c.owner, f"{c.service_code}/{c.service_edition}", c.reportee,
                       c.senders_reference, c.title, " → ".join(s.status.value for s in c.status_changes)],
        empty="No correspondence yet."),
    Listing("sdp", "sdp_shipments", read=lambda emulator, newest: emulator.correspondence_store.list_sdp(newest)),
)


def end_user_step(emulator, request):
    """``POST /_admin/correspondences/{id}/read|confirm``: the reportee reads or confirms the message."""
    step = getattr(emulator.correspondence, request.params["step"])
    try:
        correspondence = step(int(request.params["id"]))
    except CorrespondenceStateError as exc:
        raise ApiError(404 if "does not exist" in str(exc) else 409, str(exc)) from None
    return {"id": correspondence.id, "status": correspondence.status.value,
            "status_changes": [[c.status.value, c.at.isoformat()] for c in correspondence.status_changes]}


ADMIN_ROUTES = (AdminRoute("POST", r"/correspondences/(?P<id>\d{1,18})/(?P<step>read|confirm)", end_user_step),)
