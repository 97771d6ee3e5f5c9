"""Role assignments and consents, reference data from the seed (a reset writes them again); the temp keys minted
for the link service and the consent usages service owners logged, state a reset empties."""

from __future__ import annotations

from altinn_so.store.database import Database
from altinn_so.store.documents import dump, dump_without_id, in_id_order, load_with_id, parse, timestamp
from altinn_so.store.schema import TableGroup

from .rules import Consent, RoleAssignment
from .rules.consent_usage import ConsentUsage
from .rules.temp_keys import TempKey

TABLES = TableGroup(
    "authorization",
    migrations=(
        """
        CREATE TABLE role_assignments (covered_by TEXT NOT NULL, offered_by TEXT NOT NULL, data TEXT NOT NULL,
                                       PRIMARY KEY (covered_by, offered_by));
        CREATE INDEX role_assignments_offered_by ON role_assignments (offered_by);
        CREATE TABLE consents (person TEXT PRIMARY KEY, data TEXT NOT NULL);
        """,
        """
        CREATE TABLE temp_keys (temp_key TEXT PRIMARY KEY, created_at TEXT NOT NULL, used_at TEXT,
                                data TEXT NOT NULL);
        CREATE TABLE consent_usages (id {id}, owner TEXT NOT NULL, data TEXT NOT NULL);
        """,
    ),
    runtime_tables=("temp_keys", "consent_usages"),
    numbered_tables=("consent_usages",),
    seed_tables=("role_assignments", "consents"),
)


def _assignment(row) -> RoleAssignment:
    return RoleAssignment.from_seed(parse(row[0]))


def _temp_key(data: str) -> TempKey:
    return TempKey.from_dict(parse(data))


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


class SqlTempKeys:
    def __init__(self, db: Database):
        self._db = db

    def put_temp_key(self, key: TempKey) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO temp_keys (temp_key, created_at, used_at, data) VALUES (?, ?, NULL, ?)",
                         (key.key, timestamp(key.created_at), dump(key.to_dict())))

    def get_temp_key(self, key: str) -> TempKey | None:
        rows = self._db.query("SELECT data FROM temp_keys WHERE temp_key=?", (key,))
        return _temp_key(rows[0][0]) if rows else None

    def mark_used(self, key: TempKey) -> bool:
        # one statement that only succeeds on an unused key: two calls racing for one key cannot both win
        with self._db.transaction() as conn:
            cursor = conn.execute("UPDATE temp_keys SET used_at=?, data=? WHERE temp_key=? AND used_at IS NULL",
                                  (timestamp(key.used_at), dump(key.to_dict()), key.key))
            return cursor.rowcount == 1

    def list_temp_keys(self, newest: int | None = None) -> list[TempKey]:
        rows = self._db.query("SELECT data FROM temp_keys ORDER BY created_at, temp_key")
        keys = [_temp_key(row[0]) for row in rows]
        return keys[-newest:] if newest else keys


class SqlConsentUsages:
    def __init__(self, db: Database):
        self._db = db

    def add_usage(self, usage: ConsentUsage) -> int:
        with self._db.transaction() as conn:
            return conn.insert_one("consent_usages", ("owner", "data"), (usage.owner, dump_without_id(usage)))

    def list_usages(self, newest: int | None = None) -> list[ConsentUsage]:
        return [load_with_id(ConsentUsage.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM consent_usages", (), newest)]
