"""DownloadQueue, the submitted form tasks a service owner downloads (docs/behaviour/download-queue.md).

``rules`` holds the queue's rules (no SOAP), ``store`` its table, ``contract`` the wire contract and its handlers,
``wire_types`` the generated wire types, ``admin`` what the admin API and page show. The archived form tasks are
the core's archive (``altinn_so.domain.archive``); the rules are given the core's form XML transformation
(``altinn_so.formxml``), PDF writer (``altinn_so.formpdf``) and cipher (``altinn_so.encryption``).
"""

from altinn_so import encryption
from altinn_so.formpdf import render_form_set
from altinn_so.formxml import leaf_values, strip_namespaces
from altinn_so.service import AltinnService

from . import admin
from .contract import DOWNLOAD_QUEUE
from .rules import DownloadQueueService, DownloadQueueSettings, DownloadTools
from .store import TABLES, SqlDownloadQueue

TOOLS = DownloadTools(strip_namespaces=strip_namespaces, leaf_values=leaf_values, render_pdf=render_form_set,
                      sealed_key=encryption.sealed_key, encode_text=encryption.encode_text)


def _build(emulator, settings) -> dict:
    store = SqlDownloadQueue(emulator.db)
    service = DownloadQueueService(store, emulator.archive, emulator.reportee_elements, emulator.catalog,
                                   emulator.clock, emulator.db.transaction, TOOLS, settings)
    return {"download_queue_store": store, "download_queue": service}


def _on_archived(emulator, task) -> None:
    """Queue the task if its service uses the download queue (inside the submission's transaction)."""
    emulator.download_queue.queue(task)


SERVICE = AltinnService(
    key="download_queue",
    contracts=(DOWNLOAD_QUEUE,),
    tables=TABLES,
    build=_build,
    default_settings=DownloadQueueSettings(),
    listings=admin.LISTINGS,
    on_archived=_on_archived,
)

__all__ = ["SERVICE", "DownloadQueueService", "DownloadQueueSettings"]
