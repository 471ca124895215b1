"""The public feedback pages: rate from the tracking number, complain, see the reply."""

import pytest

from onewindow.complaints.models import Complaint
from onewindow.ratings.models import Rating
from onewindow.ratings.tests.helpers import finished_case

pytestmark = pytest.mark.django_db


def test_the_applicant_rates_a_case_on_the_page(client, hall, persona):
    case = finished_case(persona("window1"))
    number, suffix = case.application.number, case.application.applicant.id_number[-4:]
    page = client.get("/feedback/rate", {"number": number, "suffix": suffix})
    assert page.status_code == 200 and "提交评价" in page.content.decode()
    posted = client.post(
        f"/feedback/rate?number={number}&suffix={suffix}",
        {"number": number, "suffix": suffix, "case_number": case.number, "level": "1", "tags": ["态度不好"]},
    )
    assert posted.status_code == 200, posted.content.decode()
    assert "感谢您的评价" in posted.content.decode()
    assert Rating.objects.get().level == 1
    again = client.post(
        f"/feedback/rate?number={number}&suffix={suffix}",
        {"number": number, "suffix": suffix, "case_number": case.number, "level": "5"},
    )
    assert again.status_code == 400 and "一事一评" in again.content.decode()


def test_a_wrong_suffix_shows_not_found(client, hall, persona):
    case = finished_case(persona("window1"))
    assert (
        client.get("/feedback/rate", {"number": case.application.number, "suffix": "0000"}).status_code == 404
    )


def test_a_complaint_is_submitted_and_its_status_found_with_the_phone(client, hall):
    posted = client.post(
        "/feedback/complain",
        {
            "klass": "complaint",
            "subject": "排队久",
            "text": "两小时",
            "contact_name": "王",
            "contact_phone": "13907361234",
        },
    )
    assert posted.status_code == 200 and "诉求编号" in posted.content.decode()
    number = Complaint.objects.get().number
    status = client.get("/feedback/complaint", {"number": number, "phone": "1234"})
    assert status.status_code == 200 and "已登记待交办" in status.content.decode()


def test_a_real_name_complaint_without_a_phone_is_a_form_error(client, hall):
    posted = client.post(
        "/feedback/complain", {"klass": "help", "subject": "x", "text": "y", "contact_name": "王"}
    )
    assert posted.status_code == 400 and "联系电话" in posted.content.decode()
    assert not Complaint.objects.exists()


def test_the_rates_page_shows_the_definitions_to_supervisors_only(client, hall, persona):
    assert client.get("/feedback/rates").status_code in (401, 403)
    client.force_login(persona("supervisor"))
    page = client.get("/feedback/rates", {"start": "2025-03-01", "end": "2025-03-31"})
    assert page.status_code == 200 and "评价率 =" in page.content.decode()
