"""The admin API and page show subscriptions and their activations; moving the clock through the admin API
activates what has become due (docs/behaviour/subscription.md)."""

from __future__ import annotations

from .helpers import OLA, subscribe
from .test_admin_page import page


def test_advancing_the_clock_activates_and_the_listings_show_it(admin, emulator):
    subscribe(emulator)
    [listed] = admin.state("subscriptions")
    assert (listed["reportee"], listed["period_type"], listed["activations"]) == (OLA, "Weekly", 0)
    assert admin.state("subscription-activations") == []
    admin.post("/clock/advance", json={"days": 8})
    [listed] = admin.state("subscriptions")
    assert listed["activations"] == 2
    activations = admin.state("subscription-activations")
    assert [a["period"] for a in activations] == [0, 1]
    elements = {e["id"]: e for e in admin.state("reportee-elements")}
    assert {elements[a["element_id"]]["origin"] for a in activations} == {f"subscription:{listed['id']}"}


def test_the_page_shows_both_tables(admin, emulator):
    subscribe(emulator)
    text = page(admin).text_content()
    assert "Subscriptions" in text and "Subscription activations" in text and "Weekly" in text
