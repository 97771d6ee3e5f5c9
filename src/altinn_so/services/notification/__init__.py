"""NotificationAgencyExternal, standalone notifications (docs/behaviour/notifications.md).

``rules`` holds what a standalone notification adds to the core notification engine (no SOAP), ``contract``
the wire contract and its handlers, ``wire_types`` the generated wire types. Its messages land in the core
outbox, which the admin API shows for every service.
"""

from altinn_so.service import AltinnService

from .contract import NOTIFICATION_AGENCY_EXTERNAL
from .rules import StandaloneNotificationService, StandaloneSettings


def _build(emulator, settings: StandaloneSettings) -> dict:
    return {"standalone_notifications": StandaloneNotificationService(
        emulator.notifications, emulator.outbox, emulator.db.transaction, settings)}


SERVICE = AltinnService(
    key="notification",
    contracts=(NOTIFICATION_AGENCY_EXTERNAL,),
    build=_build,
    default_settings=StandaloneSettings(),
)

__all__ = ["SERVICE", "StandaloneNotificationService", "StandaloneSettings"]
