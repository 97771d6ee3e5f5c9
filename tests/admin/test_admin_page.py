"""The admin web page (/_admin/) read as HTML with lxml: its sections, the journal with pretty-printed XML,
the outbox, correspondences, receipts and fault rules, and hostile content shown as text, never as markup."""

from __future__ import annotations

import time

import lxml.html
import pytest
import requests
import zeep
from lxml import etree

from altinn_so.services import default_routes
from altinn_so.services.authorization.rules.consent_usage import UsageReport
from altinn_so.services.batch.rules import DataBatch, Issue, OutboundFile
from altinn_so.domain.auth import Caller
from altinn_so.services.srr import RightRule
from support.archived import archived_task

from .helpers import KARI, OLA, SOAP11, broker_shipment, notification, path_of, prefill, raw_test, subscribe

SECTIONS = ["journal", "outbox", "correspondences", "receipts", "prefilled-sets", "subscriptions",
            "subscription-activations", "download-queue", "srr-rules", "broker-shipments", "pushes", "data-batches",
            "batch-issues", "outbound-files", "role-assignments", "consents", "temp-keys", "consent-usages", "cases",
            "reportee-elements", "archived-form-tasks", "faults", "endpoints"]
HOSTILE_TITLE = "<script>alert('title')</script>"
HOSTILE_TOKEN = "<img src=x onerror=alert(1)>"
BREAKOUT = "</td></tr></table><script>alert('cell')</script><table><tr><td>"


def page(admin, query: str = "") -> lxml.html.HtmlElement:
    response = admin.call("GET", "/" + query, expect=200)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(response.headers["Content-Length"]) == len(response.content)
    return lxml.html.fromstring(response.content)


def rows(doc, section: str) -> list[list]:
    """The body rows of a section's table, as lists of <td> elements."""
    return [row.findall("td") for row in doc.xpath(f'//section[@id="{section}"]//tbody/tr')]


def texts(cells) -> list[str]:
    return [cell.text_content() for cell in cells]


def headers(doc, section: str) -> list[str]:
    return [th.text_content() for th in doc.xpath(f'//section[@id="{section}"]//thead//th')]


def no_markup_from_input(doc) -> None:
    """Nothing a client sent became an element: the page has no scripts, images or inline markup at all."""
    assert doc.xpath("//script | //img | //iframe | //b | //i | //svg | //object") == []
    assert all(not name.startswith("on") for element in doc.iter() if isinstance(element.tag, str)
               for name in element.attrib)


