import pytest

from onewindow.clock.models import Calendar
from onewindow.clock.selectors import forget_cached_calendars
from onewindow.clock.services import calendar_seed_national


@pytest.fixture
def national(db) -> Calendar:
    """The national calendar seeded from chinesecalendar, as `load-demo` does."""
    forget_cached_calendars()
    return calendar_seed_national(actor=None).calendar


@pytest.fixture(autouse=True)
def _no_calendars_cached_from_another_test():
    """Each test's calendars are rolled back at its end; the process caches must not outlive them."""
    forget_cached_calendars()
    yield
    forget_cached_calendars()
