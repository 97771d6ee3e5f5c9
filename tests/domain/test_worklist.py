"""The end user's side of a form task (docs/behaviour/forms.md; decisions D37-D40): the worklist, changing a
form's XML and its fields, attachments, signing and submitting into the archive, with every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.domain.receipts import ReceiptStatus, Reference
from altinn_so.domain.worklist import NotActive, UnknownAttachment, UnknownElement, WorklistError

from altinn_so.services.prefill.rules import PrefillFormRequest

from .factories import KARI, NOW, OLA, ORG, PER, SELF_REGISTERED
from .test_prefill import SCHEMA_FORM, VALID_REPORT, submit as prefill, task

SUB_FORM = "<Vedlegg><Deltaker>Ola</Deltaker><Deltaker>Kari</Deltaker></Vedlegg>"


def element(emulator, reportee=OLA, **fields):
    """A form task instantiated in ``reportee``'s worklist by PreFill."""
    receipt = prefill(emulator, task(reportee, **fields), instantiate=True)
    element_id = int(next(r.value for r in receipt.references if r.type == "WorkFlowReference"))
    return emulator.worklist.element(element_id)


def report(emulator, reportee=OLA):
    """A task of the service with a schema, shipment metadata and a sub-form."""
    return element(emulator, reportee, form=SCHEMA_FORM, forms=[
        PrefillFormRequest("5704", 34302, VALID_REPORT), PrefillFormRequest("5705", 34303, SUB_FORM)])


def later(emulator, **delta):
    emulator.clock.advance(timedelta(**delta) if delta else timedelta(minutes=5))
    return emulator.clock.now()


# -- the worklist ----------------------------------------------------------------------------------------------

def test_the_worklist_holds_the_reportees_active_visible_tasks(emulator):
    first, second = element(emulator), element(emulator, identity_fields=[("1", "b")])
    element(emulator, KARI)
    element(emulator, valid_from=NOW + timedelta(days=1), identity_fields=[("1", "c")])
    assert [e.id for e in emulator.worklist.worklist(OLA)] == [first.id, second.id]
    emulator.worklist.submit(first.id)
    assert [e.id for e in emulator.worklist.worklist(OLA)] == [second.id]
    assert emulator.worklist.worklist("nobody") == []


def test_an_unknown_element_is_refused_by_every_action(emulator):
    worklist = emulator.worklist
    for action in (lambda: worklist.element(999), lambda: worklist.set_form_xml(999, "5703", "<a/>"),
                   lambda: worklist.set_fields(999, "5703", {"a": "b"}),
                   lambda: worklist.add_attachment(999, "n", "f.txt", b"x"), lambda: worklist.remove_attachment(999, 1),
                   lambda: worklist.sign(999, OLA), lambda: worklist.submit(999)):
        with pytest.raises(UnknownElement, match="999"):
            action()


def _actions(worklist, element_id):
    return (lambda: worklist.set_form_xml(element_id, "5703", "<Skjema/>"),
            lambda: worklist.set_fields(element_id, "5703", {"Skjema/Navn": "x"}),
            lambda: worklist.add_attachment(element_id, "n", "f.txt", b"x"),
            lambda: worklist.remove_attachment(element_id, 1),
            lambda: worklist.sign(element_id, OLA), lambda: worklist.submit(element_id))


def test_an_archived_task_is_refused_by_every_action(emulator):
    task_ = element(emulator)
    archived = emulator.worklist.submit(task_.id)
    for action in _actions(emulator.worklist, task_.id):
        with pytest.raises(NotActive, match=archived.archive_reference):
            action()


def test_a_task_not_visible_yet_is_refused_by_every_action(emulator):
    task_ = element(emulator, valid_from=NOW + timedelta(days=1))
    for action in _actions(emulator.worklist, task_.id):
        with pytest.raises(NotActive, match="not visible"):
            action()
    assert emulator.worklist.element(task_.id) == task_
    later(emulator, days=1)
    emulator.worklist.set_fields(task_.id, "5703", {"Skjema/Navn": "Kari"})  # visible now


# -- replacing a form's XML ----------------------------------------------------------------------------------

def test_set_form_xml_replaces_the_form_and_marks_the_change(emulator):
    task_ = element(emulator)
    now = later(emulator)
    changed = emulator.worklist.set_form_xml(task_.id, "5703", "<Skjema><Navn>Kari</Navn></Skjema>")
    assert changed.forms[0].form_data_xml == "<Skjema><Navn>Kari</Navn></Skjema>" and changed.changed_at == now
    assert emulator.worklist.element(task_.id) == changed


