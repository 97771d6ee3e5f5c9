"""What the admin API and page show of the batch interface, and what they do (docs/behaviour/batch-logging.md,
"Admin API"): the batches with their items and issues, the outbound files, an upload without SFTP and a round of
reading now."""

from __future__ import annotations

import re

from altinn_so.admin.errors import ApiError
from altinn_so.admin.worklist import Content
from altinn_so.service import AdminRoute, Cell, Listing

from .rules import CRITICAL, ERROR, PROCESSED, REFUSED, WARNING

_STATE_CSS = {PROCESSED: "ok", REFUSED: "fault"}
_LEVEL_CSS = {CRITICAL: "fault", ERROR: "fault", WARNING: ""}
_CHUNK = 1024 * 1024
# A file name as an owner's SFTP folder holds it: no folders, no control characters
_FILE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,255}$")


def _batch_state(batch) -> Cell:
    return Cell(batch.state, _STATE_CSS.get(batch.state, ""))


LISTINGS = (
    Listing(
        "data-batches", "data_batches",
        read=lambda emulator, newest: emulator.batch.batches(newest),
        title="Batches",
        columns=("#", "received", "owner", "system", "file", "kind", "sequence", "state", "items", "issues",
                 "finished"),
        row=lambda b: [b.id, b.received_at, b.owner, b.system, b.file_name, b.kind, b.sequence, _batch_state(b),
                       b.items, Cell(b.issues, "fault" if b.issues else ""), b.finished_at],
        empty="No batch yet: a file a service owner puts in its inbound folder over SFTP (or POST "
              "/_admin/batches) lands here; GET /_admin/batches/{id} shows its items and issues."),
    Listing(
        "batch-issues", "batch_issues",
        read=lambda emulator, newest: emulator.batch_store.list_issues(newest),
        title="Batch issues",
        columns=("#", "at", "batch", "item", "level", "code", "description"),
        row=lambda i: [i.id, i.at, i.batch_id, i.item_id, Cell(i.level, _LEVEL_CSS.get(i.level, "muted")), i.code,
                       i.description],
        empty="No issue in any batch."),
    Listing(
        "outbound-files", "outbound_files",
        read=lambda emulator, newest: emulator.batch_store.list_outbound(newest),
        title="Outbound files",
        columns=("#", "created", "owner", "name", "kind", "bytes", "fetched"),
        row=lambda f: [f.id, f.created_at, f.owner, f.name, f.kind, f.size,
                       Cell(f.removed_at, "muted") if f.removed_at else ""],
        empty="No outbound file: archived submissions and read receipts of services delivered by batch land in "
              "their owner's outbound folder."),
)


def _batch(emulator, request):
    batch = emulator.batch_store.get_batch(int(request.params["id"]))
    if batch is None:
        raise ApiError(404, f"no batch {request.params['id']}")
    return {**batch.to_dict(), "data_items": [item.to_dict() for item in emulator.batch_store.items_of(batch.id)],
            "issues": [issue.to_dict() for issue in emulator.batch_store.issues_of(batch.id)]}


def _body_chunks(request):
    """The request body, read in chunks as it comes (an upload may be larger than the admin API's JSON bodies)."""
    left = int(request.environ.get("CONTENT_LENGTH") or 0)
    stream = request.environ["wsgi.input"]
    while left > 0:
        chunk = stream.read(min(_CHUNK, left))
        if not chunk:
            raise ApiError(400, "the body ended before its Content-Length")
        left -= len(chunk)
        yield chunk


def _upload(emulator, request):
    """A batch file as if the owner's system had put it in its inbound folder: into the file store, then a batch
    that waits for the next round."""
    owner, system, file_name = (request.query.get(key) or "" for key in ("owner", "system", "file_name"))
    if emulator.catalog.get_owner(owner) is None:
        raise ApiError(400, f"owner={owner!r} is no service owner of the seed")
    agency_system = emulator.catalog.get_system(system)
    if agency_system is None or agency_system.owner != owner:
        raise ApiError(400, f"system={system!r} is no agency system of {owner}")
    if not _FILE_NAME.match(file_name):
        raise ApiError(400, f"file_name={file_name!r} must be a file name without folders")
    if not int(request.environ.get("CONTENT_LENGTH") or 0):
        raise ApiError(400, "the body is the batch file, and it is empty")
    stored = emulator.files.put(_body_chunks(request))
    batch = emulator.batch.receive(owner, system, file_name, stored.sha256, stored.size)
    return 201, batch.to_dict()


def _process(emulator, request):
    """Rounds now until no batch waits (after the round the server's timer may be in): the batches read."""
    read = []
    while True:
        done = emulator.batch.process_waiting()
        if not done:
            return {"batches": [batch.to_dict() for batch in read]}
        read.extend(done)


def _outbound(emulator, request):
    return {"files": [f.to_dict() for f in emulator.batch_store.outbound_of(request.params["owner"])]}


def _outbound_file(emulator, request):
    owner, name = request.params["owner"], request.params["name"]
    found = next((f for f in emulator.batch_store.outbound_of(owner) if f.name == name), None)
    if found is None:
        raise ApiError(404, f"no file {name!r} in {owner}'s outbound folder")
    with emulator.files.open(found.file) as file:
        return Content(file.read(), "application/octet-stream", found.name)


ROUTES = (
    AdminRoute("GET", "/batches/(?P<id>[0-9]{1,18})", _batch),
    AdminRoute("POST", "/batches", _upload),
    AdminRoute("POST", "/batches/process", _process),
    AdminRoute("GET", "/outbound/(?P<owner>[^/]{1,64})", _outbound),
    AdminRoute("GET", "/outbound/(?P<owner>[^/]{1,64})/(?P<name>[^/]{1,255})", _outbound_file),
)
