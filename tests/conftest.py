"""Shared fixtures: a fresh emulator per test, and one HTTP server for the session that serves it."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from altinn_so.domain.clock import Clock
from altinn_so.emulator import Emulator
from altinn_so.seeding import compose_seed
from altinn_so.services import SERVICES
from altinn_so.server import make_server
from altinn_so.app import EmulatorApp
from altinn_so.soap.wsgi import SoapApplication, WireSettings
from support.stores import PostgresServer

# A fixed instant for tests that need one; 10:00 in Oslo.
TEST_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

# The default seed as `altinn-so serve` loads it: the embedded file and each service's additions (seed.yaml).
_SEED = compose_seed(services=SERVICES)


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """A database of this session's on the local PostgreSQL server (see support.stores)."""
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(frozen_at=TEST_NOW)


@pytest.fixture
def emulator(clock) -> Emulator:
    emu = Emulator(clock=clock, seed=_SEED)
    yield emu
    emu.close()


class _ServedApp:
    """The session server's WSGI app; each test plugs its own emulator in."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def _server():
    served = _ServedApp()
    server = make_server(served, "127.0.0.1", 0, threads=8)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.bind_addr[1]}"
    server.stop()


@pytest.fixture
def base_url(_server, emulator) -> str:
    """Base URL of a live server answering with this test's ``emulator``."""
    served, url = _server
    served.app = EmulatorApp(emulator, wire=WireSettings())
    return url


@pytest.fixture
def soap_app(emulator) -> SoapApplication:
    """The WSGI app in-process, for tests that build requests by hand."""
    return SoapApplication(emulator)
