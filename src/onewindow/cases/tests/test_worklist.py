"""The department worklist: scope, order by promised deadline, filters, warning levels and keyset
pagination over HTTP, on the worklist index, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.selectors import worklist, worklist_items
from onewindow.cases.tests.factories import accepted, department_staff, enterprise
from onewindow.cases.tests.test_api import API_URLS, BASE, TZ, at

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]
FOOD_PRODUCTION = "430702-SCJG-0002"  # SCJG, 8 WD promised
DEREGISTRATION = "430702-SCJG-0009"  # SCJG, 1 WD promised
HAZCHEM = "430702-YJ-0001"  # YJ (emergency management), 5 WD promised


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


@pytest.fixture
def queue(officer):
    """Seven SCJG cases accepted at different times (two pairs share a deadline) and one YJ case."""
    applicant = enterprise()
    moments = [
        "2025-03-03",
        "2025-03-03",
        "2025-03-04",
        "2025-03-04",
        "2025-03-05",
        "2025-03-06",
        "2025-03-07",
    ]
    items = [
        FOOD_PRODUCTION,
        DEREGISTRATION,
        DEREGISTRATION,
        FOOD_PRODUCTION,
        DEREGISTRATION,
        FOOD_PRODUCTION,
    ]
    for day, item in zip(moments, [*items, DEREGISTRATION], strict=True):
        with time_machine.travel(at(day), tick=False):
            accepted(officer, applicant, item=item)
    with time_machine.travel(at("2025-03-03"), tick=False):
        accepted(officer, applicant, item=HAZCHEM)
    return list(
        Case.objects.filter(department__code="SCJG")
        .order_by("promised_due_at", "pk")
        .values_list("number", flat=True)
    )


def fetch_all(client, limit: int, **params) -> list[str]:
    numbers, after = [], None
    for _ in range(20):
        query = {"limit": limit, **params, **({"after": after} if after else {})}
        page = client.get(f"{BASE}/worklist", query)
        assert page.status_code == 200, page.json()
        numbers += [i["number"] for i in page.json()["items"]]
        after = page.json()["next_cursor"]
        if after is None:
            return numbers
    raise AssertionError("pagination did not end")


@time_machine.travel(at("2025-03-07", "10:00"), tick=False)
@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_pages_follow_the_promised_deadline_without_duplicates_or_omissions(client, queue, limit):
    client.force_login(department_staff("SCJG"))
    numbers = fetch_all(client, limit)
    assert numbers == queue
    assert len(set(numbers)) == len(numbers) == 7


def test_a_case_added_between_pages_neither_repeats_nor_shifts_the_pages(client, queue, officer):
    client.force_login(department_staff("SCJG"))
    with time_machine.travel(at("2025-03-07", "10:00"), tick=False):
        first = client.get(f"{BASE}/worklist", {"limit": 3}).json()
        added = accepted(officer, enterprise(seed=9), item=DEREGISTRATION).cases.get()  # due 3-10
        rest = fetch_all(client, 3, after=first["next_cursor"])
    seen = [i["number"] for i in first["items"]] + rest
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == {*queue, added.number}
    assert seen[:3] == queue[:3]


def test_each_department_sees_only_its_own_queue(client, queue, persona):
    client.force_login(department_staff("YJ"))
    items = client.get(f"{BASE}/worklist").json()["items"]
    assert [i["step_department"] for i in items] == ["常德市武陵区应急管理局"]
    client.force_login(persona("window1"))  # a window officer reviews nothing
    assert client.get(f"{BASE}/worklist").json()["items"] == []


def test_filters_by_status_department_and_due_date(client, queue):
    reviewer = department_staff("SCJG")
    first = Case.objects.get(number=queue[0])
    services.case_start_review(actor=reviewer, case=first)
    client.force_login(reviewer)
    reviewing = client.get(f"{BASE}/worklist", {"status": "reviewing"}).json()["items"]
    assert [i["number"] for i in reviewing] == [queue[0]]
    assert len(client.get(f"{BASE}/worklist", {"department": "SCJG"}).json()["items"]) == 7
    assert client.get(f"{BASE}/worklist", {"department": "YJ"}).json()["items"] == []  # not in scope
    due = client.get(f"{BASE}/worklist", {"due_before": "2025-03-06T00:00:00"}).json()["items"]
    assert {i["number"] for i in due} == set(
        Case.objects.filter(
            department__code="SCJG",
            promised_due_at__lt=dt.datetime(2025, 3, 6, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ).values_list("number", flat=True)
    )


def test_warning_levels_follow_the_promised_deadline(client, officer):
    with time_machine.travel(at("2025-03-03"), tick=False):
        food = accepted(officer, enterprise(), item=FOOD_PRODUCTION).cases.get()  # due end of 3-13
        quick = accepted(officer, enterprise(seed=3), item=DEREGISTRATION).cases.get()  # due end of 3-04
    client.force_login(department_staff("SCJG"))

    def levels(**params) -> dict[str, str]:
        return {i["number"]: i["warning"] for i in client.get(f"{BASE}/worklist", params).json()["items"]}

    with time_machine.travel(at("2025-03-03", "11:00"), tick=False):
        assert levels() == {quick.number: "warning", food.number: "normal"}  # quick: due tomorrow
        assert list(levels(warning="warning")) == [quick.number]
        assert list(levels(warning="normal")) == [food.number]
    with time_machine.travel(at("2025-03-05", "09:00"), tick=False):
        assert levels() == {quick.number: "overdue", food.number: "normal"}
        assert list(levels(warning="overdue")) == [quick.number]
    with time_machine.travel(at("2025-03-11", "09:00"), tick=False):  # 2 of 8 WD left: 25 %
        assert levels()[food.number] == "normal"
    with time_machine.travel(at("2025-03-11", "22:00"), tick=False):
        # 6 of 8 working days used (75 %): the night does not count, whatever the wall clock says
        assert levels()[food.number] == "normal"
    with time_machine.travel(at("2025-03-12", "09:00"), tick=False):  # due on the next working day
        assert levels(warning="warning") == {food.number: "warning"}
    with time_machine.travel(at("2025-03-14", "00:00"), tick=False):
        assert levels()[food.number] == "overdue"


@pytest.mark.parametrize(
    "moment", ["2025-03-03T11:00", "2025-03-04T23:59", "2025-03-11T20:00", "2025-03-13T12:00"]
)
def test_the_warning_filter_agrees_with_the_level_shown_on_each_row(client, queue, moment):
    client.force_login(department_staff("SCJG"))
    with time_machine.travel(dt.datetime.fromisoformat(moment).replace(tzinfo=TZ), tick=False):
        shown = {i["number"]: i["warning"] for i in client.get(f"{BASE}/worklist").json()["items"]}
        for level in ("normal", "warning", "overdue"):
            filtered = client.get(f"{BASE}/worklist", {"warning": level}).json()["items"]
            assert {i["number"] for i in filtered} == {n for n, w in shown.items() if w == level}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "not-a-cursor"}, "after"),
        ({"after": "WzEsMl0"}, "after"),  # base64 of a JSON list of the wrong shape
        ({"status": "closed"}, "status"),
        ({"warning": "red"}, "warning"),
        ({"department": "NOPE"}, "department"),
        ({"limit": 0}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"due_before": "yesterday"}, "due_before"),
    ],
)
def test_bad_worklist_parameters_are_refused_with_422(client, hall, params, field):
    client.force_login(department_staff("SCJG"))
    response = client.get(f"{BASE}/worklist", params)
    assert response.status_code == 422, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert field in str(response.json())


def test_the_worklist_query_uses_the_worklist_index(queue):
    reviewer = department_staff("SCJG")
    from onewindow.org.authz import scope_q

    qs = (
        Case.objects.filter(scope_q(reviewer, "case.review", department_field="step_department"))
        .filter(status__in=["accepted", "reviewing"], promised_due_at__isnull=False)
        .order_by("promised_due_at", "pk")[:50]
    )
    plan = qs.explain()
    if connection.vendor == "sqlite":
        assert "case_worklist_idx" in plan
    assert worklist(reviewer, limit=50).rows


@time_machine.travel(at("2025-03-07", "10:00"), tick=False)
def test_the_worklist_runs_a_bounded_number_of_queries_whatever_the_page_size(
    client, queue, django_assert_max_num_queries
):
    client.force_login(department_staff("SCJG"))
    client.get(f"{BASE}/worklist", {"limit": 1})  # warm the calendar cache
    for limit in (1, 7, 50):
        with django_assert_max_num_queries(8):
            assert client.get(f"{BASE}/worklist", {"limit": limit}).status_code == 200


def test_the_partial_indexes_cover_exactly_the_worklist_states():
    from onewindow.cases.models import OPEN_CASE_STATES
    from onewindow.cases.selectors import OPEN_STATES

    assert tuple(OPEN_CASE_STATES) == tuple(str(s) for s in OPEN_STATES)


@pytest.mark.parametrize(
    "params", [{}, {"warning": "normal"}, {"warning": "overdue"}, {"status": "accepted"}]
)
def test_the_api_rows_and_the_department_page_rows_agree(queue, params):
    """The API reads plain values (``worklist_items``), the department page model rows (``worklist``):
    the same cases, order, warning levels and cursors, page after page."""
    reviewer = department_staff("SCJG")
    with time_machine.travel(at("2025-03-11", "20:00"), tick=False):
        after, pages = None, 0
        while True:
            page = worklist(reviewer, limit=2, after=after, **params)
            items = worklist_items(reviewer, limit=2, after=after, **params)
            assert [(r.case.number, r.warning) for r in page.rows] == [
                (r["number"], r["warning"]) for r in items.rows
            ]
            assert page.next_cursor == items.next_cursor
            pages += 1
            after = page.next_cursor
            if after is None:
                break
    assert pages >= (2 if not params else 1)
