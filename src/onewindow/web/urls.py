from django.urls import path

from onewindow.web import views, views_feedback, views_verify

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("verify/<str:number>", views_verify.verify, name="verify"),
    # feedback: 好差评 and 吐槽找茬 (views_feedback)
    path("feedback/rate", views_feedback.rate, name="feedback-rate"),
    path("feedback/complain", views_feedback.complain, name="feedback-complain"),
    path("feedback/complaint", views_feedback.complaint_status, name="feedback-complaint"),
    path("feedback/rates", views_feedback.rates, name="feedback-rates"),
]
