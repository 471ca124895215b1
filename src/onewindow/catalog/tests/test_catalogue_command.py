"""``onewindow catalogue import|export|stats``."""

import json

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from onewindow.catalog.models import ServiceItem
from onewindow.catalog.tests.catalogues import catalogue

pytestmark = pytest.mark.django_db


def test_importing_a_bad_file_fails_prints_every_error_and_changes_nothing(demo_org, tmp_path, capsys):
    data = catalogue()
    data["items"][0]["kind"] = "permit"
    data["items"][2]["department"] = "NOPE"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="2 error"):
        call_command("catalogue", "import", str(path))
    err = capsys.readouterr().err
    assert "items[0].kind" in err and "items[2].department" in err
    assert not ServiceItem.objects.exists()


def test_the_onewindow_command_exits_non_zero_on_a_bad_file(demo_org, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("items: [", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["onewindow", "catalogue", "import", str(path)]).execute()
    assert exc.value.code == 1


def test_importing_prints_a_one_line_summary(demo_org, tmp_path, capsys):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalogue()), encoding="utf-8")
    call_command("catalogue", "import", str(path), "--dry-run")
    assert "dry run" in capsys.readouterr().out
    assert not ServiceItem.objects.exists()
    call_command("catalogue", "import", str(path))
    assert "items 3 new" in capsys.readouterr().out


def test_export_writes_a_file_that_imports_back_unchanged(small_catalogue, tmp_path, capsys):
    path = tmp_path / "out.xlsx"
    call_command("catalogue", "export", "--format", "xlsx", "-o", str(path))
    call_command("catalogue", "import", str(path))
    assert "0 new versions" in capsys.readouterr().out


def test_stats_prints_the_overall_figures(small_catalogue, capsys):
    call_command("catalogue", "stats")
    out = capsys.readouterr().out
    assert "3 items, 2 compared" in out and "instant 33.3%" in out
