"""The broker's shipments table and its repository, on any ``Database`` (SQLite or PostgreSQL).

The files themselves are in the emulator's file store; a shipment keeps its file's hash (``file_sha256``), which
is how the rules know whether any shipment still needs a file before removing it."""

from __future__ import annotations

from datetime import datetime

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import dump_without_id, in_id_order, load_with_id, timestamp
from altinn_so.store.schema import TableGroup

from .model import Shipment

TABLES = TableGroup(
    "broker",
    migrations=(
        """
        CREATE TABLE broker_shipments (
            id {id}, reference TEXT NOT NULL, state TEXT NOT NULL, file_sha256 TEXT, expires_at TEXT,
            data TEXT NOT NULL);
        CREATE UNIQUE INDEX broker_shipments_reference ON broker_shipments (reference);
        CREATE INDEX broker_shipments_file ON broker_shipments (file_sha256);
        """,
    ),
    runtime_tables=("broker_shipments",),
    numbered_tables=("broker_shipments",),
)

_COLUMNS = ("reference", "state", "file_sha256", "expires_at", "data")


def _values(shipment: Shipment) -> tuple:
    return (shipment.reference, shipment.state, shipment.file.sha256 if shipment.file else None,
            timestamp(shipment.expires_at) if shipment.expires_at else None, dump_without_id(shipment))


def _load(rows) -> list[Shipment]:
    return [load_with_id(Shipment.from_dict, data, i) for i, data in rows]


class SqlBroker:
    def __init__(self, db: Database):
        self._db = db

    def add(self, shipment: Shipment) -> Shipment:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("broker_shipments", _COLUMNS, _values(shipment))
        return evolve(shipment, id=new_id)

    def get(self, reference: str) -> Shipment | None:
        found = _load(self._db.query("SELECT id, data FROM broker_shipments WHERE reference=?", (reference,)))
        return found[0] if found else None

    def by_id(self, shipment_id: int) -> Shipment | None:
        found = _load(self._db.query("SELECT id, data FROM broker_shipments WHERE id=?", (shipment_id,)))
        return found[0] if found else None

    def save(self, shipment: Shipment) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE broker_shipments SET state=?, file_sha256=?, expires_at=?, data=? WHERE id=?",
                         _values(shipment)[1:] + (shipment.id,))

    def available(self) -> list[Shipment]:
        return _load(self._db.query("SELECT id, data FROM broker_shipments WHERE state='Uploaded' ORDER BY id"))

    def expired(self, now: datetime) -> list[Shipment]:
        return _load(self._db.query(
            "SELECT id, data FROM broker_shipments WHERE state='Uploaded' AND expires_at<=? ORDER BY id",
            (timestamp(now),)))

    def refers_to(self, sha256: str) -> bool:
        return bool(self._db.query("SELECT 1 FROM broker_shipments WHERE file_sha256=? LIMIT 1", (sha256,)))

    def list(self, newest: int | None = None) -> list[Shipment]:
        return _load(in_id_order(self._db, "SELECT id, data FROM broker_shipments", (), newest))
