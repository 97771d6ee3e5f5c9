"""A store that fails under a running emulator (damaged, full, unreachable): readiness says so with the reason
until the store works again, a SOAP call gets a server fault that names it, the journal records it, and the
admin API answers JSON with the reason, never 500 "internal error"."""

from __future__ import annotations

import socket
import sqlite3
import threading

import pytest
import requests

from altinn_so.store.failures import DAMAGED, FAILED, FULL, UNREACHABLE, StoreHealth, StoreFailure, classify
from support.processes import CORRESPONDENCE, Messages, ServerProcess, post, text_of


@pytest.fixture(scope="module")
def messages() -> Messages:
    return Messages()


def _fault_text(answer) -> tuple[str | None, str | None]:
    return text_of(answer, "faultstring"), text_of(answer, "AltinnErrorMessage")


# -- classification ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("message", "kind"), [
    ("database disk image is malformed", DAMAGED), ("file is not a database", DAMAGED),
    ("database or disk is full", FULL), ("database is locked", FAILED)])
def test_sqlite_errors_are_sorted_by_what_they_say(message, kind):
    assert classify(sqlite3.OperationalError(message)) == StoreFailure(kind, message)


def test_sqlite_errors_are_sorted_by_their_code():
    with sqlite3.connect(":memory:") as conn:
        conn.execute("PRAGMA max_page_count = 2")
        conn.execute("CREATE TABLE t (x)")
        with pytest.raises(sqlite3.Error) as raised:
            conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 100)
    assert classify(raised.value).kind == FULL


def test_the_programs_own_mistakes_are_not_store_failures():
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE t (x PRIMARY KEY)")
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.IntegrityError) as duplicate:
            conn.execute("INSERT INTO t VALUES (1)")
    assert classify(duplicate.value) is None
    assert classify(ValueError("not the store's")) is None


def test_postgresql_errors_are_sorted_by_sqlstate():
    psycopg = pytest.importorskip("psycopg")
    from psycopg import errors
    assert classify(errors.DiskFull("no space left on device")).kind == FULL
    assert classify(errors.AdminShutdown("terminating connection")).kind == UNREACHABLE
    assert classify(errors.DataCorrupted("invalid page in block 3")).kind == DAMAGED
    assert classify(psycopg.OperationalError("connection refused")).kind == UNREACHABLE
    assert classify(errors.UniqueViolation("duplicate key")) is None


def test_health_is_kept_until_a_write_commits_except_damage():
    health = StoreHealth()
    health.failed(StoreFailure(FULL, "database or disk is full"))
    assert health.current() == StoreFailure(FULL, "database or disk is full")
    health.wrote()
    assert health.current() is None
    health.failed(StoreFailure(DAMAGED, "malformed"))
    health.wrote()  # writing around damage does not repair it
    assert health.current().kind == DAMAGED
    health.checked_whole()
    assert health.current() is None


# -- a full disk (SQLite's max_page_count caps the file where it stands: the store is full) -------------------

def test_a_full_store_faults_says_so_and_recovers(tmp_path, messages):
    from altinn_so.emulator import Emulator, Settings
    from altinn_so.app import EmulatorApp
    from altinn_so.server import make_server

    emulator = Emulator(Settings(database=str(tmp_path / "altinn.db")))
    app = EmulatorApp(emulator)
    server = make_server(app, "127.0.0.1", 0, threads=1)  # one thread: one connection, the one capped below
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.bind_addr[1]}"
    try:
        assert text_of(post(url, CORRESPONDENCE, messages.insert("BEFORE")), "ReceiptId")
        # Every connection of the store, the serving thread's included, may grow the file no further.
        pages = emulator.db.query("PRAGMA page_count")[0][0]
        for session in emulator.db._sessions:
            session.conn.execute(f"PRAGMA max_page_count = {pages}")
        answers = [post(url, CORRESPONDENCE, messages.insert(f"FULL-{n}")) for n in range(30)]
        faults = [_fault_text(answer) for answer in answers if text_of(answer, "faultstring")]
        assert faults, "no call met the full store"
        reason, message = faults[0]
        assert reason == "The emulator's store failed: the store is full"
        assert "the store is full (database or disk is full)" in message
        ready = requests.get(url + "/_admin/ready", timeout=10)
        assert ready.status_code == 503
        assert ready.json()["reason"] == "the store is full"
        entry = requests.get(url + "/_admin/journal?limit=1", timeout=10).json()["entries"][0]
        assert "the store is full" in entry["error_message"]
        # Space comes back: the next write commits, and readiness says ready again.
        for session in emulator.db._sessions:
            session.conn.execute("PRAGMA max_page_count = 1073741823")
        assert requests.get(url + "/_admin/ready", timeout=10).json() == {"ready": True}
        assert text_of(post(url, CORRESPONDENCE, messages.insert("AFTER")), "ReceiptId")
        # Every insert that was answered with a receipt is kept, and only those: a fault stored nothing.
        acknowledged = {f"FULL-{n}" for n, answer in enumerate(answers) if text_of(answer, "ReceiptId")}
        stored = requests.get(url + "/_admin/state/correspondences", timeout=10).json()["correspondences"]
        assert sorted(c["senders_reference"] for c in stored) == sorted({"BEFORE", "AFTER"} | acknowledged)
        assert sorted(c["id"] for c in stored) == list(range(1, len(stored) + 1))
    finally:
        server.stop()
        emulator.close()


