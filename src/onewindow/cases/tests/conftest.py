import pytest

from onewindow.catalog.services import catalog_load_demo
from onewindow.clock.selectors import forget_cached_calendars
from onewindow.clock.services import calendar_seed_national


@pytest.fixture
def hall(demo_org, settings, tmp_path):
    """The demo county with its calendar and catalogue, uploads in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    forget_cached_calendars()
    calendar_seed_national(actor=None)
    catalog_load_demo()
