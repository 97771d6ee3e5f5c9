"""Bad input at the HTTP and SOAP edge: every case gets a clean SOAP fault with an AltinnFault detail
and the HTTP status a SOAP client expects. Never a traceback, an HTML page or a hang."""

from __future__ import annotations

import io
import time

import pytest
import requests
from lxml import etree

from altinn_so.domain.receipts import OWNER_PARTY, Reference, ReceiptStatus
from altinn_so.emulator import Emulator
from altinn_so.services import default_routes
from altinn_so.soap.namespaces import ALTINN_FAULT, SOAP11_ENV, SOAP12_ENV, WSA
from altinn_so.soap.wsgi import SoapApplication, WireSettings

BASIC = "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc"
EC2 = "/ServiceEngineExternal/NotificationAgencyExternalEC2.svc"
NS = "http://www.altinn.no/services/ServiceEngine/Notification/2010/10"
BASIC_ACTION = f"{NS}/INotificationAgencyExternalBasic/SendStandaloneNotificationBasicV2"
EC_ACTION = f"{NS}/INotificationAgencyExternalEC/SendStandaloneNotificationECV2"
TEST_ACTION = "http://www.altinn.no/services/2009/10/IAltinnContractBase/Test"

SOAP11 = {"Content-Type": "text/xml; charset=utf-8"}


def soap12(action: str | None = None) -> dict:
    value = "application/soap+xml; charset=utf-8"
    return {"Content-Type": value + (f'; action="{action}"' if action else "")}


def envelope11(body: str, header: str = "") -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Header>{header}</s:Header>'
            f"<s:Body>{body}</s:Body></s:Envelope>").encode()


def envelope12(body: str, header: str = "") -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP12_ENV}" xmlns:a="{WSA}"><s:Header>{header}</s:Header>'
            f"<s:Body>{body}</s:Body></s:Envelope>").encode()


def send_v2(prefix: str = "Basic", password: str = "ttd-password") -> str:
    return (f'<SendStandaloneNotification{prefix}V2 xmlns="{NS}"><systemUserName>ttd-system</systemUserName>'
            f"<systemPassword>{password}</systemPassword><standaloneNotifications/>"
            f"</SendStandaloneNotification{prefix}V2>")


def fault_of(response: requests.Response, soap_version: int = 11) -> dict:
    """The fault code/subcode and the AltinnFault fields of a fault response."""
    root = etree.fromstring(response.content)
    env = SOAP11_ENV if soap_version == 11 else SOAP12_ENV
    assert root.tag == f"{{{env}}}Envelope"
    fault = root.find(f"{{{env}}}Body/{{{env}}}Fault")
    assert fault is not None, response.text
    detail = fault.find("detail" if soap_version == 11 else f"{{{env}}}Detail")
    altinn = detail.find(f"{{{ALTINN_FAULT}}}AltinnFault")
    fields = {etree.QName(child).localname: child.text for child in altinn}
    if soap_version == 11:
        code = fault.findtext("faultcode")
    else:
        code = fault.findtext(f"{{{env}}}Code/{{{env}}}Value")
        fields["subcode"] = fault.findtext(f"{{{env}}}Code/{{{env}}}Subcode/{{{env}}}Value")
    fields["code"] = code
    fields["ErrorID"] = int(fields["ErrorID"])
    return fields


def test_unknown_path_is_a_404_soap_fault(base_url):
    response = requests.post(base_url + "/ServiceEngineExternal/NoSuchService.svc", data=envelope11("<x/>"),
                             headers=SOAP11)
    assert response.status_code == 404
    fault = fault_of(response)
    assert fault["code"] == "a:DestinationUnreachable"
    assert fault["ErrorID"] == 0
    assert "NoSuchService.svc" in fault["AltinnErrorMessage"]


def test_paths_are_case_insensitive(base_url):
    response = requests.post(base_url + BASIC.lower(), headers={**SOAP11, "SOAPAction": f'"{TEST_ACTION}"'},
                             data=envelope11('<Test xmlns="http://www.altinn.no/services/2009/10"/>'))
    assert response.status_code == 200
    assert b"TestResponse" in response.content


