"""The database under the repositories: SQLite (in memory or a file) or PostgreSQL, chosen by URL.

Repositories write portable SQL with ``?`` placeholders; each dialect adapts the few things that differ
(placeholders, auto-numbered keys, emptying and numbering tables). A transaction is one atomic unit of
domain work and takes the database's write lock (SQLite's ``BEGIN IMMEDIATE``, a PostgreSQL advisory
lock), so concurrent workers — threads or processes, on one host or several — never lose an update.

Each thread has a connection of its own (SQLite in memory, which cannot be opened twice, has one, taken
in turns), opened afresh in a worker process after the fork.

A request can run in a *request scope*: its first write transaction then stays open when its block ends,
later blocks join it (each behind a savepoint, so one that fails is undone alone), and all of it commits
once, when the request settles (or the scope ends). A SOAP call's writes are then one write transaction,
which commits as its operation returns: with several worker processes each write transaction costs a
hand-over of the write lock and a reload of SQLite's page cache, and everything done while it is open
makes the other workers wait. Its journal entry is written after, into a database of its own when the
store is a SQLite file (``journal_database``). Measured, two processes inserting correspondences on one
SQLite file: 990 µs per call each with the journal in a transaction of its own in the same file, 680 µs
with it in the call's transaction (open until the reply was written), 480–520 µs as now.

Reference data (the seed, fault rules, lock-outs, the clock) is read on almost every call and changes
rarely, so each process caches it. Every write to it bumps a shared *generation* counter; each request
starts with ``refresh()``, one cheap read that empties this process's cache when another process has
changed something since. That keeps workers and hosts consistent without a query per lookup.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import threading

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: SQLite's own busy handler then does the queueing
    fcntl = None
from contextlib import closing as _closing, nullcontext, suppress
from functools import lru_cache

from .failures import DAMAGED, StoreFailure, StoreHealth, classify
from .schema import JOURNAL_MIGRATIONS, MIGRATIONS, NUMBERED_TABLES, TableGroup


class _ThisProcess:
    """This process's id, kept up to date across forks: os.getpid() is a system call (glibc does not cache
    it), and every statement asks which process it runs in (a worker must not use its parent's connections).
    Measured on a file store: 13 of a call's 80 system calls."""

    pid = os.getpid()

    @classmethod
    def forked(cls) -> None:
        cls.pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_ThisProcess.forked)


def _dumped(value):
    """A column value as plain data for a snapshot: bytes (attachments) as base64 under a key of their own."""
    if isinstance(value, (bytes, memoryview)):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def _loaded(value):
    return base64.b64decode(value["base64"]) if isinstance(value, dict) else value


def open_database(url: str, groups: tuple[TableGroup, ...] = ()) -> "Database":
    """``:memory:``, a file path, ``sqlite:///path``, or ``postgresql://user@host:port/db``, with the core's
    tables and those of ``groups`` (the services')."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url, groups=groups)
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):] or ":memory:"
    return SqliteDatabase(url, groups=groups)


def journal_database(db: "Database") -> "Database":
    """Where ``db`` keeps its request journal, so that journalling a call never waits for another worker's
    write to the emulated state, nor that write for it. A SQLite file keeps it in a file of its own beside it
    (``altinn.db`` -> ``altinn.journal.db``), with a write lock of its own. PostgreSQL keeps it in the same
    database, written on connections whose transactions take a lock of their own instead of the one every
    other writer queues on. In memory (one process) it is ``db`` itself."""
    if isinstance(db, PostgresDatabase):  # (``db`` has made the schema)
        return PostgresDatabase(db.url, groups=db.groups, write_lock=PostgresDatabase.JOURNAL_LOCK, migrate=False)
    if not isinstance(db, SqliteDatabase) or db.single_connection:
        return db
    return SqliteDatabase(journal_path(db.url), migrations=JOURNAL_MIGRATIONS)


def journal_path(path: str) -> str:
    """The file a SQLite file's journal is kept in (``altinn.db`` -> ``altinn.journal.db``)."""
    stem, suffix = os.path.splitext(path)
    return f"{stem}.journal{suffix or '.db'}"


def damaged_file(path: str) -> str | None:
    """Which of a SQLite store's files (the database, its journal) is damaged, or None if neither checks so."""
    for candidate in (path, journal_path(path)):
        if not os.path.exists(candidate):
            continue
        try:
            with _closing(sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)) as conn:
                found = [row[0] for row in conn.execute("PRAGMA quick_check(1)")]
        except sqlite3.DatabaseError:
            return candidate
        if found != ["ok"]:
            return candidate
    return None


