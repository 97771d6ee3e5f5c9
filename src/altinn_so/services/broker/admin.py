"""What the admin API and page show of the broker (shipments, their recipients and files), and its routes: a
shipment's file as bytes, and "the next upload of this reference carries a virus" (ErrorID 40209)."""

from __future__ import annotations

from altinn_so.admin.api import ApiError, Content
from altinn_so.service import AdminRoute, Listing


def _recipients(shipment) -> str:
    return ", ".join(f"{r.party} {r.status or 'waiting'}" for r in shipment.recipients)


LISTINGS = (
    Listing(
        "broker-shipments", "broker_shipments",
        read=lambda emulator, newest: emulator.broker_store.list(newest),
        title="Broker shipments",
        columns=("#", "initiated", "reference", "service", "sender", "recipients", "file", "size", "state",
                 "expires"),
        row=lambda s: [s.id, s.initiated_at, s.reference, f"{s.service_code}/{s.service_edition}", s.sender,
                       _recipients(s), s.file_name or "", s.file.size if s.file else "", s.state,
                       s.expires_at or ""],
        empty="No broker shipment yet."),
)


def _shipment(emulator, request):
    shipment = emulator.broker_store.get(request.params["reference"])
    if shipment is None:
        raise ApiError(404, f"no broker shipment {request.params['reference']}")
    return shipment


def _file(emulator, request):
    shipment = _shipment(emulator, request)
    if shipment.file is None:
        raise ApiError(404, f"the shipment {shipment.reference} has no file (not uploaded, or removed)")
    with emulator.files.open(shipment.file.sha256) as handle:  # whole, in memory: the admin API is for tests
        return Content(handle.read(), "application/zip", shipment.file_name or "")


def _infect(emulator, request):
    _shipment(emulator, request)
    return emulator.broker.mark_infected(request.params["reference"]).to_dict()


ADMIN_ROUTES = (
    AdminRoute("GET", r"/broker/shipments/(?P<reference>[^/]+)/file", _file),
    AdminRoute("POST", r"/broker/shipments/(?P<reference>[^/]+)/infected", _infect),
)
