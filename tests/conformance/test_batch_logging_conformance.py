"""BatchLoggingAgencyExternal against the real EC and EC2 contracts, and Basic and WS by inference from EC2
(docs/behaviour/batch-logging.md).

A zeep client built from each REAL WSDL (read from ``../shared``, never copied here) calls the three operations
with the address pointed at the emulator; every response body is validated against the real schema. The log is
filled directly through ``emulator.batch_store``, as the batch readers would fill it.
"""

from __future__ import annotations

import email
import email.policy
import io
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree
from zeep.wsse.username import UsernameToken

from altinn_so.services.batch.rules import CRITICAL, ERROR, INFORMATION, WARNING, DataBatch, DataItem, Issue
from altinn_so.soap.namespaces import SOAP12_ENV
from altinn_so.soap.wsgi import SoapApplication, WireSettings

from support.contracts import assert_valid_response as valid_response
from support.contracts import expect_altinn_fault, our_service, real_service
from support.wsdl_match import assert_inferred_names, assert_inferred_signature, assert_actions_match, assert_names_match, assert_signature_matches, views
from support.zeepview import (replace_strings, without_children,
                              ws_view_from_basic)

pytestmark = pytest.mark.conformance

NS = "http://www.altinn.no/services/Intermediary/BatchLogging/2016/02"
CREDENTIALS = {"agencyUserName": "ttd-system", "agencyPassword": "ttd-password"}
OPERATIONS = ("GetStatusOverview", "GetDetailedStatus", "GetDataItem")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)  # 09:00 in Oslo


@dataclass(frozen=True)
class Flavour:
    key: str
    contract: str
    path: str
    operations = frozenset({"Test", *OPERATIONS})


EC = Flavour("ec", "ec/BatchLoggingAgencyExternalEC.wsdl", "/IntermediaryExternal/BatchLoggingAgencyExternalEC.svc")
EC2 = Flavour("ec2", "ec2/BatchLoggingAgencyExternalEC2.wsdl",
              "/IntermediaryExternal/BatchLoggingAgencyExternalEC2.svc")
FLAVOURS = [pytest.param(f, id=f.key) for f in (EC, EC2)]


# -- the log, as the readers would have written it -----------------------------------------------------------

def add_batch(emulator, owner: str, file_name: str, at: datetime, *, kind="Correspondence", code="TTD_SAK",
              sequence=None, shipment_id=None, items=(), batch_issues=()):
    """A processed batch. ``items``: for each item, the levels of its issues (empty: an item without issues);
    ``batch_issues``: levels of issues of the batch as a whole. Returns (batch, items, issues)."""
    store = emulator.batch_store
    batch = store.add_batch(DataBatch(0, owner, f"{owner.lower()}-system", file_name, "0" * 64, 100, at,
                                      kind=kind, system_user_code=code, sequence=sequence, shipment_id=shipment_id))
    made, issues = [], []
    for line, levels in enumerate(items, start=2):
        item = store.add_item(DataItem(0, batch.id, line, 5, f"<Correspondence line='{line}'/>", service_code="4255",
                                       service_edition=10))
        for number, level in enumerate(levels):
            issues.append(store.add_issue(Issue(0, batch.id, item.id, at + timedelta(seconds=line), 30000 + number,
                                                f"line {line}: problem {number}", level)))
        if any(level in (ERROR, CRITICAL) for level in levels):
            item = replace(item, state="Failed")
            store.save_item(item)
        made.append(item)
    for level in batch_issues:
        issues.append(store.add_issue(Issue(0, batch.id, None, at, 2, "the batch as a whole", level)))
    batch = replace(batch, state="Refused" if batch_issues else "Processed", items=len(made), issues=len(issues),
                    finished_at=at + timedelta(minutes=1))
    store.save_batch(batch)
    return batch, made, issues


@dataclass
class Log:
    letters: tuple  # TTD's correspondence batch: two items of three with issues
    prefill: tuple  # TTD's prefill batch, refused whole
    clean: tuple  # TTD's second correspondence batch, without issues
    others: tuple  # ETT's batch of the same name and system user code


