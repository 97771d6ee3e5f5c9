"""The domain suite runs against every store: each test that touches one runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from altinn_so.emulator import Emulator, Settings
from altinn_so.seeding import compose_seed
from altinn_so.services import SERVICES
from altinn_so.services import table_groups
from altinn_so.store.database import open_database

from support.stores import STORES

# The default seed as `altinn-so serve` loads it: the embedded file and each service's additions (seed.yaml).
_SEED = compose_seed(services=SERVICES)


@pytest.fixture(params=STORES)
def database_url(request) -> str:
    """A fresh, empty store."""
    if request.param == "sqlite":
        return ":memory:"
    return request.getfixturevalue("postgres_server").empty()


@pytest.fixture(params=STORES)
def persistent_url(request, tmp_path) -> str:
    """A store that outlives its process: a SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    return request.getfixturevalue("postgres_server").empty()


@pytest.fixture
def db(database_url):
    database = open_database(database_url, table_groups())
    yield database
    database.close()


@pytest.fixture
def emulator(clock, database_url) -> Emulator:
    emu = Emulator(Settings(database=database_url), clock=clock, seed=_SEED)
    yield emu
    emu.close()


@pytest.fixture
def emulator_with(clock, database_url):
    """Make an emulator with settings of the test's own, on the test's store (closed afterwards)."""
    made = []

    def make(**settings) -> Emulator:
        emu = Emulator(Settings(database=database_url, **settings), clock=clock, seed=_SEED)
        made.append(emu)
        return emu

    yield make
    for emu in made:
        emu.close()
