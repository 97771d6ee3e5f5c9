"""The batch log's tables and their repository, on any ``Database`` (SQLite or PostgreSQL): batches, their items
and their issues, each a JSON document beside the columns it is found by."""

from __future__ import annotations

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import chunks, dump_without_id, in_id_order, load_with_id, timestamp
from altinn_so.store.schema import TableGroup

from .rules import PROCESSED, PROCESSING, RECEIVED, DataBatch, DataItem, Issue, OutboundFile

TABLES = TableGroup(
    "batch",
    migrations=(
        """
        CREATE TABLE data_batches (
            id {id}, owner TEXT NOT NULL, state TEXT NOT NULL, kind TEXT, system_user_code TEXT,
            sequence INTEGER, file_name TEXT NOT NULL, received_at TEXT NOT NULL, data TEXT NOT NULL);
        CREATE INDEX data_batches_state ON data_batches (state, id);
        CREATE INDEX data_batches_owner ON data_batches (owner, received_at, id);
        CREATE TABLE data_items (id {id}, batch_id INTEGER NOT NULL, data TEXT NOT NULL);
        CREATE INDEX data_items_batch ON data_items (batch_id, id);
        CREATE TABLE batch_issues (id {id}, batch_id INTEGER NOT NULL, item_id INTEGER, data TEXT NOT NULL);
        CREATE INDEX batch_issues_batch ON batch_issues (batch_id, id);
        CREATE TABLE outbound_files (id {id}, owner TEXT NOT NULL, name TEXT NOT NULL, removed INTEGER NOT NULL
                                     DEFAULT 0, data TEXT NOT NULL);
        CREATE UNIQUE INDEX outbound_files_name ON outbound_files (owner, name);
        """,
    ),
    runtime_tables=("data_batches", "data_items", "batch_issues", "outbound_files"),
    numbered_tables=("data_batches", "data_items", "batch_issues", "outbound_files"),
)

_BATCH = "SELECT id, data FROM data_batches"


def _batch(row) -> DataBatch:
    return load_with_id(DataBatch.from_dict, row[1], row[0])


