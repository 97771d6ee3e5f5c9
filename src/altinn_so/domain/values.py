"""Values that plain Python has no word for."""

from __future__ import annotations


class _Blank:
    """An element the client sent without a value (``<ShipmentDateTime/>``), as opposed to leaving it out.

    Altinn treats some fields differently in the two cases (catalogue §7.14).
    """

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "BLANK"


BLANK = _Blank()
