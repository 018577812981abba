from django.urls import path, re_path

from feedback import views

urlpatterns = [
    # The path the existing frontend calls has no trailing slash; the slash is accepted too.
    re_path(
        r"^coach/recommendations/(?P<rid>[0-9]+)/feedback/?$",
        views.FeedbackView.as_view(),
        name="recommendation-feedback",
    ),
    path("feedback/mine/", views.MyFeedbackView.as_view(), name="feedback-mine"),
    path("feedback/summary/", views.FeedbackSummaryView.as_view(), name="feedback-summary"),
]
