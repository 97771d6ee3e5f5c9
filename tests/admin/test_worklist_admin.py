"""The end user's actions in the admin API (docs/behaviour/forms.md; D37-D41), over real HTTP: the worklist, a
form task's forms, fields, attachments, signing and submitting, the archive, and each error's status."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from altinn_so.domain.auth import AuthMode
from altinn_so.services.prefill.rules import InstantiateOptions, PrefillFormRequest, PrefillTaskRequest

from .helpers import KARI, OLA, prefill
from .test_admin_page import page

REPORT = ('<Skjema skjemanummer="5704"><Rapportor><Organisasjonsnummer>310003018</Organisasjonsnummer>'
          '<Navn>Eksempel AS</Navn></Rapportor><Periode>2026-02</Periode>'
          '<AntallDeltakere>12</AntallDeltakere></Skjema>')
ORG = "310003018"


def task_id(emulator) -> int:
    """A form task of 5679 (one plain form 5703, ``<Skjema/>``) in Ola's worklist."""
    receipt = prefill(emulator)
    return int(next(r.value for r in receipt.references if r.type == "WorkFlowReference"))


def report_id(emulator, reportee=ORG, *, visible_in: timedelta = timedelta(0)) -> int:
    """A form task of 5680 (a main form with a schema and a sub-form, shipment metadata)."""
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    now = emulator.clock.now() + visible_in
    request = PrefillTaskRequest(service_code="5680", service_edition=1, shipment_reference="ship-R",
                                 reportee=reportee, system_user_code="TTD_PREFILL", valid_from=now,
                                 valid_to=now + timedelta(days=9),
                                 forms=[PrefillFormRequest("5704", 34302, REPORT),
                                        PrefillFormRequest("5705", 34303, "<Vedlegg><Deltaker/></Vedlegg>")])
    receipt = emulator.prefill.submit(caller, "batch-R", request, InstantiateOptions(save=True, instantiate=True))
    return int(next(r.value for r in receipt.references if r.type == "WorkFlowReference"))


# -- reading -----------------------------------------------------------------------------------------------------

def test_the_worklist_and_an_element(admin, emulator):
    element_id = task_id(emulator)
    worklist = admin.get(f"/worklist/{OLA}")
    assert worklist["reportee"] == OLA and [e["id"] for e in worklist["elements"]] == [element_id]
    element = admin.get(f"/elements/{element_id}")
    assert (element["status"], element["service_code"], element["forms"][0]["form_data_xml"]) == (
        "active", "5679", "<Skjema/>")
    assert admin.get(f"/worklist/{KARI}") == {"reportee": KARI, "elements": []}
    assert "no worklist element 999" in admin.error("GET", "/elements/999", 404)


def test_a_task_not_visible_yet_is_not_in_the_worklist_and_cannot_be_changed(admin, emulator):
    element_id = report_id(emulator, OLA, visible_in=timedelta(days=2))
    assert admin.get(f"/worklist/{OLA}")["elements"] == []
    assert "not visible before" in admin.error("POST", f"/elements/{element_id}/sign", 409, json={"signer": OLA})


# -- forms ---------------------------------------------------------------------------------------------------

def test_put_replaces_a_forms_xml(admin, emulator):
    element_id = task_id(emulator)
    element = admin.put(f"/elements/{element_id}/forms/5703", data="<Skjema><Navn>Åse</Navn></Skjema>".encode())
    assert element["forms"][0]["form_data_xml"] == "<Skjema><Navn>Åse</Navn></Skjema>"
    assert element["changed_at"] == emulator.clock.now().isoformat()


@pytest.mark.parametrize("body,message", [(b"<Skjema>", "not well-formed"), (b'<a etatid="1"/>', "etatid"),
                                          (b"\xff<a/>", "UTF-8")])
def test_put_refuses_xml_no_form_may_hold(admin, emulator, body, message):
    element_id = task_id(emulator)
    assert message in admin.error("PUT", f"/elements/{element_id}/forms/5703", 400, data=body)
    assert admin.error("PUT", f"/elements/{element_id}/forms/9999", 400, data=b"<a/>").startswith(
        f"worklist element {element_id} has no form 9999")
    assert admin.get(f"/elements/{element_id}")["forms"][0]["form_data_xml"] == "<Skjema/>"


