"""The cases table and its repository, on any ``Database`` (SQLite or PostgreSQL).

A case's id is its row's id plus ``CASE_ID_BASE``: the emulator counts worklist elements, correspondences and
broker shipments from 1 each, and cases counted from 100001 are not mistaken for one of them by an id alone
(SetNotice and the context handler take any element's id, D118)."""

from __future__ import annotations

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import dump_without_id, in_id_order, load_with_id
from altinn_so.store.schema import TableGroup

from .model import Case

CASE_ID_BASE = 100_000

TABLES = TableGroup(
    "case",
    migrations=(
        """
        CREATE TABLE collaboration_cases (
            id {id}, owner TEXT NOT NULL, service_code TEXT NOT NULL, service_edition INTEGER NOT NULL,
            reportee TEXT NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL);
        CREATE INDEX collaboration_cases_service ON collaboration_cases (service_code, service_edition, reportee);
        """,
    ),
    runtime_tables=("collaboration_cases",),
    numbered_tables=("collaboration_cases",),
)


def _load(rows) -> list[Case]:
    return [load_with_id(Case.from_dict, data, row_id + CASE_ID_BASE) for row_id, data in rows]


class SqlCases:
    def __init__(self, db: Database):
        self._db = db

    def add(self, case: Case) -> Case:
        with self._db.transaction() as conn:
            row_id = conn.insert_one(
                "collaboration_cases", ("owner", "service_code", "service_edition", "reportee", "status", "data"),
                (case.owner, case.service_code, case.service_edition, case.reportee, case.status,
                 dump_without_id(case)))
        return evolve(case, id=row_id + CASE_ID_BASE)

    def put(self, case: Case) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE collaboration_cases SET status=?, data=? WHERE id=?",
                         (case.status, dump_without_id(case), case.id - CASE_ID_BASE))

    def get(self, case_id: int) -> Case | None:
        if case_id <= CASE_ID_BASE:
            return None
        found = _load(self._db.query("SELECT id, data FROM collaboration_cases WHERE id=?", (case_id - CASE_ID_BASE,)))
        return found[0] if found else None

    def of_service(self, service_code: str, service_edition: int, reportee: str | None = None) -> list[Case]:
        sql, params = "SELECT id, data FROM collaboration_cases WHERE service_code=? AND service_edition=?", [
            service_code, service_edition]
        if reportee is not None:
            sql, params = sql + " AND reportee=?", params + [reportee]
        return _load(self._db.query(sql + " ORDER BY id", tuple(params)))

    def list(self, newest: int | None = None) -> list[Case]:
        return _load(in_id_order(self._db, "SELECT id, data FROM collaboration_cases", (), newest))