@pytest.mark.parametrize("query", ["wsdl", "WSDL", "singleWsdl", "singlewsdl", "wsdl&unknown=1"])
def test_wsdl_is_served_with_our_address(base_url, query):
    response = requests.get(f"{base_url}{BASIC.upper()}?{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address").get("location")
    assert address == base_url + BASIC


def test_get_without_query_describes_the_endpoint(base_url):
    response = requests.get(base_url + EC2)
    assert response.status_code == 200
    assert "NotificationAgencyExternalEC2" in response.text and "?wsdl" in response.text


def test_other_methods_get_405_with_allow(base_url):
    response = requests.put(base_url + BASIC, data=envelope11(send_v2()), headers=SOAP11)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert fault_of(response)["ErrorID"] == 0


def test_empty_body_is_400(base_url):
    response = requests.post(base_url + BASIC, data=b"", headers={**SOAP11, "SOAPAction": BASIC_ACTION})
    assert response.status_code == 400
    assert "no body" in fault_of(response)["AltinnErrorMessage"]


def test_malformed_xml_is_400(base_url):
    response = requests.post(base_url + BASIC, data=b"<s:Envelope xmlns:s='x'><unclosed>",
                             headers={**SOAP11, "SOAPAction": BASIC_ACTION})
    assert response.status_code == 400
    fault = fault_of(response)
    assert fault["code"] == "s:Client"
    assert "not well-formed" in fault["AltinnErrorMessage"]


def test_xml_1_1_is_400(base_url):
    """.NET's reader takes XML 1.0 only."""
    body = b"<?xml version='1.1'?>" + envelope11(send_v2())
    response = requests.post(base_url + BASIC, data=body, headers={**SOAP11, "SOAPAction": BASIC_ACTION})
    assert response.status_code == 400
    assert "version 1.1 is not supported" in fault_of(response)["AltinnErrorMessage"]


def test_a_fault_quoting_characters_xml_cannot_carry_replaces_them(soap_app):
    """The path is quoted in the fault; a NUL in it is not the client's reason for a non-functional error."""
    body = envelope11(send_v2())
    replies = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": BASIC + "\x00", "CONTENT_TYPE": SOAP11["Content-Type"],
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    reply = b"".join(soap_app(environ, lambda status, headers: replies.append(status)))
    assert replies == ["404 Not Found"]
    message = etree.fromstring(reply).findtext(f".//{{{ALTINN_FAULT}}}AltinnErrorMessage")
    assert f"{BASIC}\ufffd" in message


def test_wrong_content_type_is_415(base_url):
    response = requests.post(base_url + BASIC, data=envelope11(send_v2()),
                             headers={"Content-Type": "application/json", "SOAPAction": BASIC_ACTION})
    assert response.status_code == 415
    assert "text/xml" in fault_of(response)["AltinnErrorMessage"]


def test_soap11_message_to_soap12_endpoint_is_rejected_in_soap11(base_url):
    response = requests.post(base_url + EC2, data=envelope11(send_v2("EC")),
                             headers={**SOAP11, "SOAPAction": EC_ACTION})
    assert response.status_code == 415
    assert response.headers["Content-Type"].startswith("text/xml")
    assert "application/soap+xml" in fault_of(response, 11)["AltinnErrorMessage"]


def test_soap12_message_to_soap11_endpoint_is_rejected_in_soap12(base_url):
    response = requests.post(base_url + BASIC, data=envelope12(send_v2()), headers=soap12(BASIC_ACTION))
    assert response.status_code == 415
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    assert fault_of(response, 12)["ErrorID"] == 0


def test_soap11_envelope_with_soap12_content_type_is_a_version_mismatch(base_url):
    response = requests.post(base_url + EC2, data=envelope11(send_v2("EC")), headers=soap12(EC_ACTION))
    assert response.status_code == 500
    fault = fault_of(response, 11)  # answered in the version the client spoke
    assert fault["code"] == "s:VersionMismatch"


def test_body_over_the_limit_is_413_without_reading_it(base_url, emulator):
    big = envelope11(send_v2().replace("<standaloneNotifications/>", "<standaloneNotifications/>" + " " * 11_000_000))
    response = requests.post(base_url + BASIC, data=big, headers={**SOAP11, "SOAPAction": BASIC_ACTION})
    assert response.status_code == 413
    assert "maximum message size" in fault_of(response)["AltinnErrorMessage"]


