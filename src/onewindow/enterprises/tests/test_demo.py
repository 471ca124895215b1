"""The demo register: two 商务秘书企业, hosted enterprises, every one with a valid code and licence."""

import io

import pytest
from django.core.management import call_command

from onewindow.enterprises.demo import enterprises_load_demo
from onewindow.enterprises.models import Enterprise, HostingCompany
from onewindow.enterprises.selectors import enterprises_needing_address_change, hosting_company_overview
from onewindow.licences.models import Licence
from onewindow.licences.selectors import licence_verify
from onewindow.org import idcodes

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_hosting_companies_of_200_and_80_places(hall):
    enterprises_load_demo()
    assert sorted(HostingCompany.objects.values_list("capacity", flat=True)) == [80, 200]
    big = HostingCompany.objects.get(capacity=200)
    overview = hosting_company_overview(company=big)
    assert len(overview.hosted) == 2 and len(overview.ending_soon) == 1


def test_one_hosted_enterprise_of_the_demo_must_change_its_address(hall):
    enterprises_load_demo()
    assert [e.name for e in enterprises_needing_address_change()] == [
        "常德市武陵区智远企业管理咨询中心（有限合伙）"
    ]


def test_every_demo_business_licence_is_held_by_its_enterprise_under_a_valid_code(hall):
    enterprises_load_demo()
    enterprises = list(Enterprise.objects.select_related("applicant"))
    assert len(enterprises) == 7
    for enterprise in enterprises:
        licence = Licence.objects.get(holder=enterprise.applicant, licence_type__name="营业执照")
        assert idcodes.validate_uscc(licence.holder_id_number) == enterprise.uscc
        assert licence.holder_name == enterprise.name
        assert licence_verify(number=licence.number).is_valid


def test_loading_the_demo_twice_adds_nothing(hall):
    first = enterprises_load_demo()
    second = enterprises_load_demo()
    assert (first.created, second.created) == (7, 0)
    assert (
        Enterprise.objects.count() == 7 and Licence.objects.filter(licence_type__name="营业执照").count() == 7
    )


def test_load_demo_reports_the_register(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert (
        "market-entity register: 2 商务秘书企业, 7 enterprises and individual businesses (7 new)"
        in out.getvalue()
    )
