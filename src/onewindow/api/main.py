"""The single NinjaAPI under /api/v1/; every app mounts its router here."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from onewindow.api.errors import register_handlers
from onewindow.cases.api import router as cases_router
from onewindow.catalog.api import router as catalog_router
from onewindow.complaints.api import router as complaints_router
from onewindow.enterprises.api import router as enterprises_router
from onewindow.licences.api import router as licences_router
from onewindow.org.api import router as org_router
from onewindow.ratings.api import router as ratings_router
from onewindow.stats.api import router as stats_router

api = NinjaAPI(
    title="OneWindow 一窗通办 API",
    version="1",
    description="REST API of OneWindow. Errors are application/problem+json (RFC 9457).",
    urls_namespace="api-v1",
    auth=django_auth,
)
register_handlers(api)
api.add_router("/org/", org_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/licences/", licences_router)
api.add_router("/enterprises/", enterprises_router)
api.add_router("/cases/", cases_router)
api.add_router("/ratings/", ratings_router)
api.add_router("/complaints/", complaints_router)
api.add_router("/stats/", stats_router)
