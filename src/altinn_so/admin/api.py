"""The admin HTTP API: JSON under ``/_admin``, a prefix no Altinn path can have.

It lets a test see everything (journal, outbox, stored state) and make
anything happen (reset, snapshots, seed data, the clock, end-user actions,
fault rules). Every endpoint is listed in the README, "Admin API".
"""

from __future__ import annotations

import functools
import html
import json
import logging
import math
import os
import re
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import parse_qs, quote

from ..domain.clock import LATEST_NOW, as_aware, utc_time
from ..domain.notifications.model import Channel, OutboxFilter
from ..domain.values import INT32_MAX
from ..injection import PRESETS, RuleError
from ..journal import JournalFilter
from ..seeding import SeedError
from ..store.failures import StoreFailure, classify
from . import enduser_page
from .access import LOGIN_PATH, LOGOUT_PATH, AdminAccess, login_fields, login_form, safe_target, wants_page
from .errors import ApiError
from .listings import CORE_LISTINGS
from .worklist import Content, WorklistRoutes

__all__ = ["AdminApi", "ApiError", "PREFIX", "Request"]

PREFIX = "/_admin"
_TOO_LATE = (f"the clock stays before {LATEST_NOW:%Y-%m-%d}: rules schedule up to ten years after now, and the "
             "calendar ends with 9999")
# An id in a path: a number the store can hold (SQLite and PostgreSQL ids are 64-bit); a longer one names nothing.
_ID = r"(?P<id>\d{1,18})"
log = logging.getLogger("altinn_so.admin")
_MAX_BODY = 10 * 1024 * 1024
# The kinds of the core's stored objects /state shows, and the table each is kept in; each service adds its own
# (``AltinnService.listings``) before the outbox.
_SEED_TABLES = {"service-owners": "service_owners", "systems": "systems", "services": "services",
                "templates": "templates", "persons": "persons", "organisations": "organisations", "users": "users"}


_YES, _NO = ("1", "true", "yes"), ("0", "false", "no")
_INTERNAL_ERROR = {"error": "internal error; see the emulator's log"}


def _failed(exc: Exception, method: str, path: str) -> tuple[int, dict, list]:
    """The answer to an admin call that raised: 503 with what is wrong when the store failed (the readiness
    probe's own answer on /ready), else 500 and the traceback in the log (a bug)."""
    failure = classify(exc)
    if failure is None:
        log.exception("admin call %s %s failed", method, path)
        return 500, _INTERNAL_ERROR, []
    log.error("admin call %s %s failed: %s", method, path, failure.describe())
    if path.rstrip("/") == "/ready":
        return 503, _not_ready(failure), [("Retry-After", "5")]
    return 503, {"error": failure.describe(), "store": failure.kind}, [("Retry-After", "5")]


def _not_ready(failure: StoreFailure) -> dict:
    return {"ready": False, "reason": failure.reason, "store": failure.kind, "detail": failure.detail}


