"""BrokerService, files sent from one party to others through Altinn (docs/behaviour/broker.md).

``model`` holds a shipment as the rules keep it, ``rules`` the broker's rules (no SOAP), ``store`` its table,
``contract`` the two wire contracts (the broker and the streamed broker) and their handlers, ``wire_types`` the
generated wire types, ``admin`` what the admin API and page show and its routes. The uploaded files are in the
emulator's file store (``emulator.files``); the rights come from the rights register (``emulator.srr``).
"""

from altinn_so.service import AltinnService

from . import admin
from .contract import BROKER, BROKER_STREAMED
from .rules import MAX_FILE_BYTES, BrokerService, NoRights
from .store import TABLES, SqlBroker


class _EmulatorRights:
    """The emulator's rights register (``emulator.srr``), looked up on each question: the SRR service may be built
    after this one; without it nobody has a right (``rules.NoRights``)."""

    def __init__(self, emulator):
        self._emulator = emulator

    def rules_for(self, service_code, service_edition, reportee, at):
        register = getattr(self._emulator, "srr", None) or NoRights()
        return register.rules_for(service_code, service_edition, reportee, at)


def _build(emulator, settings) -> dict:
    store = SqlBroker(emulator.db)
    service = BrokerService(store, emulator.files, emulator.receipts, emulator.catalog, emulator.clock,
                            emulator.db.transaction, _EmulatorRights(emulator),
                            max_file_bytes=int(settings.get("max_file_bytes", MAX_FILE_BYTES)))
    return {"broker_store": store, "broker": service}


SERVICE = AltinnService(
    key="broker",
    contracts=(BROKER, BROKER_STREAMED),
    tables=TABLES,
    build=_build,
    default_settings={"max_file_bytes": MAX_FILE_BYTES},
    listings=admin.LISTINGS,
    admin_routes=admin.ADMIN_ROUTES,
    # files whose retention has run out are removed by the clock's due work, downloaded or not (D74)
    due_work=lambda emulator: emulator.broker.expire(),
)

__all__ = ["SERVICE", "BrokerService"]
