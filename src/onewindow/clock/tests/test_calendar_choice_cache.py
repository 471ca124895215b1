"""Which calendar applies is cached per process: no query per request, yet a calendar added or
changed in this process counts at once, and one changed by another process within seconds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.clock import selectors
from onewindow.clock.models import Calendar, CalendarKind
from onewindow.clock.selectors import CalendarNotLoaded, calendar_default, calendar_for_region
from onewindow.org.models import Region

pytestmark = pytest.mark.django_db


def test_finding_the_calendar_again_needs_no_query(national, demo_org):
    village = Region.objects.get(code="430702100201")
    assert calendar_for_region(region=village) == national
    with CaptureQueriesContext(connection) as queries:
        assert calendar_for_region(region=village) == national
        assert calendar_default() == national
    assert len(queries) == 0


def test_a_regional_calendar_created_in_this_process_applies_at_once(national, demo_org):
    village = Region.objects.get(code="430702100201")
    assert calendar_for_region(region=village) == national  # cached
    regional = Calendar.objects.create(  # as the admin does: no clock service involved
        code="wuling",
        name="武陵区工作日历",
        kind=CalendarKind.REGIONAL,
        base=national,
        region=Region.objects.get(code="430702000000"),
    )
    assert calendar_for_region(region=village) == regional
    regional.delete()
    assert calendar_for_region(region=village) == national


def test_a_change_made_by_another_process_is_seen_after_the_revision_check(national, demo_org, monkeypatch):
    village = Region.objects.get(code="430702100201")
    assert calendar_for_region(region=village) == national
    Calendar.objects.bulk_create(  # bypasses signals, as another process's write does for this one
        [
            Calendar(
                code="wuling",
                name="武陵区工作日历",
                kind=CalendarKind.REGIONAL,
                base=national,
                region=Region.objects.get(code="430702000000"),
            )
        ]
    )
    assert calendar_for_region(region=village) == national  # still cached
    clock = selectors._time.monotonic() + selectors.REVISION_CHECK_SECONDS + 1
    monkeypatch.setattr(selectors._time, "monotonic", lambda: clock)
    assert calendar_for_region(region=village).code == "wuling"


def test_callers_get_their_own_copy(national):
    first = calendar_default()
    first.name = "changed by a caller"
    assert calendar_default().name == national.name


def test_without_a_default_calendar_the_error_stays_clear(db):
    with pytest.raises(CalendarNotLoaded):
        calendar_default()
