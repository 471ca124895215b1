"""Every public look-up by number + short suffix is throttled: tracking, rating and complaints, as
pages and through the API. After N failed tries the number is refused (429, a message on the page,
problem+json with Retry-After from the API) even with the right suffix, and allowed again once the
window has passed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine

from onewindow.cases.tests.factories import accepted, enterprise
from onewindow.complaints.services import ComplaintIn, complaint_submit

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 3, 3, 9, 0, 5, tzinfo=dt.UTC)
WINDOW = 3600
LIMIT = 3


@dataclass
class Subject:
    number: str
    suffix: str
    complaint: str


@pytest.fixture
def subject(hall, persona, settings) -> Subject:
    settings.ONEWINDOW_LOOKUP_LIMIT_PER_NUMBER = LIMIT
    settings.ONEWINDOW_LOOKUP_LIMIT_PER_IP = 100
    settings.ONEWINDOW_LOOKUP_WINDOW_SECONDS = WINDOW
    with time_machine.travel(START, tick=False):
        application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
        complaint = complaint_submit(
            data=ComplaintIn(
                klass="complaint",
                subject="排队久",
                text="排了两小时",
                contact_name="王",
                contact_phone="13907361234",
            )
        )
    return Subject(application.number, application.applicant.id_number[-4:], complaint.number)


# Each look-up as (name, call(client, subject, right) -> response, is it an API?)
Lookup = Callable[..., object]


def track_page(client, s: Subject, right: bool):
    return client.get("/track", {"number": s.number, "suffix": s.suffix if right else "0000"})


def track_api(client, s: Subject, right: bool):
    return client.get("/api/v1/cases/track", {"number": s.number, "id_suffix": s.suffix if right else "0000"})


def rate_page(client, s: Subject, right: bool):
    return client.get("/feedback/rate", {"number": s.number, "suffix": s.suffix if right else "0000"})


def rate_api(client, s: Subject, right: bool):
    body = {"number": s.number, "id_suffix": s.suffix if right else "0000", "level": 5}
    return client.post("/api/v1/ratings/", body, content_type="application/json")


def complaint_page(client, s: Subject, right: bool):
    return client.get("/feedback/complaint", {"number": s.complaint, "phone": "1234" if right else "0000"})


def complaint_api(client, s: Subject, right: bool):
    suffix = "1234" if right else "0000"
    return client.get(f"/api/v1/complaints/public/{s.complaint}", {"phone_suffix": suffix})


LOOKUPS = [track_page, track_api, rate_page, rate_api, complaint_page, complaint_api]


@pytest.mark.parametrize("lookup", LOOKUPS, ids=lambda f: f.__name__)
def test_a_number_is_refused_after_repeated_wrong_suffixes_and_allowed_after_the_window(
    client, subject, lookup
):
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False) as clock:
        assert lookup(client, subject, right=True).status_code not in (404, 429)
        for _ in range(LIMIT):
            assert lookup(client, subject, right=False).status_code == 404
        blocked = lookup(client, subject, right=True)
        assert blocked.status_code == 429
        assert int(blocked["Retry-After"]) > 0
        if "/api/" in blocked.wsgi_request.path:
            assert blocked["Content-Type"] == "application/problem+json"
            assert blocked.json()["code"] == "throttled"
        else:
            assert "查询失败次数过多" in blocked.content.decode()
        clock.shift(dt.timedelta(seconds=WINDOW))
        assert lookup(client, subject, right=True).status_code not in (404, 429)


def test_the_throttle_is_shared_by_the_pages_and_the_api_of_one_kind(client, subject):
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        for _ in range(LIMIT):
            assert track_page(client, subject, right=False).status_code == 404
        assert track_api(client, subject, right=True).status_code == 429


def test_the_complaint_follow_up_counts_wrong_codes_against_the_number(client, subject):
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        for _ in range(LIMIT):
            answer = client.post(
                f"/api/v1/complaints/public/{subject.complaint}/follow-up",
                {"phone_suffix": "1234", "code": "AAAAAAAA", "satisfied": True},
                content_type="application/json",
            )
            assert answer.status_code == 404
        assert complaint_api(client, subject, right=True).status_code == 429
