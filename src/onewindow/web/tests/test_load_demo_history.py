"""``onewindow load-demo --history N`` gives the demo a simulated past, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db


def test_history_is_simulated_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"
    out = io.StringIO()
    call_command("load_demo", history=40, stdout=out)
    first = Case.objects.count()
    assert first == 40
    call_command("load_demo", history=40, stdout=out)
    assert Case.objects.count() == first
    assert "nothing simulated" in out.getvalue()
    with pytest.raises(CommandError, match="非负整数"):
        call_command("load_demo", history=-1, stdout=out)
