"""The demo service's table and repository."""

from __future__ import annotations

from altinn_so.domain.values import evolve
from altinn_so.store.documents import dump, dump_without_id, in_id_order, load_with_id, parse
from altinn_so.store.schema import TableGroup

from .rules import Note, Topic

TABLES = TableGroup(
    "demo",
    migrations=("CREATE TABLE demo_notes (id {id}, owner TEXT NOT NULL, data TEXT NOT NULL)",
                "CREATE INDEX demo_notes_owner ON demo_notes (owner)",
                "CREATE TABLE demo_topics (name TEXT PRIMARY KEY, data TEXT NOT NULL)"),
    runtime_tables=("demo_notes",),
    numbered_tables=("demo_notes",),
    seed_tables=("demo_topics",),
)


class SqlNotes:
    def __init__(self, db):
        self._db = db

    def add(self, note: Note) -> Note:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("demo_notes", ("owner", "data"), (note.owner, dump_without_id(note)))
        return evolve(note, id=new_id)

    def save(self, note: Note) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE demo_notes SET data=? WHERE id=?", (dump_without_id(note), note.id))

    def get(self, note_id: int) -> Note | None:
        rows = self._db.query("SELECT id, data FROM demo_notes WHERE id=?", (note_id,))
        return load_with_id(Note.from_dict, rows[0][1], rows[0][0]) if rows else None

    def list(self, newest: int | None = None) -> list[Note]:
        return [load_with_id(Note.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM demo_notes", (), newest)]


class SqlTopics:
    def __init__(self, db):
        self._db = db

    def put(self, topic: Topic) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO demo_topics (name, data) VALUES (?, ?) "
                         "ON CONFLICT (name) DO UPDATE SET data = excluded.data", (topic.name, dump(topic.to_dict())))

    def list(self, newest: int | None = None) -> list[Topic]:
        topics = [Topic.from_dict(parse(data)) for (data,) in self._db.query("SELECT data FROM demo_topics ORDER BY name")]
        return topics[-newest:] if newest else topics
