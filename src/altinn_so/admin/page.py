"""The admin web page: what the emulator saw and did, readable by a person at a glance.

Server-rendered HTML with no scripts: the journal with pretty-printed request
and response XML (filtered and paged by a plain GET form: ``operation``,
``outcome``, ``reportee``, ``warnings``, ``offset``; ``refresh=N`` reloads the
page every N seconds, filters kept), the outbox with what became of each
message, what each service stores (its listings with columns: correspondences,
receipts), active fault rules and the clock. ``?limit=N`` shows more rows.
``/_admin/data`` shows the seeded test data (owners, systems with their test
passwords, services, templates, persons, organisations, and each service's
seeded listings) that requests are built from.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from urllib.parse import parse_qs, urlencode

from lxml import etree

from ..domain.clock import local_time
from ..domain.notifications.model import Channel
from ..journal import JournalFilter
from ..service import Cell
from .listings import CORE_LISTINGS

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f6f7f9; }
header { background: #0b3d63; color: #fff; padding: 12px 24px; display: flex; gap: 24px; align-items: baseline; }
header h1 { font-size: 20px; margin: 0; }
header a { color: #cde; }
nav a { margin-right: 12px; }
main { padding: 8px 24px 32px; }
section { background: #fff; border: 1px solid #dde; border-radius: 6px; margin: 16px 0; padding: 8px 16px; }
h2 { font-size: 16px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; }
td.fault { color: #a40000; font-weight: 600; }
td.ok { color: #196c2e; }
td.muted { color: #666; }
pre { background: #f7f7f9; border: 1px solid #e3e3ea; padding: 8px; overflow: auto; max-height: 70vh; margin: 4px 0; }
details summary { cursor: pointer; color: #0b3d63; }
h3 { font-size: 13px; margin: 8px 0 0; color: #444; }
.empty { color: #777; font-style: italic; }
.muted { color: #666; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; margin: 8px 0; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: #444; }
form.filters label.check { flex-direction: row; gap: 4px; align-items: center; }
p.pages a { margin-right: 12px; }
/* The journal: each call's summary on one line, its warnings and XML beneath it at the table's full width. */
table.journal, table.journal thead, table.journal tbody { display: block; }
table.journal tr { display: grid; border-bottom: 1px solid #e6e6ee;
  grid-template-columns: 4em 11.5em 5em minmax(12em, 2fr) 8em minmax(8em, 1fr) 7em minmax(10em, 3fr) 5.5em; }
table.journal th, table.journal td { border-bottom: none; overflow-wrap: break-word; min-width: 0; }
table.journal td.exchange { grid-column: 1 / -1; padding-top: 0; }
ul.warnings { margin: 0 0 4px; padding-left: 20px; color: #8a5300; }
"""

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def pretty_xml(text: str) -> str:
    """Indented XML for reading; the text itself when it is not well-formed."""
    if not text:
        return ""
    try:
        root = etree.fromstring(text.encode("utf-8"), _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return text
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def _time(moment) -> str:
    """Norwegian local time, as Altinn showed it."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M:%S")


def _table(headers: list[str], rows: list[list[str]], empty: str, css: str = "") -> str:
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in row) + "</tr>" for row in rows)
    table = f'<table class="{css}">' if css else "<table>"
    return f"{table}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value, css: str = "") -> str:
    text = "" if value is None else str(value)
    return f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>"


def _cell(value) -> str:
    if isinstance(value, Cell):
        return _td(value.value, value.css)
    return _td(_time(value) if isinstance(value, datetime) else value)


def _plain(value) -> str:
    """A value of a stored object's ``to_dict()`` as one cell's text: nested ones as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def _title(kind: str) -> str:
    return kind.replace("-", " ").capitalize()


# The journal filters the page's form sets, and the other parameters its links keep.
_FILTERS = ("operation", "outcome", "reportee", "warnings")
_KEPT = (*_FILTERS, "limit", "refresh")
_REFRESH = ("", "5", "10", "30", "60")
_CHANNEL_DELIVERY = {Channel.EMAIL: "SMTP", Channel.SMS: "SMS"}


class _Query:
    """The page's query string: the journal's filters, its page and the rows shown, read leniently (a value
    that makes no sense is left out, as a person typed it)."""

    def __init__(self, query_string: str):
        raw = {key: values[-1].strip() for key, values in parse_qs(query_string, keep_blank_values=True).items()}
        self.limit = max(1, min(int(raw["limit"]), 1000)) if raw.get("limit", "").isdigit() else 50
        self.offset = min(int(raw["offset"]), 10 ** 9) if raw.get("offset", "").isdigit() else 0
        self.values = {key: raw[key] for key in _KEPT if raw.get(key)}
        if self.values.get("outcome") not in ("ok", "fault"):
            self.values.pop("outcome", None)
        if self.values.get("refresh") not in _REFRESH:
            self.values.pop("refresh", None)
        if "limit" in self.values:
            self.values["limit"] = str(self.limit)
        if self.values.get("warnings") != "1":
            self.values.pop("warnings", None)

    @property
    def refresh(self) -> int | None:
        return int(self.values["refresh"]) if "refresh" in self.values else None

    def journal_filter(self, **extra) -> JournalFilter:
        return JournalFilter(operation=self.values.get("operation"), outcome=self.values.get("outcome"),
                             reportee=self.values.get("reportee"),
                             warnings=True if "warnings" in self.values else None, **extra)

    def href(self, offset: int = 0) -> str:
        """The page with these filters (attribute-escaped)."""
        query = urlencode({**self.values, **({"offset": offset} if offset else {})})
        return escape("/_admin/" + ("?" + query if query else ""))


class Page:
    def __init__(self, routes, services=()):
        self.routes = routes
        self.listings = [listing for listing in [*(listing for service in services for listing in service.listings),
                                                 *CORE_LISTINGS] if listing.on_page]
        self.pages = [page for service in services for page in service.admin_pages]  # (title, path) of their own

    def render(self, emulator, environ: dict, delivered: frozenset = frozenset()) -> str:
        """The page; ``delivered`` are the channels the emulator delivers (none without SMTP or an SMS webhook)."""
        query = _Query(environ.get("QUERY_STRING", ""))
        sections = [
            self._journal(emulator, query),
            self._outbox(emulator, query.limit, delivered),
            *(self._listing(emulator, listing, query.limit) for listing in self.listings),
            self._faults(emulator),
            self._endpoints(),
        ]
        links = "".join(f'<a href="#{escape(listing.kind)}">{escape(listing.title)}</a>' for listing in self.listings)
        pages = "".join(f'<a href="{escape(path)}">{escape(title)}</a>' for title, path in self.pages)
        nav = (f'<a href="#journal">Journal</a><a href="#outbox">Outbox</a>{links}'
               f'<a href="#faults">Fault rules</a><a href="#endpoints">Endpoints</a>'
               f'<a href="/_admin/enduser">End user</a>{pages}<a href="/_admin/data">Test data</a>'
               f'<a href="/_admin/state">JSON</a>')
        refresh = f'<meta http-equiv="refresh" content="{query.refresh}">' if query.refresh else ""
        return _document(emulator, nav, "".join(sections), refresh)

    def render_data(self, emulator, kinds) -> str:
        """The seeded test data requests are built from: ``kinds`` are (kind, read) pairs, ``read()`` giving the
        objects in key order. Every object is shown whole, as its ``to_dict()``: systems with their passwords,
        which are the seed file's test credentials."""
        sections = []
        for kind, read in kinds:
            items = [item.to_dict() for item in read()]
            columns = list(dict.fromkeys(key for item in items for key in item))
            rows = [[_td(_plain(item.get(column))) for column in columns] for item in items]
            sections.append(f'<section id="{escape(kind)}"><h2>{escape(_title(kind))}</h2>'
                            f'{_table(columns, rows, "None seeded.")}</section>')
        nav = ('<a href="/_admin/">Journal and state</a>'
               + "".join(f'<a href="#{escape(kind)}">{escape(_title(kind))}</a>' for kind, _ in kinds)
               + '<a href="/_admin/state">JSON</a>')
        intro = ('<p class="muted">The seeded test data (the embedded default seed and any seed files): synthetic '
                 "numbers and names to build requests with. The systems' passwords are the seed file's test "
                 "credentials.</p>")
        return _document(emulator, nav, intro + "".join(sections))

    def _journal(self, emulator, query: _Query) -> str:
        journal = emulator.journal
        total = journal.count_entries(query.journal_filter())
        entries = list(reversed(journal.list_entries(query.journal_filter(limit=query.limit,
                                                                          offset=query.offset))))
        rows = []
        for entry in entries:
            outcome = "OK" if entry.outcome == "ok" else f"ErrorID {entry.error_id}" if entry.error_id is not None \
                else f"HTTP {entry.status}"
            warnings = ""
            if entry.warnings:
                items = "".join(f"<li>skipped {escape(w['name'])} (namespace {escape(w['namespace'] or 'none')}) "
                                f"in {escape(w['parent'])}: not read, as WCF ignores it</li>"
                                for w in entry.warnings)
                warnings = f'<ul class="warnings">{items}</ul>'
            message = entry.error_message if entry.outcome != "ok" else \
                f"{len(entry.warnings)} element(s) skipped" if entry.warnings else ""
            exchange = (f'{warnings}<details><summary>request / response</summary>'
                        f'<h3>Request</h3><pre class="request">{escape(pretty_xml(entry.request))}</pre>'
                        f'<h3>Response</h3><pre class="response">{escape(pretty_xml(entry.response))}</pre>'
                        f"</details>")
            rows.append([_td(entry.id), _td(_time(entry.at)), _td(entry.binding),
                         _td(entry.operation), _td(entry.caller), _td(" ".join(entry.reportees)),
                         _td(outcome, "ok" if entry.outcome == "ok" else "fault"), _td(message),
                         _td(f"{entry.duration_ms:.1f} ms"), f'<td class="exchange">{exchange}</td>'])
        filtered = any(key in query.values for key in _FILTERS)
        table = _table(["#", "time", "binding", "operation", "caller", "reportees", "outcome", "message",
                        "took"], rows, "No calls match these filters." if filtered else "No SOAP calls yet.",
                       css="journal")
        first = query.offset + 1 if entries else 0
        count = (f'<p class="count">{len(entries)} of {total}'
                 + (f" (newest first: {first}–{query.offset + len(entries)})" if entries else "") + "</p>")
        pages = []
        if query.offset > 0:
            pages.append(f'<a rel="prev" href="{query.href(max(0, query.offset - query.limit))}">← newer</a>')
        if query.offset + len(entries) < total:
            pages.append(f'<a rel="next" href="{query.href(query.offset + query.limit)}">older →</a>')
        paging = f'<p class="pages">{"".join(pages)}</p>' if pages else ""
        return (f'<section id="journal"><h2>Journal <span class="muted">(newest first)</span></h2>'
                f"{self._filters(query)}{count}{table}{paging}</section>")

    @staticmethod
    def _filters(query: _Query) -> str:
        """A plain GET form (no scripts): the filters, kept by its refresh link and by paging."""
        values = query.values

        def text(name: str, label: str, hint: str) -> str:
            return (f'<label>{label}<input type="text" name="{name}" value="{escape(values.get(name, ""))}" '
                    f'placeholder="{hint}"></label>')

        def select(name: str, label: str, options: list[tuple[str, str]]) -> str:
            chosen = values.get(name, "")
            items = "".join(f'<option value="{value}"{" selected" if value == chosen else ""}>{shown}</option>'
                            for value, shown in options)
            return f'<label>{label}<select name="{name}">{items}</select></label>'

        checked = " checked" if "warnings" in values else ""
        limit = f'<input type="hidden" name="limit" value="{values["limit"]}">' if "limit" in values else ""
        return (f'<form class="filters" method="get" action="/_admin/">'
                f'{text("operation", "operation", "e.g. InsertCorrespondence")}'
                f'{select("outcome", "outcome", [("", "any"), ("ok", "OK"), ("fault", "fault")])}'
                f'{text("reportee", "reportee", "a person or organisation number")}'
                f'<label class="check"><input type="checkbox" name="warnings" value="1"{checked}>'
                f"with warnings only</label>"
                f'{select("refresh", "reload every", [(v, f"{v} s" if v else "never") for v in _REFRESH])}'
                f'{limit}<button type="submit">Show</button>'
                f'<a id="refresh" href="{query.href(query.offset)}">Refresh</a>'
                f'<a href="/_admin/">Clear filters</a></form>')

    def _outbox(self, emulator, limit: int, delivered: frozenset) -> str:
        messages = emulator.outbox.list_messages(newest=limit)[::-1]
        now = emulator.clock.now()
        rows = [[_td(m.id), _td(_time(m.scheduled_at)), _cell(_delivery_state(m, now, delivered)),
                 _td(m.channel.value), _td(m.address),
                 _td(m.recipient_name), _td(m.sender), _td(m.subject), _td(m.body), _td(m.template),
                 _td(m.reportee), _td(m.origin + (" (reminder)" if m.is_reminder else ""))] for m in messages]
        table = _table(["#", "scheduled", "state", "channel", "address", "name", "sender", "subject", "body",
                        "template", "reportee", "origin"], rows, "The outbox is empty.")
        if delivered:
            how = ", ".join(f"{channel.value} ({_CHANNEL_DELIVERY[channel]})"
                            for channel in Channel if channel in delivered)
            about = f"Delivered once due: {escape(how)}."
        else:
            about = ("No SMTP or SMS delivery is configured (--smtp-host, --sms-webhook): notifications only land "
                     "here, and none leaves the machine.")
        return (f'<section id="outbox"><h2>Notification outbox</h2><p class="muted" id="delivery">{about}</p>'
                f"{table}</section>")

    def _listing(self, emulator, listing, limit: int) -> str:
        items = listing.read(emulator, limit)[::-1]
        rows = [[_cell(value) for value in listing.row(item)] for item in items]
        table = _table(list(listing.columns), rows, listing.empty)
        return f'<section id="{escape(listing.kind)}"><h2>{escape(listing.title)}</h2>{table}</section>'
    def _faults(self, emulator) -> str:
        rules = emulator.faults.rules.list_rules()
        rows = []
        for rule in rules:
            match = ", ".join(f"{k}={v}" for k, v in rule.to_dict()["match"].items()) or "every call"
            action = ", ".join(f"{k}={v}" for k, v in rule.to_dict()["action"].items())
            times = "always" if rule.times is None else f"{rule.times}×"
            rows.append([_td(rule.id), _td(match), _td(action), _td(rule.when), _td(times),
                         _td(f"{rule.fired} fired / {rule.seen} matched"),
                         _td("spent" if rule.spent else "active", "muted" if rule.spent else "fault")])
        table = _table(["#", "match", "action", "when", "times", "counts", "state"], rows, "No fault rules.")
        return f'<section id="faults"><h2>Fault rules</h2>{table}</section>'

    def _endpoints(self) -> str:
        rows = [[_td(r.endpoint.contract.name), _td(r.endpoint.binding.key.upper()),
                 f'<td><a href="{escape(r.endpoint.path)}?wsdl">{escape(r.endpoint.path)}</a></td>']
                for r in sorted(self.routes, key=lambda r: r.endpoint.path)]
        return f'<section id="endpoints"><h2>Endpoints</h2>{_table(["service", "binding", "path"], rows, "")}' \
               f"</section>"


def _delivery_state(message, now: datetime, delivered: frozenset) -> Cell:
    """What became of an outbox message: sent (really, by SMTP or the SMS webhook), failed, waiting for its
    time, or not delivered at all when its channel has no delivery configured."""
    if message.sent_at is not None:
        return Cell(f"sent {_time(message.sent_at)}", "ok")
    if message.delivery_error:
        return Cell(f"failed: {message.delivery_error}", "fault")
    if message.scheduled_at > now:
        return Cell("pending")
    if message.channel in delivered:
        return Cell("due: the next delivery round sends it")
    return Cell(f"not delivered — no {_CHANNEL_DELIVERY[message.channel]} delivery configured", "muted")


def _document(emulator, nav: str, main: str, head: str = "") -> str:
    clock = emulator.clock
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>altinn-so</title>{head}<style>{_STYLE}</style></head>
<body><header><h1>altinn-so</h1>
<span id="clock">Emulator time (Norway): <strong>{escape(_time(clock.now()))}</strong>
{"(frozen)" if clock.frozen else "(running)"}</span>
<nav>{nav}</nav></header>
<main>{main}</main></body></html>"""
