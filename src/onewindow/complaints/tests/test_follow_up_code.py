"""Rating a reply online needs the 回访码 given at registration: the number is sequential and the
phone suffix has only 10⁴ values, so a guesser with both still cannot close someone's matter."""

from __future__ import annotations

import pytest

from onewindow.complaints.models import Complaint, ComplaintStatus
from onewindow.complaints.selectors import complaint_follow_up_code, complaint_follow_up_code_matches
from onewindow.complaints.services import ComplaintIn, complaint_follow_up_by_complainant, complaint_submit
from onewindow.core.errors import NotFound

pytestmark = pytest.mark.django_db
MATTER = {
    "klass": "consultation",
    "subject": "窗口排队时间过长",
    "text": "上午排队两小时",
    "contact_name": "王先生",
    "contact_phone": "13907361234",
}


@pytest.fixture
def replied(hall, persona) -> Complaint:
    from onewindow.complaints.services import complaint_transition

    complaint = complaint_submit(data=ComplaintIn(**MATTER))
    return complaint_transition(
        complaint=complaint, action="reply", actor=persona("window1"), note="已增开窗口"
    )


def test_the_number_and_the_phone_suffix_alone_cannot_close_a_matter(replied):
    for guess in ("AAAAAAAA", "", complaint_follow_up_code(replied)[:-1] + "2"):
        with pytest.raises(NotFound):
            complaint_follow_up_by_complainant(
                complaint=replied, phone_suffix="1234", code=guess, satisfied=True
            )
    replied.refresh_from_db()
    assert replied.status == ComplaintStatus.REPLIED


def test_the_code_closes_the_matter_typed_in_any_case_with_spaces(replied):
    code = complaint_follow_up_code(replied)
    typed = f" {code[:4].lower()} {code[4:]} "
    closed = complaint_follow_up_by_complainant(
        complaint=replied, phone_suffix="1234", code=typed, satisfied=True
    )
    assert closed.status == ComplaintStatus.CLOSED


def test_each_matter_has_its_own_code_and_it_survives_a_key_rotation(replied, settings):
    other = complaint_submit(data=ComplaintIn(**MATTER))
    code = complaint_follow_up_code(replied)
    assert len(code) == 8 and code != complaint_follow_up_code(other)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert not complaint_follow_up_code_matches(replied, code)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert complaint_follow_up_code_matches(replied, code)


def test_the_online_form_and_the_api_give_the_complainant_the_code(client, hall):
    page = client.post("/feedback/complain", {k: v for k, v in MATTER.items()} | {"klass": "complaint"})
    created = Complaint.objects.get()
    assert page.status_code == 200 and complaint_follow_up_code(created) in page.content.decode()
    answer = client.post("/api/v1/complaints/", MATTER, content_type="application/json")
    assert answer.status_code == 201
    assert answer.json()["follow_up_code"] == complaint_follow_up_code(
        Complaint.objects.get(number=answer.json()["number"])
    )


def test_the_status_page_asks_for_the_code_before_rating(client, replied):
    url = f"/feedback/complaint?number={replied.number}&phone=1234"
    assert "回访码" in client.get(url).content.decode()
    assert client.post(url, {"satisfied": "1"}).status_code == 400
    assert client.post(url, {"satisfied": "1", "code": "ZZZZZZZZ"}).status_code == 404
    done = client.post(url, {"satisfied": "1", "code": complaint_follow_up_code(replied)})
    assert done.status_code == 200 and "已办结" in done.content.decode()
