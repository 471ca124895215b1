"""Every endpoint of the register answers as documented, never with a server error, under a bounded
schemathesis run aimed at the demo register's real objects."""

import pytest

from onewindow.cases.tests.test_fuzz import fuzz_operations, signed_in_cookies
from onewindow.enterprises.demo import enterprises_load_demo
from onewindow.enterprises.models import Enterprise, HostingAgreement, HostingCompany

pytestmark = pytest.mark.django_db


def test_no_register_endpoint_answers_with_a_server_error_or_off_its_schema(hall, persona, settings):
    settings.ALLOWED_HOSTS = ["*"]
    enterprises_load_demo()
    tried, statuses = fuzz_operations(
        include=lambda path: "/enterprises/" in path,
        cookies=signed_in_cookies(persona("admin")),
        examples=12,
        aim={
            "kind": "establish",
            # The first demo enterprise is a 商务秘书企业: its code names both an enterprise and a company.
            "uscc": HostingCompany.objects.get(uscc=Enterprise.objects.order_by("pk").first().uscc).uscc,
            "agreement_id": str(HostingAgreement.objects.order_by("pk").first().pk),
        },
    )
    assert len(tried) >= 12, tried
    assert 200 in statuses and 422 in statuses
