"""The statistics pages under ``/stats/``, in the ``stats`` URL namespace (pages are the web
layer's; the figures are ``stats.selectors``')."""

from django.urls import path

from onewindow.web import views_stats

app_name = "stats"

urlpatterns = [
    path("", views_stats.dashboard, name="dashboard"),
    path("cases", views_stats.drilldown, name="cases"),
    path("export.xlsx", views_stats.export, name="export"),
    path("definitions", views_stats.definitions, name="definitions"),
]
