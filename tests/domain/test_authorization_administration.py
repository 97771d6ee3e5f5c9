"""AuthorizationAdministration's rules over the default seed's role assignments and consents
(docs/behaviour/authorization.md), on SQLite and PostgreSQL: GetReportees and the consents, GetRoles and its rule,
temp keys (once, by the emulator's clock) and LogConsentUsage."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.domain.errors import AltinnError
from altinn_so.services.authorization.rules.consent_usage import UsageReport
from altinn_so.services.authorization.rules.reportees import ReporteeSearch
from altinn_so.services.authorization.rules.roles import RoleSearch

OLA = "23917710120"  # DAGL of Eksempel AS, UTINN for Bare Epost ANS
KARI = "05838520067"
PER = "17856230120"  # refused to act for others
LISE = "30819040083"  # refused to use Altinn
DAGNY = "52888115005"  # a role for the sub-unit only
EKSEMPEL = "310003018"
BERGEN = "310004006"  # sub-unit of Eksempel AS
BARE_EPOST = "310005002"
CODE = "f0e1d2c3-b4a5-4697-8899-aabbccddeeff"


def reportees(emulator, user, **options) -> list[str]:
    return [r.number for r in emulator.authorization_administration.reportees(ReporteeSearch(user, **options))]


def error_of(call) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        call()
    return caught.value


# -- GetReportees ---------------------------------------------------------------------------------------------

def test_the_user_comes_first_then_the_parties_he_holds_roles_for(emulator):
    found = emulator.authorization_administration.reportees(ReporteeSearch(OLA))
    assert [(r.number, r.kind, r.name) for r in found] == [
        (OLA, "Person", "Ola Testmann Nordmann"), (EKSEMPEL, "Organization", "Eksempel AS"),
        (BARE_EPOST, "Organization", "Bare Epost ANS")]


def test_sub_units_come_after_their_main_unit_only_when_asked_for(emulator):
    assert reportees(emulator, OLA, include_sub_units=True) == [OLA, EKSEMPEL, BERGEN, BARE_EPOST]
    # a role for the sub-unit alone shows it only with sub-units asked for (Dagny also signs for Bare Epost ANS)
    assert reportees(emulator, DAGNY) == [DAGNY, BARE_EPOST]
    assert reportees(emulator, DAGNY, include_sub_units=True) == [DAGNY, BERGEN, BARE_EPOST]


def test_a_user_without_consent_to_use_altinn_gets_an_empty_list(emulator):
    assert reportees(emulator, LISE) == []
    assert reportees(emulator, LISE, include_sub_units=True, include_inactive=True) == []


def test_a_user_without_consent_to_act_for_others_gets_only_himself(emulator):
    assert emulator.authorizations.roles_of(PER, EKSEMPEL) == ("REVI",)  # the role is there, and not used
    assert reportees(emulator, PER, include_sub_units=True) == [PER]


def test_maximum_count_cuts_the_list_and_zero_means_all(emulator):
    assert reportees(emulator, OLA, maximum=2) == [OLA, EKSEMPEL]
    assert reportees(emulator, OLA, maximum=0) == [OLA, EKSEMPEL, BARE_EPOST]
    assert reportees(emulator, OLA, maximum=10) == [OLA, EKSEMPEL, BARE_EPOST]


def test_inactive_reportees_change_nothing_as_no_party_is_inactive(emulator):
    assert reportees(emulator, OLA, include_inactive=True) == reportees(emulator, OLA)


@pytest.mark.parametrize(("user", "options", "error_id"), [
    (None, {}, 30004), ("  ", {}, 30004), ("12345678901", {}, 40016), ("31108912345", {}, 40016),
    ("01017010170", {}, 60012),  # a valid national identity number the registry does not know
    (OLA, {"maximum": -1}, 0),
])
def test_get_reportees_refusals(emulator, user, options, error_id):
    assert error_of(lambda: reportees(emulator, user, **options)).error_id == error_id


# -- GetRoles -----------------------------------------------------------------------------------------------

def roles(emulator, **search):
    return [(r.code, r.offered_by, r.covered_by, r.delegated_by, r.source, r.name)
            for r in emulator.authorization_administration.roles(RoleSearch(**search))]


def test_roles_of_a_user_for_one_party_with_names_in_the_language(emulator):
    assert roles(emulator, covered_by_user=OLA, offered_by=EKSEMPEL) == [
        ("DAGL", EKSEMPEL, OLA, None, "ER", "Daglig leder"), ("UTINN", EKSEMPEL, OLA, None, "ER", "Utfyller/Innsender"),
        ("SIGNE", EKSEMPEL, OLA, None, "ER", "Signerer av Samordnet registermelding")]
    assert [r[5] for r in roles(emulator, covered_by_user=OLA, offered_by=EKSEMPEL, language=1033)][:1] == [
        "Managing director"]
    assert [r[5] for r in roles(emulator, covered_by_user=OLA, offered_by=EKSEMPEL, language=2068)][:1] == [
        "Dagleg leiar"]


def test_roles_for_every_party_a_delegated_role_and_the_filter(emulator):
    assert roles(emulator, covered_by_user=KARI, role_code="REGNA") == [
        ("REGNA", EKSEMPEL, KARI, OLA, "Altinn", "Regnskapsmedarbeider")]
    assert [(r[0], r[1]) for r in roles(emulator, covered_by_party=KARI)] == [
        ("UTINN", OLA), ("REGNA", EKSEMPEL), ("LEDE", BARE_EPOST), ("DAGL", BARE_EPOST)]
    assert roles(emulator, covered_by_user=OLA, offered_by=BERGEN) == []  # none held directly for the sub-unit


@pytest.mark.parametrize(("search", "error_id"), [
    ({"offered_by": EKSEMPEL}, 30004),  # OfferedByParty without who holds the roles
    ({}, 30004),
    ({"offered_by": EKSEMPEL, "covered_by_user": OLA, "covered_by_party": KARI}, 0),  # both
    ({"covered_by_user": OLA, "covered_by_party": KARI}, 0),
    ({"covered_by_user": "12345678901"}, 40016),
    ({"covered_by_party": "999999999"}, 60012),
    ({"covered_by_user": OLA, "offered_by": "999999999"}, 60012),
])
def test_get_roles_rule(emulator, search, error_id):
    assert error_of(lambda: roles(emulator, **search)).error_id == error_id


def test_get_roles_without_a_search_is_30004(emulator):
    assert error_of(lambda: emulator.authorization_administration.roles(None)).error_id == 30004


# -- temp keys ----------------------------------------------------------------------------------------------

def test_a_temp_key_gives_its_reportee_once(emulator):
    administration = emulator.authorization_administration
    key = administration.mint_temp_key(OLA, BERGEN)
    assert (key.person, key.reportee, key.expires_at - key.created_at) == (OLA, BERGEN, timedelta(minutes=10))
    found = administration.reportee_by_temp_key(key.key.upper())  # a GUID in any case
    assert (found.orgno, found.kind, found.name) == (BERGEN, "Organization", "Eksempel AS avd. Bergen")
    second = error_of(lambda: administration.reportee_by_temp_key(key.key))
    assert (second.error_id, "used already" in second.message) == (0, True)
    [listed] = emulator.temp_keys.list_temp_keys()
    assert listed.used_at == emulator.clock.now()


def test_a_temp_key_for_the_user_himself_is_the_default(emulator):
    key = emulator.authorization_administration.mint_temp_key(KARI)
    found = emulator.authorization_administration.reportee_by_temp_key(key.key)
    assert (found.ssn, found.kind, found.orgno) == (KARI, "Person", None)


def test_a_temp_key_expires_by_the_emulators_clock(emulator):
    administration = emulator.authorization_administration
    key = administration.mint_temp_key(OLA, EKSEMPEL, minutes=5)
    emulator.clock.advance(timedelta(minutes=4, seconds=59))
    kept = administration.mint_temp_key(OLA, EKSEMPEL, minutes=5)
    emulator.clock.advance(timedelta(seconds=1))
    expired = error_of(lambda: administration.reportee_by_temp_key(key.key))
    assert (expired.error_id, "expired" in expired.message) == (0, True)
    assert administration.reportee_by_temp_key(kept.key).orgno == EKSEMPEL


@pytest.mark.parametrize(("given", "error_id", "said"), [
    (None, 30004, "required"), ("", 30004, "required"),
    ("00000000-0000-0000-0000-000000000000", 0, "not valid"), ("not-a-guid", 0, "not valid"),
])
def test_a_missing_or_unknown_temp_key_is_refused(emulator, given, error_id, said):
    error = error_of(lambda: emulator.authorization_administration.reportee_by_temp_key(given))
    assert (error.error_id, said in error.message) == (error_id, True)


@pytest.mark.parametrize(("person", "reportee", "minutes", "said"), [
    (OLA, KARI, 10, "may not act for"),  # not among Ola's reportees
    (PER, EKSEMPEL, 10, "may not act for"),  # Per does not act for others
    (LISE, LISE, 10, "may not act for"),  # Lise does not use Altinn
    ("12345678901", None, 10, "person="),
    (OLA, EKSEMPEL, 0, "minutes"),
])
def test_minting_checks_who_may_act_for_whom(emulator, person, reportee, minutes, said):
    with pytest.raises(ValueError, match=said):
        emulator.authorization_administration.mint_temp_key(person, reportee, minutes)
    assert emulator.temp_keys.list_temp_keys() == []


def test_a_key_lost_by_a_racing_call_is_used(emulator):
    """Two calls that both read the key unused: only the first write wins (the store's conditional update)."""
    key = emulator.authorization_administration.mint_temp_key(OLA)
    from dataclasses import replace
    assert emulator.temp_keys.mark_used(replace(key, used_at=emulator.clock.now())) is True
    assert emulator.temp_keys.mark_used(replace(key, used_at=emulator.clock.now())) is False


# -- LogConsentUsage -------------------------------------------------------------------------------------------

def report(**changes) -> UsageReport:
    fields = {"service_code": "4255", "service_edition": 10, "data_consumer": EKSEMPEL, "authorization_code": CODE,
              "used_at": datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)} | changes
    return UsageReport(**fields)