# -- structure ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_admin/", "/_admin"])
def test_the_page_is_served_at_the_prefix(admin, base_url, path):
    response = requests.get(base_url + path, timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    doc = lxml.html.fromstring(response.content)
    assert doc.findtext(".//title") == "altinn-so"


def test_head_answers_without_a_body(admin):
    response = admin.call("HEAD", "/", expect=200)
    assert response.content == b"" and response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_an_empty_emulator(admin):
    doc = page(admin)
    assert [s.get("id") for s in doc.xpath("//main/section")] == SECTIONS
    assert [s.find("h2").text_content() for s in doc.xpath("//main/section")] == [
        "Journal (newest first)", "Notification outbox", "Correspondences", "Receipts", "Prefilled sets",
        "Subscriptions", "Subscription activations", "Download queue", "Rights register (SRR)", "Broker shipments",
        "Pushes", "Batches", "Batch issues", "Outbound files", "Role assignments (who may act for whom)", "Consents",
        "Temp keys (link service)", "Consent usage (LogConsentUsage)", "Collaboration cases", "Worklist elements",
        "Archive", "Fault rules",
        "Endpoints"]
    assert [a.get("href") for a in doc.xpath("//nav/a")] == [f"#{s}" for s in SECTIONS] + [
        "/_admin/enduser", "/_admin/push", "/_admin/data", "/_admin/state"]
    empty = {s.get("id"): s.findtext('p[@class="empty"]') for s in doc.xpath("//main/section")}
    assert empty == {"journal": "No SOAP calls yet.", "outbox": "The outbox is empty.",
                     "correspondences": "No correspondence yet.", "receipts": "No receipts yet.",
                     "prefilled-sets": "No prefilled set yet.", "reportee-elements": "No worklist element yet.",
                     "subscriptions": "No subscription yet.",
                     "subscription-activations": "No subscription activated yet.",
                     "download-queue": "Nothing queued yet: a form task submitted on a download-queue service lands here.",
                     "srr-rules": "No rule in the rights register yet.",
                     "broker-shipments": "No broker shipment yet.",
                     "pushes": "Nothing pushed yet: a submission of a form service whose seed names a push receiver "
                               "lands here (and on /_admin/push).",
                     "data-batches": "No batch yet: a file a service owner puts in its inbound folder over SFTP (or "
                                     "POST /_admin/batches) lands here; GET /_admin/batches/{id} shows its items and "
                                     "issues.",
                     "batch-issues": "No issue in any batch.",
                     "outbound-files": "No outbound file: archived submissions and read receipts of services "
                                       "delivered by batch land in their owner's outbound folder.",
                     "role-assignments": None, "consents": None,  # the default seed's
                     "temp-keys": "No temp key minted yet.", "consent-usages": "No consent usage logged yet.",
                     "cases": "No collaboration case yet.",
                     "archived-form-tasks": "No form task submitted yet.", "faults": "No fault rules.", "endpoints": None}
    no_markup_from_input(doc)


def test_the_clock_in_norwegian_time(admin):
    clock = page(admin).get_element_by_id("clock").text_content()
    assert " ".join(clock.split()) == "Emulator time (Norway): 2026-03-02 10:00:00 (frozen)"
    admin.put("/clock", json={"now": "2026-07-01T12:00:00Z", "frozen": False})
    clock = " ".join(page(admin).get_element_by_id("clock").text_content().split())
    assert clock.startswith("Emulator time (Norway): 2026-07-01 14:00:0") and clock.endswith("(running)")


def test_every_endpoint_is_listed_with_its_wsdl(admin):
    doc = page(admin)
    listed = rows(doc, "endpoints")
    routes = list(default_routes())
    assert len(listed) == len(routes)
    assert headers(doc, "endpoints") == ["service", "binding", "path"]
    links = [cells[2].find("a").get("href") for cells in listed]
    assert sorted(links) == sorted(r.endpoint.path + "?wsdl" for r in routes)
    assert ["NotificationAgencyExternal", "BASIC", path_of("notification")] in [texts(c) for c in listed]


# -- the journal -------------------------------------------------------------------------------------------


def test_journal_rows_newest_first_with_pretty_printed_xml(admin, soap):
    soap.insert("PAGE-1")
    with pytest.raises(zeep.exceptions.Fault):
        soap.notify(password="wrong")
    doc = page(admin)
    assert headers(doc, "journal") == ["#", "time", "binding", "operation", "caller", "reportees", "outcome",
                                       "message", "took"]
    fault, ok = rows(doc, "journal")
    assert texts(ok)[:8] == ["1", "2026-03-02 10:00:00", "basic", "InsertCorrespondenceBasicV2", "ttd-system", OLA,
                             "OK", ""]
    assert ok[6].get("class") == "ok" and texts(ok)[8].endswith(" ms")
    assert texts(fault)[:7] == ["2", "2026-03-02 10:00:00", "basic", "SendStandaloneNotificationBasicV3",
                                "ttd-system", OLA, "ErrorID 989"]
    assert fault[6].get("class") == "fault"
    assert fault[7].text_content() == admin.get("/journal/2")["error_message"]

    request = ok[9].xpath('.//pre[@class="request"]')[0].text_content()
    response = ok[9].xpath('.//pre[@class="response"]')[0].text_content()
    assert ok[9].xpath(".//details/summary")[0].text_content() == "request / response"
    assert ok[9].get("class") == "exchange"  # the whole width beneath the call's line (the page's CSS)
    assert [h.text_content() for h in ok[9].xpath(".//details/h3")] == ["Request", "Response"]
    assert [pre.getprevious().text_content() for pre in ok[9].xpath(".//pre")] == ["Request", "Response"]
    for pretty in (request, response):
        lines = pretty.splitlines()
        assert len(lines) > 10 and lines[0].startswith("<") and lines[1].startswith("  <")
        etree.fromstring(pretty.encode())  # still the same XML
    assert "  <soap-env:Body>" in request.splitlines()
    reference = etree.fromstring(request.encode()).xpath("//*[local-name()='ExternalShipmentReference']")[0]
    assert reference.text == "PAGE-1"
    status = etree.fromstring(response.encode()).xpath("//*[local-name()='ReceiptStatusCode']")[0]
    assert status.text == "OK"


def test_journal_rows_for_http_failures_and_unreadable_requests(admin, base_url):
    admin.add_fault({"type": "http_status", "status": 503})
    assert raw_test(requests, base_url).status_code == 503
    raw = b"this is <not> xml & never was"
    requests.post(base_url + path_of("notification"), data=raw, headers=SOAP11, timeout=5)
    unreadable, http = rows(page(admin), "journal")
    assert texts(http)[6] == "HTTP 503"
    assert texts(unreadable)[6] == "ErrorID 0"
    assert unreadable[9].xpath('.//pre[@class="request"]')[0].text_content() == raw.decode()
    assert "<s:Envelope" in unreadable[9].xpath('.//pre[@class="response"]')[0].text_content()


def test_the_limit_parameter(admin, soap):
    for _ in range(3):
        soap.test()
    assert len(rows(page(admin), "journal")) == 3
    assert texts(rows(page(admin, "?limit=2"), "journal")[0])[0] == "3"
    assert len(rows(page(admin, "?limit=2"), "journal")) == 2
    assert len(rows(page(admin, "?limit=0"), "journal")) == 1  # at least one
    assert len(rows(page(admin, "?limit=abc"), "journal")) == 3  # ignored


def journal_count(doc) -> str:
    return doc.xpath('//section[@id="journal"]/p[@class="count"]')[0].text_content()


def pages(doc) -> dict[str, str]:
    return {a.get("rel"): a.get("href") for a in doc.xpath('//section[@id="journal"]/p[@class="pages"]/a')}


def test_the_default_shows_the_newest_fifty_of_how_many_and_pages_back(admin, base_url):
    http = requests.Session()
    for _ in range(55):
        raw_test(http, base_url)
    doc = page(admin)
    listed = rows(doc, "journal")
    assert len(listed) == 50 and texts(listed[0])[0] == "55" and texts(listed[-1])[0] == "6"
    assert journal_count(doc) == "50 of 55 (newest first: 1–50)"
    assert pages(doc) == {"next": "/_admin/?offset=50"}
    older = page(admin, "?offset=50")
    assert [texts(cells)[0] for cells in rows(older, "journal")] == ["5", "4", "3", "2", "1"]
    assert journal_count(older) == "5 of 55 (newest first: 51–55)"
    assert pages(older) == {"prev": "/_admin/"}
    small = page(admin, "?limit=20&offset=20&outcome=ok")
    assert [texts(cells)[0] for cells in rows(small, "journal")][::19] == ["35", "16"]
    assert pages(small) == {"prev": "/_admin/?outcome=ok&limit=20", "next": "/_admin/?outcome=ok&limit=20&offset=40"}
    assert journal_count(page(admin, "?offset=900")) == "0 of 55"


def test_filters_in_a_plain_form_and_a_refresh_that_keeps_them(admin, soap):
    soap.test()
    soap.insert("F-1")
    with pytest.raises(zeep.exceptions.Fault):
        soap.notify(notification(KARI), password="wrong")
    doc = page(admin)
    (form,) = doc.xpath('//section[@id="journal"]/form')
    assert (form.get("method"), form.get("action")) == ("get", "/_admin/")
    assert sorted(set(form.fields)) == ["operation", "outcome", "refresh", "reportee", "warnings"]
    assert doc.xpath("//script") == []

    def shown(query: str) -> list[str]:
        return [texts(cells)[0] for cells in rows(page(admin, query), "journal")]

    assert shown("?operation=insertcorrespondence") == ["2"]
    assert shown("?outcome=fault") == ["3"]
    assert shown("?outcome=ok") == ["2", "1"]
    assert shown("?reportee=" + KARI) == ["3"]
    assert shown("?reportee=" + OLA + "&outcome=ok") == ["2"]
    assert shown("?outcome=bogus&limit=x&offset=-1&refresh=1") == ["3", "2", "1"]  # nonsense is left out
    filtered = page(admin, "?operation=Test&reportee=&outcome=ok&refresh=10&limit=5")
    assert journal_count(filtered) == "1 of 1 (newest first: 1–1)"
    (form,) = filtered.xpath('//section[@id="journal"]/form')
    assert {key: value for key, value in form.form_values()} == {
        "operation": "Test", "reportee": "", "outcome": "ok", "refresh": "10", "limit": "5"}
    refresh = filtered.get_element_by_id("refresh").get("href")
    assert refresh == "/_admin/?operation=Test&outcome=ok&limit=5&refresh=10"
    assert filtered.xpath('//meta[@http-equiv="refresh"]/@content') == ["10"]  # reloads this URL, query and all
    assert page(admin).xpath('//meta[@http-equiv="refresh"]') == []
    assert texts(rows(page(admin, "?operation=nothing"), "journal")) == []
    assert page(admin, "?operation=nothing").xpath('//section[@id="journal"]/p[@class="empty"]/text()') == [
        "No calls match these filters."]


def test_hostile_filter_values_are_shown_as_text(admin, soap):
    soap.test()
    hostile = "\"><script>alert(1)</script><b x=\""
    from urllib.parse import quote
    doc = page(admin, f"?operation={quote(hostile)}&reportee={quote(BREAKOUT)}")
    no_markup_from_input(doc)
    (form,) = doc.xpath('//section[@id="journal"]/form')
    assert form.fields["operation"] == hostile and form.fields["reportee"] == BREAKOUT
    assert quote(hostile, safe="") in doc.get_element_by_id("refresh").get("href").replace("+", "%20")


def test_warnings_are_shown_under_the_call(admin, base_url, soap):
    from .test_journal import CORRESPONDENCE_ACTION, CORRESPONDENCE_BASIC, CORRESPONDENCE_2010, node_soap_insert
    assert requests.post(base_url + CORRESPONDENCE_BASIC, data=node_soap_insert("W-1"), timeout=10,
                         headers={**SOAP11, "SOAPAction": f'"{CORRESPONDENCE_ACTION}"'}).status_code == 200
    soap.test()
    doc = page(admin)
    clean, warned = rows(doc, "journal")
    assert (texts(warned)[6], texts(warned)[7]) == ("OK", "1 element(s) skipped")
    assert [li.text_content() for li in warned[9].xpath('ul[@class="warnings"]/li')] == [
        f"skipped Notification (namespace {CORRESPONDENCE_2010}) in "
        "/InsertCorrespondenceBasicV2/Correspondence/Notifications: not read, as WCF ignores it"]
    assert texts(clean)[7] == "" and clean[9].xpath("ul") == []
    assert [texts(cells)[0] for cells in rows(page(admin, "?warnings=1"), "journal")] == ["1"]


def test_the_outbox_says_what_delivery_did(admin, soap, serve, emulator):
    """With SMTP configured (and no SMS webhook): e-mail due goes in the next round, SMS never leaves."""
    from altinn_so.delivery import Deliverer, DeliverySettings

    deliverer = Deliverer(emulator.outbox, emulator.clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=1))
    serve(emulator, deliver=deliverer.deliver_due)
    soap.notify(notification(KARI, transport="Email"), notification(transport="SMS"))
    soap.notify(notification(KARI, transport="Email"))
    doc = page(admin)
    assert doc.get_element_by_id("delivery").text_content() == "Delivered once due: Email (SMTP)."
    states = {texts(cells)[0]: texts(cells)[2] for cells in rows(doc, "outbox")}
    assert states == {"1": "due: the next delivery round sends it",
                      "2": "not delivered — no SMS delivery configured", "3": "due: the next delivery round sends it"}
    first, _, third = emulator.outbox.list_messages()
    emulator.outbox.finish_delivery(first, sent_at=emulator.clock.now(), error=None)
    emulator.outbox.finish_delivery(third, sent_at=None, error="SMTPConnectError: <refused>")
    cells = {texts(c)[0]: c[2] for c in rows(page(admin), "outbox")}
    assert (cells["1"].text_content(), cells["1"].get("class")) == ("sent 2026-03-02 10:00:00", "ok")
    assert (cells["3"].text_content(), cells["3"].get("class")) == ("failed: SMTPConnectError: <refused>", "fault")


