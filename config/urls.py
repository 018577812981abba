from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from coach.views import CatalogView, GlossaryView, VocabularyView
from gateway import console, health
from insights import prometheus
from insights.imports.views import ImportTemplateView
from insights.views import PortfolioView
from notifications.channel_views import UnsubscribeView

urlpatterns = [
    path("", console.index, name="console"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", prometheus.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("v1/", include("gateway.urls")),
    path("v1/imports/template.<str:fmt>", ImportTemplateView.as_view(), name="import-template"),
    path("v1/tenants/<uuid:tenant_id>/", include("insights.urls")),
    path("v1/tenants/<uuid:tenant_id>/notifications/", include("notifications.urls")),
    # One-click unsubscribe from an email: a signed link, no login (an HTML page, not the API).
    path("email/unsubscribe/<str:token>/", UnsubscribeView.as_view(), name="email-unsubscribe"),
    path("v1/tenants/<uuid:tenant_id>/coach/", include("coach.urls")),
    path("v1/tenants/<uuid:tenant_id>/", include("feedback.urls")),
    path("v1/coach/catalog/", CatalogView.as_view(), name="catalog"),
    path("v1/coach/vocabulary/", VocabularyView.as_view(), name="vocabulary"),
    path("v1/coach/glossary/", GlossaryView.as_view(), name="glossary"),
    path("v1/portfolio/", PortfolioView.as_view(), name="portfolio"),
    path("api-auth/", include("rest_framework.urls")),
]
