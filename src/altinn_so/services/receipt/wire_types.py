"""Receipt contracts: ReceiptAgencyExternal's receipts (2009/10 and 2015/06), which
InsertCorrespondence also returns.

Receipts nest: a receipt's ``SubReceipts`` is a list of receipts. The list is
declared after the receipt, so ``SubReceipts`` (the last member of every
receipt contract) is appended once the list exists: spyne's ``append_field``
also updates the customized copies already made (the list's repeated member).
"""

from spyne import ComplexModel, DateTime, Integer32, Unicode

from altinn_so.soap.types import enumeration, repeated

NS_RECEIPT_2009_10 = "http://schemas.altinn.no/services/Intermediary/Receipt/2009/10"
NS_RECEIPT_2015_06 = "http://schemas.altinn.no/services/Intermediary/Receipt/2015/06"
NS_SHIPMENT_2009_10 = "http://schemas.altinn.no/services/Intermediary/Shipment/2009/10"

_RECEIPT_TYPES = ["NotSet", "FormTask", "Correspondence", "PINCODE", "Subscription", "Outbound", "PreFill",
                  "RegisterDLS", "RegisterDSF", "RegisterER", "RegisterDSFProperty", "RegisterDSFStreet",
                  "RegisterDSFCountry", "RegisterDSFUser", "LookUp", "RegisterDSFStreetAdd", "RegisterDSFPropertyAdd"]

# Intermediary/Receipt/2009/10
ReceiptStatusEnum = enumeration("ReceiptStatusEnum", NS_RECEIPT_2009_10,
                                ["NotSet", "OK", "UnExpectedError", "ValidationFailed", "Rejected"])
ReceiptTypeEnum = enumeration("ReceiptTypeEnum", NS_RECEIPT_2009_10, _RECEIPT_TYPES)

# Intermediary/Shipment/2009/10
ReferenceType = enumeration("ReferenceType", NS_SHIPMENT_2009_10, [
    "NotSet", "ExternalShipmentReference", "EndUserSystemReference", "ParentReference", "SendersReference",
    "WorkFlowReference", "BatchReference", "OutboundShipmentReference", "ReceiversReference", "Altinn1Reference",
    "OwnerPartyReference", "PartyReference", "ArchiveReference"])

# Intermediary/Receipt/2015/06: the 2009/10 receipt types and BrokerService
ReceiptType = enumeration("ReceiptType", NS_RECEIPT_2015_06, _RECEIPT_TYPES + ["BrokerService"])

_Int = Integer32(nillable=False)
_DateTime = DateTime(nillable=False)


# -- Intermediary/Receipt/2009/10 ------------------------------------------------------------------

class Reference(ComplexModel):
    __namespace__ = NS_RECEIPT_2009_10
    _type_info = [
        ("ReferenceTypeName", ReferenceType(nillable=False)),
        ("ReferenceValue", Unicode),
    ]


class ReferenceList(ComplexModel):
    __namespace__ = NS_RECEIPT_2009_10
    _type_info = [("Reference", repeated(Reference))]


class ReceiptExternal(ComplexModel):
    __namespace__ = NS_RECEIPT_2009_10
    _type_info = [
        ("LastChanged", _DateTime),
        ("ParentReceiptId", _Int),
        ("ReceiptHistory", Unicode),
        ("ReceiptId", _Int),
        ("ReceiptStatusCode", ReceiptStatusEnum(nillable=False)),
        ("ReceiptText", Unicode),
        ("ReceiptTypeName", ReceiptTypeEnum(nillable=False)),
        ("References", ReferenceList),
        # SubReceipts (ReceiptExternalList) is appended below
    ]


class ReceiptExternalList(ComplexModel):
    __namespace__ = NS_RECEIPT_2009_10
    _type_info = [("ReceiptExternal", repeated(ReceiptExternal))]


ReceiptExternal.append_field("SubReceipts", ReceiptExternalList)


class ReceiptSearchExternal(ComplexModel):
    __namespace__ = NS_RECEIPT_2009_10
    _type_info = [
        ("ReceiptId", _Int),
        ("References", ReferenceList),
    ]


class ReceiptSaveExternal(ComplexModel):
    __namespace__ = NS_RECEIPT_2009_10
    _type_info = [
        ("ArchiveReference", Unicode),
        ("ReceiptId", _Int),
        ("ReceiptStatusCode", ReceiptStatusEnum(nillable=False)),
        ("ReceiptText", Unicode),
        ("References", ReferenceList),
        # SubReceipts (ReceiptSaveExternalList) is appended below
    ]


class ReceiptSaveExternalList(ComplexModel):
    __namespace__ = NS_RECEIPT_2009_10
    _type_info = [("ReceiptSaveExternal", repeated(ReceiptSaveExternal))]


ReceiptSaveExternal.append_field("SubReceipts", ReceiptSaveExternalList)


# -- Intermediary/Receipt/2015/06 ------------------------------------------------------------------

class ReferenceV2(ComplexModel):
    __namespace__ = NS_RECEIPT_2015_06
    __type_name__ = "Reference"
    _type_info = [
        ("ReferenceType", ReferenceType(min_occurs=1, nillable=False)),
        ("ReferenceValue", Unicode(min_occurs=1)),
    ]


class ReferenceListV2(ComplexModel):
    __namespace__ = NS_RECEIPT_2015_06
    __type_name__ = "ReferenceList"
    _type_info = [("Reference", repeated(ReferenceV2))]


class Receipt(ComplexModel):
    __namespace__ = NS_RECEIPT_2015_06
    _type_info = [
        ("LastChanged", _DateTime),
        ("ParentReceiptId", _Int),
        ("ReceiptHistory", Unicode),
        ("ReceiptId", _Int),
        ("ReceiptStatus", ReceiptStatusEnum(nillable=False)),
        ("ReceiptTemplate", Unicode),
        ("ReceiptText", Unicode),
        ("ReceiptType", ReceiptType(nillable=False)),
        ("References", ReferenceListV2),
        # SubReceipts (ReceiptList) is appended below
    ]


class ReceiptList(ComplexModel):
    __namespace__ = NS_RECEIPT_2015_06
    _type_info = [("Receipt", repeated(Receipt))]


Receipt.append_field("SubReceipts", ReceiptList)


class ReceiptSearch(ComplexModel):
    __namespace__ = NS_RECEIPT_2015_06
    _type_info = [
        ("ReceiptId", _Int),
        ("References", ReferenceListV2),
    ]


class ReceiptSave(ComplexModel):
    __namespace__ = NS_RECEIPT_2015_06
    _type_info = [
        ("ArchiveReference", Unicode),
        ("ReceiptId", _Int),
        ("ReceiptStatus", ReceiptStatusEnum(min_occurs=1, nillable=False)),
        ("ReceiptText", Unicode(min_occurs=1)),
        ("References", ReferenceListV2),
        # SubReceipts (ReceiptSaveList) is appended below
    ]


class ReceiptSaveList(ComplexModel):
    __namespace__ = NS_RECEIPT_2015_06
    _type_info = [("ReceiptSave", repeated(ReceiptSave))]


ReceiptSave.append_field("SubReceipts", ReceiptSaveList)
