"""The admin web page in a real headless browser (Debian's chromium): what a person sees."""

from __future__ import annotations

import shutil
import subprocess

import lxml.html
import pytest
import zeep

from support.soap import notification

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                         "(.ci/run installs it: apt-get install chromium)")

# Flags as this machine needs them: no sandbox as root, and no background traffic the closed network refuses.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=60)


def test_the_page_shows_calls_outbox_state_and_fault_rules(base_url, emulator, tmp_path):
    client = zeep.Client(base_url + "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc?wsdl")
    client.service.SendStandaloneNotificationBasicV3(
        systemUserName="ttd-system", systemPassword="ttd-password",
        standaloneNotifications={"StandaloneNotification": [notification(transport="Email")]})
    with pytest.raises(zeep.exceptions.Fault):
        client.service.SendStandaloneNotificationBasicV3(
            systemUserName="ttd-system", systemPassword="wrong",
            standaloneNotifications={"StandaloneNotification": [notification()]})
    emulator.faults.add({"match": {"operation": "InsertCorrespondence"},
                         "action": {"type": "altinn_fault", "preset": "non-functional"}})

    run = chromium(tmp_path, "--dump-dom", base_url + "/_admin/")
    assert run.returncode == 0, run.stderr[-2000:]
    page = lxml.html.fromstring(run.stdout)
    assert page.findtext(".//title") == "altinn-so"

    journal = page.get_element_by_id("journal")
    rows = journal.findall(".//tbody/tr")
    assert len(rows) == 2
    cells = [[cell.text_content().strip() for cell in row.findall("td")] for row in rows]
    assert cells[0][3] == cells[1][3] == "SendStandaloneNotificationBasicV3"
    assert cells[0][6] == "ErrorID 989" and cells[1][6] == "OK"  # newest first
    request = rows[1].find_class("request")[0].text_content()
    assert "\n  " in request and "ttd-system" in request  # pretty-printed XML

    outbox = page.get_element_by_id("outbox")
    assert "ola.nordmann@example.no" in outbox.text_content() and "Emne" in outbox.text_content()
    faults = page.get_element_by_id("faults").text_content()
    assert "operation=InsertCorrespondence" in faults and "preset=non-functional" in faults
    assert "NotificationAgencyExternalBasic.svc" in page.get_element_by_id("endpoints").text_content()

    screenshot = tmp_path / "admin.png"
    run = chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1400,1000", base_url + "/_admin/")
    assert run.returncode == 0 and screenshot.stat().st_size > 10_000  # a page was rendered, not a blank


def test_hostile_content_is_shown_not_run(base_url, tmp_path):
    client = zeep.Client(base_url + "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc?wsdl")
    hostile = notification(transport="Email")
    hostile["TextTokens"]["TextToken"][0]["TokenValue"] = "<script>document.title='owned'</script>"
    client.service.SendStandaloneNotificationBasicV3(systemUserName="ttd-system", systemPassword="ttd-password",
                                                     standaloneNotifications={"StandaloneNotification": [hostile]})
    run = chromium(tmp_path, "--dump-dom", base_url + "/_admin/")
    page = lxml.html.fromstring(run.stdout)
    assert page.findtext(".//title") == "altinn-so"  # the script did not run
    assert "<script>document.title" in page.get_element_by_id("outbox").text_content()
