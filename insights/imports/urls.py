from django.urls import path

from insights.imports import views

urlpatterns = [
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/<int:import_id>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("transactions/", views.TransactionListView.as_view(), name="transaction-list"),
    path("cash/", views.CashView.as_view(), name="cash"),
    path("movements/", views.MovementListView.as_view(), name="movement-list"),
    path(
        "movements/<int:movement_id>/normal/",
        views.MovementNormalView.as_view(),
        name="movement-normal",
    ),
]
