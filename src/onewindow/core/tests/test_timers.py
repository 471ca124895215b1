import pytest
from django.core.management import call_command

from onewindow.core.timers import fire_all_due, timer_sources


def test_every_app_with_timers_registers_its_source():
    names = list(timer_sources())
    for source in ("cases", "licences", "ratings", "complaints"):
        assert any(name.startswith(f"onewindow.{source}.") for name in names), source


@pytest.mark.django_db
def test_tick_fires_every_source_and_prints_a_summary(capsys):
    assert fire_all_due() == []
    call_command("tick")
    assert "tick: 0 timers fired" in capsys.readouterr().out
