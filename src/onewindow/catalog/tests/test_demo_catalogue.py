"""The demo catalogue (catalog/data/demo_catalogue.yaml) loads through the real importer and
carries the seeds' real figures (../shared/seeds/000–003)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from onewindow.catalog.limits import JOINT_HANDLING_LIMIT, in_working_days, limit_compression
from onewindow.catalog.models import Bundle, ItemStep, ServiceItem, ServiceItemVersion, StepKind
from onewindow.catalog.selectors import (
    bundle_combined_limit,
    bundle_combined_materials,
    bundle_items,
    bundle_joint_limit,
)
from onewindow.catalog.services import catalog_load_demo
from onewindow.clock.workdays import Duration, Unit

pytestmark = pytest.mark.django_db

STARTUP = "430702-YJS-0001"
PHARMACY = "430702-YJS-0002"
HOUSING = "430702-YJS-0003"
CONSTRUCTION = "430702-YJS-0004"
ROADWORKS = "430702-YJS-0005"
DEMO_DEPARTMENTS = {
    "XZSP",
    "SCJG",
    "SW",
    "GA",
    "RS",
    "YB",
    "ZJ",
    "ZRZY",
    "BDC",
    "JT",
    "WJ",
    "YJ",
    "CG",
    "XF",
    "MZ",
    "FGJ",
}


@pytest.fixture
def demo_catalogue(demo_org: None) -> None:
    catalog_load_demo()


def version(code: str) -> ServiceItemVersion:
    item = ServiceItem.objects.select_related("current_version").get(code=code)
    assert item.current_version is not None
    return item.current_version


def wd(n: int) -> Duration:
    return Duration(n, Unit.WORKDAY)


INSTANT = Duration.instant()


def test_the_demo_catalogue_holds_at_least_40_items_of_the_demo_county_departments(demo_catalogue):
    items = ServiceItem.objects.select_related("department", "current_version")
    assert items.count() >= 40
    assert all(i.current_version is not None for i in items)
    assert {i.department.code for i in items} <= DEMO_DEPARTMENTS
    assert Bundle.objects.count() >= 5


def test_every_item_and_bundle_names_the_seed_it_came_from_with_a_note(demo_catalogue):
    seeds = {"000", "001", "002", "003", "004", "common"}
    for item in ServiceItem.objects.all():
        assert item.source_seed in seeds, item.code
        assert item.source_note, item.code
    for bundle in Bundle.objects.all():
        assert bundle.source_seed in seeds, bundle.code
        assert bundle.source_note, bundle.code
    used = Counter(i.source_seed for i in ServiceItem.objects.all())
    assert {"000", "001", "002", "003"} <= set(used)


def test_loading_the_demo_catalogue_twice_creates_no_new_version(demo_catalogue):
    versions = ServiceItemVersion.objects.count()
    report = catalog_load_demo()
    assert report.versions_created == 0
    assert not report.changed
    assert ServiceItemVersion.objects.count() == versions


# ---- seed 001: enterprise start-up (青白江区 “五个一”) -------------------------------------------


@pytest.mark.parametrize(
    ("code", "promised"),
    [
        ("430702-SCJG-0001", Duration(2, Unit.WORK_HOUR)),  # 营业执照核发 … 2小时内
        ("430702-GA-0001", Duration(2, Unit.WORK_HOUR)),  # 印章刻制 … 2小时内
        ("430702-SW-0001", Duration(50, Unit.WORK_MINUTE)),  # 涉税事项50分钟内办结
        ("430702-RS-0001", INSTANT),  # 企业参保登记实现“秒办”
    ],
)
def test_enterprise_startup_items_promise_the_seed_001_limits(demo_catalogue, code, promised):
    v = version(code)
    assert v.promised_limit == promised
    assert v.is_instant == (promised.unit is Unit.INSTANT)


def test_enterprise_startup_is_promised_within_4_working_hours_and_its_critical_path_fits(demo_catalogue):
    bundle = Bundle.objects.get(code=STARTUP)
    limit = bundle_combined_limit(bundle, "D")
    assert limit.promised == Duration(4, Unit.WORK_HOUR)
    # 2 h licence, then the 2 h seal (tax 50 min and social insurance at once run beside it)
    assert in_working_days(limit.critical_path) == in_working_days(Duration(4, Unit.WORK_HOUR))


def test_enterprise_startup_offers_the_four_packages_one_two_three_or_four_in_one(demo_catalogue):
    bundle = Bundle.objects.get(code=STARTUP)
    options = {o.code: o for o in bundle.options.all()}
    assert [options[c].name for c in "ABCD"] == [
        "营业执照",
        "执照+印章二合一",
        "执照+印章+发票三合一",
        "执照+印章+发票+社保登记四合一",
    ]
    licence, seal, tax, insurance = "430702-SCJG-0001", "430702-GA-0001", "430702-SW-0001", "430702-RS-0001"
    expected = {
        "A": [licence],
        "B": [licence, seal],
        "C": [licence, seal, tax],
        "D": [licence, seal, tax, insurance],
    }
    for code, items in expected.items():
        assert [i.code for i in bundle_items(bundle, code)] == items


def test_enterprise_startup_asks_for_six_materials_each_once_instead_of_23(demo_catalogue):
    bundle = Bundle.objects.get(code=STARTUP)
    combined = bundle_combined_materials(bundle)
    keys = [c.material.key for c in combined]
    assert len(keys) == len(set(keys)) == 6
    by_key = {c.material.key: c for c in combined}
    # The licence and the ID card serve several items and are still asked for once.
    assert len(by_key["business_licence"].items) >= 2
    assert len(by_key["id_card"].items) >= 3
    assert by_key["business_licence"].material.satisfied_by == "licence:营业执照"
    assert by_key["id_card"].material.satisfied_by == "data:household_registry"
    # 发票申领、企业参保登记实现零材料办理
    assert version("430702-SW-0001").requirements.count() == 0
    assert version("430702-RS-0001").requirements.count() == 0


# ---- seed 000: pharmacy 一业一证 ---------------------------------------------------------------


def test_the_pharmacy_one_industry_one_licence_has_65_legal_and_17_promised_working_days(demo_catalogue):
    bundle = Bundle.objects.get(code=PHARMACY)
    assert bundle.kind == "one_industry_one_licence"
    assert bundle.promised_limit == wd(17)
    items = bundle_items(bundle)
    # Instant limits count as 0 working days (二类医疗器械经营备案 is done on the spot).
    legal = sum(in_working_days(i.current_version.legal_limit) for i in items)
    promised = sum(in_working_days(i.current_version.promised_limit) for i in items)
    assert (legal, promised) == (65, 17)
    assert any(i.current_version.needs_inspection for i in items)  # 多勘合一
    assert "多勘合一" in bundle.source_note


# ---- seed 003: compressions (东湖区) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "legal", "promised"),
    [
        ("430702-SCJG-0002", wd(20), wd(8)),  # 食品生产许可 20 → 8
        ("430702-YJ-0001", wd(30), wd(5)),  # 危险化学品经营许可 30 → 5
        ("430702-XZSP-0002", wd(10), wd(5)),  # 代理记账许可 10 → 5
        ("430702-SCJG-0008", wd(30), wd(25)),  # 气瓶充装资格延续 30 → 25
        ("430702-YJ-0002", wd(20), wd(5)),  # 烟花爆竹经营（零售）20 → 5
        ("430702-FGJ-0002", wd(20), wd(5)),  # 电力设施保护区作业批准 20 → 5
        ("430702-FGJ-0001", wd(5), INSTANT),  # 企业投资项目备案 法定5 → 即办件
    ],
)
def test_seed_003_compressions_are_the_items_legal_and_promised_limits(demo_catalogue, code, legal, promised):
    v = version(code)
    assert (v.legal_limit, v.promised_limit) == (legal, promised)


@pytest.mark.parametrize(
    ("code", "promised", "quoted"),
    [
        ("430702-RS-0002", INSTANT, "由5个工作日压缩为即办件"),  # 人力资源服务许可
        ("430702-CG-0001", wd(2), "由7个工作日压缩为2个工作日"),  # 占道
        ("430702-CG-0002", wd(3), "由5个工作日压缩为3个工作日"),  # 挖掘
    ],
)
def test_seed_003_compressions_from_an_earlier_commitment_quote_it_and_keep_the_statutory_limit(
    demo_catalogue, code, promised, quoted
):
    item = ServiceItem.objects.get(code=code)
    assert item.source_seed == "003"
    assert quoted in item.source_note
    assert item.current_version.promised_limit == promised
    assert item.current_version.legal_limit == wd(20)


# ---- seed 002: 告知承诺, 下放乡村, 零证明 --------------------------------------------------------


def test_public_place_hygiene_licence_is_issued_at_once_on_a_commitment_with_five_materials(demo_catalogue):
    item = ServiceItem.objects.get(code="430702-WJ-0001")
    v = item.current_version
    assert v.legal_limit == wd(20)
    assert v.promised_limit == INSTANT and v.is_instant
    assert v.commitment_approval and v.post_verification_days
    assert v.requirements.count() == 5  # 10项资料缩减为5项
    assert "承诺10个工作日" in item.source_note
    assert limit_compression(v.legal_limit, v.promised_limit) == 1


def test_employment_social_insurance_and_medical_items_are_devolved_to_towns_and_villages(demo_catalogue):
    devolved = ServiceItem.objects.filter(source_seed="002", tier_town=True, tier_village=True)
    assert {i.department.code for i in devolved} >= {"RS", "YB"}
    for item in devolved:
        assert {(d.tier, d.action) for d in item.devolutions.all()} >= {
            ("town", "devolve"),
            ("village", "devolve"),
        }
    assert devolved.count() >= 5


def test_id_card_household_and_social_insurance_data_spare_the_applicant_the_proof(demo_catalogue):
    v = version("430702-RS-0004")  # 失业登记
    satisfied = {r.material.key: r.material.satisfied_by for r in v.requirements.select_related("material")}
    assert satisfied == {
        "id_card": "data:household_registry",
        "labour_termination_proof": "data:social_insurance",
    }


# ---- seed 001: 不动产 three departments in parallel; 大件运输 -------------------------------------


def test_second_hand_housing_runs_in_three_departments_in_parallel_asking_shared_materials_once(
    demo_catalogue,
):
    bundle = Bundle.objects.get(code=HOUSING)
    items = bundle_items(bundle)
    assert {i.department.code for i in items} == {"BDC", "SW", "ZJ"}
    assert not bundle.dependencies.exists()  # 后台三部门并行办理
    combined = {c.material.key: c for c in bundle_combined_materials(bundle)}
    for shared in ("id_card", "property_certificate", "housing_contract"):
        assert len(combined[shared].items) >= 2, shared
    assert sum(len(i.current_version.requirements.all()) for i in items) > len(combined)
    assert version("430702-BDC-0001").promised_limit == wd(3)
    assert version("430702-BDC-0001").legal_limit == wd(30)


def test_oversize_transport_gives_the_police_four_hours_for_their_opinion(demo_catalogue):
    item = ServiceItem.objects.get(code="430702-JT-0001")
    v = item.current_version
    assert item.department.code == "JT"
    assert (v.legal_limit, v.promised_limit) == (wd(2), wd(1))
    police = [s for s in v.steps.select_related("department") if s.department.code == "GA"]
    assert len(police) == 1
    assert police[0].limit == Duration(4, Unit.WORK_HOUR)
    assert "视为“审查通过”" in item.source_note


def test_oversize_transport_names_seed_001s_basis_for_the_polices_silence_counting_as_passed(demo_catalogue):
    v = version("430702-JT-0001")
    steps = {s.department.code: s for s in v.steps.select_related("department") if s.kind == StepKind.REVIEW}
    basis = steps["GA"].deemed_consent_basis
    assert "超时默认制" in basis and "4个小时内提出" in basis and "视为“审查通过”" in basis
    assert steps["JT"].deemed_consent_basis == ""  # the deciding department's own review
    assert "格式暂无" not in ServiceItem.objects.get(code="430702-JT-0001").source_note


def test_only_the_oversize_transport_police_opinion_counts_silence_as_consent(demo_catalogue):
    with_basis = ItemStep.objects.exclude(deemed_consent_basis="").select_related(
        "version__item", "department"
    )
    assert [(s.version.item.code, s.department.code) for s in with_basis] == [("430702-JT-0001", "GA")]
    # No seed names a basis for a version-level period: none is set.
    assert not ServiceItemVersion.objects.exclude(deemed_consent_basis="").exists()
    assert not ServiceItemVersion.objects.filter(deemed_consent_days__isnull=False).exists()


# ---- seed 003: road works, two departments' permits in one joint inspection ------------------------

ROAD_POLICE = "430702-GA-0005"


def test_the_polices_road_works_approval_is_a_permit_of_its_own_not_a_review_step(demo_catalogue):
    for code in ("430702-CG-0001", "430702-CG-0002"):
        departments = {s.department.code for s in version(code).steps.select_related("department")}
        assert "GA" not in departments, code
    item = ServiceItem.objects.get(code=ROAD_POLICE)
    v = item.current_version
    assert (item.kind, item.department.code, item.source_seed) == ("licence", "GA", "003")
    assert "道路交通安全法》第三十二条" in v.legal_basis and "第三十一条、第三十三条" in v.legal_basis
    # No limit in the law: the general 20 working days (行政许可法 第四十二条); the promise matches 占道.
    assert (v.legal_limit, v.promised_limit) == (wd(20), version("430702-CG-0001").promised_limit)
    assert v.needs_inspection and "联合勘" in item.source_note
    assert v.result_licence_type
    assert not v.steps.exclude(deemed_consent_basis="").exists()


def test_both_road_works_options_need_the_police_permit_and_fit_the_joint_promise(demo_catalogue):
    bundle = Bundle.objects.get(code=ROADWORKS)
    assert [i.code for i in bundle_items(bundle)] == ["430702-CG-0001", "430702-CG-0002", ROAD_POLICE]
    assert [i.code for i in bundle_items(bundle, "A")] == ["430702-CG-0001", "430702-CG-0002", ROAD_POLICE]
    assert [i.code for i in bundle_items(bundle, "B")] == ["430702-CG-0001", ROAD_POLICE]  # 占道 alone
    assert bundle.joint_handling
    assert bundle_joint_limit(bundle, "B") == JOINT_HANDLING_LIMIT  # 城管 and 公安
    assert bundle_combined_limit(bundle, "A").critical_path == wd(3) == bundle.promised_limit
    assert bundle_combined_limit(bundle, "B").critical_path == wd(2)
    plan = next(c for c in bundle_combined_materials(bundle, "B") if c.material.key == "road_works_plan")
    assert [i.code for i in plan.items] == ["430702-CG-0001", ROAD_POLICE]  # one plan for both


# ---- 联合办理 (行政许可法 第二十六条) and 代收代办 -------------------------------------------------------


def test_every_bundle_of_two_or_more_departments_and_only_those_is_handled_jointly(demo_catalogue):
    joint = set()
    for bundle in Bundle.objects.all():
        departments = {i.department_id for i in bundle_items(bundle)}
        assert bundle.joint_handling == (len(departments) >= 2), bundle.code
        if bundle.joint_handling:
            joint.add(bundle.code)
            assert bundle.promised_limit is None or in_working_days(bundle.promised_limit) <= 45
    assert joint == {f"430702-YJS-000{n}" for n in (1, 3, 4, 5, 6, 7)}
    assert not Bundle.objects.get(code=PHARMACY).joint_handling  # 一业一证 within 市场监管


def test_town_and_village_windows_collect_social_insurance_medical_and_birth_items(demo_catalogue):
    collectable = ServiceItem.objects.filter(collect_for_higher_tier=True)
    assert {i.code for i in collectable} == {"430702-RS-0008", "430702-YB-0003", "430702-GA-0004"}
    for item in collectable:
        assert not item.tier_village, item.code  # there is somewhere to collect it for the county
        assert "代收" in item.source_note, item.code
    # Items needing the applicant in person at the county are not collected.
    for code in ("430702-GA-0003", "430702-MZ-0001"):
        assert not ServiceItem.objects.get(code=code).collect_for_higher_tier, code


def test_the_readme_states_the_demo_catalogues_numbers(demo_catalogue):
    readme = Path(__file__).resolve().parents[4] / "README.md"
    if not readme.is_file():
        pytest.skip("README.md is not shipped with an installed package")
    found = re.search(
        r"a catalogue of (\d+) service items and (\d+) bundles", readme.read_text(encoding="utf-8")
    )
    assert found, "README no longer states the demo catalogue's size"
    assert (int(found[1]), int(found[2])) == (ServiceItem.objects.count(), Bundle.objects.count())


# ---- investment project joint approval with joint inspection ------------------------------------


def test_construction_permits_are_approved_jointly_with_one_site_inspection(demo_catalogue):
    bundle = Bundle.objects.get(code=CONSTRUCTION)
    items = {i.code: i for i in bundle_items(bundle)}
    assert {i.department.code for i in items.values()} == {"FGJ", "ZRZY", "ZJ"}
    assert version("430702-ZJ-0001").promised_limit == wd(5)  # 施工许可不超过5个工作日
    assert any(i.current_version.needs_inspection for i in items.values())
    # 消防设计审查与施工许可证并联办理: the fire review waits for nothing.
    waits = {(d.item.code, d.waits_for.code) for d in bundle.dependencies.select_related("item", "waits_for")}
    assert not any("430702-ZJ-0002" in pair for pair in waits)
    assert bundle_combined_limit(bundle, "A").critical_path == wd(15)
    assert bundle.promised_limit == wd(15)


def test_waivable_materials_have_a_supply_deadline_and_commitments_replace_materials(demo_catalogue):
    waivable = [
        r
        for v in ServiceItemVersion.objects.prefetch_related("requirements")
        for r in v.requirements.all()
        if r.waivable
    ]
    assert waivable and all(r.supply_days for r in waivable)
    permit = {r.material.key: r for r in version("430702-ZJ-0001").requirements.select_related("material")}
    assert permit["landscape_decoration_drawing_review"].waivable
    assert permit["supervision_plan"].commitment_allowed
    assert permit["construction_emergency_plan"].commitment_allowed


def test_every_promised_limit_is_within_the_legal_limit_and_instant_items_promise_instant(demo_catalogue):
    for item in ServiceItem.objects.select_related("current_version"):
        v = item.current_version
        assert v.is_instant == (v.promised_limit.unit is Unit.INSTANT), item.code
        compression = limit_compression(v.legal_limit, v.promised_limit)
        assert compression is None or compression >= 0, item.code


def test_road_occupation_and_excavation_are_inspected_together(demo_catalogue):
    bundle = Bundle.objects.get(code=ROADWORKS)
    items = bundle_items(bundle)
    assert all(i.current_version.needs_inspection for i in items)
    assert bundle_combined_limit(bundle, "A").critical_path == wd(3)
