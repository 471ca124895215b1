"""A bad rating in late December, before next year's notice is imported, opens its rectification
with provisional deadlines that are recomputed when the notice comes (issue 17)."""

import datetime as dt

import pytest
import time_machine

from onewindow.clock.selectors import calendar_default
from onewindow.clock.services import calendar_import_year
from onewindow.ratings.services import rating_submit
from onewindow.ratings.tests.helpers import TZ, at, finished_case

pytestmark = pytest.mark.django_db

NOTICE_2027 = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
    "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}],
}


@pytest.fixture
def rectification(hall, persona, settings):
    settings.ONEWINDOW_RATINGS_CONTACT_DAYS = 1
    settings.ONEWINDOW_RATINGS_RECTIFY_DAYS = 5
    case = finished_case(persona("window1"), day="2026-12-28")
    with time_machine.travel(at("2026-12-30", "16:00"), tick=False):
        return rating_submit(case=case, level=2, comment="材料要求反复变", channel="online").rectification


def test_a_bad_rating_on_30_december_gets_provisional_deadlines(rectification):
    assert rectification.contact_due_at == dt.datetime(2027, 1, 1, tzinfo=TZ)  # Thursday 31 December
    # 31 December, then Friday 1 January (no notice yet), Monday 4 to Wednesday 6 January.
    assert rectification.rectify_due_at == dt.datetime(2027, 1, 7, tzinfo=TZ)
    assert rectification.due_provisional


def test_importing_the_notice_recomputes_the_rectification_deadlines(rectification):
    with time_machine.travel(at("2026-12-31", "09:00"), tick=False):
        calendar_import_year(actor=None, calendar=calendar_default(), data=NOTICE_2027)
    rectification.refresh_from_db()
    assert rectification.contact_due_at == dt.datetime(2027, 1, 1, tzinfo=TZ)
    assert rectification.rectify_due_at == dt.datetime(2027, 1, 8, tzinfo=TZ)  # 元旦 1–3 January off
    assert not rectification.due_provisional
