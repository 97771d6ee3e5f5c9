"""The batch interface: files a service owner delivers over SFTP, and the log of what came of them
(docs/behaviour/batch.md).

``rules`` holds the batches, their items and issues, and the rounds that read them (no XML, no SOAP); ``store``
keeps them; the readers of each batch format are handed to the rules by their root element (``inbound``).
"""

from altinn_so.service import AltinnService

from . import inbound_correspondence, inbound_serviceinitiation, outbound
from .admin import LISTINGS, ROUTES
from .rules import BatchService
from .store import TABLES, SqlBatches

# "{namespace}root" -> BatchReader (rules.BatchReader): the inbound formats the emulator reads
READERS: dict = {
    inbound_correspondence.ROOT: inbound_correspondence.read_correspondences,
    inbound_serviceinitiation.ROOT: inbound_serviceinitiation.read_service_owner,
}


def _root_of(file) -> str | None:
    from lxml import etree

    try:
        for _, element in etree.iterparse(file, events=("start",), resolve_entities=False, no_network=True,
                                          load_dtd=False):
            return element.tag
    except etree.XMLSyntaxError:
        return None
    return None


def _build(emulator, settings) -> dict:
    store = SqlBatches(emulator.db)
    service = BatchService(store, emulator.clock, emulator.db.transaction, lambda sha: emulator.files.open(sha),
                           _root_of, READERS, emulator)
    correspondence = getattr(emulator, "correspondence", None)
    if correspondence is not None:  # read and confirmation receipts for the outbound folder
        correspondence.status_listeners.append(
            lambda changed, status: outbound.on_correspondence_status(emulator, changed, status))
    return {"batch_store": store, "batch": service}


SERVICE = AltinnService(
    key="batch",
    tables=TABLES,
    build=_build,
    listings=LISTINGS,
    admin_routes=ROUTES,
    due_work=lambda emulator: len(emulator.batch.process_waiting()),
    on_archived=outbound.on_archived,
)

__all__ = ["SERVICE", "BatchService"]
