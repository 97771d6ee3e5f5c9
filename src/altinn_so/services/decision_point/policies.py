"""What the decision point decides by besides roles and the rights register: a service's policy and the service
owners' external resources, both from the seed (docs/behaviour/decision-point.md).

A service without a policy in the seed gets the default one: ``DEFAULT_ROLE_RIGHTS``, authentication level 2, and
the rights register consulted only for broker services. The table is the emulator's own simplification of what
Altinn's TUL rules usually say: the roles that run an organisation may do everything, an accountant or an auditor
what their trade needs, and the delegation role (ADMAI) only delegates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Protocol

from altinn_so.domain.values import check_keys

ACTIONS = ("Read", "Write", "Sign", "ArchiveRead", "ArchiveDelete", "Access", "ServiceOwnerArchiveRead", "Delegate")
# Every action an end user may be given: ServiceOwnerArchiveRead belongs to the service owner alone.
END_USER_ACTIONS = frozenset(ACTIONS) - {"ServiceOwnerArchiveRead"}
DEFAULT_AUTHENTICATION_LEVEL = 2
AUTHENTICATION_LEVELS = range(0, 5)  # Altinn's 0 (self-registered) to 4 (BankID and alike)

_USE = frozenset({"Read", "Write", "Sign", "ArchiveRead", "Access"})
DEFAULT_ROLE_RIGHTS: Mapping[str, frozenset[str]] = {
    "DAGL": END_USER_ACTIONS,  # daglig leder
    "LEDE": END_USER_ACTIONS,  # styrets leder
    "INNH": END_USER_ACTIONS,  # innehaver
    "REGNA": _USE,  # regnskapsfører
    "UTINN": _USE,  # utfyller/innsender
    "REVI": frozenset({"Read", "Sign", "ArchiveRead", "Access"}),  # revisor
    "SIGNE": frozenset({"Read", "Sign", "ArchiveRead", "Access"}),  # signerer
    "ADMAI": frozenset({"Delegate"}),  # tilgangsstyring
}


def _actions(value, what: str) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ValueError(f"{what} must be a list of actions, some of {list(ACTIONS)}")
    unknown = [a for a in value if a not in END_USER_ACTIONS]
    if unknown:
        raise ValueError(f"{what}: unknown actions {unknown}; some of {sorted(END_USER_ACTIONS)} "
                         "(ServiceOwnerArchiveRead is the service owner's, never a role's)")
    return frozenset(value)


def _level(data: dict) -> int:
    level = data.get("authentication_level", DEFAULT_AUTHENTICATION_LEVEL)
    if isinstance(level, bool) or not isinstance(level, int) or level not in AUTHENTICATION_LEVELS:
        raise ValueError(f"authentication_level must be 0 to 4, not {level!r}")
    return level


def _role_codes(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(r, str) and r.strip() for r in value):
        raise ValueError("roles must be a list of role codes")
    return tuple(r.strip() for r in value)


@dataclass(frozen=True)
class Policy:
    """Which role grants which actions, the authentication level a Permit obliges, and whether the reportee must also
    hold the right in the service owner's rights register (SRR)."""

    role_rights: Mapping[str, frozenset[str]] = field(default_factory=lambda: DEFAULT_ROLE_RIGHTS)
    authentication_level: int = DEFAULT_AUTHENTICATION_LEVEL
    srr: bool = False

    def rights_of(self, roles: tuple[str, ...]) -> frozenset[str]:
        return frozenset(action for role in roles for action in self.role_rights.get(role, ()))


@dataclass(frozen=True)
class ServicePolicy:
    """A seed's ``service_policies`` entry: ``service: "5679:1"``, optional ``roles`` (role code -> actions; replaces
    the default table), ``authentication_level`` (0-4, default 2) and ``srr`` (default: true for a broker service)."""

    service_code: str
    service_edition: int
    role_rights: Mapping[str, frozenset[str]] | None = None  # None: DEFAULT_ROLE_RIGHTS
    authentication_level: int = DEFAULT_AUTHENTICATION_LEVEL
    srr: bool | None = None  # None: as the service's kind says

    @property
    def key(self) -> tuple[str, int]:
        return self.service_code, self.service_edition

    @classmethod
    def from_seed(cls, data: dict) -> "ServicePolicy":
        check_keys(data, {"service", "roles", "authentication_level", "srr"}, "service policy")
        code, _, edition = str(data["service"]).partition(":")
        if not code or not edition.isdigit():
            raise ValueError(f"service must be \"code:edition\", not {data['service']!r}")
        roles = data.get("roles")
        if roles is not None and (not isinstance(roles, dict) or not roles):
            raise ValueError("roles must map role codes to lists of actions")
        srr = data.get("srr")
        if srr is not None and not isinstance(srr, bool):
            raise ValueError("srr must be true or false")
        role_rights = None if roles is None else {
            str(role): _actions(actions, f"the actions of role {role}") for role, actions in roles.items()}
        return cls(code, int(edition), role_rights, _level(data), srr)

    def to_dict(self) -> dict:
        out = {"service": f"{self.service_code}:{self.service_edition}",
               "authentication_level": self.authentication_level}
        if self.role_rights is not None:
            out["roles"] = {role: sorted(actions) for role, actions in self.role_rights.items()}
        if self.srr is not None:
            out["srr"] = self.srr
        return out

    def policy(self, broker: bool) -> Policy:
        return Policy(DEFAULT_ROLE_RIGHTS if self.role_rights is None else self.role_rights,
                      self.authentication_level, broker if self.srr is None else self.srr)


@dataclass(frozen=True)
class ExternalResource:
    """A seed's ``external_resources`` entry: a resource of a service owner's own (``name``, as a request's
    ``external-resource`` names it), the ``roles`` that may use it, with which ``actions``, at which
    ``authentication_level``. The reportee itself is given the same actions."""

    name: str
    roles: tuple[str, ...]
    actions: frozenset[str]
    authentication_level: int = DEFAULT_AUTHENTICATION_LEVEL

    @classmethod
    def from_seed(cls, data: dict) -> "ExternalResource":
        check_keys(data, {"name", "roles", "actions", "authentication_level"}, "external resource")
        name = str(data["name"]).strip()
        if not name:
            raise ValueError("an external resource needs a name")
        return cls(name, _role_codes(data.get("roles")), _actions(data.get("actions"), "actions"), _level(data))

    def to_dict(self) -> dict:
        return {"name": self.name, "roles": list(self.roles), "actions": sorted(self.actions),
                "authentication_level": self.authentication_level}

    def policy(self) -> Policy:
        return Policy({role: self.actions for role in self.roles}, self.authentication_level, srr=False)


class PolicyRepository(Protocol):
    def put_service_policy(self, policy: ServicePolicy) -> None: ...
    def service_policy(self, service_code: str, service_edition: int) -> ServicePolicy | None: ...
    def list_service_policies(self) -> list[ServicePolicy]: ...
    def put_resource(self, resource: ExternalResource) -> None: ...
    def resource(self, name: str) -> ExternalResource | None: ...
    def list_resources(self) -> list[ExternalResource]: ...
