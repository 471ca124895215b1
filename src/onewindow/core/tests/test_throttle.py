"""The look-up throttle: failed look-ups counted per IP address and per number in the shared
(database) cache, refused once either limit is reached, allowed again in the next window."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import RequestFactory

from onewindow.core.clientip import client_ip
from onewindow.core.errors import NotFound
from onewindow.core.throttle import Throttled, guarded_lookup

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 3, 3, 9, 0, 5, tzinfo=dt.UTC)  # 5 s into an hour-long window


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ONEWINDOW_LOOKUP_LIMIT_PER_NUMBER = 3
    settings.ONEWINDOW_LOOKUP_LIMIT_PER_IP = 5
    settings.ONEWINDOW_LOOKUP_WINDOW_SECONDS = 3600


def visit(ip: str = "203.0.113.7"):
    return RequestFactory().get("/track", REMOTE_ADDR=ip)


def wrong() -> str:
    raise NotFound("未找到")


def right() -> str:
    return "found"


def fail(number: str, ip: str = "203.0.113.7", times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(NotFound):
            guarded_lookup(visit(ip), "track", number, wrong)


def test_a_number_is_refused_after_its_failed_look_ups_even_with_the_right_suffix():
    with time_machine.travel(START, tick=False):
        fail("WL001", times=3)
        with pytest.raises(Throttled) as refused:
            guarded_lookup(visit("198.51.100.1"), "track", "WL001", right)
        assert refused.value.status == 429 and refused.value.fields["retry_after"] == 3595
        assert guarded_lookup(visit(), "track", "WL002", right) == "found"


def test_a_number_is_allowed_again_after_the_window():
    with time_machine.travel(START, tick=False) as clock:
        fail("WL001", times=3)
        with pytest.raises(Throttled):
            guarded_lookup(visit(), "track", "WL001", right)
        clock.shift(dt.timedelta(seconds=3595))
        assert guarded_lookup(visit(), "track", "WL001", right) == "found"


def test_an_address_is_refused_after_failing_on_many_numbers():
    with time_machine.travel(START, tick=False):
        for n in range(5):
            fail(f"WL10{n}", ip="203.0.113.9")
        with pytest.raises(Throttled):
            guarded_lookup(visit("203.0.113.9"), "track", "WL200", right)
        assert guarded_lookup(visit("203.0.113.10"), "track", "WL200", right) == "found"


def test_successful_look_ups_count_nothing():
    with time_machine.travel(START, tick=False):
        for _ in range(20):
            assert guarded_lookup(visit(), "track", "WL001", right) == "found"


def test_each_kind_of_look_up_has_its_own_count():
    with time_machine.travel(START, tick=False):
        fail("WL001", times=3)
        assert guarded_lookup(visit(), "rating", "WL001", right) == "found"


def test_the_client_address_comes_from_the_proxies_the_deployment_declares(settings):
    spoofed = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.8")
    settings.ONEWINDOW_PROXY_COUNT = 0
    assert client_ip(spoofed) == "10.0.0.2"
    settings.ONEWINDOW_PROXY_COUNT = 1
    assert client_ip(spoofed) == "198.51.100.8"  # the entry the proxy wrote, not the client's own
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == "10.0.0.2"
