"""Contracts every Altinn service shares: the AltinnFault detail."""

from spyne import ComplexModel, Integer32, Unicode

from ..namespaces import ALTINN_FAULT


class AltinnFault(ComplexModel):
    __namespace__ = ALTINN_FAULT
    _type_info = [
        ("AltinnErrorMessage", Unicode),
        ("AltinnExtendedErrorMessage", Unicode),
        ("AltinnLocalizedErrorMessage", Unicode),
        ("ErrorGuid", Unicode),
        ("ErrorID", Integer32(nillable=False)),
        ("UserGuid", Unicode),
        ("UserId", Unicode),
    ]
