"""A service is one package and one registration.

``demo_service`` (beside this file) is a service that exists only in the test suite. Registered by adding it to
the emulator's services, it gets its endpoints on its bindings, its WSDL, its table, its state in snapshots and
resets, its admin listing, page section and route, and its settings: no file of the emulator names it.
"""

from __future__ import annotations

import pytest
import requests
import zeep
import zeep.exceptions
from zeep.wsse.username import UsernameToken

import demo_service
from altinn_so.domain.auth import Caller
from altinn_so.domain.errors import AltinnError
from altinn_so.app import EmulatorApp
from altinn_so.emulator import Emulator, Settings
from altinn_so.pytest_plugin import AltinnSo
from altinn_so.seeding import default_seed
from altinn_so.service import AltinnService
from altinn_so.services import SERVICES
from altinn_so.soap.wsgi import WireSettings
from support.soap import altinn_fault

WITH_DEMO = SERVICES + (demo_service.SERVICE,)
BASIC_PATH = "/ServiceEngineExternal/DemoAgencyExternalBasic.svc"
WS_PATH = "/ServiceEngineExternal/DemoAgencyExternal.svc"
_SEED = default_seed()


@pytest.fixture
def demo_emulator(clock):
    emulator = Emulator(clock=clock, services=WITH_DEMO)  # its seed composed with the services: the demo topic too
    yield emulator
    emulator.close()


@pytest.fixture
def demo_url(_server, demo_emulator) -> str:
    served, url = _server
    served.app = EmulatorApp(demo_emulator, wire=WireSettings())
    return url


def _basic(url: str):
    return zeep.Client(url + BASIC_PATH + "?wsdl")


def test_its_endpoints_answer_on_its_bindings_from_its_own_wsdl(demo_url):
    basic = _basic(demo_url)
    assert basic.service.SaveNoteBasic(systemUserName="ttd-system", systemPassword="ttd-password", note="first") == 1
    ws = zeep.Client(demo_url + WS_PATH + "?wsdl", wsse=UsernameToken("ett-system", "ett-password"))
    assert ws.service.SaveNote(note="second") == 2
    operations = {op for service in basic.wsdl.services.values() for port in service.ports.values()
                  for op in port.binding._operations}
    assert operations == {"SaveNoteBasic", "Test"}
    assert requests.get(demo_url + BASIC_PATH.replace("Basic", "EC") + "?wsdl", timeout=10).status_code == 404


def test_its_rules_fail_with_their_error_id_and_store_nothing(demo_url, demo_emulator):
    client = _basic(demo_url)
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.SaveNoteBasic(systemUserName="ttd-system", systemPassword="ttd-password", note="")
    assert altinn_fault(client, raised.value)["ErrorID"] == 1
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.SaveNoteBasic(systemUserName="ttd-system", systemPassword="wrong", note="x")
    assert altinn_fault(client, raised.value)["ErrorID"] == 989
    assert demo_emulator.note_store.list() == []


def test_its_table_is_made_and_versioned_on_its_own(demo_emulator):
    assert demo_emulator.db.get_meta("schema_version:demo") == "3"
    assert demo_emulator.db.query("SELECT COUNT(*) FROM demo_notes") == [(0,)]


def test_its_state_is_listed_shown_and_steered_through_the_admin_api(demo_url, demo_emulator):
    _basic(demo_url).service.SaveNoteBasic(systemUserName="ttd-system", systemPassword="ttd-password",
                                           note="remember the milk")
    admin = demo_url + "/_admin"
    assert requests.get(admin + "/state", timeout=10).json()["notes"] == 1
    listed = requests.get(admin + "/state/notes", timeout=10).json()["notes"]
    assert [(n["id"], n["owner"], n["text"], n["pinned"]) for n in listed] == [(1, "TTD", "remember the milk", False)]
    pinned = requests.post(admin + "/notes/1/pin", timeout=10)
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    assert demo_emulator.note_store.get(1).pinned
    missing = requests.post(admin + "/notes/99/pin", timeout=10)
    assert missing.status_code == 404 and missing.json() == {"error": "no note 99"}
    page = requests.get(admin + "/", timeout=10).text
    assert '<section id="notes"><h2>Notes</h2>' in page and "remember the milk" in page
    assert '<a href="#notes">Notes</a>' in page
    data = requests.get(admin + "/data", timeout=10).text  # its seeded topics with the core's test data
    assert '<section id="topics"><h2>Topics</h2>' in data and "Groceries" in data


def test_reset_empties_its_table_and_a_snapshot_keeps_it_with_its_numbering(demo_emulator):
    owner = demo_emulator.catalog.get_owner("TTD")
    demo_emulator.notes.save(Caller(owner), "kept")
    snapshot = demo_emulator.snapshot("one note")
    demo_emulator.reset()
    assert demo_emulator.note_store.list() == []
    assert demo_emulator.restore(snapshot)
    assert [n.text for n in demo_emulator.note_store.list()] == ["kept"]
    assert demo_emulator.notes.save(Caller(owner), "next").id == 2