@pytest.fixture
def log(emulator) -> Log:
    return Log(
        letters=add_batch(emulator, "TTD", "Correspondence.xml", T0, sequence=1,
                          items=[[ERROR], [], [WARNING, INFORMATION]]),
        prefill=add_batch(emulator, "TTD", "prefill.xml", T0 + timedelta(hours=1), kind="PreFill", code="TTD_PRE",
                          sequence=7, shipment_id=55, batch_issues=[CRITICAL]),
        clean=add_batch(emulator, "TTD", "Correspondence2.xml", T0 + timedelta(days=1), sequence=2, items=[[]]),
        others=add_batch(emulator, "ETT", "Correspondence.xml", T0, sequence=1, items=[[ERROR]]),
    )


def listed(array, member: str) -> list:
    """An ArrayOf… as a list: zeep reads an empty one (``<DataBatches/>``, as WCF writes it) as None."""
    return list(getattr(array, member) or []) if array is not None else []


def ids(overview_or_detailed) -> list[int]:
    return [b.DataBatchId for b in listed(overview_or_detailed.DataBatches, "DataBatch")]


def overview(service, **request):
    return service.GetStatusOverview(**CREDENTIALS, request=request)


def detailed(service, **request):
    return service.GetDetailedStatus(**CREDENTIALS, request=request)


