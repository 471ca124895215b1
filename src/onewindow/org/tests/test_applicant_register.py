import pytest

from onewindow.core.errors import InvalidInput
from onewindow.org.idcodes import resident_id_check_char, uscc_check_char
from onewindow.org.models import Applicant
from onewindow.org.services import applicant_register

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"  # the sample number of GB 11643-1999
VALID_USCC = "91430702" + "MA4L0000" + "0"
VALID_USCC = VALID_USCC + uscc_check_char(VALID_USCC)


def register(**overrides):
    fields = {"actor": None, "kind": "person", "name": "张三", "id_number": VALID_ID, "phone": "13907361234"}
    fields.update(overrides)
    return applicant_register(**fields)


def test_a_person_with_a_valid_identity_number_is_registered_and_audited():
    applicant = register(id_number=VALID_ID.lower())
    assert applicant.id_number == VALID_ID
    assert applicant.masked_id_number != VALID_ID and applicant.masked_id_number.endswith("002X")


def test_a_wrong_check_digit_is_refused_naming_the_18th_character():
    wrong = VALID_ID[:17] + ("1" if resident_id_check_char(VALID_ID[:17]) != "1" else "2")
    with pytest.raises(InvalidInput) as info:
        register(id_number=wrong)
    assert "第18位" in str(info.value)
    assert "id_number" in info.value.fields["errors"]
    assert not Applicant.objects.exists()


def test_an_entity_with_a_valid_credit_code_is_registered():
    applicant = register(
        kind="entity", name="常德市某某科技有限公司", id_number=VALID_USCC, legal_representative="李四"
    )
    assert applicant.kind == "entity"


def test_an_invalid_credit_code_character_is_refused_with_its_position():
    bad = VALID_USCC[:4] + "I" + VALID_USCC[5:]
    with pytest.raises(InvalidInput) as info:
        register(kind="entity", name="某公司", id_number=bad, legal_representative="李四")
    assert "第5位" in str(info.value)


def test_an_entity_needs_a_legal_representative():
    with pytest.raises(InvalidInput) as info:
        register(kind="entity", name="某公司", id_number=VALID_USCC)
    assert "legal_representative" in info.value.fields["errors"]


def test_a_bad_phone_number_is_refused():
    with pytest.raises(InvalidInput, match="电话号码"):
        register(phone="12")


def test_the_same_number_cannot_be_registered_twice():
    register()
    with pytest.raises(InvalidInput):
        register(name="重复")
