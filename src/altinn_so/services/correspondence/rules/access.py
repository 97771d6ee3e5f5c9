"""Which correspondence service a call may use: the same checks, in the same order, for every operation."""

from __future__ import annotations

from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository, Service
from altinn_so.domain.errors import AltinnError, ErrorCode


def owned_correspondence_service(catalog: CatalogRepository, caller: Caller, code: str, edition: int) -> Service:
    """The service ``code``/``edition``: it must exist (40013), be a correspondence service (40019) and belong
    to the caller's service owner (5)."""
    service = catalog.get_service(code, edition)
    if service is None:
        raise AltinnError(ErrorCode.SERVICE_IS_NOT_VALID, f"Service {code} edition {edition} does not exist.")
    if service.kind != "correspondence":
        raise AltinnError(ErrorCode.INVALID_SERVICE_TYPE,
                          f"Service {code} edition {edition} is not a correspondence service.")
    if service.owner != caller.owner.code:
        raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                          f"Service {code} edition {edition} is not owned by {caller.owner.code}.")
    return service
