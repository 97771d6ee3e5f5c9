"""The push queue and its attempts, on any ``Database`` (SQLite or PostgreSQL).

A push is a JSON document beside the columns it is found by: its receiver and state (a receiver's head is its
oldest waiting push) and the wall-clock lease a worker holds while it calls the receiver, so that two workers
never push to one receiver at once. The sequence numbers are the core's gapless sequences, one per receiver.
"""

from __future__ import annotations

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import dump_without_id, in_id_order, load_with_id
from altinn_so.store.schema import TableGroup

from .rules import WAITING, Attempt, Push

TABLES = TableGroup(
    "push",
    migrations=(
        """
        CREATE TABLE push_queue (
            id {id}, receiver TEXT NOT NULL, archive_reference TEXT NOT NULL, state TEXT NOT NULL,
            leased_until DOUBLE PRECISION, data TEXT NOT NULL);
        CREATE INDEX push_queue_heads ON push_queue (state, receiver, id);
        CREATE INDEX push_queue_reference ON push_queue (archive_reference);
        CREATE TABLE push_attempts (id {id}, push_id INTEGER NOT NULL, data TEXT NOT NULL);
        CREATE INDEX push_attempts_push ON push_attempts (push_id, id);
        """,
    ),
    runtime_tables=("push_queue", "push_attempts"),
    numbered_tables=("push_queue", "push_attempts"),
)

_SELECT = "SELECT id, data FROM push_queue"


def _push(row) -> Push:
    return load_with_id(Push.from_dict, row[1], row[0])


def _attempt(row) -> Attempt:
    return load_with_id(Attempt.from_dict, row[1], row[0])


class SqlPushes:
    def __init__(self, db: Database):
        self._db = db

    def next_sequence_number(self, receiver: str) -> int:
        return self._db.next_value(f"push {receiver}")

    def last_push_id(self, receiver: str) -> int:
        rows = self._db.query("SELECT MAX(id) FROM push_queue WHERE receiver=?", (receiver,))
        return rows[0][0] or 0

    def add_push(self, push: Push) -> Push:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("push_queue", ("receiver", "archive_reference", "state", "data"),
                                     (push.receiver, push.archive_reference, push.state, dump_without_id(push)))
        return evolve(push, id=new_id)

    def save_push(self, push: Push) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE push_queue SET state=?, data=? WHERE id=?",
                         (push.state, dump_without_id(push), push.id))

    def get_push(self, push_id: int) -> Push | None:
        rows = self._db.query(_SELECT + " WHERE id=?", (push_id,))
        return _push(rows[0]) if rows else None

    def heads(self) -> list[Push]:
        rows = self._db.query(
            f"{_SELECT} WHERE id IN (SELECT MIN(id) FROM push_queue WHERE state=? GROUP BY receiver) ORDER BY id",
            (WAITING,))
        return [_push(row) for row in rows]

    def head(self, receiver: str) -> Push | None:
        rows = self._db.query(f"{_SELECT} WHERE state=? AND receiver=? ORDER BY id LIMIT 1", (WAITING, receiver))
        return _push(rows[0]) if rows else None

    def take(self, push_id: int, now: float, until: float) -> bool:
        with self._db.transaction() as conn:
            taken = conn.execute("UPDATE push_queue SET leased_until=? WHERE id=? AND state=? AND "
                                 "(leased_until IS NULL OR leased_until < ?)", (until, push_id, WAITING, now))
        return taken.rowcount > 0

    def release(self, push_id: int) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE push_queue SET leased_until=NULL WHERE id=?", (push_id,))

    def add_attempt(self, attempt: Attempt) -> Attempt:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("push_attempts", ("push_id", "data"), (attempt.push_id, dump_without_id(attempt)))
        return evolve(attempt, id=new_id)

    def attempts_of(self, push_id: int) -> list[Attempt]:
        rows = self._db.query("SELECT id, data FROM push_attempts WHERE push_id=? ORDER BY id", (push_id,))
        return [_attempt(row) for row in rows]

    def list_pushes(self, newest: int | None = None) -> list[Push]:
        return [_push(row) for row in in_id_order(self._db, _SELECT, (), newest)]

    def list_attempts(self, newest: int | None = None) -> list[Attempt]:
        return [_attempt(row) for row in in_id_order(self._db, "SELECT id, data FROM push_attempts", (), newest)]