def test_its_settings_come_by_its_key(clock):
    strict = Emulator(Settings(service_settings={"demo": demo_service.NoteSettings(max_length=3)}), clock=clock,
                      seed=_SEED, services=WITH_DEMO)
    with pytest.raises(AltinnError, match="at most 3 characters"):
        strict.notes.save(Caller(strict.catalog.get_owner("TTD")), "four")
    strict.close()
    with pytest.raises(ValueError, match="does not offer: \\['demo'\\]"):
        Emulator(Settings(service_settings={"demo": demo_service.NoteSettings()}), clock=clock, seed=_SEED)


def test_the_pytest_plugin_finds_it_by_its_key(demo_emulator):
    plugin = AltinnSo("http://127.0.0.1:1", demo_emulator)
    assert plugin.url("demo", "ws") == "http://127.0.0.1:1" + WS_PATH
    assert plugin.url("DemoAgencyExternal") == "http://127.0.0.1:1" + BASIC_PATH
    with pytest.raises(ValueError, match="no demo endpoint on the ec binding"):
        plugin.url("demo", "ec")


def test_unregistered_it_is_nowhere(base_url, emulator):
    assert requests.get(base_url + BASIC_PATH + "?wsdl", timeout=10).status_code == 404
    assert "notes" not in requests.get(base_url + "/_admin/state", timeout=10).json()
    assert not emulator.db.query("SELECT 1 FROM meta WHERE key = 'schema_version:demo'")


def test_a_component_name_the_emulator_has_is_refused(clock):
    clash = AltinnService(key="clash", build=lambda emulator, settings: {"clock": object()})
    with pytest.raises(ValueError, match="names a component 'clock'"):
        Emulator(clock=clock, seed=_SEED, services=SERVICES + (clash,))



# -- its seed data ---------------------------------------------------------------------------------------------

TOPICS_YAML = """
topics:
  - {name: milk, owner: TTD, title: Dairy}
  - {name: tax, owner: ETT}
"""


def test_its_additions_to_the_default_seed_come_with_the_default(clock):
    with_default = Emulator(clock=clock, services=WITH_DEMO)
    assert [t.to_dict() for t in with_default.topic_store.list()] == [
        {"name": "milk", "owner": "TTD", "title": "Groceries"}]
    with_default.close()
    without = Emulator(Settings(include_default_seed=False), clock=clock, services=WITH_DEMO)
    assert without.topic_store.list() == []
    without.close()


def test_a_seed_file_adds_and_replaces_its_entries_and_a_reset_writes_them_again(tmp_path, clock):
    seed_file = tmp_path / "topics.yaml"
    seed_file.write_text(TOPICS_YAML)
    emulator = Emulator(Settings(seed_files=(str(seed_file),)), clock=clock, services=WITH_DEMO)
    expected = [("milk", "TTD", "Dairy"), ("tax", "ETT", "")]
    assert [(t.name, t.owner, t.title) for t in emulator.topic_store.list()] == expected
    with emulator.db.transaction():
        emulator.db.execute("DELETE FROM demo_topics")
    emulator.reset()
    assert [(t.name, t.owner, t.title) for t in emulator.topic_store.list()] == expected
    emulator.close()


def test_seed_data_loaded_at_run_time_reaches_it_and_bad_entries_are_named(demo_url, demo_emulator):
    admin = demo_url + "/_admin"
    loaded = requests.post(admin + "/seed", data="topics: [{name: post, owner: TTD}]", timeout=10)
    assert loaded.status_code == 200 and loaded.json()["loaded"]["topics"] == 1
    assert [t["name"] for t in requests.get(admin + "/state/topics", timeout=10).json()["topics"]] == ["milk", "post"]
    unknown_owner = requests.post(admin + "/seed", data="topics: [{name: x, owner: NOPE}]", timeout=10)
    assert unknown_owner.status_code == 400
    assert "topics entry 'x' belongs to unknown service owner 'NOPE'" in unknown_owner.json()["error"]
    bad_entry = requests.post(admin + "/seed", data="topics: [{name: x, owner: TTD, colour: red}]", timeout=10)
    assert bad_entry.status_code == 400 and "topics entry" in bad_entry.json()["error"]
    assert [t.name for t in demo_emulator.topic_store.list()] == ["milk", "post"]


def test_a_section_no_offered_service_reads_is_refused(base_url, clock):
    refused = requests.post(base_url + "/_admin/seed", data="topics: [{name: x, owner: TTD}]", timeout=10)
    assert refused.status_code == 400 and "unknown top-level keys ['topics']" in refused.json()["error"]


def test_two_services_reading_one_section_are_refused(clock):
    twin = AltinnService(key="twin", seed_sections=demo_service.SERVICE.seed_sections)
    with pytest.raises(ValueError, match="reads a seed section 'topics' that another service or the core reads"):
        Emulator(clock=clock, seed=_SEED, services=WITH_DEMO + (twin,))


def test_a_seed_with_a_section_no_service_of_the_emulator_reads_is_refused(clock):
    with_demo = Emulator(clock=clock, services=WITH_DEMO)
    seed = with_demo.seed  # composed with the demo's topics
    with_demo.close()
    with pytest.raises(ValueError, match=r"sections no service of this emulator reads: \['topics'\]"):
        Emulator(clock=clock, seed=seed)
