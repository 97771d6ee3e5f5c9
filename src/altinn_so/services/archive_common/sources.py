"""The correspondences ArchiveCommon searches, read from the correspondence service's store as the emulator
built it (``emulator.correspondence_store``) and given to the rules as plain entries."""

from __future__ import annotations

from typing import Callable, Iterable

from .rules import CorrespondenceEntry


def correspondences_from(store) -> Callable[[str, str | None], Iterable[CorrespondenceEntry]]:
    """``store.find_correspondences`` as the rules' ``correspondences_of(owner, reportee)``."""
    def correspondences_of(owner: str, reportee: str | None) -> list[CorrespondenceEntry]:
        return [CorrespondenceEntry(
            id=c.id, service_code=c.service_code, service_edition=c.service_edition, reportee=c.reportee,
            title=c.title, senders_reference=c.senders_reference,
            last_changed=c.status_changes[-1].at if c.status_changes else c.created_at,
            archive_reference=c.archive_reference, case_id=c.case_id)
            for c in store.find_correspondences(owner, reportee=reportee)]
    return correspondences_of
