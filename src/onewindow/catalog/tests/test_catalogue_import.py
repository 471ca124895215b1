"""Catalogue import: validated as a whole, every error reported, nothing changed on error."""

import io

import pytest
import yaml
from openpyxl import load_workbook

from onewindow.audit.models import AuditEvent
from onewindow.catalog.models import Bundle, Material, ServiceItem, ServiceItemVersion
from onewindow.catalog.services import (
    catalog_load_demo,
    catalogue_export,
    catalogue_import,
    catalogue_load_file,
    catalogue_parse,
)
from onewindow.catalog.tests.catalogues import BUNDLE, FOOD, HR, catalogue
from onewindow.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Material.objects.count(),
        ServiceItem.objects.count(),
        ServiceItemVersion.objects.count(),
        Bundle.objects.count(),
    )


def broken_catalogue() -> dict:
    data = catalogue()
    data["items"][0]["version"]["materials"][1]["form"] = "photocopy"
    data["items"][0]["department"] = "NOPE"
    data["items"][1]["version"]["promised_limit"] = {"value": 9, "unit": "workday"}
    data["items"][2]["version"]["materials"][0]["material"] = "unknown_material"
    data["bundles"][0]["dependencies"].append({"item": HR, "waits_for": "T-XX-9999"})
    return data


EXPECTED_PATHS = {
    "items[0].version.materials[1].form",
    "items[0].department",
    "items[1].version.promised_limit.value",
    "items[2].version.materials[0].material",
    "bundles[0].dependencies[1].waits_for",
}


def test_importing_a_catalogue_creates_items_versions_materials_and_bundles(demo_org):
    report = catalogue_import(catalogue(), actor=None)
    assert (report.items_created, report.versions_created, report.materials_created) == (3, 3, 4)
    assert report.bundles_created == 1
    assert counts() == (4, 3, 3, 1)
    assert AuditEvent.objects.filter(action="catalog.import").count() == 1


def test_a_malformed_import_reports_every_error_and_changes_nothing(small_catalogue):
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(broken_catalogue(), actor=None)
    paths = {e["path"] for e in exc.value.fields["errors"]}
    assert paths == EXPECTED_PATHS
    assert "不是有效的选项" in exc.value.detail
    assert counts() == before
    assert ServiceItem.objects.get(code=FOOD).department.code == "SCJG"


def test_a_malformed_import_into_an_empty_catalogue_creates_nothing(demo_org):
    with pytest.raises(InvalidInput):
        catalogue_import(broken_catalogue(), actor=None)
    assert counts() == (0, 0, 0, 0)
    assert not AuditEvent.objects.filter(action__startswith="catalog.").exists()


