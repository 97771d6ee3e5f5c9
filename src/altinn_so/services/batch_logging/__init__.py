"""BatchLoggingAgencyExternal: what became of each batch file a service owner delivered, its items and their
issues (docs/behaviour/batch-logging.md).

``rules`` reads the batch log (no SOAP), ``contract`` holds the wire contract and its handlers, ``wire_types`` the
generated wire types. It has no tables of its own: the log is the batch service's (``emulator.batch_store``).
"""

from altinn_so.service import AltinnService

from .contract import BATCH_LOGGING, DATA_BATCH_TYPES
from .rules import BatchLog


def _build(emulator, settings) -> dict:
    store = getattr(emulator, "batch_store", None)
    if store is None:
        raise ValueError("BatchLogging reads the batch log: offer batch before it")
    return {"batch_logging": BatchLog(store, DATA_BATCH_TYPES)}


SERVICE = AltinnService(
    key="batch_logging",
    contracts=(BATCH_LOGGING,),
    build=_build,
)

__all__ = ["SERVICE", "BatchLog"]