# The columns of an INSERT: names, or (name, SQL expression) pairs (see ``Database.insert``).
Columns = tuple[str | tuple[str, str], ...]


def _column_sql(columns: Columns) -> tuple[str, str]:
    """The column list and the VALUES row of an INSERT: ``a, b`` and ``?, <b's expression>``."""
    names = ", ".join(column if isinstance(column, str) else column[0] for column in columns)
    values = ", ".join("?" if isinstance(column, str) else column[1] for column in columns)
    return names, values


class _Session:
    """One thread's connection (or the one shared connection) and the state of its open transaction."""

    __slots__ = ("conn", "pid", "depth", "dirty", "writer_lock", "held_by")

    def __init__(self, conn, writer_lock=None):
        self.conn = conn
        self.pid = _ThisProcess.pid
        self.depth = 0  # nesting of transaction() blocks
        self.dirty = False  # the open transaction changed reference data
        self.writer_lock = writer_lock
        self.held_by: int | None = None  # the thread whose request scope holds the open transaction


class Database:
    """What repositories use. Subclasses provide ``_connect`` and the dialect hooks.

    Each thread has a connection of its own, so threads read side by side and queue only to write. A
    database that cannot be opened twice (SQLite in memory) has one connection, used by one thread at a time.
    """

    id_column = ""  # DDL of an auto-numbered primary key
    blob_type = "BLOB"

    def __init__(self, url: str = ":memory:", migrations: list[str] = MIGRATIONS, *,
                 groups: tuple[TableGroup, ...] = (), migrate: bool = True):
        self.url = url
        self._migrations = migrations
        self.groups = groups  # the services' tables, each group migrated on its own after the core's
        self.numbered_tables = NUMBERED_TABLES + tuple(t for group in groups for t in group.numbered_tables)
        self._local = threading.local()
        self._sessions: list[_Session] = []  # every session opened, to close them
        self._sessions_lock = threading.Lock()
        self._single: _Session | None = None
        # guards the single connection; threads with connections of their own need no lock
        self._lock = threading.RLock() if self.single_connection else _NO_LOCK
        self._cache: dict = {}
        self._clears = 0  # how often the cache was emptied: a load that saw it emptied is not kept
        self._generation: int | None = None  # the generation this process's cache belongs to
        self.health = StoreHealth()  # made before workers fork: they share it (see store.failures)
        if migrate:  # (not for a second view of a database another instance has already made ready)
            self.migrate()

    # -- connections and transactions ------------------------------------------------------------------

    @property
    def single_connection(self) -> bool:
        return False

    def _session(self) -> _Session:
        pid = _ThisProcess.pid
        if self.single_connection:
            session = self._single
            if session is None or session.pid != pid:
                session = self._single = self._open_session()
            return session
        session = getattr(self._local, "session", None)
        if session is None or session.pid != pid:  # a new thread, or a worker process after the fork
            session = self._local.session = self._open_session()
        return session

    def _open_session(self) -> _Session:
        session = _Session(self._connect(), self._writer_lock())
        with self._sessions_lock:
            self._sessions.append(session)
        return session

    def _connection(self):
        return self._session().conn

    def _connect(self):
        raise NotImplementedError

    def _writer_lock(self):
        return None

    def _begin(self, session: _Session) -> None:
        raise NotImplementedError

    def _end(self, session: _Session, statement: str) -> None:
        session.conn.execute(statement)

    def transaction(self) -> "_Transaction":
        """One atomic unit; nests (inner blocks join the outer transaction)."""
        return _Transaction(self)

    def request_scope(self) -> "_RequestScope":
        """Around one request: its write transactions commit together when it ends (see the module's doc)."""
        return _RequestScope(self)

    def settle(self) -> None:
        """Commit what this thread's request scope holds open, now: before anything slow (an injected delay),
        so that other writers do not wait with it. The scope goes on; a later write opens a new transaction."""
        session = self._single if self.single_connection else getattr(self._local, "session", None)
        if session is None or session.held_by != threading.get_ident():
            return
        session.held_by = None
        try:
            self._commit(session)
        finally:
            self._lock.release()  # the hold taken when the transaction was kept open

    def _commit(self, session: _Session) -> None:
        try:
            generation = self._bump_generation() if session.dirty else None
            self._end(session, "COMMIT")
        except BaseException as exc:
            self.noticed(exc)
            _Transaction._roll_back(self, session)
            raise
        finally:
            session.dirty = False
        self.health.wrote()
        if generation is not None:
            self._forget()
            self._generation = generation

    def _step(self, session: _Session, statement: str) -> None:
        """A savepoint statement inside the open transaction."""
        session.conn.execute(statement)

    def adapt(self, sql: str) -> str:
        return sql

    def contains(self, column: str) -> str:
        """A condition: ``column`` holds the text bound to its placeholder, exactly (case and all)."""
        return f"instr({column}, ?) > 0"

    def execute(self, sql: str, params: tuple = ()):
        """Run a statement (inside or outside a transaction) and return its cursor."""
        with self._lock:
            try:
                return self._connection().execute(self.adapt(sql), params)
            except Exception as exc:
                self.noticed(exc)
                raise

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        with self._lock:
            try:
                self._connection().executemany(self.adapt(sql), rows)
            except Exception as exc:
                self.noticed(exc)
                raise

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._connection().execute(self.adapt(sql), params).fetchall()
            except Exception as exc:
                self.noticed(exc)
                raise

    # -- the store's health (store.failures) --------------------------------------------------------------

    def noticed(self, exc: BaseException) -> StoreFailure | None:
        """Remember ``exc`` if it is a store failure (readiness reports it until a write commits again)."""
        failure = classify(exc)
        if failure is not None:
            self.health.failed(failure)
        return failure

    def failure(self) -> StoreFailure | None:
        """The store's failure now, or None if it works (readiness asks). A SQLite file is checked whole each
        time (damage is noticed before a call meets it); after any other failure it must take a small write,
        so that a store that has recovered says so even when nobody writes to it (a load balancer sends no
        calls to what is not ready)."""
        try:
            self.query("SELECT 1")
            problem = self._integrity_problem()
            if problem is not None:
                self.health.failed(StoreFailure(DAMAGED, problem))
                return self.health.current()
            current = self.health.current()
            if current is not None and current.kind == DAMAGED:
                self.health.checked_whole()  # restored under the running emulator
            elif current is not None:
                self._probe_write()
        except Exception as exc:  # noqa: BLE001 - a failure that is not the store's is a bug: raised on
            if self.noticed(exc) is None:
                raise
        return self.health.current()

    def _integrity_problem(self) -> str | None:
        """What is damaged, or None when the store checks whole."""
        return None

    def _probe_write(self) -> None:
        """A write that needs room of its own (two pages), undone in the same transaction: it commits only
        where writes fit again."""
        with self.transaction():
            self.execute("INSERT INTO meta (key, value) VALUES ('ready-probe', ?) ON CONFLICT (key) DO NOTHING",
                         ("x" * 8192,))
            self.execute("DELETE FROM meta WHERE key = 'ready-probe'")

    def insert(self, table: str, columns: Columns, rows: list[tuple]) -> list[int]:
        """Add ``rows`` to a numbered table in one statement; returns their ids, in order.

        Numbering is transactional in every dialect: work that is rolled back leaves no gap, and an id once
        committed is never handed out again (until the table is cleared, as by a reset).

        A column given as ``(name, expression)`` is set by the SQL expression, worked out as the statement
        runs (it may read the table as it was before); the expression's ``?`` take the row's values in its place.
        """
        raise NotImplementedError

    def insert_one(self, table: str, columns: Columns, row: tuple) -> int:
        return self.insert(table, columns, [row])[0]

    @staticmethod
    @lru_cache(maxsize=256)
    def _insert_sql(table: str, columns: Columns, count: int) -> str:
        """``INSERT INTO table (columns) VALUES (?, ...), ...`` for ``count`` rows (built once per shape)."""
        names, values = _column_sql(columns)
        return f"INSERT INTO {table} ({names}) VALUES {', '.join([f'({values})'] * count)}"

    @property
    def shared(self) -> bool:
        """Whether other processes may use this database too (then each request refreshes its cache)."""
        return True

    # -- schema --------------------------------------------------------------------------------------------

    def migrate(self) -> None:
        with self.transaction():
            version = 0
            if self._has_table("meta"):
                rows = self.query("SELECT value FROM meta WHERE key='schema_version'")
                version = int(rows[0][0]) if rows else 0
            self._apply(self._migrations[version:])
            self.set_meta("schema_version", str(len(self._migrations)))
            for group in self.groups:
                applied = int(self.get_meta(group.version_key) or 0)
                self._apply(group.migrations[applied:])
                self.set_meta(group.version_key, str(len(group.migrations)))
            self.execute("INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT (key) DO NOTHING")
            self._prepare()

    def _apply(self, scripts) -> None:
        for script in scripts:
            script = script.format(id=self.id_column, blob=self.blob_type)
            for statement in filter(str.strip, script.split(";")):
                self.execute(statement)

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
            pass
        session = self._single if self.single_connection else getattr(self._local, "session", None)
        if session is not None and session.dirty:
            return load()  # this transaction's own changes, not yet committed: not for other threads to see
        clears = self._clears
        value = load()
        if self._clears == clears:  # else the cache was emptied while loading: what was read may be stale
            self._cache[key] = value
        return value

    def _forget(self) -> None:
        """Empty the cache (a value being loaded meanwhile in another thread is then not kept)."""
        self._clears += 1
        self._cache.clear()

    def changed(self) -> None:
        """Reference data changed: call inside the writing transaction; the generation is bumped (once) as it
        commits, so other processes see the change and the bump together."""
        with self.transaction():
            self._forget()
            self._session().dirty = True

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
        self._forget()
        self._generation = generation
        return True

    # -- whole tables ------------------------------------------------------------------------------------

    def clear(self, tables: tuple[str, ...]) -> None:
        """Empty ``tables`` and restart their numbering."""
        raise NotImplementedError

    def count_rows(self, tables: tuple[str, ...]) -> dict[str, int]:
        """How many rows each table holds, in one statement."""
        counts = self.query("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables))[0]
        return dict(zip(tables, counts))

    def dump(self, tables: tuple[str, ...]) -> dict:
        """Every row of ``tables`` and where their numbering stands, as plain data (a snapshot)."""
        with self.transaction():
            out = {"tables": {}, "sequences": {}}
            for table in tables:
                cursor = self.execute(f"SELECT * FROM {table}")  # noqa: S608 (table names are our constants)
                columns = [d[0] for d in cursor.description]
                out["tables"][table] = {"columns": columns,
                                        "rows": [[_dumped(v) for v in row] for row in cursor.fetchall()]}
            out["sequences"] = {t: self._last_id(t) for t in tables if t in self.numbered_tables}
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
                                     [tuple(_loaded(v) for v in row) for row in content["rows"]])
            for table, last in dumped.get("sequences", {}).items():
                self._set_last_id(table, last)

    def _last_id(self, table: str) -> int | None:
        raise NotImplementedError

    def _set_last_id(self, table: str, last: int | None) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Close this process's connections (a worker never closes its parent's)."""
        with self._lock, self._sessions_lock:
            pid = os.getpid()
            for session in self._sessions:
                if session.pid == pid:
                    session.conn.close()
                    if session.writer_lock is not None:
                        session.writer_lock.close()
            self._sessions = []
            self._single = None
            self._local = threading.local()


class _Transaction:
    """``with db.transaction():`` — a class rather than a generator: it runs several times in every call."""

    __slots__ = ("_db", "_session", "_savepoint")

    def __init__(self, db: Database):
        self._db = db

    def __enter__(self) -> Database:
        db = self._db
        db._lock.acquire()
        try:
            session = self._session = db._session()
            self._savepoint = False
            if session.depth == 0:
                if session.held_by is not None:  # a request scope's open transaction (the lock is ours)
                    db._step(session, "SAVEPOINT step")
                    self._savepoint = True
                else:
                    db._begin(session)
            session.depth += 1
        except BaseException as exc:
            db._lock.release()
            db.noticed(exc)
            raise
        return db

    def __exit__(self, exc_type, exc, traceback) -> bool:
        db, session = self._db, self._session
        try:
            session.depth -= 1
            if session.depth == 0:
                if self._savepoint:
                    if exc_type is not None:
                        db._step(session, "ROLLBACK TO SAVEPOINT step")
                        db._forget()  # it may hold what was just undone
                    db._step(session, "RELEASE SAVEPOINT step")
                elif exc_type is not None:
                    self._roll_back(db, session)
                elif getattr(db._local, "scoped", False):
                    # Kept open for the rest of the request; this thread holds the lock until it settles.
                    db._lock.acquire()
                    session.held_by = threading.get_ident()
                else:
                    db._commit(session)
        finally:
            db._lock.release()
        return False

    @staticmethod
    def _roll_back(db: Database, session: _Session) -> None:
        with suppress(Exception):  # a failed COMMIT may have ended the transaction already
            db._end(session, "ROLLBACK")
        session.dirty = False
        db._forget()  # it may hold what was just rolled back


class _RequestScope:
    """``with db.request_scope():`` — see the module's doc. Nested scopes are one scope."""

    __slots__ = ("_db", "_outer")

    def __init__(self, db: Database):
        self._db = db

    def __enter__(self) -> Database:
        local = self._db._local
        self._outer = not getattr(local, "scoped", False)
        local.scoped = True
        return self._db

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if self._outer:
            self._db._local.scoped = False
            self._db.settle()  # what the request did is done, even if it then failed: it commits
        return False


