"""AuthorizeAccessExternal's decisions, from the emulator's own state (docs/behaviour/decision-point.md).

Who the subject is for the reportee comes from the role assignments (``roles_of``); a person or organisation
acting for itself may do every end-user action. What each role grants comes from the service's policy (the default
role table unless the seed gives one) or from the external resource's. A service whose policy says so also needs the
reportee's right in the service owner's rights register (``srr_rules_for``). Element ids are looked up in the
worklist, the correspondences and the archive: the element's reportee must be the request's, and its service's
policy decides. ServiceOwnerArchiveRead is the service owner's: only the owner's organisation number gets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from altinn_so.domain.catalog import CatalogRepository, Service
from altinn_so.domain.clock import Clock
from altinn_so.domain.registry import RegistryRepository

from .policies import END_USER_ACTIONS, Policy, PolicyRepository
from .request import (AccessRequest, ArchivedElementResource, ElementResource, ExternalResourceName,
                      ServiceResource)

PERMIT, DENY, INDETERMINATE = "Permit", "Deny", "Indeterminate"
_ARCHIVE_ACTIONS = frozenset({"ArchiveRead", "ArchiveDelete", "ServiceOwnerArchiveRead"})
_CHANGING_ACTIONS = frozenset({"Write", "Sign"})  # what an archived element or a correspondence never allows


@dataclass(frozen=True)
class Decision:
    result: str  # PERMIT, DENY or INDETERMINATE
    authentication_level: int | None = None  # a Permit's obligation
    reason: str = ""  # why (an Indeterminate's StatusMessage; for the rest, logs and tests)


def permit(level: int) -> Decision:
    return Decision(PERMIT, level, "permitted")


def deny(reason: str) -> Decision:
    return Decision(DENY, reason=reason)


def indeterminate(reason: str) -> Decision:
    return Decision(INDETERMINATE, reason=reason)


@dataclass(frozen=True)
class ElementFacts:
    """What the decision needs of an element, whatever keeps it."""

    element_id: int
    kind: str  # "form_task", "correspondence" or "archived"
    reportee: str
    service_code: str
    service_edition: int
    active: bool  # a form task still in the worklist
    archived: bool  # in the reportee's archive


class ElementSource:
    """The elements an id may name, given to the decision point as functions (``sources`` reads the stores)."""

    def __init__(self, by_id: Callable[[int], Iterable[ElementFacts]],
                 archived: Callable[[str], ElementFacts | None]):
        self.by_id = by_id  # the worklist element and the correspondence of that id (ids are counted apart)
        self.archived = archived  # an archived element by its element id or archive reference


class DecisionPoint:
    def __init__(self, registry: RegistryRepository, catalog: CatalogRepository, policies: PolicyRepository,
                 roles_of: Callable[[str, str], tuple[str, ...]],
                 srr_rules_for: Callable[[str, int, str, datetime], list], elements: ElementSource, clock: Clock):
        self.registry = registry
        self.catalog = catalog
        self.policies = policies
        self.roles_of = roles_of
        self.srr_rules_for = srr_rules_for
        self.elements = elements
        self.clock = clock

    def decide(self, request: AccessRequest) -> Decision:
        if not self._known(request.subject):
            return deny(f"{request.subject} is nobody the register knows")
        if not self._known(request.reportee):
            return deny(f"the reportee {request.reportee} is nobody the register knows")
        resource = request.resource
        if isinstance(resource, ServiceResource):
            service = self.catalog.get_service(resource.code, resource.edition)
            if service is None:
                return deny(f"no service {resource.code}:{resource.edition}")
            return self._on_service(request, service)
        if isinstance(resource, ExternalResourceName):
            return self._on_external_resource(request, resource.name)
        if isinstance(resource, ElementResource):
            return self._on_element(request, resource.element_id)
        return self._on_archived(request, resource)

    # -- resources ---------------------------------------------------------------------------------------------

    def _on_external_resource(self, request: AccessRequest, name: str) -> Decision:
        resource = self.policies.resource(name)
        if resource is None:
            return deny(f"no external resource {name!r}")
        if request.action not in resource.actions:
            return deny(f"the external resource {name!r} offers no {request.action}")
        return self._by_roles(request, resource.policy())

    def _on_element(self, request: AccessRequest, element_id: int) -> Decision:
        found = list(self.elements.by_id(element_id))
        if not found:
            return indeterminate(f"No element {element_id} exists.")
        element = next((e for e in found if e.reportee == request.reportee), None)
        if element is None:
            return deny(f"element {element_id} is not the reportee {request.reportee}'s")
        if request.action in _ARCHIVE_ACTIONS:
            # Altinn looks the element's archive id up; an element not submitted (or a correspondence, which the
            # emulator never archives) has none yet
            archived = self.elements.archived(str(element_id)) if element.kind == "form_task" else None
            if archived is None:
                return indeterminate(f"Element {element_id} is not archived yet.")
            return self._on_element_of_service(request, archived)
        return self._on_element_of_service(request, element)

    def _on_archived(self, request: AccessRequest, resource: ArchivedElementResource) -> Decision:
        element = self.elements.archived(resource.reference)
        if element is None:
            return indeterminate(f"No archived element {resource.reference} exists.")
        if element.reportee != request.reportee:
            return deny(f"archived element {resource.reference} is not the reportee {request.reportee}'s")
        return self._on_element_of_service(request, element)

    def _on_element_of_service(self, request: AccessRequest, element: ElementFacts) -> Decision:
        if request.action in _CHANGING_ACTIONS and not element.active:
            return deny(f"{request.action} needs an active form task; element {element.element_id} is "
                        + ("archived" if element.archived or element.kind == "archived" else "a correspondence"))
        service = self.catalog.get_service(element.service_code, element.service_edition)
        if service is None:
            return deny(f"the element's service {element.service_code}:{element.service_edition} is gone")
        return self._on_service(request, service)

    def _on_service(self, request: AccessRequest, service: Service) -> Decision:
        policy = self._policy_of(service)
        if request.action == "ServiceOwnerArchiveRead":
            owner = self.catalog.get_owner(service.owner)
            if owner is not None and owner.orgno == request.subject:
                return permit(policy.authentication_level)
            return deny(f"only the service owner ({service.owner}) may ServiceOwnerArchiveRead")
        if policy.srr and request.action in _SRR_RIGHTS:
            rules = self.srr_rules_for(service.code, service.edition, request.reportee, self.clock.now())
            if not any(rule.right == request.action for rule in rules):
                return deny(f"the reportee {request.reportee} has no {request.action} right for "
                            f"{service.code}:{service.edition} in the rights register")
        return self._by_roles(request, policy)

    # -- helpers -----------------------------------------------------------------------------------------------

    def _by_roles(self, request: AccessRequest, policy: Policy) -> Decision:
        if request.subject == request.reportee:
            rights = END_USER_ACTIONS  # acting for oneself; the policy's actions still bound an external resource
        else:
            rights = policy.rights_of(self.roles_of(request.subject, request.reportee))
        if request.action in rights:
            return permit(policy.authentication_level)
        return deny(f"{request.subject} holds no role granting {request.action} for {request.reportee}")

    def _policy_of(self, service: Service) -> Policy:
        stored = self.policies.service_policy(service.code, service.edition)
        broker = service.kind == "broker"
        return stored.policy(broker) if stored is not None else Policy(srr=broker)

    def _known(self, number: str) -> bool:
        if len(number) == 11:
            return self.registry.get_person(number) is not None
        return self.registry.get_organisation(number) is not None


# The rights a rule of the register may carry (services/srr: the real contract's enumeration without "None").
_SRR_RIGHTS = frozenset({"Read", "Write", "Sign", "ArchiveRead", "ArchiveDelete", "Access"})
