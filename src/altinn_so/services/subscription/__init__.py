"""Subscription, form tasks made on a schedule (docs/behaviour/subscription.md).

``rules`` holds the subscription rules and the clock's job (no SOAP), ``periods`` the period types' calendar
arithmetic, ``store`` their tables, ``contract`` the wire contract and its handler, ``wire_types`` (Basic, WS) and
``wire_types_ec`` (EC, EC2) the generated wire types, ``admin`` what the admin API and page show. The form tasks it
makes are core reportee elements (``altinn_so.domain.elements``), filled from PreFill's prefilled sets.
"""

from altinn_so.service import AltinnService

from . import admin
from .contract import SUBSCRIPTION
from .rules import SUBSCRIPTION_REFERENCE, SubscriptionRequest, SubscriptionService
from .store import TABLES, SqlSubscriptions


def _build(emulator, settings) -> dict:
    prefilled_sets = getattr(emulator, "prefill_store", None)
    if prefilled_sets is None:
        raise ValueError("the subscription service reads PreFill's prefilled sets: offer prefill before it")
    store = SqlSubscriptions(emulator.db)
    service = SubscriptionService(store, emulator.reportee_elements, emulator.receipts, prefilled_sets,
                                  emulator.registry, emulator.catalog, emulator.clock, emulator.db.transaction,
                                  emulator.case_links)
    return {"subscription_store": store, "subscription": service}


def _activate_due(emulator) -> int:
    return emulator.subscription.activate_due()


SERVICE = AltinnService(
    key="subscription",
    contracts=(SUBSCRIPTION,),
    tables=TABLES,
    build=_build,
    listings=admin.LISTINGS,
    due_work=_activate_due,
)

# The request type is public: the batch interface reads subscriptions from files into the same requests.
__all__ = ["SERVICE", "SUBSCRIPTION_REFERENCE", "SubscriptionRequest", "SubscriptionService"]
