"""PreFill, prefilled forms (docs/behaviour/prefill.md).

``rules`` holds the prefill rules and the prefilled sets (no SOAP), ``requests`` what a client asks for,
``batches`` SubmitPrefilledFormTasks' batches while they wait, ``store`` their tables, ``contract`` the wire
contract and its handlers, ``wire_types`` the generated wire types, ``admin`` what the admin API and page show.
The forms' XML checks (lxml) the rules are given are the core's ``altinn_so.formxml``.
The worklist elements a prefill instantiates are core reportee elements (``altinn_so.domain.elements``).
"""

from altinn_so.formxml import form_xml_problem
from altinn_so.service import AltinnService

from . import admin
from .contract import PREFILL
from .requests import InstantiateOptions, PrefillAttachmentRequest, PrefillFormRequest, PrefillTaskRequest
from .rules import PrefillService
from .store import TABLES, SqlPrefill


def _build(emulator, settings) -> dict:
    store = SqlPrefill(emulator.db)
    service = PrefillService(store, emulator.reportee_elements, emulator.receipts, emulator.notifications,
                             emulator.outbox, emulator.registry, emulator.catalog, emulator.clock,
                             emulator.db.transaction, form_xml_problem, emulator.case_links)
    return {"prefill_store": store, "prefill": service}


SERVICE = AltinnService(
    key="prefill",
    contracts=(PREFILL,),
    tables=TABLES,
    build=_build,
    listings=admin.LISTINGS,
    # SubmitPrefilledFormTasks' batches are processed in the background, as Altinn did (D35)
    due_work=lambda emulator: emulator.prefill.process_batches(),
)

# The request types are public: the batch interface reads prefilled form tasks from files into the same requests.
__all__ = ["SERVICE", "InstantiateOptions", "PrefillAttachmentRequest", "PrefillFormRequest", "PrefillService",
           "PrefillTaskRequest"]
