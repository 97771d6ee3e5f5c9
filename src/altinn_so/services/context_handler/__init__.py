"""ContextHandlerExternal, a reportee element's context (docs/behaviour/context-handler.md).

``rules`` finds an element among the kinds the emulator keeps (no SOAP), ``contract`` the wire contract and its
handler, ``wire_types`` the generated wire types. It has no tables of its own: it reads the worklist's form tasks,
and the correspondences, broker shipments and collaboration cases of those services when the emulator offers them.
"""

from altinn_so.service import AltinnService

from .contract import CONTEXT_HANDLER
from .rules import BROKER, COLLABORATION, CORRESPONDENCE, ContextHandler, ElementContext, form_task_context


def _correspondence_context(store):
    def context(element_id: int) -> ElementContext | None:
        found = store.get_correspondence(element_id)
        return None if found is None else ElementContext(found.owner, found.reportee, found.service_code,
                                                         found.service_edition, CORRESPONDENCE)
    return context


def _broker_context(store):
    def context(element_id: int) -> ElementContext | None:
        found = store.by_id(element_id)
        return None if found is None else ElementContext(found.owner, found.sender, found.service_code,
                                                         found.service_edition, BROKER)
    return context


def _case_context(emulator, store):
    from altinn_so.services.case import machine_of

    def context(element_id: int) -> ElementContext | None:
        found = store.get(element_id)
        if found is None:
            return None
        service = emulator.catalog.get_service(found.service_code, found.service_edition)
        state = machine_of(service).state(found.state) if service else None
        # a case's process step is its current state's id (D122)
        return ElementContext(found.owner, found.reportee, found.service_code, found.service_edition,
                              COLLABORATION, state.id if state else None)
    return context


def _build(emulator, settings) -> dict:
    sources = [form_task_context(emulator.reportee_elements)]
    if getattr(emulator, "correspondence_store", None) is not None:
        sources.append(_correspondence_context(emulator.correspondence_store))
    if getattr(emulator, "broker_store", None) is not None:
        sources.append(_broker_context(emulator.broker_store))
    if getattr(emulator, "case_store", None) is not None:
        sources.append(_case_context(emulator, emulator.case_store))
    return {"context_handler": ContextHandler(emulator.catalog, sources)}


SERVICE = AltinnService(
    key="context_handler",
    contracts=(CONTEXT_HANDLER,),
    build=_build,
)

__all__ = ["SERVICE", "ContextHandler"]
