"""Credit codes of new registrations: valid per GB 32100 / GB 11714, never repeated."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import InvalidInput
from onewindow.enterprises.services import uscc_allocate
from onewindow.org import idcodes
from onewindow.org.services import applicant_register

CAPACITY = 31**6 - 1


def test_the_first_serial_gives_a_known_code():
    # Worked by hand. GB 11714 over MA000001 (M=22, A=10; weights 3 7 9 10 5 8 4 2): 66 + 70 + 2 = 138,
    # 138 mod 11 = 6, check 11 - 6 = 5. GB 32100 over 91430702MA0000015 (M=21, A=10 in its alphabet;
    # weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28): 9 + 3 + 36 + 81 + 182 + 34 + 420 + 290
    # + 30 + 140 = 1225, 1225 mod 31 = 16, check 31 - 16 = 15 = F.
    assert idcodes.uscc_from_serial(1, region6="430702") == "91430702MA0000015F"


@given(serial=st.integers(1, CAPACITY), region=st.sampled_from(["430702", "110105", "511902"]))
def test_every_serial_gives_a_code_valid_under_both_standards(serial, region):
    code = idcodes.uscc_from_serial(serial, region6=region)
    assert idcodes.validate_uscc(code) == code
    assert idcodes.organisation_code_valid(code)
    assert code[2:8] == region


@given(a=st.integers(1, CAPACITY), b=st.integers(1, CAPACITY))
def test_distinct_serials_give_distinct_codes(a, b):
    assert (
        idcodes.uscc_from_serial(a, region6="430702") == idcodes.uscc_from_serial(b, region6="430702")
    ) == (a == b)


@pytest.mark.parametrize("serial", [0, -1, CAPACITY + 1, True, 1.0])
def test_a_serial_outside_the_range_is_refused(serial):
    with pytest.raises(idcodes.InvalidCode):
        idcodes.uscc_from_serial(serial, region6="430702")


def test_an_individual_business_code_starts_with_92():
    assert idcodes.uscc_from_serial(7, region6="430702", category="2").startswith("92430702MA")


@pytest.mark.django_db
def test_allocated_codes_count_up_per_region(demo_org):
    first, second = uscc_allocate(region6="430702"), uscc_allocate(region6="430702")
    other = uscc_allocate(region6="430703")
    assert [first, second, other] == [
        idcodes.uscc_from_serial(1, region6="430702"),
        idcodes.uscc_from_serial(2, region6="430702"),
        idcodes.uscc_from_serial(1, region6="430703"),
    ]
    assert AuditEvent.objects.filter(action="uscc.allocate").count() == 3


@pytest.mark.django_db
def test_a_code_already_held_by_an_applicant_is_skipped(demo_org):
    taken = idcodes.uscc_from_serial(1, region6="430702")
    applicant_register(
        actor=None,
        kind="entity",
        name="存量企业",
        id_number=taken,
        phone="13907361234",
        legal_representative="甲",
    )
    assert uscc_allocate(region6="430702") == idcodes.uscc_from_serial(2, region6="430702")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("region6", "category"), [("4307", "1"), ("43070A", "1"), ("430702", "IO"), ("430702", "")]
)
def test_a_bad_region_or_category_is_invalid_input(demo_org, region6, category):
    with pytest.raises(InvalidInput):
        uscc_allocate(region6=region6, category=category)


def test_random_codes_of_the_simulator_and_serial_codes_share_one_alphabet():
    code = idcodes.generate_uscc(random.Random(3), region6="430702")
    assert set(code) <= set(idcodes.USCC_ALPHABET)
    assert set(idcodes.uscc_from_serial(CAPACITY, region6="430702")) <= set(idcodes.USCC_ALPHABET)
