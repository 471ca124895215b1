"""12345 import: CSV and JSON, all or nothing, every error reported, idempotent on the ticket."""

import json

import pytest

from onewindow.complaints.models import Complaint, ComplaintChannel, ComplaintStatus
from onewindow.complaints.services import ImportRejected, hotline_import
from onewindow.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db

HEADER = "工单号,受理时间,诉求类别,主题,诉求内容,联系人,联系电话,匿名,承办部门\n"
GOOD = (
    HEADER
    + "12345-0001,2025-03-03 09:10,投诉,办照慢,营业执照等了三天,李女士,13907360011,否,SCJG\n"
    + "12345-0002,2025-03-03 10:20,咨询,社保转移,如何办理,,,是,\n"
)


@pytest.fixture
def supervisor(hall, persona):
    return persona("supervisor")


def test_a_clean_csv_is_imported_and_assigned(supervisor):
    report = hotline_import(actor=supervisor, content=GOOD.encode("utf-8-sig"))
    assert len(report.created) == 2 and report.skipped == []
    first = Complaint.objects.get(hotline_ticket="12345-0001")
    assert first.channel == ComplaintChannel.HOTLINE
    assert first.status == ComplaintStatus.ASSIGNED and first.department.code == "SCJG"
    assert Complaint.objects.get(hotline_ticket="12345-0002").anonymous


def test_importing_the_same_file_twice_skips_what_is_already_there(supervisor):
    hotline_import(actor=supervisor, content=GOOD)
    again = hotline_import(actor=supervisor, content=GOOD)
    assert again.created == [] and again.skipped == ["12345-0001", "12345-0002"]
    assert Complaint.objects.count() == 2


def test_one_bad_row_imports_nothing_and_every_error_is_reported(supervisor):
    bad = (
        GOOD
        + "12345-0003,2025-13-01,抱怨,,内容,张三,abc,也许,NOPE\n"
        + "12345-0001,2025-03-03 09:10,建议,重复工单,内容,,,是,\n"
    )
    with pytest.raises(ImportRejected) as exc:
        hotline_import(actor=supervisor, content=bad)
    errors = {(e["row"], e["field"]) for e in exc.value.fields["errors"]}
    assert {
        (3, "received_at"),
        (3, "class"),
        (3, "subject"),
        (3, "contact_phone"),
        (3, "anonymous"),
        (3, "department"),
        (4, "ticket"),
    } <= errors
    assert Complaint.objects.count() == 0


def test_json_uses_the_same_columns(supervisor):
    rows = [
        {
            "ticket": "J-1",
            "received_at": "2025-03-03T08:00:00",
            "class": "help",
            "subject": "求助",
            "text": "内容",
            "contact_name": "赵",
            "contact_phone": "13907360099",
        },
    ]
    assert len(hotline_import(actor=supervisor, content=json.dumps(rows), fmt="json").created) == 1


def test_garbage_is_refused_without_a_500(supervisor):
    with pytest.raises(ImportRejected):
        hotline_import(actor=supervisor, content="{not json", fmt="json")
    with pytest.raises(ImportRejected):
        hotline_import(actor=supervisor, content="")


def test_only_supervisors_and_administrators_import(hall, persona):
    with pytest.raises(PermissionDenied):
        hotline_import(actor=persona("scjg_reviewer"), content=GOOD)
