"""What one Altinn service brings to the emulator, declared once in its package.

Each service package (``altinn_so.services.<name>``) ends in one ``AltinnService`` value, and
``altinn_so.services.SERVICES`` lists them: the one place a service is registered. The emulator builds each
service's domain objects and creates its tables; the SOAP front serves its contracts on their bindings and
generates their WSDLs; the admin API and page show its listings and answer its routes; the pytest plugin
finds its endpoints by its key. None of them names a service.

This module is shared machinery: it imports no service.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Hashable, Mapping

if TYPE_CHECKING:  # (types only: the wire and the store are not imported to declare a service)
    from .soap.contract import ServiceContract
    from .store.schema import TableGroup


@dataclass(frozen=True)
class Cell:
    """A cell of an admin page table with a style: ``ok``, ``fault`` or ``muted``."""

    value: Any
    css: str = ""


@dataclass(frozen=True)
class Listing:
    """One kind of object a service stores, as the admin API and page show it.

    ``GET /_admin/state/<kind>`` lists the objects (their ``to_dict()``), ``GET /_admin/state`` counts the rows
    of ``table``, and with ``columns`` the admin page shows the newest as a table: ``row`` gives the cells of
    one object (values, ``datetime`` in Norwegian time, or ``Cell`` for a styled one).
    """

    kind: str  # e.g. "correspondences"
    table: str
    read: Callable[[Any, int | None], list]  # (emulator, the newest N or all) -> objects, oldest first
    title: str = ""
    columns: tuple[str, ...] = ()
    row: Callable[[Any], list] | None = None
    empty: str = "Nothing yet."

    @property
    def on_page(self) -> bool:
        return bool(self.columns) and self.row is not None


@dataclass(frozen=True)
class AdminRoute:
    """An admin endpoint of a service's own, under ``/_admin``: ``handler(emulator, request)`` returns the JSON
    payload (or ``(status, payload)``, or ``(status, payload, headers)``; a payload of ``admin.worklist.Content`` is
    sent as its bytes) and raises ``admin.api.ApiError`` for a 4xx."""

    method: str
    pattern: str  # a regular expression of the path after /_admin; named groups become ``request.params``
    handler: Callable[[Any, Any], Any]


@dataclass(frozen=True)
class SeedSection:
    """A top-level section of the seed file that a service reads: a list of mappings, each an entity.

    ``build`` makes one entry's entity (a ``KeyError``, ``TypeError`` or ``ValueError`` names a bad entry); an
    entry of a later seed file with the same ``key`` replaces an earlier one; ``put(emulator, entity)`` writes it
    into the service's store, into tables its ``TableGroup`` lists as ``seed_tables`` (a reset empties them and
    writes the seed again). With ``owner``, each entity's service owner must be one the seed or the store has.
    """

    name: str  # the section's key in a seed file, e.g. "notes"
    build: Callable[[dict], Any]
    key: Callable[[Any], Hashable]
    put: Callable[[Any, Any], None]
    owner: Callable[[Any], str] | None = None


@dataclass(frozen=True, eq=False)  # (compared and hashed by identity: one value per service)
class AltinnService:
    """One Altinn service: its wire contracts, its tables, its domain objects and its admin views.

    ``build(emulator, settings)`` returns the service's domain objects by name; the emulator keeps each as an
    attribute of that name (``emulator.correspondence``), so that its handlers, the admin views and tests reach
    them. ``settings`` is ``Settings.service_settings[key]`` when given, else ``default_settings``.

    Its reference data comes from seed files like the core's: ``seed_sections`` are the top-level sections it
    reads, and ``default_seed`` what it adds to the embedded default (loaded whenever the default is).
    """

    key: str  # the name users and tests give it: "correspondence"
    contracts: tuple["ServiceContract", ...] = ()
    tables: "TableGroup | None" = None
    build: Callable[[Any, Any], Mapping[str, object]] | None = None
    default_settings: Any = None
    listings: tuple[Listing, ...] = ()
    admin_routes: tuple[AdminRoute, ...] = ()
    admin_pages: tuple[tuple[str, str], ...] = ()  # (title, path) of pages among its routes, linked from the page
    seed_sections: tuple[SeedSection, ...] = ()
    default_seed: Path | None = None  # its additions to the embedded default seed (a seed file in its package)
    # Called with (emulator, ArchivedFormTask) inside the transaction of each form task the end user submits
    # (``domain.worklist``): the download queue queues it.
    on_archived: Callable[[Any, Any], None] | None = None
    # Work the emulator's clock makes due, e.g. subscriptions to activate: called with the emulator whenever the
    # clock is moved and on each tick of the server's scheduler (``Emulator.run_due_work``), outside any
    # transaction (it takes its own, one per thing done, and none when nothing is due); returns how many things
    # it did.
    due_work: Callable[[Any], int] | None = None

    def __repr__(self) -> str:
        return f"AltinnService({self.key!r})"

    def __post_init__(self):
        if not self.key.isidentifier():
            raise ValueError(f"a service key is a plain name, not {self.key!r}")