# -- the seeded test data ------------------------------------------------------------------------------------


def test_the_test_data_page_shows_the_seed_with_the_systems_passwords(admin):
    response = admin.call("GET", "/data", expect=200)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    doc = lxml.html.fromstring(response.content)
    assert [s.get("id") for s in doc.xpath("//main/section")] == [
        "service-owners", "systems", "services", "templates", "persons", "organisations", "users", "srr-rules",
        "role-assignments", "consents"]
    assert [a.get("href") for a in doc.xpath("//nav/a")][0] == "/_admin/"
    systems = [texts(cells) for cells in rows(doc, "systems")]
    assert headers(doc, "systems")[:2] == ["username", "password"]
    assert ["ttd-system", "ttd-password", "TTD"] == systems[[s[0] for s in systems].index("ttd-system")][:3]
    assert OLA in [texts(cells)[0] for cells in rows(doc, "persons")]
    owners = {texts(cells)[0]: texts(cells)[1] for cells in rows(doc, "service-owners")}
    assert owners["TTD"] == "310001007"
    services = [texts(cells)[:2] for cells in rows(doc, "services")]
    assert ["5678", "1"] in services and ["4255", "10"] in services
    templates = {texts(cells)[0]: cells for cells in rows(doc, "templates")}
    assert '"1044": {' in templates["TokenTextOnly"][1].text_content()  # nested values as JSON text
    no_markup_from_input(doc)
    assert admin.call("HEAD", "/data", expect=200).content == b""
    assert page(admin).xpath('//nav/a[@href="/_admin/data"]/text()') == ["Test data"]


