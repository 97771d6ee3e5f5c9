"""The download queue's table and its repository, on any ``Database`` (SQLite or PostgreSQL).

The archived form tasks themselves are the core's archive (``store.repositories.SqlArchive``); a row here says
that one is queued for its owner, and whether the owner has purged it."""

from __future__ import annotations

from datetime import datetime

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import dump_without_id, in_id_order, load_with_id, timestamp
from altinn_so.store.schema import TableGroup

from .rules import PDF_DOWNLOAD, TASK_DOWNLOAD, DownloadQueueItem

TABLES = TableGroup(
    "download_queue",
    migrations=(
        """
        CREATE TABLE download_queue (
            id {id}, archive_reference TEXT NOT NULL, owner TEXT NOT NULL, service_code TEXT NOT NULL,
            archived_at TEXT NOT NULL, purged_at TEXT, data TEXT NOT NULL,
            task_downloads INTEGER NOT NULL DEFAULT 0, pdf_downloads INTEGER NOT NULL DEFAULT 0);
        CREATE UNIQUE INDEX download_queue_reference ON download_queue (archive_reference);
        CREATE INDEX download_queue_waiting ON download_queue (owner, purged_at, archived_at, id);
        """,
    ),
    runtime_tables=("download_queue",),
    numbered_tables=("download_queue",),
)

_DOWNLOAD_COLUMNS = {TASK_DOWNLOAD: "task_downloads", PDF_DOWNLOAD: "pdf_downloads"}
_SELECT = "SELECT id, data, purged_at FROM download_queue"


def _item(row) -> DownloadQueueItem:
    item = load_with_id(DownloadQueueItem.from_dict, row[1], row[0])
    # the purged_at column is the truth: purging changes only it
    return evolve(item, purged_at=datetime.fromisoformat(row[2].replace("Z", "+00:00")) if row[2] else None)


class SqlDownloadQueue:
    def __init__(self, db: Database):
        self._db = db

    def add_item(self, item: DownloadQueueItem) -> DownloadQueueItem:
        with self._db.transaction() as conn:
            new_id = conn.insert_one(
                "download_queue", ("archive_reference", "owner", "service_code", "archived_at", "data"),
                (item.archive_reference, item.owner, item.service_code, timestamp(item.archived_at),
                 dump_without_id(item)))
        return evolve(item, id=new_id)

    def get_item(self, archive_reference: str) -> DownloadQueueItem | None:
        rows = self._db.query(_SELECT + " WHERE archive_reference=?", (archive_reference,))
        return _item(rows[0]) if rows else None

    def waiting(self, owner: str, service_code: str | None, limit: int) -> list[DownloadQueueItem]:
        clauses, params = "owner=? AND purged_at IS NULL", [owner]
        if service_code is not None:
            clauses += " AND service_code=?"
            params.append(service_code)
        rows = self._db.query(f"{_SELECT} WHERE {clauses} ORDER BY archived_at, id LIMIT {int(limit)}", tuple(params))
        return [_item(row) for row in rows]

    def mark_purged(self, archive_reference: str, at: datetime) -> bool:
        with self._db.transaction() as conn:
            changed = conn.execute("UPDATE download_queue SET purged_at=? WHERE archive_reference=? "
                                   "AND purged_at IS NULL", (timestamp(at), archive_reference))
        return changed.rowcount > 0

    def count_download(self, archive_reference: str, kind: str) -> int:
        column = _DOWNLOAD_COLUMNS[kind]
        with self._db.transaction() as conn:
            conn.execute(f"UPDATE download_queue SET {column}={column}+1 WHERE archive_reference=?",
                         (archive_reference,))
            return conn.query(f"SELECT {column} FROM download_queue WHERE archive_reference=?",
                              (archive_reference,))[0][0]

    def list_items(self, newest: int | None = None) -> list[DownloadQueueItem]:
        return [_item(row) for row in in_id_order(self._db, _SELECT, (), newest)]
