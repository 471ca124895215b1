"""One counter for every human-readable number (``core.numbers``): applications, drafts,
complaints and licences count in ``core.models.NumberSequence``, each scope on its own."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction

from onewindow.core.models import NumberSequence
from onewindow.core.numbers import sequence_next


@pytest.mark.django_db
def test_each_counter_starts_at_one_and_counts_on_its_own():
    assert [sequence_next("app:430702:20250303") for _ in range(3)] == [1, 2, 3]
    assert sequence_next("app:430702:20250304") == 1
    assert sequence_next("app:430702:20250303") == 4
    assert dict(NumberSequence.objects.values_list("scope", "last")) == {
        "app:430702:20250303": 4,
        "app:430702:20250304": 1,
    }


@pytest.mark.django_db
def test_a_value_taken_by_a_rolled_back_transaction_is_handed_out_again():
    sequence_next("x")

    @transaction.atomic
    def number_then_fail() -> None:
        sequence_next("x")
        raise RuntimeError("the numbered record was not saved")

    with pytest.raises(RuntimeError):
        number_then_fail()
    assert sequence_next("x") == 2  # no gap: the number went with the record that was not saved


@pytest.mark.django_db
def test_complaint_and_licence_numbers_come_from_the_one_counter_in_their_formats(hall):
    from onewindow.complaints.services import ComplaintIn, complaint_submit
    from onewindow.licences.models import LicenceType
    from onewindow.licences.services import licence_number_next
    from onewindow.org.models import Department

    with time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC), tick=False):
        complaint = complaint_submit(
            data=ComplaintIn(klass="consultation", subject="办事指南", text="需要哪些材料", anonymous=True)
        )
    number = licence_number_next(
        licence_type=LicenceType.objects.get(name="食品经营许可证"),
        department=Department.objects.get(code="SCJG"),
        on=dt.date(2025, 3, 10),
    )
    assert (complaint.number, number) == ("TS430702202503030001", "JY43070225000001")
    scopes = set(NumberSequence.objects.values_list("scope", flat=True))
    assert {"complaint:430702:20250303", "licence:JY43070225*"} <= scopes


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is tested on PostgreSQL")
def test_concurrent_callers_never_share_a_value_even_on_a_new_scope():
    values, errors = [], []
    barrier = threading.Barrier(8)

    def take():
        try:
            barrier.wait()
            with transaction.atomic():
                values.append(sequence_next("race"))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(values) == list(range(1, 9))
    assert NumberSequence.objects.get(scope="race").last == 8
