"""The push of submissions to the service owner's own OnlineBatchReceiver (docs/behaviour/push.md).

Altinn is the client here: the emulator serves no contract of its own for it. ``rules`` holds the queue, the
rounds and what each answer leads to (no SOAP, no XML), ``batch`` builds the genericbatch.2013.06 ``DataBatch``,
``sender`` calls the receiver, ``store`` keeps the queue and every attempt, ``admin`` shows them and retries.
"""

from altinn_so.service import AltinnService

from . import admin
from .batch import build_batch
from .rules import BatchFacts, PushService, PushTools, internal_file_name
from .sender import call_receiver
from .store import TABLES, SqlPushes

TOOLS = PushTools(build_batch=build_batch, call=call_receiver)


def _build(emulator, settings) -> dict:
    store = SqlPushes(emulator.db)
    service = PushService(store, emulator.archive, emulator.reportee_elements.attachment_data, emulator.catalog,
                          emulator.receipts, emulator.clock, emulator.db.transaction, settings or TOOLS)
    return {"push_store": store, "push": service}


SERVICE = AltinnService(
    key="push",
    tables=TABLES,
    build=_build,
    default_settings=TOOLS,
    listings=admin.LISTINGS,
    admin_routes=admin.ROUTES,
    admin_pages=(("Pushes", admin.PAGE),),
    on_archived=lambda emulator, task: emulator.push.queue(task),
    due_work=lambda emulator: len(emulator.push.run_round()),
)

__all__ = ["SERVICE", "BatchFacts", "PushService", "PushTools", "build_batch", "internal_file_name"]
