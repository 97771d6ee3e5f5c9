"""The push's admin routes and page (docs/behaviour/push.md, "What a test sees"): their errors, an empty page,
and content from the submission or the receiver shown as text."""

from __future__ import annotations

import lxml.html
import requests

from support.archived import OLA, archived_task
from support.push_receiver import PushReceiver
from support.pushing import PUSHED_FORM, pushing_service, pushing_services

HOSTILE = "<script>alert('form')</script>"


def test_unknown_pushes_are_404_and_a_round_with_nothing_due_makes_no_attempt(base_url):
    for method, path in (("GET", "/pushes/999"), ("POST", "/pushes/999/retry")):
        response = requests.request(method, f"{base_url}/_admin{path}", timeout=10)
        assert (response.status_code, response.json()) == (404, {"error": "no push 999"})
    assert requests.post(f"{base_url}/_admin/push/round", timeout=10).json() == {"attempts": []}
    assert requests.get(f"{base_url}/_admin/push/round", timeout=10).status_code == 405


def test_the_page_without_pushes_says_how_to_get_one_and_the_admin_page_links_it(base_url):
    page = lxml.html.fromstring(requests.get(f"{base_url}/_admin/push", timeout=10).text)
    assert "Nothing pushed yet" in page.text_content() and "docs/seed-format.md" in page.text_content()
    main = lxml.html.fromstring(requests.get(f"{base_url}/_admin/", timeout=10).text)
    assert main.xpath("//nav/a[@href='/_admin/push']")


def test_what_the_submission_and_the_receiver_sent_is_shown_as_text(base_url, emulator):
    with PushReceiver(require_checksums=False) as receiver:
        emulator.load_seed(pushing_services(pushing_service(receiver.url)))
        receiver.script("FAILED")
        archived_task(emulator, form=PUSHED_FORM, xml=f"<Skjema><Navn>{HOSTILE}</Navn></Skjema>"
                      .replace("<script>", "&lt;script&gt;").replace("</script>", "&lt;/script&gt;"),
                      submitter=OLA)
        requests.post(f"{base_url}/_admin/push/round", timeout=30)
        html = requests.get(f"{base_url}/_admin/push", timeout=10).text
    page = lxml.html.fromstring(html)
    assert not page.xpath("//script")
    text = page.text_content()
    assert "alert('form')" in text, text[text.find('FormData'):][:400]
    assert page.xpath("//details/summary[contains(., 'FAILED')]")
    assert page.xpath("//form[@action]/button[normalize-space()='Retry now']")
