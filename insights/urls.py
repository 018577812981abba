from django.urls import include, path, re_path

from insights import views

urlpatterns = [
    path("financials/", views.FinancialsView.as_view(), name="financials"),
    path("", include("insights.imports.urls")),  # imports, transactions, cash, movements
    path("insights/", views.InsightListView.as_view(), name="insight-list"),
    re_path(r"^insights/run/?$", views.InsightRunView.as_view(), name="insight-run"),
    path("insights/<str:day>/", views.InsightDetailView.as_view(), name="insight-detail"),
    path(
        "coach/recommendations/generate/",
        views.GenerateView.as_view(),
        name="recommendations-generate",
    ),
]
