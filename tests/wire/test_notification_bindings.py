"""NotificationAgencyExternal over the wire on every binding, with zeep built from OUR WSDL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import zeep
from zeep.wsse.username import UsernameToken

from altinn_so.domain.notifications.model import Channel
from support.soap import OLA, altinn_fault, notification

PATH = "/ServiceEngineExternal/NotificationAgencyExternal{suffix}.svc"
BINDINGS = {"basic": "Basic", "ws": "", "ec": "EC", "ec2": "EC2"}
OP_SUFFIX = {"basic": "Basic", "ws": "", "ec": "EC", "ec2": "EC"}


class Client:
    """A zeep client of one binding that hides where the credentials go."""

    def __init__(self, base_url: str, binding: str, username="ttd-system", password="ttd-password"):
        self.binding = binding
        self.credentials = {"systemUserName": username, "systemPassword": password}
        wsse = UsernameToken(username, password) if binding == "ws" and username is not None else None
        url = base_url + PATH.format(suffix=BINDINGS[binding])
        self.zeep = zeep.Client(url + "?wsdl", wsse=wsse)
        self.service = self.zeep.service

    def send(self, version: int, notifications: list[dict]):
        name = "SendStandaloneNotification" + OP_SUFFIX[self.binding] + (f"V{version}" if version > 1 else "")
        item = "StandaloneNotificationV2" if version == 4 else "StandaloneNotification"
        kwargs = {"standaloneNotifications": {item: notifications}}
        if self.binding != "ws":
            kwargs.update(self.credentials)
        return getattr(self.service, name)(**kwargs)


@pytest.mark.parametrize("binding", BINDINGS)
def test_test_operation(base_url, binding):
    assert Client(base_url, binding).service.Test() is None


@pytest.mark.parametrize("binding", BINDINGS)
def test_every_version_sends_and_returns_its_own_result(base_url, emulator, binding):
    client = Client(base_url, binding)
    assert client.send(1, [notification()]) is None
    assert client.send(2, [notification()]) == "Varsel er sendt ut til brukeren."
    v3 = client.send(3, [notification()])
    assert [(e.TransportType, e.ReceiverAddress, e.RetrieveFromProfile) for e in v3[0].EndPoints.EndPointResult] == [
        ("Email", "ola.nordmann@example.no", True), ("SMS", "+4791234567", True)]
    assert v3[0].ReporteeNumber == OLA and v3[0].NotificationType == "TokenTextOnly"
    v4 = client.send(4, [notification(transport="PriorityEmailSMSReminder")])
    assert [e.TransportType for e in v4[0].EndPoints.EndPointResult] == ["Email"]

    messages = emulator.outbox.list_messages()
    assert len(messages) == 2 + 2 + 2 + 1
    email = messages[0]
    assert (email.channel, email.subject, email.body, email.sender) == (
        Channel.EMAIL, "Emne", "Tekst", "noreply@altinn.no")
    assert {m.service_owner for m in messages} == {"TTD"}


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("username,password", [("ttd-system", "wrong"), ("nobody", "ttd-password"), ("ttd-system", "")])
def test_wrong_or_missing_credentials_are_989(base_url, emulator, binding, username, password):
    client = Client(base_url, binding, username, password)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.send(3, [notification()])
    assert altinn_fault(client.zeep, caught.value)["ErrorID"] == 989
    assert emulator.outbox.list_messages() == []


def test_ws_without_a_username_token_is_989(base_url):
    client = Client(base_url, "ws", username=None)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.send(2, [notification()])
    assert altinn_fault(client.zeep, caught.value)["ErrorID"] == 989


def test_ws_password_digest_is_refused(base_url):
    client = Client(base_url, "ws")
    client.zeep.wsse = UsernameToken("ttd-system", "ttd-password", use_digest=True)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.send(2, [notification()])
    fault = altinn_fault(client.zeep, caught.value)
    assert fault["ErrorID"] == 989 and "PasswordText" in fault["AltinnErrorMessage"]


def test_lock_out_after_five_wrong_passwords_and_release_after_fifteen_minutes(base_url, emulator, clock):
    wrong, right = Client(base_url, "basic", password="wrong"), Client(base_url, "basic")
    for _ in range(5):
        with pytest.raises(zeep.exceptions.Fault):
            wrong.send(2, [notification()])
    with pytest.raises(zeep.exceptions.Fault) as caught:
        right.send(2, [notification()])
    fault = altinn_fault(right.zeep, caught.value)
    assert fault["ErrorID"] == 989 and "locked out" in fault["AltinnErrorMessage"]
    clock.advance(timedelta(minutes=15, seconds=1))
    assert right.send(2, [notification()]) == "Varsel er sendt ut til brukeren."


@pytest.mark.parametrize("binding", BINDINGS)
def test_a_service_of_another_owner_is_error_5(base_url, emulator, binding):
    client = Client(base_url, binding)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.send(3, [notification(reportee="310003018", Service={"ServiceCode": "9100", "ServiceEdition": 1})])
    assert altinn_fault(client.zeep, caught.value)["ErrorID"] == 5


@pytest.mark.parametrize("binding", BINDINGS)
def test_domain_errors_keep_their_error_id(base_url, binding):
    client = Client(base_url, binding)
    cases = [
        (notification(LanguageID=1030), 40001),
        (notification(reportee="12345678901"), 40016),
        (notification(reportee="999999999"), 60012),
        (notification(transport="Email", address="not-an-address"), 30010),
        (notification(transport="SMS", address="12345"), 30303),
        (notification(transport="EmailPreferred", address="a@b.no"), 30009),
        (notification(FromAddress="sender at nowhere"), 40020),
    ]
    for request, error_id in cases:
        with pytest.raises(zeep.exceptions.Fault) as caught:
            client.send(3, [request])
        assert altinn_fault(client.zeep, caught.value)["ErrorID"] == error_id, request


def test_priority_transport_is_refused_before_v4(base_url):
    """V1-V3 carry the 2009/10 TransportType, which has no PriorityEmailSMSReminder."""
    client = Client(base_url, "basic")
    with pytest.raises(zeep.exceptions.Fault):
        client.send(3, [notification(transport="PriorityEmailSMSReminder")])


def test_empty_shipment_datetime_is_error_1_and_absent_means_now(base_url, emulator, soap_app, clock):
    client = Client(base_url, "basic")
    client.send(2, [notification()])
    assert emulator.outbox.list_messages()[0].scheduled_at == clock.now()

    # zeep cannot send an empty dateTime; the envelope is written by hand.
    import io
    ns = "http://www.altinn.no/services/ServiceEngine/Notification/2010/10"
    body = f"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <SendStandaloneNotificationBasicV2 xmlns="{ns}"><systemUserName>ttd-system</systemUserName>
      <systemPassword>ttd-password</systemPassword><standaloneNotifications>
      <StandaloneNotification xmlns="http://schemas.altinn.no/services/ServiceEngine/StandaloneNotificationBE/2009/10">
        <n:LanguageID xmlns:n="http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10">1044</n:LanguageID>
        <n:NotificationType xmlns:n="http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10">TokenTextOnly</n:NotificationType>
        <n:ReporteeNumber xmlns:n="http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10">{OLA}</n:ReporteeNumber>
        <n:ShipmentDateTime xmlns:n="http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10"/>
      </StandaloneNotification></standaloneNotifications></SendStandaloneNotificationBasicV2></s:Body></s:Envelope>"""
    data = body.encode()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": PATH.format(suffix="Basic"), "CONTENT_TYPE": "text/xml",
               "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data)}
    status, _, payload = soap_app.handle(environ)
    assert status == 500
    assert b"<ErrorID>1</ErrorID>" in payload and b"ShipmentDateTime" in payload


def test_outbox_is_untouched_when_a_later_notification_fails(base_url, emulator):
    client = Client(base_url, "basic")
    with pytest.raises(zeep.exceptions.Fault):
        client.send(3, [notification(), notification(reportee="999999999")])
    assert emulator.outbox.list_messages() == []