def test_seeded_hostile_text_on_the_test_data_page_is_text(admin):
    admin.post("/seed", json={"persons": [{"ssn": OLA, "first_name": HOSTILE_TITLE, "last_name": BREAKOUT}]})
    doc = lxml.html.fromstring(admin.call("GET", "/data", expect=200).content)
    no_markup_from_input(doc)
    ola = [texts(cells) for cells in rows(doc, "persons") if texts(cells)[0] == OLA][0]
    assert HOSTILE_TITLE in ola and BREAKOUT in ola


# -- outbox, correspondences, receipts, fault rules --------------------------------------------------------


def test_outbox_rows(admin, soap):
    """Without SMTP or an SMS webhook (the test server has neither) nothing is sent: the page says so."""
    soap.insert("PAGE-OUT")
    soap.notify(notification(KARI, transport="Email"))
    doc = page(admin)
    assert "No SMTP or SMS delivery is configured" in doc.get_element_by_id("delivery").text_content()
    assert headers(doc, "outbox") == ["#", "scheduled", "state", "channel", "address", "name", "sender", "subject",
                                      "body", "template", "reportee", "origin"]
    listed = [texts(cells) for cells in rows(doc, "outbox")]
    assert [row[0] for row in listed] == ["5", "4", "3", "2", "1"]
    assert listed[0] == ["5", "2026-03-02 10:00:00", "not delivered — no SMTP delivery configured", "Email", "kari.nordmann@example.no", "Kari Nordmann",
                         "noreply@altinn.no", "Emne", "Tekst", "TokenTextOnly", KARI, "standalone"]
    reminder = listed[1]
    assert (reminder[1], reminder[2], reminder[3], reminder[11]) == (
        "2026-03-09 10:00:00", "pending", "SMS", "correspondence:1 (reminder)")
    admin.post("/clock/advance", json={"days": 7})
    assert texts(rows(page(admin), "outbox")[1])[2] == "not delivered — no SMS delivery configured"
    assert "sent" not in " ".join(texts(cells)[2] for cells in rows(page(admin), "outbox"))


