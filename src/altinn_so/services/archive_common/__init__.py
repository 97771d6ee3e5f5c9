"""ArchiveCommonAgencyExternal, one search over a service owner's archive, worklist and correspondences
(docs/behaviour/archive-common.md).

``rules`` holds the search (no SOAP), ``sources`` reads the correspondences it searches from the correspondence
service's store, ``contract`` the wire contract and its handler, ``wire_types`` the generated wire types. It has
no tables of its own.
"""

from altinn_so.service import AltinnService

from .contract import ARCHIVE_COMMON
from .rules import ArchiveCommonService
from .sources import correspondences_from


def _build(emulator, settings) -> dict:
    correspondences = getattr(emulator, "correspondence_store", None)
    if correspondences is None:
        raise ValueError("ArchiveCommon searches the correspondences: offer correspondence before it")
    service = ArchiveCommonService(emulator.archive, emulator.reportee_elements,
                                   correspondences_from(correspondences), emulator.registry, emulator.catalog)
    return {"archive_common": service}


SERVICE = AltinnService(
    key="archive_common",
    contracts=(ARCHIVE_COMMON,),
    build=_build,
)

__all__ = ["SERVICE", "ArchiveCommonService"]