def test_patch_changes_fields_by_path(admin, emulator):
    element_id = report_id(emulator)
    element = admin.json("PATCH", f"/elements/{element_id}/forms/5704",
                         json={"fields": {"Skjema/Rapportor/Navn": "Nytt AS", "Skjema/AntallDeltakere": 3}})
    xml = element["forms"][0]["form_data_xml"]
    assert "<Navn>Nytt AS</Navn>" in xml and "<AntallDeltakere>3</AntallDeltakere>" in xml


@pytest.mark.parametrize("body,message", [
    ({"fields": {"Skjema/Ingen": "x"}}, "matches nothing: the form has no element Skjema/Ingen"),
    ({"fields": {"Skjema/Rapportor": "x"}}, "child elements"),
    ({"fields": {}}, "give the fields"),
    ({"fields": ["Skjema/Navn"]}, "give the fields"),
    ({"field": {}}, "not ['field']"),
])
def test_patch_says_what_is_wrong(admin, emulator, body, message):
    element_id = report_id(emulator)
    assert message in admin.error("PATCH", f"/elements/{element_id}/forms/5704", 400, json=body)
    assert admin.get(f"/elements/{element_id}")["forms"][0]["form_data_xml"] == REPORT


# -- attachments -----------------------------------------------------------------------------------------------

def test_an_attachment_is_added_read_as_bytes_and_removed(admin, emulator):
    element_id = task_id(emulator)
    content = bytes(range(256))
    added = admin.post(f"/elements/{element_id}/attachments", 201, json={
        "name": "Budsjett", "file_name": "budsjett 2026.pdf", "attachment_type": "application/pdf",
        "data": base64.b64encode(content).decode()})
    assert (added["name"], added["size"], added["attachment_type"]) == ("Budsjett", 256, "application/pdf")
    response = admin.call("GET", f"/elements/{element_id}/attachments/{added['id']}", expect=200)
    assert response.content == content and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="budsjett 2026.pdf"'
    assert admin.get(f"/elements/{element_id}")["attachments"] == [added]
    element = admin.delete(f"/elements/{element_id}/attachments/{added['id']}")
    assert element["attachments"] == []
    assert f"no attachment {added['id']}" in admin.error("GET", f"/elements/{element_id}/attachments/{added['id']}",
                                                         404)


def test_a_file_name_beyond_ascii_is_given_in_utf_8(admin, emulator):
    element_id = task_id(emulator)
    added = admin.post(f"/elements/{element_id}/attachments", 201,
                       json={"name": "Søknad", "file_name": "søknad.txt", "data": "aGVp"})
    response = admin.call("GET", f"/elements/{element_id}/attachments/{added['id']}", expect=200)
    assert response.headers["Content-Disposition"] == "attachment; filename*=UTF-8''s%C3%B8knad.txt"
    assert response.headers["Content-Type"] == "application/octet-stream" and response.content == b"hei"


@pytest.mark.parametrize("body,message", [
    ({"name": "A", "file_name": "a.txt", "data": "not base64!"}, "not valid base64"),
    ({"name": "A", "file_name": "a.txt"}, "base64"),
    ({"name": "A", "file_name": "a.txt", "data": ""}, "empty file"),
    ({"file_name": "a.txt", "data": "aGVp"}, "needs a name"),
    ({"name": "A", "file_name": "a.txt", "data": "aGVp", "attachment_type": "text/plain\r\nX: 1"}, "MIME type"),
    ({"name": "A", "file_name": "a.txt", "data": "aGVp", "size": 3}, "not ['size']"),
])
def test_a_bad_attachment_is_refused(admin, emulator, body, message):
    element_id = task_id(emulator)
    assert message in admin.error("POST", f"/elements/{element_id}/attachments", 400, json=body)
    assert admin.get(f"/elements/{element_id}")["attachments"] == []


# -- signing and submitting ------------------------------------------------------------------------------------

