from django.urls import path

from onewindow.web import views, views_verify

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("verify/<str:number>", views_verify.verify, name="verify"),
]
