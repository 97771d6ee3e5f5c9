"""Correspondences per second through a batch file, against InsertCorrespondenceBasicV2 over SOAP, in process.

The subject is a correspondence batch of ``ITEMS`` correspondences (each with an e-mail notification, as the SOAP
request the CPU suite sends) put in the file store, received and read: the whole file validated, each
correspondence through InsertCorrespondence's rules with its receipt and notification, each item logged. Its
floor is the same number of InsertCorrespondenceBasicV2 calls through the emulator's WSGI application (HTTP edge,
envelope, login, the same rules, the response, the journal and the access log), one correspondence each. Both
run on SQLite in memory, in alternating rounds. The SFTP transfer is not in either: it is a copy of the file.
"""

from __future__ import annotations

import statistics
import time

from common import Figure

ITEMS = 200
_NS = "http://schemas.altinn.no/services/intermediary/correspondence/2009/10"


def _correspondence(n: int) -> str:
    return (f"<Correspondence><ServiceCode>4255</ServiceCode><ServiceEdition>10</ServiceEdition>"
            f"<SendersReference>bench-{n}</SendersReference><Reportee>310003018</Reportee>"
            f"<Content><LanguageCode>1044</LanguageCode><MessageTitle>Melding {n}</MessageTitle>"
            f"<MessageSummary>Sammendrag</MessageSummary><MessageBody>Brødtekst</MessageBody></Content>"
            f"<Notifications><Notification><FromAdress>no-reply@etat.example</FromAdress>"
            f"<ShipmentDateTime>2026-03-02T10:00:00</ShipmentDateTime><LanguageCode>1044</LanguageCode>"
            f"<NotificationType>TokenTextOnly</NotificationType><TextTokens>"
            f"<TextToken><TokenNum>0</TokenNum><TokenValue>Ny melding</TokenValue></TextToken>"
            f"<TextToken><TokenNum>1</TokenNum><TokenValue>Logg inn i Altinn</TokenValue></TextToken></TextTokens>"
            f"<RecieverEndPoints><ReceiverEndPoint><TransportType>Email</TransportType>"
            f"<ReceiverAdress>post@eksempel.example</ReceiverAdress></ReceiverEndPoint></RecieverEndPoints>"
            f"</Notification></Notifications></Correspondence>")


def batch_file(items: int, first: int = 0) -> bytes:
    body = "".join(_correspondence(first + n) for n in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><Correspondences xmlns="{_NS}">'
            f"<SystemUserCode>TTD_BENCH</SystemUserCode><ShipmentReference>1</ShipmentReference>{body}"
            f"</Correspondences>").encode()


def make_batch_runner():
    """An emulator and a function that delivers one batch of ``ITEMS`` correspondences and reads it."""
    from altinn_so.emulator import Emulator, Settings

    emulator = Emulator(Settings())
    made = [0]

    def deliver_one_batch() -> None:
        content = batch_file(ITEMS, made[0])
        made[0] += ITEMS
        ref = emulator.files.put([content])
        emulator.batch.receive("TTD", "ttd-system", "bench.xml", ref.sha256, ref.size)
        [batch] = emulator.batch.process_waiting()
        assert (batch.state, batch.items, batch.issues) == ("Processed", ITEMS, 0), batch

    return emulator, deliver_one_batch


def run(quick: bool = False) -> list[Figure]:
    import cpu

    app = cpu.make_app()
    _, soap_call = cpu.caller(app, "InsertCorrespondenceBasicV2")
    emulator, deliver_one_batch = make_batch_runner()
    deliver_one_batch()  # warm both up
    for _ in range(20):
        soap_call()
    by_batch, by_soap = [], []
    try:
        for _ in range(3 if quick else 7):
            started = time.perf_counter()
            deliver_one_batch()
            by_batch.append((time.perf_counter() - started) / ITEMS)
            started = time.perf_counter()
            for _ in range(ITEMS):
                soap_call()
            by_soap.append((time.perf_counter() - started) / ITEMS)
    finally:
        emulator.close()
        app.emulator.close()
    batch, soap = statistics.median(by_batch), statistics.median(by_soap)
    return [Figure(f"Batch: a correspondence in a batch of {ITEMS} (vs InsertCorrespondenceBasicV2 over SOAP)",
                   batch * 1e6, soap * 1e6, "µs", "<= 1.0",
                   note=f"{1 / batch:,.0f} correspondences/s by batch, {1 / soap:,.0f}/s by SOAP")]


if __name__ == "__main__":
    from common import table

    print(table(run()))
