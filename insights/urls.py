from django.urls import include, path, re_path

from insights import views
from insights.forecast import api as forecast

urlpatterns = [
    path("financials/", views.FinancialsView.as_view(), name="financials"),
    path("", include("insights.imports.urls")),  # imports, transactions, cash, movements
    path("insights/", views.InsightListView.as_view(), name="insight-list"),
    re_path(r"^insights/run/?$", views.InsightRunView.as_view(), name="insight-run"),
    path("insights/schedule/", views.ScheduleView.as_view(), name="insight-schedule"),
    path("insights/<str:day>/", views.InsightDetailView.as_view(), name="insight-detail"),
    path("forecast/", forecast.ForecastView.as_view(), name="forecast"),
    path(
        "forecast/scenarios/",
        forecast.ScenarioListView.as_view(),
        name="forecast-scenario-list",
    ),
    path(
        "forecast/scenarios/<int:sid>/",
        forecast.ScenarioDetailView.as_view(),
        name="forecast-scenario-detail",
    ),
    path(
        "coach/recommendations/generate/",
        views.GenerateView.as_view(),
        name="recommendations-generate",
    ),
]
