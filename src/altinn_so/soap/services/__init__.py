"""The Altinn services the emulator offers, each declared once (see ``soap.contract``)."""

from .notification import NOTIFICATION_AGENCY_EXTERNAL

CONTRACTS = (NOTIFICATION_AGENCY_EXTERNAL,)
