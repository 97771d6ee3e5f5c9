"""CorrespondenceAgencyExternal, the message service (docs/behaviour/correspondence.md).

``rules`` holds Altinn's rules and state (no SOAP), ``store`` its tables, ``contract`` the wire contract and
its handlers, ``wire_types`` the generated wire types, ``admin`` what the admin API and page show.
"""

from altinn_so.service import AltinnService

from . import admin
from .contract import CORRESPONDENCE_AGENCY_EXTERNAL
from .rules import CorrespondenceService
from .rules.model import (BinaryAttachment, CorrespondenceRequest, CorrespondenceSettings, ReplyOption, SdpNotice,
                          SdpRequest, XmlAttachment)
from .store import TABLES, SqlCorrespondences


def _build(emulator, settings: CorrespondenceSettings) -> dict:
    store = SqlCorrespondences(emulator.db)
    service = CorrespondenceService(
        store, emulator.receipts, emulator.notifications, emulator.outbox, emulator.registry, emulator.catalog,
        emulator.clock, emulator.db.transaction, lambda: emulator.db.next_value("simple_service"), settings,
        archive=emulator.archive, cases=emulator.case_links)
    return {"correspondence_store": store, "correspondence": service}


SERVICE = AltinnService(
    key="correspondence",
    contracts=(CORRESPONDENCE_AGENCY_EXTERNAL,),
    tables=TABLES,
    build=_build,
    default_settings=CorrespondenceSettings(),
    listings=admin.LISTINGS,
    admin_routes=admin.ADMIN_ROUTES,
)

# The request types are public: the batch interface reads correspondences from files into the same requests.
__all__ = ["SERVICE", "BinaryAttachment", "CorrespondenceRequest", "CorrespondenceService", "CorrespondenceSettings",
           "ReplyOption", "SdpNotice", "SdpRequest", "XmlAttachment"]
