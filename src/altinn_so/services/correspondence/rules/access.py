"""Which correspondence service a call may use: the same checks, in the same order, for every operation."""

from __future__ import annotations

from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository, Service
from altinn_so.domain.errors import ErrorCode
from altinn_so.domain.ownership import owned_service


def owned_correspondence_service(catalog: CatalogRepository, caller: Caller, code: str, edition: int) -> Service:
    """The service ``code``/``edition``: it must exist (40013), be a correspondence service (40019) and belong
    to the caller's service owner (5)."""
    return owned_service(catalog, caller, code, edition, kind="correspondence", unknown=ErrorCode.SERVICE_IS_NOT_VALID)
