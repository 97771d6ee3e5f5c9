"""The database under the repositories: SQLite (in memory or a file) or PostgreSQL, chosen by URL.

Repositories write portable SQL with ``?`` placeholders; each dialect adapts the few things that differ
(placeholders, auto-numbered keys, emptying and numbering tables). A transaction is one atomic unit of
domain work and takes the database's write lock (SQLite's ``BEGIN IMMEDIATE``, a PostgreSQL advisory
lock), so concurrent workers — threads or processes, on one host or several — never lose an update.

A connection belongs to one process: after a fork (gunicorn workers) the database reconnects.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterator

from .schema import MIGRATIONS, NUMBERED_TABLES


def open_database(url: str) -> "Database":
    """``:memory:``, a file path, ``sqlite:///path``, or ``postgresql://user@host:port/db``."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url)
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):] or ":memory:"
    return SqliteDatabase(url)


class Database:
    """What repositories use. Subclasses provide ``_connect`` and the dialect hooks."""

    id_column = ""  # DDL of an auto-numbered primary key

    def __init__(self, url: str = ":memory:"):
        self.url = url
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = None
        self._pid = None
        self.migrate()

    # -- connections and transactions ------------------------------------------------------------------

    def _connection(self):
        if self._conn is None or self._pid != os.getpid():
            self._conn = self._connect()
            self._pid = os.getpid()
        return self._conn

    def _connect(self):
        raise NotImplementedError

    def _begin(self, conn) -> None:
        raise NotImplementedError

    def _end(self, conn, statement: str) -> None:
        conn.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator["Database"]:
        """One atomic unit; nests (inner blocks join the outer transaction)."""
        with self._lock:
            conn = self._connection()
            outermost = self._depth == 0
            if outermost:
                self._begin(conn)
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._end(conn, "ROLLBACK")
                raise
            else:
                self._depth -= 1
                if outermost:
                    self._end(conn, "COMMIT")

    def adapt(self, sql: str) -> str:
        return sql

    def execute(self, sql: str, params: tuple = ()):
        """Run a statement (inside or outside a transaction) and return its cursor."""
        with self._lock:
            return self._connection().execute(self.adapt(sql), params)

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        with self._lock:
            self._connection().executemany(self.adapt(sql), rows)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._connection().execute(self.adapt(sql), params).fetchall()

    def insert(self, sql: str, params: tuple = ()) -> int:
        """An INSERT into a numbered table; returns the new id."""
        return self.execute(sql + " RETURNING id", params).fetchone()[0]

    # -- schema --------------------------------------------------------------------------------------------

    def migrate(self) -> None:
        with self.transaction():
            version = 0
            if self._has_table("meta"):
                rows = self.query("SELECT value FROM meta WHERE key='schema_version'")
                version = int(rows[0][0]) if rows else 0
            for script in MIGRATIONS[version:]:
                for statement in filter(str.strip, script.format(id=self.id_column).split(";")):
                    self.execute(statement)
            self.set_meta("schema_version", str(len(MIGRATIONS)))

    def _has_table(self, name: str) -> bool:
        raise NotImplementedError

    # -- small shared state ----------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def next_value(self, sequence: str) -> int:
        with self.transaction():
            self.execute("INSERT INTO sequences (name, value) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
                         (sequence,))
            return self.execute("UPDATE sequences SET value = value + 1 WHERE name = ? RETURNING value",
                                (sequence,)).fetchone()[0]

    # -- whole tables ------------------------------------------------------------------------------------

    def clear(self, tables: tuple[str, ...]) -> None:
        """Empty ``tables`` and restart their numbering."""
        raise NotImplementedError

    def dump(self, tables: tuple[str, ...]) -> dict:
        """Every row of ``tables`` and where their numbering stands, as plain data (a snapshot)."""
        with self.transaction():
            out = {"tables": {}, "sequences": {}}
            for table in tables:
                cursor = self.execute(f"SELECT * FROM {table}")  # noqa: S608 (table names are our constants)
                columns = [d[0] for d in cursor.description]
                out["tables"][table] = {"columns": columns, "rows": [list(row) for row in cursor.fetchall()]}
            out["sequences"] = {t: self._last_id(t) for t in tables if t in NUMBERED_TABLES}
            return out

    def load(self, dumped: dict) -> None:
        """Replace the dumped tables' contents and numbering with the snapshot's."""
        with self.transaction():
            tables = tuple(dumped["tables"])
            self.clear(tables)
            for table, content in dumped["tables"].items():
                if content["rows"]:
                    marks = ", ".join("?" * len(content["columns"]))
                    self.executemany(f"INSERT INTO {table} ({', '.join(content['columns'])}) VALUES ({marks})",
                                     [tuple(row) for row in content["rows"]])
            for table, last in dumped.get("sequences", {}).items():
                self._set_last_id(table, last)

    def _last_id(self, table: str) -> int | None:
        raise NotImplementedError

    def _set_last_id(self, table: str, last: int | None) -> None:
        raise NotImplementedError

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


class SqliteDatabase(Database):
    """SQLite: one connection per process shared by its threads; WAL for files, so workers on one host share it."""

    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def _connect(self):
        conn = sqlite3.connect(self.url, check_same_thread=False, isolation_level=None)
        if self.url != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")  # other workers hold the write lock only briefly
        return conn

    def _connection(self):
        if self.url == ":memory:" and self._conn is not None:
            return self._conn  # an in-memory database cannot be reopened: it is this process's alone
        return super()._connection()

    def _begin(self, conn) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def _has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)))

    def clear(self, tables: tuple[str, ...]) -> None:
        with self.transaction():
            for table in tables:
                self.execute(f"DELETE FROM {table}")  # noqa: S608 (table names are our constants)
            if self._has_table("sqlite_sequence"):
                self.executemany("DELETE FROM sqlite_sequence WHERE name=?", [(t,) for t in tables])

    def _last_id(self, table: str) -> int | None:
        if not self._has_table("sqlite_sequence"):
            return None
        rows = self.query("SELECT seq FROM sqlite_sequence WHERE name=?", (table,))
        return rows[0][0] if rows else None

    def _set_last_id(self, table: str, last: int | None) -> None:
        if last is not None:
            self.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, last))


class PostgresDatabase(Database):
    """PostgreSQL: for several hosts sharing one emulated Altinn. Needs the psycopg driver."""

    id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    WRITE_LOCK = 0x416C746E  # "Altn": the advisory lock every write transaction holds

    def _connect(self):
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError("PostgreSQL needs the psycopg driver: pip install 'altinn-so[postgres]'") from exc
        return psycopg.connect(self.url, autocommit=True)

    def adapt(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        with self._lock:
            with self._connection().cursor() as cursor:
                cursor.executemany(self.adapt(sql), rows)

    @contextmanager
    def transaction(self) -> Iterator["Database"]:
        with self._lock:
            conn = self._connection()
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._depth = 1
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.WRITE_LOCK,))
                    yield self
            finally:
                self._depth = 0

    def _has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                               "AND table_name = ?", (name,)))

    def clear(self, tables: tuple[str, ...]) -> None:
        with self.transaction():
            self.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")

    def _last_id(self, table: str) -> int | None:
        rows = self.query(f"SELECT pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id'))")
        return rows[0][0]

    def _set_last_id(self, table: str, last: int | None) -> None:
        if last is None:
            self.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1, false)")
        else:
            self.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ?, true)", (last,))
