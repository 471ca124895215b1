"""网上申请: the one path where intake services run without a staff actor — ``actor=None``, an
online application and its random access token (cases.services, "online applicants")."""

import pytest

from onewindow.cases import selectors, services
from onewindow.cases.models import Application, ApplicationStatus, Channel, MaterialState
from onewindow.cases.services import GuardFailed
from onewindow.cases.tests.factories import county, draft, enterprise, pdf, registration_form
from onewindow.catalog.models import Bundle
from onewindow.core.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db
START_UP = "430702-YJS-0001"


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


def online(applicant=None, option: str = "D") -> Application:
    bundle = Bundle.objects.get(code=START_UP)
    return services.application_create(
        actor=None,
        online_applicant=True,
        applicant=applicant or enterprise(),
        channel=Channel.ONLINE,
        region=county(),
        bundle=bundle,
        bundle_option=bundle.options.get(code=option),
        form_data={"registration": registration_form("establish")},
    )


def test_an_online_application_needs_no_staff_and_gets_a_random_token(officer):
    application = online()
    assert application.channel == Channel.ONLINE and application.agent is None
    assert len(application.access_token) >= 40
    assert application.materials.count() == 6
    assert online(application.applicant).access_token != application.access_token


def test_the_online_path_is_only_for_the_online_channel_without_an_actor(officer):
    bundle = Bundle.objects.get(code=START_UP)
    common = {
        "applicant": enterprise(),
        "region": county(),
        "bundle": bundle,
        "bundle_option": bundle.options.get(code="D"),
        "form_data": {"registration": registration_form("establish")},
    }
    with pytest.raises(InvalidInput):
        services.application_create(actor=None, online_applicant=True, channel=Channel.WINDOW, **common)
    with pytest.raises(InvalidInput):
        services.application_create(actor=officer, online_applicant=True, channel=Channel.ONLINE, **common)
    with pytest.raises(PermissionDenied):
        services.application_create(actor=None, channel=Channel.ONLINE, **common)
    window = services.application_create(actor=officer, channel=Channel.WINDOW, **common)
    assert window.access_token == ""


def test_the_applicant_uploads_commits_and_submits_with_the_token(officer):
    application = online()
    token = application.access_token
    for row in application.materials.select_related("material"):
        if row.commitment_allowed:
            services.application_mark_material(
                actor=None,
                application=application,
                material_key=row.material.key,
                state=MaterialState.COMMITTED,
                token=token,
            )
        elif row.state == MaterialState.MISSING:
            services.application_attach_material(
                actor=None, application=application, material_key=row.material.key, upload=pdf(), token=token
            )
    submitted = services.application_submit(actor=None, application=application, token=token)
    assert submitted.status == ApplicationStatus.SUBMITTED and submitted.received_at
    accepted = services.application_accept(actor=officer, application=submitted)
    assert accepted.status == ApplicationStatus.ACCEPTED and accepted.number


def test_without_the_right_token_nothing_happens(officer):
    application = online()
    key = application.materials.select_related("material").first().material.key
    with pytest.raises(NotFound):
        services.application_attach_material(
            actor=None, application=application, material_key=key, upload=pdf(), token="guess"
        )
    with pytest.raises(NotFound):
        services.application_submit(actor=None, application=application, token="")
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=None, application=application)
    with pytest.raises(NotFound):
        selectors.application_get_online(application.draft_ref, "guess")
    assert selectors.application_get_online(application.draft_ref, application.access_token) == application
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_a_window_application_cannot_be_reached_by_token(officer):
    window = draft(officer, enterprise(), bundle=START_UP, option="D")
    with pytest.raises(NotFound):
        services.application_submit(actor=None, application=window, token="")
    with pytest.raises(NotFound):
        selectors.application_get_online(window.draft_ref, "")


def test_staff_only_actions_stay_refused_online(officer):
    application = online()
    token = application.access_token
    rows = list(application.materials.select_related("material"))
    plain = next(r for r in rows if not r.commitment_allowed)
    with pytest.raises(GuardFailed):
        services.application_mark_material(
            actor=None,
            application=application,
            material_key=plain.material.key,
            state=MaterialState.COMMITTED,
            token=token,
        )
    for state in (MaterialState.WAIVED, MaterialState.PROVIDED):
        with pytest.raises(GuardFailed):
            services.application_mark_material(
                actor=None, application=application, material_key=plain.material.key, state=state, token=token
            )
    application = services.application_submit(actor=None, application=application, token=token)
    with pytest.raises(PermissionDenied):
        services.application_refuse(actor=None, application=application, reason="不符合条件")
    with pytest.raises(PermissionDenied):
        services.application_request_correction(actor=None, application=application)


def test_a_correction_notice_is_answered_online(officer):
    application = online()
    token = application.access_token
    application = services.application_submit(actor=None, application=application, token=token)
    notice = services.application_request_correction(actor=officer, application=application)
    assert len(notice.items) >= 1
    application.refresh_from_db()
    for item in notice.items:
        services.application_attach_material(
            actor=None, application=application, material_key=item["material"], upload=pdf(), token=token
        )
    application = services.application_resubmit(actor=None, application=application, token=token)
    assert application.status == ApplicationStatus.SUBMITTED
    notice.refresh_from_db()
    assert notice.resubmitted_at is not None
    assert services.application_accept(actor=officer, application=application).number
