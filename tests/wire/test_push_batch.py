"""The pushed batch (altinn_so.services.push.batch, D96) against the REAL genericbatch.2013.06.xsd: every member
the emulator fills, in both attachment modes."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone

import pytest
from lxml import etree

from altinn_so.domain.archive import ArchivedForm, ArchivedFormTask
from altinn_so.domain.elements import ElementAttachment, Signature
from altinn_so.services.push.batch import BatchAttachment, build_batch
from altinn_so.services.push.rules import BatchFacts

from support.contracts import require_batch_schema

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
DATA = {11: b"%PDF-1.4 first", 12: b"second, with no extension"}
TRICKY_XML = "<Vedlegg><Merknad><![CDATA[a <b> & ]]></Merknad></Vedlegg>"  # holds the CDATA end itself


def _task() -> ArchivedFormTask:
    return ArchivedFormTask(
        "AR1000042", 5, "TTD", "5800", 1, "310003018", "Organisation", NOW,
        (ArchivedForm(101, "5704", 34302, "Rapport", "<Skjema><Navn>Æ Ø Å</Navn></Skjema>"),
         ArchivedForm(102, "5705", 34303, "Vedlegg", TRICKY_XML, parent_reference=101)),
        (ElementAttachment(11, "Rapport", "rapport.pdf", "application/pdf", len(DATA[11]), NOW,
                           type_name="Hovedvedlegg"),
         ElementAttachment(12, "Uten navn", "", "application/x-unknown", len(DATA[12]), NOW)),
        (Signature("23917710120", NOW, 4), Signature("selvreg_bruker", NOW, 0)),
        case_id=77, shipment_metadata=(("Saksnummer", "2026/1"), ("Periode", "")))


def _facts() -> BatchFacts:
    return BatchFacts(9, 8, "5b36a2fe-7e33-464b-bc87-365cb3bc18ad", NOW, ("1000042_a.pdf", "1000042_b"))


def _validated(text: str) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(require_batch_schema("genericbatch.2013.06.xsd"))))
    root = etree.fromstring(text.encode("utf-8"))
    schema.assertValid(root)
    return root


def _whole(batch) -> str:
    return "".join(base64.b64encode(part.data).decode() if isinstance(part, BatchAttachment) else part
                   for part in batch.parts())


@pytest.mark.parametrize("inline", [False, True], ids=["zip", "inline"])
def test_the_batch_is_valid_and_carries_the_task(inline):
    batch = build_batch(_task(), _facts(), DATA.get, inline=inline)
    root = _validated(_whole(batch))
    assert {k: root.get(k) for k in ("schemaVersion", "batchReference", "previousReference", "receiverReference",
                                     "timeStamp", "formTasksInBatch", "formsInBatch")} == {
        "schemaVersion": "2013.06", "batchReference": "9", "previousReference": "8",
        "receiverReference": "5b36a2fe-7e33-464b-bc87-365cb3bc18ad", "timeStamp": "2026-03-02T10:30:00.000",
        "formTasksInBatch": "1", "formsInBatch": "2"}
    unit = root.find("DataUnits/DataUnit")
    assert unit.attrib == {"reportee": "310003018", "archiveReference": "AR1000042",
                           "archiveTimeStamp": "2026-03-02T10:30:00.000"}
    assert [m.attrib for m in unit.iterfind("MetadataList/Metadata")] == [{"name": "Saksnummer", "content": "2026/1"}]
    assert [a.get("securityLevel") for a in unit.iterfind("Approvers/Approver")] == ["verySensitive", None]
    assert unit.findtext("FormTask/CaseID") == "77"
    forms = unit.findall("FormTask/Form")
    assert [(f.findtext("Reference"), f.findtext("ParentReference")) for f in forms] == [("101", "0"), ("102", "101")]
    assert [f.findtext("FormData") for f in forms] == ["<Skjema><Navn>Æ Ø Å</Navn></Skjema>", TRICKY_XML]
    attachments = root.findall("Attachments/Attachment")
    assert [(a.get("fileName"), a.get("internalFileName"), a.get("attachmentType"), a.get("attachmentTypeName"),
             a.get("checksum")) for a in attachments] == [
        ("rapport.pdf", "1000042_a.pdf", "application_pdf", "Hovedvedlegg", hashlib.sha256(DATA[11]).hexdigest()),
        ("Uten navn", "1000042_b", "binary_octet_stream", None, hashlib.sha256(DATA[12]).hexdigest())]
    assert [base64.b64decode(a.text or "") for a in attachments] == ([DATA[11], DATA[12]] if inline else [b"", b""])


def test_a_task_without_attachments_has_no_attachments_element():
    task = ArchivedFormTask("AR1000043", 6, "TTD", "5800", 1, "23917710120", "Person", NOW,
                            (ArchivedForm(1, "5703", 34301, "Skjema", "<Skjema/>"),))
    root = _validated(_whole(build_batch(task, BatchFacts(1, 0, "r", NOW, ()), DATA.get, inline=True)))
    assert root.find("Attachments") is None and root.find("DataUnits/DataUnit/Approvers") is None
