"""The admin API and page show prefilled sets and worklist elements (docs/behaviour/prefill.md)."""

from __future__ import annotations

from .helpers import OLA, prefill
from .test_admin_page import page


def test_prefilled_sets_and_worklist_elements_are_listed(admin, emulator):
    prefill(emulator)
    [prefilled] = admin.state("prefilled-sets")
    assert (prefilled["reportee"], prefilled["shipment_reference"], prefilled["identity_key"]) == (
        OLA, "ship-A", "1=2026-03")
    [element] = admin.state("reportee-elements")
    assert (element["kind"], element["status"], element["reportee"]) == ("form_task", "active", OLA)
    assert prefilled["element_id"] == element["id"]


def test_the_page_shows_both_tables(admin, emulator):
    prefill(emulator)
    text = page(admin).text_content()
    assert "Prefilled sets" in text and "Worklist elements" in text and "ship-A" in text
