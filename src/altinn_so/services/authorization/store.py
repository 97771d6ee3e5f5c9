"""Role assignments and consents, reference data from the seed (a reset writes them again)."""

from __future__ import annotations

from altinn_so.store.database import Database
from altinn_so.store.documents import dump, parse
from altinn_so.store.schema import TableGroup

from .rules import Consent, RoleAssignment

TABLES = TableGroup(
    "authorization",
    migrations=(
        """
        CREATE TABLE role_assignments (covered_by TEXT NOT NULL, offered_by TEXT NOT NULL, data TEXT NOT NULL,
                                       PRIMARY KEY (covered_by, offered_by));
        CREATE INDEX role_assignments_offered_by ON role_assignments (offered_by);
        CREATE TABLE consents (person TEXT PRIMARY KEY, data TEXT NOT NULL);
        """,
    ),
    seed_tables=("role_assignments", "consents"),
)


def _assignment(row) -> RoleAssignment:
    return RoleAssignment.from_seed(parse(row[0]))


class SqlAuthorizations:
    def __init__(self, db: Database):
        self._db = db

    def put_assignment(self, assignment: RoleAssignment) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO role_assignments (covered_by, offered_by, data) VALUES (?, ?, ?) "
                         "ON CONFLICT (covered_by, offered_by) DO UPDATE SET data = excluded.data",
                         (assignment.covered_by, assignment.offered_by, dump(assignment.to_dict())))

    def assignments_of(self, person: str) -> list[RoleAssignment]:
        rows = self._db.query("SELECT data FROM role_assignments WHERE covered_by=? ORDER BY offered_by", (person,))
        return [_assignment(row) for row in rows]

    def assignments_for(self, reportee: str) -> list[RoleAssignment]:
        rows = self._db.query("SELECT data FROM role_assignments WHERE offered_by=? ORDER BY covered_by", (reportee,))
        return [_assignment(row) for row in rows]

    def list_assignments(self) -> list[RoleAssignment]:
        return [_assignment(row) for row in
                self._db.query("SELECT data FROM role_assignments ORDER BY covered_by, offered_by")]

    def put_consent(self, consent: Consent) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO consents (person, data) VALUES (?, ?) "
                         "ON CONFLICT (person) DO UPDATE SET data = excluded.data",
                         (consent.person, dump(consent.to_dict())))

    def consent_of(self, person: str) -> Consent | None:
        rows = self._db.query("SELECT data FROM consents WHERE person=?", (person,))
        return Consent.from_seed(parse(rows[0][0])) if rows else None

    def list_consents(self) -> list[Consent]:
        return [Consent.from_seed(parse(row[0])) for row in self._db.query("SELECT data FROM consents ORDER BY person")]
