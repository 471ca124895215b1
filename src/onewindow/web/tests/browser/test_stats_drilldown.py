"""Issue #11 must-show: from the "overdue" figure on the statistics dashboard, the drill-down lists
exactly the overdue cases (headless chromium)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from onewindow.cases.models import Case, CaseStatus
from onewindow.core.timeutil import now
from onewindow.stats.tests.fixtures import build_march
from onewindow.web.tests.browser.test_flows import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_overdue_figure_drills_down_to_exactly_the_overdue_cases(page: Page, live_server, hall, shot):
    month = build_march()
    overdue = month.cases["c5"]  # reviewing, promised by 2025-03-24: overdue today
    # A second overdue case, and running or suspended cases that are not overdue (must not be listed).
    extra = {}
    for key, status, due in (
        ("late", CaseStatus.DECIDING, now() - dt.timedelta(days=2)),
        ("early", CaseStatus.REVIEWING, now() + dt.timedelta(days=10)),
        ("paused", CaseStatus.SUSPENDED, now() - dt.timedelta(days=5)),
    ):
        case = Case.objects.get(pk=overdue.pk)
        case.pk, case.number, case.status, case.promised_due_at = (
            None,
            f"{overdue.number[:-3]}-{key}",
            status,
            due,
        )
        case.save()
        extra[key] = case
    expected = sorted([overdue.number, extra["late"].number])

    login(page, live_server.url, "supervisor")
    page.get_by_role("link", name="统计分析", exact=True).click()
    expect(page.get_by_role("heading", name="统计分析")).to_be_visible()
    figure = page.locator("#fig-overdue_open")
    expect(figure.locator("strong")).to_have_text("2")
    shot("dashboard")
    figure.get_by_role("link").click()

    expect(page.get_by_role("heading", name="在办超期件数")).to_be_visible()
    expect(page.locator("#drill-count")).to_contain_text("共 2 件")
    listed = sorted(page.locator("#drill-table tbody tr td:first-child").all_inner_texts())
    assert listed == expected
    shot("overdue-drilldown")
    # Back to the dashboard with the same filter.
    page.get_by_role("link", name="返回统计分析").click()
    expect(page.locator("#fig-overdue_open strong")).to_have_text("2")
