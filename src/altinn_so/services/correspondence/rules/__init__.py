"""Correspondence ("meldingstjenesten"): messages a service owner puts in a reportee's inbox
(docs/behaviour/correspondence.md).

``CorrespondenceService`` is the one entry point; its parts live in
``insert`` (InsertCorrespondence), ``status`` (status queries), ``enduser``
(read, confirm) and ``simple_service`` (CreateSimpleCorrespondenceService).
"""

from __future__ import annotations

from altinn_so.domain.archive import ArchiveRepository
from altinn_so.domain.auth import Caller
from altinn_so.domain.case_links import CaseLinks
from altinn_so.domain.catalog import CatalogRepository, Service
from altinn_so.domain.clock import Clock
from altinn_so.domain.notifications.engine import NotificationEngine
from altinn_so.domain.notifications.model import OutboxRepository
from altinn_so.domain.receipts import ReceiptService
from altinn_so.domain.registry import RegistryRepository
from .enduser import EndUser
from .insert import SAVED, Inserter
from .model import *  # noqa: F401,F403  (the data types are part of this package's interface)
from .model import CorrespondenceRepository, CorrespondenceSettings
from .simple_service import create_simple_service
from .status import StatusQueries


class CorrespondenceService:
    def __init__(self, store: CorrespondenceRepository, receipts: ReceiptService, engine: NotificationEngine,
                 outbox: OutboxRepository, registry: RegistryRepository, catalog: CatalogRepository, clock: Clock,
                 transaction, next_number, settings: CorrespondenceSettings = CorrespondenceSettings(),
                 archive: ArchiveRepository | None = None, cases: CaseLinks = CaseLinks()):
        self.store = store
        self.settings = settings
        self._catalog = catalog
        self._next_number = next_number
        self._transaction = transaction
        inserter = Inserter(store, receipts, engine, outbox, registry, catalog, clock, transaction, settings,
                            archive, cases)
        queries = StatusQueries(store, outbox, catalog, clock, settings)
        # (correspondence, status) -> None, for each read or confirmation, inside its transaction (EndUser)
        self.status_listeners: list = []
        end_user = EndUser(store, clock, transaction, self.status_listeners)
        self.insert = inserter.insert
        self.status_details = queries.details
        self.status_history = queries.history
        self.read = end_user.read
        self.confirm = end_user.confirm

    def create_simple_service(self, caller: Caller, template_code: str | None,
                              template_edition: int | None) -> Service:
        with self._transaction():
            return create_simple_service(self._catalog, self._next_number, caller, template_code, template_edition)


__all__ = ["CorrespondenceService", "SAVED"]
