"""The service owner's rights register: every rule and result (docs/behaviour/srr.md), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from altinn_so.domain.errors import AltinnError
from altinn_so.services.srr.rules import RightRequest, RightRule, condition_problem, normalised_condition

from .factories import owner_caller

ORG = "310003018"
OLA = "23917710120"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # the tests' clock
LATER = NOW + timedelta(days=30)


def add(emulator, *requests, code="4255", edition=10, owner="TTD"):
    results = emulator.srr.add_rights(owner_caller(emulator, owner), code, edition, list(requests))
    return [r.result for r in results]


def delete(emulator, *requests, code="4255", edition=10, owner="TTD"):
    results = emulator.srr.delete_rights(owner_caller(emulator, owner), code, edition, list(requests))
    return [r.result for r in results]


def get(emulator, reportee=None, code="4255", edition=10, owner="TTD"):
    return emulator.srr.get_rights(owner_caller(emulator, owner), code, edition, reportee)


def right(reportee=ORG, name="Read", condition=None, valid_to=LATER):
    return RightRequest(reportee=reportee, right=name, condition=condition, valid_to=valid_to)


def error_id(call) -> int:
    with pytest.raises(AltinnError) as caught:
        call()
    return caught.value.error_id


# -- AddRights ------------------------------------------------------------------------------------------

def test_add_stores_a_rule_keyed_by_reportee_right_and_condition(emulator):
    assert add(emulator, right(), right(name="Write"), right(condition="sender"), right(OLA)) == ["Ok"] * 4
    assert add(emulator, right(), right(condition=" sender ")) == ["RuleAlreadyExists"] * 2
    assert sorted((r.reportee, r.right, r.condition or "") for r in get(emulator)) == [
        (OLA, "Read", ""), (ORG, "Read", ""), (ORG, "Read", "sender"), (ORG, "Write", "")]


def test_an_existing_rule_is_not_updated_by_add(emulator):
    add(emulator, right())
    assert add(emulator, right(valid_to=LATER + timedelta(days=5))) == ["RuleAlreadyExists"]
    assert [r.valid_to for r in get(emulator)] == [LATER]


def test_the_same_rule_twice_in_one_call_is_ok_then_already_exists(emulator):
    assert add(emulator, right(), right()) == ["Ok", "RuleAlreadyExists"]


def test_rules_are_per_service_edition(emulator):
    add(emulator, right())
    assert add(emulator, right(), code="5678", edition=1) == ["Ok"]
    assert len(get(emulator)) == 1 and len(get(emulator, code="5678", edition=1)) == 1


@pytest.mark.parametrize("reportee", ["", None, "123", "310003019", "23917710121", "ola", "999999999"])
def test_an_invalid_or_unknown_reportee_is_a_per_item_result(emulator, reportee):
    """310003019 and 23917710121 fail their checks; 999999999 is no organisation the register knows (D64)."""
    assert add(emulator, right(reportee), right()) == ["EmptyOrNotAValidSsnOrOrganisation", "Ok"]
    assert [r.reportee for r in get(emulator)] == [ORG]


@pytest.mark.parametrize("valid_to", [NOW, NOW - timedelta(seconds=1), None])
def test_a_right_that_has_expired_is_refused(emulator, valid_to):
    assert add(emulator, right(valid_to=valid_to)) == ["RightAlreadyExpired"]
    assert get(emulator) == []


def test_a_naive_valid_to_is_norwegian_time(emulator):
    """10:00 in Oslo is the tests' clock (09:00 UTC): already expired; 10:01 is not."""
    assert add(emulator, right(valid_to=datetime(2026, 3, 2, 10, 0))) == ["RightAlreadyExpired"]
    assert add(emulator, right(valid_to=datetime(2026, 3, 2, 10, 1))) == ["Ok"]


@pytest.mark.parametrize("name", ["None", None, "Delete"])
def test_no_right_is_unknown_and_nothing_is_stored(emulator, name):
    assert add(emulator, right(name=name)) == ["Unknown"]
    assert get(emulator) == []


@pytest.mark.parametrize("name", ["Read", "Write", "Sign", "ArchiveRead", "ArchiveDelete", "Access"])
def test_every_right_of_the_contract_but_none_is_stored(emulator, name):
    assert add(emulator, right(name=name)) == ["Ok"]


VALID_CONDITIONS = ["sender", "recipient", "Sender", "AllowedRedirectDomain:*.altinn.no;*.altinn.com",
                    "AllowedRedirectDomain:https://www.example.no", "AllowedRedirectDomain:localhost:8080",
                    "KeepSessionAlive:true", "KeepSessionAlive:False", f"HandledBy:{ORG}", "", "  "]
INVALID_CONDITIONS = ["receiver", "AllowedRedirectDomain:", "AllowedRedirectDomain:*.altinn.no;",
                      "AllowedRedirectDomain:ex ample.no", "AllowedRedirectDomain:*", "KeepSessionAlive:yes", "HandledBy:123456789", "HandledBy:",
                      "Party:sender", "allowedredirectdomain:altinn.no"]


@pytest.mark.parametrize("condition", VALID_CONDITIONS)
def test_conditions_the_register_takes(emulator, condition):
    assert condition_problem(normalised_condition(condition)) is None
    assert add(emulator, right(condition=condition)) == ["Ok"]


@pytest.mark.parametrize("condition", INVALID_CONDITIONS)
def test_an_invalid_condition_faults_the_whole_call_with_450211(emulator, condition):
    assert error_id(lambda: add(emulator, right(), right(condition=condition))) == 450211
    assert get(emulator) == []