def test_body_limit_is_configurable_and_applies_to_chunked_bodies(emulator):
    app = SoapApplication(emulator, settings=WireSettings(max_body_bytes=200))
    body = envelope11(send_v2())
    import io
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": BASIC, "CONTENT_TYPE": "text/xml",
               "HTTP_SOAPACTION": BASIC_ACTION, "wsgi.input": io.BytesIO(body)}  # no CONTENT_LENGTH: chunked
    status, _, payload = app.handle(environ)
    assert status == 413 and len(body) > 200


def test_external_entities_are_not_resolved(base_url, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
            f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body><Test xmlns="http://www.altinn.no/services/2009/10">'
            f"&xxe;</Test></s:Body></s:Envelope>").encode()
    response = requests.post(base_url + BASIC, data=body, headers={**SOAP11, "SOAPAction": TEST_ACTION})
    assert response.status_code == 400
    assert b"TOP-SECRET" not in response.content
    assert "DTD is prohibited" in fault_of(response)["AltinnErrorMessage"]


def test_entity_expansion_is_refused_quickly(base_url):
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    body = (f'<?xml version="1.0"?><!DOCTYPE x [{entities}]><s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body>'
            f"<x>&a9;</x></s:Body></s:Envelope>").encode()
    started = time.monotonic()
    response = requests.post(base_url + BASIC, data=body, headers={**SOAP11, "SOAPAction": TEST_ACTION}, timeout=10)
    assert response.status_code == 400
    assert time.monotonic() - started < 5
    assert len(response.content) < 5000


def test_not_an_envelope(base_url):
    response = requests.post(base_url + BASIC, data=b"<hello/>", headers={**SOAP11, "SOAPAction": TEST_ACTION})
    assert response.status_code == 500
    assert fault_of(response)["code"] == "s:VersionMismatch"


def test_unknown_action_is_a_contract_filter_mismatch(base_url):
    response = requests.post(base_url + BASIC, data=envelope11(send_v2()),
                             headers={**SOAP11, "SOAPAction": '"http://example.org/INope/Nope"'})
    assert response.status_code == 500
    fault = fault_of(response)
    assert fault["code"] == "a:ActionNotSupported"
    assert "ContractFilter mismatch" in fault["AltinnErrorMessage"]


def test_action_of_another_operation_than_the_body(base_url):
    other = f"{NS}/INotificationAgencyExternalBasic/SendStandaloneNotificationBasicV3"
    response = requests.post(base_url + BASIC, data=envelope11(send_v2()), headers={**SOAP11, "SOAPAction": other})
    assert response.status_code == 500
    fault = fault_of(response)
    assert fault["code"] == "a:DeserializationFailed"
    assert "SendStandaloneNotificationBasicV3" in fault["AltinnErrorMessage"]


def test_a_wrong_body_names_the_element_a_message_contract_expects(base_url):
    """GetCorrespondenceStatusHistory's request element is not its operation's name."""
    route = default_routes().find("/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc")
    history = next(o for o in route.by_action.values() if o.operation.name == "GetCorrespondenceStatusHistory")
    response = requests.post(base_url + route.endpoint.path, data=envelope11(send_v2()),
                             headers={**SOAP11, "SOAPAction": f'"{history.action}"'})
    fault = fault_of(response)
    assert fault["code"] == "a:DeserializationFailed"
    assert (f"Expected to find node type 'Element' with name 'CorrespondenceStatusHistoryRequest' and namespace "
            f"'{history.namespace}'") in fault["AltinnErrorMessage"]


def test_without_an_action_the_body_element_selects_the_operation(base_url):
    response = requests.post(base_url + BASIC, data=envelope11(send_v2()), headers=SOAP11)
    assert response.status_code == 200
    assert b"NB_No notifications received" in response.content


def test_unknown_body_element_without_action(base_url):
    response = requests.post(base_url + BASIC, data=envelope11('<Nope xmlns="urn:x"/>'), headers=SOAP11)
    assert response.status_code == 500
    assert fault_of(response)["code"] == "a:ActionNotSupported"


def test_soap12_http_action_and_wsa_action_must_agree(base_url):
    header = f"<a:Action>{EC_ACTION}</a:Action>"
    other = f"{NS}/INotificationAgencyExternalEC/SendStandaloneNotificationECV3"
    response = requests.post(base_url + EC2, data=envelope12(send_v2("EC"), header), headers=soap12(other))
    assert response.status_code == 500
    assert "does not match the HTTP SOAP Action" in fault_of(response, 12)["AltinnErrorMessage"]