def test_correspondence_and_receipt_rows(admin, soap):
    soap.insert("PAGE-C", title="Vedtak om støtte")
    admin.post("/correspondences/1/read")
    admin.add_fault({"type": "receipt_status", "status": "Rejected", "text": "Avvist"})
    soap.insert("PAGE-R")
    doc = page(admin)
    assert headers(doc, "correspondences") == ["#", "created", "owner", "service", "reportee", "senders reference",
                                               "title", "status"]
    assert [texts(c) for c in rows(doc, "correspondences")] == [
        ["2", "2026-03-02 10:00:00", "TTD", "5678/1", OLA, "PAGE-R", "Vedtak", "Created"],
        ["1", "2026-03-02 10:00:00", "TTD", "5678/1", OLA, "PAGE-C", "Vedtak om støtte", "Created → Read"]]
    rejected, ok = rows(doc, "receipts")
    assert texts(rejected)[:5] == ["2", "", "Correspondence", "Rejected", "Avvist"]
    assert rejected[3].get("class") == "fault" and ok[3].get("class") == "ok"
    assert texts(ok)[5] == "ExternalShipmentReference=PAGE-C, OwnerPartyReference=310001007"


def test_fault_rule_rows(admin, soap):
    admin.add_fault({"type": "altinn_fault", "preset": "non-functional"}, operation="Test", binding="basic")
    admin.add_fault({"type": "delay", "ms": 5}, times=None)
    with pytest.raises(zeep.exceptions.Fault):
        soap.test()
    doc = page(admin)
    assert headers(doc, "faults") == ["#", "match", "action", "when", "times", "counts", "state"]
    first, second = [texts(c) for c in rows(doc, "faults")]
    assert first == ["1", "operation=Test, binding=basic", "type=altinn_fault, preset=non-functional", "before",
                     "1×", "1 fired / 1 matched", "spent"]
    assert second == ["2", "every call", "type=delay, ms=5", "before", "always", "1 fired / 1 matched", "active"]