def test_a_malformed_yaml_file_reports_every_error_with_its_path(demo_org, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(broken_catalogue(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(catalogue_load_file(path), actor=None)
    assert {e["path"] for e in exc.value.fields["errors"]} == EXPECTED_PATHS
    assert counts() == (0, 0, 0, 0)


def test_a_malformed_excel_file_reports_sheet_row_and_column_and_changes_nothing(small_catalogue, tmp_path):
    book = load_workbook(io.BytesIO(catalogue_export("xlsx")))
    items = book["items"]
    headers = [c.value for c in items[1]]
    food_row = next(r for r in range(2, items.max_row + 1) if items.cell(r, 1).value == FOOD)
    items.cell(food_row, headers.index("promised_limit.unit") + 1, "fortnight")
    items.cell(food_row, headers.index("department") + 1, "NOPE")
    materials = book["item_materials"]
    materials.cell(3, [c.value for c in materials[1]].index("copies") + 1, "many")
    path = tmp_path / "bad.xlsx"
    book.save(path)
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(catalogue_load_file(path), actor=None)
    errors = {(e["sheet"], e["row"], e["column"].split("（")[0]) for e in exc.value.fields["errors"]}
    unit_column = chr(ord("A") + headers.index("promised_limit.unit"))
    department_column = chr(ord("A") + headers.index("department"))
    copies_column = chr(ord("A") + [c.value for c in materials[1]].index("copies"))
    assert errors == {
        ("items", food_row, unit_column),
        ("items", food_row, department_column),
        ("item_materials", 3, copies_column),
    }
    assert counts() == before


def test_garbage_files_are_refused_with_the_place_of_the_syntax_error(demo_org):
    with pytest.raises(InvalidInput, match=r"第3行第1列：YAML 格式错误"):
        catalogue_parse(b"items:\n  - [unclosed\n", fmt="yaml")
    with pytest.raises(InvalidInput, match="JSON"):
        catalogue_parse(b"{not json", fmt="json")
    with pytest.raises(InvalidInput, match="Excel"):
        catalogue_parse(b"not a zip", fmt="xlsx")
    with pytest.raises(InvalidInput, match="不支持的文件类型"):
        catalogue_parse(b"", filename="catalogue.txt")


@pytest.mark.parametrize("data", [None, [], "text", {"items": "x"}, {"items": [None, 3]}, {"surprise": 1}])
def test_a_document_of_the_wrong_shape_is_an_error_not_a_crash(demo_org, data):
    with pytest.raises(InvalidInput):
        catalogue_import(data, actor=None)


def test_reimporting_identical_content_creates_no_version(small_catalogue):
    before = counts()
    report = catalogue_import(catalogue(), actor=None)
    assert not report.changed
    assert (report.items_unchanged, report.versions_created, report.bundles_unchanged) == (3, 0, 1)
    assert counts() == before


def test_importing_changed_content_creates_a_new_version_and_keeps_the_old_one(small_catalogue):
    old = ServiceItem.objects.get(code=FOOD).current_version
    data = catalogue()
    data["items"][0]["version"]["promised_limit"] = {"value": 6, "unit": "workday"}
    report = catalogue_import(data, actor=None)
    assert (report.items_updated, report.versions_created) == (1, 1)
    item = ServiceItem.objects.get(code=FOOD)
    assert item.current_version.number == 2
    assert item.current_version.promised_limit_value == 6
    old.refresh_from_db()
    assert old.promised_limit_value == 8


def test_a_dry_run_reports_the_changes_and_saves_nothing(demo_org):
    report = catalogue_import(catalogue(), actor=None, dry_run=True)
    assert report.dry_run and report.items_created == 3
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("fmt", ["yaml", "json", "xlsx"])
def test_an_exported_catalogue_imports_back_without_changes(small_catalogue, fmt):
    ServiceItem.objects.filter(code=HR).update(tier_town=True)
    before = counts()
    document = catalogue_parse(catalogue_export(fmt), fmt=fmt)
    report = catalogue_import(document, actor=None)
    assert not report.changed, report.changes
    assert counts() == before


def test_an_exported_catalogue_recreates_the_same_catalogue_elsewhere(small_catalogue):
    exported = catalogue_export("json")
    Bundle.objects.all().delete()
    ServiceItem.objects.update(current_version=None)
    ServiceItem.objects.all().delete()
    report = catalogue_import(catalogue_parse(exported, fmt="json"), actor=None)
    assert (report.items_created, report.bundles_created) == (3, 1)
    assert catalogue_export("json") == exported


def test_a_file_may_name_parents_declared_later_in_the_file(demo_org):
    data = catalogue()
    data["items"][0]["parent"] = HR
    catalogue_import(data, actor=None)
    assert ServiceItem.objects.get(code=FOOD).parent.code == HR


def test_a_parent_cycle_is_refused(demo_org):
    data = catalogue()
    data["items"][0]["parent"] = HR
    data["items"][1]["parent"] = FOOD
    with pytest.raises(InvalidInput, match="循环"):
        catalogue_import(data, actor=None)


def test_a_dependency_cycle_in_a_bundle_is_refused(demo_org):
    data = catalogue()
    data["bundles"][0]["dependencies"].append({"item": "T-GA-0001", "waits_for": FOOD})
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(data, actor=None)
    assert exc.value.fields["errors"][0]["path"] == "bundles[0].dependencies"


def test_an_option_item_outside_the_bundle_is_refused(small_catalogue):
    data = catalogue()
    data["bundles"][0]["items"].remove(HR)
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(data, actor=None)
    assert {e["path"] for e in exc.value.fields["errors"]} == {"bundles[0].options[1].items[0]"}
    assert Bundle.objects.get(code=BUNDLE).items.count() == 3


def test_a_misspelt_field_is_reported(demo_org):
    data = catalogue()
    data["items"][0]["version"]["materials"][0]["waiveable"] = True
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(data, actor=None)
    assert exc.value.fields["errors"][0]["path"] == "items[0].version.materials[0].waiveable"


def test_loading_the_demo_catalogue_twice_creates_no_new_versions(demo_org):
    first = catalog_load_demo()
    assert first.items_created > 0
    versions = ServiceItemVersion.objects.count()
    second = catalog_load_demo()
    assert not second.changed, second.changes
    assert ServiceItemVersion.objects.count() == versions


def test_changing_only_a_bundles_name_or_limit_in_the_file_updates_it(small_catalogue):
    data = catalogue()
    data["bundles"][0]["name"] = "开办食品企业一件事（新）"
    data["bundles"][0]["promised_limit"] = {"value": 7, "unit": "workday"}
    report = catalogue_import(data, actor=None)
    assert report.bundles_updated == 1
    bundle = Bundle.objects.get(code=BUNDLE)
    assert (bundle.name, bundle.promised_limit_value) == ("开办食品企业一件事（新）", 7)
