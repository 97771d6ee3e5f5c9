"""AuthorizationDecisionPointExternal, the XACML decision point an agency's own portal asks who may do what
(docs/behaviour/decision-point.md).

``request`` checks a request's attributes and ``rules`` decides (plain Python), from ``policies`` (the seed's
``service_policies`` and ``external_resources``, kept by ``store``), the authorization service's role assignments,
the rights register and the elements ``sources`` reads; ``xacml`` reads the request's XML and writes the
response's; ``contract`` is the (inferred) WS contract.
"""

from pathlib import Path

from altinn_so.service import AltinnService, SeedSection

from .contract import DECISION_POINT
from .policies import ExternalResource, Policy, ServicePolicy
from .rules import Decision, DecisionPoint
from .sources import element_source
from .store import TABLES, SqlPolicies


def _build(emulator, settings) -> dict:
    for needed in ("authorizations", "srr"):
        if getattr(emulator, needed, None) is None:
            raise ValueError(f"the decision point asks {needed}: offer its service before decision_point")
    store = SqlPolicies(emulator.db)
    point = DecisionPoint(emulator.registry, emulator.catalog, store, emulator.authorizations.roles_of,
                          emulator.srr.rules_for, element_source(emulator), emulator.clock)
    return {"decision_policies": store, "decision_point": point}


SERVICE_POLICIES = SeedSection("service_policies", build=ServicePolicy.from_seed, key=lambda p: p.key,
                               put=lambda emulator, p: emulator.decision_policies.put_service_policy(p))
EXTERNAL_RESOURCES = SeedSection("external_resources", build=ExternalResource.from_seed, key=lambda r: r.name,
                                 put=lambda emulator, r: emulator.decision_policies.put_resource(r))

SERVICE = AltinnService(
    key="decision_point",
    contracts=(DECISION_POINT,),
    tables=TABLES,
    build=_build,
    seed_sections=(SERVICE_POLICIES, EXTERNAL_RESOURCES),
    default_seed=Path(__file__).with_name("seed.yaml"),
)

__all__ = ["SERVICE", "Decision", "DecisionPoint", "ExternalResource", "Policy", "ServicePolicy"]
