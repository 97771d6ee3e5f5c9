"""Correspondence status queries: GetCorrespondenceStatusDetails (V1-V3) and GetCorrespondenceStatusHistory.

A notification counts as sent once its scheduled time has passed on the
emulator's clock (or it was delivered); until then it is listed without a
sent date, as Altinn listed pending reminders. Digital-post events likewise
appear once their time has come.
"""

from __future__ import annotations

from datetime import datetime

from ..auth import Caller
from ..catalog import CatalogRepository
from ..clock import Clock, as_aware
from ..errors import AltinnError, ErrorCode
from ..notifications.model import OutboxFilter, OutboxRepository
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
        service = self.catalog.get_service(where.service_code, where.service_edition or 0)
        if service is None:
            raise AltinnError(ErrorCode.SERVICE_IS_NOT_VALID,
                              f"Service {where.service_code} edition {where.service_edition} does not exist.")
        if service.kind != "correspondence":
            raise AltinnError(ErrorCode.INVALID_SERVICE_TYPE,
                              f"Service {service.code} edition {service.edition} is not a correspondence service.")
        if service.owner != caller.owner.code:
            raise AltinnError(ErrorCode.NOT_AUTHORIZED,
                              f"Service {service.code} edition {service.edition} is not owned by {caller.owner.code}.")
        # CreatedAfterDate and CreatedBeforeDate are exclusive bounds.
        after = as_aware(where.created_after) if where.created_after else None
        before = as_aware(where.created_before) if where.created_before else None
        now = self.clock.now()
        result_correspondences = None
        limit_reached = False
        if where.sdp is None or where.sdp:
            found = self.store.find_correspondences(
                caller.owner.code, service=(service.code, service.edition), created_after=after,
                created_before=before, reportee=where.reportee or None,
                senders_references=[where.senders_reference] if where.senders_reference else None,
                status=where.current_status if where.current_status not in (None, "NotSet") else None)
            views = [self._view(c, now) for c in found]
            if where.notification_sent is not None:
                views = [v for v in views if any(n.sent_at for n in v.notifications) == where.notification_sent]
            result_correspondences, limit_reached = self._cap(views)
        sdp = sdp_limit = None
        if where.sdp is not None:
            shipments = self.store.find_sdp(caller.owner.code, service=(service.code, service.edition),
                                            created_after=after, created_before=before,
                                            reportee=where.reportee or None,
                                            references=[where.senders_reference] if where.senders_reference else None)
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
        found = self.store.find_correspondences(caller.owner.code, senders_references=references)
        views, limit_reached = self._cap([self._view(c, now) for c in found])
        shipments = self.store.find_sdp(caller.owner.code, references=references)
        sdp, sdp_limit = self._cap([(s, tuple(s.history(now))) for s in shipments])
        return StatusResult(views, limit_reached, sdp, sdp_limit)

    def _view(self, correspondence: Correspondence, now: datetime) -> CorrespondenceView:
        messages = self.outbox.list_messages(OutboxFilter(origin=correspondence.origin))
        return CorrespondenceView(correspondence, tuple(
            NotificationView(m.address, m.channel.value, m.sent_time(now)) for m in messages))

    def _cap(self, items: list) -> tuple[tuple, bool]:
        limit = self.settings.status_limit
        return tuple(items[:limit]), len(items) > limit
