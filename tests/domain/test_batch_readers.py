"""The inbound batch readers (docs/behaviour/batch.md): correspondence batches through InsertCorrespondence's rules,
prefill and subscription batches through theirs, one item per entity with its line and position, an issue per
problem, and files refused whole (schema error, skipped SequenceNo, not XML, wrong root, DTD) with nothing
created. The emulator's own validation is checked against Altinn's real schemas where they are available."""

from __future__ import annotations

import pytest
from lxml import etree

from altinn_so.domain.errors import ErrorCode
from altinn_so.services.batch.inbound_shapes import (CORRESPONDENCE_NS, CORRESPONDENCES, SERVICE_INITIATION_NS,
                                                     SERVICE_OWNER, schema_of)
from altinn_so.services.batch.rules import (BATCH_NOT_RECOGNISED, BATCH_SCHEMA_ERROR, BATCH_SEQUENCE_ERROR, CRITICAL,
                                            ITEM_FAILED, ITEM_OK, PROCESSED, REFUSED, WARNING)
from support.contracts import require_batch_schema

from support.batchfiles import (OLA, ORG, correspondence, correspondences, deliver, prefill_task, reportee, service_owner,
                         subscription_task)


def created(emulator) -> int:
    return len(emulator.correspondence_store.list_correspondences())


def only_issue(emulator, batch):
    issues = emulator.batch_store.issues_of(batch.id)
    assert len(issues) == 1, issues
    return issues[0]


# -- correspondence batches -------------------------------------------------------------------------------------

def test_a_thousand_correspondences_are_all_created_each_with_its_receipt_and_notification(emulator):
    batch = deliver(emulator, correspondences(*(correspondence(n) for n in range(1000)), sequence=None))

    assert batch.state == PROCESSED and batch.kind == "Correspondence" and batch.issues == 0
    assert batch.items == 1000 and batch.shipment_id == 4711 and batch.system_user_code == "TTD_BATCH"
    assert created(emulator) == 1000
    stored = emulator.correspondence_store.list_correspondences()
    assert sorted(c.senders_reference for c in stored) == sorted(f"ref-{n}" for n in range(1000))
    receipts = {r.id: r for r in emulator.receipt_store.list_receipts()}
    assert all(receipts[c.receipt_id].status.value == "OK" for c in stored)
    messages = emulator.outbox.list_messages()
    assert sorted(m.address for m in messages) == sorted(f"post{n}@example.no" for n in range(1000))
    assert {m.origin for m in messages} == {c.origin for c in stored}
    items = emulator.batch_store.items_of(batch.id)
    assert [i.position for i in items] == list(range(1, 1001))
    assert all(i.state == ITEM_OK and i.result.startswith("receipt ") for i in items)
    assert items[0].service_code == "5678" and items[0].service_edition == 1


def test_two_broken_items_get_issues_with_their_lines_and_the_rest_are_created(emulator):
    items = [correspondence(n) for n in range(10)]
    items[3] = correspondence(3, language="9999")  # invalid LanguageCode
    items[7] = correspondence(7, service="9100")  # ETT's service: 5 (not owned)
    content = correspondences(*items)
    batch = deliver(emulator, content)

    assert batch.state == PROCESSED and batch.issues == 2 and created(emulator) == 8
    logged = emulator.batch_store.items_of(batch.id)
    issues = emulator.batch_store.issues_of(batch.id)
    failed = {i.id: i for i in logged if i.state == ITEM_FAILED}
    assert sorted(i.position for i in failed.values()) == [4, 8]
    lines = content.decode().splitlines()
    for item in failed.values():
        assert lines[item.line - 1].strip() == "<Correspondence>"
        assert f"<SendersReference>ref-{item.position - 1}</SendersReference>" in item.data
    codes = {failed[i.item_id].position: i.code for i in issues}
    assert codes == {4: ErrorCode.INVALID_LANGUAGE_CODE, 8: ErrorCode.NOT_AUTHORIZED}
    assert all(i.level == "Error" and i.description for i in issues)


