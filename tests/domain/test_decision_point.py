"""The decision point's decisions, from the seed (docs/behaviour/decision-point.md), on SQLite and PostgreSQL.

Every request is XACML text read by ``xacml.parse_request`` and decided by ``DecisionPoint.decide``; the people,
roles, policies and resources are the default seed's with the decision point's additions
(``services/decision_point/seed.yaml``), and the rights register rules of ``support/decision_point_seed.yaml``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.domain.auth import AuthMode
from altinn_so.domain.ids import with_national_id_check_digits
from altinn_so.emulator import Emulator, Settings
from altinn_so.services.correspondence.rules.model import CorrespondenceRequest
from altinn_so.services.decision_point.xacml import parse_request, response_text
from altinn_so.services.prefill.rules import InstantiateOptions, PrefillFormRequest, PrefillTaskRequest

from support.archived import archived_task
from support.xacml import TEST_SEED, read_response, request

OLA, KARI, PER, LISE, DAGNY = "23917710120", "05838520067", "17856230120", "30819040083", "52888115005"
EKS, BARE, TTD, ETT = "310003018", "310005002", "310001007", "310002003"
NOBODY = with_national_id_check_digits("010190223")  # a well-formed national identity number nobody has


@pytest.fixture
def emulator(clock, database_url) -> Emulator:
    emu = Emulator(Settings(database=database_url, seed_files=(str(TEST_SEED),)), clock=clock)
    yield emu
    emu.close()


def active_task(emulator, reportee: str = OLA) -> int:
    """A form task of 5679:1 instantiated by prefill in ``reportee``'s worklist, not submitted: its element id."""
    now = emulator.clock.now()
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    task = PrefillTaskRequest(
        service_code="5679", service_edition=1, shipment_reference="ship-a", reportee=reportee,
        system_user_code="TTD_PREFILL", valid_from=now - timedelta(minutes=1), valid_to=now + timedelta(days=30),
        senders_reference="sender-a", forms=[PrefillFormRequest("5703", 34301, "<Skjema/>", "form-a")])
    emulator.prefill.submit(caller, "batch-a", task, InstantiateOptions(instantiate=True))
    return max(e.id for e in emulator.reportee_elements.list_elements() if e.reportee == reportee)


def letter(emulator, reportee: str) -> int:
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    emulator.correspondence.insert(caller, CorrespondenceRequest(
        service_code="4255", service_edition=10, reportee=reportee, senders_reference="brev-1",
        system_user_code="TTD_SAK", language="1044", title="Brev", summary="Sammendrag", body="Tekst"))
    return max(c.id for c in emulator.correspondence_store.find_correspondences("TTD", reportee=reportee))


@pytest.fixture
def elements(emulator) -> dict:
    """The elements the table's element rows name, by the name the rows give them."""
    submitted = archived_task(emulator)  # OLA's 5679:1 task, submitted: archived
    found = {"active": active_task(emulator), "submitted": submitted.element_id,
             "archive": submitted.archive_reference}
    found["letter"] = letter(emulator, EKS)
    return found


def decide(emulator, subject, reportee, resource, action, environment="TT02"):
    return read_response(response_text(emulator.decision_point.decide(
        parse_request(request(subject, reportee, resource, action, environment)))))


SERVICE_4255, FORM_5679, REPORT_5680, BROKER_5690 = (("service", "4255", 10), ("service", "5679", 1),
                                                     ("service", "5680", 1), ("service", "5690", 1))
P2, P3, DENY, INDETERMINATE = ("Permit", 2), ("Permit", 3), ("Deny", None), ("Indeterminate", None)

