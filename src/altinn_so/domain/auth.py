"""Agency-system authentication: passwords, enterprise certificates and lock-out.

Which ErrorID a failure gets depends on how the system authenticated
(docs/behaviour/faults-and-auth.md): a system that authenticated with a certificate gets 5 for a
wrong password or lock-out, a system that did not gets 989. Missing
credentials are always 989.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Callable, Protocol

from .catalog import AgencySystem, CatalogRepository, ServiceOwner
from .clock import Clock
from .errors import AltinnError, ErrorCode

WRONG_CREDENTIALS = "Incorrect username/password/pin given for user"
MISSING_CREDENTIALS = "The request lacks a system id or a password."
LOCKED_OUT = "The system is temporarily locked out after repeated failed logins. Try again later."


class AuthMode(Enum):
    PASSWORD = "password"  # Basic, WS, and EC without TLS (lenient mode)
    CERTIFICATE_AND_PASSWORD = "certificate+password"  # EC/EC2 over TLS
    CERTIFICATE = "certificate"  # AEC/AEC2


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    duration: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Caller:
    """Who is calling: the service owner, and the agency system when one logged in."""

    owner: ServiceOwner
    system: AgencySystem | None = None


Lockout = tuple[int, datetime | None]  # failures in a row, and until when the system is locked out


class LockoutRepository(Protocol):
    def get_lockout(self, username: str) -> Lockout: ...

    def update_lockout(self, username: str, change: Callable[[int, datetime | None], Lockout]) -> Lockout:
        """Apply ``change`` to the stored state atomically (failures on several workers all count)."""


class SystemAuthenticator:
    def __init__(self, catalog: CatalogRepository, lockouts: LockoutRepository, clock: Clock,
                 policy: LockoutPolicy = LockoutPolicy()):
        self._catalog = catalog
        self._lockouts = lockouts
        self._clock = clock
        self.policy = policy

    def authenticate(self, username: str | None, password: str | None, *, mode: AuthMode,
                     certificate_orgno: str | None = None) -> Caller:
        """Check a system's credentials; ``certificate_orgno`` is the org number of a verified client certificate."""
        if mode is AuthMode.CERTIFICATE:
            return self._authenticate_certificate(certificate_orgno)
        by_certificate = mode is AuthMode.CERTIFICATE_AND_PASSWORD
        failure_code = ErrorCode.NOT_AUTHORIZED if by_certificate else ErrorCode.EXTERNAL_SYSTEM_AUTHENTICATION

        if not username or password is None or password == "":
            raise AltinnError(ErrorCode.EXTERNAL_SYSTEM_AUTHENTICATION, MISSING_CREDENTIALS)
        if by_certificate and certificate_orgno is None:
            raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                              "This endpoint requires a valid enterprise certificate (TLS client certificate).")

        system = self._catalog.get_system(username)
        if system is None:
            raise AltinnError(failure_code, WRONG_CREDENTIALS)
        now = self._clock.now()
        failures, locked_until = self._lockouts.get_lockout(username)
        if locked_until is not None and now < locked_until:
            raise AltinnError(failure_code, LOCKED_OUT)
        if password != system.password:
            self._lockouts.update_lockout(username, lambda failures, until: self._failed(now, failures, until))
            raise AltinnError(failure_code, WRONG_CREDENTIALS)
        if failures or locked_until is not None:
            # A lock-out set meanwhile by failures on another worker stands; anything else is forgiven.
            _, until = self._lockouts.update_lockout(
                username, lambda failures, until: (failures, until) if until is not None and now < until else (0, None))
            if until is not None:
                raise AltinnError(failure_code, LOCKED_OUT)

        owner = self._owner_of(system)
        if by_certificate and certificate_orgno != owner.orgno:
            raise AltinnError(
                ErrorCode.NOT_AUTHORIZED,
                f"The certificate (organisation {certificate_orgno}) does not belong to the service owner "
                f"of system {system.username}.",
            )
        return Caller(owner=owner, system=system)

    def _failed(self, now: datetime, failures: int, locked_until: datetime | None) -> Lockout:
        """The lock-out state after one more failed login."""
        if locked_until is not None:
            if now < locked_until:
                return failures, locked_until  # locked meanwhile by a failure on another worker
            failures = 0  # an expired lock-out: the count starts again
        failures += 1
        return failures, now + self.policy.duration if failures >= self.policy.max_failures else None

    def _authenticate_certificate(self, certificate_orgno: str | None) -> Caller:
        if certificate_orgno is None:
            raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                              "This endpoint requires a valid enterprise certificate (TLS client certificate).")
        owner = self._catalog.get_owner_by_orgno(certificate_orgno)
        if owner is None:
            raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                              f"Organisation {certificate_orgno} is not a registered service owner.")
        return Caller(owner=owner)

    def _owner_of(self, system: AgencySystem) -> ServiceOwner:
        owner = self._catalog.get_owner(system.owner)
        if owner is None:  # the seed loader forbids this; guard against a hand-edited store
            raise AltinnError(ErrorCode.NOT_AUTHORIZED, f"System {system.username} has no service owner.")
        return owner
