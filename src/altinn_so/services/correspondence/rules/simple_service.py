"""CreateSimpleCorrespondenceService: a new, very simple correspondence service for the caller,
cloned from a template service (docs/behaviour/correspondence.md)."""

from __future__ import annotations

from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository, Service
from altinn_so.domain.errors import AltinnError, ErrorCode

FIRST_CODE = 100_000  # generated service codes start here, clear of the seeded ones
TEMPLATE_KIND = "correspondence-template"


def create_simple_service(catalog: CatalogRepository, next_number, caller: Caller, template_code: str | None,
                          template_edition: int | None) -> Service:
    """``next_number()`` hands out a fresh sequence number for the service code."""
    if not template_code:
        raise AltinnError(ErrorCode.EXTERNAL_SERVICE_CODE_CANNOT_BE_NULL, "templateServiceCode cannot be null.")
    template = catalog.get_service(template_code, template_edition or 0)
    if template is None or template.kind != TEMPLATE_KIND:
        raise AltinnError(ErrorCode.SERVICE_IS_NOT_VALID,
                          f"Service {template_code} edition {template_edition} is not a correspondence template "
                          "(Altinn's templates are seeded with kind correspondence-template).")
    while True:
        code = str(FIRST_CODE + next_number())
        if catalog.get_service(code, 1) is None:
            break
    service = Service(code=code, edition=1, owner=caller.owner.code, kind="correspondence",
                      name=f"{template.name} – {caller.owner.name}", names=dict(template.names))
    catalog.put_service(service)
    return service
