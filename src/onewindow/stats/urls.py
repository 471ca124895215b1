from django.urls import path

from onewindow.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases", views.drilldown, name="cases"),
    path("export.xlsx", views.export, name="export"),
    path("definitions", views.definitions, name="definitions"),
]
