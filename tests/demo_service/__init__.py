"""A small Altinn-like service that exists only in the test suite: the proof that a service is one package
and one registration (``SERVICES + (demo_service.SERVICE,)``), with no file of the emulator edited.

It keeps notes: ``SaveNote`` stores one for the calling service owner in its own table and answers its id;
``/_admin/state/notes`` lists them and the admin page shows them; ``POST /_admin/notes/{id}/pin`` pins one.
"""

from altinn_so.service import AltinnService

from . import admin
from .contract import DEMO_AGENCY_EXTERNAL
from .rules import NoteBook, NoteSettings
from .store import TABLES, SqlNotes


def _build(emulator, settings: NoteSettings) -> dict:
    store = SqlNotes(emulator.db)
    return {"note_store": store, "notes": NoteBook(store, emulator.clock, emulator.db.transaction, settings)}


SERVICE = AltinnService(
    key="demo",
    contracts=(DEMO_AGENCY_EXTERNAL,),
    tables=TABLES,
    build=_build,
    default_settings=NoteSettings(),
    listings=admin.LISTINGS,
    admin_routes=admin.ADMIN_ROUTES,
)
