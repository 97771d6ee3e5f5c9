"""The admin API and page show collaboration cases; a case is archived and deleted from the admin API and the
pytest plugin (docs/behaviour/cases.md)."""

from __future__ import annotations

import pytest

from altinn_so.domain.auth import AuthMode
from altinn_so.pytest_plugin import AdminClient, AdminError

from .test_admin_page import page

OLA = "23917710120"


def new_case(emulator) -> int:
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    return emulator.case.instantiate(caller, "5695", 1, OLA).id


def test_cases_are_listed_shown_and_ended(admin, emulator):
    case_id = new_case(emulator)
    [listed] = admin.state("cases")
    assert (listed["id"], listed["state"], listed["status"], listed["reportee"]) == (case_id, "Started", "running", OLA)
    assert "Collaboration cases" in page(admin).text_content()
    assert admin.get(f"/cases/{case_id}")["events"] == []
    archived = admin.post(f"/cases/{case_id}/archive")
    assert (archived["status"], archived["ended_at"]) == ("archived", emulator.clock.now().isoformat())
    assert admin.post(f"/cases/{case_id}/delete")["status"] == "deleted"
    assert admin.error("POST", "/cases/4711/archive", 404) == "no case 4711"
    assert admin.error("GET", "/cases/4711", 404) == "no case 4711"


def test_the_plugins_client_archives_and_deletes_a_case(base_url, emulator):
    client = AdminClient(base_url)
    first, second = new_case(emulator), new_case(emulator)
    assert client.archive_case(first)["status"] == "archived"
    assert client.delete_case(second)["status"] == "deleted"
    assert client.case(first)["status"] == "archived"
    with pytest.raises(AdminError) as caught:
        client.delete_case(4711)
    assert caught.value.status == 404
