import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import DomainError, InvalidInput, NotFound
from onewindow.licences import signing
from onewindow.licences.models import Licence, LicenceAction, LicenceStatus, LicenceType
from onewindow.licences.selectors import licence_type_get
from onewindow.licences.services import SigningKeyMissing, add_months, validity_end

from .conftest import issue

pytestmark = pytest.mark.django_db


def test_a_licence_number_is_prefix_region_year_and_sequence(food_licence):
    assert food_licence.number == "JY43070225000001"


def test_numbers_of_one_type_count_up_and_never_repeat(food_licence, enterprise):
    second = issue("食品经营许可证", enterprise)
    third = issue("食品经营许可证", enterprise)
    assert [second.number, third.number] == ["JY43070225000002", "JY43070225000003"]
    assert Licence.objects.values("number").distinct().count() == Licence.objects.count()


def test_a_five_year_licence_is_valid_until_the_day_before_the_fifth_anniversary(food_licence):
    assert food_licence.valid_from == dt.date(2025, 3, 10)
    assert food_licence.expires_on == dt.date(2030, 3, 9)


def test_a_business_licence_is_valid_indefinitely(business_licence):
    assert business_licence.expires_on is None


def test_adding_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)


def test_a_one_month_pass_expires_the_day_before_the_same_date_next_month(licence_types):
    assert validity_end(LicenceType.objects.get(name="超限运输车辆通行证"), dt.date(2025, 3, 10)) == dt.date(
        2025, 4, 9
    )


def test_other_licences_of_an_enterprise_are_linked_to_its_business_licence(food_licence, business_licence):
    assert food_licence.parent == business_licence
    assert list(business_licence.linked.all()) == [food_licence]


def test_issuing_records_the_case_an_event_and_an_audit_entry(food_licence):
    assert (food_licence.source_case_no, food_licence.source_case_id) == ("WL20250310-0001", 42)
    event = food_licence.events.get()
    assert (event.action, event.to_status) == (LicenceAction.ISSUE, LicenceStatus.VALID)
    audit = AuditEvent.objects.get(action="licence.issue", object_id=str(food_licence.pk))
    assert audit.after["case_no"] == "WL20250310-0001"
    assert "*" in audit.after["holder"]  # the holder's number is masked in the log


def test_the_signed_payload_masks_the_holder_id_and_keeps_only_public_fields(food_licence, enterprise):
    payload = food_licence.payload
    assert payload["holder_id"] != enterprise.id_number and "*" in payload["holder_id"]
    assert payload["data"] == {
        "经营场所": "湖南省常德市武陵区人民路100号一楼",
        "主体业态": "餐饮服务经营者",
        "经营项目": "热食类食品制售",
    }
    assert food_licence.payload_hash == signing.payload_hash(payload)


def test_non_public_data_is_kept_but_not_signed(licence_types, enterprise, frozen):
    licence = issue("食品经营许可证", enterprise, data={"经营项目": "预包装食品销售", "内部备注": "复查"})
    assert licence.data["内部备注"] == "复查"
    assert "内部备注" not in licence.payload["data"]


def test_issuing_without_a_signing_key_says_how_to_create_one(licence_types, enterprise, settings, tmp_path):
    settings.ONEWINDOW_KEY_DIR = tmp_path / "empty"
    with pytest.raises(SigningKeyMissing, match="onewindow licence keygen"):
        issue("食品经营许可证", enterprise)
    assert not Licence.objects.exists()


def test_nested_data_is_refused(licence_types, enterprise):
    with pytest.raises(InvalidInput):
        issue("食品经营许可证", enterprise, data={"经营项目": ["a", "b"]})


def test_an_expiry_before_the_start_is_refused(licence_types, enterprise):
    with pytest.raises(InvalidInput):
        issue("食品经营许可证", enterprise, valid_from=dt.date(2025, 3, 10), expires_on=dt.date(2025, 3, 1))


def test_a_licence_cannot_be_linked_to_another_holders_business_licence(business_licence, person):
    with pytest.raises(DomainError):
        issue("食品经营许可证", person, parent=business_licence)


def test_private_keys_are_files_readable_only_by_the_owner(key_dir):
    (private,) = key_dir.glob("*.private")
    assert private.stat().st_mode & 0o777 == 0o600


def test_no_private_key_material_reaches_the_database(food_licence, key_dir):
    (private,) = key_dir.glob("*.private")
    pem_body = "".join(private.read_text().splitlines()[1:-1])
    dumped = str(list(Licence.objects.values())) + str(list(AuditEvent.objects.values()))
    assert pem_body not in dumped


def test_the_catalogues_licence_type_name_finds_the_type(licence_types):
    assert licence_type_get(name="食品经营许可证").number_prefix == "JY"
    with pytest.raises(NotFound):
        licence_type_get(name="不存在的证")
