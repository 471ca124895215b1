import pytest
import time_machine

from onewindow.ratings.tests.helpers import at


@pytest.fixture(autouse=True)
def _in_march_2025():
    """Every test runs in early March 2025 (calendar loaded); tests travel further as needed."""
    with time_machine.travel(at("2025-03-04", "10:00"), tick=False):
        yield
