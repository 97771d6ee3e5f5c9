"""What end users do to a correspondence, driven by tests (and the admin API): read it, confirm it."""

from __future__ import annotations

from dataclasses import replace

from altinn_so.domain.clock import Clock
from .model import (Correspondence, CorrespondenceRepository, CorrespondenceStateError, CorrespondenceStatus,
                    StatusChange)


class EndUser:
    def __init__(self, store: CorrespondenceRepository, clock: Clock, transaction, listeners: list | None = None):
        self.store = store
        self.clock = clock
        self._transaction = transaction
        # Called with (the changed correspondence, its new status) inside the change's transaction, for each
        # change an end user makes: other services follow reads and confirmations without this one knowing them.
        self.listeners = listeners if listeners is not None else []

    def read(self, correspondence_id: int) -> Correspondence:
        """The reportee opens the message: Created → Read (reading again changes nothing)."""
        with self._transaction():
            correspondence = self._visible(correspondence_id)
            if correspondence.status is CorrespondenceStatus.CREATED:
                correspondence = self._record(correspondence, CorrespondenceStatus.READ)
            return correspondence

    def confirm(self, correspondence_id: int) -> Correspondence:
        """The reportee confirms: → Confirmed, reading it first if that has not happened."""
        with self._transaction():
            correspondence = self._visible(correspondence_id)
            if correspondence.status is CorrespondenceStatus.CREATED:
                correspondence = self._record(correspondence, CorrespondenceStatus.READ)
            if correspondence.status is CorrespondenceStatus.READ:
                correspondence = self._record(correspondence, CorrespondenceStatus.CONFIRMED)
            return correspondence

    def _visible(self, correspondence_id: int) -> Correspondence:
        correspondence = self.store.get_correspondence(correspondence_id)
        if correspondence is None:
            raise CorrespondenceStateError(f"correspondence {correspondence_id} does not exist")
        if correspondence.status is CorrespondenceStatus.RESERVED:
            raise CorrespondenceStateError(
                f"correspondence {correspondence_id} is reserved (KRR) and not visible to the reportee")
        now = self.clock.now()
        if correspondence.visible_at and correspondence.visible_at > now:
            raise CorrespondenceStateError(
                f"correspondence {correspondence_id} is not visible before {correspondence.visible_at.isoformat()}")
        return correspondence

    def _record(self, correspondence: Correspondence, status: CorrespondenceStatus) -> Correspondence:
        changed = replace(correspondence, status_changes=correspondence.status_changes
                          + (StatusChange(status, self.clock.now()),))
        self.store.save_correspondence(changed)
        for listener in self.listeners:
            listener(changed, status)
        return changed
