"""The rights register's table and its repository, on any ``Database`` (SQLite or PostgreSQL).

One row per rule, unique on (service, edition, reportee, right, condition); "no condition" is stored as ''. The
seed writes rules here too, so the table is a seed table: a reset empties it and writes the seed's rules again.
"""

from __future__ import annotations

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import dump_without_id, in_id_order, load_with_id, timestamp
from altinn_so.store.schema import TableGroup

from .rules import RightRule

TABLES = TableGroup(
    "srr",
    migrations=(
        """
        CREATE TABLE srr_rules (
            id {id}, service_code TEXT NOT NULL, service_edition INTEGER NOT NULL, reportee TEXT NOT NULL,
            right_name TEXT NOT NULL, condition_key TEXT NOT NULL, valid_to TEXT NOT NULL, data TEXT NOT NULL);
        CREATE UNIQUE INDEX srr_rules_key
            ON srr_rules (service_code, service_edition, reportee, right_name, condition_key);
        """,
    ),
    numbered_tables=("srr_rules",),
    seed_tables=("srr_rules",),
)

_KEY = "service_code=? AND service_edition=? AND reportee=? AND right_name=? AND condition_key=?"
_COLUMNS = ("service_code", "service_edition", "reportee", "right_name", "condition_key", "valid_to", "data")


class SqlRules:
    def __init__(self, db: Database):
        self._db = db

    def add(self, rule: RightRule) -> bool:
        """Store ``rule``; False (and nothing stored) when a rule of the same key exists."""
        with self._db.transaction() as conn:
            if conn.query(f"SELECT id FROM srr_rules WHERE {_KEY}", rule.key):
                return False
            conn.insert_one("srr_rules", _COLUMNS, rule.key + (timestamp(rule.valid_to), dump_without_id(rule)))
        return True

    def put(self, rule: RightRule) -> RightRule:
        """Store ``rule``, replacing the rule of the same key (the seed's entries)."""
        with self._db.transaction() as conn:
            rows = conn.query(f"SELECT id FROM srr_rules WHERE {_KEY}", rule.key)
            if rows:
                conn.execute("UPDATE srr_rules SET valid_to=?, data=? WHERE id=?",
                             (timestamp(rule.valid_to), dump_without_id(rule), rows[0][0]))
                return evolve(rule, id=rows[0][0])
            new_id = conn.insert_one("srr_rules", _COLUMNS,
                                     rule.key + (timestamp(rule.valid_to), dump_without_id(rule)))
        return evolve(rule, id=new_id)

    def delete(self, service_code: str, service_edition: int, reportee: str, right: str,
               condition: str | None) -> bool:
        with self._db.transaction() as conn:
            return conn.execute(f"DELETE FROM srr_rules WHERE {_KEY}",
                                (service_code, service_edition, reportee, right, condition or "")).rowcount > 0

    def rules_of(self, service_code: str, service_edition: int, reportee: str | None = None) -> list[RightRule]:
        sql, params = "SELECT id, data FROM srr_rules WHERE service_code=? AND service_edition=?", [
            service_code, service_edition]
        if reportee is not None:
            sql, params = sql + " AND reportee=?", params + [reportee]
        return [load_with_id(RightRule.from_dict, data, i) for i, data in self._db.query(sql + " ORDER BY id",
                                                                                          tuple(params))]

    def list_rules(self, newest: int | None = None) -> list[RightRule]:
        return [load_with_id(RightRule.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM srr_rules", (), newest)]
