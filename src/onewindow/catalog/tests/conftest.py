import pytest

from onewindow.catalog.services import catalogue_import
from onewindow.catalog.tests.catalogues import catalogue


@pytest.fixture
def small_catalogue(demo_org: None) -> None:
    """The test catalogue of ``catalogues.py`` imported into the demo county."""
    catalogue_import(catalogue(), actor=None)
