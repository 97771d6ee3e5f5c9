"""The admin API and page show the seed's role assignments and consents, the temp keys minted and the consent
usages logged; ``POST /_admin/temp-keys`` and the plugin's ``mint_temp_key`` mint a temp key
(docs/behaviour/authorization.md)."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest

from altinn_so.services.authorization.rules.consent_usage import UsageReport

from .test_admin_page import rows, texts

OLA, KARI, PER, LISE = "23917710120", "05838520067", "17856230120", "30819040083"
EKSEMPEL, BERGEN = "310003018", "310004006"


def test_the_seeded_assignments_and_consents_are_listed_and_on_the_test_data_page(admin):
    assignments = admin.state("role-assignments")
    assert {"person": OLA, "reportee": EKSEMPEL, "roles": ["DAGL", "UTINN", "SIGNE"], "delegated_by": None} in assignments
    assert len(assignments) == 11
    assert admin.state("consents") == [
        {"person": PER, "uses_altinn": True, "acts_for_others": False},
        {"person": LISE, "uses_altinn": False, "acts_for_others": True}]
    doc = lxml.html.fromstring(admin.call("GET", "/data", expect=200).content)
    ola = [texts(cells) for cells in rows(doc, "role-assignments") if texts(cells)[:2] == [OLA, EKSEMPEL]]
    assert len(ola) == 1 and all(role in ola[0][2] for role in ("DAGL", "UTINN", "SIGNE"))
    assert [texts(cells)[0] for cells in rows(doc, "consents")] == [PER, LISE]
    # the state page shows them in their own columns
    state = lxml.html.fromstring(admin.call("GET", "/", expect=200).content)
    assert [OLA, EKSEMPEL, "DAGL UTINN SIGNE", "registers"] in [texts(cells) for cells in rows(state, "role-assignments")]
    assert [texts(cells) for cells in rows(state, "consents")] == [[LISE, "no", "yes"], [PER, "yes", "no"]]


def test_a_minted_key_is_listed_and_works_once(admin, emulator):
    minted = admin.post("/temp-keys", 201, json={"person": OLA, "reportee": BERGEN, "minutes": 2})
    assert (minted["person"], minted["reportee"], minted["used_at"]) == (OLA, BERGEN, None)
    [listed] = admin.state("temp-keys")
    assert listed["key"] == minted["key"]
    assert emulator.authorization_administration.reportee_by_temp_key(minted["key"]).orgno == BERGEN
    assert admin.state("temp-keys")[0]["used_at"] is not None
    text = lxml.html.fromstring(admin.call("GET", "/", expect=200).content).text_content()
    assert "Temp keys (link service)" in text and minted["key"] in text


def test_a_key_minted_without_reportee_or_minutes_is_for_the_person_for_ten_minutes(admin, emulator):
    minted = admin.post("/temp-keys", 201, json={"person": KARI})
    assert minted["reportee"] == KARI
    emulator.clock.advance(timedelta(minutes=10))
    with pytest.raises(Exception, match="expired"):
        emulator.authorization_administration.reportee_by_temp_key(minted["key"])


@pytest.mark.parametrize(("body", "said"), [
    ({}, "person"), ({"person": 23917710120}, "person"), ({"person": OLA, "reportee": 310003018}, "reportee"),
    ({"person": OLA, "minutes": 0}, "minutes"), ({"person": OLA, "minutes": "5"}, "minutes"),
    ({"person": OLA, "minutes": True}, "minutes"),
    ({"person": OLA, "reportee": KARI}, "may not act for"), ({"person": LISE}, "may not act for"),
    ({"person": "12345678901"}, "Invalid SSN"),
])
def test_minting_refuses_what_the_link_service_would_not_give(admin, body, said):
    assert said in admin.error("POST", "/temp-keys", 400, json=body)
    assert admin.state("temp-keys") == []


def test_consent_usages_are_listed(admin, emulator):
    emulator.authorization_administration.log_consent_usage("TTD", UsageReport(
        "4255", 10, EKSEMPEL, "f0e1d2c3-b4a5-4697-8899-aabbccddeeff"))
    [usage] = admin.state("consent-usages")
    assert (usage["id"], usage["owner"], usage["service_code"], usage["data_consumer"]) == (1, "TTD", "4255", EKSEMPEL)


def test_the_plugin_mints_a_key(altinn_so):
    key = altinn_so.admin.mint_temp_key(OLA, EKSEMPEL, minutes=1)
    service = altinn_so.client("authorization", "ws").service
    assert service.GetReporteeByTempKey(tempKey=key).OrganizationNumber == EKSEMPEL
    assert altinn_so.admin.mint_temp_key(KARI) != key


def test_a_reset_empties_the_keys_and_usages_and_writes_the_seed_again(admin, emulator):
    admin.post("/temp-keys", 201, json={"person": OLA})
    emulator.authorization_administration.log_consent_usage("TTD", UsageReport(
        "4255", 10, EKSEMPEL, "f0e1d2c3-b4a5-4697-8899-aabbccddeeff"))
    admin.post("/reset")
    assert (admin.state("temp-keys"), admin.state("consent-usages"), len(admin.state("role-assignments"))) == (
        [], [], 11)
