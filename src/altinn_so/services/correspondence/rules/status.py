"""Correspondence status queries: GetCorrespondenceStatusDetails (V1-V3) and GetCorrespondenceStatusHistory.

A notification counts as sent once its scheduled time has passed on the
emulator's clock (or it was delivered); until then it is listed without a
sent date, as Altinn listed pending reminders. Digital-post events likewise
appear once their time has come.
"""

from __future__ import annotations

from datetime import datetime

from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import CatalogRepository
from altinn_so.domain.clock import Clock, as_aware
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.notifications.model import OutboxRepository
from .access import owned_correspondence_service
from .model import (Correspondence, CorrespondenceRepository, CorrespondenceSettings, CorrespondenceView,
                    NotificationView, StatusFilter, StatusResult)


class StatusQueries:
    def __init__(self, store: CorrespondenceRepository, outbox: OutboxRepository, catalog: CatalogRepository,
                 clock: Clock, settings: CorrespondenceSettings):
        self.store = store
        self.outbox = outbox
        self.catalog = catalog
        self.clock = clock
        self.settings = settings

    def details(self, caller: Caller, where: StatusFilter) -> StatusResult:
        """The caller's correspondences (and digital post) of one service, filtered as documented."""
        if not where.service_code:
            raise AltinnError(ErrorCode.EXTERNAL_SERVICE_CODE_CANNOT_BE_NULL, "ServiceCode cannot be null.")
        service = owned_correspondence_service(self.catalog, caller, where.service_code, where.service_edition or 0)
        # CreatedAfterDate and CreatedBeforeDate are exclusive bounds.
        after = as_aware(where.created_after) if where.created_after else None
        before = as_aware(where.created_before) if where.created_before else None
        now = self.clock.now()
        result_correspondences = None
        limit_reached = False
        if where.sdp is None or where.sdp:
            def page(resume: tuple | None, size: int) -> list[Correspondence]:
                return self.store.find_correspondences(
                    caller.owner.code, service=(service.code, service.edition), created_after=after,
                    created_before=before, reportee=where.reportee or None,
                    senders_references=[where.senders_reference] if where.senders_reference else None,
                    status=where.current_status if where.current_status not in (None, "NotSet") else None,
                    after=resume, limit=size)

            result_correspondences, limit_reached = self._first_views(page, now, where.notification_sent)
        sdp = sdp_limit = None
        if where.sdp is not None:
            shipments = self.store.find_sdp(caller.owner.code, service=(service.code, service.edition),
                                            created_after=after, created_before=before,
                                            reportee=where.reportee or None,
                                            references=[where.senders_reference] if where.senders_reference else None,
                                            limit=self.settings.status_limit + 1)
            sdp, sdp_limit = self._cap([(s, tuple(s.history(now))) for s in shipments])
        return StatusResult(result_correspondences, limit_reached, sdp, bool(sdp_limit))

    def history(self, caller: Caller, senders_references: list[str]) -> StatusResult:
        """By the caller's own references, across all its services; always with digital-post details."""
        references = [r for r in senders_references if r]
        if len(references) > self.settings.history_reference_limit:
            raise AltinnError(ErrorCode.GENERAL_ERROR,
                              f"At most {self.settings.history_reference_limit} references per call.")
        now = self.clock.now()
        if not references:
            return StatusResult((), False, (), False)
        limit = self.settings.status_limit + 1
        found = self.store.find_correspondences(caller.owner.code, senders_references=references, limit=limit)
        views, limit_reached = self._cap(self._views(found, now))
        shipments = self.store.find_sdp(caller.owner.code, references=references, limit=limit)
        sdp, sdp_limit = self._cap([(s, tuple(s.history(now))) for s in shipments])
        return StatusResult(views, limit_reached, sdp, sdp_limit)

    def _first_views(self, page, now: datetime, notification_sent: bool | None) -> tuple[tuple, bool]:
        """Up to the limit of matching views, and whether there were more; reads no more than that needs."""
        limit = self.settings.status_limit
        views: list[CorrespondenceView] = []
        resume = None  # where the next page starts: after this (created_at, id)
        while True:
            found = page(resume, limit + 1)
            views += [view for view in self._views(found, now)
                      if notification_sent is None or any(n.sent_at for n in view.notifications) == notification_sent]
            if len(views) > limit or len(found) <= limit:
                return self._cap(views)
            resume = (found[-1].created_at, found[-1].id)  # NotificationSent dropped some: read on

    def _views(self, correspondences: list[Correspondence], now: datetime) -> list[CorrespondenceView]:
        messages = self.outbox.messages_of([c.origin for c in correspondences])
        return [CorrespondenceView(c, tuple(NotificationView(m.address, m.channel.value,
                                                             _not_before(m.sent_time(now), c.created_at))
                                            for m in messages[c.origin]))
                for c in correspondences]

    def _cap(self, items: list) -> tuple[tuple, bool]:
        limit = self.settings.status_limit
        return tuple(items[:limit]), len(items) > limit


def _not_before(sent: datetime | None, created: datetime) -> datetime | None:
    """A notice is never reported sent before its correspondence existed (a store written before shipment times
    in the past meant "now" may hold such a notice)."""
    return None if sent is None else max(sent, created)
