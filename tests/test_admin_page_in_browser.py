"""The admin web page in a real headless browser (Debian's chromium): what a person sees."""

from __future__ import annotations

import subprocess

import lxml.html
import pytest
import zeep

from altinn_so.domain.auth import AuthMode
from altinn_so.services.prefill.rules import InstantiateOptions, PrefillFormRequest, PrefillTaskRequest
from support.browser import CHROMIUM, FLAGS, Browser
from support.soap import OLA, notification

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                         "(.ci/run installs it: apt-get install chromium)")

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


@pytest.fixture
def browser(tmp_path):
    opened = Browser(tmp_path / "profile")
    yield opened
    opened.close()


def _report_task(emulator) -> int:
    """TTD prefills its activity report (5680: a form with a schema and a sub-form) into Ola's worklist."""
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    now = emulator.clock.now()
    report = ('<Skjema skjemanummer="5704"><Rapportor><Organisasjonsnummer>310003018</Organisasjonsnummer>'
              "<Navn>Eksempel AS</Navn></Rapportor><Periode>2026-02</Periode>"
              "<AntallDeltakere>12</AntallDeltakere></Skjema>")
    task = PrefillTaskRequest(service_code="5680", service_edition=1, shipment_reference="ship-B", reportee=OLA,
                              system_user_code="TTD_PREFILL", valid_from=now, valid_to=now.replace(year=2027),
                              forms=[PrefillFormRequest("5704", 34302, report),
                                     PrefillFormRequest("5705", 34303, "<Vedlegg/>")])
    receipt = emulator.prefill.submit(caller, "batch-B", task, InstantiateOptions(save=True, instantiate=True))
    return int(next(r.value for r in receipt.references if r.type == "WorkFlowReference"))


def test_a_person_fills_in_signs_and_submits_a_form_task(base_url, emulator, browser):
    element_id = _report_task(emulator)
    browser.open(base_url + "/_admin/")
    browser.click('nav a[href="/_admin/enduser"]')
    browser.fill("#reportee", OLA)
    browser.click('form.filters button[type="submit"]')
    assert browser.run("document.querySelectorAll('#worklist tbody tr').length") == 1
    browser.click("#worklist a.open")

    # A value the schema refuses is saved (a form may be half filled in), and refused on submit.
    xml = browser.run("document.querySelector('#xml-5704').value")
    browser.fill("#xml-5704", xml.replace("<AntallDeltakere>12<", "<AntallDeltakere>mange<"))
    browser.click('#xml-5704 ~ button[value="save"]')
    assert browser.run("document.querySelector('#done').textContent") == "Saved."
    browser.click("#submit-button")
    error = browser.run("document.querySelector('#error').textContent")
    assert "form 5704 is not valid against its schema" in error and "AntallDeltakere" in error
    assert "mange" in browser.run("document.querySelector('#xml-5704').value")  # the text as typed

    browser.fill("#xml-5704", xml.replace("<AntallDeltakere>12<", "<AntallDeltakere>14<"))
    browser.click('#xml-5704 ~ button[value="save"]')
    browser.fill('#sign input[name="signer"]', "05838520067")
    browser.fill('#sign select[name="security_level"]', "4")
    browser.click('#sign button[value="sign"]')
    assert browser.run("document.querySelector('#done').textContent") == "Signed."
    browser.click("#submit-button")

    page = lxml.html.fromstring(browser.html())
    assert page.get_element_by_id("done").text_content() == "Submitted."
    [archived] = emulator.archive.list_archived()
    assert page.get_element_by_id("archive-reference").text_content() == archived.archive_reference
    assert "<AntallDeltakere>14</AntallDeltakere>" in archived.forms[0].form_data_xml
    assert [(a.signer, a.security_level) for a in archived.approvers] == [("05838520067", 4)]
    assert page.xpath("//script") == [] and page.xpath('//section[@id="worklist"]//tbody/tr') == []
    assert emulator.worklist.element(element_id).status == "archived"