# -- hostile content ---------------------------------------------------------------------------------------


def test_hostile_content_is_shown_as_text(admin, soap, base_url):
    soap.insert("<b>REF</b>", title=HOSTILE_TITLE, token=HOSTILE_TOKEN)
    soap.notify(notification(TextTokens={"TextToken": [{"TokenValue": HOSTILE_TOKEN}, {"TokenValue": BREAKOUT}]}))
    with pytest.raises(zeep.exceptions.Fault):  # an invalid reportee: refused, but journalled with it
        soap.notify(notification("<i>1234</i>"))
    admin.add_fault({"type": "altinn_fault", "error_id": 1, "message": "<b>rule</b>", "localized": BREAKOUT},
                    operation="<svg onload=alert(1)>", caller='"><script>x</script>')
    requests.post(base_url + path_of("notification"), data=b"<script>alert('raw')</script><unclosed",
                  headers=SOAP11, timeout=5)

    doc = page(admin)
    no_markup_from_input(doc)
    assert [s.get("id") for s in doc.xpath("//main/section")] == SECTIONS  # the breakout closed nothing

    correspondence = texts(rows(doc, "correspondences")[0])
    assert (correspondence[5], correspondence[6]) == ("<b>REF</b>", HOSTILE_TITLE)
    bodies = [texts(cells)[8] for cells in rows(doc, "outbox")]
    assert BREAKOUT in bodies
    subjects = [texts(cells)[7] for cells in rows(doc, "outbox")]
    assert HOSTILE_TOKEN in subjects
    assert any(HOSTILE_TOKEN in body for body in bodies)  # the correspondence template's text with the token

    journal = rows(doc, "journal")
    assert len(journal) == 4 and all(len(cells) == 10 for cells in journal)
    assert texts(journal[1])[5] == "<i>1234</i>"
    assert journal[0][9].xpath('.//pre[@class="request"]')[0].text_content() == \
        "<script>alert('raw')</script><unclosed"
    request = journal[3][9].xpath('.//pre[@class="request"]')[0].text_content()
    title = etree.fromstring(request.encode()).xpath("//*[local-name()='MessageTitle']")[0]
    assert title.text == HOSTILE_TITLE

    (rule,) = [texts(c) for c in rows(doc, "faults")]
    assert rule[1] == 'operation=<svg onload=alert(1)>, caller="><script>x</script>'
    assert rule[2] == f"type=altinn_fault, error_id=1, message=<b>rule</b>, localized={BREAKOUT}"


def test_a_request_with_entities_is_never_expanded_on_the_page(admin, base_url):
    doctype = ('<!DOCTYPE s:Envelope [<!ENTITY secret SYSTEM "file:///etc/passwd">'
               '<!ENTITY lol "lollollollollollollollollollol">'
               '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
               '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
               '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
               '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
               '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">]>')
    body = (f'<?xml version="1.0"?>{doctype}<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
            f"<s:Body><x>&secret;&lol6;</x></s:Body></s:Envelope>").encode()
    assert requests.post(base_url + path_of("notification"), data=body, headers=SOAP11,
                         timeout=5).status_code == 400
    started = time.monotonic()
    response = admin.call("GET", "/", expect=200)
    assert time.monotonic() - started < 2
    assert len(response.content) < 100_000
    assert "root:" not in response.text and "lollollollollollollollollollollollollollol" not in response.text
    doc = lxml.html.fromstring(response.content)
    request = rows(doc, "journal")[0][9].xpath('.//pre[@class="request"]')[0].text_content()
    assert "&secret;" in request and "&lol6;" in request