def test_sign_then_submit_archives_the_task(admin, emulator):
    element_id = report_id(emulator)
    signed = admin.post(f"/elements/{element_id}/sign", json={"signer": OLA, "security_level": 3})
    assert [(s["signer"], s["security_level"]) for s in signed["signatures"]] == [(OLA, 3)]
    archived = admin.post(f"/elements/{element_id}/submit", json={"submitter": KARI,
                                                                   "metadata": {"Saksnummer": "17"}})
    reference = archived["archive_reference"]
    assert reference.startswith("AR") and archived["element_id"] == element_id
    assert [a["signer"] for a in archived["approvers"]] == [OLA, KARI]
    assert archived["shipment_metadata"] == [["Saksnummer", "17"], ["Periode", "2026-02"]]
    assert [f["parent_reference"] for f in archived["forms"]] == [None, archived["forms"][0]["reference"]]
    assert admin.get(f"/elements/{element_id}")["archive_reference"] == reference
    found = admin.get(f"/archive/{reference}")
    assert found == {**archived, "shipment_log": []}
    assert [t["archive_reference"] for t in admin.get("/archive")["archive"]] == [reference]
    assert admin.get("/archive", params={"reportee": KARI}) == {"archive": []}
    assert [t["archive_reference"] for t in admin.state("archived-form-tasks")] == [reference]
    assert f"archived as {reference}" in admin.error("POST", f"/elements/{element_id}/submit", 409)
    assert f"archived as {reference}" in admin.error("PATCH", f"/elements/{element_id}/forms/5704", 409,
                                                     json={"fields": {"Skjema/Periode": "2026-03"}})
    receipt = emulator.receipt_store.get_receipt(archived["receipt_id"])
    assert receipt.type == "FormTask"


def test_a_person_submits_without_a_body(admin, emulator):
    archived = admin.post(f"/elements/{task_id(emulator)}/submit")
    assert [(a["signer"], a["security_level"]) for a in archived["approvers"]] == [(OLA, 2)]
    again = admin.post(f"/elements/{task_id(emulator)}/submit", json={"submitter": None, "security_level": None})
    assert again["approvers"][0]["security_level"] == 2


def test_the_archive_is_filtered_by_reportee_and_cut_to_the_newest(admin, emulator):
    first = admin.post(f"/elements/{task_id(emulator)}/submit")["archive_reference"]
    second = admin.post(f"/elements/{report_id(emulator)}/submit", json={"submitter": KARI})["archive_reference"]
    third = admin.post(f"/elements/{task_id(emulator)}/submit")["archive_reference"]

    def listed(**params):
        return [t["archive_reference"] for t in admin.get("/archive", params=params)["archive"]]

    assert listed() == [first, second, third] and listed(limit=1) == [third]
    assert listed(reportee=OLA) == [first, third] and listed(reportee=OLA, limit=1) == [third]
    assert listed(reportee=ORG) == [second]
    assert "limit" in admin.error("GET", "/archive", 400, params={"limit": "0"})


@pytest.mark.parametrize("body,message", [
    ({}, "say which person submits it"),
    ({"submitter": ORG}, "no person or self-registered user"),
    ({"submitter": OLA, "security_level": 9}, "1 to 4"),
    ({"submitter": OLA, "security_level": "2"}, "whole number"),
    ({"submitter": 7}, "national identity number"),
    ({"submitter": OLA, "metadata": {"Ukjent": "1"}}, "no shipment metadata ['Ukjent']"),
    ({"submitter": OLA, "metadata": {"Saksnummer": 1}}, "metadata is"),
    ({"submitter": OLA, "approver": OLA}, "not ['approver']"),
])
def test_a_refused_submission_changes_nothing(admin, emulator, body, message):
    element_id = report_id(emulator)
    assert message in admin.error("POST", f"/elements/{element_id}/submit", 400, json=body)
    assert admin.get(f"/elements/{element_id}")["status"] == "active" and admin.get("/archive") == {"archive": []}


def test_a_schema_invalid_form_is_refused_on_submit(admin, emulator):
    element_id = report_id(emulator)
    admin.json("PATCH", f"/elements/{element_id}/forms/5704", json={"fields": {"Skjema/Periode": "februar"}})
    message = admin.error("POST", f"/elements/{element_id}/submit", 400, json={"submitter": OLA})
    assert "form 5704 is not valid against its schema" in message and "Periode" in message
    assert "is not valid" in admin.error("POST", f"/elements/{element_id}/sign", 400, json={"signer": OLA})