@pytest.mark.parametrize("xml,problem", [("<Skjema>", "well-formed"), ('<Skjema etatid="1"/>', "etatid")])
def test_set_form_xml_refuses_what_no_form_may_hold(emulator, xml, problem):
    task_ = element(emulator)
    with pytest.raises(WorklistError, match=problem):
        emulator.worklist.set_form_xml(task_.id, "5703", xml)
    assert emulator.worklist.element(task_.id) == task_


def test_set_form_xml_keeps_a_schema_invalid_form_until_submit(emulator):
    task_ = report(emulator)
    invalid = VALID_REPORT.replace("310003018", "31")
    emulator.worklist.set_form_xml(task_.id, "5704", invalid)
    assert emulator.worklist.element(task_.id).form("5704").form_data_xml == invalid


def test_set_form_xml_needs_one_of_the_tasks_forms(emulator):
    task_ = element(emulator)
    with pytest.raises(WorklistError, match=r"no form 5704; its forms are \['5703'\]"):
        emulator.worklist.set_form_xml(task_.id, "5704", "<a/>")
    with pytest.raises(WorklistError, match="text"):
        emulator.worklist.set_form_xml(task_.id, "5703", b"<a/>")


# -- changing fields -------------------------------------------------------------------------------------------

def test_set_fields_changes_element_texts_by_path(emulator):
    task_ = report(emulator)
    now = later(emulator)
    changed = emulator.worklist.set_fields(task_.id, "5704", {"Skjema/Rapportor/Navn": "Nytt AS",
                                                              "/Skjema/AntallDeltakere": 13})
    xml = changed.form("5704").form_data_xml
    assert "<Navn>Nytt AS</Navn>" in xml and "<AntallDeltakere>13</AntallDeltakere>" in xml
    assert 'skjemanummer="5704"' in xml and changed.changed_at == now
    sub = emulator.worklist.set_fields(task_.id, "5705", {"Vedlegg/Deltaker[2]": "Per"}).form("5705")
    assert sub.form_data_xml == "<Vedlegg><Deltaker>Ola</Deltaker><Deltaker>Per</Deltaker></Vedlegg>"


def test_set_fields_matches_local_names_in_any_namespace(emulator):
    task_ = element(emulator, xml='<s:Skjema xmlns:s="urn:x"><s:Navn>Ola</s:Navn></s:Skjema>')
    changed = emulator.worklist.set_fields(task_.id, "5703", {"Skjema/Navn": "Kari"})
    assert changed.forms[0].form_data_xml == '<s:Skjema xmlns:s="urn:x"><s:Navn>Kari</s:Navn></s:Skjema>'


@pytest.mark.parametrize("path,message", [
    ("Skjema/Mangler", "matches nothing: the form has no element Skjema/Mangler"),
    ("Navn", "the form's root is Skjema"),
    ("Vedlegg/Deltaker", "ambiguous: the form has 2 elements Vedlegg/Deltaker; say which with an index"),
    ("Vedlegg/Deltaker[3]", "matches nothing: the form has 2 element"),
    ("Vedlegg/Deltaker[0]", "index from 1"),
    ("Vedlegg", "child elements"),
    ("", "empty path"),
    ("Vedlegg/@id", "not an element's local name"),
])
def test_set_fields_says_which_path_fails_and_changes_nothing(emulator, path, message):
    task_ = report(emulator)
    form, good = ("5704", "Skjema/Periode") if path in ("Skjema/Mangler", "Navn") else ("5705", "Vedlegg/Deltaker[1]")
    with pytest.raises(WorklistError, match=message.replace("[", r"\[")):
        emulator.worklist.set_fields(task_.id, form, {good: "2026-03", path: "x"})
    assert emulator.worklist.element(task_.id) == task_


@pytest.mark.parametrize("fields", [{}, {"Skjema/Navn": None}, {"Skjema/Navn": True}, {"Skjema/Navn": ["x"]},
                                    {"Skjema/Navn": "\x00"}])
def test_set_fields_needs_texts(emulator, fields):
    task_ = element(emulator)
    with pytest.raises(WorklistError):
        emulator.worklist.set_fields(task_.id, "5703", fields)
    assert emulator.worklist.element(task_.id) == task_


# -- attachments -------------------------------------------------------------------------------------------

