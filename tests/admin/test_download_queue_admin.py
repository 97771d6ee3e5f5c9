"""The admin API and page show the download queue (docs/behaviour/download-queue.md)."""

from __future__ import annotations

from altinn_so.domain.auth import AuthMode
from support.archived import archived_task

from .helpers import OLA
from .test_admin_page import page, rows


def test_queued_and_purged_items_are_listed(admin, emulator):
    kept, purged = archived_task(emulator), archived_task(emulator)
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    emulator.download_queue.purge(caller, purged.archive_reference)
    listed = admin.state("download-queue")
    assert [(i["archive_reference"], i["reportee"], i["reportee_type"], i["purged_at"] is None) for i in listed] == [
        (kept.archive_reference, OLA, "Person", True), (purged.archive_reference, OLA, "Person", False)]
    table = rows(page(admin), "download-queue")
    assert {row[2].text_content() for row in table} == {kept.archive_reference, purged.archive_reference}
    assert "waiting" in {row[-1].text_content() for row in table}