def test_soap12_reply_carries_ws_addressing_and_relates_to(base_url):
    header = f"<a:Action>{EC_ACTION}</a:Action><a:MessageID>urn:uuid:1234</a:MessageID>"
    response = requests.post(base_url + EC2, data=envelope12(send_v2("EC"), header), headers=soap12())
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    root = etree.fromstring(response.content)
    header = root.find(f"{{{SOAP12_ENV}}}Header")
    assert header.findtext(f"{{{WSA}}}Action") == EC_ACTION + "Response"
    assert header.find(f"{{{WSA}}}Action").get(f"{{{SOAP12_ENV}}}mustUnderstand") == "1"
    assert header.findtext(f"{{{WSA}}}RelatesTo") == "urn:uuid:1234"


def test_soap12_fault_carries_the_fault_action(base_url):
    header = f"<a:Action>{EC_ACTION}</a:Action><a:MessageID>urn:uuid:42</a:MessageID>"
    response = requests.post(base_url + EC2, data=envelope12(send_v2("EC", password="wrong"), header),
                             headers=soap12())
    assert response.status_code == 500
    root = etree.fromstring(response.content)
    assert root.findtext(f"{{{SOAP12_ENV}}}Header/{{{WSA}}}Action") == EC_ACTION + "AltinnFaultFault"
    fault = fault_of(response, 12)
    assert fault["code"] == "s:Sender" and fault["ErrorID"] == 989


WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WS = "/ServiceEngineExternal/NotificationAgencyExternal.svc"
WS_ACTION = f"{NS}/INotificationAgencyExternal/SendStandaloneNotificationV2"
USERNAME_TOKEN = (f'<o:Security xmlns:o="{WSSE}"><o:UsernameToken><o:Username>ttd-system</o:Username>'
                  "<o:Password>{password}</o:Password></o:UsernameToken></o:Security>")


def _reply_headers(response: requests.Response) -> dict[str, str | None]:
    """The reply's SOAP 1.2 header blocks by local name, each with its mustUnderstand."""
    header = etree.fromstring(response.content).find(f"{{{SOAP12_ENV}}}Header")
    return {} if header is None else {etree.QName(child).localname: child.get(f"{{{SOAP12_ENV}}}mustUnderstand")
                                      for child in header}


# A plain SOAP 1.2 client (an ASMX proxy, SoapHttpClientProtocol with SOAP 1.2) sends neither WS-Addressing nor
# WS-Security, and rejects a reply with a mustUnderstand header it does not know ("MustUnderstand"), faults
# included, after the server has committed the call. Replies answer in kind.

def test_a_soap12_request_without_addressing_or_security_gets_no_header(base_url):
    response = requests.post(base_url + EC2, data=envelope12(send_v2("EC")), headers=soap12(EC_ACTION))
    assert response.status_code == 200 and _reply_headers(response) == {}


def test_a_soap12_fault_to_such_a_request_carries_no_header_either(base_url):
    response = requests.post(base_url + EC2, data=envelope12(send_v2("EC", password="wrong")),
                             headers=soap12(EC_ACTION))
    assert response.status_code == 500 and fault_of(response, 12)["ErrorID"] == 989
    assert _reply_headers(response) == {}


def test_addressing_alone_gets_addressing_back_and_no_security_header(base_url):
    header = f"<a:Action>{EC_ACTION}</a:Action><a:MessageID>urn:uuid:7</a:MessageID>"
    response = requests.post(base_url + EC2, data=envelope12(send_v2("EC"), header), headers=soap12())
    assert _reply_headers(response) == {"Action": "1", "RelatesTo": None}


def test_addressing_and_security_get_what_wcf_sends(base_url):
    header = (f"<a:Action>{WS_ACTION}</a:Action><a:MessageID>urn:uuid:8</a:MessageID>"
              + USERNAME_TOKEN.format(password="ttd-password"))
    body = (f'<SendStandaloneNotificationV2 xmlns="{NS}"><standaloneNotifications/></SendStandaloneNotificationV2>')
    response = requests.post(base_url + WS, data=envelope12(body, header), headers=soap12())
    assert response.status_code == 200
    assert _reply_headers(response) == {"Action": "1", "RelatesTo": None, "Security": "1"}
    timestamp = etree.fromstring(response.content).find(f".//{{{WSSE}}}Security")[0]
    assert etree.QName(timestamp).localname == "Timestamp"


