"""``altinn-so seed example``: what it prints is a seed file the emulator loads, with numbers that pass their
checks, fresh on every run; and the entities it declares work in a call."""

from __future__ import annotations

import re
import subprocess
import sys

from altinn_so.domain.ids import is_organisation_number, parse_national_id
from altinn_so.seeding import compose_seed, load_seed_file
from altinn_so.services import SERVICES


def _printed() -> str:
    run = subprocess.run([sys.executable, "-m", "altinn_so", "seed", "example"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_the_example_loads_as_a_seed_file_alone_and_on_the_default(tmp_path):
    path = tmp_path / "example.yaml"
    path.write_text(_printed(), encoding="utf-8")
    alone = load_seed_file(path, services=SERVICES)
    assert [owner.code for owner in alone.owners.values()] == ["XMP"]
    assert len(alone.persons) == 3 and len(alone.organisations) == 2
    both = compose_seed([path], services=SERVICES)
    assert {"TTD", "XMP"} <= set(both.owners)


def test_its_numbers_are_valid_synthetic_and_fresh():
    first, second = _printed(), _printed()
    ssns = re.findall(r'ssn: "(\d+)"', first)
    orgnos = re.findall(r'orgno: "(\d+)"', first)
    assert len(ssns) == 3 and len(orgnos) == 3
    for ssn in ssns:
        parsed = parse_national_id(ssn)
        assert parsed is not None and parsed.synthetic, ssn
    assert all(is_organisation_number(orgno) for orgno in orgnos), orgnos
    assert set(re.findall(r'ssn: "(\d+)"', second)) != set(ssns)  # drawn again


def test_the_example_owner_sends_a_notification_to_the_example_person(altinn_so):
    text = _printed()
    ola = re.search(r'ssn: "(\d+)"', text).group(1)
    altinn_so.admin.load_seed(text)
    service = altinn_so.client("notification", "basic").service
    service.SendStandaloneNotificationBasicV3(
        systemUserName="xmp-system", systemPassword="xmp-password",
        standaloneNotifications={"StandaloneNotification": [{
            "ReporteeNumber": ola, "LanguageID": 1044, "NotificationType": "XmpVarsel",
            "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "Email"}]},
            "TextTokens": {"TextToken": [{"TokenValue": "Emne"}, {"TokenValue": "Tekst"}]}}]})
    first, reminder = altinn_so.admin.outbox(channel="Email")  # the template's reminder_days: 7
    assert (first["is_reminder"], reminder["is_reminder"]) == (False, True)
    message = first
    assert message["address"] == "ola.eksempel@example.no"
    assert "Hei Ola Eksempel. Tekst" in message["body"]
