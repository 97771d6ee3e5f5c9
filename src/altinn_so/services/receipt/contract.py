"""ReceiptAgencyExternal (receipts), declared once for Basic, WS, EC and EC2 (docs/behaviour/receipts.md).

Two generations of the contract live side by side: the legacy operations
(GetReceipt, GetReceiptList, SaveReceipt) speak ``ReceiptExternal`` (2009/10,
``ReceiptStatusCode``/``ReceiptTypeName``), the newer ones (GetReceiptV2,
GetReceiptListV2, UpdateReceipt) speak ``Receipt`` (2015/06,
``ReceiptStatus``/``ReceiptType``). One domain serves both.
"""

from __future__ import annotations

from spyne import DateTime

from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.receipts import ReceiptSave, Reference
from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract
from altinn_so.soap.receipts import receipt_external, receipt_v2

from . import wire_types as types

NAMESPACE_BASIC = "http://www.altinn.no/services/Intermediary/Receipt/2009/10"
NAMESPACE_EC = "http://www.altinn.no/services/Intermediary/Receipt/2010/10"


# -- wire -> domain -------------------------------------------------------------------------------------

_value = codec.value


def references(data: dict | None, type_key: str) -> list[Reference]:
    items = ((data or {}).get("References") or {}).get("Reference") or []
    return [Reference(_value(item, type_key) or "NotSet", item.get("ReferenceValue") or "")
            for item in items if item is not None]


def receipt_save(data: dict | None, *, legacy: bool) -> ReceiptSave:
    data = data or {}
    item_key = "ReceiptSaveExternal" if legacy else "ReceiptSave"
    subs = (data.get("SubReceipts") or {}).get(item_key) or []
    return ReceiptSave(
        receipt_id=_value(data, "ReceiptId"),
        archive_reference=data.get("ArchiveReference"),
        status=_value(data, "ReceiptStatusCode" if legacy else "ReceiptStatus"),
        text=data.get("ReceiptText"),
        references=tuple(references(data, "ReferenceTypeName" if legacy else "ReferenceType")),
        sub_receipts=tuple(receipt_save(sub, legacy=legacy) for sub in subs if sub is not None),
    )


# -- the 2017 EC contract ---------------------------------------------------------------------------------

_RECEIPT_2009_10 = "{http://schemas.altinn.no/services/Intermediary/Receipt/2009/10}"


def _refuse_2009_members(call, what: str) -> None:
    """A GetReceiptV2 or UpdateReceipt whose ``receipt`` speaks the 2009/10 members (ReceiptId, ReceiptStatusCode,
    ... in the 2009/10 namespace), as the 2017 EC WSDL declares these operations, gets a fault that says so.

    Read as today's 2015/06 contract, every member would be skipped (as WCF skips members of another namespace),
    and the call would answer "no receipt" (30008) for a receipt that exists, or "specify ReceiptId"
    (docs/behaviour/decisions.md, D30).
    """
    if call.body is None:
        return
    for parameter in call.body:
        if isinstance(parameter.tag, str) and parameter.tag.endswith("}receipt") and any(
                isinstance(member.tag, str) and member.tag.startswith(_RECEIPT_2009_10) for member in parameter):
            raise AltinnError(ErrorCode.GENERAL_ERROR, (
                f"{call.operation.wire_name} received a 2009/10 {what}, as the 2017 EC contract declares this "
                "operation. The emulator serves today's contract, the one the EC2 WSDL has (2015/06 members); "
                f"build the client from {call.endpoint.path}?wsdl or from ReceiptAgencyExternalEC2.wsdl."))


# -- handlers ------------------------------------------------------------------------------------------

def _get(call, args, *, legacy: bool):
    search = args.get("receipt") or {}
    found = call.emulator.receipts.get(call.caller, _value(search, "ReceiptId"),
                                       references(search, "ReferenceTypeName" if legacy else "ReferenceType"))
    return receipt_external(found) if legacy else receipt_v2(found)


def get_receipt(call, args):
    return _get(call, args, legacy=True)


def get_receipt_v2(call, args):
    _refuse_2009_members(call, "ReceiptSearchExternal")
    return _get(call, args, legacy=False)


def _list(call, args):
    return call.emulator.receipts.list(call.caller, _value(args, "receiptTypeName"), _value(args, "dateFrom"),
                                       _value(args, "dateTo"))


def get_receipt_list(call, args):
    return {"ReceiptExternal": [receipt_external(r) for r in _list(call, args)]}


def get_receipt_list_v2(call, args):
    return {"Receipt": [receipt_v2(r) for r in _list(call, args)]}


def save_receipt(call, args):
    return receipt_external(call.emulator.receipts.update(call.caller, receipt_save(args.get("receipt"),
                                                                                    legacy=True)))


def update_receipt(call, args):
    _refuse_2009_members(call, "ReceiptSaveExternal")
    return receipt_v2(call.emulator.receipts.update(call.caller, receipt_save(args.get("receipt"), legacy=False)))


_BASIC_FAMILY = frozenset({"basic", "ws"})
_EC_FAMILY = frozenset({"ec", "ec2"})
_REQUIRED = {"min_occurs": 1, "nillable": False}


def _legacy(name: str, handler, params_basic: tuple, params_ec: tuple, returns) -> tuple[Operation, Operation]:
    """The 2009/10 operations: everything optional on Basic/WS, required on EC/EC2 (as the real WSDLs say)."""
    return (Operation(name, handler, bindings=_BASIC_FAMILY, params=params_basic, returns=returns,
                      optional_credentials=True),
            Operation(name, handler, bindings=_EC_FAMILY, params=params_ec, returns=returns))


RECEIPT_AGENCY_EXTERNAL = ServiceContract(
    name="ReceiptAgencyExternal",
    area="IntermediaryExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": NAMESPACE_BASIC, "ec": NAMESPACE_EC},
    service_names={"ec": "ReceiptAgencyExternalEC", "ec2": "ReceiptAgencyExternalEC2"},
    operations=(
        *_legacy("GetReceipt", get_receipt,
                 (("receipt", types.ReceiptSearchExternal),),
                 (("receipt", types.ReceiptSearchExternal.customize(**_REQUIRED)),),
                 types.ReceiptExternal),
        Operation("GetReceipt", get_receipt_v2, version=2,
                  params=(("receipt", types.ReceiptSearch.customize(**_REQUIRED)),), returns=types.Receipt),
        *_legacy("GetReceiptList", get_receipt_list,
                 (("receiptTypeName", types.ReceiptTypeEnum(nillable=False)),
                  ("dateFrom", DateTime(nillable=False)), ("dateTo", DateTime(nillable=False))),
                 (("receiptTypeName", types.ReceiptTypeEnum(**_REQUIRED)),
                  ("dateFrom", DateTime(**_REQUIRED)), ("dateTo", DateTime(**_REQUIRED))),
                 types.ReceiptExternalList),
        Operation("GetReceiptList", get_receipt_list_v2, version=2,
                  params=(("receiptTypeName", types.ReceiptType(**_REQUIRED)),
                          ("dateFrom", DateTime(nillable=False)), ("dateTo", DateTime(nillable=False))),
                  returns=types.ReceiptList),
        *_legacy("SaveReceipt", save_receipt,
                 (("receipt", types.ReceiptSaveExternal),),
                 (("receipt", types.ReceiptSaveExternal.customize(**_REQUIRED)),),
                 types.ReceiptExternal),
        Operation("UpdateReceipt", update_receipt, params=(("receipt", types.ReceiptSave.customize(**_REQUIRED)),),
                  returns=types.Receipt),
    ),
)
