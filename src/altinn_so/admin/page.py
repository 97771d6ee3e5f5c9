"""The admin web page: what the emulator saw and did, readable by a person at a glance.

Server-rendered HTML with no scripts: the journal with pretty-printed request
and response XML, the outbox, what each service stores (its listings with
columns: correspondences, receipts), active fault rules and the clock.
``?limit=N`` shows more rows.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from lxml import etree

from ..domain.clock import local_time
from ..journal import JournalFilter
from ..service import Cell

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
pre { background: #f7f7f9; border: 1px solid #e3e3ea; padding: 8px; overflow-x: auto; max-height: 360px; }
details summary { cursor: pointer; color: #0b3d63; }
.empty { color: #777; font-style: italic; }
.muted { color: #666; }
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


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value, css: str = "") -> str:
    text = "" if value is None else str(value)
    return f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>"


def _cell(value) -> str:
    if isinstance(value, Cell):
        return _td(value.value, value.css)
    return _td(_time(value) if isinstance(value, datetime) else value)


class Page:
    def __init__(self, routes, services=()):
        self.routes = routes
        self.listings = [listing for service in services for listing in service.listings if listing.on_page]

    def render(self, emulator, environ: dict) -> str:
        query = environ.get("QUERY_STRING", "")
        limit = 50
        for part in query.split("&"):
            key, _, value = part.partition("=")
            if key == "limit" and value.isdigit():
                limit = max(1, min(int(value), 1000))
        clock = emulator.clock
        links = "".join(f'<a href="#{escape(listing.kind)}">{escape(listing.title)}</a>' for listing in self.listings)
        sections = [
            self._journal(emulator, limit),
            self._outbox(emulator, limit),
            *(self._listing(emulator, listing, limit) for listing in self.listings),
            self._faults(emulator),
            self._endpoints(),
        ]
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>altinn-so</title><style>{_STYLE}</style></head>
<body><header><h1>altinn-so</h1>
<span id="clock">Emulator time (Norway): <strong>{escape(_time(clock.now()))}</strong>
{"(frozen)" if clock.frozen else "(running)"}</span>
<nav><a href="#journal">Journal</a><a href="#outbox">Outbox</a>{links}
<a href="#faults">Fault rules</a><a href="#endpoints">Endpoints</a>
<a href="/_admin/state">JSON</a></nav></header>
<main>{"".join(sections)}</main></body></html>"""

    def _journal(self, emulator, limit: int) -> str:
        entries = list(reversed(emulator.journal.list_entries(JournalFilter(limit=limit))))
        rows = []
        for entry in entries:
            outcome = "OK" if entry.outcome == "ok" else f"ErrorID {entry.error_id}" if entry.error_id is not None \
                else f"HTTP {entry.status}"
            exchange = (f"<details><summary>request / response</summary>"
                        f"<pre class=\"request\">{escape(pretty_xml(entry.request))}</pre>"
                        f"<pre class=\"response\">{escape(pretty_xml(entry.response))}</pre></details>")
            rows.append([_td(entry.id), _td(_time(entry.at)), _td(entry.binding),
                         _td(entry.operation), _td(entry.caller), _td(" ".join(entry.reportees)),
                         _td(outcome, "ok" if entry.outcome == "ok" else "fault"),
                         _td(entry.error_message if entry.outcome != "ok" else ""),
                         _td(f"{entry.duration_ms:.1f} ms"), f"<td>{exchange}</td>"])
        table = _table(["#", "time", "binding", "operation", "caller", "reportees", "outcome", "message",
                        "took", "XML"], rows, "No SOAP calls yet.")
        return f'<section id="journal"><h2>Journal <span class="muted">(newest first)</span></h2>{table}</section>'

    def _outbox(self, emulator, limit: int) -> str:
        messages = emulator.outbox.list_messages(newest=limit)[::-1]
        now = emulator.clock.now()
        rows = [[_td(m.id), _td(_time(m.scheduled_at)),
                 _td("sent" if m.sent_time(now) else "pending"), _td(m.channel.value), _td(m.address),
                 _td(m.recipient_name), _td(m.sender), _td(m.subject), _td(m.body), _td(m.template),
                 _td(m.reportee), _td(m.origin + (" (reminder)" if m.is_reminder else ""))] for m in messages]
        table = _table(["#", "scheduled", "state", "channel", "address", "name", "sender", "subject", "body",
                        "template", "reportee", "origin"], rows, "The outbox is empty.")
        return f'<section id="outbox"><h2>Notification outbox</h2>{table}</section>'

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
