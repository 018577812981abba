from django.urls import path

from coach import views

urlpatterns = [
    path("recommendations/", views.RecommendationListView.as_view(), name="recommendation-list"),
    path(
        "recommendations/<int:rid>/",
        views.RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
    path(
        "recommendations/<int:rid>/details/",
        views.RecommendationDetailsView.as_view(),
        name="recommendation-details",
    ),
]
