"""Archived form tasks for the download queue's tests: a prefill instantiates the form task in the reportee's
worklist (``doinstantiateFormTask``), then the end user submits it (``emulator.worklist.submit``)."""

from __future__ import annotations

from datetime import timedelta

from altinn_so.domain.auth import AuthMode
from altinn_so.services.prefill.rules import (InstantiateOptions, PrefillAttachmentRequest, PrefillFormRequest,
                                              PrefillTaskRequest)

OLA = "23917710120"
PLAIN = ("5679", 1, "5703", 34301)  # queued, no metadata, no schema
INFOPATH_XML = ('<my:Skjema xmlns:my="http://schemas.microsoft.com/office/infopath/2003/myXSD/2011-01-01T00:00:00" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" my:versjon="1">'
                '<my:Navn>Ola Nordmann</my:Navn><my:Adresse><my:Poststed>Tromsø</my:Poststed></my:Adresse>'
                '<my:Merknad>Søknad om støtte til møte på Ærøy</my:Merknad></my:Skjema>')


def attachment(data: bytes, file_name: str = "vedlegg.pdf", kind: str = "application_pdf"):
    """A prefill attachment; ``kind`` is an AttachmentType (``text_plain`` is text/plain)."""
    return PrefillAttachmentRequest(data=data, name=file_name, attachment_type=kind, file_name=file_name)


def archived_task(emulator, reportee: str = OLA, *, form=PLAIN, xml: str = "<Skjema><Navn>Ola</Navn></Skjema>",
                  forms=None, attachments=(), system: str = "ttd-system", system_user_code: str = "TTD_PREFILL",
                  **submit):
    """Instantiate a form task by prefill and submit it as the end user: the ArchivedFormTask."""
    code, edition, data_format, version = form
    now = emulator.clock.now()
    caller = emulator.authenticator.authenticate(system, system.replace("system", "password"),
                                                 mode=AuthMode.PASSWORD)
    task = PrefillTaskRequest(
        service_code=code, service_edition=edition, shipment_reference="ship-1", reportee=reportee,
        system_user_code=system_user_code, valid_from=now - timedelta(minutes=1), valid_to=now + timedelta(days=30),
        senders_reference="sender-1",
        forms=forms or [PrefillFormRequest(data_format, version, xml, "form-ref")], attachments=list(attachments))
    receipt = emulator.prefill.submit(caller, "batch-1", task, InstantiateOptions(instantiate=True))
    assert receipt.status.value == "OK", receipt
    element_id = max(e.id for e in emulator.reportee_elements.list_elements())
    if len(reportee) != 11 and "submitter" not in submit:
        submit["submitter"] = OLA
    return emulator.worklist.submit(element_id, **submit)
