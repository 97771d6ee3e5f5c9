"""The core receipts as the receipt contracts carry them: ``ReceiptExternal`` (2009/10) and ``Receipt``
(2015/06). Every service that answers with a receipt (correspondence today; prefill, broker and archive to
come) writes it through these."""

from __future__ import annotations

from ..domain.receipts import RECEIPT_TYPES_2009, Receipt


# -- domain -> wire -------------------------------------------------------------------------------------

def receipt_external(receipt: Receipt) -> dict:
    """A receipt as ReceiptExternal (2009/10), whose type enumeration has no BrokerService."""
    return {
        "LastChanged": receipt.last_changed,
        "ParentReceiptId": receipt.parent_id,
        "ReceiptHistory": receipt.history or None,
        "ReceiptId": receipt.id,
        "ReceiptStatusCode": receipt.status.value,
        "ReceiptText": receipt.text,
        "ReceiptTypeName": receipt.type if receipt.type in RECEIPT_TYPES_2009 else "NotSet",
        "References": {"Reference": [{"ReferenceTypeName": r.type, "ReferenceValue": r.value}
                                     for r in receipt.references]},
        "SubReceipts": {"ReceiptExternal": [receipt_external(sub) for sub in receipt.sub_receipts]},
    }


def receipt_v2(receipt: Receipt) -> dict:
    return {
        "LastChanged": receipt.last_changed,
        "ParentReceiptId": receipt.parent_id,
        "ReceiptHistory": receipt.history or None,
        "ReceiptId": receipt.id,
        "ReceiptStatus": receipt.status.value,
        "ReceiptTemplate": receipt.template,
        "ReceiptText": receipt.text,
        "ReceiptType": receipt.type,
        "References": {"Reference": [{"ReferenceType": r.type, "ReferenceValue": r.value}
                                     for r in receipt.references]},
        "SubReceipts": {"Receipt": [receipt_v2(sub) for sub in receipt.sub_receipts]},
    }


