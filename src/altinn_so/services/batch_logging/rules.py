"""BatchLoggingAgencyExternal's reading of the batch log (docs/behaviour/batch-logging.md): which of a service
owner's batches a request names, which of their issues one page holds, and which items those issues are about.

The log itself (batches, items, issues) belongs to the batch service; its store is handed in and read through the
few queries below (``BatchLogSource``), so that this module imports neither the store nor the batch package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from altinn_so.domain.auth import Caller
from altinn_so.domain.errors import AltinnError

# The one ErrorID the service documents: the request is not correctly specified (D111, D113)
REQUEST_NOT_CORRECTLY_SPECIFIED = 31033
ISSUES_PER_PAGE = 10_000


@dataclass(frozen=True)
class LogRequest:
    """BatchLoggingRequestExternal, decoded: every field optional; a blank string is a field not given."""

    system_user_code: str | None = None
    kind: str | None = None  # DataBatchType
    date_from: datetime | None = None  # TimeRange
    date_to: datetime | None = None
    file_name: str | None = None
    batch_id: int | None = None  # DataBatchId
    sequence: int | None = None
    from_issue_id: int | None = None

    @property
    def names_batches(self) -> bool:
        """Does it say which batches? FromIssueId alone does not: it only pages the issues (D111)."""
        return any(value is not None for value in (self.system_user_code, self.kind, self.date_from, self.date_to,
                                                   self.file_name, self.batch_id, self.sequence))


@dataclass(frozen=True)
class LogPage:
    """What one call answers: the batches the request names, and one page of their issues with their items."""

    batches: list = field(default_factory=list)  # the batch service's DataBatch, oldest first
    number_of_issues: int = 0  # of those batches, from FromIssueId on (all of them, not only this page's)
    issues: list = field(default_factory=list)  # the page: at most ISSUES_PER_PAGE, by id
    items: list = field(default_factory=list)  # the items the page's issues are about, by id


class BatchLogSource(Protocol):
    """The batch service's store (``emulator.batch_store``), as far as this service reads it."""

    def find_batches(self, owner: str, *, system_user_code: str | None = None, kind: str | None = None,
                     received_from: datetime | None = None, received_to: datetime | None = None,
                     file_name: str | None = None, batch_id: int | None = None,
                     sequence: int | None = None) -> list: ...
    def count_issues(self, batch_ids: list[int], from_issue_id: int = 0) -> int: ...
    def issues_from(self, batch_ids: list[int], from_issue_id: int, limit: int) -> list: ...
    def items_by_id(self, item_ids: list[int]) -> list: ...
    def get_item(self, item_id: int) -> Any: ...
    def get_batch(self, batch_id: int) -> Any: ...


def _not_specified(why: str) -> AltinnError:
    return AltinnError(REQUEST_NOT_CORRECTLY_SPECIFIED, f"BatchLoggingRequest is not correctly specified: {why}")


def check(request: LogRequest, kinds: tuple[str, ...]) -> None:
    """Raise 31033 for a request that names no batches or cannot name any (D111)."""
    if not request.names_batches:
        raise _not_specified("give at least one of SystemUserCode, DataBatchType, TimeRange, FileName, "
                             "DataBatchId and Sequence")
    if request.kind is not None and request.kind not in kinds:
        raise _not_specified(f"DataBatchType {request.kind!r} is not one of {', '.join(kinds)}")
    if request.date_from is not None and request.date_to is not None and request.date_from > request.date_to:
        raise _not_specified("TimeRange's DateFrom is after its DateTo")
    for name, value, least in (("DataBatchId", request.batch_id, 1), ("Sequence", request.sequence, 0),
                               ("FromIssueId", request.from_issue_id, 0)):
        if value is not None and value < least:
            raise _not_specified(f"{name} {value} is less than {least}")


class BatchLog:
    def __init__(self, source: BatchLogSource, kinds: tuple[str, ...]):
        self._source = source
        self._kinds = kinds  # DataBatchType's values

    def overview(self, caller: Caller, request: LogRequest) -> LogPage:
        """GetStatusOverview: the batches and how many issues they have from FromIssueId on."""
        batches = self._batches(caller, request)
        count = self._source.count_issues([b.id for b in batches], request.from_issue_id or 0) if batches else 0
        return LogPage(batches, count)

    def detailed(self, caller: Caller, request: LogRequest) -> LogPage:
        """GetDetailedStatus: the overview, one page of issues (id >= FromIssueId, lowest first, at most
        ISSUES_PER_PAGE) and the items those issues are about (only items with issues, D112)."""
        page = self.overview(caller, request)
        if not page.batches:
            return page
        issues = self._source.issues_from([b.id for b in page.batches], request.from_issue_id or 0, ISSUES_PER_PAGE)
        item_ids = sorted({issue.item_id for issue in issues if issue.item_id is not None})
        return LogPage(page.batches, page.number_of_issues, issues, self._source.items_by_id(item_ids))

    def data_item(self, caller: Caller, item_id: int):
        """GetDataItem: one item of one of the caller's batches, with its XML. Another owner's item answers as an
        unknown one does (D113)."""
        item = self._source.get_item(item_id) if item_id > 0 else None
        batch = self._source.get_batch(item.batch_id) if item is not None else None
        if batch is None or batch.owner != caller.owner.code:
            raise _not_specified(f"dataItemId {item_id} names no data item of yours")
        return item

    def _batches(self, caller: Caller, request: LogRequest) -> list:
        check(request, self._kinds)
        return self._source.find_batches(
            caller.owner.code, system_user_code=request.system_user_code, kind=request.kind,
            received_from=request.date_from, received_to=request.date_to, file_name=request.file_name,
            batch_id=request.batch_id, sequence=request.sequence)