TABLE = [
    # roles, the default table
    ("DAGL reads", OLA, EKS, SERVICE_4255, "Read", P2),
    ("DAGL deletes from the archive", OLA, EKS, FORM_5679, "ArchiveDelete", P2),
    ("DAGL delegates", OLA, EKS, FORM_5679, "Delegate", P2),
    ("REGNA writes", KARI, EKS, FORM_5679, "Write", P2),
    ("REGNA does not delegate", KARI, EKS, FORM_5679, "Delegate", DENY),
    ("REVI signs", PER, EKS, FORM_5679, "Sign", P2),
    ("REVI does not write", PER, EKS, FORM_5679, "Write", DENY),
    ("ADMAI delegates", LISE, EKS, FORM_5679, "Delegate", P2),
    ("ADMAI does not read", LISE, EKS, FORM_5679, "Read", DENY),
    ("UTINN writes for a person", KARI, OLA, FORM_5679, "Write", P2),
    ("UTINN does not delete from the archive", KARI, OLA, FORM_5679, "ArchiveDelete", DENY),
    ("SIGNE signs", DAGNY, BARE, SERVICE_4255, "Sign", P2),
    ("no role for the reportee", DAGNY, EKS, SERVICE_4255, "Read", DENY),
    ("a role for someone else is no role for this reportee", PER, BARE, SERVICE_4255, "Read", DENY),
    ("an organisation with a role", BARE, EKS, SERVICE_4255, "Read", P2),
    # acting for oneself
    ("a person for herself", OLA, OLA, FORM_5679, "Sign", P2),
    ("an organisation for itself", EKS, EKS, SERVICE_4255, "Write", P2),
    ("nobody for himself", NOBODY, NOBODY, SERVICE_4255, "Read", DENY),
    # a service's own policy: level 3, the auditor reads only
    ("the policy's level", PER, EKS, REPORT_5680, "Read", P3),
    ("the policy takes Sign from REVI", PER, EKS, REPORT_5680, "Sign", DENY),
    ("the policy's REGNA signs", KARI, EKS, REPORT_5680, "Sign", P3),
    ("an unknown service", OLA, EKS, ("service", "9999", 1), "Read", DENY),
    ("an unknown edition", OLA, EKS, ("service", "4255", 11), "Read", DENY),
    # the service owner
    ("the owner reads its archive", TTD, EKS, SERVICE_4255, "ServiceOwnerArchiveRead", P2),
    ("another owner does not", ETT, EKS, SERVICE_4255, "ServiceOwnerArchiveRead", DENY),
    ("no role gives ServiceOwnerArchiveRead", OLA, EKS, SERVICE_4255, "ServiceOwnerArchiveRead", DENY),
    # a broker service: the rights register too
    ("SRR Write and DAGL", OLA, EKS, BROKER_5690, "Write", P2),
    ("DAGL without an SRR Read", OLA, EKS, BROKER_5690, "Read", DENY),
    ("an expired SRR right", DAGNY, BARE, BROKER_5690, "Read", DENY),
    ("Delegate is no SRR right", OLA, EKS, BROKER_5690, "Delegate", P2),
    # external resources
    ("a leader writes", OLA, EKS, ("external", "TTDSAKSARKIV"), "Write", P3),
    ("an auditor reads", PER, EKS, ("external", "TTDSAKSARKIV"), "Read", P3),
    ("a role the resource does not list", KARI, EKS, ("external", "TTDSAKSARKIV"), "Read", DENY),
    ("an action the resource does not offer", OLA, EKS, ("external", "TTDSAKSARKIV"), "Sign", DENY),
    ("oneself, at the resource's level", OLA, OLA, ("external", "ETTINNSYN"), "Access", P2),
    ("an accountant's insight", KARI, EKS, ("external", "ETTINNSYN"), "Read", P2),
    ("an unknown resource", OLA, EKS, ("external", "UKJENT"), "Read", DENY),
    # elements
    ("one's own active form task", OLA, OLA, ("element", "active"), "Write", P2),
    ("UTINN signs the task", KARI, OLA, ("element", "active"), "Sign", P2),
    ("no role for the task's reportee", PER, OLA, ("element", "active"), "Read", DENY),
    ("the element is another reportee's", OLA, EKS, ("element", "active"), "Read", DENY),
    ("ArchiveRead before it is archived", OLA, OLA, ("element", "active"), "ArchiveRead", INDETERMINATE),
    ("ArchiveRead of a submitted task", OLA, OLA, ("element", "submitted"), "ArchiveRead", P2),
    ("Write to a submitted task", OLA, OLA, ("element", "submitted"), "Write", DENY),
    ("an unknown element", OLA, OLA, ("element", "999999"), "Read", INDETERMINATE),
    ("a correspondence read by DAGL", OLA, EKS, ("element", "letter"), "Read", P2),
    ("a correspondence is never archived", OLA, EKS, ("element", "letter"), "ArchiveRead", INDETERMINATE),
    ("a correspondence is not written to", OLA, EKS, ("element", "letter"), "Write", DENY),
    ("the archive by its reference", OLA, OLA, ("archived", "archive"), "ArchiveDelete", P2),
    ("the archive by its element id", OLA, OLA, ("archived", "submitted"), "ArchiveRead", P2),
    ("the owner reads the archived task", TTD, OLA, ("archived", "archive"), "ServiceOwnerArchiveRead", P2),
    ("the archived task is another reportee's", OLA, EKS, ("archived", "archive"), "ArchiveRead", DENY),
    ("an archived task is not signed", OLA, OLA, ("archived", "archive"), "Sign", DENY),
    ("an unknown archive reference", OLA, OLA, ("archived", "AR999999"), "ArchiveRead", INDETERMINATE),
]


@pytest.mark.parametrize(("subject", "reportee", "resource", "action", "expected"),
                         [pytest.param(*row[1:], id=row[0]) for row in TABLE])
def test_decisions_from_the_seed(emulator, elements, subject, reportee, resource, action, expected):
    kind, *values = resource
    if kind in ("element", "archived") and values[0] in elements:
        resource = (kind, elements[values[0]])
    answer = decide(emulator, subject, reportee, resource, action)
    assert (answer.decision, answer.authentication_level) == expected
    assert answer.status_code == "urn:oasis:names:tc:xacml:2.0:response:urn:altinn:ok"
    assert bool(answer.status_message) == (answer.decision == "Indeterminate")


def test_a_deleted_role_assignment_takes_effect_at_once(emulator):
    assert decide(emulator, KARI, EKS, FORM_5679, "Write").decision == "Permit"
    with emulator.db.transaction() as conn:
        conn.execute("DELETE FROM role_assignments WHERE covered_by=? AND offered_by=?", (KARI, EKS))
    assert decide(emulator, KARI, EKS, FORM_5679, "Write").decision == "Deny"


def test_an_srr_right_expires_by_the_emulator_clock(emulator):
    assert decide(emulator, DAGNY, BARE, BROKER_5690, "Write").decision == "Deny"  # SIGNE does not write
    assert decide(emulator, BARE, BARE, BROKER_5690, "Write").decision == "Permit"
    emulator.clock.advance(timedelta(days=365 * 80))  # past 2099-12-31
    assert decide(emulator, BARE, BARE, BROKER_5690, "Write").decision == "Deny"


def test_the_environment_does_not_change_the_decision(emulator):
    for environment in ("DEV", "AT6", "YT1", "TT2", "TT02", "PROD"):
        assert decide(emulator, OLA, EKS, SERVICE_4255, "Read", environment).decision == "Permit"
