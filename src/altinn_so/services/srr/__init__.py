"""RegisterSRRAgencyExternal, the service owner's rights register (docs/behaviour/srr.md).

``rules`` holds the register (no SOAP), ``store`` its table, ``contract`` the wire contract and its handlers,
``wire_types`` the generated wire types, ``admin`` what the admin API and page show. Seed files may hold an
``srr_rules`` section (docs/seed-format.md).

Other services ask ``emulator.srr.rules_for(service_code, service_edition, reportee, at)``: the reportee's rules
for the service still valid at ``at``, each with ``right``, ``condition`` (or None) and ``valid_to``.
"""

from altinn_so.service import AltinnService, SeedSection

from . import admin
from .contract import SRR
from .rules import RightRule, RightsRegister
from .store import TABLES, SqlRules


def _build(emulator, settings) -> dict:
    store = SqlRules(emulator.db)
    register = RightsRegister(store, emulator.registry, emulator.catalog, emulator.clock, emulator.db.transaction)
    return {"srr_store": store, "srr": register}


RULES = SeedSection("srr_rules", build=RightRule.from_seed, key=lambda rule: rule.key,
                    put=lambda emulator, rule: emulator.srr_store.put(rule))

SERVICE = AltinnService(
    key="srr",
    contracts=(SRR,),
    tables=TABLES,
    build=_build,
    listings=admin.LISTINGS,
    seed_sections=(RULES,),
)

__all__ = ["SERVICE", "RightRule", "RightsRegister"]
