"""The correspondence tables and their repository, on any ``Database`` (SQLite or PostgreSQL)."""

from __future__ import annotations

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import (dump_without_id, in_id_order, load_with_id, owner_filters,
                                       select_in_creation_order, timestamp)
from altinn_so.store.schema import TableGroup

from .rules.model import Correspondence, SdpShipment

TABLES = TableGroup(
    "correspondence",
    migrations=(
        # Until schema 7 these were core tables: a store of that age has them already.
        """
        CREATE TABLE IF NOT EXISTS correspondences (
            id {id}, owner TEXT NOT NULL, service_code TEXT NOT NULL, service_edition INTEGER NOT NULL,
            reportee TEXT NOT NULL, senders_reference TEXT NOT NULL, created_at TEXT NOT NULL, status TEXT NOT NULL,
            data TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS correspondences_service
            ON correspondences (owner, service_code, service_edition, created_at);
        CREATE INDEX IF NOT EXISTS correspondences_reference ON correspondences (owner, senders_reference);
        CREATE TABLE IF NOT EXISTS sdp_shipments (
            id {id}, owner TEXT NOT NULL, service_code TEXT NOT NULL, service_edition INTEGER NOT NULL,
            reportee TEXT NOT NULL, reference TEXT NOT NULL, created_at TEXT NOT NULL, data TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS sdp_service ON sdp_shipments (owner, service_code, service_edition, created_at);
        CREATE INDEX IF NOT EXISTS sdp_reference ON sdp_shipments (owner, reference);
        """,
    ),
    runtime_tables=("correspondences", "sdp_shipments"),
    numbered_tables=("correspondences", "sdp_shipments"),
)


class SqlCorrespondences:
    def __init__(self, db: Database):
        self._db = db

    def add_correspondence(self, correspondence: Correspondence) -> Correspondence:
        with self._db.transaction() as conn:
            new_id = conn.insert_one(
                "correspondences", ("owner", "service_code", "service_edition", "reportee", "senders_reference",
                                    "created_at", "status", "data"),
                (correspondence.owner, correspondence.service_code, correspondence.service_edition,
                 correspondence.reportee, correspondence.senders_reference, timestamp(correspondence.created_at),
                 correspondence.status.value, dump_without_id(correspondence)))
        return evolve(correspondence, id=new_id)

    def save_correspondence(self, correspondence: Correspondence) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE correspondences SET status=?, data=? WHERE id=?",
                         (correspondence.status.value, dump_without_id(correspondence), correspondence.id))

    def get_correspondence(self, correspondence_id: int) -> Correspondence | None:
        rows = self._db.query("SELECT id, data FROM correspondences WHERE id=?", (correspondence_id,))
        return load_with_id(Correspondence.from_dict, rows[0][1], rows[0][0]) if rows else None

    def find_correspondences(self, owner: str, *, service=None, created_after=None, created_before=None,
                             reportee=None, senders_references=None, status=None, after=None,
                             limit: int | None = None) -> list[Correspondence]:
        clauses, params = owner_filters(owner, service, created_after, created_before, reportee)
        if status is not None:
            clauses.append("status=?")
            params.append(status)
        return [load_with_id(Correspondence.from_dict, data, i)
                for i, data in select_in_creation_order(self._db, "correspondences", "senders_reference", clauses,
                                                        params, senders_references, limit, after)]

    def list_correspondences(self, newest: int | None = None) -> list[Correspondence]:
        return [load_with_id(Correspondence.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM correspondences", (), newest)]

    def add_sdp(self, shipment: SdpShipment) -> SdpShipment:
        with self._db.transaction() as conn:
            new_id = conn.insert_one(
                "sdp_shipments", ("owner", "service_code", "service_edition", "reportee", "reference", "created_at",
                                  "data"),
                (shipment.owner, shipment.service_code, shipment.service_edition, shipment.reportee,
                 shipment.reference, timestamp(shipment.created_at), dump_without_id(shipment)))
        return evolve(shipment, id=new_id)

    def save_sdp(self, shipment: SdpShipment) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE sdp_shipments SET data=? WHERE id=?", (dump_without_id(shipment), shipment.id))

    def list_sdp(self, newest: int | None = None) -> list[SdpShipment]:
        return [load_with_id(SdpShipment.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM sdp_shipments", (), newest)]

    def find_sdp(self, owner: str, *, service=None, created_after=None, created_before=None, reportee=None,
                 references=None, limit: int | None = None) -> list[SdpShipment]:
        clauses, params = owner_filters(owner, service, created_after, created_before, reportee)
        return [load_with_id(SdpShipment.from_dict, data, i)
                for i, data in select_in_creation_order(self._db, "sdp_shipments", "reference", clauses, params,
                                                        references, limit)]
