"""Concurrent registrations on PostgreSQL: codes never repeat, a name and the last hosting place are
taken once."""

import pytest
from django.db import connection

from onewindow.core.tests.concurrency import run_concurrently
from onewindow.enterprises.models import Enterprise, HostingAgreement
from onewindow.enterprises.services import hosting_agreement_create, uscc_allocate
from onewindow.enterprises.tests.conftest import make_hosting_company
from onewindow.enterprises.tests.factories import company_form, established
from onewindow.org import idcodes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is tested on PostgreSQL"),
]


def test_concurrent_allocations_never_share_a_code(demo_org):
    results = run_concurrently(*[lambda: uscc_allocate(region6="430702") for _ in range(8)], timeout=60)
    codes = [value for status, value in results if status == "ok"]
    assert len(codes) == len(set(codes)) == 8
    assert all(idcodes.validate_uscc(c) == c for c in codes)


def test_concurrent_establishments_get_distinct_valid_codes(register):
    forms = [
        company_form(trade_name=name, address=f"湖南省常德市武陵区人民路{i}号", seed=i)
        for i, name in enumerate(["宏达", "鼎盛", "嘉禾", "华兴", "瑞丰", "恒远"], start=1)
    ]
    results = run_concurrently(*[lambda f=f: established(f) for f in forms], timeout=60)
    assert [status for status, _value in results] == ["ok"] * 6
    codes = list(Enterprise.objects.values_list("applicant__id_number", flat=True))
    assert len(codes) == len(set(codes)) == 6


def test_two_applications_for_one_name_at_once_register_it_once(register):
    forms = [company_form(address=f"湖南省常德市武陵区人民路{i}号", seed=i) for i in (1, 2)]
    results = run_concurrently(*[lambda f=f: established(f) for f in forms], timeout=60)
    assert sorted(status for status, _value in results) == ["ok", "refused"]
    assert Enterprise.objects.filter(trade_name="鼎盛").count() == 1


def test_the_last_hosting_place_is_signed_once(register):
    import datetime as dt

    company = make_hosting_company(capacity=1)
    results = run_concurrently(
        *[
            lambda: hosting_agreement_create(
                actor=None, company=company, starts_on=dt.date(2025, 3, 10), ends_on=dt.date(2026, 3, 9)
            )
            for _ in range(3)
        ],
        timeout=60,
    )
    assert sorted(status for status, _value in results) == ["ok", "refused", "refused"]
    assert HostingAgreement.objects.count() == 1