def test_a_skipped_sequence_number_refuses_the_whole_batch(emulator):
    assert deliver(emulator, correspondences(correspondence(1), sequence=5)).state == PROCESSED
    assert deliver(emulator, correspondences(correspondence(2), sequence=6)).state == PROCESSED
    before = created(emulator)

    skipped = deliver(emulator, correspondences(correspondence(3), correspondence(4), sequence=8))

    assert skipped.state == REFUSED and skipped.sequence == 8 and created(emulator) == before
    issue = only_issue(emulator, skipped)
    assert issue.code == BATCH_SEQUENCE_ERROR and issue.level == CRITICAL and issue.item_id is None
    assert "(6)" in issue.description
    # the refused batch does not count: 7 is still the next one
    assert deliver(emulator, correspondences(correspondence(5), sequence=7)).state == PROCESSED


def test_sequence_numbers_are_counted_per_system_user_code(emulator):
    assert deliver(emulator, correspondences(correspondence(1), sequence=10)).state == PROCESSED
    other = deliver(emulator, correspondences(correspondence(2), system_user_code="TTD_OTHER", sequence=1))
    assert other.state == PROCESSED


def test_a_sequence_number_that_is_no_number_is_refused(emulator):
    batch = deliver(emulator, correspondences(correspondence(1), sequence="seven"))
    assert batch.state == REFUSED and only_issue(emulator, batch).code == BATCH_SEQUENCE_ERROR
    assert created(emulator) == 0


def test_a_schema_error_in_the_last_item_refuses_the_file_before_anything_is_created(emulator):
    items = [correspondence(n) for n in range(20)]
    items.append(correspondence(20).replace("<Reportee>", "<Unexpected/><Reportee>"))
    batch = deliver(emulator, correspondences(*items))

    assert batch.state == REFUSED and created(emulator) == 0 and batch.items == 0
    issue = only_issue(emulator, batch)
    assert issue.code == BATCH_SCHEMA_ERROR and "Unexpected" in issue.description
    assert emulator.outbox.list_messages() == []


def test_a_wrongly_typed_value_is_a_schema_error(emulator):
    batch = deliver(emulator, correspondences(correspondence(1, extra="<CaseId>twelve</CaseId>")))
    assert batch.state == REFUSED and only_issue(emulator, batch).code == BATCH_SCHEMA_ERROR


def test_a_file_that_is_not_xml_is_refused(emulator):
    batch = deliver(emulator, b"PK\x03\x04 this is a zip, not a batch")
    assert batch.state == REFUSED and only_issue(emulator, batch).code == BATCH_NOT_RECOGNISED