def test_the_page_has_no_scripts_even_when_full(admin, soap, emulator):
    soap.insert("FULL")
    soap.notify()
    prefill(emulator)
    prefill(emulator)  # the same set again: a second element, submitted
    emulator.worklist.submit(emulator.reportee_elements.list_elements()[-1].id)
    subscribe(emulator)
    emulator.srr_store.put(RightRule.from_seed({"service": "4255:10", "reportee": "310003018", "right": "Read",
                                                "condition": "AllowedRedirectDomain:*.altinn.no",
                                                "valid_to": "2030-01-01T00:00:00Z"}))
    broker_shipment(emulator)
    push_to_nobody(emulator)
    batch_with_an_issue_and_an_outbound_file(emulator)
    emulator.authorization_administration.mint_temp_key(OLA)
    emulator.authorization_administration.log_consent_usage("TTD", UsageReport(
        "4255", 10, "310003018", "f0e1d2c3-b4a5-4697-8899-aabbccddeeff"))
    emulator.case.instantiate(Caller(owner=emulator.catalog.get_owner("TTD")), "5695", 1, OLA)
    admin.post("/clock/advance", json={"days": 1})
    admin.add_fault({"type": "delay", "ms": 1})
    doc = page(admin)
    assert doc.xpath("//script") == []
    assert all(len(rows(doc, section)) > 0 for section in SECTIONS)


def push_to_nobody(emulator) -> None:
    """A submission of a service whose receiver listens nowhere: a push waiting in queue mode."""
    emulator.load_seed("""
service_owners:
  - {code: TTD, orgno: "310001007", name: Testdepartementet, services: [{code: "5800", edition: 1, kind: form,
     forms: [{data_format_id: "5703", data_format_version: 34301, name: S}], push: {url: "http://127.0.0.1:9/r"}}]}
""")
    archived_task(emulator, form=("5800", 1, "5703", 34301))


def batch_with_an_issue_and_an_outbound_file(emulator) -> None:
    """The batch log as the readers write it, and a file in TTD's outbound folder."""
    now = emulator.clock.now()
    stored = emulator.files.put([b"<DataBatch/>"])
    batch = emulator.batch_store.add_batch(DataBatch(0, "TTD", "ttd-system", "c.xml", stored.sha256, stored.size, now,
                                                     state="Refused", issues=1, finished_at=now))
    emulator.batch_store.add_issue(Issue(0, batch.id, None, now, 1, "no batch format", "Critical"))
    emulator.batch_store.add_outbound(OutboundFile(0, "TTD", "a.xml", stored.sha256, stored.size, now, "genericbatch"))


# -- act as the end user (/_admin/enduser) ---------------------------------------------------------------------

def enduser(admin, query: str = "", expect: int = 200) -> lxml.html.HtmlElement:
    response = admin.call("GET", "/enduser" + query, expect=expect)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return lxml.html.fromstring(response.content)


def act(admin, expect: int = 303, **form) -> requests.Response:
    """A POSTed form of the view, as a browser sends it; the redirect is not followed."""
    return admin.call("POST", "/enduser", expect=expect, data=form, allow_redirects=False)


def element_id(receipt) -> str:
    return next(r.value for r in receipt.references if r.type == "WorkFlowReference")


def test_the_page_links_the_end_user_view(admin):
    assert page(admin).xpath('//nav/a[@href="/_admin/enduser"]/text()') == ["End user"]


def test_the_view_offers_every_reportee_of_the_registry(admin):
    doc = enduser(admin)
    values = doc.xpath('//select[@name="reportee"]/option/@value')
    assert values[0] == "" and OLA in values and "310003018" in values and "selvreg_bruker" in values
    assert doc.xpath('//section[@id="worklist"]') == [] and doc.xpath("//script") == []


def test_the_worklist_links_each_task(admin, emulator):
    task = element_id(prefill(emulator))
    doc = enduser(admin, f"?reportee={OLA}")
    assert doc.xpath('//select[@name="reportee"]/option[@selected]/@value') == [OLA]
    [row] = rows(doc, "worklist")
    assert texts(row)[:3] == [task, "5679/1", "Søknad om testmidler"]
    assert row[-1].find("a").get("href") == f"/_admin/enduser?reportee={OLA}&element={task}"
    assert enduser(admin, f"?reportee={KARI}").get_element_by_id("worklist").findtext(
        './/p[@class="empty"]') == "No active form task is visible in this worklist."


