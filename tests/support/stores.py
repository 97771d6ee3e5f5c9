"""The stores the domain suite runs against: SQLite, and PostgreSQL when a server answers.

PostgreSQL comes from ``ALTINN_SO_TEST_POSTGRES`` (an admin URL; default: the local server with trust
authentication, ``postgresql://postgres@127.0.0.1:5432/postgres``). The session creates a database of its
own there and drops it at the end; each test starts from empty tables. Without a server the PostgreSQL
variants skip, except under CI (``CI=true``), where a missing server fails them: CI promises to run them.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STORES = ("sqlite", "postgres")


def admin_url() -> str:
    return os.environ.get("ALTINN_SO_TEST_POSTGRES") or DEFAULT_ADMIN_URL


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


class PostgresServer:
    """One database of this session's on the server; ``unavailable`` says why there is none."""

    def __init__(self):
        self.url: str | None = None
        self.unavailable: str | None = None
        self._name = f"altinn_so_test_{uuid.uuid4().hex[:12]}"
        try:
            import psycopg
            with psycopg.connect(admin_url(), autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{self._name}"')
            self.url = _with_database(admin_url(), self._name)
        except Exception as exc:  # no driver, no server, no rights: all mean "cannot test PostgreSQL here"
            self.unavailable = f"no PostgreSQL at {admin_url()} ({type(exc).__name__}: {exc})".strip()

    def require(self) -> str:
        if self.url is None:
            message = f"{self.unavailable}; set ALTINN_SO_TEST_POSTGRES to an admin URL"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"CI runs the PostgreSQL tests, but {message}")
            pytest.skip(message)
        return self.url

    def empty(self) -> str:
        """The database with every table emptied and every numbering restarted: a fresh store."""
        import psycopg
        url = self.require()
        with psycopg.connect(url, autocommit=True) as conn:
            tables = [row[0] for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'meta'")]
            sequences = [row[0] for row in conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")]
            statements = [f'DELETE FROM "{t}"' for t in tables] + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]
            statements.append("DELETE FROM meta WHERE key = 'clock'")  # a new emulator brings its own clock
            if tables:
                conn.execute("; ".join(statements))
        return url

    def close(self) -> None:
        if self.url is None:
            return
        import psycopg
        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')