class _NoLock:
    """For threads that each have a connection of their own."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


_NO_LOCK = _NoLock()


class _WriterLock:
    """An exclusive lock on a file next to the database, held by one writer at a time."""

    def __init__(self, path: str):
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # each connection opens its own: flock is per open

    def acquire(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._fd)


class SqliteDatabase(Database):
    """SQLite: a file in WAL mode (workers and threads read side by side, one writes at a time), or memory."""

    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"

    @property
    def single_connection(self) -> bool:
        return self.url == ":memory:"  # an in-memory database cannot be opened twice: it is one connection's

    def _connect(self):
        conn = sqlite3.connect(self.url, check_same_thread=False, isolation_level=None)
        if not self.single_connection:
            conn.execute("PRAGMA journal_mode=WAL")
            # A test double need not survive a power cut: never wait for the disk (it survives restarts).
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA busy_timeout=30000")  # other writers hold the write lock only briefly
        return conn

    # Writers (threads and processes) queue on a file lock before they ask SQLite for its write lock: the
    # kernel wakes the next one the moment the lock is free, where SQLite's busy handler would poll with
    # sleeps of up to 100 ms (the tail latency of every call under load).

    def _writer_lock(self):
        return _WriterLock(self.url + "-writer.lock") if fcntl is not None and not self.single_connection else None

    def _begin(self, session) -> None:
        if session.writer_lock is not None:
            session.writer_lock.acquire()
        try:
            session.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            if session.writer_lock is not None:
                session.writer_lock.release()
            raise

    def _end(self, session, statement: str) -> None:
        try:
            session.conn.execute(statement)
        finally:
            if session.writer_lock is not None:
                session.writer_lock.release()

    def insert(self, table: str, columns: Columns, rows: list[tuple]) -> list[int]:
        # AUTOINCREMENT numbers rows in the order written and rolls back with the transaction; one statement
        # holds the write lock throughout, so its rows get consecutive ids ending at lastrowid.
        values = tuple(value for row in rows for value in row)
        cursor = self.execute(self._insert_sql(table, columns, len(rows)), values)
        return list(range(cursor.lastrowid - len(rows) + 1, cursor.lastrowid + 1))

    @property
    def shared(self) -> bool:
        return not self.single_connection

    def _integrity_problem(self) -> str | None:
        # quick_check reads every page (not every index entry against its table): measured 0.2 s for 90 MB,
        # a test double's store is far smaller. Memory cannot be damaged from outside.
        if self.single_connection:
            return None
        found = [row[0] for row in self.query("PRAGMA quick_check(1)")]
        return None if found == ["ok"] else found[0]

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
        # Loading rows with their ids has made an entry already: replace it, or the table has two.
        self.execute("DELETE FROM sqlite_sequence WHERE name=?", (table,))
        if last is not None:
            self.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, last))


@lru_cache(maxsize=1)
def _pipelines_supported() -> bool:
    import psycopg

    return psycopg.Pipeline.is_supported()  # the libpq under psycopg must be 14 or newer


class PostgresDatabase(Database):
    """PostgreSQL: for several hosts sharing one emulated Altinn. Needs the psycopg driver."""

    id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    blob_type = "BYTEA"
    WRITE_LOCK = 0x416C746E  # "Altn": the advisory lock every write transaction holds
    JOURNAL_LOCK = 0x4A726E6C  # "Jrnl": the journal's (see journal_database)

    def __init__(self, url: str, migrations: list[str] = MIGRATIONS, *, groups: tuple[TableGroup, ...] = (),
                 write_lock: int = WRITE_LOCK, migrate: bool = True):
        self._write_lock = write_lock  # the advisory lock its write transactions take
        super().__init__(url, migrations, groups=groups, migrate=migrate)

    def _connect(self):
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError("PostgreSQL needs the psycopg driver: install altinn-so with its postgres extra "
                               "(pip install -e '.[postgres]' in a checkout)") from exc
        conn = psycopg.connect(self.url, autocommit=True)
        # A test double need not survive a crash of the database server: commits do not wait for the disk
        # (as SQLite files are written without fsync). Measured: a COMMIT 222 us -> under 100 us, two per call.
        conn.execute("SET synchronous_commit TO off")
        return conn

    def _session(self) -> _Session:
        session = super()._session()
        if session.conn.closed and session.depth == 0 and session.held_by is None:
            # The server ended this connection (it restarted, or was stopped): a new one, between transactions,
            # so that the store works again as soon as the server answers. Until then this raises, and is noticed.
            session.conn = self._connect()
        return session

    def adapt(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def contains(self, column: str) -> str:
        return f"strpos({column}, ?) > 0"

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        with self._lock:
            try:
                with self._connection().cursor() as cursor:
                    cursor.executemany(self.adapt(sql), rows)
            except Exception as exc:
                self.noticed(exc)
                raise

    def _begin(self, session) -> None:
        conn = session.conn  # in autocommit mode: transactions are ours to open
        with conn.pipeline() if _pipelines_supported() else nullcontext():  # both in one round trip
            conn.execute("BEGIN")
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._write_lock,))

    def _has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                               "AND table_name = ?", (name,)))

    # PostgreSQL's own sequences are not transactional (a rolled-back insert still uses up its number), so ids
    # come from a counter table of ours, updated in the inserting transaction: the same numbering as SQLite's.
    # Every numbered table has its counter row (made here, kept by clear and load), so an insert counts and
    # writes in one statement: each statement is a round trip to the server.

    def _prepare(self) -> None:
        self.execute("CREATE TABLE IF NOT EXISTS id_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)")
        for table in self.numbered_tables:
            if self._has_table(table):
                self.execute(f"INSERT INTO id_counters (name, value) SELECT ?, COALESCE(MAX(id), 0) FROM {table} "
                             "ON CONFLICT (name) DO NOTHING", (table,))

    def insert(self, table: str, columns: Columns, rows: list[tuple]) -> list[int]:
        count = len(rows)
        with self.transaction():
            found = self.execute(self._counted_insert_sql(table, columns, count),
                                 (count, table, *(value for back, row in zip(range(count - 1, -1, -1), rows)
                                                  for value in (back, *row)))).fetchall()
        if len(found) != count:  # pragma: no cover - every numbered table has its counter (see _prepare)
            raise RuntimeError(f"no id counter for {table}")
        return sorted(row[0] for row in found)

    @staticmethod
    @lru_cache(maxsize=256)
    def _counted_insert_sql(table: str, columns: Columns, count: int) -> str:
        """Add ``count`` to the table's counter and insert the rows numbered up to it, returning their ids.
        Parameters: count, table, then per row its distance from the last id and its values."""
        names, values = _column_sql(columns)
        row = f"((SELECT value FROM counted) - ?, {values})"
        return (f"WITH counted AS (UPDATE id_counters SET value = value + ? WHERE name = ? RETURNING value) "
                f"INSERT INTO {table} (id, {names}) VALUES {', '.join([row] * count)} RETURNING id")

    def clear(self, tables: tuple[str, ...]) -> None:
        with self.transaction():
            self.execute(f"TRUNCATE {', '.join(tables)}")
            self.executemany("UPDATE id_counters SET value = 0 WHERE name = ?", [(t,) for t in tables])

    def _last_id(self, table: str) -> int | None:
        rows = self.query("SELECT value FROM id_counters WHERE name = ?", (table,))
        return rows[0][0] if rows else None

    def _set_last_id(self, table: str, last: int | None) -> None:
        # without a number (a snapshot of a store that never numbered the table): after its highest id
        self.execute(f"INSERT INTO id_counters (name, value) SELECT ?, COALESCE(?, MAX(id), 0) FROM {table} "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (table, last))
