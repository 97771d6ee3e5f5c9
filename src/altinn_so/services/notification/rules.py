"""Standalone notifications ("varseltjenesten", docs/behaviour/notifications.md).

All versions behave alike; only what they return differs. The whole list is
validated and rendered before anything is stored, so a fault leaves the
outbox untouched. No receipt is created for standalone notifications.
"""

from __future__ import annotations

from dataclasses import dataclass

from altinn_so.domain.auth import Caller
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.notifications.engine import NotificationEngine, Rules
from altinn_so.domain.values import evolve
from altinn_so.domain.notifications.model import NotificationOutcome, NotificationRequest, OutboxRepository

ORIGIN = "standalone"

SENT = "Varsel er sendt ut til brukeren."
ALL_RESERVED = "Utsending av varsel til brukeren var mislykket. {0} har reservert seg mot varsler."
PARTLY_RESERVED = ("BM_Partial success. Notification is not sent to the {0} as the user may have opted out "
                   "from receiving any notification.")
NOTHING_RECEIVED = "NB_No notifications received"


@dataclass(frozen=True)
class StandaloneSettings:
    max_notifications_per_call: int = 1000  # the real limit was never documented (ErrorID 40014)


class StandaloneNotificationService:
    def __init__(self, engine: NotificationEngine, outbox: OutboxRepository, transaction,
                 settings: StandaloneSettings = StandaloneSettings()):
        self._engine = engine
        self._outbox = outbox
        self._transaction = transaction
        self.settings = settings

    def send(self, caller: Caller, requests: list[NotificationRequest], *,
             allow_priority_transport: bool) -> list[NotificationOutcome]:
        limit = self.settings.max_notifications_per_call
        if len(requests) > limit:
            raise AltinnError(ErrorCode.INVALID_NUMBER_OF_RECEIPENTS,
                              f"The number of notifications ({len(requests)}) exceeds the limit of {limit}.")
        rules = Rules(allow_priority_transport=allow_priority_transport, strict_both=True)
        # Validated and rendered before the transaction (it holds the store's write lock), numbered in it.
        outcomes = [self._engine.prepare(caller.owner, request, rules=rules, origin=ORIGIN)
                    for request in requests]
        with self._transaction():
            ids = self._outbox.next_notification_ids(len(outcomes))
            stored = iter(self._outbox.add_messages([evolve(message, notification_id=number)
                                                     for outcome, number in zip(outcomes, ids)
                                                     for message in outcome.messages]))
        return [evolve(outcome, messages=tuple(next(stored) for _ in outcome.messages)) for outcome in outcomes]


def summary_message(outcomes: list[NotificationOutcome]) -> str:
    """The text SendStandaloneNotificationV2 returns."""
    if not outcomes:
        return NOTHING_RECEIVED
    reserved = [o.reportee_number for o in outcomes if o.reserved]
    if not reserved:
        return SENT
    names = ", ".join(dict.fromkeys(reserved))
    return ALL_RESERVED.format(names) if len(reserved) == len(outcomes) else PARTLY_RESERVED.format(names)