def test_security_alone_gets_the_timestamp_and_no_addressing(base_url):
    body = (f'<SendStandaloneNotificationV2 xmlns="{NS}"><standaloneNotifications/></SendStandaloneNotificationV2>')
    response = requests.post(base_url + WS, data=envelope12(body, USERNAME_TOKEN.format(password="ttd-password")),
                             headers=soap12(WS_ACTION))
    assert response.status_code == 200 and _reply_headers(response) == {"Security": "1"}


def test_a_fault_to_a_wcf_request_relates_to_its_message(base_url):
    header = (f"<a:Action>{WS_ACTION}</a:Action><a:MessageID>urn:uuid:9</a:MessageID>"
              + USERNAME_TOKEN.format(password="wrong"))
    body = (f'<SendStandaloneNotificationV2 xmlns="{NS}"><standaloneNotifications/></SendStandaloneNotificationV2>')
    response = requests.post(base_url + WS, data=envelope12(body, header), headers=soap12())
    assert response.status_code == 500 and fault_of(response, 12)["ErrorID"] == 989
    assert _reply_headers(response) == {"Action": "1", "RelatesTo": None, "Security": "1"}
    root = etree.fromstring(response.content)
    assert root.findtext(f"{{{SOAP12_ENV}}}Header/{{{WSA}}}RelatesTo") == "urn:uuid:9"
    assert root.findtext(f"{{{SOAP12_ENV}}}Header/{{{WSA}}}Action") == WS_ACTION + "AltinnFaultFault"


def test_a_request_that_cannot_be_read_gets_a_fault_without_mandatory_headers(base_url):
    response = requests.post(base_url + EC2, data=b"<s:Envelope", headers=soap12(EC_ACTION))
    assert response.status_code == 400 and _reply_headers(response) == {}


def test_basic_reply_has_no_ws_addressing_even_if_the_client_sent_some(base_url):
    header = f"<a:Action xmlns:a='{WSA}'>{BASIC_ACTION}</a:Action><a:To xmlns:a='{WSA}'>https://www.altinn.no/x</a:To>"
    response = requests.post(base_url + BASIC, data=envelope11(send_v2(), header),
                             headers={**SOAP11, "SOAPAction": f'"{BASIC_ACTION}"'})
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.find(f"{{{SOAP11_ENV}}}Header") is None


def test_soap11_fault_shape_matches_altinn(base_url):
    response = requests.post(base_url + BASIC, data=envelope11(send_v2(password="wrong")),
                             headers={**SOAP11, "SOAPAction": BASIC_ACTION})
    assert response.status_code == 500
    root = etree.fromstring(response.content)
    fault = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault")
    assert [etree.QName(c).localname for c in fault] == ["faultcode", "faultstring", "detail"]
    assert fault.find("faultstring").get("{http://www.w3.org/XML/1998/namespace}lang") == "nb-NO"
    altinn = fault.find(f"detail/{{{ALTINN_FAULT}}}AltinnFault")
    assert [etree.QName(c).localname for c in altinn] == [
        "AltinnErrorMessage", "AltinnExtendedErrorMessage", "AltinnLocalizedErrorMessage", "ErrorGuid", "ErrorID",
        "UserGuid", "UserId"]
    assert altinn.findtext(f"{{{ALTINN_FAULT}}}UserGuid") == "-no value-"


def test_each_fault_has_a_fresh_error_guid(base_url):
    guids = set()
    for _ in range(3):
        response = requests.post(base_url + BASIC, data=envelope11(send_v2(password="wrong")),
                                 headers={**SOAP11, "SOAPAction": BASIC_ACTION})
        guids.add(fault_of(response)["ErrorGuid"])
    assert len(guids) == 3


