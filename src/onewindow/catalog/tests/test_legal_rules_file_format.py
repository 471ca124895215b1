"""The legal-rule fields in the catalogue file (docs/catalogue-format.md): deemed-consent bases,
代收代办 and 联合办理 are read, validated with their place, exported and imported back, in YAML,
JSON and Excel; a bad file changes nothing."""

import io

import pytest
import yaml
from openpyxl import load_workbook

from onewindow.catalog.models import Bundle, ItemStep, Material, ServiceItem, ServiceItemVersion
from onewindow.catalog.services import catalogue_export, catalogue_import, catalogue_parse
from onewindow.catalog.tests.catalogues import (
    BUNDLE,
    FOOD,
    HR,
    STEP_BASIS,
    VERSION_BASIS,
    catalogue,
    legal_catalogue,
)
from onewindow.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Material.objects.count(),
        ServiceItem.objects.count(),
        ServiceItemVersion.objects.count(),
        ItemStep.objects.count(),
        Bundle.objects.count(),
    )


@pytest.fixture
def legal(demo_org) -> None:
    catalogue_import(legal_catalogue(), actor=None)


def police_step(code: str = FOOD) -> ItemStep:
    version = ServiceItem.objects.get(code=code).current_version
    return version.steps.select_related("department").get(department__code="GA")


def test_the_legal_rule_fields_are_imported(legal):
    step = police_step()
    assert (step.kind, step.deemed_consent_basis) == ("review", STEP_BASIS)
    version = ServiceItem.objects.get(code=FOOD).current_version
    assert (version.deemed_consent_days, version.deemed_consent_basis) == (5, VERSION_BASIS)
    assert ServiceItem.objects.get(code=HR).collect_for_higher_tier
    assert not ServiceItem.objects.get(code=FOOD).collect_for_higher_tier  # the default
    assert Bundle.objects.get(code=BUNDLE).joint_handling


def test_a_catalogue_without_the_legal_rule_fields_gets_none_of_them(demo_org):
    catalogue_import(catalogue(), actor=None)
    assert not ServiceItem.objects.filter(collect_for_higher_tier=True).exists()
    assert not ItemStep.objects.exclude(deemed_consent_basis="").exists()
    assert not ServiceItemVersion.objects.exclude(deemed_consent_basis="").exists()
    assert not Bundle.objects.get(code=BUNDLE).joint_handling


@pytest.mark.parametrize("fmt", ["yaml", "json", "xlsx"])
def test_the_legal_rule_fields_are_exported_and_import_back_unchanged(legal, fmt):
    document = catalogue_parse(catalogue_export(fmt), fmt=fmt)
    items = {i["code"]: i for i in document.data["items"]}
    food_steps = items[FOOD]["version"]["steps"]
    assert food_steps[1]["deemed_consent_basis"] == STEP_BASIS
    assert "deemed_consent_basis" not in food_steps[0]  # only where set
    assert items[FOOD]["version"]["deemed_consent_basis"] == VERSION_BASIS
    assert items[HR]["collect_for_higher_tier"] is True
    assert document.data["bundles"][0]["joint_handling"] is True
    before = counts()
    report = catalogue_import(document, actor=None)
    assert not report.changed, report.changes
    assert counts() == before


def test_an_exported_catalogue_recreates_the_legal_rules_in_an_empty_database(legal):
    exported = catalogue_export("yaml")
    Bundle.objects.all().delete()
    ServiceItem.objects.update(current_version=None)
    ServiceItem.objects.all().delete()
    catalogue_import(catalogue_parse(exported, fmt="yaml"), actor=None)
    assert police_step().deemed_consent_basis == STEP_BASIS
    assert ServiceItem.objects.get(code=HR).collect_for_higher_tier
    assert Bundle.objects.get(code=BUNDLE).joint_handling
    assert catalogue_export("yaml") == exported


def test_excel_columns_with_chinese_headers_are_read(legal):
    book = load_workbook(io.BytesIO(catalogue_export("xlsx")))
    renamed = {
        "items": {"collect_for_higher_tier": "可代收代办", "deemed_consent_basis": "缺席默认依据"},
        "steps": {"deemed_consent_basis": "缺席默认依据"},
        "bundles": {"joint_handling": "联合办理"},
    }
    for sheet, labels in renamed.items():
        for cell in book[sheet][1]:
            cell.value = labels.get(cell.value, cell.value)
    out = io.BytesIO()
    book.save(out)
    Bundle.objects.all().delete()
    ServiceItem.objects.update(current_version=None)
    ServiceItem.objects.all().delete()
    catalogue_import(catalogue_parse(out.getvalue(), fmt="xlsx"), actor=None)
    assert police_step().deemed_consent_basis == STEP_BASIS
    assert ServiceItem.objects.get(code=FOOD).current_version.deemed_consent_basis == VERSION_BASIS
    assert ServiceItem.objects.get(code=HR).collect_for_higher_tier
    assert Bundle.objects.get(code=BUNDLE).joint_handling


def _steps(data: dict) -> list[dict]:
    return data["items"][0]["version"]["steps"]


def _basis_on_accept(data: dict) -> None:
    _steps(data)[0]["deemed_consent_basis"] = STEP_BASIS


def _basis_without_limit(data: dict) -> None:
    del _steps(data)[1]["limit"]


def _basis_on_own_department(data: dict) -> None:
    _steps(data)[1]["department"] = "SCJG"