def test_a_task_shows_its_forms_in_text_areas_and_saves_one(admin, emulator):
    task = element_id(prefill(emulator))
    doc = enduser(admin, f"?reportee={OLA}&element={task}")
    assert doc.get_element_by_id("xml-5703").text_content() == "<Skjema/>"
    assert doc.get_element_by_id("status").text_content() == "Status: active"
    response = act(admin, action="save", element=task, reportee=OLA, data_format_id="5703",
                   xml="<Skjema>\r\n<Navn>Åse &amp; Ola</Navn></Skjema>")
    assert response.headers["Location"] == f"/_admin/enduser?reportee={OLA}&element={task}&done=save"
    assert emulator.worklist.element(int(task)).forms[0].form_data_xml == \
        "<Skjema>\n<Navn>Åse &amp; Ola</Navn></Skjema>"
    doc = enduser(admin, f"?reportee={OLA}&element={task}&done=save")
    assert doc.get_element_by_id("done").text_content() == "Saved."
    assert doc.get_element_by_id("xml-5703").text_content() == "<Skjema>\n<Navn>Åse &amp; Ola</Navn></Skjema>"


def test_a_refused_save_shows_why_and_keeps_the_text_as_typed(admin, emulator):
    task = element_id(prefill(emulator))
    response = act(admin, 400, action="save", element=task, reportee=OLA, data_format_id="5703",
                   xml="<Skjema><script>alert(1)</script>")
    doc = lxml.html.fromstring(response.content)
    assert "form 5703 is not well-formed XML" in doc.get_element_by_id("error").text_content()
    assert doc.get_element_by_id("xml-5703").text_content() == "<Skjema><script>alert(1)</script>"
    no_markup_from_input(doc)
    assert emulator.worklist.element(int(task)).forms[0].form_data_xml == "<Skjema/>"


def test_sign_and_submit_from_the_view_shows_the_archive_reference(admin, emulator):
    task = element_id(prefill(emulator))
    act(admin, action="sign", element=task, reportee=OLA, signer=KARI, security_level="4")
    doc = enduser(admin, f"?element={task}&done=sign")
    assert texts(rows(doc, "task")[0]) == [KARI, "2026-03-02 10:00:00", "verySensitive"]
    response = act(admin, action="submit", element=task, reportee=OLA, submitter="", security_level="")
    assert response.headers["Location"].endswith("&done=submit")
    reference = emulator.worklist.element(int(task)).archive_reference
    doc = enduser(admin, f"?reportee={OLA}&element={task}&done=submit")
    assert doc.get_element_by_id("done").text_content() == "Submitted."
    link = doc.get_element_by_id("archive-reference")
    assert link.text_content() == reference and link.get("href") == f"/_admin/archive/{reference}"
    assert doc.xpath('//button[@value="submit"] | //button[@value="save"]') == []  # archived: nothing to do
    assert doc.get_element_by_id("xml-5703").get("readonly") is not None
    assert rows(doc, "worklist") == []


@pytest.mark.parametrize("form,status,message", [
    ({"action": "submit", "element": "999"}, 404, "no worklist element 999"),
    ({"action": "submit", "element": "9" * 23}, 400, "say which form task"),  # beyond any id: none named
    ({"action": "submit", "element": "١٢"}, 400, "say which form task"),
    ({"action": "sign", "signer": "310003018"}, 400, "no person or self-registered user"),
    ({"action": "sign", "signer": OLA, "security_level": "x"}, 400, "whole number"),
    ({"action": "delete"}, 400, "one of ['save', 'sign', 'submit']"),
    ({"action": "save", "data_format_id": "9999", "xml": "<a/>"}, 400, "has no form 9999"),
])
def test_a_refused_action_is_shown_with_its_status(admin, emulator, form, status, message):
    task = element_id(prefill(emulator))
    response = act(admin, status, **{"element": task, **form})
    assert message in lxml.html.fromstring(response.content).get_element_by_id("error").text_content()


@pytest.mark.parametrize("element", ["9" * 23, "١٢", "²"])
def test_an_element_that_is_no_id_shows_the_worklist_without_a_task(admin, element):
    doc = enduser(admin, f"?reportee={OLA}&element={element}")
    assert doc.xpath('//section[@id="worklist"]') and doc.xpath('//section[@id="task"]') == []


def test_an_archived_task_refuses_a_second_submit(admin, emulator):
    task = element_id(prefill(emulator))
    act(admin, action="submit", element=task)
    response = act(admin, 409, action="submit", element=task)
    assert "archived as AR" in lxml.html.fromstring(response.content).get_element_by_id("error").text_content()


def test_the_view_answers_get_head_and_post_only(admin):
    assert admin.call("HEAD", "/enduser", expect=200).content == b""
    response = admin.call("DELETE", "/enduser", expect=405)
    assert response.headers["Allow"] == "GET, HEAD, POST"