def test_add_attachment_stores_its_bytes_apart(emulator):
    task_ = element(emulator)
    now = later(emulator)
    attachment = emulator.worklist.add_attachment(task_.id, "Budsjett", "budsjett.pdf", b"%PDF-1.4",
                                                  "application/pdf")
    assert (attachment.name, attachment.file_name, attachment.attachment_type, attachment.size,
            attachment.added_at, attachment.added_by) == ("Budsjett", "budsjett.pdf", "application/pdf", 8, now,
                                                          "end user")
    stored = emulator.worklist.element(task_.id)
    assert stored.attachments == (attachment,) and stored.changed_at == now
    assert emulator.worklist.attachment_data(task_.id, attachment.id) == (attachment, b"%PDF-1.4")
    other = emulator.worklist.add_attachment(task_.id, "Notat", "notat.txt", b"hei")
    assert other.attachment_type == "application/octet-stream" and other.id != attachment.id
    typed = emulator.worklist.add_attachment(task_.id, "Tekst", "t.txt", b"hei", "text/plain; charset=utf-8")
    assert typed.attachment_type == "text/plain; charset=utf-8"


@pytest.mark.parametrize("name,file_name,data,message", [
    ("", "a.txt", b"x", "name"), ("Navn", " ", b"x", "file_name"), ("Navn", "a.txt", b"", "empty"),
    ("Navn", "a.txt", "text", "content"), ("Navn", "a.txt", b"x", "MIME type")])
def test_an_attachment_needs_a_name_a_file_name_and_content(emulator, name, file_name, data, message):
    task_ = element(emulator)
    kind = "text/plain\r\nX-Injected: 1" if message == "MIME type" else None
    with pytest.raises(WorklistError, match=message):
        emulator.worklist.add_attachment(task_.id, name, file_name, data, kind)
    assert emulator.worklist.element(task_.id).attachments == ()


def test_remove_attachment(emulator):
    task_ = element(emulator)
    kept = emulator.worklist.add_attachment(task_.id, "A", "a.txt", b"a")
    gone = emulator.worklist.add_attachment(task_.id, "B", "b.txt", b"b")
    assert emulator.worklist.remove_attachment(task_.id, gone.id).attachments == (kept,)
    with pytest.raises(UnknownAttachment, match=f"no attachment {gone.id}"):
        emulator.worklist.remove_attachment(task_.id, gone.id)
    with pytest.raises(UnknownAttachment):
        emulator.worklist.attachment_data(task_.id, gone.id)
    with pytest.raises(UnknownAttachment):  # another element's attachment is not this one's
        emulator.worklist.attachment_data(element(emulator, KARI).id, kept.id)


# -- signing ---------------------------------------------------------------------------------------------------

def test_a_person_signs_at_the_level_of_the_login(emulator):
    task_ = element(emulator, ORG)
    now = later(emulator)
    signed = emulator.worklist.sign(task_.id, OLA)
    signed = emulator.worklist.sign(task_.id, KARI, 4)
    assert [(s.signer, s.security_level, s.signed_at) for s in signed.signatures] == [(OLA, 2, now), (KARI, 4, now)]
    assert signed.signatures[1].security_level_name == "verySensitive"
    with pytest.raises(WorklistError, match="signed .* already"):
        emulator.worklist.sign(task_.id, OLA)


def test_a_self_registered_user_signs_at_level_0_only(emulator):
    task_ = element(emulator, SELF_REGISTERED)
    with pytest.raises(WorklistError, match="level 0 only"):
        emulator.worklist.sign(task_.id, SELF_REGISTERED, 2)
    signed = emulator.worklist.sign(task_.id, SELF_REGISTERED)
    assert signed.signatures[0].security_level_name == "selfIdentifiedUser"


@pytest.mark.parametrize("signer,level,message", [
    (ORG, None, "no person or self-registered user"), ("nobody", None, "no person"),
    ("12345678901", None, "no person"), ("", None, "say who signs"), (OLA, 0, "1 to 4"), (OLA, 5, "1 to 4"),
    (OLA, "2", "whole number"), (OLA, True, "whole number")])
def test_who_may_sign_and_at_which_level(emulator, signer, level, message):
    task_ = element(emulator)
    with pytest.raises(WorklistError, match=message):
        emulator.worklist.sign(task_.id, signer, level)
    assert emulator.worklist.element(task_.id) == task_


