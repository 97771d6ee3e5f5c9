"""Service policies and external resources, reference data from the seed (a reset writes them again)."""

from __future__ import annotations

from altinn_so.store.database import Database
from altinn_so.store.documents import dump, parse
from altinn_so.store.schema import TableGroup

from .policies import ExternalResource, ServicePolicy

TABLES = TableGroup(
    "decision_point",
    migrations=(
        """
        CREATE TABLE decision_service_policies (service_code TEXT NOT NULL, service_edition INTEGER NOT NULL,
                                                data TEXT NOT NULL, PRIMARY KEY (service_code, service_edition));
        CREATE TABLE decision_external_resources (name TEXT PRIMARY KEY, data TEXT NOT NULL);
        """,
    ),
    seed_tables=("decision_service_policies", "decision_external_resources"),
)


class SqlPolicies:
    def __init__(self, db: Database):
        self._db = db

    def put_service_policy(self, policy: ServicePolicy) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO decision_service_policies (service_code, service_edition, data) VALUES (?, ?, ?) "
                         "ON CONFLICT (service_code, service_edition) DO UPDATE SET data = excluded.data",
                         (policy.service_code, policy.service_edition, dump(policy.to_dict())))

    def service_policy(self, service_code: str, service_edition: int) -> ServicePolicy | None:
        rows = self._db.query("SELECT data FROM decision_service_policies WHERE service_code=? AND service_edition=?",
                              (service_code, service_edition))
        return ServicePolicy.from_seed(parse(rows[0][0])) if rows else None

    def list_service_policies(self) -> list[ServicePolicy]:
        return [ServicePolicy.from_seed(parse(row[0])) for row in self._db.query(
            "SELECT data FROM decision_service_policies ORDER BY service_code, service_edition")]

    def put_resource(self, resource: ExternalResource) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO decision_external_resources (name, data) VALUES (?, ?) "
                         "ON CONFLICT (name) DO UPDATE SET data = excluded.data",
                         (resource.name, dump(resource.to_dict())))

    def resource(self, name: str) -> ExternalResource | None:
        rows = self._db.query("SELECT data FROM decision_external_resources WHERE name=?", (name,))
        return ExternalResource.from_seed(parse(rows[0][0])) if rows else None

    def list_resources(self) -> list[ExternalResource]:
        return [ExternalResource.from_seed(parse(row[0])) for row in
                self._db.query("SELECT data FROM decision_external_resources ORDER BY name")]
