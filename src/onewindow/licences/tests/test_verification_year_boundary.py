"""部门协查 filed in late December, before next year's notice is imported: a provisional answer
day, recomputed when the notice comes (issue 17)."""

import datetime as dt

import pytest
import time_machine

from onewindow.clock.selectors import calendar_default
from onewindow.clock.services import calendar_import_year
from onewindow.licences.services import verification_request_create

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY_28_DECEMBER_2026 = dt.datetime(2026, 12, 28, 15, 0, tzinfo=SHANGHAI)
NOTICE_2027 = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
    "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}],
}


@pytest.fixture
def request_in_december(national, licence_types, person, dept):
    with time_machine.travel(MONDAY_28_DECEMBER_2026, tick=False):
        return verification_request_create(
            actor=None,
            requesting_department=dept("RS"),
            responding_department=dept("GA"),
            subject=person,
            question="请核实申请人有无犯罪记录",
            days=5,
        )


def test_a_request_on_28_december_gets_a_provisional_answer_day(request_in_december):
    # 29, 30, 31 December, Friday 1 January (no notice yet), Monday 4 January.
    assert request_in_december.due_on == dt.date(2027, 1, 4)
    assert request_in_december.due_provisional and request_in_december.limit_days == 5


def test_importing_the_notice_moves_the_answer_day_and_clears_the_flag(request_in_december):
    with time_machine.travel(MONDAY_28_DECEMBER_2026 + dt.timedelta(days=1), tick=False):
        calendar_import_year(actor=None, calendar=calendar_default(), data=NOTICE_2027)
    request_in_december.refresh_from_db()
    assert request_in_december.due_on == dt.date(2027, 1, 5)
    assert not request_in_december.due_provisional
