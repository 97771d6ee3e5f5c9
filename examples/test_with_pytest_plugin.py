"""How a team uses altinn-so in its own test suite: the ``altinn_so`` fixture from the pytest plugin.

Run it with ``pytest examples/test_with_pytest_plugin.py`` in an environment where altinn-so is installed
(``pip install -e '.[test]'`` in a checkout, or from git: see the README): the plugin is found automatically.
"""

import pytest
import zeep


def send_letter(client, reference: str):
    """The code under test would do this: insert a correspondence with an e-mail notification."""
    return client.service.InsertCorrespondenceBasicV2(
        systemUserName="ttd-system", systemPassword="ttd-password", SystemUserCode="TTD_SAK",
        ExternalShipmentReference=reference,
        Correspondence={
            "ServiceCode": "5678", "ServiceEdition": "1", "Reportee": "23917710120",
            "Content": {"LanguageCode": "1044", "MessageTitle": "Vedtak", "MessageSummary": "Om søknaden din",
                        "MessageBody": "Søknaden er innvilget."},
            "Notifications": {"Notification": [{
                "LanguageCode": "1044", "NotificationType": "TokenTextOnly",
                "TextTokens": {"TextToken": [{"TokenValue": "Nytt vedtak"}, {"TokenValue": "Logg inn i Altinn."}]},
                "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "Email"}]}}]},
        })


def test_the_letter_is_stored_and_the_citizen_notified(altinn_so):
    client = altinn_so.client("correspondence", "basic")
    receipt = send_letter(client, "SAK-1")
    assert receipt.ReceiptStatusCode == "OK"

    (email,) = altinn_so.admin.outbox(channel="Email")
    assert (email["address"], email["subject"]) == ("ola.nordmann@example.no", "Nytt vedtak")
    (call,) = altinn_so.admin.journal(operation="InsertCorrespondenceBasicV2")
    assert call["outcome"] == "ok" and call["reportees"] == ["23917710120"]


def test_the_code_retries_when_altinn_has_a_bad_day(altinn_so):
    client = altinn_so.client("correspondence", "basic")
    altinn_so.admin.add_fault({"type": "altinn_fault", "preset": "non-functional"},
                              operation="InsertCorrespondence")
    with pytest.raises(zeep.exceptions.Fault):
        send_letter(client, "SAK-2")
    assert send_letter(client, "SAK-2").ReceiptStatusCode == "OK"  # one-shot: the retry goes through


def test_the_status_follows_the_reader(altinn_so):
    client = altinn_so.client("correspondence", "basic")
    send_letter(client, "SAK-3")
    (stored,) = altinn_so.admin.state("correspondences")
    altinn_so.admin.read(stored["id"])
    result = client.service.GetCorrespondenceStatusDetailsBasicV3(
        systemUserName="ttd-system", systemPassword="ttd-password",
        filterCriteria={"ServiceCode": "5678", "ServiceEditionCode": 1})
    (status,) = result.CorrespondenceStatusInformation.CorrespondenceStatusDetailsList.StatusV2
    assert [change.StatusType for change in status.StatusChanges.StatusChangeV2] == ["Created", "Read"]
