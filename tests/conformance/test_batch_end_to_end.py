"""The batch interface end to end (docs/behaviour/batch.md, sftp.md, batch-logging.md): an agency system uploads
batch files over SFTP with a real SFTP client (paramiko), the emulator reads them in the background, the agency
reads the log with BatchLoggingAgencyExternal through a zeep client from the REAL EC2 WSDL (each response
validated against the real schema), and fetches what the emulator wrote to its outbound folder, checked against
Altinn's real batch schemas."""

from __future__ import annotations

import base64
import hashlib
import io
import time
import warnings
from dataclasses import replace

import pytest
import requests
from lxml import etree

from support.archived import archived_task, attachment
from support.batchfiles import OLA, ORG, correspondence, correspondences, prefill_task, reportee, service_owner
from support.contracts import assert_valid_response, real_service, require_batch_schema

with warnings.catch_warnings():  # paramiko names ciphers cryptography deprecates
    warnings.simplefilter("ignore")
    import paramiko

    from altinn_so.sftp import start_sftp

pytestmark = pytest.mark.conformance

LOGGING = ("ec2/BatchLoggingAgencyExternalEC2.wsdl", "/IntermediaryExternal/BatchLoggingAgencyExternalEC2.svc")
AGENCY = {"agencyUserName": "ttd-system", "agencyPassword": "ttd-password"}


@pytest.fixture
def sftp(emulator):
    server = start_sftp(emulator, "127.0.0.1", 0)
    transport = paramiko.Transport(("127.0.0.1", server.port))
    transport.connect(username="ttd-system", password="ttd-password")
    client = paramiko.SFTPClient.from_transport(transport)
    yield client
    client.close()
    transport.close()
    server.stop()


def upload(emulator, base_url: str, sftp, name: str, content: bytes) -> dict:
    """Put ``content`` in /inbound over SFTP, wait until the server has recorded it, have it read (as the
    scheduler would), and return the batch as the admin API shows it."""
    before = len(emulator.batch_store.list_batches())
    sftp.putfo(io.BytesIO(content), f"/inbound/{name}", confirm=False)
    deadline = time.monotonic() + 30
    while len(emulator.batch_store.list_batches()) == before:  # the close is handled on the server's thread
        assert time.monotonic() < deadline, "the upload never became a batch"
        time.sleep(0.02)
    response = requests.post(base_url + "/_admin/batches/process", timeout=120)
    assert response.status_code == 200, response.text
    batch = emulator.batch_store.list_batches()[-1]
    return batch.to_dict()


def logging_service(base_url: str):
    return real_service(LOGGING[0], base_url + LOGGING[1])


def detailed_status(base_url: str, **request):
    client, service = logging_service(base_url)
    status = service.GetDetailedStatus(**AGENCY, request=request)
    assert_valid_response(client, LOGGING[0], "GetDetailedStatus", soap12=True)
    return status


def outbound(sftp) -> dict[str, bytes]:
    files = {}
    for name in sorted(sftp.listdir("/outbound")):
        with sftp.open(f"/outbound/{name}", "rb") as file:
            files[name] = file.read()
    return files


def test_a_thousand_correspondences_over_sftp_are_all_created_and_logged(base_url, emulator, sftp):
    batch = upload(emulator, base_url, sftp, "korrespondanse.xml",
                   correspondences(*(correspondence(n) for n in range(1000)), sequence=1))
    assert (batch["state"], batch["kind"], batch["number_of_items"], batch["number_of_issues"]) == ("Processed", "Correspondence", 1000, 0)
    stored = emulator.correspondence_store.list_correspondences()
    assert len(stored) == 1000
    receipts = {r.id: r for r in emulator.receipt_store.list_receipts()}
    assert all(receipts[c.receipt_id].status.value == "OK" for c in stored)
    assert len(emulator.outbox.list_messages()) == 1000
    client, service = logging_service(base_url)
    overview = service.GetStatusOverview(**AGENCY, request={"FileName": "korrespondanse.xml"})
    assert_valid_response(client, LOGGING[0], "GetStatusOverview", soap12=True)
    [logged] = overview.DataBatches.DataBatch
    assert (logged.DataBatchId, logged.Sequence, logged.NumberOfIssues) == (batch["id"], 1, 0)
    assert overview.NumberOfIssues == 0