def test_a_file_cut_off_halfway_is_refused_and_nothing_is_created(emulator):
    content = correspondences(*(correspondence(n) for n in range(5)))
    batch = deliver(emulator, content[:len(content) // 2])
    assert batch.state == REFUSED and created(emulator) == 0
    assert only_issue(emulator, batch).code == BATCH_NOT_RECOGNISED


@pytest.mark.parametrize("damage", [
    lambda c: c.replace(b"</MessageTitle>", b"</MessageTitl>", 1),
    lambda c: c.replace(b"Melding 2", b"Melding & 2"),
    lambda c: c + b"<Correspondences/>",
    lambda c: c.replace(b"Melding 2", b"Melding \x01 2"),
], ids=["mismatched tag", "bare ampersand", "two roots", "control character"])
def test_a_file_that_is_not_well_formed_anywhere_is_refused_and_nothing_is_created(emulator, damage):
    batch = deliver(emulator, damage(correspondences(*(correspondence(n) for n in range(5)))))
    assert batch.state == REFUSED and only_issue(emulator, batch).code == BATCH_NOT_RECOGNISED
    assert created(emulator) == 0


def test_a_wrong_root_element_is_refused(emulator):
    batch = deliver(emulator, b'<Letters xmlns="urn:example"><Letter/></Letters>')
    issue = only_issue(emulator, batch)
    assert batch.state == REFUSED and issue.code == BATCH_NOT_RECOGNISED and "{urn:example}Letters" in issue.description


def test_a_document_with_a_dtd_is_refused_and_its_entities_never_expand(emulator):
    content = correspondences(correspondence(1)).replace(
        b'<?xml version="1.0" encoding="utf-8"?>\n',
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE Correspondences [<!ENTITY boom "BOOM">]>\n')
    batch = deliver(emulator, content.replace(b"Melding 1<", b"&boom;<"))
    assert batch.state == REFUSED and "DTD is prohibited" in only_issue(emulator, batch).description
    assert created(emulator) == 0


def test_a_system_user_code_of_another_owner_refuses_the_batch(emulator):
    batch = deliver(emulator, correspondences(correspondence(1), system_user_code="ETT_BATCH"))
    assert batch.state == REFUSED and only_issue(emulator, batch).code == 40008 and created(emulator) == 0


def test_a_system_of_another_owner_cannot_deliver_for_it(emulator):
    batch = deliver(emulator, correspondences(correspondence(1)), system="ett-system")
    assert batch.state == REFUSED and only_issue(emulator, batch).code == 5 and created(emulator) == 0


def test_an_empty_batch_is_processed_with_no_items(emulator):
    batch = deliver(emulator, correspondences())
    assert batch.state == PROCESSED and batch.items == 0 and batch.issues == 0


def test_large_attachment_data_is_not_kept_in_the_item_but_reaches_the_correspondence(emulator):
    import base64
    data = bytes(range(256)) * 64
    attachment = (f"<Attachments><BinaryAttachments><BinaryAttachment><FileName>a.bin</FileName><Name>A</Name>"
                  f"<Encrypted>false</Encrypted><Data>{base64.b64encode(data).decode()}</Data>"
                  "</BinaryAttachment></BinaryAttachments></Attachments>")
    item = correspondence(1).replace("</MessageBody>", "</MessageBody>" + attachment)
    batch = deliver(emulator, correspondences(item))

    assert batch.issues == 0
    stored = emulator.correspondence_store.list_correspondences()[0]
    assert stored.binary_attachments[0].data == data
    (logged,) = emulator.batch_store.items_of(batch.id)
    assert "characters of base64 not kept" in logged.data and len(logged.data) < 3000


# -- prefill and subscription batches ---------------------------------------------------------------------------

def test_a_prefill_batch_instantiates_form_tasks(emulator):
    content = service_owner(prefill=[reportee(OLA, prefill_task(reference="a")),
                                     reportee(ORG, prefill_task(reference="b"), prefill_task(reference="c"))],
                            sequence=1)
    batch = deliver(emulator, content)

    assert batch.state == PROCESSED and batch.kind == "PreFill" and batch.issues == 0 and batch.items == 3
    assert batch.sequence == 1 and batch.shipment_id == 900 and batch.system_user_code == "ttd-system"
    elements = emulator.reportee_elements.list_elements()
    assert sorted(e.reportee for e in elements) == sorted([OLA, ORG, ORG])
    assert all(e.service_code == "5679" for e in elements)
    # b and c are the same set (service, reportee, identity fields): the later replaces the earlier, as in PreFill
    assert sorted(s.senders_reference for s in emulator.prefill_store.list_sets()) == ["a", "c"]
    items = emulator.batch_store.items_of(batch.id)
    assert [i.position for i in items] == [1, 2, 3] and all("form task" in i.result for i in items)


def test_a_broken_prefilled_task_is_an_issue_and_the_others_are_instantiated(emulator):
    content = service_owner(prefill=[reportee(OLA, prefill_task(service="5678")),  # a correspondence service
                                     reportee(ORG, prefill_task())])
    batch = deliver(emulator, content)
    assert batch.state == PROCESSED and batch.items == 2 and batch.issues == 1
    assert len(emulator.reportee_elements.list_elements()) == 1
    (issue,) = emulator.batch_store.issues_of(batch.id)
    assert issue.code == 40019 and emulator.batch_store.get_item(issue.item_id).position == 1


def test_a_subscription_batch_stores_subscriptions(emulator):
    content = service_owner(subscription=[reportee(ORG, subscription_task(), subscription_task(period="Annual")),
                                          reportee(OLA, subscription_task(period="Hourly"))])
    batch = deliver(emulator, content)

    assert batch.kind == "Subscription" and batch.items == 3 and batch.issues == 1
    stored = emulator.subscription_store.list_subscriptions()
    assert sorted((s.reportee, s.period_type) for s in stored) == [(ORG, "Annual"), (ORG, "Monthly")]
    (issue,) = emulator.batch_store.issues_of(batch.id)
    assert emulator.batch_store.get_item(issue.item_id).position == 3 and "Hourly" in issue.description


def test_prefill_sequence_numbers_are_checked_per_system_and_kind(emulator):
    assert deliver(emulator, service_owner(prefill=[reportee(OLA, prefill_task())], sequence=3)).state == PROCESSED
    subscriptions = service_owner(subscription=[reportee(ORG, subscription_task())], sequence=1)
    assert deliver(emulator, subscriptions).state == PROCESSED  # its own count
    skipped = deliver(emulator, service_owner(prefill=[reportee(OLA, prefill_task())], sequence=5))
    assert skipped.state == REFUSED and only_issue(emulator, skipped).code == BATCH_SEQUENCE_ERROR
    assert len(emulator.reportee_elements.list_elements()) == 1


def test_a_file_with_prefill_and_subscription_is_read_whole_as_a_prefill_batch(emulator):
    content = service_owner(prefill=[reportee(OLA, prefill_task())],
                            subscription=[reportee(ORG, subscription_task())], sequence=1)
    batch = deliver(emulator, content)
    assert batch.kind == "PreFill" and batch.items == 2 and batch.issues == 0
    assert len(emulator.subscription_store.list_subscriptions()) == 1
    assert len(emulator.reportee_elements.list_elements()) == 1


def test_another_owners_name_refuses_the_file(emulator):
    batch = deliver(emulator, service_owner(prefill=[reportee(OLA, prefill_task())], owner="ETT"))
    assert batch.state == REFUSED and only_issue(emulator, batch).code == 5
    assert emulator.reportee_elements.list_elements() == []


def test_loose_prefill_fields_are_reported_as_a_warning(emulator):
    field = ("<Field><Id>4711</Id><ValidFrom>2026-03-01</ValidFrom><ValidTo>2026-04-01</ValidTo>"
             "<Value>x</Value></Field>")
    batch = deliver(emulator, service_owner(prefill=[reportee(OLA, prefill_task(), field)]))
    issue = only_issue(emulator, batch)
    assert issue.level == WARNING and issue.item_id is None and "Field" in issue.description
    assert len(emulator.reportee_elements.list_elements()) == 1


# -- our validation against Altinn's schemas ----------------------------------------------------------------------

def _real(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(require_batch_schema(name))))


_CORRESPONDENCE_SAMPLES = {
    "plain": correspondences(correspondence(1), correspondence(2, notify=False)),
    "empty": correspondences(),
    "sequence": correspondences(correspondence(1), sequence=3),
    "everything": correspondences(correspondence(1).replace("<Notifications>", (
        "<VisibleDateTime>2026-03-02T10:00:00</VisibleDateTime><DueDateTime>2026-04-02T10:00:00.1234567+01:00"
        "</DueDateTime><ArchiveReference>AR1</ArchiveReference><ReplyOptions><ReplyOption><Url><LinkText>x"
        "</LinkText><LinkUrl>https://example.no</LinkUrl></Url></ReplyOption><ReplyOption><ArchiveReference>AR2"
        "</ArchiveReference></ReplyOption></ReplyOptions><Notifications>")).replace(
        "</RecieverEndPoints>", "</RecieverEndPoints><UseServiceOwnerShortNameAsSenderOfSms>true"
                                "</UseServiceOwnerShortNameAsSenderOfSms>").replace(
        "</MessageBody>", "</MessageBody><CustomMessageData><Add key='a' value='b'/></CustomMessageData>"
        "<Attachments><XmlAttachments><XmlAttachment><SendersReference>x</SendersReference><DataFormatID>1"
        "</DataFormatID><DataFormatVersion>2</DataFormatVersion><FormDataXml>&lt;a/&gt;</FormDataXml>"
        "</XmlAttachment></XmlAttachments></Attachments>").replace(
        "</Correspondence>", "<AllowForwarding>false</AllowForwarding><IsReservable>true</IsReservable>"
        "<OnBehalfOfOrgNr>310002003</OnBehalfOfOrgNr></Correspondence>")),
    "html body": correspondences(correspondence(1).replace("Brødtekst 1", "<p>Hei <b>du</b></p>")),
    "bad order": correspondences(correspondence(1).replace(
        "<SendersReference>ref-1</SendersReference>\n    <Reportee>" + ORG + "</Reportee>",
        "<Reportee>" + ORG + "</Reportee><SendersReference>ref-1</SendersReference>")),
    "unknown element": correspondences(correspondence(1, extra="<Colour>red</Colour>")),
    "no content": correspondences(correspondence(1).replace("<Content>", "<X>").split("<X>")[0] + "</Correspondence>"),
    "long service code": correspondences(correspondence(1, service="12345678")),
    "bad boolean": correspondences(correspondence(1, extra="<AllowForwarding>maybe</AllowForwarding>")),
    "bad time": correspondences(correspondence(1, extra="<VisibleDateTime>tomorrow</VisibleDateTime>")),
    "no shipment reference": correspondences(correspondence(1)).replace(
        b"<ShipmentReference>4711</ShipmentReference>", b""),
    "sequence after items": correspondences(correspondence(1)).replace(
        b"</Correspondences>", b"<SequenceNo>1</SequenceNo></Correspondences>"),
    "other namespace": correspondences(correspondence(1)).replace(CORRESPONDENCE_NS.encode(), b"urn:other"),
}

_SERVICE_OWNER_SAMPLES = {
    "prefill": service_owner(prefill=[reportee(OLA, prefill_task())], sequence=1),
    "subscription": service_owner(subscription=[reportee(OLA, subscription_task())]),
    "both": service_owner(prefill=[reportee(OLA)], subscription=[reportee(OLA, subscription_task())]),
    "nothing": service_owner(),
    "subscription reportee without a task": service_owner(subscription=[reportee(OLA)]),
    "prefill without a form": service_owner(prefill=[reportee(OLA, prefill_task().split("<Form>")[0] +
                                                                "</FormTask>")]),
    "bad date": service_owner(prefill=[reportee(OLA, prefill_task().replace("2026-04-30", "30.04.2026"))]),
    "prefill before subscription": service_owner(prefill=[reportee(OLA, prefill_task())],
                                                 subscription=[reportee(OLA, subscription_task())]).replace(
        b"<Subscription>", b"<Tmp>").replace(b"</Subscription>", b"</Tmp>"),
}


@pytest.mark.parametrize("name", sorted(_CORRESPONDENCE_SAMPLES))
@pytest.mark.parametrize("revision", ["2016.02", "2022.08", "2022.11"])
def test_our_correspondence_validation_agrees_with_altinns_schema(name, revision):
    content = _CORRESPONDENCE_SAMPLES[name]
    real = _real(f"schemas.altinn.no.services.intermediary.correspondence.{revision}.xsd")
    ours = schema_of(CORRESPONDENCES, CORRESPONDENCE_NS)
    document = etree.fromstring(content)
    if revision != "2016.02" or b"UseServiceOwnerShortNameAsSenderOfSms" not in content:
        assert ours.validate(document) == real.validate(document), (name, real.error_log, ours.error_log)
    else:  # the older revisions lack an element the newer have: ours reads the superset
        assert ours.validate(document) and not real.validate(document) and revision == "2016.02"


@pytest.mark.parametrize("name", sorted(_SERVICE_OWNER_SAMPLES))
def test_our_serviceinitiation_validation_agrees_with_altinns_schema(name):
    real = _real("schemas.altinn.no.services.intermediary.serviceinitiation.2009.10.xsd")
    ours = schema_of(SERVICE_OWNER, SERVICE_INITIATION_NS)
    document = etree.fromstring(_SERVICE_OWNER_SAMPLES[name])
    assert ours.validate(document) == real.validate(document), (name, real.error_log, ours.error_log)


def test_the_samples_cover_valid_and_invalid_files():
    ours = schema_of(CORRESPONDENCES, CORRESPONDENCE_NS)
    verdicts = {ours.validate(etree.fromstring(c)) for c in _CORRESPONDENCE_SAMPLES.values()}
    assert verdicts == {True, False}
    ours = schema_of(SERVICE_OWNER, SERVICE_INITIATION_NS)
    verdicts = {ours.validate(etree.fromstring(c)) for c in _SERVICE_OWNER_SAMPLES.values()}
    assert verdicts == {True, False}


def test_a_batch_whose_file_is_gone_or_whose_reader_fails_is_refused_and_the_round_goes_on(emulator, monkeypatch):
    from altinn_so.services import batch as batch_package

    gone = emulator.batch.receive("TTD", "ttd-system", "borte.xml", "0" * 64, 10)
    ref = emulator.files.put([b"<Boom/>"])
    monkeypatch.setitem(batch_package.READERS, "Boom", lambda emulator, reading, file: 1 / 0)
    failing = emulator.batch.receive("TTD", "ttd-system", "boom.xml", ref.sha256, ref.size)
    after = deliver(emulator, correspondences(correspondence(1)))
    assert [emulator.batch_store.get_batch(b.id).state for b in (gone, failing)] == ["Refused", "Refused"]
    [gone_issue] = emulator.batch_store.issues_of(gone.id)
    assert gone_issue.level == "Critical" and "could not be read" in gone_issue.description
    [failed_issue] = emulator.batch_store.issues_of(failing.id)
    assert "ZeroDivisionError" in failed_issue.description
    assert after.state == "Processed"
