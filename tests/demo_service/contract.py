"""The demo service on the wire: DemoAgencyExternal on Basic and WS, one operation."""

from __future__ import annotations

from spyne import Integer32, Unicode

from altinn_so.soap.contract import Operation, ServiceContract

NAMESPACE = "http://www.altinn.no/services/ServiceEngine/Demo/2026/12"


def save_note(call, args) -> int:
    return call.emulator.notes.save(call.caller, args.get("note")).id


DEMO_AGENCY_EXTERNAL = ServiceContract(
    name="DemoAgencyExternal",
    area="ServiceEngineExternal",
    bindings=("basic", "ws"),
    namespaces={"basic": NAMESPACE},
    operations=(Operation("SaveNote", save_note, params=(("note", Unicode),), returns=Integer32),),
)
