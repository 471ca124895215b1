"""A deemed-consent basis belongs to the version a case is bound to: setting, changing or removing one
makes a new version, the old one keeps its rule, and versions without one keep their content hash."""

import pytest

from onewindow.catalog.models import ServiceItem, ServiceItemVersion
from onewindow.catalog.selectors import version_document
from onewindow.catalog.services import catalogue_import, content_hash, item_create, item_revise
from onewindow.catalog.tests.catalogues import FOOD, STEP_BASIS, VERSION_BASIS, legal_catalogue
from onewindow.clock.workdays import Duration, Unit
from onewindow.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal(demo_org) -> None:
    catalogue_import(legal_catalogue(), actor=None)


def food() -> ServiceItem:
    return ServiceItem.objects.select_related("current_version").get(code=FOOD)


def police_basis(version: ServiceItemVersion) -> str:
    return version.steps.get(department__code="GA").deemed_consent_basis


def test_changing_a_steps_basis_makes_a_new_version_and_the_old_one_keeps_its_rule(legal):
    bound = food().current_version  # what a running case holds
    data = legal_catalogue()
    data["items"][0]["version"]["steps"][1]["deemed_consent_basis"] = "另一份文件第三条"
    report = catalogue_import(data, actor=None)
    assert (report.items_updated, report.versions_created) == (1, 1)
    current = food().current_version
    assert current.number == bound.number + 1
    assert police_basis(current) == "另一份文件第三条"
    assert police_basis(ServiceItemVersion.objects.get(pk=bound.pk)) == STEP_BASIS


def test_removing_a_steps_basis_makes_a_new_version_without_deemed_consent(legal):
    data = legal_catalogue()
    del data["items"][0]["version"]["steps"][1]["deemed_consent_basis"]
    assert catalogue_import(data, actor=None).versions_created == 1
    assert police_basis(food().current_version) == ""


def test_changing_the_versions_basis_makes_a_new_version(legal):
    data = legal_catalogue()
    data["items"][0]["version"]["deemed_consent_basis"] = VERSION_BASIS + "（修订）"
    assert catalogue_import(data, actor=None).versions_created == 1
    assert food().current_version.deemed_consent_basis.endswith("（修订）")


def test_reimporting_the_same_bases_makes_no_version(legal):
    report = catalogue_import(legal_catalogue(), actor=None)
    assert not report.changed, report.changes


def test_a_version_without_bases_hashes_as_before_the_bases_existed(small_catalogue):
    version = food().current_version
    document = version_document(version, list(version.steps.all()), list(version.requirements.all()))
    assert "deemed_consent_basis" not in document
    assert all(set(step) == {"kind", "department", "limit"} for step in document["steps"])
    assert content_hash(document) == version.content_hash


def test_revising_an_item_copies_its_steps_with_their_bases(legal):
    version = item_revise(item=food(), actor=None, fee="5")
    assert version.number == 2
    assert police_basis(version) == STEP_BASIS
    assert version.deemed_consent_basis == VERSION_BASIS


def test_revising_the_period_without_a_basis_is_refused_at_its_path(small_catalogue):
    with pytest.raises(InvalidInput) as exc:
        item_revise(item=food(), actor=None, deemed_consent_days=5)
    assert [e["path"] for e in exc.value.fields["errors"]] == ["version.deemed_consent_basis"]
    assert food().versions.count() == 1


def test_revising_the_period_with_its_basis_makes_a_new_version(small_catalogue):
    version = item_revise(item=food(), actor=None, deemed_consent_days=5, deemed_consent_basis=VERSION_BASIS)
    assert version.number == 2
    assert (version.deemed_consent_days, version.deemed_consent_basis) == (5, VERSION_BASIS)


def test_an_item_whose_own_department_would_be_deemed_to_consent_is_refused(demo_org, dept):
    with pytest.raises(InvalidInput) as exc:
        item_create(
            actor=None,
            code="T-JT-0009",
            name="超限运输",
            kind="licence",
            department=dept("JT"),
            version={"promised_limit": Duration(1, Unit.WORKDAY)},
            steps=[
                {"kind": "accept", "department": dept("XZSP")},
                {
                    "kind": "review",
                    "department": dept("JT"),
                    "limit": Duration(1, Unit.WORK_HOUR),
                    "deemed_consent_basis": STEP_BASIS,
                },
                {"kind": "decide", "department": dept("JT")},
            ],
        )
    assert [e["path"] for e in exc.value.fields["errors"]] == ["version.steps[1].deemed_consent_basis"]
    assert not ServiceItem.objects.filter(code="T-JT-0009").exists()


def test_an_item_is_created_collectable_with_another_departments_deemed_opinion(demo_org, dept):
    item = item_create(
        actor=None,
        code="T-JT-0010",
        name="超限运输",
        kind="licence",
        department=dept("JT"),
        collect_for_higher_tier=True,
        version={"promised_limit": Duration(1, Unit.WORKDAY)},
        steps=[
            {"kind": "accept", "department": dept("XZSP")},
            {
                "kind": "review",
                "department": dept("GA"),
                "limit": Duration(4, Unit.WORK_HOUR),
                "deemed_consent_basis": STEP_BASIS,
            },
            {"kind": "decide", "department": dept("JT")},
        ],
    )
    assert item.collect_for_higher_tier
    assert police_basis(item.current_version) == STEP_BASIS
