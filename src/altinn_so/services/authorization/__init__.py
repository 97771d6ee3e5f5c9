"""Authorization: who may act for whom (role assignments, consents) and AuthorizationAdministrationExternal, the
service that lists a user's reportees and roles (docs/behaviour/authorization.md).

``rules`` holds the role assignments and consents and the administration's rules (no SOAP), ``store`` their
tables, ``contract`` the wire contract and its handlers, ``wire_types`` the generated wire types (``role_types``
GetRoles' inferred ones), ``admin`` what the admin API and page show and the route that mints temp keys. Seed files
may hold ``role_assignments`` and ``consents`` sections (docs/seed-format.md); ``seed.yaml`` adds some to the
default seed. Other services ask ``emulator.authorizations.roles_of(person, reportee)`` and ``.consent_of(person)``.
"""

from pathlib import Path

from altinn_so.service import AltinnService, SeedSection

from . import admin
from .contract import ADMINISTRATION
from .rules import Authorizations, Consent, RoleAssignment
from .rules.administration import AuthorizationAdministration
from .store import TABLES, SqlAuthorizations, SqlConsentUsages, SqlTempKeys


def _build(emulator, settings) -> dict:
    store = SqlAuthorizations(emulator.db)
    authorizations = Authorizations(store)
    temp_keys, usages = SqlTempKeys(emulator.db), SqlConsentUsages(emulator.db)
    administration = AuthorizationAdministration(authorizations, emulator.registry, emulator.catalog, emulator.clock,
                                                 temp_keys, usages)
    return {"authorization_store": store, "authorizations": authorizations, "temp_keys": temp_keys,
            "consent_usages": usages, "authorization_administration": administration}


ROLE_ASSIGNMENTS = SeedSection("role_assignments", build=RoleAssignment.from_seed, key=lambda a: a.key,
                               put=lambda emulator, a: emulator.authorization_store.put_assignment(a))
CONSENTS = SeedSection("consents", build=Consent.from_seed, key=lambda c: c.person,
                       put=lambda emulator, c: emulator.authorization_store.put_consent(c))

SERVICE = AltinnService(
    key="authorization",
    contracts=(ADMINISTRATION,),
    tables=TABLES,
    build=_build,
    listings=admin.LISTINGS,
    admin_routes=admin.ADMIN_ROUTES,
    seed_sections=(ROLE_ASSIGNMENTS, CONSENTS),
    default_seed=Path(__file__).with_name("seed.yaml"),
)

__all__ = ["SERVICE", "AuthorizationAdministration", "Authorizations", "Consent", "RoleAssignment"]
