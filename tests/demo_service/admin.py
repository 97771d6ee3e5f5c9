"""What the admin API and page show of the demo service, and its one admin route."""

from __future__ import annotations

from altinn_so.admin.api import ApiError
from altinn_so.service import AdminRoute, Cell, Listing


def _pin(emulator, request):
    note = emulator.notes.pin(int(request.params["id"]))
    if note is None:
        raise ApiError(404, f"no note {request.params['id']}")
    return note.to_dict()


LISTINGS = (Listing("notes", "demo_notes", read=lambda emulator, newest: emulator.note_store.list(newest),
                    title="Notes", columns=("#", "owner", "written", "text", "pinned"),
                    row=lambda n: [n.id, n.owner, n.written_at, n.text, Cell("yes" if n.pinned else "no", "muted")],
                    empty="No notes yet."),)
TOPICS = Listing("topics", "demo_topics", read=lambda emulator, newest: emulator.topic_store.list(newest))
ADMIN_ROUTES = (AdminRoute("POST", r"/notes/(?P<id>\d{1,18})/pin", _pin),)