def test_signing_checks_the_forms_against_their_schema(emulator):
    task_ = report(emulator)
    emulator.worklist.set_form_xml(task_.id, "5704", VALID_REPORT.replace("310003018", "31"))
    with pytest.raises(WorklistError, match="form 5704 is not valid against its schema"):
        emulator.worklist.sign(task_.id, OLA)
    assert emulator.worklist.element(task_.id).signatures == ()


def test_a_change_after_signing_drops_the_signatures(emulator):
    task_ = element(emulator)
    for change in (lambda: emulator.worklist.set_fields(task_.id, "5703", {"Skjema/Navn": "Kari"}),
                   lambda: emulator.worklist.set_form_xml(task_.id, "5703", "<Skjema/>"),
                   lambda: emulator.worklist.add_attachment(task_.id, "A", "a.txt", b"a")):
        assert emulator.worklist.sign(task_.id, KARI).signatures
        change()
        assert emulator.worklist.element(task_.id).signatures == ()


# -- submitting --------------------------------------------------------------------------------------------------

def test_submit_archives_the_task_with_a_form_task_receipt(emulator):
    task_ = report(emulator)
    attachment = emulator.worklist.add_attachment(task_.id, "Budsjett", "b.pdf", b"%PDF", "application/pdf")
    now = later(emulator)
    archived = emulator.worklist.submit(task_.id, metadata={"Saksnummer": "2026/17"})
    assert archived.archive_reference.startswith("AR") and archived.archive_reference[2:].isdigit()
    assert (archived.element_id, archived.owner, archived.service_code, archived.reportee, archived.reportee_type,
            archived.archived_at) == (task_.id, "TTD", "5680", OLA, "Person", now)
    main, sub = archived.forms
    assert (main.data_format_id, main.name, main.parent_reference) == ("5704", "Rapport om testaktivitet", None)
    assert (sub.data_format_id, sub.parent_reference) == ("5705", main.reference) and sub.reference != main.reference
    assert archived.attachments == (attachment,)
    assert emulator.reportee_elements.attachment_data(attachment.id) == b"%PDF"
    assert archived.shipment_metadata == (("Saksnummer", "2026/17"), ("Periode", "2026-02"))
    assert emulator.archive.get_archived(archived.archive_reference) == archived
    stored = emulator.worklist.element(task_.id)
    assert (stored.status, stored.archive_reference, stored.archived_at) == ("archived", archived.archive_reference,
                                                                             now)
    receipt = emulator.receipt_store.get_receipt(archived.receipt_id)
    assert receipt.type == "FormTask" and receipt.status == ReceiptStatus.OK
    assert set(receipt.references) == {Reference("ArchiveReference", archived.archive_reference),
                                       Reference("WorkFlowReference", str(task_.id)),
                                       Reference("OwnerPartyReference", "310001007")}


def test_each_submission_gets_a_new_archive_reference(emulator):
    first = emulator.worklist.submit(element(emulator).id)
    second = emulator.worklist.submit(element(emulator, KARI).id)
    assert first.archive_reference != second.archive_reference
    assert [t.archive_reference for t in emulator.archive.list_archived()] == [first.archive_reference,
                                                                               second.archive_reference]


def test_a_person_reportee_signs_its_own_task_when_nobody_did(emulator):
    archived = emulator.worklist.submit(element(emulator).id, security_level=3)
    assert [(a.signer, a.security_level_name) for a in archived.approvers] == [(OLA, "sensitive")]


def test_approvers_are_the_signers_and_the_submitter_once_each(emulator):
    task_ = element(emulator, ORG)
    emulator.worklist.sign(task_.id, OLA, 4)
    archived = emulator.worklist.submit(task_.id, submitter=KARI)
    assert [(a.signer, a.security_level) for a in archived.approvers] == [(OLA, 4), (KARI, 2)]
    again = element(emulator, ORG, identity_fields=[("1", "x")])
    emulator.worklist.sign(again.id, OLA)
    assert [a.signer for a in emulator.worklist.submit(again.id, submitter=OLA).approvers] == [OLA]


def test_an_organisations_task_needs_a_submitter_or_a_signature(emulator):
    task_ = element(emulator, ORG)
    with pytest.raises(WorklistError, match="say which person submits it"):
        emulator.worklist.submit(task_.id)
    with pytest.raises(WorklistError, match="no person"):
        emulator.worklist.submit(task_.id, submitter=ORG)
    assert emulator.worklist.element(task_.id).status == "active" and emulator.archive.list_archived() == []
    archived = emulator.worklist.submit(task_.id, submitter=PER, security_level=1)
    assert archived.reportee_type == "Organisation" and archived.approvers[0].security_level_name == "notSensitive"


