"""Who may log in to the SFTP server: an agency system of the seed, by its password or by an SSH public key the
seed names for it (docs/behaviour/sftp.md). Blocking: it reads the store, so it runs off the event loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain.auth import AuthMode
from ..domain.errors import AltinnError

log = logging.getLogger("altinn_so.sftp")


@dataclass(frozen=True)
class Login:
    """A logged-in agency system and the service owner whose folders it sees."""

    owner: str  # ServiceOwner.code
    system: str  # AgencySystem.username


def by_password(emulator, username: str, password: str) -> Login | None:
    """The login of ``username`` with ``password``, as the SOAP services check it (the same lock-out: failures
    over SFTP and SOAP count together); None if refused."""
    emulator.sync()
    try:
        caller = emulator.authenticator.authenticate(username, password, mode=AuthMode.PASSWORD)
    except AltinnError as exc:
        log.info("SFTP login of %r refused: %s", username, exc.message)
        return None
    return Login(caller.owner.code, caller.system.username)


def public_keys_of(emulator, username: str) -> tuple[str, ...]:
    """The OpenSSH public key lines the seed names for the system ``username`` (none for an unknown one)."""
    emulator.sync()
    system = emulator.catalog.get_system(username)
    return system.ssh_public_keys if system is not None else ()


def by_public_key(emulator, username: str) -> Login | None:
    """The login of ``username`` once its key was checked (the system may be gone since: then None)."""
    system = emulator.catalog.get_system(username)
    return Login(system.owner, system.username) if system is not None else None
