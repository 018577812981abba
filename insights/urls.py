from django.urls import path

from insights import views

urlpatterns = [
    path("financials/", views.FinancialsView.as_view(), name="financials"),
    path(
        "coach/recommendations/generate/",
        views.GenerateView.as_view(),
        name="recommendations-generate",
    ),
]
