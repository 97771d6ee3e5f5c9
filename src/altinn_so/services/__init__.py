"""The Altinn services the emulator offers: the one list of them.

Each is a package declaring one ``AltinnService`` (``altinn_so.service``). The emulator, the schema, the
SOAP routes and WSDLs, the admin API and page, the pytest plugin and the test helpers all iterate
``SERVICES``; adding a service is its package and one line here.
"""

from __future__ import annotations

import altinn_so.soap  # noqa: F401  (spyne's shim for Python 3.12+, before any service's wire module imports spyne)
from altinn_so.service import AltinnService

from . import (archive, archive_common, authorization, batch, batch_logging, broker, case, context_handler,
               correspondence, decision_point, download_queue, notification, prefill, push, receipt, srr, subscription)

SERVICES: tuple[AltinnService, ...] = (
    correspondence.SERVICE,
    receipt.SERVICE,
    notification.SERVICE,
    prefill.SERVICE,
    subscription.SERVICE,  # after prefill: it reads prefill's sets
    download_queue.SERVICE,
    srr.SERVICE,
    broker.SERVICE,  # after srr: it asks the rights register
    archive.SERVICE,
    archive_common.SERVICE,  # after correspondence: it searches the correspondences
    push.SERVICE,
    batch.SERVICE,
    batch_logging.SERVICE,  # after batch: it reads the batch log
    authorization.SERVICE,
    case.SERVICE,  # after correspondence: it follows reads and confirmations of a case's correspondences
    context_handler.SERVICE,  # after correspondence, broker and case: it reads their elements
    decision_point.SERVICE,  # after authorization, srr and correspondence: it asks them
)


def default_routes():
    """The SOAP routes of every registered service (``routes_of`` builds them once per process)."""
    from altinn_so.soap.routes import routes_of

    return routes_of(SERVICES)


def table_groups(services: tuple[AltinnService, ...] = SERVICES) -> tuple:
    """The tables ``services`` add to the core's (``store.open_database(url, table_groups())``)."""
    return tuple(service.tables for service in services if service.tables is not None)