def test_undecodable_value_is_a_deserialization_fault(base_url):
    body = send_v2().replace(
        "<standaloneNotifications/>",
        "<standaloneNotifications><StandaloneNotification xmlns='http://schemas.altinn.no/services/ServiceEngine/"
        "StandaloneNotificationBE/2009/10'><LanguageID xmlns='http://schemas.altinn.no/services/ServiceEngine/"
        "Notification/2009/10'>bokmål</LanguageID></StandaloneNotification></standaloneNotifications>")
    response = requests.post(base_url + BASIC, data=envelope11(body), headers={**SOAP11, "SOAPAction": BASIC_ACTION})
    assert response.status_code == 500
    fault = fault_of(response)
    assert fault["code"] == "a:DeserializationFailed"
    assert "LanguageID" in fault["AltinnErrorMessage"]


RECEIPT_BASIC = "/IntermediaryExternal/ReceiptAgencyExternalBasic.svc"
RECEIPT_NS = "http://www.altinn.no/services/Intermediary/Receipt/2009/10"


def receipt_list(base_url: str, date_from: str, date_to: str) -> requests.Response:
    body = (f'<GetReceiptListBasicV2 xmlns="{RECEIPT_NS}"><systemUserName>ttd-system</systemUserName>'
            "<systemPassword>ttd-password</systemPassword><receiptTypeName>Correspondence</receiptTypeName>"
            f"<dateFrom>{date_from}</dateFrom><dateTo>{date_to}</dateTo></GetReceiptListBasicV2>")
    return requests.post(base_url + RECEIPT_BASIC, data=envelope11(body), headers={
        **SOAP11, "SOAPAction": f"{RECEIPT_NS}/IReceiptAgencyExternalBasic/GetReceiptListBasicV2"})


def test_dotnet_s_first_and_last_datetimes_mean_no_limit(base_url, emulator):
    """DateTime.MinValue and MaxValue, as a .NET client writes them (MaxValue has a 7th fractional digit)."""
    receipt = emulator.receipts.create("Correspondence", ReceiptStatus.OK, "made", [
        Reference(OWNER_PARTY, emulator.catalog.get_owner("TTD").orgno)])
    response = receipt_list(base_url, "0001-01-01T00:00:00", "9999-12-31T23:59:59.9999999")
    assert response.status_code == 200, response.text
    ids = etree.fromstring(response.content).iterfind(".//{*}ReceiptId")
    assert [int(element.text) for element in ids] == [receipt.id]


def test_a_datetime_past_the_calendar_is_a_deserialization_fault(base_url):
    response = receipt_list(base_url, "2026-03-02T00:00:00", "9999-12-31T24:00:00")
    assert response.status_code == 500
    fault = fault_of(response)
    assert fault["code"] == "a:DeserializationFailed" and "dateTo" in fault["AltinnErrorMessage"]


def test_an_unexpected_error_is_a_receiver_fault_without_traceback(emulator, monkeypatch):
    app = SoapApplication(emulator)

    def explode(*args, **kwargs):
        raise RuntimeError("boom in the domain")

    monkeypatch.setattr(emulator.standalone_notifications, "send", explode)
    import io
    body = envelope11(send_v2())
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": BASIC, "CONTENT_TYPE": "text/xml",
               "CONTENT_LENGTH": str(len(body)), "HTTP_SOAPACTION": BASIC_ACTION, "wsgi.input": io.BytesIO(body)}
    captured = {}
    payload = b"".join(app(environ, lambda status, headers: captured.update(status=status)))
    assert captured["status"].startswith("500")
    assert b"boom" not in payload and b"Traceback" not in payload
    assert b"non-functional error" in payload
    assert b"<faultcode>s:Server</faultcode>" in payload


def test_a_second_emulator_has_its_own_state():
    first, second = Emulator(), Emulator()
    try:
        assert first.outbox.list_messages() == second.outbox.list_messages() == []
    finally:
        first.close()
        second.close()


def test_the_non_functional_error_names_its_own_error_guid(emulator, monkeypatch):
    import io

    monkeypatch.setattr(emulator.standalone_notifications, "send", lambda *a, **k: 1 / 0)
    body = envelope11(send_v2())
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": BASIC, "CONTENT_TYPE": "text/xml",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    payload = b"".join(SoapApplication(emulator)(environ, lambda status, headers: None))

    class Response:
        content = payload

    fault = fault_of(Response)
    assert f"[{fault['ErrorGuid']}]" in fault["AltinnErrorMessage"]
