"""Send a standalone notification to a running emulator and show what landed in its outbox.

    make run                                  # in one terminal
    .venv/bin/python examples/send_notification.py [http://127.0.0.1:8080]

A server started with an admin token (ALTINN_SO_ADMIN_TOKEN) is asked for its outbox with that token: set the
same variable here.
"""

import json
import os
import sys
import urllib.request

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

token = os.environ.get("ALTINN_SO_ADMIN_TOKEN")
outbox = urllib.request.Request(BASE + "/_admin/outbox?channel=Email",
                                headers={"Authorization": f"Bearer {token}"} if token else {})
with urllib.request.urlopen(outbox, timeout=10) as response:  # noqa: S310 - the emulator's own address
    for message in json.loads(response.read())["messages"]:
        print(f"outbox: e-mail to {message['address']}")

try:
    client.service.SendStandaloneNotificationBasicV3(systemUserName="ttd-system", systemPassword="wrong",
                                                     standaloneNotifications={"StandaloneNotification": []})
except zeep.exceptions.Fault as fault:
    detail = fault.detail.find("{http://www.altinn.no/services/common/fault/2009/10}AltinnFault")
    error_id = detail.findtext("{http://www.altinn.no/services/common/fault/2009/10}ErrorID")
    print(f"wrong password -> AltinnFault ErrorID {error_id}")
