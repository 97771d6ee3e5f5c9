"""The Altinn services the emulator offers, each declared once (see ``soap.contract``)."""

from .correspondence import CORRESPONDENCE_AGENCY_EXTERNAL
from .notification import NOTIFICATION_AGENCY_EXTERNAL
from .receipt import RECEIPT_AGENCY_EXTERNAL

CONTRACTS = (CORRESPONDENCE_AGENCY_EXTERNAL, NOTIFICATION_AGENCY_EXTERNAL, RECEIPT_AGENCY_EXTERNAL)