def test_a_blank_condition_is_no_condition(emulator):
    assert add(emulator, right(condition="  ")) == ["Ok"]
    assert add(emulator, right()) == ["RuleAlreadyExists"]
    assert [r.condition for r in get(emulator)] == [None]


# -- DeleteRights ---------------------------------------------------------------------------------------

def test_delete_removes_exactly_the_rule_of_the_key(emulator):
    add(emulator, right(), right(condition="sender"), right(name="Write"))
    assert delete(emulator, right(condition="sender", valid_to=None)) == ["Ok"]
    assert delete(emulator, right(condition="sender", valid_to=None)) == ["RuleNotFound"]
    assert [(r.right, r.condition) for r in get(emulator)] == [("Read", None), ("Write", None)]


def test_delete_answers_per_item(emulator):
    add(emulator, right())
    assert delete(emulator, right(), right(OLA), right("123"), right(condition="KeepSessionAlive:maybe")) == [
        "Ok", "RuleNotFound", "EmptyOrNotAValidSsnOrOrganisation", "RuleNotFound"]


def test_a_deleted_right_is_gone_at_once_for_rules_for(emulator):
    add(emulator, right())
    assert [r.right for r in emulator.srr.rules_for("4255", 10, ORG, NOW)] == ["Read"]
    delete(emulator, right())
    assert emulator.srr.rules_for("4255", 10, ORG, NOW) == []


# -- GetRights --------------------------------------------------------------------------------------------

def test_get_without_reportee_gives_everybody_and_with_one_only_theirs(emulator):
    add(emulator, right(), right(OLA, "Write", "recipient"))
    assert {r.reportee for r in get(emulator)} == {ORG, OLA}
    [ola] = get(emulator, OLA)
    assert (ola.right, ola.condition, ola.valid_to) == ("Write", "recipient", LATER)
    assert get(emulator, "  ") == get(emulator)


def test_get_includes_expired_rules_with_their_valid_to(emulator):
    """Expired rules are listed as stored (D66); rules_for leaves them out."""
    add(emulator, right(valid_to=NOW + timedelta(minutes=1)))
    emulator.clock.advance(timedelta(minutes=2))
    assert [r.valid_to for r in get(emulator)] == [NOW + timedelta(minutes=1)]
    assert emulator.srr.rules_for("4255", 10, ORG, emulator.clock.now()) == []


@pytest.mark.parametrize("reportee", ["123", "310003019", "ola", "999999999"])
def test_get_with_an_invalid_reportee_is_450210(emulator, reportee):
    assert error_id(lambda: get(emulator, reportee)) == 450210


# -- the service --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda emulator: get(emulator, code="9100", edition=1),
    lambda emulator: add(emulator, right(), code="9100", edition=1),
    lambda emulator: delete(emulator, right(), code="9100", edition=1),
])
def test_only_the_owner_of_the_service_reads_or_changes_its_rules(emulator, call):
    emulator.srr_store.put(RightRule("9100", 1, ORG, "Read", None, LATER))
    assert error_id(lambda: call(emulator)) == 5
    assert [r.reportee for r in get(emulator, code="9100", edition=1, owner="ETT")] == [ORG]


def test_an_unknown_service_is_30003_and_a_missing_one_30004(emulator):
    assert error_id(lambda: get(emulator, code="9999", edition=1)) == 30003
    assert error_id(lambda: add(emulator, right(), code="", edition=1)) == 30004
    assert error_id(lambda: delete(emulator, right(), code="4255", edition=None)) == 30004


# -- rules_for, the broker's question ---------------------------------------------------------------------

def test_rules_for_gives_the_unexpired_rules_of_one_reportee(emulator):
    add(emulator, right(), right(name="Write", condition="recipient", valid_to=NOW + timedelta(hours=1)),
        right(OLA, "Write"))
    rules = emulator.srr.rules_for("4255", 10, ORG, NOW)
    assert [(r.right, r.condition) for r in rules] == [("Read", None), ("Write", "recipient")]
    later = emulator.srr.rules_for("4255", 10, ORG, NOW + timedelta(hours=1))
    assert [(r.right, r.condition, r.valid_to) for r in later] == [("Read", None, LATER)]
    assert emulator.srr.rules_for("4255", 10, ORG, datetime(2026, 3, 2, 11, 0)) != []  # naive: Oslo time
    assert emulator.srr.rules_for("5678", 1, ORG, NOW) == []


# -- the seed -----------------------------------------------------------------------------------------------

def test_a_seed_entry_is_a_rule():
    rule = RightRule.from_seed({"service": "4255:10", "reportee": ORG, "right": "Write", "condition": "sender",
                                "valid_to": "2030-01-01T00:00:00+00:00"})
    assert (rule.service_code, rule.service_edition, rule.right, rule.condition) == ("4255", 10, "Write", "sender")
    with pytest.raises(ValueError):
        RightRule.from_seed({"service": "4255:10", "reportee": ORG, "right": "None", "valid_to": "2030-01-01"})
    with pytest.raises(ValueError):
        RightRule.from_seed({"service": "4255:10", "reportee": ORG, "right": "Read", "condition": "x",
                             "valid_to": "2030-01-01"})
    with pytest.raises(ValueError, match="unknown keys"):
        RightRule.from_seed({"service": "4255:10", "reportee": ORG, "right": "Read", "valid_to": "2030-01-01",
                             "colour": "red"})