class Request:
    def __init__(self, environ: dict, params: dict):
        self.environ = environ
        self.params = params  # from the path
        self.query = {key: values[-1] for key, values in
                      parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
        self._body: bytes | None = None

    @property
    def body(self) -> bytes:
        if self._body is None:
            length = int(self.environ.get("CONTENT_LENGTH") or 0)
            if length > _MAX_BODY:
                raise ApiError(413, f"request bodies are limited to {_MAX_BODY} bytes")
            self._body = self.environ["wsgi.input"].read(length) if length else b""
        return self._body

    def json(self) -> dict:
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body)
        except ValueError as exc:
            raise ApiError(400, f"the body is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ApiError(400, "the body must be a JSON object")
        return data

    def time(self, key: str) -> datetime | None:
        value = self.query.get(key)
        if not value:
            return None
        try:
            return as_aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            raise ApiError(400, f"{key}={value!r} is not an ISO 8601 time") from None

    def flag(self, key: str) -> bool | None:
        value = (self.query.get(key) or "").lower()
        if not value:
            return None
        if value in _YES or value in _NO:
            return value in _YES
        raise ApiError(400, f"{key}={self.query[key]!r} must be 1 or 0 (true or false)")

    def positive(self, key: str, *, zero: bool = False) -> int | None:
        value = self.query.get(key)
        if value in (None, ""):
            return None
        try:
            number = int(value)
        except ValueError:
            number = -1
        if number < (0 if zero else 1):
            raise ApiError(400, f"{key}={value!r} must be a {'whole number' if zero else 'positive integer'}")
        return min(number, INT32_MAX)  # (a limit or offset: no list is longer, and the store takes no more)


class AdminApi:
    def __init__(self, emulator, *, deliver: Callable[[], dict] | None = None, page=None, token: str | None = None):
        self.emulator = emulator
        self.access = AdminAccess(token)
        self.deliver = deliver
        self.delivered = _delivered_channels(deliver)  # what the page says became of outbox messages
        self.page = page
        self._routes: list[tuple[str, re.Pattern, Callable]] = []
        route = self._route
        route("GET", "/health", self.health)
        route("GET", "/ready", self.ready)
        route("GET", "/journal", self.journal)
        route("DELETE", "/journal", self.clear_journal)
        route("GET", f"/journal/{_ID}", self.journal_entry)
        route("GET", "/outbox", self.outbox)
        route("DELETE", "/outbox", self.clear_outbox)
        route("POST", "/outbox/deliver", self.deliver_outbox)
        route("POST", "/reset", self.reset)
        route("GET", "/snapshots", self.list_snapshots)
        route("POST", "/snapshots", self.take_snapshot)
        route("POST", f"/snapshots/{_ID}/restore", self.restore_snapshot)
        route("DELETE", f"/snapshots/{_ID}", self.delete_snapshot)
        route("POST", "/seed", self.load_seed)
        route("GET", "/state", self.state_summary)
        route("GET", "/state/(?P<kind>[a-z-]+)", self.state)
        route("GET", "/clock", self.clock)
        route("PUT", "/clock", self.set_clock)
        route("POST", "/clock/advance", self.advance_clock)
        route("GET", "/faults", self.list_faults)
        route("POST", "/faults", self.add_fault)
        route("DELETE", "/faults", self.clear_faults)
        route("GET", "/faults/presets", self.fault_presets)
        route("DELETE", f"/faults/{_ID}", self.delete_fault)
        for method, pattern, handler in WorklistRoutes(emulator).routes():
            route(method, pattern, handler)
        for service in emulator.services:
            for extra in service.admin_routes:
                route(extra.method, extra.pattern, functools.partial(extra.handler, emulator))
        self._state_tables = {**_SEED_TABLES, **{listing.kind: listing.table for listing in self._listings()},
                              "outbox": "outbox"}

    def _listings(self) -> list:
        """Each service's listings, then the core's (the worklist and the archive)."""
        return [listing for service in self.emulator.services for listing in service.listings] + list(CORE_LISTINGS)

    def route_table(self) -> list[tuple[str, str]]:
        """Every JSON route as (method, path pattern under the prefix): the core's and each service's."""
        return [(method, pattern.pattern) for method, pattern, _ in self._routes]

    def _route(self, method: str, pattern: str, handler: Callable) -> None:
        self._routes.append((method, re.compile(f"^{pattern}/?$"), handler))

    # -- WSGI ------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response):
        path = (environ.get("PATH_INFO") or "/")[len(PREFIX):] or "/"
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if path.rstrip("/") in (LOGIN_PATH, LOGOUT_PATH):
            return self._login(environ, method, path.rstrip("/"), start_response)
        if not self.access.is_open(path):  # before anything touches the store
            reason = self.access.refusal(environ)
            if reason is not None:
                return self._refuse(environ, method, path, reason, start_response)
        try:
            self.emulator.sync()
            if path.rstrip("/") == "/enduser" and self.page is not None:
                return self._enduser(environ, method, start_response)
            if path.rstrip("/") in ("", "/data") and method in ("GET", "HEAD") and self.page is not None:
                if path.rstrip("/") == "/data":
                    body = self.page.render_data(self.emulator, self._seed_readers()).encode("utf-8")
                else:
                    body = self.page.render(self.emulator, environ, self.delivered).encode("utf-8")
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(body)))])
                return [b"" if method == "HEAD" else body]
            status, payload, headers = self._dispatch("GET" if method == "HEAD" else method, path, environ)
        except Exception as exc:  # the store failing under sync or the page: still JSON, no traceback
            status, payload, headers = _failed(exc, method, path)
        if isinstance(payload, Content):  # an attachment's bytes
            body, content_type = payload.body, payload.content_type
            if payload.file_name:
                headers = [*headers, ("Content-Disposition", _attachment_disposition(payload.file_name))]
        else:
            body = json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        start_response(f"{status} {_REASONS.get(status, '')}".strip(),
                       [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers])
        return [b"" if method == "HEAD" else body]

    def _refuse(self, environ: dict, method: str, path: str, reason: str, start_response):
        """401: JSON with the reason for a client, the login form for a browser (which then comes back here)."""
        if wants_page(environ):
            query = environ.get("QUERY_STRING", "")
            target = PREFIX + path + (f"?{query}" if query else "") if method in ("GET", "HEAD") else PREFIX + "/"
            body, content_type = login_form(target, ""), "text/html; charset=utf-8"
        else:
            body = json.dumps({"error": reason}, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        start_response("401 Unauthorized", [("Content-Type", content_type), ("Content-Length", str(len(body))),
                                            self.access.challenge(reason), ("Cache-Control", "no-store")])
        return [b"" if method == "HEAD" else body]

    def _login(self, environ: dict, method: str, path: str, start_response):
        """The page's login form (GET), logging in (POST: the token, then back to the page with a cookie), and
        logging out (POST /logout). Without an admin token there is nothing to log in to: back to the page."""
        headers: list[tuple[str, str]] = []
        if path == LOGOUT_PATH:
            if method != "POST":
                start_response("405 Method Not Allowed", [("Allow", "POST"), ("Content-Length", "0")])
                return [b""]
            target, headers = PREFIX + LOGIN_PATH, [self.access.clear_cookie()]
        elif method in ("GET", "HEAD"):
            target = safe_target(parse_qs(environ.get("QUERY_STRING", "")).get("next", [""])[-1])
            if self.access.required:
                body = login_form(target)
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
                return [b"" if method == "HEAD" else body]
        elif method == "POST":
            try:
                token, target = login_fields(Request(environ, {}).body)
            except ApiError as error:
                token, target = "", PREFIX + "/"
                log.info("admin login refused: %s", error.message)
            if self.access.required:
                if not self.access.matches(token):
                    body = login_form(target, "That is not the admin token.")
                    start_response("401 Unauthorized", [("Content-Type", "text/html; charset=utf-8"),
                                                        ("Content-Length", str(len(body))),
                                                        self.access.challenge("wrong")])
                    return [body]
                headers = [self.access.set_cookie(environ)]
        else:
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD, POST"), ("Content-Length", "0")])
            return [b""]
        start_response("303 See Other", [("Location", target), ("Content-Length", "0"), *headers])
        return [b""]

    def _enduser(self, environ: dict, method: str, start_response):
        """The page's "act as the end user" view: GET shows it, a POSTed form acts (``admin.enduser_page``)."""
        if method in ("GET", "HEAD"):
            status, body = 200, enduser_page.render(self.emulator, environ.get("QUERY_STRING", ""))
        elif method == "POST":
            try:
                outcome = enduser_page.act(self.emulator, Request(environ, {}).body)
            except ApiError as error:
                outcome = enduser_page.Outcome(error.status, html=f"<p>{html.escape(error.message)}</p>")
            if outcome.location:
                start_response("303 See Other", [("Location", outcome.location), ("Content-Length", "0")])
                return [b""]
            status, body = outcome.status, outcome.html
        else:
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD, POST"), ("Content-Length", "0")])
            return [b""]
        data = body.encode("utf-8")
        start_response(f"{status} {_REASONS.get(status, '')}".strip(),
                       [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))])
        return [b"" if method == "HEAD" else data]

    def _dispatch(self, method: str, path: str, environ: dict) -> tuple[int, object, list]:
        allowed = set()
        for route_method, pattern, handler in self._routes:
            match = pattern.match(path)
            if not match:
                continue
            if route_method != method:
                allowed.add(route_method)
                continue
            try:
                result = handler(Request(environ, match.groupdict()))
            except ApiError as error:
                return error.status, {"error": error.message}, []
            except Exception as exc:  # an admin call must not take the emulator down or show a traceback
                return _failed(exc, method, path)
            if not isinstance(result, tuple):
                return 200, result, []
            # (status, payload), or (status, payload, headers): a page's form is answered by a redirect
            return result if len(result) == 3 else (*result, [])
        if allowed:
            if "GET" in allowed:
                allowed.add("HEAD")
            methods = ", ".join(sorted(allowed))
            return 405, {"error": f"{method} is not allowed here; use {methods}"}, [("Allow", methods)]
        return 404, {"error": f"no admin endpoint {PREFIX}{path}; see the README, 'Admin API'"}, []

    # -- health ----------------------------------------------------------------------------------------

    def health(self, request):
        return {"status": "ok", "process": os.getpid()}  # which worker answered, under serve --workers

    def ready(self, request):
        failure = self.emulator.store_failure()
        if failure is None:
            return {"ready": True}
        return 503, _not_ready(failure), [("Retry-After", "5")]

    # -- journal -----------------------------------------------------------------------------------------

    def journal(self, request):
        where = JournalFilter(operation=request.query.get("operation") or None,
                              binding=(request.query.get("binding") or "").lower() or None,
                              caller=request.query.get("caller") or None,
                              reportee=request.query.get("reportee") or None,
                              outcome=request.query.get("outcome") or None,
                              since=request.time("since"), warnings=request.flag("warnings"),
                              limit=request.positive("limit"), offset=request.positive("offset", zero=True) or 0)
        bodies = request.query.get("bodies", "1") not in ("0", "false", "no")
        return {"entries": [entry.to_dict(bodies=bodies) for entry in self.emulator.journal.list_entries(where)]}

    def journal_entry(self, request):
        entry = self.emulator.journal.get_entry(int(request.params["id"]))
        if entry is None:
            raise ApiError(404, f"no journal entry {request.params['id']}")
        return entry.to_dict()

    def clear_journal(self, request):
        return {"deleted": self.emulator.journal.clear_entries()}

    # -- outbox ------------------------------------------------------------------------------------------

    def outbox(self, request):
        channel = request.query.get("channel")
        try:
            channel = Channel(channel) if channel else None
        except ValueError:
            raise ApiError(400, "channel must be SMS or Email") from None
        where = OutboxFilter(reportee=request.query.get("reportee") or None, channel=channel,
                             origin=request.query.get("origin") or None,
                             service_owner=request.query.get("service_owner") or None,
                             template=request.query.get("template") or None)
        return {"messages": [m.to_dict() for m in self.emulator.outbox.list_messages(where)]}

    def clear_outbox(self, request):
        return {"deleted": self.emulator.outbox.clear_messages()}

    def deliver_outbox(self, request):
        if self.deliver is None:
            raise ApiError(409, "no e-mail or SMS delivery is configured (see --smtp-host, --sms-webhook)")
        return self.deliver()

    # -- state -------------------------------------------------------------------------------------------

    def reset(self, request):
        self.emulator.reset()
        return {"reset": True}

    def list_snapshots(self, request):
        return {"snapshots": self.emulator.snapshots.list_snapshots()}

    def take_snapshot(self, request):
        label = request.json().get("label")
        return 201, {"id": self.emulator.snapshot(label), "label": label}

    def restore_snapshot(self, request):
        if not self.emulator.restore(int(request.params["id"])):
            raise ApiError(404, f"no snapshot {request.params['id']}")
        return {"restored": int(request.params["id"])}

    def delete_snapshot(self, request):
        if not self.emulator.snapshots.delete_snapshot(int(request.params["id"])):
            raise ApiError(404, f"no snapshot {request.params['id']}")
        return {"deleted": int(request.params["id"])}

    def load_seed(self, request):
        try:
            loaded = self.emulator.load_seed(request.body.decode("utf-8"), "request body")
        except SeedError as exc:
            raise ApiError(400, str(exc)) from None
        except UnicodeDecodeError:
            raise ApiError(400, "the seed must be UTF-8 text") from None
        return {"loaded": loaded.counts()}

    def state_summary(self, request):
        counts = self.emulator.db.count_rows(tuple(self._state_tables.values()))  # counted, not read: 100k is fine
        return {kind: counts[table] for kind, table in self._state_tables.items()}

    def state(self, request):
        readers = self._state_readers()
        kind = request.params["kind"]
        if kind not in readers:
            raise ApiError(404, f"unknown state kind {kind!r}; known: {sorted(readers)}")
        newest = request.positive("limit")
        return {kind: [item.to_dict() for item in readers[kind](newest)]}

    def _state_readers(self) -> dict[str, Callable[[int | None], list]]:
        """Each kind's objects (in id or key order), the last ``newest`` only when given. Objects made by calls
        are read from the end of their table; the seed's few are read whole and cut."""
        emulator = self.emulator

        def seeded(read):
            return lambda newest: read()[-newest:] if newest else read()

        return {
            "service-owners": seeded(emulator.catalog.list_owners),
            "systems": seeded(emulator.catalog.list_systems),
            "services": seeded(emulator.catalog.list_services),
            "templates": seeded(emulator.catalog.list_templates),
            "persons": seeded(emulator.registry.list_persons),
            "organisations": seeded(emulator.registry.list_organisations),
            "users": seeded(emulator.registry.list_users),
            **{listing.kind: functools.partial(listing.read, emulator) for listing in self._listings()},
            "outbox": lambda newest: emulator.outbox.list_messages(newest=newest),
        }

    def _seed_readers(self) -> list[tuple[str, Callable[[], list]]]:
        """The seeded kinds, the core's and each service's (its listings of tables the seed writes), each read
        whole: what the page's test data shows."""
        readers = self._state_readers()
        kinds = list(_SEED_TABLES)
        kinds += [listing.kind for service in self.emulator.services if service.tables is not None
                  for listing in service.listings if listing.table in service.tables.seed_tables]
        return [(kind, functools.partial(readers[kind], None)) for kind in kinds]

    # -- clock -------------------------------------------------------------------------------------------

    def clock(self, request):
        return {"now": self.emulator.clock.now().isoformat(), "frozen": self.emulator.clock.frozen}

    def set_clock(self, request):
        data = request.json()
        frozen, now = data.get("frozen"), None
        if "frozen" in data and not isinstance(frozen, bool):
            raise ApiError(400, "frozen must be true or false")
        if data.get("now"):
            try:
                now = as_aware(datetime.fromisoformat(str(data["now"]).replace("Z", "+00:00")))
            except ValueError:
                raise ApiError(400, f"now={data['now']!r} is not an ISO 8601 time") from None
            if utc_time(now) >= LATEST_NOW:
                raise ApiError(400, _TOO_LATE)

        def change(clock):  # checked first, then applied together: a bad "now" changes nothing
            if frozen is not None:
                clock.freeze() if frozen else clock.resume()
            if now is not None:
                clock.set(now)

        self.emulator.change_clock(change)
        return self.clock(request)

    def advance_clock(self, request):
        data = request.json()
        units = {"days", "hours", "minutes", "seconds"}
        amounts_ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
                         for v in data.values())
        if not data or set(data) - units or not amounts_ok:
            raise ApiError(400, f"give a non-negative amount of time to advance: some of {sorted(units)} "
                                "(to go back, PUT /_admin/clock)")
        try:
            delta = timedelta(**data)
            too_late = self.emulator.clock.now() + delta >= LATEST_NOW
        except (OverflowError, ValueError):  # beyond year 9999
            too_late = True
        if too_late:
            raise ApiError(400, _TOO_LATE)
        self.emulator.change_clock(lambda clock: clock.advance(delta))
        return self.clock(request)

    # -- fault injection ---------------------------------------------------------------------------------

    def list_faults(self, request):
        return {"rules": [rule.to_dict() for rule in self.emulator.faults.rules.list_rules()]}

    def add_fault(self, request):
        try:
            rule = self.emulator.faults.add(request.json())
        except RuleError as exc:
            raise ApiError(400, str(exc)) from None
        return 201, rule.to_dict()

    def delete_fault(self, request):
        if not self.emulator.faults.rules.delete_rule(int(request.params["id"])):
            raise ApiError(404, f"no fault rule {request.params['id']}")
        return {"deleted": int(request.params["id"])}

    def clear_faults(self, request):
        return {"deleted": self.emulator.faults.rules.clear_rules()}

    def fault_presets(self, request):
        return {"presets": {name: {"error_id": error_id, "message": message}
                            for name, (error_id, message) in PRESETS.items()}}


def _attachment_disposition(file_name: str) -> str:
    """``attachment`` with the file's name: plain when it is printable ASCII, else RFC 5987's UTF-8 form."""
    if file_name.isascii() and file_name.isprintable() and '"' not in file_name and "\\" not in file_name:
        return f'attachment; filename="{file_name}"'
    return f"attachment; filename*=UTF-8''{quote(file_name, safe='')}"


def _delivered_channels(deliver) -> frozenset:
    """The channels whose messages leave the machine: none without a delivery; those of its settings when it is
    a ``Deliverer``'s round (SMTP for e-mail, the webhook for SMS), else all."""
    if deliver is None:
        return frozenset()
    channels = getattr(getattr(getattr(deliver, "__self__", None), "settings", None), "channels", None)
    return frozenset(channels) if channels is not None else frozenset(Channel)


_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed", 303: "See Other", 409: "Conflict", 413: "Payload Too Large",
            500: "Internal Server Error", 503: "Service Unavailable"}