def _basis_on_instant_limit(data: dict) -> None:
    _steps(data)[1]["limit"] = {"value": 0, "unit": "instant"}


def _basis_not_text(data: dict) -> None:
    _steps(data)[1]["deemed_consent_basis"] = ["a", "b"]


def _days_without_basis(data: dict) -> None:
    data["items"][0]["version"]["deemed_consent_basis"] = ""


def _basis_without_days(data: dict) -> None:
    data["items"][0]["version"]["deemed_consent_days"] = None


def _collect_not_boolean(data: dict) -> None:
    data["items"][1]["collect_for_higher_tier"] = "maybe"


def _joint_in_one_department(data: dict) -> None:
    data["bundles"][0]["items"] = [FOOD]
    data["bundles"][0]["options"] = []
    data["bundles"][0]["dependencies"] = []


def _joint_beyond_45_days(data: dict) -> None:
    data["bundles"][0]["promised_limit"] = {"value": 46, "unit": "workday"}


def _joint_not_boolean(data: dict) -> None:
    data["bundles"][0]["joint_handling"] = "sometimes"


@pytest.mark.parametrize(
    ("break_it", "path", "message"),
    [
        (_basis_on_accept, "items[0].version.steps[0].deemed_consent_basis", "审查环节"),
        (_basis_without_limit, "items[0].version.steps[1].limit.value", "环节时限"),
        (_basis_on_own_department, "items[0].version.steps[1].deemed_consent_basis", "其他部门"),
        (_basis_on_instant_limit, "items[0].version.steps[1].limit.unit", "不能为即办"),
        (_basis_not_text, "items[0].version.steps[1].deemed_consent_basis", "应为文字"),
        (_days_without_basis, "items[0].version.deemed_consent_basis", "依据"),
        (_basis_without_days, "items[0].version.deemed_consent_days", "工作日数"),
        (_collect_not_boolean, "items[1].collect_for_higher_tier", "true 或 false"),
        (_joint_in_one_department, "bundles[0].joint_handling", "两个以上部门"),
        (_joint_beyond_45_days, "bundles[0].promised_limit.value", "45个工作日"),
        (_joint_not_boolean, "bundles[0].joint_handling", "true 或 false"),
    ],
)
def test_a_broken_legal_rule_is_reported_at_its_path_and_changes_nothing(
    small_catalogue, break_it, path, message
):
    data = legal_catalogue()
    break_it(data)
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(data, actor=None)
    errors = exc.value.fields["errors"]
    assert [e["path"] for e in errors] == [path]
    assert message in errors[0]["message"]
    assert counts() == before
    assert not ItemStep.objects.exclude(deemed_consent_basis="").exists()
    assert not Bundle.objects.get(code=BUNDLE).joint_handling


def test_a_broken_legal_rule_in_a_yaml_file_is_reported_at_its_path(demo_org):
    data = legal_catalogue()
    _basis_on_own_department(data)
    document = catalogue_parse(yaml.safe_dump(data, allow_unicode=True).encode(), fmt="yaml")
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(document, actor=None)
    assert [e["path"] for e in exc.value.fields["errors"]] == [
        "items[0].version.steps[1].deemed_consent_basis"
    ]
    assert counts() == (0, 0, 0, 0, 0)


def test_a_broken_legal_rule_in_an_excel_file_names_its_sheet_row_and_column(legal):
    book = load_workbook(io.BytesIO(catalogue_export("xlsx")))
    steps = book["steps"]
    headers = [c.value for c in steps[1]]
    accept_row = next(
        r
        for r in range(2, steps.max_row + 1)
        if steps.cell(r, 1).value == FOOD and steps.cell(r, headers.index("kind") + 1).value == "accept"
    )
    steps.cell(accept_row, headers.index("deemed_consent_basis") + 1, STEP_BASIS)
    bundles = book["bundles"]
    bundle_headers = [c.value for c in bundles[1]]
    bundles.cell(2, bundle_headers.index("joint_handling") + 1, "sometimes")
    out = io.BytesIO()
    book.save(out)
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        catalogue_import(catalogue_parse(out.getvalue(), fmt="xlsx"), actor=None)
    found = {(e["sheet"], e["row"], e["column"]) for e in exc.value.fields["errors"]}
    basis_column = chr(ord("A") + headers.index("deemed_consent_basis"))
    joint_column = chr(ord("A") + bundle_headers.index("joint_handling"))
    assert found == {
        ("steps", accept_row, f"{basis_column}（deemed_consent_basis）"),
        ("bundles", 2, f"{joint_column}（joint_handling）"),
    }
    assert counts() == before
    assert police_step().deemed_consent_basis == STEP_BASIS


def test_changing_only_collect_for_higher_tier_updates_the_item_without_a_new_version(legal):
    data = legal_catalogue()
    data["items"][1]["collect_for_higher_tier"] = False
    report = catalogue_import(data, actor=None)
    assert (report.items_updated, report.versions_created) == (1, 0)
    assert not ServiceItem.objects.get(code=HR).collect_for_higher_tier


def test_changing_only_joint_handling_updates_the_bundle(legal):
    data = legal_catalogue()
    data["bundles"][0]["joint_handling"] = False
    report = catalogue_import(data, actor=None)
    assert report.bundles_updated == 1
    assert not Bundle.objects.get(code=BUNDLE).joint_handling
