"""Files the emulator writes to a service owner's outbound folder (docs/behaviour/batch.md).

Read and confirmation receipts: for each correspondence of a service with ``confirmation_batches: true`` that an
end user reads or confirms, one ``correspondence.confirmations`` file (namespace 2010/10) holding that one
Confirmation, written inside the change's transaction (no change, no file). Files are numbered per service owner:
``<owner>_confirmations_<n>.xml`` with ``SequenceNo`` n (from 1) and ``PreviousSequenceNo`` n-1.
"""

from __future__ import annotations

from lxml import etree

from altinn_so.domain.clock import local_time

from .rules import OutboundFile

CONFIRMATIONS_NS = "http://schemas.altinn.no/services/intermediary/correspondence/confirmations/2010/10"
CONFIRMATIONS = "confirmations"
_READ, _CONFIRMED = "Read", "Confirmed"


def _time(moment) -> str:
    return local_time(moment).isoformat(timespec="seconds")


def _status_time(correspondence, status: str):
    return next((c.at for c in reversed(correspondence.status_changes) if c.status.value == status), None)


def confirmations_file(correspondence, sequence: int, now) -> bytes:
    """One read (and, once confirmed, confirmation) of ``correspondence`` as a confirmations file."""
    def add(parent, name: str, text: str):
        etree.SubElement(parent, f"{{{CONFIRMATIONS_NS}}}{name}").text = text

    root = etree.Element(f"{{{CONFIRMATIONS_NS}}}CorrespondenceConfirmations", nsmap={None: CONFIRMATIONS_NS})
    add(root, "SequenceNo", str(sequence))
    add(root, "PreviousSequenceNo", str(sequence - 1))
    # 3 to 15 characters, as the format wants: the message's system user code, else its owner's code
    code = (correspondence.system_user_code or correspondence.owner)[:15]
    add(root, "SystemUserCode", code if len(code) >= 3 else code.ljust(3, "_"))
    add(root, "ShipmentDateTime", _time(now))
    add(root, "CountConfirmationsInShipment", "1")
    confirmation = etree.SubElement(root, f"{{{CONFIRMATIONS_NS}}}Confirmation")
    add(confirmation, "ServiceCode", correspondence.service_code)
    add(confirmation, "ServiceEdition", str(correspondence.service_edition))
    add(confirmation, "Reportee", correspondence.reportee)
    add(confirmation, "CorrespondenceReference", correspondence.senders_reference or "")
    read = etree.SubElement(confirmation, f"{{{CONFIRMATIONS_NS}}}Read")
    add(read, "ReadDateTime", _time(_status_time(correspondence, _READ) or now))
    confirmed_at = _status_time(correspondence, _CONFIRMED)
    if confirmed_at is not None:
        confirmed = etree.SubElement(confirmation, f"{{{CONFIRMATIONS_NS}}}Confirmed")
        # The emulator's end user is not identified: a person reportee confirms for themself
        reportee = correspondence.reportee
        add(confirmed, "UserSSN", reportee if len(reportee) == 11 and reportee.isdigit() else "")
        add(confirmed, "ConfirmedDateTime", _time(confirmed_at))
        add(confirmed, "ConfirmedRoleList", "")
        add(confirmed, "AuthenticationMethod", "0")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def on_correspondence_status(emulator, correspondence, status) -> None:
    """The correspondence package's listener: a read or a confirmation of a service that asks for them."""
    if status.value not in (_READ, _CONFIRMED):
        return
    service = emulator.catalog.get_service(correspondence.service_code, correspondence.service_edition)
    if service is None or not service.confirmation_batches:
        return
    owner = correspondence.owner
    sequence = 1 + sum(1 for f in emulator.batch_store.list_outbound() if f.owner == owner and f.kind == CONFIRMATIONS)
    now = emulator.clock.now()
    content = confirmations_file(correspondence, sequence, now)
    ref = emulator.files.put([content])
    emulator.batch_store.add_outbound(OutboundFile(0, owner, f"{owner}_confirmations_{sequence:06d}.xml",
                                                   ref.sha256, ref.size, now, CONFIRMATIONS))
