"""A small Altinn-like service that exists only in the test suite: the proof that a service is one package
and one registration (``SERVICES + (demo_service.SERVICE,)``), with no file of the emulator edited.

It keeps notes: ``SaveNote`` stores one for the calling service owner in its own table and answers its id;
``/_admin/state/notes`` lists them and the admin page shows them; ``POST /_admin/notes/{id}/pin`` pins one.
Seed files may hold a ``topics`` section; ``seed.yaml`` beside this file adds one topic to the default seed.
"""

from pathlib import Path

from altinn_so.service import AltinnService, SeedSection

from . import admin
from .contract import DEMO_AGENCY_EXTERNAL
from .rules import NoteBook, NoteSettings, Topic
from .store import TABLES, SqlNotes, SqlTopics


def _build(emulator, settings: NoteSettings) -> dict:
    store = SqlNotes(emulator.db)
    return {"note_store": store, "topic_store": SqlTopics(emulator.db),
            "notes": NoteBook(store, emulator.clock, emulator.db.transaction, settings)}


TOPICS = SeedSection("topics", build=Topic.from_dict, key=lambda topic: topic.name,
                     put=lambda emulator, topic: emulator.topic_store.put(topic), owner=lambda topic: topic.owner)


SERVICE = AltinnService(
    key="demo",
    contracts=(DEMO_AGENCY_EXTERNAL,),
    tables=TABLES,
    build=_build,
    default_settings=NoteSettings(),
    listings=admin.LISTINGS + (admin.TOPICS,),
    admin_routes=admin.ADMIN_ROUTES,
    seed_sections=(TOPICS,),
    default_seed=Path(__file__).with_name("seed.yaml"),
)
