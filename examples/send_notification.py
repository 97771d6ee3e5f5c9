"""Send a standalone notification to a running emulator and show what landed in its outbox.

    make run                                  # in one terminal
    .venv/bin/python examples/send_notification.py [http://127.0.0.1:8080]
"""

import sys

import zeep

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PATH = "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc"

client = zeep.Client(BASE + PATH + "?wsdl")  # or Altinn's own WSDL + client.create_service(binding, BASE + PATH)
result = client.service.SendStandaloneNotificationBasicV3(
    systemUserName="ttd-system",
    systemPassword="ttd-password",
    standaloneNotifications={"StandaloneNotification": [{
        "ReporteeNumber": "23917710120",
        "LanguageID": 1044,
        "NotificationType": "TokenTextOnly",
        "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "Both"}]},
        "TextTokens": {"TextToken": [{"TokenNum": 0, "TokenValue": "Hei fra etaten"},
                                     {"TokenNum": 1, "TokenValue": "Du har en ny melding i Altinn."}]},
    }]},
)
for notification in result:
    for endpoint in notification.EndPoints.EndPointResult:
        print(f"{notification.ReporteeNumber}: {endpoint.TransportType} to {endpoint.ReceiverAddress} "
              f"({endpoint.Name})")

try:
    client.service.SendStandaloneNotificationBasicV3(systemUserName="ttd-system", systemPassword="wrong",
                                                     standaloneNotifications={"StandaloneNotification": []})
except zeep.exceptions.Fault as fault:
    detail = fault.detail.find("{http://www.altinn.no/services/common/fault/2009/10}AltinnFault")
    error_id = detail.findtext("{http://www.altinn.no/services/common/fault/2009/10}ErrorID")
    print(f"wrong password -> AltinnFault ErrorID {error_id}")