def test_two_broken_items_are_shown_with_their_lines_and_the_rest_are_created(base_url, emulator, sftp):
    items = [correspondence(n) for n in range(10)]
    items[3] = correspondence(3, language="9999")  # no such language
    items[7] = correspondence(7, service="9100")  # another owner's service
    content = correspondences(*items)
    batch = upload(emulator, base_url, sftp, "to-feil.xml", content)
    assert (batch["number_of_items"], batch["number_of_issues"]) == (10, 2)
    assert len(emulator.correspondence_store.list_correspondences()) == 8
    shown_by_admin = requests.get(f"{base_url}/_admin/batches/{batch['id']}", timeout=30).json()
    assert len(shown_by_admin["data_items"]) == 10 and len(shown_by_admin["issues"]) == 2
    status = detailed_status(base_url, DataBatchId=batch["id"])
    shown = status.DataItems.DataItem
    lines = content.decode().splitlines()
    assert sorted(item.Position for item in shown) == [4, 8]
    assert all(lines[item.Line - 1].strip() == "<Correspondence>" for item in shown)
    assert all(item.Data is None for item in shown)  # the data only through GetDataItem
    issues = status.Issues.IssueExternal
    assert {issue.DataItemId for issue in issues} == {item.DataItemId for item in shown}
    assert all(issue.IssueType.Level == "Error" and issue.IssueType.Description for issue in issues)
    client, service = logging_service(base_url)
    data = service.GetDataItem(**AGENCY, dataItemId=shown[0].DataItemId)
    assert_valid_response(client, LOGGING[0], "GetDataItem", soap12=True)
    assert "<SendersReference>ref-" in data.Data


def test_a_skipped_sequence_number_refuses_the_batch_and_creates_nothing(base_url, emulator, sftp):
    assert upload(emulator, base_url, sftp, "en.xml", correspondences(correspondence(1), sequence=1))["state"] == \
        "Processed"
    refused = upload(emulator, base_url, sftp, "tre.xml", correspondences(correspondence(2), sequence=3))
    assert (refused["state"], refused["number_of_items"]) == ("Refused", 0)
    assert len(emulator.correspondence_store.list_correspondences()) == 1
    [issue] = detailed_status(base_url, DataBatchId=refused["id"]).Issues.IssueExternal
    assert issue.DataItemId is None and issue.IssueType.Level == "Critical"


def test_a_prefill_batch_instantiates_forms_in_the_worklists(base_url, emulator, sftp):
    content = service_owner(prefill=[reportee(OLA, prefill_task(reference="ola")),
                                     reportee(ORG, prefill_task(reference="org"))], sequence=1)
    batch = upload(emulator, base_url, sftp, "prefill.xml", content)
    assert (batch["kind"], batch["number_of_items"], batch["number_of_issues"]) == ("PreFill", 2, 0)
    worklist = requests.get(f"{base_url}/_admin/worklist/{OLA}", timeout=10).json()["elements"]
    assert [element["service_code"] for element in worklist] == ["5679"]


def test_a_file_that_is_not_xml_and_one_of_another_format_are_refused_and_logged(base_url, emulator, sftp):
    for name, content in (("tull.xml", b"dette er ikke XML"), ("feil.xml", b"<Skjema><Navn>x</Navn></Skjema>")):
        batch = upload(emulator, base_url, sftp, name, content)
        assert (batch["state"], batch["number_of_items"], batch["number_of_issues"]) == ("Refused", 0, 1)
    client, service = logging_service(base_url)
    overview = service.GetStatusOverview(**AGENCY, request={"SystemUserCode": None, "FileName": "tull.xml"})
    assert [b.NumberOfIssues for b in overview.DataBatches.DataBatch] == [1]


def test_a_submission_is_a_genericbatch_file_in_the_outbound_folder(base_url, emulator, sftp):
    service = emulator.catalog.get_service("5679", 1)
    emulator.catalog.put_service(replace(service, batch_delivery=True, batch_pdf=True))
    task = archived_task(emulator, attachments=[attachment(b"%PDF-1.4 vedlegg", "vedlegg.pdf")], submitter=OLA)
    files = outbound(sftp)
    assert list(files) == ["TTD_5679_1_000001.xml"]
    schema = etree.XMLSchema(etree.parse(str(require_batch_schema("genericbatch.2013.06.xsd"))))
    batch = etree.fromstring(files["TTD_5679_1_000001.xml"])
    schema.assertValid(batch)
    assert batch.find("DataUnits/DataUnit").get("archiveReference") == task.archive_reference
    attachments = batch.findall("Attachments/Attachment")
    assert [a.get("attachmentType") for a in attachments] == ["application_pdf", "formtask_pdf"]
    for element in attachments:
        assert hashlib.sha256(base64.b64decode(element.text)).hexdigest() == element.get("checksum")
    sftp.remove("/outbound/TTD_5679_1_000001.xml")  # fetched
    assert sftp.listdir("/outbound") == []


def test_a_read_and_a_confirmation_are_confirmations_files_in_the_outbound_folder(base_url, emulator, sftp):
    service = emulator.catalog.get_service("5678", 1)
    emulator.catalog.put_service(replace(service, confirmation_batches=True))
    upload(emulator, base_url, sftp, "en.xml", correspondences(correspondence(1)))
    [stored] = emulator.correspondence_store.list_correspondences()
    for action in ("read", "confirm"):
        assert requests.post(f"{base_url}/_admin/correspondences/{stored.id}/{action}", timeout=10).status_code == 200
    files = outbound(sftp)
    assert list(files) == ["TTD_confirmations_000001.xml", "TTD_confirmations_000002.xml"]
    schema = etree.XMLSchema(etree.parse(str(require_batch_schema("correspondence.confirmations.2010.10.xsd"))))
    for content in files.values():
        schema.assertValid(etree.fromstring(content))
