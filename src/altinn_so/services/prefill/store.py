"""The prefilled sets' table and its repository, on any ``Database`` (SQLite or PostgreSQL).

The worklist elements a prefill instantiates are core reportee elements (``store.schema``), not kept here."""

from __future__ import annotations

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import dump_without_id, in_id_order, load_with_id, timestamp
from altinn_so.store.schema import TableGroup

from .batches import PendingBatch
from .rules import PrefilledSet

TABLES = TableGroup(
    "prefill",
    migrations=(
        """
        CREATE TABLE prefilled_sets (
            id {id}, owner TEXT NOT NULL, service_code TEXT NOT NULL, service_edition INTEGER NOT NULL,
            reportee TEXT NOT NULL, identity_key TEXT NOT NULL, created_at TEXT NOT NULL, data TEXT NOT NULL);
        CREATE UNIQUE INDEX prefilled_sets_key
            ON prefilled_sets (service_code, service_edition, reportee, identity_key);
        """,
        # SubmitPrefilledFormTasks' batches waiting for the clock's due work (rules.PrefillService.process_batches)
        """
        CREATE TABLE prefill_batches (id {id}, received_at TEXT NOT NULL, data TEXT NOT NULL);
        """,
    ),
    runtime_tables=("prefilled_sets", "prefill_batches"),
    numbered_tables=("prefilled_sets", "prefill_batches"),
)


class SqlPrefill:
    def __init__(self, db: Database):
        self._db = db

    def put_set(self, prefilled: PrefilledSet) -> PrefilledSet:
        """Store ``prefilled``, replacing the set of the same service, reportee and identity fields (its id stays)."""
        with self._db.transaction() as conn:
            rows = conn.query(
                "SELECT id FROM prefilled_sets WHERE service_code=? AND service_edition=? AND reportee=? "
                "AND identity_key=?", (prefilled.service_code, prefilled.service_edition, prefilled.reportee,
                                       prefilled.identity_key))
            if rows:
                stored = evolve(prefilled, id=rows[0][0])
                conn.execute("UPDATE prefilled_sets SET owner=?, created_at=?, data=? WHERE id=?",
                             (prefilled.owner, timestamp(prefilled.created_at), dump_without_id(stored), stored.id))
                return stored
            new_id = conn.insert_one(
                "prefilled_sets", ("owner", "service_code", "service_edition", "reportee", "identity_key",
                                   "created_at", "data"),
                (prefilled.owner, prefilled.service_code, prefilled.service_edition, prefilled.reportee,
                 prefilled.identity_key, timestamp(prefilled.created_at), dump_without_id(prefilled)))
        return evolve(prefilled, id=new_id)

    def find_set(self, service_code: str, service_edition: int, reportee: str,
                 identity_key: str) -> PrefilledSet | None:
        rows = self._db.query(
            "SELECT id, data FROM prefilled_sets WHERE service_code=? AND service_edition=? AND reportee=? "
            "AND identity_key=?", (service_code, service_edition, reportee, identity_key))
        return load_with_id(PrefilledSet.from_dict, rows[0][1], rows[0][0]) if rows else None

    def sets_of(self, service_code: str, service_edition: int, reportee: str) -> list[PrefilledSet]:
        """Every set of the service for the reportee, whatever its identity fields (a subscription's lookup)."""
        rows = self._db.query(
            "SELECT id, data FROM prefilled_sets WHERE service_code=? AND service_edition=? AND reportee=? "
            "ORDER BY id", (service_code, service_edition, reportee))
        return [load_with_id(PrefilledSet.from_dict, data, i) for i, data in rows]

    def list_sets(self, newest: int | None = None) -> list[PrefilledSet]:
        return [load_with_id(PrefilledSet.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM prefilled_sets", (), newest)]

    def add_batch(self, batch: PendingBatch) -> PendingBatch:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("prefill_batches", ("received_at", "data"),
                                     (timestamp(batch.received_at), dump_without_id(batch)))
        return evolve(batch, id=new_id)

    def pending_batches(self, limit: int) -> list[PendingBatch]:
        return [load_with_id(PendingBatch.from_dict, data, i) for i, data in self._db.query(
            f"SELECT id, data FROM prefill_batches ORDER BY id LIMIT {int(limit)}")]

    def take_batch(self, batch_id: int) -> bool:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM prefill_batches WHERE id=?", (batch_id,)).rowcount > 0