@pytest.mark.parametrize("body,message", [({}, "say who signs"), ({"signer": ORG}, "no person"),
                                          ({"signer": OLA, "security_level": 0}, "1 to 4"),
                                          ({"signer": OLA, "level": 2}, "not ['level']")])
def test_a_bad_signature_is_refused(admin, emulator, body, message):
    element_id = task_id(emulator)
    assert message in admin.error("POST", f"/elements/{element_id}/sign", 400, json=body)


@pytest.mark.parametrize("method,path", [("GET", "/elements/999"), ("PUT", "/elements/999/forms/5703"),
                                         ("PATCH", "/elements/999/forms/5703"), ("POST", "/elements/999/sign"),
                                         ("POST", "/elements/999/submit"), ("POST", "/elements/999/attachments"),
                                         ("GET", "/elements/999/attachments/1"),
                                         ("DELETE", "/elements/999/attachments/1"),
                                         ("GET", "/archive/AR999")])
def test_what_does_not_exist_is_404(admin, method, path):
    body = {"json": {"fields": {"a": "b"}}} if method == "PATCH" else \
        {"json": {"name": "a", "file_name": "a", "data": "aGVp"}} if path.endswith("attachments") else \
        {"data": b"<a/>"} if method == "PUT" else {"json": {"signer": OLA}} if path.endswith("sign") else {}
    assert "999" in admin.error(method, path, 404, **body)


# -- listings --------------------------------------------------------------------------------------------------

def test_the_page_lists_worklist_elements_and_the_archive(admin, emulator):
    element_id = task_id(emulator)
    reference = admin.post(f"/elements/{element_id}/submit")["archive_reference"]
    document = page(admin)
    archive = document.get_element_by_id("archived-form-tasks").text_content()
    assert reference in archive and f"{OLA} (Person)" in archive and "lessSensitive" in archive
    elements = document.get_element_by_id("reportee-elements").text_content()
    assert "archived" in elements and reference in elements


# -- the pytest plugin's client ------------------------------------------------------------------------------

def test_the_plugins_client_acts_as_the_end_user(base_url, emulator):
    from altinn_so.pytest_plugin import AdminClient, AdminError

    client = AdminClient(base_url)
    element_id = report_id(emulator)
    assert client.worklist(ORG)[0]["id"] == element_id and client.worklist(KARI) == []
    assert client.element(element_id)["forms"][0]["form_data_xml"] == REPORT
    changed = client.set_fields(element_id, "5704", {"Skjema/AntallDeltakere": 20})
    assert "<AntallDeltakere>20</AntallDeltakere>" in changed["forms"][0]["form_data_xml"]
    changed = client.set_form(element_id, "5705", "<Vedlegg><Deltaker>Åse</Deltaker></Vedlegg>")
    assert changed["forms"][1]["form_data_xml"] == "<Vedlegg><Deltaker>Åse</Deltaker></Vedlegg>"
    attachment = client.add_attachment(element_id, "Liste", "liste.csv", "navn\nÅse\n".encode(), "text/csv")
    assert client.attachment(element_id, attachment["id"]) == b"navn\n\xc3\x85se\n"
    assert client.sign(element_id, OLA)["signatures"][0]["security_level"] == 2
    archived = client.submit(element_id, metadata={"Saksnummer": "9"})
    assert archived["shipment_metadata"][0] == ["Saksnummer", "9"]
    assert [a["signer"] for a in archived["approvers"]] == [OLA]
    found = client.archived(archived["archive_reference"])
    assert found["attachments"] == [attachment] and found["shipment_log"] == []
    with pytest.raises(AdminError) as refused:
        client.submit(element_id)
    assert refused.value.status == 409 and "archived as AR" in str(refused.value)
    with pytest.raises(AdminError) as unknown:
        client.set_fields(element_id + 1000, "5704", {"Skjema/Periode": "2026-03"})
    assert unknown.value.status == 404
