"""The admin API and page show the rights register's rules; seed files and the admin seed endpoint add rules, and
a reset writes the seed's rules again (docs/behaviour/srr.md)."""

from __future__ import annotations

from datetime import datetime, timezone

from altinn_so.emulator import Emulator, Settings
from altinn_so.services.srr.rules import RightRequest
from altinn_so.domain.auth import Caller

from .test_admin_page import page

ORG = "310003018"
RULES_YAML = """
srr_rules:
  - {service: "4255:10", reportee: "310003018", right: Write, condition: sender, valid_to: "2030-01-01T00:00:00Z"}
  - {service: "4255:10", reportee: "23917710120", right: Read, valid_to: "2030-01-01T00:00:00Z"}
"""


def _add(emulator) -> None:
    emulator.srr.add_rights(Caller(owner=emulator.catalog.get_owner("TTD")), "4255", 10, [RightRequest(
        reportee=ORG, right="Read", condition="recipient", valid_to=datetime(2030, 1, 1, tzinfo=timezone.utc))])


def test_the_rules_are_listed_and_shown_on_the_page(admin, emulator):
    _add(emulator)
    [rule] = admin.state("srr-rules")
    assert (rule["service_code"], rule["service_edition"], rule["reportee"], rule["right"], rule["condition"]) == (
        "4255", 10, ORG, "Read", "recipient")
    text = page(admin).text_content()
    assert "Rights register (SRR)" in text and "recipient" in text


def test_seed_rules_are_loaded_and_a_reset_writes_them_again(tmp_path, clock):
    seed_file = tmp_path / "rules.yaml"
    seed_file.write_text(RULES_YAML)
    emulator = Emulator(Settings(seed_files=(str(seed_file),)), clock=clock)
    try:
        expected = [(ORG, "Write", "sender"), ("23917710120", "Read", None)]
        assert [(r.reportee, r.right, r.condition) for r in emulator.srr_store.list_rules()] == expected
        _add(emulator)
        assert len(emulator.srr_store.list_rules()) == 3
        emulator.reset()
        assert [(r.reportee, r.right, r.condition) for r in emulator.srr_store.list_rules()] == expected
        assert [r.right for r in emulator.srr.rules_for("4255", 10, ORG, clock.now())] == ["Write"]
    finally:
        emulator.close()


def test_the_admin_seed_endpoint_takes_rules_and_names_a_bad_one(admin, emulator):
    loaded = admin.call("POST", "/seed", data=RULES_YAML, expect=200)
    assert loaded.json()["loaded"]["srr_rules"] == 2
    assert len(emulator.srr_store.list_rules()) == 2
    bad = admin.call("POST", "/seed", data='srr_rules: [{service: "4255:10", reportee: "1", right: Read, '
                                          'condition: "KeepSessionAlive:maybe", valid_to: "2030-01-01"}]', expect=400)
    assert "srr_rules" in bad.json()["error"] and "KeepSessionAlive" in bad.json()["error"]
