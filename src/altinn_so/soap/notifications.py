"""The notification contracts' receiver end points, text tokens and shipment time as the core notification
engine takes them: shared by standalone notifications and every service whose requests carry notifications
(correspondence today, prefill to come)."""

from __future__ import annotations

from ..domain.notifications.model import EndPointRequest
from ..domain.values import BLANK
from . import codec

_value = codec.value


def endpoints_of(item: dict) -> list[EndPointRequest]:
    """ReceiverEndPoints of any notification contract (2009/10 or 2022/11)."""
    endpoint_list = item.get("ReceiverEndPoints") or {}
    return [
        EndPointRequest(transport=_value(e, "TransportType"), address=e.get("ReceiverAddress"))
        for e in endpoint_list.get("ReceiverEndPoint") or () if e is not None
    ]


def tokens_of(item: dict) -> list[str | None] | None:
    """TokenValues in document order; a TextToken without one (or nil) is None."""
    if item.get("TextTokens") is None:
        return None
    return [None if t is None else t.get("TokenValue") for t in item["TextTokens"].get("TextToken") or ()]


def shipment_time_of(item: dict):
    """A notification's ShipmentDateTime: BLANK when present but empty (an error), None when not set
    (``DateTime.MinValue`` included: a .NET proxy sends it for a time the caller did not set)."""
    shipment = item.get("ShipmentDateTime")
    if shipment is codec.EMPTY:
        return BLANK
    return None if codec.is_unset_time(shipment) else shipment
