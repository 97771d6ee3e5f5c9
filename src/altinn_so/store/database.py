"""The database under the repositories: SQLite (in memory or a file) or PostgreSQL, chosen by URL.

Repositories write portable SQL with ``?`` placeholders; each dialect adapts the few things that differ
(placeholders, auto-numbered keys, emptying and numbering tables). A transaction is one atomic unit of
domain work and takes the database's write lock (SQLite's ``BEGIN IMMEDIATE``, a PostgreSQL advisory
lock), so concurrent workers — threads or processes, on one host or several — never lose an update.

A connection belongs to one process: after a fork (gunicorn workers) the database reconnects.

Reference data (the seed, fault rules, lock-outs, the clock) is read on almost every call and changes
rarely, so each process caches it. Every write to it bumps a shared *generation* counter; each request
starts with ``refresh()``, one cheap read that empties this process's cache when another process has
changed something since. That keeps workers and hosts consistent without a query per lookup.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import suppress
from functools import lru_cache

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
    blob_type = "BLOB"

    def __init__(self, url: str = ":memory:"):
        self.url = url
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = None
        self._pid = None
        self._cache: dict = {}
        self._generation: int | None = None  # the generation this process's cache belongs to
        self._dirty = False  # the open transaction changed reference data
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

    def transaction(self) -> "_Transaction":
        """One atomic unit; nests (inner blocks join the outer transaction)."""
        return _Transaction(self)

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

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
        """Add ``rows`` to a numbered table in one statement; returns their ids, in order.

        Numbering is transactional in every dialect: work that is rolled back leaves no gap, and an id once
        committed is never handed out again (until the table is cleared, as by a reset).
        """
        raise NotImplementedError

    def insert_one(self, table: str, columns: tuple[str, ...], row: tuple) -> int:
        return self.insert(table, columns, [row])[0]

    @staticmethod
    @lru_cache(maxsize=256)
    def _insert_sql(table: str, columns: tuple[str, ...], count: int) -> str:
        """``INSERT INTO table (columns) VALUES (?, ...), ...`` for ``count`` rows (built once per shape)."""
        row = "(" + ", ".join("?" * len(columns)) + ")"
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * count)}"

    @property
    def shared(self) -> bool:
        """Whether other processes may use this database too (then each request refreshes its cache)."""
        return True

    def insert_rows(self, sql: str, params: tuple = ()) -> list[int]:
        """A multi-row INSERT into a numbered table; returns the new ids in the order of the rows."""
        # rows are numbered in the order they are written; RETURNING may list them in any order
        return sorted(row[0] for row in self.execute(sql + " RETURNING id", params).fetchall())

    # -- schema --------------------------------------------------------------------------------------------

    def migrate(self) -> None:
        with self.transaction():
            version = 0
            if self._has_table("meta"):
                rows = self.query("SELECT value FROM meta WHERE key='schema_version'")
                version = int(rows[0][0]) if rows else 0
            for script in MIGRATIONS[version:]:
                script = script.format(id=self.id_column, blob=self.blob_type)
                for statement in filter(str.strip, script.split(";")):
                    self.execute(statement)
            self.set_meta("schema_version", str(len(MIGRATIONS)))
            self.execute("INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT (key) DO NOTHING")
            self._prepare()

    def _prepare(self) -> None:
        """What a dialect needs besides the schema."""

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
        return self.next_values(sequence, 1)[0]

    def next_values(self, sequence: str, count: int) -> list[int]:
        """The next ``count`` numbers of ``sequence``, in one statement."""
        if count <= 0:
            return []
        with self.transaction():
            row = self.execute("UPDATE sequences SET value = value + ? WHERE name = ? RETURNING value",
                               (count, sequence)).fetchone()
            if row is None:  # the sequence's first use
                self.execute("INSERT INTO sequences (name, value) VALUES (?, ?)", (sequence, count))
                last = count
            else:
                last = row[0]
        return list(range(last - count + 1, last + 1))

    # -- the per-process cache of reference data ---------------------------------------------------------

    def cached(self, key, load):
        """``load()``, remembered under ``key`` until reference data changes (here or in another process)."""
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = load()
            return value

    def changed(self) -> None:
        """Reference data changed: call inside the writing transaction; the generation is bumped (once) as it
        commits, so other processes see the change and the bump together."""
        with self.transaction():
            self._cache.clear()
            self._dirty = True

    def _bump_generation(self) -> int:
        return int(self.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                                "WHERE key = 'generation' RETURNING value").fetchone()[0])

    def refresh(self) -> bool:
        """Forget cached reference data if another process changed it; True if it did (or on first use)."""
        if not self.shared and self._generation is not None:
            return False  # nobody else can change it
        rows = self.query("SELECT value FROM meta WHERE key = 'generation'")
        generation = int(rows[0][0])
        if generation == self._generation:
            return False
        self._cache.clear()
        self._generation = generation
        return True

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


class _Transaction:
    """``with db.transaction():`` — a class rather than a generator: it runs several times in every call."""

    __slots__ = ("_db", "_outermost")

    def __init__(self, db: Database):
        self._db = db

    def __enter__(self) -> Database:
        db = self._db
        db._lock.acquire()
        try:
            conn = db._connection()
            self._outermost = db._depth == 0
            if self._outermost:
                db._begin(conn)
            db._depth += 1
        except BaseException:
            db._lock.release()
            raise
        return db

    def __exit__(self, exc_type, exc, traceback) -> bool:
        db = self._db
        try:
            db._depth -= 1
            if self._outermost:
                if exc_type is None:
                    try:
                        generation = db._bump_generation() if db._dirty else None
                        db._end(db._conn, "COMMIT")
                    except BaseException:
                        self._roll_back(db)
                        raise
                    finally:
                        db._dirty = False
                    if generation is not None:
                        db._cache.clear()
                        db._generation = generation
                else:
                    self._roll_back(db)
        finally:
            db._lock.release()
        return False

    @staticmethod
    def _roll_back(db: Database) -> None:
        with suppress(Exception):  # a failed COMMIT may have ended the transaction already
            db._end(db._conn, "ROLLBACK")
        db._dirty = False
        db._cache.clear()  # it may hold what was just rolled back


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

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
        # AUTOINCREMENT numbers rows in the order written and rolls back with the transaction; one statement
        # holds the write lock throughout, so its rows get consecutive ids ending at lastrowid.
        cursor = self.execute(self._insert_sql(table, columns, len(rows)), tuple(value for row in rows for value in row))
        return list(range(cursor.lastrowid - len(rows) + 1, cursor.lastrowid + 1))

    @property
    def shared(self) -> bool:
        return self.url != ":memory:"

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
    blob_type = "BYTEA"
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

    def _begin(self, conn) -> None:
        conn.execute("BEGIN")  # the connection is in autocommit mode: transactions are ours to open
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.WRITE_LOCK,))

    def _has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                               "AND table_name = ?", (name,)))

    # PostgreSQL's own sequences are not transactional (a rolled-back insert still uses up its number), so ids
    # come from a counter table of ours, updated in the inserting transaction: the same numbering as SQLite's.

    def _prepare(self) -> None:
        self.execute("CREATE TABLE IF NOT EXISTS id_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)")

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
        count = len(rows)
        with self.transaction():
            row = self.execute("UPDATE id_counters SET value = value + ? WHERE name = ? RETURNING value",
                               (count, table)).fetchone()
            if row is None:  # the table's first insert (or first since it was cleared)
                last = self.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0] + count
                self.execute("INSERT INTO id_counters (name, value) VALUES (?, ?)", (table, last))
            else:
                last = row[0]
            ids = list(range(last - count + 1, last + 1))
            self.execute(self._insert_sql(table, ("id",) + columns, count),
                         tuple(value for new_id, row in zip(ids, rows) for value in (new_id, *row)))
        return ids

    def clear(self, tables: tuple[str, ...]) -> None:
        with self.transaction():
            self.execute(f"TRUNCATE {', '.join(tables)}")
            self.executemany("DELETE FROM id_counters WHERE name = ?", [(t,) for t in tables])

    def _last_id(self, table: str) -> int | None:
        rows = self.query("SELECT value FROM id_counters WHERE name = ?", (table,))
        return rows[0][0] if rows else None

    def _set_last_id(self, table: str, last: int | None) -> None:
        self.execute("DELETE FROM id_counters WHERE name = ?", (table,))
        if last is not None:
            self.execute("INSERT INTO id_counters (name, value) VALUES (?, ?)", (table, last))
