"""The window's applicant search: only applicants of the officer's own region, only by the full
ID number or by name + the last characters of it (a prefix is no oracle), numbers masked."""

from __future__ import annotations

import pytest

from onewindow.cases.selectors import applicant_search_for_user
from onewindow.cases.tests.factories import accepted, enterprise
from onewindow.core.errors import InvalidInput
from onewindow.org.models import Region
from onewindow.org.services import applicant_register

pytestmark = pytest.mark.django_db
TOWN = "430702100000"  # 河洑镇
VILLAGE = "430702100201"  # 山铺村


def resident(name: str, id_number: str, region_code: str | None):
    region = Region.objects.get(code=region_code) if region_code else None
    return applicant_register(
        actor=None, kind="person", name=name, id_number=id_number, phone="13907360001", region=region
    )


@pytest.fixture
def people(hall, persona):
    county_client = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002").applicant
    return {
        "county": county_client,  # applied at the county hall
        "town": resident("张三", "11010519491231002X", TOWN),
        "village": resident("李四", "110105194912310038", VILLAGE),
    }


def test_a_town_window_finds_only_applicants_of_its_town(people, persona):
    officer = persona("hefu_window")
    town, village, county = people["town"], people["village"], people["county"]
    assert applicant_search_for_user(officer, id_number=town.id_number) == [town]
    assert applicant_search_for_user(officer, id_number=village.id_number) == [
        village
    ]  # a village of the town
    assert applicant_search_for_user(officer, id_number=county.id_number) == []


def test_a_village_agent_finds_only_its_villagers(people, persona):
    agent = persona("shanpu_agent")
    assert applicant_search_for_user(agent, id_number=people["village"].id_number) == [people["village"]]
    assert applicant_search_for_user(agent, id_number=people["town"].id_number) == []


def test_the_county_hall_finds_applicants_of_the_whole_county(people, persona):
    officer = persona("window1")
    for who in people.values():
        assert applicant_search_for_user(officer, id_number=who.id_number) == [who]


def test_an_applicant_who_applied_in_a_town_is_found_there(people, persona, hall):
    from onewindow.cases.tests.factories import draft, person

    officer = persona("hefu_window")
    walk_in = person("王小明", seed=5)
    assert applicant_search_for_user(officer, id_number=walk_in.id_number) == []
    draft(officer, walk_in, item="430702-RS-0003", region=Region.objects.get(code=TOWN))
    assert applicant_search_for_user(officer, id_number=walk_in.id_number) == [walk_in]


@pytest.mark.parametrize(
    "query",
    [
        {"id_number": "110105"},  # a prefix
        {"id_number": "11010519491231002"},  # all but the check digit
        {"name": "张三"},  # a name alone
        {"id_suffix": "002X"},  # a suffix alone
        {"name": "张三", "id_suffix": "2X"},  # too short a suffix
        {},
    ],
)
def test_anything_but_a_full_number_or_a_name_with_a_suffix_is_refused(people, persona, query):
    with pytest.raises(InvalidInput):
        applicant_search_for_user(persona("window1"), **query)


def test_name_and_suffix_find_the_person_only_with_the_exact_name(people, persona):
    officer = persona("window1")
    assert applicant_search_for_user(officer, name="张三", id_suffix="002x") == [people["town"]]
    assert applicant_search_for_user(officer, name="张", id_suffix="002X") == []
    assert applicant_search_for_user(officer, name="张三", id_suffix="0038") == []


def test_the_workbench_shows_masked_numbers_and_refuses_a_prefix(client, people, persona):
    client.force_login(persona("hefu_window"))
    town = people["town"]
    page = client.get("/window/", {"name": "张三", "id_suffix": "002X"})
    text = page.content.decode()
    assert page.status_code == 200 and "张三" in text
    assert town.masked_id_number in text and town.id_number not in text
    refused = client.get("/window/", {"id_number": "1101"})
    assert refused.status_code == 400 and "完整的18位" in refused.content.decode()


def test_the_application_form_of_an_applicant_outside_the_region_is_not_found(client, people, persona):
    client.force_login(persona("hefu_window"))
    assert client.get(f"/window/new/{people['county'].pk}").status_code == 404
    assert client.get(f"/window/new/{people['town'].pk}").status_code == 200


def test_an_applicant_registered_at_a_town_window_belongs_to_that_town(client, hall, persona):
    client.force_login(persona("hefu_window"))
    answer = client.post(
        "/window/applicant",
        {"kind": "person", "name": "赵六", "id_number": "110105194912310046", "phone": "13907360002"},
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    found = applicant_search_for_user(persona("hefu_window"), id_number="110105194912310046")
    assert [a.region.code for a in found] == [TOWN]
