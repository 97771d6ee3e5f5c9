"""ServiceOwnerArchiveExternal, the owner's view of its archived form tasks (docs/behaviour/archive.md).

With its streamed twin ServiceOwnerArchiveExternalStreamed (``GetAttachmentDataStreamed``). ``rules`` holds the
search rules (no SOAP), ``contract`` the two wire contracts and their handlers, ``wire_types`` the
generated wire types. The archived form tasks and their shipment status logs are the core's archive
(``altinn_so.domain.archive``); the service has no tables of its own.
"""

from altinn_so.service import AltinnService

from .contract import SERVICE_OWNER_ARCHIVE, SERVICE_OWNER_ARCHIVE_STREAMED
from .rules import ArchiveSettings, ServiceOwnerArchive


def _build(emulator, settings) -> dict:
    return {"archive_service": ServiceOwnerArchive(emulator.archive, emulator.reportee_elements, settings)}


SERVICE = AltinnService(
    key="archive",
    contracts=(SERVICE_OWNER_ARCHIVE, SERVICE_OWNER_ARCHIVE_STREAMED),
    build=_build,
    default_settings=ArchiveSettings(),
)

__all__ = ["SERVICE", "ServiceOwnerArchive", "ArchiveSettings"]
