"""Searching the catalogue: name, code, department, topic and pinyin initials."""

import pytest

from onewindow.catalog.selectors import item_list_search
from onewindow.catalog.services import search_initials
from onewindow.catalog.tests.catalogues import FOOD, HR, SEAL

pytestmark = pytest.mark.django_db


def codes(**kwargs):
    return [i.code for i in item_list_search(**kwargs)]


def test_pinyin_initials_are_stored_for_each_item(small_catalogue):
    assert search_initials("食品生产许可") == "spscxk"
    assert item_list_search(query="spscxk").get().code == FOOD


def test_pinyin_initials_match_a_part_of_the_name_in_any_case(small_catalogue):
    assert codes(query="SCXK") == [FOOD]
    assert codes(query="rlzy") == [HR]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("食品", [FOOD]), ("t-rs", [HR]), ("公安", [SEAL]), ("企业开办", [SEAL]), ("", [FOOD, SEAL, HR])],
)
def test_items_are_found_by_name_code_department_or_topic(small_catalogue, query, expected):
    assert sorted(codes(query=query)) == sorted(expected)


def test_filters_narrow_the_search(small_catalogue):
    assert codes(department="RS") == [HR]
    assert codes(topic="catering") == [FOOD]
    assert codes(audience="person") == []
    assert codes(query="许可", audience="entity") == [HR, FOOD]