# -- damage that appears under a running emulator ---------------------------------------------------------------

def test_pages_overwritten_under_a_running_emulator_make_it_not_ready(tmp_path, messages):
    path = tmp_path / "altinn.db"
    process = ServerProcess("--db", str(path))
    try:
        for n in range(20):
            assert text_of(post(process.url, CORRESPONDENCE, messages.insert(f"DATA-{n}")), "ReceiptId")
        with sqlite3.connect(path) as conn:  # everything into the file itself, out of the write-ahead log
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        data = bytearray(path.read_bytes())
        page = int.from_bytes(data[16:18], "big")
        data[page:] = b"\xa5" * (len(data) - page)  # every page but the first (the header, the schema's root)
        path.write_bytes(bytes(data))
        ready = requests.get(process.url + "/_admin/ready", timeout=30)
        assert ready.status_code == 503, ready.text
        assert ready.json()["reason"] == "the store is damaged"
        reason, message = _fault_text(post(process.url, CORRESPONDENCE, messages.insert("AFTER")))
        assert reason == "The emulator's store failed: the store is damaged"
        assert "the store is damaged (" in message
        state = requests.get(process.url + "/_admin/state", timeout=30)
        assert state.status_code == 503
        assert state.json()["error"].startswith("the store is damaged")
    finally:
        process.stop()


# -- PostgreSQL gone: the emulator reaches it through a relay the test can cut --------------------------------

class _Relay:
    """A TCP relay to the PostgreSQL server; ``cut()`` closes it and every connection through it."""

    def __init__(self, host: str, port: int):
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._running:
                client.close()
                continue
            upstream = socket.create_connection(self._target)
            self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.close()
                except OSError:
                    pass

    def cut(self) -> None:
        self._running = False  # new connections are closed at once, as a server that is down refuses them
        for end in self._open:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._open = []

    def mend(self) -> None:
        self._running = True

    def close(self) -> None:
        self.cut()
        self._listener.close()


def test_postgresql_gone_makes_it_not_ready_and_it_recovers(postgres_server, messages):
    from urllib.parse import urlsplit
    url = urlsplit(postgres_server.empty())
    relay = _Relay(url.hostname, url.port or 5432)
    credentials = url.netloc.rpartition("@")[0]
    through_relay = f"{credentials}@127.0.0.1:{relay.port}" if credentials else f"127.0.0.1:{relay.port}"
    process = ServerProcess("--db", url._replace(netloc=through_relay).geturl())
    try:
        assert text_of(post(process.url, CORRESPONDENCE, messages.insert("BEFORE")), "ReceiptId")
        relay.cut()
        reason, message = _fault_text(post(process.url, CORRESPONDENCE, messages.insert("GONE")))
        assert reason == "The emulator's store failed: the store is unreachable", message
        ready = requests.get(process.url + "/_admin/ready", timeout=30)
        assert ready.status_code == 503, ready.text
        assert ready.json()["reason"] == "the store is unreachable"
        state = requests.get(process.url + "/_admin/state", timeout=30)
        assert (state.status_code, state.json()["store"]) == (503, UNREACHABLE)
        relay.mend()
        assert requests.get(process.url + "/_admin/ready", timeout=30).json() == {"ready": True}
        assert text_of(post(process.url, CORRESPONDENCE, messages.insert("BACK")), "ReceiptId")
    finally:
        process.stop()
        relay.close()
