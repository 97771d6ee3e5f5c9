"""Authorization: who may act for whom (role assignments, consents) and the services that ask it
(docs/behaviour/authorization.md).

``rules`` holds the role assignments and consents (no SOAP), ``store`` their tables. Seed files may hold
``role_assignments`` and ``consents`` sections (docs/seed-format.md). Other services ask
``emulator.authorizations.roles_of(person, reportee)`` and ``.consent_of(person)``.
"""

from altinn_so.service import AltinnService, SeedSection

from .rules import Authorizations, Consent, RoleAssignment
from .store import TABLES, SqlAuthorizations


def _build(emulator, settings) -> dict:
    store = SqlAuthorizations(emulator.db)
    return {"authorization_store": store, "authorizations": Authorizations(store)}


ROLE_ASSIGNMENTS = SeedSection("role_assignments", build=RoleAssignment.from_seed, key=lambda a: a.key,
                               put=lambda emulator, a: emulator.authorization_store.put_assignment(a))
CONSENTS = SeedSection("consents", build=Consent.from_seed, key=lambda c: c.person,
                       put=lambda emulator, c: emulator.authorization_store.put_consent(c))

SERVICE = AltinnService(
    key="authorization",
    tables=TABLES,
    build=_build,
    seed_sections=(ROLE_ASSIGNMENTS, CONSENTS),
)

__all__ = ["SERVICE", "Authorizations", "Consent", "RoleAssignment"]
