"""What a call claims about its service owner, checked the same way by every service: the service it uses must
exist, be of the kind the operation serves and belong to the caller's owner (only the ErrorID for an unknown
service differs: correspondence answers 40013, prefill 30003; docs/behaviour/), and a SystemUserCode must start
with the owner's code."""

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


def checked_system_user_code(caller: Caller, code: str | None, *, name: str = "SystemUserCode",
                             required: bool = True) -> str:
    """``code`` (``XXX_YYYY``) when it starts with the calling system's prefix (the owner's code unless the seed
    says otherwise), else 40008; without a code, 40008 when ``required``, else the prefix (AEC: the owner's code,
    from the certificate)."""
    prefix = (caller.system.system_user_code_prefix if caller.system else "") or caller.owner.code
    if not code:
        if required:
            raise AltinnError(ErrorCode.SYSTEM_USER_CODE_CANNOT_BE_NULL, f"{name} cannot be null.")
        return prefix
    head, separator = code[:len(prefix)], code[len(prefix):len(prefix) + 1]
    if head.upper() != prefix.upper() or separator not in ("", "_", "-"):
        raise AltinnError(ErrorCode.SYSTEM_USER_CODE_CANNOT_BE_NULL,
                          f"{name} '{code}' must start with the service owner code {prefix} (format {prefix}_XXXX).")
    return code