def test_a_consent_usage_is_kept_with_its_fields(emulator):
    logged = emulator.authorization_administration.log_consent_usage("TTD", report())
    unset = emulator.authorization_administration.log_consent_usage(
        "TTD", report(used_at=None, data_consumer=OLA, authorization_code=CODE.upper()))
    assert [u.to_dict() for u in emulator.consent_usages.list_usages()] == [logged.to_dict(), unset.to_dict()]
    assert (logged.id, logged.owner, logged.service_code, logged.service_edition, logged.data_consumer,
            logged.authorization_code, logged.used_at, logged.logged_at) == (
        1, "TTD", "4255", 10, EKSEMPEL, CODE, datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc), emulator.clock.now())
    assert (unset.used_at, unset.authorization_code) == (emulator.clock.now(), CODE)


@pytest.mark.parametrize(("changes", "error_id"), [
    ({"service_code": ""}, 30004), ({"service_code": None}, 30004), ({"service_edition": None}, 30004),
    ({"data_consumer": " "}, 30004), ({"authorization_code": None}, 30004),
    ({"service_code": "9999"}, 30003), ({"service_edition": 99}, 30003),
    ({"data_consumer": "123"}, 60012), ({"data_consumer": "310003019"}, 60012),
    ({"authorization_code": "abc"}, 0),
])
def test_a_consent_usage_with_a_bad_field_is_refused_and_not_kept(emulator, changes, error_id):
    error = error_of(lambda: emulator.authorization_administration.log_consent_usage("TTD", report(**changes)))
    assert error.error_id == error_id
    assert emulator.consent_usages.list_usages() == []
