import pytest
from django.core.exceptions import ValidationError

from onewindow.org.models import Region

pytestmark = pytest.mark.django_db


def test_a_region_code_of_the_wrong_length_is_refused_with_a_clear_message():
    region = Region(code="4307020000", name="错", level="county")
    with pytest.raises(ValidationError) as info:
        region.full_clean()
    assert "12位" in " ".join(info.value.message_dict["code"])


def test_a_region_whose_level_does_not_match_its_code_is_refused(county):
    region = Region(code="430702100000", name="河洑镇", level="county", parent=county)
    with pytest.raises(ValidationError) as info:
        region.full_clean(validate_unique=False)
    assert "level" in info.value.message_dict


def test_a_region_outside_its_parent_is_refused(county):
    region = Region(code="430703100000", name="别处", level="town", parent=county)
    with pytest.raises(ValidationError) as info:
        region.full_clean()
    assert "不在上级区划" in info.value.message_dict["parent"][0]


def test_a_county_contains_its_villages_but_not_its_neighbours(county):
    village = Region.objects.get(code="430702100201")
    assert county.contains(village)
    assert not village.contains(county)
    assert county.prefix == "430702"
