from django.contrib.auth.views import LogoutView
from django.urls import path

from onewindow.web import (
    views,
    views_department,
    views_enterprises,
    views_feedback,
    views_online,
    views_portal,
    views_signin,
    views_source,
    views_supervisor,
    views_verify,
    views_window,
)

app_name = "web"
urlpatterns = [
    # GNU AGPL-3.0 §13: the running source, offered to every user (footer link)
    path("source.tar.gz", views_source.source, name="source"),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("verify/<str:number>", views_verify.verify, name="verify"),
    # staff login
    path("login", views.StaffLoginView.as_view(), name="login"),
    path("logout", LogoutView.as_view(next_page="web:home"), name="logout"),
    path("login/2fa", views_signin.two_factor, name="two-factor"),
    path("login/2fa/setup", views_signin.two_factor_setup, name="two-factor-setup"),
    # citizen portal
    path("guide/", views_portal.catalogue, name="catalogue"),
    path("guide/item/<str:code>.pdf", views_portal.item_pdf, name="guide-item-pdf"),
    path("guide/item/<str:code>", views_portal.item_page, name="guide-item"),
    path("guide/bundle/<str:code>.pdf", views_portal.bundle_pdf, name="guide-bundle-pdf"),
    path("guide/bundle/<str:code>", views_portal.bundle_page, name="guide-bundle"),
    path("track", views_portal.track, name="track"),
    # online application (网上申请): no account; the continue link's token proves possession
    path("apply/continue/<str:ref>/<str:token>", views_online.apply_continue, name="apply-continue"),
    path("apply/continue/<str:ref>/<str:token>/<str:action>", views_online.apply_action, name="apply-action"),
    path("apply/<str:code>", views_online.apply_start, name="apply"),
    # window workbench (综合窗口)
    path("window/", views_window.workbench, name="window"),
    path("window/applicant", views_window.applicant, name="window-applicant"),
    path("window/new/<int:applicant_id>", views_window.new_application, name="window-new"),
    path("window/app/<str:ref>", views_window.application_page, name="window-app"),
    path("window/app/<str:ref>/<str:action>", views_window.application_action, name="window-app-action"),
    path("window/delivery", views_window.delivery, name="window-delivery"),
    path("window/material/<int:pk>", views_window.material_file, name="material-file"),
    # department workbench (后台审批)
    path("department/", views_department.queue, name="department"),
    path("department/case/<str:number>", views_department.case_page, name="case"),
    path("department/case/<str:number>/<str:action>", views_department.case_action, name="case-action"),
    path("department/hosting/", views_enterprises.hosting_list, name="hosting"),
    path("department/hosting/<str:uscc>/", views_enterprises.hosting_detail, name="hosting-company"),
    # supervisor dashboard (效能督查)
    path("supervisor/", views_supervisor.dashboard, name="supervisor"),
    path(
        "supervisor/joint-extensions/<int:pk>/decide",
        views_supervisor.joint_extension_decide,
        name="joint-extension-decide",
    ),
    # feedback: 好差评 and 吐槽找茬 (views_feedback)
    path("feedback/rate", views_feedback.rate, name="feedback-rate"),
    path("feedback/complain", views_feedback.complain, name="feedback-complain"),
    path("feedback/complaint", views_feedback.complaint_status, name="feedback-complaint"),
    path("feedback/rates", views_feedback.rates, name="feedback-rates"),
]
