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
    path(
        "recommendations/<int:rid>/snooze/",
        views.RecommendationSnoozeView.as_view(),
        name="recommendation-snooze",
    ),
    path(
        "recommendations/<int:rid>/conversation/",
        views.ConversationView.as_view(),
        name="recommendation-conversation",
    ),
    path(
        "recommendations/<int:rid>/suggestions/",
        views.SuggestionsView.as_view(),
        name="recommendation-suggestions",
    ),
    path("action-plans/", views.ActionPlanListView.as_view(), name="action-plan-list"),
    path(
        "action-plans/<int:pid>/", views.ActionPlanDetailView.as_view(), name="action-plan-detail"
    ),
    path(
        "action-plans/<int:pid>/confirm/",
        views.ActionPlanConfirmView.as_view(),
        name="action-plan-confirm",
    ),
    path(
        "action-plans/<int:pid>/tasks/",
        views.ActionTaskListView.as_view(),
        name="action-task-list",
    ),
    path(
        "action-plans/<int:pid>/tasks/reorder/",
        views.ActionTaskReorderView.as_view(),
        name="action-task-reorder",
    ),
    path(
        "action-plans/<int:pid>/tasks/<int:task_id>/",
        views.ActionTaskDetailView.as_view(),
        name="action-task-detail",
    ),
]
