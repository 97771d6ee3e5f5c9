"""What the admin API and page show of the push, and what they do: a round now, a retry now.

``/_admin/push`` is the push's own page: each receiver with its mode and queue, every attempt with the request as
sent (its base64 described) and the reply as received, and a button that retries the head of a waiting queue now.
It is plain HTML with no scripts, like the rest of the admin page.
"""

from __future__ import annotations

from html import escape

from altinn_so.admin.errors import ApiError
from altinn_so.admin.page import _document, _table, _td, _time, pretty_xml
from altinn_so.admin.worklist import Content
from altinn_so.service import AdminRoute, Cell, Listing

from .rules import GIVEN_UP, PUSHED, QUEUE_MODE, WAITING, Push, UnknownPush

PAGE = "/_admin/push"
_SHOWN = 200  # pushes the page shows, newest first
_STATE_CSS = {PUSHED: "ok", GIVEN_UP: "fault", WAITING: ""}


def _state(push: Push) -> Cell:
    if push.state == WAITING and push.mode == QUEUE_MODE:
        return Cell("waiting (queue mode)", "fault")
    return Cell(push.state, _STATE_CSS.get(push.state, ""))


LISTINGS = (
    Listing(
        "pushes", "push_queue",
        read=lambda emulator, newest: emulator.push.pushes(newest),
        title="Pushes",
        columns=("#", "queued", "receiver", "sequence", "archive reference", "state", "attempts", "last outcome"),
        row=lambda p: [p.id, p.queued_at, p.receiver, p.sequence_number, p.archive_reference, _state(p), p.attempts,
                       p.last_outcome],
        empty="Nothing pushed yet: a submission of a form service whose seed names a push receiver lands here "
              f"(and on {PAGE})."),
    Listing(
        "push-attempts", "push_attempts",
        read=lambda emulator, newest: emulator.push_store.list_attempts(newest),
        title="Push attempts"),
)


def _round(emulator, request):
    attempts = emulator.push.run_round()
    return {"attempts": [attempt.to_dict() for attempt in attempts]}


def _push(emulator, request):
    try:
        push, attempts = emulator.push.push_with_attempts(int(request.params["id"]))
    except UnknownPush as error:
        raise ApiError(404, str(error)) from None
    return {**push.to_dict(), "attempts": [attempt.to_dict() for attempt in attempts]}


def _retry(emulator, request):
    """Retry now: a JSON call answers the attempts made; the page's button is sent back to the page."""
    try:
        attempts = emulator.push.retry_now(int(request.params["id"]))
    except UnknownPush as error:
        raise ApiError(404, str(error)) from None
    if (request.environ.get("CONTENT_TYPE") or "").startswith("application/x-www-form-urlencoded"):
        return 303, {"see": PAGE}, [("Location", PAGE)]
    return {"attempts": [attempt.to_dict() for attempt in attempts]}


def _page(emulator, request):
    return Content(render(emulator).encode("utf-8"), "text/html; charset=utf-8")


ROUTES = (
    AdminRoute("POST", "/push/round", _round),
    AdminRoute("GET", "/pushes/(?P<id>[0-9]{1,18})", _push),
    AdminRoute("POST", "/pushes/(?P<id>[0-9]{1,18})/retry", _retry),
    AdminRoute("GET", "/push", _page),
)


def render(emulator) -> str:
    pushes = emulator.push.pushes(_SHOWN)
    receivers: dict[str, list[Push]] = {}
    for push in reversed(pushes):
        receivers.setdefault(push.receiver, []).append(push)
    sections = [_receiver(emulator, key, queue) for key, queue in sorted(receivers.items())]
    if not sections:
        sections = ['<p class="empty">Nothing pushed yet. A form service pushes its submissions when the seed gives '
                    "it a <code>push</code> receiver (docs/seed-format.md); nothing leaves the machine otherwise.</p>"]
    nav = '<a href="/_admin/">Admin page</a><a href="/_admin/state/pushes">JSON</a>'
    return _document(emulator, nav, '<section><h2>Pushes to the service owners\' receivers</h2>'
                                    + "".join(sections) + "</section>")


def _receiver(emulator, key: str, pushes: list[Push]) -> str:
    config = pushes[0].config
    waiting = [push for push in pushes if push.state == WAITING]
    head = min(waiting, key=lambda push: push.id) if waiting else None
    mode = "queue mode: the head is retried until the receiver answers" if head and head.mode == QUEUE_MODE \
        else "online"
    retry = (f'<form method="post" action="/_admin/pushes/{head.id}/retry"><input type="hidden" name="from" '
             f'value="page"><button type="submit">Retry now</button></form>' if head else "")
    facts = (f"<p>{escape(config.url)} — owner {escape(pushes[0].owner)}, SOAP {escape(config.soap_version)}, "
             f"attachments {escape(config.attachments)}; <strong>{escape(mode)}</strong>; {len(waiting)} waiting"
             + (f", next attempt {escape(_time(head.next_attempt_at))}" if head and head.next_attempt_at else "")
             + "</p>")
    rows = [[_td(p.id), _td(p.sequence_number), _td(p.archive_reference), _td(_time(p.queued_at)),
             _td(_state(p).value, _state(p).css), _td(p.attempts), _td(p.last_outcome),
             f"<td>{_attempts(emulator, p)}</td>"] for p in pushes]
    table = _table(["#", "sequence", "archive reference", "queued", "state", "attempts", "last outcome",
                    "request and reply"], rows, "none")
    return f'<h3>{escape(key)}</h3>{facts}{retry}{table}'


def _attempts(emulator, push: Push) -> str:
    shown = []
    for attempt in emulator.push_store.attempts_of(push.id):
        status = f"HTTP {attempt.http_status}" if attempt.http_status else "no HTTP answer"
        shown.append(f"<details><summary>{escape(_time(attempt.at))}: {escape(attempt.outcome)} ({status}) "
                     f"{escape(attempt.text)}</summary><p>Request</p><pre>{escape(pretty_xml(attempt.request))}</pre>"
                     f"<p>Reply</p><pre>{escape(pretty_xml(attempt.reply))}</pre></details>")
    return "".join(shown)
