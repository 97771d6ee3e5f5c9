"""``altinn-so serve`` refusing to start, as a new user meets it: one line on standard error that names the
problem and the remedy, and exit status 2 — never a traceback."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from support.stores import _with_database


def _serve(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "altinn_so", "serve", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd)


def _one_line_refusal(run: subprocess.CompletedProcess, *words: str) -> str:
    lines = run.stderr.splitlines()
    assert run.returncode == 2, (run.returncode, run.stderr[-3000:])
    assert len(lines) == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    line = lines[0]
    assert line.startswith("altinn-so: ")
    for word in words:
        assert word in line, line
    return line


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_one_line(workers):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = _serve("--port", str(port), "--workers", workers)
    _one_line_refusal(run, f"127.0.0.1:{port}", "already in use", "--port")


def test_a_postgresql_database_that_does_not_exist_is_one_line(postgres_server):
    postgres_server.require()  # a server answers (skips without one, fails under CI)
    name = f"altinn_so_missing_{uuid.uuid4().hex[:8]}"
    url = _with_database(postgres_server.url, name)
    line = _one_line_refusal(_serve("--port", "0", "--db", url), name, "does not exist", "create")
    assert f"createdb {name}" in line


def test_an_unwritable_sqlite_path_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")  # a path under a file: no user, root included, can create it
    _one_line_refusal(_serve("--port", "0", "--db", str(tmp_path / "a-file" / "altinn.db")),
                      "a-file/altinn.db", "unable to open", "--db", "directory")


def test_a_directory_without_write_permission_is_one_line(tmp_path):
    import os
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere; test_an_unwritable_sqlite_path_is_one_line covers the message")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        _one_line_refusal(_serve("--port", "0", "--db", str(locked / "altinn.db")), "--db")
    finally:
        locked.chmod(0o700)


def test_a_file_that_is_not_a_database_is_one_line(tmp_path):
    (tmp_path / "notes.db").write_text("these are my notes, not a database\n" * 20)
    _one_line_refusal(_serve("--port", "0", "--db", str(tmp_path / "notes.db")),
                      "notes.db", "not an SQLite database", "file is not a database", "restore it, or start with a new path")


def _real_store(path: Path) -> None:
    """A store as `serve` leaves it: the database and its journal beside it."""
    from altinn_so.emulator import Emulator, Settings
    Emulator(Settings(database=str(path))).close()


def test_a_truncated_copy_is_one_line(tmp_path):
    _real_store(tmp_path / "whole.db")
    (tmp_path / "copy.db").write_bytes((tmp_path / "whole.db").read_bytes()[:50_000])  # a copy that stopped
    _one_line_refusal(_serve("--port", "0", "--db", str(tmp_path / "copy.db")),
                      "copy.db is damaged", "malformed", "restore it, or start with a new path")


def test_a_damaged_journal_beside_the_database_is_named(tmp_path):
    _real_store(tmp_path / "altinn.db")
    (tmp_path / "altinn.journal.db").write_text("overwritten by something else\n" * 10)
    line = _one_line_refusal(_serve("--port", "0", "--db", str(tmp_path / "altinn.db")),
                             "altinn.journal.db is not an SQLite database", "restore it")
    assert "altinn.db " not in line  # the database itself is whole: the file to restore is the journal


def test_a_damaged_database_is_one_line(tmp_path):
    path = tmp_path / "damaged.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 50)
    conn.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"Z" * (4096 - 100)  # the schema page, after the intact 100-byte header
    path.write_bytes(bytes(data))
    _one_line_refusal(_serve("--port", "0", "--db", str(path)), "damaged.db is damaged", "malformed",
                      "restore it, or start with a new path (--db)")


def test_version_prints_the_package_version():
    from importlib import metadata
    run = subprocess.run([sys.executable, "-m", "altinn_so", "--version"], capture_output=True, text=True,
                         timeout=30)
    assert (run.returncode, run.stdout.strip()) == (0, f"altinn-so {metadata.version('altinn-so')}"), run.stderr


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("certs")
    subprocess.run([sys.executable, "-m", "altinn_so", "certs", "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    return out


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("case", ["not-pem", "missing", "wrong-key", "bad-client-ca"])
def test_tls_files_that_do_not_load_are_one_line(case, workers, certificates, tmp_path):
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate\n")
    server, key = str(certificates / "server.pem"), str(certificates / "server-key.pem")
    options, words = {
        "not-pem": (["--tls-cert", str(not_pem), "--tls-key", str(not_pem)], ["notes.txt", "PEM"]),
        "missing": (["--tls-cert", str(tmp_path / "gone.pem"), "--tls-key", key], ["gone.pem", "No such file"]),
        "wrong-key": (["--tls-cert", server, "--tls-key", str(certificates / "ttd-key.pem")], ["ttd-key.pem", "mismatch"]),
        "bad-client-ca": (["--tls-cert", server, "--tls-key", key, "--tls-client-ca", str(not_pem)],
                          ["--tls-client-ca", "notes.txt"]),
    }[case]
    _one_line_refusal(_serve("--port", "0", "--workers", workers, *options), *words)