# -- the operations on EC and EC2 ----------------------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_overview_lists_the_callers_batches_with_their_issues(base_url, log, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    found = overview(service, SystemUserCode="TTD_SAK")
    valid_response(client, flavour.contract, "GetStatusOverview", soap12=True)
    letters, clean = log.letters[0], log.clean[0]
    assert ids(found) == [letters.id, clean.id]
    assert found.NumberOfIssues == 3
    first = found.DataBatches.DataBatch[0]
    assert (first.FileName, first.NumberOfIssues, first.Sequence, first.ShipmentId) == ("Correspondence.xml", 3, 1, 0)
    assert first.StartDate.replace(tzinfo=None) == datetime(2026, 3, 1, 9, 0)  # Norwegian time, as Altinn writes
    assert first.EndDate.replace(tzinfo=None) == datetime(2026, 3, 1, 9, 1)
    assert found.DataBatches.DataBatch[1].NumberOfIssues == 0


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_detailed_status_has_only_the_items_with_issues_and_no_data(base_url, log, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    batch, items, issues = log.letters
    found = detailed(service, DataBatchId=batch.id)
    valid_response(client, flavour.contract, "GetDetailedStatus", soap12=True)
    assert ids(found) == [batch.id] and found.NumberOfIssues == 3
    assert [(i.DataItemId, i.Line, i.Position, i.State, i.ServiceCode, i.ServiceEditionCode, i.DataBatchId, i.Data)
            for i in found.DataItems.DataItem] == [
        (items[0].id, 2, 5, "Failed", "4255", 10, batch.id, None), (items[2].id, 4, 5, "OK", "4255", 10, batch.id, None)]
    assert [(i.DataItemId, i.DataBatchId, i.IssueType.Code, i.IssueType.Level, i.IssueType.Description)
            for i in found.Issues.IssueExternal] == [
        (items[0].id, batch.id, 30000, "Error", "line 2: problem 0"),
        (items[2].id, batch.id, 30000, "Warning", "line 4: problem 0"),
        (items[2].id, batch.id, 30001, "Information", "line 4: problem 1")]
    assert found.Issues.IssueExternal[0].ErrorDateTime.replace(tzinfo=None) == datetime(2026, 3, 1, 9, 0, 2)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_issue_of_the_whole_batch_has_no_item(base_url, log, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    found = detailed(service, DataBatchType="PreFill")
    valid_response(client, flavour.contract, "GetDetailedStatus", soap12=True)
    batch = found.DataBatches.DataBatch[0]
    assert (batch.DataBatchId, batch.Sequence, batch.ShipmentId) == (log.prefill[0].id, 7, 55)
    assert listed(found.DataItems, "DataItem") == []
    [issue] = found.Issues.IssueExternal
    assert (issue.DataItemId, issue.IssueType.Level, issue.IssueType.Code) == (None, "Critical", 2)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_get_data_item_gives_the_items_xml(base_url, log, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    item = log.letters[1][1]  # an item without issues can still be read by its id
    found = service.GetDataItem(**CREDENTIALS, dataItemId=item.id)
    valid_response(client, flavour.contract, "GetDataItem", soap12=True)
    assert (found.DataItemId, found.Data, found.Line, found.State) == (item.id, "<Correspondence line='3'/>", 3, "OK")


@pytest.mark.parametrize("item", ["another owner's", "unknown", "zero"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_get_data_item_of_another_owner_or_unknown_is_31033(base_url, log, flavour, item):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    item_id = {"another owner's": log.others[1][0].id, "unknown": 999_999, "zero": 0}[item]
    fault = expect_altinn_fault(client, flavour.contract, "GetDataItem",
                                lambda: service.GetDataItem(**CREDENTIALS, dataItemId=item_id), soap12=True)
    assert fault.ErrorID == 31033


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_wrong_password_is_989(base_url, flavour):
    client, service = real_service(flavour.contract, base_url + flavour.path)
    fault = expect_altinn_fault(
        client, flavour.contract, "GetStatusOverview",
        lambda: service.GetStatusOverview(agencyUserName="ttd-system", agencyPassword="wrong",
                                          request={"SystemUserCode": "TTD_SAK"}), soap12=True)
    assert fault.ErrorID == 989


# -- every filter ----------------------------------------------------------------------------------------------

FILTERS = {
    "SystemUserCode": ({"SystemUserCode": "TTD_PRE"}, ["prefill"]),
    "DataBatchType": ({"DataBatchType": "Correspondence"}, ["letters", "clean"]),
    "TimeRange": ({"TimeRange": {"DateFrom": T0, "DateTo": T0 + timedelta(hours=1)}}, ["letters", "prefill"]),
    "TimeRange-from": ({"TimeRange": {"DateFrom": T0 + timedelta(minutes=1), "DateTo": T0 + timedelta(days=9)}},
                       ["prefill", "clean"]),
    "TimeRange-local": ({"TimeRange": {"DateFrom": datetime(2026, 3, 2, 9, 0), "DateTo": datetime(2026, 3, 2, 9, 0)}},
                        ["clean"]),  # an offset-less time is Norwegian time
    "FileName": ({"FileName": "Correspondence.xml"}, ["letters"]),
    "FileName-exact": ({"FileName": "correspondence.xml"}, []),
    "FileName-part": ({"FileName": "Correspondence"}, []),
    "DataBatchId": (None, ["clean"]),
    "Sequence": ({"Sequence": 7}, ["prefill"]),
    "all-together": ({"SystemUserCode": "TTD_SAK", "DataBatchType": "Correspondence", "Sequence": 2,
                      "FileName": "Correspondence2.xml"}, ["clean"]),
    "all-but-one-match": ({"SystemUserCode": "TTD_SAK", "Sequence": 7}, []),
}


@pytest.mark.parametrize("case", sorted(FILTERS))
def test_each_filter_narrows_the_callers_batches(base_url, log, case):
    client, service = real_service(EC2.contract, base_url + EC2.path)
    request, expected = FILTERS[case]
    if request is None:
        request = {"DataBatchId": log.clean[0].id}
    found = overview(service, **request)
    valid_response(client, EC2.contract, "GetStatusOverview", soap12=True)
    assert ids(found) == [getattr(log, name)[0].id
                                                                              for name in expected]


def test_another_owners_batch_is_invisible_even_by_its_id(base_url, log):
    client, service = real_service(EC2.contract, base_url + EC2.path)
    found = detailed(service, DataBatchId=log.others[0].id)
    valid_response(client, EC2.contract, "GetDetailedStatus", soap12=True)
    assert ids(found) == [] and found.NumberOfIssues == 0
    assert listed(found.Issues, "IssueExternal") == [] and listed(found.DataItems, "DataItem") == []


def test_the_other_owner_sees_only_its_own(base_url, log):
    client, service = real_service(EC2.contract, base_url + EC2.path)
    found = service.GetStatusOverview(agencyUserName="ett-system", agencyPassword="ett-password",
                                      request={"FileName": "Correspondence.xml"})
    assert ids(found) == [log.others[0].id]


# -- 31033: a request that is not correctly specified ----------------------------------------------------------

BAD_REQUESTS = {
    "empty": {},
    "blank strings": {"SystemUserCode": " ", "FileName": ""},
    "only FromIssueId": {"FromIssueId": 1},
    "DateFrom after DateTo": {"TimeRange": {"DateFrom": T0, "DateTo": T0 - timedelta(seconds=1)}},
    "unset TimeRange": {"TimeRange": {"DateFrom": datetime(1, 1, 1), "DateTo": datetime(1, 1, 1)}},
    "DataBatchId 0": {"DataBatchId": 0},
    "negative Sequence": {"Sequence": -1, "SystemUserCode": "TTD_SAK"},
    "negative FromIssueId": {"FromIssueId": -5, "SystemUserCode": "TTD_SAK"},
}


@pytest.mark.parametrize("operation", ["GetStatusOverview", "GetDetailedStatus"])
@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_a_request_not_correctly_specified_is_31033(base_url, log, case, operation):
    client, service = real_service(EC2.contract, base_url + EC2.path)
    fault = expect_altinn_fault(client, EC2.contract, operation,
                                lambda: getattr(service, operation)(**CREDENTIALS, request=BAD_REQUESTS[case]),
                                soap12=True)
    assert fault.ErrorID == 31033


def test_an_unknown_data_batch_type_is_refused_by_the_wire(base_url):
    """WCF cannot read a value outside the enumeration: a fault of the SOAP machinery, not an Altinn ErrorID."""
    client, service = real_service(EC2.contract, base_url + EC2.path)
    request = client.get_type(f"{{{NS}}}BatchLoggingRequestExternal")(DataBatchType="Letters")
    fault = expect_altinn_fault(client, EC2.contract, "GetStatusOverview",
                                lambda: service.GetStatusOverview(**CREDENTIALS, request=request), soap12=True,
                                declared=False)
    assert fault.ErrorID != 31033


# -- paging by FromIssueId at 10,000 issues ----------------------------------------------------------------------

def test_issues_come_10000_at_a_time_from_from_issue_id(base_url, emulator):
    """A batch with 10,004 issues on 4 items, and a batch of another system user code whose issues lie between."""
    batch, items, issues = add_batch(emulator, "TTD", "big.xml", T0,
                                     items=[[ERROR] * 4000, [WARNING] * 4000, [ERROR] * 2000, [ERROR] * 4])
    add_batch(emulator, "TTD", "between.xml", T0, code="TTD_ANNEN", items=[[ERROR]])
    client, service = real_service(EC2.contract, base_url + EC2.path)

    first = detailed(service, SystemUserCode="TTD_SAK")
    valid_response(client, EC2.contract, "GetDetailedStatus", soap12=True)
    page = first.Issues.IssueExternal
    assert len(page) == 10_000 and first.NumberOfIssues == 10_004
    assert [i.DataItemId for i in page[:1]] == [items[0].id]
    assert [i.IssueType.Description for i in page][9_999] == f"line 4: problem {1999}"
    assert [i.DataItemId for i in first.DataItems.DataItem] == [items[0].id, items[1].id, items[2].id]
    assert first.DataBatches.DataBatch[0].NumberOfIssues == 10_004  # the batch's own total, whatever the page

    rest = detailed(service, SystemUserCode="TTD_SAK", FromIssueId=issues[9_999].id + 1)
    assert [i.IssueType.Description for i in rest.Issues.IssueExternal] == [f"line 5: problem {n}" for n in range(4)]
    assert rest.NumberOfIssues == 4
    assert [i.DataItemId for i in rest.DataItems.DataItem] == [items[3].id]
    assert ids(rest) == [batch.id]

    assert overview(service, SystemUserCode="TTD_SAK", FromIssueId=issues[-1].id + 1).NumberOfIssues == 0
    beyond = detailed(service, SystemUserCode="TTD_SAK", FromIssueId=issues[-1].id + 1)
    assert ids(beyond) == [batch.id] and listed(beyond.Issues, "IssueExternal") == []


# -- MTOM, as both real contracts declare -------------------------------------------------------------------

def test_an_mtom_request_is_answered_in_mtom(emulator, log):
    item = log.letters[1][0]
    action = f"{NS}/IBatchLoggingAgencyExternalEC/GetDataItem"
    envelope = (f'<s:Envelope xmlns:s="{SOAP12_ENV}" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>'
                f"<a:Action>{action}</a:Action></s:Header><s:Body><GetDataItem xmlns=\"{NS}\">"
                "<agencyUserName>ttd-system</agencyUserName><agencyPassword>ttd-password</agencyPassword>"
                f"<dataItemId>{item.id}</dataItemId></GetDataItem></s:Body></s:Envelope>").encode()
    boundary = "uuid:4c1e2a9b-0d3f-4e5a-8b6c-7d8e9f0a1b2c"
    body_type = f'application/soap+xml; action=\\"{action}\\"'
    content_type = (f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
                    f'start="<root@example>"; start-info="{body_type}"')
    body = (f'\r\n--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="{body_type}"\r\n'
            "Content-ID: <root@example>\r\n\r\n").encode() + envelope + f"\r\n--{boundary}--".encode()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": EC2.path, "CONTENT_TYPE": content_type,
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "SERVER_NAME": "localhost",
               "SERVER_PORT": "8080", "wsgi.url_scheme": "http"}
    seen = []
    reply = b"".join(SoapApplication(emulator, settings=WireSettings())(environ, lambda s, h: seen.append((s, h))))
    status, headers = seen[0]
    reply_type = dict((k.lower(), v) for k, v in headers)["content-type"]
    assert status.startswith("200") and reply_type.startswith("multipart/related")
    message = email.message_from_bytes(f"Content-Type: {reply_type}\r\n\r\n".encode() + reply,
                                       policy=email.policy.HTTP)
    root = etree.fromstring(next(message.iter_parts()).get_payload(decode=True))
    assert root.findtext(f".//{{{NS}}}Data") == "<Correspondence line='2'/>"


# -- our EC and EC2 WSDLs against the real ones ------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_names_match(base_url, flavour):
    assert_names_match(base_url, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_actions_match(base_url, flavour):
    assert_actions_match(base_url, flavour)


@pytest.mark.parametrize("operation", ["Test", *OPERATIONS])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_our_signature_matches_the_real_one(base_url, flavour, operation):
    assert_signature_matches(base_url, flavour, flavour, operation)
    real_view, our_view = views(base_url, flavour, flavour)
    assert set(our_view) == set(real_view)


# -- Basic and WS: inferred from EC2 ------------------------------------------------------------------------

INFERRED = {
    # key: (path, the interface's and service's name as it replaces EC2's)
    "basic": ("/IntermediaryExternal/BatchLoggingAgencyExternalBasic.svc", "BatchLoggingAgencyExternalBasic"),
    "ws": ("/IntermediaryExternal/BatchLoggingAgencyExternal.svc", "BatchLoggingAgencyExternal"),
}


def expected_view(key: str, ec2_view: dict, operation: str) -> dict:
    """Basic is EC2 on SOAP 1.1 with the actions naming the Basic interface and the same operation names and
    credentials; WS is that Basic with the credentials in a UsernameToken (``ws_view_from_basic``)."""
    basic = replace_strings(ec2_view, {"IBatchLoggingAgencyExternalEC/": "IBatchLoggingAgencyExternalBasic/"})
    basic["soap"] = "1.1"
    if key == "basic":
        return basic
    ws = ws_view_from_basic(basic, interface="BatchLoggingAgencyExternal", basic_operation=operation,
                            ws_operation=operation)
    if ws["input"]["body"] is not None and ws["input"]["body"]["type"].get("content"):  # not Test's
        ws["input"] = {**ws["input"], "body": without_children(ws["input"]["body"], set(CREDENTIALS))}
    return ws


@pytest.mark.parametrize("operation", ["Test", *OPERATIONS])
@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_signature_follows_ec2(base_url, key, operation):
    assert_inferred_signature(base_url, INFERRED[key][0], EC2.contract, operation, operation,
                              lambda view: expected_view(key, view, operation), {"Test", *OPERATIONS})


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_names_follow_ec2(base_url, key):
    # our inferred services end in "SF", as the project's other Basic and WS services do
    assert_inferred_names(base_url, INFERRED[key][0], EC2.contract, key,
                          {"BatchLoggingAgencyExternalEC2": INFERRED[key][1]}, service_suffix="SF")


@pytest.mark.parametrize("key", sorted(INFERRED))
def test_inferred_bindings_answer_all_three(base_url, log, key):
    path = INFERRED[key][0]
    if key == "ws":
        _, service = our_service(base_url + path + "?wsdl", wsse=UsernameToken("ttd-system", "ttd-password"))
        credentials = {}
    else:
        _, service = our_service(base_url + path + "?wsdl")
        credentials = CREDENTIALS
    batch, items, _ = log.letters
    found = service.GetDetailedStatus(**credentials, request={"DataBatchId": batch.id})
    assert [i.DataItemId for i in found.DataItems.DataItem] == [items[0].id, items[2].id]
    assert service.GetStatusOverview(**credentials, request={"Sequence": 7}).DataBatches.DataBatch[0].ShipmentId == 55
    assert service.GetDataItem(**credentials, dataItemId=items[0].id).Data == "<Correspondence line='2'/>"