class SqlBatches:
    def __init__(self, db: Database):
        self._db = db

    def add_batch(self, batch: DataBatch) -> DataBatch:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("data_batches", ("owner", "state", "kind", "system_user_code", "sequence",
                                                      "file_name", "received_at", "data"),
                                     (batch.owner, batch.state, batch.kind, batch.system_user_code, batch.sequence,
                                      batch.file_name, timestamp(batch.received_at), dump_without_id(batch)))
        return evolve(batch, id=new_id)

    def save_batch(self, batch: DataBatch) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE data_batches SET state=?, kind=?, system_user_code=?, sequence=?, data=? "
                         "WHERE id=?", (batch.state, batch.kind, batch.system_user_code, batch.sequence,
                                        dump_without_id(batch), batch.id))

    def get_batch(self, batch_id: int) -> DataBatch | None:
        rows = self._db.query(_BATCH + " WHERE id=?", (batch_id,))
        return _batch(rows[0]) if rows else None

    def waiting(self, limit: int) -> list[DataBatch]:
        rows = self._db.query(f"{_BATCH} WHERE state=? ORDER BY id LIMIT {int(limit)}", (RECEIVED,))
        return [_batch(row) for row in rows]

    def take(self, batch_id: int) -> bool:
        with self._db.transaction() as conn:
            taken = conn.execute("UPDATE data_batches SET state=? WHERE id=? AND state=?",
                                 (PROCESSING, batch_id, RECEIVED))
        return taken.rowcount > 0

    def add_item(self, item: DataItem) -> DataItem:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("data_items", ("batch_id", "data"), (item.batch_id, dump_without_id(item)))
        return evolve(item, id=new_id)

    def get_item(self, item_id: int) -> DataItem | None:
        rows = self._db.query("SELECT id, data FROM data_items WHERE id=?", (item_id,))
        return load_with_id(DataItem.from_dict, rows[0][1], rows[0][0]) if rows else None

    def save_item(self, item: DataItem) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE data_items SET data=? WHERE id=?", (dump_without_id(item), item.id))

    def add_issue(self, issue: Issue) -> Issue:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("batch_issues", ("batch_id", "item_id", "data"),
                                     (issue.batch_id, issue.item_id, dump_without_id(issue)))
        return evolve(issue, id=new_id)

    def list_batches(self, newest: int | None = None) -> list[DataBatch]:
        return [_batch(row) for row in in_id_order(self._db, _BATCH, (), newest)]

    def list_issues(self, newest: int | None = None) -> list[Issue]:
        return [load_with_id(Issue.from_dict, row[1], row[0])
                for row in in_id_order(self._db, "SELECT id, data FROM batch_issues", (), newest)]

    def items_of(self, batch_id: int) -> list[DataItem]:
        rows = self._db.query("SELECT id, data FROM data_items WHERE batch_id=? ORDER BY id", (batch_id,))
        return [load_with_id(DataItem.from_dict, row[1], row[0]) for row in rows]

    def issues_of(self, batch_id: int) -> list[Issue]:
        rows = self._db.query("SELECT id, data FROM batch_issues WHERE batch_id=? ORDER BY id", (batch_id,))
        return [load_with_id(Issue.from_dict, row[1], row[0]) for row in rows]

    # -- what BatchLoggingAgencyExternal asks (services/batch_logging) -------------------------------------

    def find_batches(self, owner: str, *, system_user_code=None, kind=None, received_from=None, received_to=None,
                     file_name=None, batch_id=None, sequence=None) -> list[DataBatch]:
        """The owner's batches that match every filter given, oldest first (StartDate is when it was received)."""
        clauses, params = ["owner=?"], [owner]
        for column, value in (("system_user_code", system_user_code), ("kind", kind), ("file_name", file_name),
                              ("id", batch_id), ("sequence", sequence)):
            if value is not None:
                clauses.append(f"{column}=?")
                params.append(value)
        if received_from is not None:
            clauses.append("received_at>=?")
            params.append(timestamp(received_from))
        if received_to is not None:
            clauses.append("received_at<=?")
            params.append(timestamp(received_to))
        rows = self._db.query(f"{_BATCH} WHERE {' AND '.join(clauses)} ORDER BY received_at, id", tuple(params))
        return [_batch(row) for row in rows]

    def count_issues(self, batch_ids: list[int], from_issue_id: int = 0) -> int:
        return sum(self._db.query(f"SELECT COUNT(*) FROM batch_issues WHERE id>=? AND batch_id IN "
                                  f"({','.join('?' * len(part))})", (from_issue_id, *part))[0][0]
                   for part in chunks(batch_ids))

    def issues_from(self, batch_ids: list[int], from_issue_id: int, limit: int) -> list[Issue]:
        """The first ``limit`` issues of these batches with an id of at least ``from_issue_id``, by id."""
        found: list[Issue] = []
        for part in chunks(batch_ids):
            rows = self._db.query(f"SELECT id, data FROM batch_issues WHERE id>=? AND batch_id IN "
                                  f"({','.join('?' * len(part))}) ORDER BY id LIMIT {int(limit)}",
                                  (from_issue_id, *part))
            found.extend(load_with_id(Issue.from_dict, row[1], row[0]) for row in rows)
        return sorted(found, key=lambda issue: issue.id)[:limit]

    def items_by_id(self, item_ids: list[int]) -> list[DataItem]:
        found: list[DataItem] = []
        for part in chunks(item_ids):
            rows = self._db.query(f"SELECT id, data FROM data_items WHERE id IN ({','.join('?' * len(part))})",
                                  tuple(part))
            found.extend(load_with_id(DataItem.from_dict, row[1], row[0]) for row in rows)
        return sorted(found, key=lambda item: item.id)

    def last_sequence(self, system_user_code: str, kind: str) -> int | None:
        rows = self._db.query("SELECT MAX(sequence) FROM data_batches WHERE system_user_code=? AND kind=? "
                              "AND state=?", (system_user_code, kind, PROCESSED))
        return rows[0][0]

    def add_outbound(self, outbound: OutboundFile) -> OutboundFile:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("outbound_files", ("owner", "name", "data"),
                                     (outbound.owner, outbound.name, dump_without_id(outbound)))
        return evolve(outbound, id=new_id)

    def outbound_of(self, owner: str) -> list[OutboundFile]:
        rows = self._db.query("SELECT id, data FROM outbound_files WHERE owner=? AND removed=0 ORDER BY id", (owner,))
        return [load_with_id(OutboundFile.from_dict, row[1], row[0]) for row in rows]

    def save_outbound(self, outbound: OutboundFile) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE outbound_files SET removed=?, data=? WHERE id=?",
                         (int(outbound.removed_at is not None), dump_without_id(outbound), outbound.id))

    def list_outbound(self, newest: int | None = None) -> list[OutboundFile]:
        return [load_with_id(OutboundFile.from_dict, row[1], row[0])
                for row in in_id_order(self._db, "SELECT id, data FROM outbound_files", (), newest)]
