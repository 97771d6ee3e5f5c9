"""Which service a call may use: it must exist, be of the kind the operation serves, and belong to the caller's
service owner. Every service checks these three in this order; only the ErrorID for an unknown service differs
(correspondence answers 40013, prefill 30003: docs/behaviour/)."""

from __future__ import annotations

from .auth import Caller
from .catalog import CatalogRepository, Service
from .errors import AltinnError, ErrorCode


def owned_service(catalog: CatalogRepository, caller: Caller, code: str, edition: int, *, kind: str,
                  unknown: ErrorCode) -> Service:
    """The service ``code``/``edition``: it must exist (``unknown``), be of ``kind`` (40019) and belong to the
    caller's service owner (5)."""
    service = catalog.get_service(code, edition)
    if service is None:
        raise AltinnError(unknown, f"Service {code} edition {edition} does not exist.")
    if service.kind != kind:
        raise AltinnError(ErrorCode.INVALID_SERVICE_TYPE, f"Service {code} edition {edition} is not a {kind} service.")
    if service.owner != caller.owner.code:
        raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                          f"Service {code} edition {edition} is not owned by {caller.owner.code}.")
    return service
