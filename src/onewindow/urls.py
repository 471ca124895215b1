from django.contrib import admin
from django.urls import include, path

from onewindow.api.main import api
from onewindow.licences import views as licence_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(".well-known/onewindow-keys.json", licence_views.well_known_keys, name="onewindow-keys"),
    path("licences/<str:number>.pdf", licence_views.licence_pdf_download, name="licence-pdf"),
    path("stats/", include("onewindow.web.urls_stats")),
    path("", include("onewindow.web.urls")),
]
