"""Inbound batch files for the batch tests: correspondence batches and prefill/subscription batches, written as an
agency system would, and the way to deliver one (into the file store, received, processed)."""

from __future__ import annotations

from xml.sax.saxutils import escape

CORRESPONDENCE_NS = "http://schemas.altinn.no/services/intermediary/correspondence/2009/10"
SERVICE_INITIATION_NS = "http://schemas.altinn.no/services/intermediary/serviceinitiation/2009/10"
ORG = "310003018"  # Eksempel AS (the default seed)
OLA = "23917710120"


def correspondence(n: int, *, reportee: str = ORG, service: str = "5678", edition: str = "1",
                   language: str = "1044", notify: bool = True, extra: str = "") -> str:
    notification = f"""
    <Notifications>
      <Notification>
        <FromAdress>no-reply@testdepartementet.example</FromAdress>
        <ShipmentDateTime>2026-03-02T10:00:00</ShipmentDateTime>
        <LanguageCode>1044</LanguageCode>
        <NotificationType>TokenTextOnly</NotificationType>
        <TextTokens>
          <TextToken><TokenNum>0</TokenNum><TokenValue>Ny melding {n}</TokenValue></TextToken>
          <TextToken><TokenNum>1</TokenNum><TokenValue>Logg inn i Altinn</TokenValue></TextToken>
        </TextTokens>
        <RecieverEndPoints>
          <ReceiverEndPoint><TransportType>Email</TransportType><ReceiverAdress>post{n}@example.no</ReceiverAdress>
          </ReceiverEndPoint>
        </RecieverEndPoints>
      </Notification>
    </Notifications>""" if notify else ""
    return f"""
  <Correspondence>
    <ServiceCode>{service}</ServiceCode>
    <ServiceEdition>{edition}</ServiceEdition>
    <SendersReference>ref-{n}</SendersReference>
    <Reportee>{reportee}</Reportee>
    <Content>
      <LanguageCode>{language}</LanguageCode>
      <MessageTitle>Melding {n}</MessageTitle>
      <MessageSummary>Sammendrag {n}</MessageSummary>
      <MessageBody>Brødtekst {n}</MessageBody>
    </Content>{notification}{extra}
  </Correspondence>"""


def correspondences(*items: str, system_user_code: str = "TTD_BATCH", shipment: str = "4711",
                    sequence: int | None = None, header_extra: str = "") -> bytes:
    sequence_no = "" if sequence is None else f"\n  <SequenceNo>{sequence}</SequenceNo>"
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Correspondences xmlns="{CORRESPONDENCE_NS}">\n'
            f"  <SystemUserCode>{system_user_code}</SystemUserCode>\n"
            f"  <ShipmentReference>{shipment}</ShipmentReference>{sequence_no}{header_extra}"
            f"{''.join(items)}\n</Correspondences>\n").encode()


def prefill_task(*, service: str = "5679", edition: str = "1", form_xml: str = "<Skjema><Navn>Ola</Navn></Skjema>",
                 data_format: tuple[str, str] = ("5703", "34301"), reference: str = "task-1") -> str:
    return f"""
      <FormTask>
        <ExternalServiceCode>{service}</ExternalServiceCode>
        <ExternalServiceEditionCode>{edition}</ExternalServiceEditionCode>
        <ValidFrom>2026-03-01</ValidFrom>
        <ValidTo>2026-04-30</ValidTo>
        <SendersReference>{reference}</SendersReference>
        <Form>
          <DataFormatId>{data_format[0]}</DataFormatId>
          <DataFormatVersion>{data_format[1]}</DataFormatVersion>
          <SendersReference>{reference}-form</SendersReference>
          <FormData>{escape(form_xml)}</FormData>
        </Form>
      </FormTask>"""


def subscription_task(*, service: str = "5679", edition: str = "1", period: str = "Monthly") -> str:
    return f"""
      <FormTask>
        <ExternalServiceCode>{service}</ExternalServiceCode>
        <ExternalServiceEditionCode>{edition}</ExternalServiceEditionCode>
        <StartDate>2026-03-02</StartDate>
        <NextScheduledDate>2026-03-10</NextScheduledDate>
        <NextDueDate>2026-03-31</NextDueDate>
        <PeriodType>{period}</PeriodType>
      </FormTask>"""


def reportee(number: str, *tasks: str) -> str:
    return f"\n    <Reportee>\n      <Id>{number}</Id>{''.join(tasks)}\n    </Reportee>"


def service_owner(*, prefill: list[str] | None = None, subscription: list[str] | None = None, owner: str = "TTD",
                  sequence: int | None = None, shipment: str = "900") -> bytes:
    sequence_no = "" if sequence is None else f"\n    <SequenceNo>{sequence}</SequenceNo>"
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<ServiceOwner xmlns="{SERVICE_INITIATION_NS}">\n'
             f"  <ServiceOwnerName>{owner}</ServiceOwnerName>"]
    if subscription is not None:
        parts.append(f"\n  <Subscription>{sequence_no}\n    <ExternalShipmentReference>{shipment}"
                     f"</ExternalShipmentReference>{''.join(subscription)}\n  </Subscription>")
    if prefill is not None:
        parts.append(f"\n  <Prefill>{sequence_no}\n    <ExternalShipmentReference>{shipment}"
                     f"</ExternalShipmentReference>{''.join(prefill)}\n  </Prefill>")
    parts.append("\n</ServiceOwner>\n")
    return "".join(parts).encode()


def deliver(emulator, content: bytes, *, name: str = "batch.xml", owner: str = "TTD", system: str = "ttd-system"):
    """The file as the SFTP server hands a complete upload over: into the file store, received, then read by the
    clock's due work. The batch as it came out."""
    ref = emulator.files.put([content[i:i + 65536] for i in range(0, len(content), 65536)])
    batch = emulator.batch.receive(owner, system, name, ref.sha256, ref.size)
    emulator.batch.process_waiting()
    return emulator.batch_store.get_batch(batch.id)