def test_metadata_comes_from_the_main_form_unless_given(emulator):
    archived = emulator.worklist.submit(report(emulator).id)
    assert archived.shipment_metadata == (("Saksnummer", ""), ("Periode", "2026-02"))
    plain = emulator.worklist.submit(element(emulator).id, metadata={})
    assert plain.shipment_metadata == ()  # 5679 declares no metadata


def test_an_unknown_metadata_key_is_refused(emulator):
    task_ = report(emulator)
    with pytest.raises(WorklistError, match=r"no shipment metadata \['Sak'\]"):
        emulator.worklist.submit(task_.id, metadata={"Sak": "1"})
    assert emulator.worklist.element(task_.id).status == "active"


def test_a_schema_invalid_form_is_refused_and_nothing_changes(emulator):
    task_ = report(emulator)
    emulator.worklist.set_fields(task_.id, "5704", {"Skjema/Periode": "februar"})
    before = emulator.worklist.element(task_.id)
    with pytest.raises(WorklistError, match="form 5704 is not valid against its schema"):
        emulator.worklist.submit(task_.id)
    assert emulator.worklist.element(task_.id) == before
    assert emulator.archive.list_archived() == [] and emulator.receipt_store.get_receipt(999) is None
    assert [r.type for r in emulator.receipt_store.list_receipts()] == ["PreFill"]


def test_submitting_twice_is_refused(emulator):
    task_ = element(emulator)
    archived = emulator.worklist.submit(task_.id)
    with pytest.raises(NotActive, match=f"archived as {archived.archive_reference}"):
        emulator.worklist.submit(task_.id)
    assert len(emulator.archive.list_archived()) == 1


@pytest.mark.parametrize("level", [0, 5, -1])
def test_a_submitters_level_is_checked(emulator, level):
    with pytest.raises(WorklistError, match="1 to 4"):
        emulator.worklist.submit(element(emulator).id, security_level=level)


def test_a_snapshot_keeps_attachment_bytes_and_the_archive(emulator):
    task_ = element(emulator)
    attachment = emulator.worklist.add_attachment(task_.id, "A", "a.bin", bytes(range(256)))
    snapshot = emulator.snapshot("before submit")
    archived = emulator.worklist.submit(task_.id)
    emulator.worklist.submit(element(emulator, KARI).id)
    after = emulator.snapshot("after")
    emulator.reset()
    assert emulator.reportee_elements.attachment_data(attachment.id) is None
    assert emulator.restore(snapshot)
    assert emulator.worklist.element(task_.id).status == "active" and emulator.archive.list_archived() == []
    assert emulator.worklist.attachment_data(task_.id, attachment.id)[1] == bytes(range(256))
    assert emulator.restore(after)
    assert [t.archive_reference for t in emulator.archive.list_archived()][0] == archived.archive_reference
    assert emulator.reportee_elements.attachment_data(attachment.id) == bytes(range(256))


def test_each_listener_gets_the_archived_task_and_a_failing_one_undoes_the_submission(emulator):
    from altinn_so.domain.worklist import WorklistService

    heard = []

    def worklist_with(listener) -> WorklistService:
        worklist = emulator.worklist
        return WorklistService(worklist.elements, worklist.archive, worklist.receipts, worklist.registry,
                               worklist.catalog, worklist.clock, emulator.db.transaction, worklist._form_xml,
                               lambda: [listener])

    def fail(task):
        raise RuntimeError("the download queue is down")

    task_ = element(emulator)
    with pytest.raises(RuntimeError):
        worklist_with(fail).submit(task_.id)
    assert emulator.worklist.element(task_.id) == task_ and emulator.archive.list_archived() == []
    assert [r.type for r in emulator.receipt_store.list_receipts()] == ["PreFill"]
    archived = worklist_with(heard.append).submit(task_.id)
    assert heard == [archived]


def test_fields_of_a_form_that_is_not_xml_are_refused_not_a_crash(emulator):
    from dataclasses import replace

    task_ = element(emulator)
    broken = replace(task_, forms=(replace(task_.forms[0], form_data_xml="<Skjema>"),))
    emulator.reportee_elements.put_element(broken)  # as a store written before the checks might hold it
    with pytest.raises(WorklistError, match="not well-formed"):
        emulator.worklist.set_fields(task_.id, "5703", {"Skjema/Navn": "x"})
